# The EL2 port (ports/el2) is a separate aarch64 CMake project, built as an
# ExternalProject with cmake/toolchain-aarch64-none.cmake: the project's own
# toolchain (the host C compiler, with whatever flags the preset gives it,
# sanitizers included) never touches it. Output: ${PVM_EL2_DIR}/pvm-el2.elf
# and pvm-el2.bin (and the link map, pvm-el2.map, that tests/bench/el2_sizes.sh reads).
include(ExternalProject)

set(PVM_EL2_DIR ${CMAKE_BINARY_DIR}/ports/el2)
# The host program carries sample guests (tests/integration/el2/host/el2_tests.h) to
# run as protected VMs: the same NAME.bin that samples/guests builds for the
# other ports, and the device tree pvm-run gives them (guest.dtb, written by
# samples/pvm-run's pvm-guest-dtb into the same directory).
set(PVM_EL2_GUEST_ARGS)
set(PVM_EL2_GUEST_DEPS)
if(TARGET guests AND TARGET guest-dtb)
  set(PVM_EL2_GUEST_ARGS -DPVM_EL2_GUEST_DIR=${PVM_GUEST_DIR})
  set(PVM_EL2_GUEST_DEPS DEPENDS guests guest-dtb)
endif()
ExternalProject_Add(pvm-el2
  ${PVM_EL2_GUEST_DEPS}
  SOURCE_DIR ${PROJECT_SOURCE_DIR}/ports/el2
  BINARY_DIR ${PVM_EL2_DIR}
  CMAKE_ARGS
    -DCMAKE_TOOLCHAIN_FILE=${PROJECT_SOURCE_DIR}/cmake/toolchain-aarch64-none.cmake
    -DPVM_SOURCE_DIR=${PROJECT_SOURCE_DIR}
    -DPVM_WERROR=${PVM_WERROR}
    -DPVM_EL2_HOST_DIR=${PROJECT_SOURCE_DIR}/tests/integration/el2/host
    ${PVM_EL2_GUEST_ARGS}
  # The sub-build decides itself what is out of date (its sources are
  # outside the outer build's knowledge); an up-to-date run costs ~0.1 s.
  BUILD_ALWAYS TRUE
  INSTALL_COMMAND ""
  BUILD_BYPRODUCTS ${PVM_EL2_DIR}/pvm-el2.elf ${PVM_EL2_DIR}/pvm-el2.bin ${PVM_EL2_DIR}/pvm-el2.map
  USES_TERMINAL_CONFIGURE TRUE
  USES_TERMINAL_BUILD TRUE)

# The toolchain file is read only when a build tree is first configured:
# when it changes, start the sub-build's cache afresh (the configure step
# runs again after this one).
set(PVM_EL2_TOOLCHAIN ${PROJECT_SOURCE_DIR}/cmake/toolchain-aarch64-none.cmake)
ExternalProject_Add_Step(pvm-el2 toolchain
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${PVM_EL2_DIR}/CMakeCache.txt ${PVM_EL2_DIR}/CMakeFiles
  DEPENDS ${PVM_EL2_TOOLCHAIN}
  DEPENDEES mkdir
  DEPENDERS configure
  COMMENT "pvm-el2: toolchain file changed (or first build): fresh configure")
