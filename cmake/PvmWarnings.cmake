# Warnings every libpvm target builds with. -Werror: a warning is a defect.
add_library(pvm_warnings INTERFACE)
target_compile_options(pvm_warnings INTERFACE
  -Wall -Wextra -Werror
  -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith
  -Wcast-align -Wwrite-strings -Wundef -Wvla -Wformat=2
  -Wimplicit-fallthrough -Wno-missing-field-initializers)
