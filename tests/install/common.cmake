# What the install tests' scripts share (run.cmake: the consumer;
# minimal_vmm.cmake: samples/minimal-vmm): failing with a message CTest
# matches, running a step, installing this build into a prefix, configuring
# an out-of-tree project that must find that prefix's package, and making
# pkg-config see that prefix alone. The including script sets PVM_TEST (its
# test's name, the messages' prefix) first; the test gets PVM_BINARY_DIR,
# PVM_CONFIG, C_COMPILER, C_FLAGS and EXE_LINKER_FLAGS (tests/install/CMakeLists.txt).
cmake_minimum_required(VERSION 3.25)

set(failures "")
macro(fail msg)
	message("${PVM_TEST}: FAIL: ${msg}")
	list(APPEND failures "${msg}")
endmacro()
function(die msg)
	message(FATAL_ERROR "${PVM_TEST}: FAIL: ${msg}")
endfunction()

# Run a command; die with its output if it fails. Output goes to ${out_var}.
function(run step out_var)
	execute_process(COMMAND ${ARGN}
		RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
	message("---- ${step}: ${ARGN}\n${out}")
	if(NOT rc EQUAL 0)
		die("${step} failed (exit ${rc})")
	endif()
	set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

# `cmake --install` this build into an empty ${prefix}.
function(pvm_install prefix)
	set(cfg_args "")
	if(PVM_CONFIG)
		set(cfg_args --config ${PVM_CONFIG})
	endif()
	file(REMOVE_RECURSE ${prefix})
	run("cmake --install" out ${CMAKE_COMMAND} --install ${PVM_BINARY_DIR} ${cfg_args}
		--prefix ${prefix})
endfunction()

# Configure project ${src} in ${build} against ${prefix} (extra arguments
# follow); die unless find_package(libpvm) took the package installed there.
function(pvm_configure_against_prefix what src build prefix)
	run("configure ${what} (find_package)" out
		${CMAKE_COMMAND} -S ${src} -B ${build}
		-DCMAKE_PREFIX_PATH=${prefix}
		-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
		-DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF
		-DCMAKE_BUILD_TYPE=Debug
		-DCMAKE_C_COMPILER=${C_COMPILER}
		"-DCMAKE_C_FLAGS=${C_FLAGS}"
		"-DCMAKE_EXE_LINKER_FLAGS=${EXE_LINKER_FLAGS}"
		${ARGN})
	file(STRINGS ${build}/CMakeCache.txt found_dir REGEX "^libpvm_DIR:")
	string(REGEX REPLACE "^[^=]*=" "" found_dir "${found_dir}")
	file(REAL_PATH ${prefix} real_prefix)
	file(REAL_PATH "${found_dir}" real_found)
	string(FIND "${real_found}" "${real_prefix}/" at)
	if(NOT at EQUAL 0)
		die("find_package(libpvm) used '${found_dir}', not the package installed in ${prefix}")
	endif()
endfunction()

# From here on pkg-config finds only the .pc files installed in ${prefix}:
# PKG_CONFIG_LIBDIR replaces the system search path.
function(pvm_pkg_config_only prefix libdir)
	set(ENV{PKG_CONFIG_LIBDIR} ${prefix}/${libdir}/pkgconfig)
	set(ENV{PKG_CONFIG_PATH} "")
endfunction()
