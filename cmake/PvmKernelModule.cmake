# Out-of-tree Linux modules, cross-built against a kernel's kbuild tree
# (docs/linux-modules.md): tests/integration/kvm/fetch.sh --kbuild leaves one
# for Debian 12 backports' arm64 6.12 that runs on this x86-64 host.
#
#   pvm_kernel_module(<target> KBUILD <dir> SOURCES <file>... [DEPENDS <file|target>...])
#
# Copies SOURCES (paths relative to the current source directory; one of them
# the Kbuild file naming obj-m) into ${CMAKE_CURRENT_BINARY_DIR}/<target> and
# runs `make -C <dir> M=<that directory> modules` there. The custom target
# <target> builds <target>/<module>.ko, <module> being the target's name.
# Any compiler warning is an error (-Werror in KCFLAGS, whatever the Kbuild
# says) and any other warning in kbuild's output (modpost's, BTF's) fails the
# build too: a module that builds with warnings is not trusted to load.
find_program(PVM_PAHOLE pahole)
if(NOT PVM_PAHOLE)
  # Debian's 6.12 builds modules with BTF (CONFIG_DEBUG_INFO_BTF_MODULES):
  # kbuild runs pahole for it, and an out-of-tree module gets its BTF as the
  # kernel's own do.
  message(FATAL_ERROR "pahole not found: install Debian's dwarves (tools/setup.sh)")
endif()
set(PVM_KERNEL_MODULE_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/PvmKernelModuleBuild.cmake)

function(pvm_kernel_module target)
  cmake_parse_arguments(PARSE_ARGV 1 km "" "KBUILD" "SOURCES;DEPENDS")
  if(NOT km_KBUILD OR NOT km_SOURCES)
    message(FATAL_ERROR "pvm_kernel_module(${target}): KBUILD and SOURCES are required")
  endif()
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/${target})
  set(srcs)
  foreach(s IN LISTS km_SOURCES)
    list(APPEND srcs ${CMAKE_CURRENT_SOURCE_DIR}/${s})
  endforeach()
  string(REPLACE ";" "|" srcs_arg "${srcs}")
  add_custom_command(OUTPUT ${dir}/${target}.ko
    COMMAND ${CMAKE_COMMAND} -DKBUILD=${km_KBUILD} -DDIR=${dir} "-DSOURCES=${srcs_arg}"
            -DPAHOLE=${PVM_PAHOLE} -P ${PVM_KERNEL_MODULE_SCRIPT}
    DEPENDS ${srcs} ${km_DEPENDS} ${PVM_KERNEL_MODULE_SCRIPT}
    COMMENT "Linux module ${target}.ko (out of tree, against ${km_KBUILD})" VERBATIM)
  add_custom_target(${target} ALL DEPENDS ${dir}/${target}.ko)
endfunction()
