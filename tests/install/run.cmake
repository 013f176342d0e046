# Driven by the `install` CTest test (see CMakeLists.txt beside this file).
cmake_minimum_required(VERSION 3.25)
set(PVM_TEST install)
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)

if(NOT PVM_PORT_SIM)
	die("the consumer needs the simulator port; configure with -DPVM_PORT_SIM=ON")
endif()
foreach(tool C_COMPILER MAKE PKG_CONFIG)
	if(NOT ${tool} OR ${tool} MATCHES "NOTFOUND$")
		die("${tool} not found (tools/setup.sh installs it)")
	endif()
endforeach()

set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

# 1. Install.
pvm_install(${prefix})

# 2. Everything that should be there is there.
file(GLOB core_headers RELATIVE ${PVM_SOURCE_DIR}/include ${PVM_SOURCE_DIR}/include/libpvm/*.h)
set(expected
	${core_headers}
	libpvm/sim.h)
list(TRANSFORM expected PREPEND ${INCLUDEDIR}/)
list(APPEND expected
	${LIBDIR}/libpvm.a
	${LIBDIR}/libpvm-sim.a
	${LIBDIR}/libpvm-crypto-mbedtls.a
	${LIBDIR}/cmake/libpvm/libpvmConfig.cmake
	${LIBDIR}/cmake/libpvm/libpvmConfigVersion.cmake
	${LIBDIR}/cmake/libpvm/libpvmTargets.cmake
	${LIBDIR}/pkgconfig/libpvm.pc
	${LIBDIR}/pkgconfig/libpvm-sim.pc)
foreach(f IN LISTS expected)
	if(NOT EXISTS ${prefix}/${f})
		fail("not installed: ${f}")
	endif()
endforeach()
file(GLOB targets_files ${prefix}/${LIBDIR}/cmake/libpvm/libpvmTargets*.cmake)
foreach(f IN LISTS targets_files)
	file(READ ${f} text)
	if(text MATCHES "pvm_warnings")
		fail("${f} mentions the build-only target pvm_warnings")
	endif()
	if(text MATCHES "${PVM_SOURCE_DIR}" OR text MATCHES "${PVM_BINARY_DIR}")
		fail("${f} refers to the source or build tree")
	endif()
endforeach()
if(failures)
	die("incomplete installation")
endif()

# 3. Consumer through find_package(libpvm).
set(cm_build ${WORK_DIR}/cmake-consumer)
pvm_configure_against_prefix(consumer ${CONSUMER_DIR} ${cm_build} ${prefix})
run("build consumer (find_package)" out ${CMAKE_COMMAND} --build ${cm_build})
run("run consumer (find_package)" out ${cm_build}/consumer)
if(NOT out MATCHES "install-consumer: OK")
	die("consumer (find_package) did not report OK")
endif()

# 4. The same consumer through pkg-config only; PKG_CONFIG_LIBDIR replaces
#    the system search path, so only the installed .pc files can be found.
pvm_pkg_config_only(${prefix} ${LIBDIR})
run("pkg-config --modversion" out ${PKG_CONFIG} --print-errors --modversion libpvm-sim libpvm)
if(NOT out MATCHES "^${PVM_VERSION}\n${PVM_VERSION}")
	die("pkg-config reports version '${out}', expected ${PVM_VERSION}")
endif()
run("pkg-config --cflags --libs" out ${PKG_CONFIG} --print-errors --cflags --libs libpvm-sim)
if(NOT out MATCHES "-lpvm-sim" OR NOT out MATCHES "-lpvm( |\n|$)")
	die("pkg-config --libs libpvm-sim does not give -lpvm-sim and -lpvm: ${out}")
endif()
set(pc_build ${WORK_DIR}/pc-consumer)
file(MAKE_DIRECTORY ${pc_build})
run("build consumer (pkg-config)" out
	${MAKE} -C ${CONSUMER_DIR} OUT=${pc_build} PKG_CONFIG=${PKG_CONFIG}
	CC=${C_COMPILER} "CFLAGS=${C_FLAGS}" "LDFLAGS=${EXE_LINKER_FLAGS}")
run("run consumer (pkg-config)" out ${pc_build}/consumer-pc)
if(NOT out MATCHES "install-consumer: OK")
	die("consumer (pkg-config) did not report OK")
endif()

message("install: PASS (prefix ${prefix})")
