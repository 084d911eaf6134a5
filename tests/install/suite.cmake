# Install check: `cmake --install` this build tree into a scratch prefix, then
# build and run a separate consumer project against it (find_package(kmem) and,
# when the compat headers exist, a C program using <linux/gfp.h>), and check
# kmem.pc with pkg-config. See check_install.cmake.
if(NOT TARGET kmem_lib)
  return()
endif()
find_program(KMEM_PKG_CONFIG NAMES pkg-config pkgconf)
set(sanitize_flags "")
if(KMEM_SANITIZE)
  set(sanitize_flags "-fsanitize=${KMEM_SANITIZE} -fno-omit-frame-pointer")
endif()
add_test(NAME install_consumer
  COMMAND ${CMAKE_COMMAND}
    -DBUILD_DIR=${PROJECT_BINARY_DIR}
    -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/install-check
    -DCONSUMER_DIR=${CMAKE_CURRENT_LIST_DIR}/consumer
    -DCONFIG=$<CONFIG>
    -DGENERATOR=${CMAKE_GENERATOR}
    -DMAKE_PROGRAM=${CMAKE_MAKE_PROGRAM}
    -DC_COMPILER=${CMAKE_C_COMPILER}
    -DCXX_COMPILER=${CMAKE_CXX_COMPILER}
    -DPKG_CONFIG=${KMEM_PKG_CONFIG}
    "-DSANITIZE_FLAGS=${sanitize_flags}"
    -P ${CMAKE_CURRENT_LIST_DIR}/check_install.cmake)
set_tests_properties(install_consumer PROPERTIES LABELS "install" TIMEOUT 300)
