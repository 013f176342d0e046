# `cmake --install`: the public headers, the static libraries, a CMake package
# (find_package(libpvm) -> libpvm::pvm, libpvm::sim, libpvm::kvm) and
# pkg-config files, each port's only where it is built.
# Everything installed is relocatable, so `cmake --install --prefix DIR` into
# any directory gives a usable tree (tests/install checks exactly that).
include(CMakePackageConfigHelpers)

set(PVM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/libpvm)
set(PVM_PKGCONFIG_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# Headers: every header under include/libpvm, so a new capability header is
# installed without touching this file.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/libpvm
	DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
	COMPONENT libpvm_Development
	FILES_MATCHING PATTERN "*.h")

# The cryptographic engine (libpvm/crypto.h on mbedtls) that the core's
# attestation is bound to at link time.
set(pvm_install_targets pvm pvm-crypto-mbedtls)
# Each port this build has (PVM_PORT_SIM, PVM_PORT_KVM): its headers, its
# library and, below, its libpvm-<port>.pc.
set(pvm_installed_ports "")
foreach(port sim kvm)
	string(TOUPPER ${port} upper)
	if(NOT PVM_PORT_${upper})
		continue()
	endif()
	install(DIRECTORY ${PROJECT_SOURCE_DIR}/ports/${port}/include/libpvm
		DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
		COMPONENT libpvm_Development
		FILES_MATCHING PATTERN "*.h")
	# Consumers spell it libpvm::sim (libpvm::kvm), as inside the build (the alias).
	set_target_properties(pvm-${port} PROPERTIES EXPORT_NAME ${port})
	list(APPEND pvm_install_targets pvm-${port})
	list(APPEND pvm_installed_ports ${port})
endforeach()

install(TARGETS ${pvm_install_targets}
	EXPORT libpvmTargets
	ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT libpvm_Development
	LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT libpvm_Development)

install(EXPORT libpvmTargets
	NAMESPACE libpvm::
	DESTINATION ${PVM_CMAKE_DIR}
	COMPONENT libpvm_Development)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/libpvmConfig.cmake.in
	${PROJECT_BINARY_DIR}/libpvmConfig.cmake
	INSTALL_DESTINATION ${PVM_CMAKE_DIR})
# 0.x: the API may still change between minor versions, so a request for
# 0.1 must not be satisfied by 0.2.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/libpvmConfigVersion.cmake
	VERSION ${PROJECT_VERSION}
	COMPATIBILITY SameMinorVersion)
install(FILES
	${PROJECT_BINARY_DIR}/libpvmConfig.cmake
	${PROJECT_BINARY_DIR}/libpvmConfigVersion.cmake
	DESTINATION ${PVM_CMAKE_DIR}
	COMPONENT libpvm_Development)

# pkg-config: prefix is found from the .pc file's own location (${pcfiledir},
# understood by pkg-config and pkgconf), so `--prefix` at install time works.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
	set(PVM_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
	set(PVM_PC_LIBDIR "${CMAKE_INSTALL_FULL_LIBDIR}")
	set(PVM_PC_INCLUDEDIR "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
else()
	file(RELATIVE_PATH pvm_pc_up /x/${PVM_PKGCONFIG_DIR} /x)
	string(REGEX REPLACE "/$" "" pvm_pc_up "${pvm_pc_up}")
	set(PVM_PC_PREFIX "\${pcfiledir}/${pvm_pc_up}")
	set(PVM_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
	set(PVM_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()

configure_file(${PROJECT_SOURCE_DIR}/cmake/libpvm.pc.in
	${PROJECT_BINARY_DIR}/libpvm.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/libpvm.pc
	DESTINATION ${PVM_PKGCONFIG_DIR} COMPONENT libpvm_Development)
foreach(port IN LISTS pvm_installed_ports)
	configure_file(${PROJECT_SOURCE_DIR}/cmake/libpvm-${port}.pc.in
		${PROJECT_BINARY_DIR}/libpvm-${port}.pc @ONLY)
	install(FILES ${PROJECT_BINARY_DIR}/libpvm-${port}.pc
		DESTINATION ${PVM_PKGCONFIG_DIR} COMPONENT libpvm_Development)
endforeach()
