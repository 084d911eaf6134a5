# cmake -DKMEM=<kmem> -DHEADER=docs/cmdline.md.in -DDOC=docs/cmdline.md -P check_cmdline_doc.cmake
cmake_minimum_required(VERSION 3.25)
execute_process(COMMAND "${KMEM}" options --markdown
  RESULT_VARIABLE rc OUTPUT_VARIABLE table ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "kmem options --markdown failed (exit ${rc}): ${err}")
endif()
file(READ "${HEADER}" header)
file(READ "${DOC}" doc)
if(NOT doc STREQUAL "${header}${table}")
  message(FATAL_ERROR
    "${DOC} is out of date with the options table (src/core/boot/options.def).\n"
    "Regenerate it with: make docs")
endif()
message(STATUS "docs/cmdline.md matches `kmem options --markdown`")
