# cmake -DBUILD_DIR=... -DWORK_DIR=... -DCONSUMER_DIR=... [-DCONFIG=...]
#       -DGENERATOR=... [-DMAKE_PROGRAM=...] -DC_COMPILER=... -DCXX_COMPILER=...
#       [-DPKG_CONFIG=...] [-DSANITIZE_FLAGS=...] -P check_install.cmake
#
# 1. cmake --install BUILD_DIR --prefix WORK_DIR/prefix
# 2. the expected files are there (library, headers, tool, CMake package, .pc)
# 3. the installed `kmem --help` runs
# 4. configure, build and run the consumer project with CMAKE_PREFIX_PATH
# 5. pkg-config --cflags --libs kmem works with PKG_CONFIG_PATH and its flags
#    compile and link a program
cmake_minimum_required(VERSION 3.25)
foreach(v BUILD_DIR WORK_DIR CONSUMER_DIR GENERATOR C_COMPILER CXX_COMPILER)
  if(NOT DEFINED ${v} OR "${${v}}" STREQUAL "")
    message(FATAL_ERROR "check_install.cmake: -D${v}=... is required")
  endif()
endforeach()

# Runs a command; on failure prints what ran and its output, and fails.
function(run_step what)
  execute_process(COMMAND ${ARGN}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "install check: ${what} failed (exit ${rc})\n  $ ${cmd}\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

set(prefix "${WORK_DIR}/prefix")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# ---- 1. install -----------------------------------------------------------------
set(config_args "")
if(CONFIG)
  set(config_args --config "${CONFIG}")
endif()
run_step("cmake --install" "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}" ${config_args})

# ---- 2. the installed files --------------------------------------------------------
file(GLOB_RECURSE libs "${prefix}/*/libkmem.a")
file(GLOB_RECURSE configs "${prefix}/*/cmake/kmem/kmemConfig.cmake")
file(GLOB_RECURSE pcs "${prefix}/*/pkgconfig/kmem.pc")
set(missing "")
foreach(what libs configs pcs)
  if(NOT ${what})
    string(APPEND missing "  ${what}: nothing installed\n")
  endif()
endforeach()
foreach(f include/kmem/machine.hpp include/kmem/gfp_bits.h bin/kmem)
  if(NOT EXISTS "${prefix}/${f}")
    string(APPEND missing "  ${f}\n")
  endif()
endforeach()
# Everything public lives under include/kmem; the core's headers (kernel.h,
# base/, boot/, ...) must not be installed.
file(GLOB top_level RELATIVE "${prefix}/include" "${prefix}/include/*")
list(REMOVE_ITEM top_level kmem)
if(top_level)
  string(APPEND missing "  include/ holds more than kmem/: ${top_level}\n")
endif()
if(missing)
  message(FATAL_ERROR "install check: the install tree under ${prefix} is wrong:\n${missing}")
endif()
list(GET pcs 0 pc_file)
get_filename_component(pc_dir "${pc_file}" DIRECTORY)

# ---- 3. the installed tool ---------------------------------------------------------
run_step("the installed kmem --help" "${prefix}/bin/kmem" --help)

# ---- 4. a consumer through find_package(kmem) -----------------------------------------
set(consumer_build "${WORK_DIR}/consumer-build")
set(gen_args -G "${GENERATOR}")
if(MAKE_PROGRAM)
  list(APPEND gen_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
run_step("configuring the consumer project"
  "${CMAKE_COMMAND}" -S "${CONSUMER_DIR}" -B "${consumer_build}" ${gen_args}
  "-DCMAKE_PREFIX_PATH=${prefix}"
  "-DCMAKE_C_COMPILER=${C_COMPILER}"
  "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
  "-DCMAKE_BUILD_TYPE=Debug"
  "-DCMAKE_C_FLAGS=${SANITIZE_FLAGS}"
  "-DCMAKE_CXX_FLAGS=${SANITIZE_FLAGS}"
  "-DCMAKE_EXE_LINKER_FLAGS=${SANITIZE_FLAGS}")
message(STATUS "${step_output}")
run_step("building the consumer project" "${CMAKE_COMMAND}" --build "${consumer_build}")
run_step("running the C++ consumer" "${consumer_build}/consumer_cpp")
message(STATUS "${step_output}")
if(EXISTS "${consumer_build}/consumer_c")
  run_step("running the C consumer" "${consumer_build}/consumer_c")
  message(STATUS "${step_output}")
else()
  message(STATUS "no <linux/gfp.h> installed yet: C consumer skipped")
endif()

# ---- 5. pkg-config -------------------------------------------------------------------
if(NOT PKG_CONFIG)
  message(STATUS "pkg-config not found: kmem.pc not checked")
  return()
endif()
set(ENV{PKG_CONFIG_PATH} "${pc_dir}")
run_step("pkg-config --cflags --libs kmem" "${PKG_CONFIG}" --cflags --libs kmem)
string(STRIP "${step_output}" pc_flags)
message(STATUS "pkg-config --cflags --libs kmem: ${pc_flags}")
foreach(want "-lkmem" "/include" "/kmem/compat")
  string(FIND "${pc_flags}" "${want}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "install check: pkg-config flags lack '${want}': ${pc_flags}")
  endif()
endforeach()
separate_arguments(pc_list UNIX_COMMAND "${pc_flags}")
separate_arguments(san_list UNIX_COMMAND "${SANITIZE_FLAGS}")
# Compile with the flags alone: the C program when <linux/gfp.h> is there
# (a C compiler linking a C++ library is what the .pc's -lstdc++ is for),
# else the C++ one.
if(EXISTS "${consumer_build}/consumer_c")
  set(pc_compiler "${C_COMPILER}")
  set(pc_source "${CONSUMER_DIR}/main.c")
else()
  set(pc_compiler "${CXX_COMPILER}")
  set(pc_source "${CONSUMER_DIR}/main.cpp")
endif()
set(pc_exe "${WORK_DIR}/pkgconfig_consumer")
run_step("building with pkg-config's flags"
  "${pc_compiler}" ${san_list} "${pc_source}" -o "${pc_exe}" ${pc_list})
run_step("running the pkg-config-built consumer" "${pc_exe}")
message(STATUS "install check passed (prefix ${prefix})")
