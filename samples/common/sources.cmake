# samples/common: what the sample programs share, in one place. Its users
# are built with different toolchains and flags: pvm-run (the host's C
# compiler, through the static library pvm-samples-common of this
# directory's CMakeLists.txt), the sample guests (the aarch64 cross
# compiler, freestanding, by custom commands) and the EL2 port's host
# program (the EL2 image's toolchain, no libc). So this file only names the
# files; each build includes it and compiles them with its own flags.
#
#   PVM_SAMPLES_COMMON_DIR             this directory
#   PVM_SAMPLES_COMMON_INCLUDE         the headers: pvm_layout.h (the guests'
#                                      physical layout: plain #defines, for
#                                      C, assembly and linker scripts),
#                                      gic_model.h, pl011_model.h, fpregs.h
#   PVM_SAMPLES_COMMON_DEVICE_SOURCES  the device models a VMM serves MMIO
#                                      exits with: freestanding C (no libc,
#                                      no libpvm)
#   PVM_SAMPLES_COMMON_FPREGS_SOURCES  the FP/SIMD register file's fill and
#                                      check: aarch64 assembly, at EL1
set(PVM_SAMPLES_COMMON_DIR ${CMAKE_CURRENT_LIST_DIR})
set(PVM_SAMPLES_COMMON_INCLUDE ${PVM_SAMPLES_COMMON_DIR}/include)
set(PVM_SAMPLES_COMMON_DEVICE_SOURCES
  ${PVM_SAMPLES_COMMON_DIR}/gic_model.c
  ${PVM_SAMPLES_COMMON_DIR}/pl011_model.c)
set(PVM_SAMPLES_COMMON_FPREGS_SOURCES ${PVM_SAMPLES_COMMON_DIR}/fpregs.S)
