# Smoke tests of the kmem tool's contract: exit statuses and the messages a
# user sees (README "The kmem tool"). Each case is one run of check_cli.cmake.
if(NOT TARGET kmem_cli)
  return()
endif()

# kmem_cli_case(NAME EXIT <status> [STDOUT <regex>] [STDERR <regex>] ARGS ...)
# An argument {OUT_DIR} becomes a fresh scratch directory.
function(kmem_cli_case name)
  cmake_parse_arguments(PARSE_ARGV 1 c "" "EXIT;STDOUT;STDERR" "ARGS")
  # The arguments travel as one '|'-separated string (they may contain spaces).
  string(REPLACE ";" "|" args "${c_ARGS}")
  add_test(NAME cli_${name}
    COMMAND ${CMAKE_COMMAND}
      -DKMEM=$<TARGET_FILE:kmem_cli>
      "-DARGS=${args}"
      -DEXPECT_EXIT=${c_EXIT}
      "-DEXPECT_STDOUT=${c_STDOUT}"
      "-DEXPECT_STDERR=${c_STDERR}"
      -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/cli/${name}
      -P ${CMAKE_CURRENT_LIST_DIR}/check_cli.cmake)
  set_tests_properties(cli_${name} PROPERTIES LABELS "cli" TIMEOUT 120)
endfunction()

kmem_cli_case(help EXIT 0 STDOUT "Subcommands:.*run.*proc.*options" ARGS --help)
kmem_cli_case(no_subcommand EXIT 106 STDERR "A subcommand is required" ARGS)
kmem_cli_case(bad_flag EXIT 109 STDERR "--bogus" ARGS run --bogus)
kmem_cli_case(run_default EXIT 0
  STDOUT "kmem: booted 'mem=1024M cpus=4.*==> /proc/buddyinfo <==.*Node 0, zone +DMA32.*==> /proc/meminfo <==.*MemTotal:"
  ARGS run)
kmem_cli_case(run_bad_cmdline EXIT 2 STDERR "^kmem: cannot boot 'mem=xyz': " ARGS run --cmdline mem=xyz)
kmem_cli_case(run_unknown_option EXIT 2 STDERR "kmem: cannot boot 'bogus=1': .*bogus" ARGS run --cmdline bogus=1)
kmem_cli_case(run_out EXIT 0 STDERR "wrote [0-9]+ files" ARGS run --cmdline "mem=128M cpus=2" --out {OUT_DIR})
kmem_cli_case(proc_buddyinfo EXIT 0 STDOUT "^Node 0, zone +DMA " ARGS proc buddyinfo --cmdline "mem=64M cpus=1")
kmem_cli_case(proc_unknown EXIT 105 STDERR "nope not in" ARGS proc nope)
kmem_cli_case(proc_i386_highmem EXIT 0 STDOUT "zone +HighMem" ARGS proc buddyinfo --cmdline "mem=2G profile=i386")
kmem_cli_case(options_text EXIT 0 STDOUT "mem.*cpus.*profile" ARGS options)
kmem_cli_case(options_markdown EXIT 0 STDOUT "^\\| option \\| default \\| meaning \\|" ARGS options --markdown)
