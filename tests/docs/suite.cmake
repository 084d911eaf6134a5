# Generated documentation stays in step with the code: docs/cmdline.md must be
# docs/cmdline.md.in followed by `kmem options --markdown` (run `make docs`).
if(NOT TARGET kmem_cli)
  return()
endif()
add_test(NAME docs_cmdline_up_to_date
  COMMAND ${CMAKE_COMMAND}
    -DKMEM=$<TARGET_FILE:kmem_cli>
    -DHEADER=${PROJECT_SOURCE_DIR}/docs/cmdline.md.in
    -DDOC=${PROJECT_SOURCE_DIR}/docs/cmdline.md
    -P ${CMAKE_CURRENT_LIST_DIR}/check_cmdline_doc.cmake)
set_tests_properties(docs_cmdline_up_to_date PROPERTIES LABELS "docs" TIMEOUT 60)
