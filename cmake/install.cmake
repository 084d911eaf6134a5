# Installation and packaging (included from the top-level CMakeLists.txt).
#
#   cmake --install build --prefix /usr/local
#
# installs
#   lib/libkmem.a                          the hosted library (target kmem_lib)
#   include/kmem/...                       the C++ API and include/kmem/compat/linux/*.h
#   bin/kmem                               the command-line tool
#   lib/cmake/kmem/kmemConfig*.cmake       find_package(kmem) -> kmem::kmem
#   lib/pkgconfig/kmem.pc                  pkg-config --cflags --libs kmem
#
# Linking kmem::kmem (or using kmem.pc's Cflags) puts both include/ and
# include/kmem/compat on the include path, so C code can #include <linux/gfp.h>.
# The core's own headers (src/core) stay private to the build tree.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(KMEM_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/kmem"
    CACHE STRING "Where kmemConfig.cmake is installed, relative to the prefix")

# A consumer of the installed headers needs at least C++17 (machine.hpp).
target_compile_features(kmem_lib INTERFACE cxx_std_17)

install(TARGETS kmem_lib
  EXPORT kmemTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT kmem_development
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT kmem_runtime
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# The whole public tree: include/kmem/*.h*, include/kmem/compat/linux/*.h.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/kmem
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  COMPONENT kmem_development
  FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")

if(TARGET kmem_cli)
  install(TARGETS kmem_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT kmem_runtime)
endif()

# ---- CMake package -------------------------------------------------------------
install(EXPORT kmemTargets
  NAMESPACE kmem::
  FILE kmemTargets.cmake
  DESTINATION ${KMEM_INSTALL_CMAKEDIR}
  COMPONENT kmem_development)
# No export(EXPORT ...) of the build tree: there kmem_lib's interface names the
# core's object library and src/core headers, which are not for consumers. Use
# add_subdirectory() or an install prefix instead.

configure_package_config_file(
  ${CMAKE_CURRENT_LIST_DIR}/kmemConfig.cmake.in
  ${PROJECT_BINARY_DIR}/kmemConfig.cmake
  INSTALL_DESTINATION ${KMEM_INSTALL_CMAKEDIR})
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/kmemConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/kmemConfig.cmake
  ${PROJECT_BINARY_DIR}/kmemConfigVersion.cmake
  DESTINATION ${KMEM_INSTALL_CMAKEDIR}
  COMPONENT kmem_development)

# ---- pkg-config ---------------------------------------------------------------
# The prefix is computed from the .pc file's own place (${pcfiledir}), so that
# `cmake --install --prefix DIR` and relocated trees give correct paths. An
# absolute CMAKE_INSTALL_{LIB,INCLUDE}DIR (-DCMAKE_INSTALL_LIBDIR=/opt/...) is
# written as is.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(KMEM_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(KMEM_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  file(RELATIVE_PATH _kmem_up "/kmem-prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/kmem-prefix")
  string(REGEX REPLACE "/$" "" _kmem_up "${_kmem_up}")
  set(KMEM_PC_PREFIX "\${pcfiledir}/${_kmem_up}")
  set(KMEM_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(KMEM_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(KMEM_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/kmem.pc.in ${PROJECT_BINARY_DIR}/kmem.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/kmem.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
  COMPONENT kmem_development)
