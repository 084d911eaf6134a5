# Freestanding link check (STYLE.md: "a CI link check fails if it pulls in
# malloc or operator new"). The object files of both core flavours must not
# reference the libc heap, operator new/delete, the exception runtime or
# iostreams. The object lists are written at generate time, so the check sees
# exactly what goes into libkmem.a.
foreach(core IN ITEMS kmem_core kmem_core_checked)
  if(NOT TARGET ${core})
    continue()
  endif()
  set(list_file ${CMAKE_CURRENT_BINARY_DIR}/link/${core}.objects)
  file(GENERATE OUTPUT ${list_file} CONTENT "$<JOIN:$<TARGET_OBJECTS:${core}>,\n>\n")
  add_test(NAME link_freestanding_${core}
    COMMAND ${CMAKE_COMMAND}
      -DNM=${CMAKE_NM}
      -DOBJECT_LIST=${list_file}
      -P ${CMAKE_CURRENT_LIST_DIR}/check_freestanding.cmake)
  set_tests_properties(link_freestanding_${core} PROPERTIES LABELS "link" TIMEOUT 120)
endforeach()
