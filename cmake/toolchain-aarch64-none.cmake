# Toolchain for bare-metal aarch64 (the EL2 image, ports/el2): Debian's
# aarch64-linux-gnu-gcc used freestanding, with picolibc (Debian package
# picolibc-aarch64-linux-gnu) instead of glibc for the few libc functions
# the core and libfdt call (mem*, str*). No Linux ABI: no glibc headers
# (-nostdinc, then picolibc's and GCC's own include directories), no crt
# files, no default libraries; the image's CMakeLists links -lc -lgcc itself.
# (--specs is in the C flags, which CMake also passes when linking.)
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

find_program(PVM_AARCH64_GCC aarch64-linux-gnu-gcc REQUIRED)
find_program(CMAKE_OBJCOPY aarch64-linux-gnu-objcopy REQUIRED)
find_program(CMAKE_OBJDUMP aarch64-linux-gnu-objdump REQUIRED)
find_program(CMAKE_SIZE_TOOL aarch64-linux-gnu-size REQUIRED)
set(CMAKE_C_COMPILER ${PVM_AARCH64_GCC})
set(CMAKE_ASM_COMPILER ${PVM_AARCH64_GCC})
# Nothing here can run on the build machine: test-compile static libraries only.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(PVM_PICOLIBC_DIR /usr/lib/picolibc/aarch64-linux-gnu)
if(NOT EXISTS ${PVM_PICOLIBC_DIR}/picolibc.specs)
  message(FATAL_ERROR "toolchain-aarch64-none: ${PVM_PICOLIBC_DIR}/picolibc.specs not found: "
    "install the Debian package picolibc-aarch64-linux-gnu (tools/setup.sh does)")
endif()
execute_process(COMMAND ${PVM_AARCH64_GCC} -print-file-name=include
  OUTPUT_VARIABLE PVM_GCC_INCLUDE OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)

# -mgeneral-regs-only: EL2 code must never touch FP/SIMD registers, which
# belong to whoever runs at EL1 (the image is checked for it after linking).
# -mno-outline-atomics: no libgcc atomics helpers (__aarch64_ldadd4_acq...).
set(CMAKE_C_FLAGS_INIT
  "--specs=${PVM_PICOLIBC_DIR}/picolibc.specs -nostdinc -isystem ${PVM_PICOLIBC_DIR}/include \
-isystem ${PVM_GCC_INCLUDE} -ffreestanding -fno-common -fno-pic -fno-pie \
-mgeneral-regs-only -mno-outline-atomics -mbranch-protection=none \
-fno-stack-protector -fno-asynchronous-unwind-tables -fno-unwind-tables")
set(CMAKE_ASM_FLAGS_INIT "-mgeneral-regs-only")
# One RWX segment is what a bare-metal image with code and data together is:
# the warning about it says nothing here.
set(CMAKE_EXE_LINKER_FLAGS_INIT
  "-nostdlib -nostartfiles -static -no-pie \
-Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack \
-Wl,--no-warn-rwx-segments")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
