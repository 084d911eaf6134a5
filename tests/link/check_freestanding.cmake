# cmake -DNM=nm -DOBJECT_LIST=file -P check_freestanding.cmake
#
# Fails if any object file listed in OBJECT_LIST (one path a line) has an
# undefined reference to a forbidden symbol. Prints every offender as
#   <object>: <mangled symbol>
# so the message says which source file to fix.
cmake_minimum_required(VERSION 3.25)
if(NOT NM OR NOT OBJECT_LIST)
  message(FATAL_ERROR "usage: cmake -DNM=<nm> -DOBJECT_LIST=<file> -P ${CMAKE_CURRENT_LIST_FILE}")
endif()

# Anchored regular expressions over mangled names.
set(forbidden
  # the libc heap
  "^(malloc|calloc|realloc|reallocarray|free|aligned_alloc|posix_memalign|memalign|valloc|pvalloc|strdup|strndup)$"
  # operator new / new[] / delete / delete[], every overload (_Znwm, _ZnamRKSt9nothrow_t, _ZdlPvm, ...)
  "^_Z(nw|na|dl|da)"
  # the exception runtime
  "^__cxa_(allocate_exception|free_exception|throw|rethrow|begin_catch|end_catch|call_unexpected)$"
  "^__gxx_personality_v0$"
  "^_Unwind_Resume$"
  # the standard library throwing for us (std::vector, std::string, ...)
  "^_ZSt[0-9]+__throw_"
  # RTTI-based casts
  "^__dynamic_cast$"
  # iostreams: std::cout, std::cerr, std::clog and their initialiser
  "^_ZSt4(cout|cerr|clog)$"
  "^_ZNSt8ios_base4Init"
)

file(STRINGS "${OBJECT_LIST}" objects)
list(FILTER objects EXCLUDE REGEX "^[ \t]*$")
list(LENGTH objects n)
if(n EQUAL 0)
  message(FATAL_ERROR "no object files listed in ${OBJECT_LIST}")
endif()

set(bad "")
foreach(obj IN LISTS objects)
  if(NOT EXISTS "${obj}")
    message(FATAL_ERROR "${obj} does not exist (build the project before running the tests)")
  endif()
  execute_process(COMMAND "${NM}" -u "${obj}"
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${NM} -u ${obj} failed: ${err}")
  endif()
  string(REPLACE "\n" ";" lines "${out}")
  foreach(line IN LISTS lines)
    # "                 U malloc" -> "malloc"
    string(REGEX REPLACE "^[ \t]*[Uw][ \t]+" "" sym "${line}")
    string(STRIP "${sym}" sym)
    if(sym STREQUAL "")
      continue()
    endif()
    foreach(re IN LISTS forbidden)
      if(sym MATCHES "${re}")
        get_filename_component(name "${obj}" NAME)
        string(APPEND bad "  ${name}: ${sym}\n")
        break()
      endif()
    endforeach()
  endforeach()
endforeach()

if(bad)
  message(FATAL_ERROR
    "The freestanding core references forbidden symbols (heap, new/delete, exceptions, iostreams):\n"
    "${bad}"
    "Core code must not use the libc heap, operator new, exceptions or iostreams (DESIGN.md).")
endif()
message(STATUS "${n} object files checked: no heap, new/delete, exceptions or iostreams")
