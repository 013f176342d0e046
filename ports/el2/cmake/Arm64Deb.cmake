# Debian arm64 packages for the EL2 image, without touching the build
# machine's dpkg: a private apt state (package lists, cache) under the build
# tree, `apt-get download` of the .deb, `dpkg -x` into the build tree. The
# registry is the same Debian one the build machine uses; apt checks the
# signed Release files as for any install. Done once per build tree (a stamp
# file marks it); any failure stops the configure with apt's own message.
#
#   pvm_arm64_deb(<package> <outvar>)  sets <outvar> to the extraction root

set(PVM_ARM64_APT_DIR ${CMAKE_BINARY_DIR}/arm64-debs)

function(pvm_arm64_apt)
  set(apt ${PVM_ARM64_APT_DIR})
  set(PVM_ARM64_APT_OPTS
    -oAPT::Architecture=arm64 -oAPT::Architectures=arm64
    -oDir::State::Lists=${apt}/lists -oDir::State::Status=${apt}/status
    -oDir::Cache=${apt}/cache -oDebug::NoLocking=true
    PARENT_SCOPE)
endfunction()

function(pvm_arm64_deb pkg outvar)
  set(apt ${PVM_ARM64_APT_DIR})
  set(root ${apt}/root/${pkg})
  set(stamp ${apt}/${pkg}.stamp)
  set(${outvar} ${root} PARENT_SCOPE)
  if(EXISTS ${stamp})
    return()
  endif()
  find_program(PVM_APT_GET apt-get)
  find_program(PVM_DPKG_DEB dpkg-deb)
  if(NOT PVM_APT_GET OR NOT PVM_DPKG_DEB)
    message(FATAL_ERROR "ports/el2: apt-get and dpkg-deb are needed to fetch the arm64 "
      "package ${pkg} (Debian 12 build machine)")
  endif()
  pvm_arm64_apt()
  file(MAKE_DIRECTORY ${apt}/lists/partial ${apt}/cache/archives/partial ${apt}/debs)
  if(NOT EXISTS ${apt}/status)
    file(WRITE ${apt}/status "")
  endif()
  if(NOT EXISTS ${apt}/lists.stamp)
    message(STATUS "ports/el2: apt-get update (arm64, private lists in ${apt})")
    execute_process(COMMAND ${PVM_APT_GET} ${PVM_ARM64_APT_OPTS} -q update
      RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "ports/el2: apt-get update for arm64 failed (${rc}):\n${out}\n${err}")
    endif()
    file(WRITE ${apt}/lists.stamp "")
  endif()
  file(GLOB old ${apt}/debs/${pkg}_*.deb)
  if(old)
    file(REMOVE ${old})
  endif()
  message(STATUS "ports/el2: apt-get download ${pkg}:arm64")
  # As root, apt drops to the _apt user for downloads, who cannot write the
  # build tree: download as the caller instead (APT::Sandbox::User).
  execute_process(COMMAND ${PVM_APT_GET} ${PVM_ARM64_APT_OPTS} -oAPT::Sandbox::User=root
      -q download ${pkg}:arm64
    WORKING_DIRECTORY ${apt}/debs
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  file(GLOB deb ${apt}/debs/${pkg}_*_arm64.deb)
  if(NOT rc EQUAL 0 OR NOT deb)
    message(FATAL_ERROR "ports/el2: apt-get download ${pkg}:arm64 failed (${rc}):\n${out}\n${err}")
  endif()
  file(REMOVE_RECURSE ${root})
  file(MAKE_DIRECTORY ${root})
  execute_process(COMMAND ${PVM_DPKG_DEB} -x ${deb} ${root}
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ports/el2: dpkg-deb -x ${deb} failed (${rc}): ${err}")
  endif()
  get_filename_component(debname ${deb} NAME)
  file(WRITE ${stamp} "${debname}\n")
  message(STATUS "ports/el2: ${debname} extracted into ${root}")
endfunction()
