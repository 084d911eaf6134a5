# The Linux-compatible C API (included from tests/CMakeLists.txt).
#
#   compat_<name>[_checked] C11 programs using <linux/gfp.h>, <linux/mm.h>, ...
#                           the way a driver does, against kmem_lib and
#                           kmem_lib_checked; each exits non-zero and says
#                           what failed.
#   compat_headers_cxx      every compat header plus kmem/machine.hpp in C++
#   compat_bad_cmdline_*    a KMEM_CMDLINE that does not boot: exit 2 with
#                           "kmem: KMEM_CMDLINE: <reason>"
#   compat_bug              BUG_ON() panics with "kernel BUG at FILE:LINE!"
#   kmem_compat_headers     (build only) each header on its own, as C11 and
#                           as C++20, with -Wall -Wextra -Werror
set(KMEM_COMPAT_DIR ${CMAKE_CURRENT_LIST_DIR})

# C programs need the C++ runtime of the library: link with the C++ driver.
# flavour is "" (kmem_lib) or "_checked" (kmem_lib_checked).
function(kmem_compat_program name flavour)
  set(exe compat_${name}${flavour})
  add_executable(${exe} ${ARGN})
  target_link_libraries(${exe} PRIVATE kmem_lib${flavour})
  target_include_directories(${exe} PRIVATE ${KMEM_COMPAT_DIR})
  target_compile_options(${exe} PRIVATE -Wall -Wextra)
  set_target_properties(${exe} PROPERTIES LINKER_LANGUAGE CXX C_STANDARD 11
    C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
endfunction()

# The driver-style programs run against both library flavours: every
# tests/compat/*.c except the special ones below.
file(GLOB kmem_compat_programs CONFIGURE_DEPENDS RELATIVE ${KMEM_COMPAT_DIR} ${KMEM_COMPAT_DIR}/*.c)
list(REMOVE_ITEM kmem_compat_programs bad_cmdline.c bug.c)
list(TRANSFORM kmem_compat_programs REPLACE "\\.c$" "")
foreach(flavour IN ITEMS "" "_checked")
  foreach(t IN LISTS kmem_compat_programs)
    set(exe compat_${t}${flavour})
    kmem_compat_program(${t} "${flavour}" ${KMEM_COMPAT_DIR}/${t}.c)
    add_test(NAME ${exe} COMMAND ${exe})
    set_tests_properties(${exe} PROPERTIES LABELS compat TIMEOUT 120
      ENVIRONMENT_MODIFICATION "KMEM_CMDLINE=unset:")
  endforeach()
  # Memory above 4 GiB, so that ZONE_NORMAL, ZONE_DMA32 and ZONE_DMA all exist.
  set_tests_properties(compat_zones${flavour} PROPERTIES
    ENVIRONMENT_MODIFICATION "KMEM_CMDLINE=set:mem=6G cpus=4")
endforeach()

kmem_compat_program(headers_cxx "" ${KMEM_COMPAT_DIR}/headers_cxx.cpp)
add_test(NAME compat_headers_cxx COMMAND compat_headers_cxx)
set_tests_properties(compat_headers_cxx PROPERTIES LABELS compat
  ENVIRONMENT_MODIFICATION "KMEM_CMDLINE=unset:")

kmem_compat_program(bad_cmdline "" ${KMEM_COMPAT_DIR}/bad_cmdline.c)
foreach(bad IN ITEMS "mem=banana" "cpus=0" "no_such_option=1")
  string(MAKE_C_IDENTIFIER "${bad}" id)
  add_test(NAME compat_bad_cmdline_${id}
    COMMAND ${CMAKE_COMMAND} -DPROGRAM=$<TARGET_FILE:compat_bad_cmdline> "-DCMDLINE=${bad}"
            "-DEXPECT_RC=^2$" "-DEXPECT_STDERR=^kmem: KMEM_CMDLINE: [^\n]+\n$"
            -P ${KMEM_COMPAT_DIR}/expect_exit.cmake)
  set_tests_properties(compat_bad_cmdline_${id} PROPERTIES LABELS compat)
endforeach()

# BUG_ON() panics: "kernel BUG at .../bug.c:LINE!" and SIGABRT.
kmem_compat_program(bug "" ${KMEM_COMPAT_DIR}/bug.c)
add_test(NAME compat_bug
  COMMAND ${CMAKE_COMMAND} -DPROGRAM=$<TARGET_FILE:compat_bug>
          "-DEXPECT_RC=[Aa]bort|134" "-DEXPECT_STDERR=kernel BUG at [^\n]*bug\\.c:[0-9]+!"
          -P ${KMEM_COMPAT_DIR}/expect_exit.cmake)
set_tests_properties(compat_bug PROPERTIES LABELS compat)

# Each header compiles on its own, in both languages, without warnings.
file(GLOB_RECURSE kmem_compat_headers CONFIGURE_DEPENDS
  RELATIVE ${PROJECT_SOURCE_DIR}/include/kmem/compat ${PROJECT_SOURCE_DIR}/include/kmem/compat/*.h)
list(APPEND kmem_compat_headers ../kmem.h)
set(kmem_compat_header_tus)
foreach(h IN LISTS kmem_compat_headers)
  if(h STREQUAL "../kmem.h")
    set(inc "kmem/kmem.h")
  else()
    set(inc "${h}")
  endif()
  string(MAKE_C_IDENTIFIER "${inc}" id)
  foreach(ext IN ITEMS c cpp)
    set(tu ${CMAKE_CURRENT_BINARY_DIR}/compat_headers/${id}.${ext})
    file(CONFIGURE OUTPUT ${tu} CONTENT "#include <${inc}>\n#include <${inc}> /* guarded */\nint kmem_header_${id}_${ext};\n")
    list(APPEND kmem_compat_header_tus ${tu})
  endforeach()
endforeach()
add_library(kmem_compat_headers OBJECT ${kmem_compat_header_tus})
target_include_directories(kmem_compat_headers PRIVATE
  ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/include/kmem/compat)
target_compile_options(kmem_compat_headers PRIVATE -Wall -Wextra -Wpedantic -Werror)
set_target_properties(kmem_compat_headers PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON
  C_EXTENSIONS OFF CXX_STANDARD 20 CXX_EXTENSIONS OFF)
