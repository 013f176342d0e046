# Driven by the `install.minimal_vmm` CTest test (CMakeLists.txt beside this
# file): install, build samples/minimal-vmm against the installation (its own
# CMake project, then pkg-config and the compiler alone), run each binary.
cmake_minimum_required(VERSION 3.25)
set(PVM_TEST install.minimal_vmm)
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)

foreach(tool C_COMPILER PKG_CONFIG)
	if(NOT ${tool} OR ${tool} MATCHES "NOTFOUND$")
		die("${tool} not found (tools/setup.sh installs it)")
	endif()
endforeach()
if(NOT EXISTS ${GUEST})
	die("no guest ${GUEST}: build the project first")
endif()
set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
pvm_install(${prefix})

# Run ${vmm} with the remaining arguments; its exit status, stdout and stderr
# in ${rc_var}, ${out_var} and ${err_var}.
function(run_vmm vmm rc_var out_var err_var)
	execute_process(COMMAND ${vmm} ${ARGN}
		RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
	message("---- ${vmm} ${ARGN}: exit ${rc}\n-- stdout:\n${out}\n-- stderr:\n${err}")
	set(${rc_var} "${rc}" PARENT_SCOPE)
	set(${out_var} "${out}" PARENT_SCOPE)
	set(${err_var} "${err}" PARENT_SCOPE)
endfunction()

# What the sample must do with the hello guest, and with what is no guest.
function(check_vmm how vmm)
	run_vmm(${vmm} rc out err --port sim ${GUEST})
	if(NOT rc EQUAL 0)
		fail("${how}: exit ${rc}, not 0")
	endif()
	# The guest's UART output, byte for byte, on stdout.
	file(READ ${GUEST_UART} want)
	if(NOT out STREQUAL want)
		fail("${how}: the guest's output is not ${GUEST_UART}")
	endif()
	# One exit a line on stderr, nothing else but the teardown's line: the
	# UART's MMIO writes carry those bytes, in order; the guest's stack and
	# .bss are memory faults in its RAM; PSCI SYSTEM_OFF comes last.
	string(REGEX REPLACE "\n$" "" lines "${err}")
	string(REPLACE ";" "\\;" lines "${lines}")
	string(REPLACE "\n" ";" lines "${lines}")
	set(uart "")
	set(faults 0)
	set(last "")
	set(torn "")
	foreach(line IN LISTS lines)
		if(line MATCHES "^exit mmio write=1 ipa=0x9000000 data=0x([0-9a-f]+)$")
			math(EXPR byte "0x${CMAKE_MATCH_1}")
			string(ASCII ${byte} ch)
			string(APPEND uart "${ch}")
		elseif(line MATCHES "^exit mem_fault ipa=0x8[0-9a-f]+000$")
			math(EXPR faults "${faults} + 1")
		elseif(line MATCHES "^minimal-vmm: torn down: the ([0-9]+) pages given are back$")
			set(torn ${CMAKE_MATCH_1})
		elseif(NOT line STREQUAL "exit psci fn=0x84000008 target=0")
			fail("${how}: unexpected line on stderr: '${line}'")
		endif()
		if(line MATCHES "^exit ")
			set(last "${line}")
		endif()
	endforeach()
	if(NOT uart STREQUAL want)
		fail("${how}: the UART's MMIO exits spell '${uart}', not the guest's output")
	endif()
	if(faults LESS 1)
		fail("${how}: no memory fault exit (the guest's stack and .bss come from them)")
	endif()
	if(NOT last STREQUAL "exit psci fn=0x84000008 target=0")
		fail("${how}: the last exit is '${last}', not PSCI SYSTEM_OFF")
	endif()
	# The VM's pages, its vCPU's, at least one loaded and each fault's.
	math(EXPR least "3 + 1 + ${faults}")
	if(torn STREQUAL "" OR torn LESS least)
		fail("${how}: no teardown line, or fewer than ${least} pages back ('${torn}')")
	endif()

	# A file that is no guest: a clean failure, the VM still torn down.
	run_vmm(${vmm} rc out err --port sim ${CMAKE_CURRENT_LIST_FILE})
	if(NOT rc EQUAL 1 OR NOT err MATCHES "not a readable aarch64 ELF file"
	   OR NOT err MATCHES "minimal-vmm: torn down: the [0-9]+ pages given are back\n$")
		fail("${how}: a file that is no ELF: exit ${rc}, not 1 with the error and teardown")
	endif()
	# The other port: not in this binary (a port is bound at link time).
	run_vmm(${vmm} rc out err --port kvm ${GUEST})
	if(NOT rc EQUAL 2 OR NOT err MATCHES "usage: minimal-vmm --port sim ")
		fail("${how}: --port kvm in a sim build: exit ${rc}, not 2 with the usage")
	endif()
	set(failures "${failures}" PARENT_SCOPE)
endfunction()

# 1. Its own CMake project, find_package(libpvm): one port installed, so
#    one binary, minimal-vmm. -Werror where this build has it.
set(build ${WORK_DIR}/cmake)
pvm_configure_against_prefix(minimal-vmm ${VMM_DIR} ${build} ${prefix}
	"-DCMAKE_C_FLAGS=${C_FLAGS} ${WERROR}")
run("build minimal-vmm (find_package)" out ${CMAKE_COMMAND} --build ${build})
check_vmm("find_package" ${build}/minimal-vmm)

# 2. pkg-config and the compiler, as the sample's CMakeLists.txt shows.
pvm_pkg_config_only(${prefix} ${LIBDIR})
run("pkg-config --cflags --libs libpvm-sim" pc ${PKG_CONFIG} --print-errors --cflags --libs
	libpvm-sim)
separate_arguments(pc UNIX_COMMAND "${pc}")
separate_arguments(flags UNIX_COMMAND "${C_FLAGS} ${WERROR} ${EXE_LINKER_FLAGS}")
run("build minimal-vmm (pkg-config)" out ${C_COMPILER} ${flags} -Wall -Wextra
	-o ${WORK_DIR}/minimal-vmm-pc ${VMM_DIR}/minimal_vmm.c ${pc})
check_vmm("pkg-config" ${WORK_DIR}/minimal-vmm-pc)

if(failures)
	die("${failures}")
endif()
message("${PVM_TEST}: PASS (prefix ${prefix})")
