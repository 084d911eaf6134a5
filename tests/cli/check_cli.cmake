# cmake -DKMEM=<kmem> -DARGS=<a|b|c> -DEXPECT_EXIT=<n> [-DEXPECT_STDOUT=<regex>]
#       [-DEXPECT_STDERR=<regex>] -DWORK_DIR=<dir> -P check_cli.cmake
#
# Runs kmem with ARGS split at '|' (an argument {OUT_DIR} becomes a fresh
# scratch directory) and checks its exit status and output. For `run --out` it also
# checks that every proc file was written and is not empty.
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(args "")
set(out_dir "")
string(REPLACE "|" ";" arg_list "${ARGS}")
foreach(a IN LISTS arg_list)
  if(a STREQUAL "{OUT_DIR}")
    set(a "${WORK_DIR}/out")
    set(out_dir "${a}")
  endif()
  list(APPEND args "${a}")
endforeach()

execute_process(COMMAND "${KMEM}" ${args}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REPLACE ";" " " shown "${args}")
set(context "$ kmem ${shown}\n-- exit ${rc}\n-- stdout:\n${out}\n-- stderr:\n${err}")
if(NOT rc STREQUAL "${EXPECT_EXIT}")
  message(FATAL_ERROR "expected exit status ${EXPECT_EXIT}\n${context}")
endif()
if(EXPECT_STDOUT AND NOT out MATCHES "${EXPECT_STDOUT}")
  message(FATAL_ERROR "stdout does not match '${EXPECT_STDOUT}'\n${context}")
endif()
if(EXPECT_STDERR AND NOT err MATCHES "${EXPECT_STDERR}")
  message(FATAL_ERROR "stderr does not match '${EXPECT_STDERR}'\n${context}")
endif()

if(out_dir)
  foreach(f buddyinfo pagetypeinfo zoneinfo meminfo vmstat e820 memblock_memory memblock_reserved)
    set(path "${out_dir}/proc/${f}")
    if(NOT EXISTS "${path}")
      message(FATAL_ERROR "--out did not write ${path}\n${context}")
    endif()
    file(SIZE "${path}" size)
    if(size EQUAL 0)
      message(FATAL_ERROR "--out wrote an empty ${path}\n${context}")
    endif()
  endforeach()
endif()
