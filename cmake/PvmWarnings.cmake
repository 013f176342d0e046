# Warnings every libpvm target builds with. With PVM_WERROR (the presets,
# CI) a warning is an error; a consumer's plain build only sees them.
set(PVM_WERROR_FLAG)
if(PVM_WERROR)
  set(PVM_WERROR_FLAG -Werror)
endif()
add_library(pvm_warnings INTERFACE)
target_compile_options(pvm_warnings INTERFACE
  -Wall -Wextra ${PVM_WERROR_FLAG}
  -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith
  -Wcast-align -Wwrite-strings -Wundef -Wvla -Wformat=2
  -Wimplicit-fallthrough -Wno-missing-field-initializers)
