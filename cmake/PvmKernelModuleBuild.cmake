# cmake -DKBUILD=<dir> -DDIR=<build dir> -DSOURCES=<a|b|...> -DPAHOLE=<pahole>
#       -P PvmKernelModuleBuild.cmake
# The build step of pvm_kernel_module() (PvmKernelModule.cmake): a fresh copy
# of the sources, kbuild's `modules`, and a failure on any error or warning.
string(REPLACE "|" ";" sources "${SOURCES}")
file(REMOVE_RECURSE ${DIR})
file(MAKE_DIRECTORY ${DIR})
file(COPY ${sources} DESTINATION ${DIR})
# Not the outer make's jobserver (it is not passed down to a cmake -P step,
# and kbuild would warn): one source file needs no parallel make.
execute_process(
  COMMAND ${CMAKE_COMMAND} -E env --unset=MAKEFLAGS --unset=MFLAGS --unset=MAKELEVEL
          make -C ${KBUILD} M=${DIR} PAHOLE=${PAHOLE} KCFLAGS=-Werror modules
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
file(WRITE ${DIR}/build.log "${out}")
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "kernel module build failed (${rc}); log: ${DIR}/build.log")
endif()
# Compiler warnings are errors already; modpost's and pahole's are not.
if(out MATCHES "[Ww][Aa][Rr][Nn][Ii][Nn][Gg]|Skipping BTF")
  message(FATAL_ERROR "kernel module build warned; log: ${DIR}/build.log")
endif()
