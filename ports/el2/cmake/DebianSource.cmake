# Debian source packages for the EL2 image, as Arm64Deb.cmake fetches
# binary ones: a private apt state under the build tree whose only source is
# `deb-src <PVM_DEBIAN_MIRROR> <PVM_DEBIAN_SUITE> main`, `apt-get source
# --download-only` of one exact version (apt checks the files against the
# signed Sources index), `dpkg-source -x` into the build tree. Nothing is
# copied into the repository. Done once per build tree and version (a stamp
# file names what was extracted); any failure stops the configure with apt's
# or dpkg-source's own message.
#
#   pvm_debian_source(<package> <version> <outvar>)  sets <outvar> to the source tree

set(PVM_DEBIAN_MIRROR http://deb.debian.org/debian CACHE STRING "Debian mirror for source packages")
set(PVM_DEBIAN_SUITE bookworm CACHE STRING "Debian suite for source packages")
set(PVM_DEBIAN_SRC_DIR ${CMAKE_BINARY_DIR}/debian-src)

# Runs a command; on failure stops the configure with its output.
function(pvm_debian_src_run what dir)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY ${dir}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ports/el2: ${what} failed (${rc}):\n${out}\n${err}")
  endif()
endfunction()

function(pvm_debian_source pkg version outvar)
  set(apt ${PVM_DEBIAN_SRC_DIR})
  set(tree ${apt}/${pkg}-${version})
  set(stamp ${apt}/${pkg}.stamp)
  set(${outvar} ${tree} PARENT_SCOPE)
  if(EXISTS ${stamp})
    file(READ ${stamp} have)
    if(have STREQUAL "${pkg} ${version}\n" AND EXISTS ${tree})
      return()
    endif()
  endif()
  find_program(PVM_APT_GET apt-get)
  find_program(PVM_DPKG_SOURCE dpkg-source)
  if(NOT PVM_APT_GET OR NOT PVM_DPKG_SOURCE)
    message(FATAL_ERROR "ports/el2: apt-get and dpkg-source (dpkg-dev) are needed to fetch "
      "the source package ${pkg} ${version} (tools/setup.sh installs them)")
  endif()
  set(opts
    -oDir::Etc::SourceList=${apt}/sources.list -oDir::Etc::SourceParts=${apt}/sources.list.d
    -oDir::State::Lists=${apt}/lists -oDir::State::Status=${apt}/status
    -oDir::Cache=${apt}/cache -oDebug::NoLocking=true
    # As root, apt drops to _apt for downloads, who cannot write the build tree.
    -oAPT::Sandbox::User=root)
  file(MAKE_DIRECTORY ${apt}/lists/partial ${apt}/cache/archives/partial
    ${apt}/sources.list.d ${apt}/dl)
  file(WRITE ${apt}/status "")
  file(WRITE ${apt}/sources.list "deb-src ${PVM_DEBIAN_MIRROR} ${PVM_DEBIAN_SUITE} main\n")
  message(STATUS "ports/el2: apt-get update (deb-src ${PVM_DEBIAN_SUITE}, private lists in ${apt})")
  pvm_debian_src_run("apt-get update (deb-src ${PVM_DEBIAN_SUITE})" ${apt}
    ${PVM_APT_GET} ${opts} -q update)
  file(REMOVE_RECURSE ${apt}/dl ${tree})
  file(MAKE_DIRECTORY ${apt}/dl)
  message(STATUS "ports/el2: apt-get source ${pkg}=${version}")
  pvm_debian_src_run("apt-get source ${pkg}=${version}" ${apt}/dl
    ${PVM_APT_GET} ${opts} -q source --download-only ${pkg}=${version})
  # apt has checked every file against the signed index and dpkg-source
  # checks them against the .dsc; the .dsc's own signature (its uploader's
  # key, not in any keyring here) only gets a warning.
  pvm_debian_src_run("dpkg-source -x ${pkg}_${version}.dsc" ${apt}/dl
    ${PVM_DPKG_SOURCE} -x ${pkg}_${version}.dsc ${tree})
  # Only the tree is needed from now on: not the index (~45 MB), the
  # downloads, or the copy of the upstream tarball dpkg-source puts beside it.
  file(GLOB copies ${apt}/${pkg}_*.orig.tar.*)
  file(REMOVE_RECURSE ${apt}/dl ${apt}/lists ${apt}/cache ${copies})
  file(WRITE ${stamp} "${pkg} ${version}\n")
  message(STATUS "ports/el2: ${pkg} ${version} (Debian source) extracted into ${tree}")
endfunction()
