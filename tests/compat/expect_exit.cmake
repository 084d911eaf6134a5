# Runs PROGRAM (with KMEM_CMDLINE set to CMDLINE when that is given) and
# checks that its exit status matches EXPECT_RC and its stderr EXPECT_STDERR
# (both regular expressions; a signal gives a status such as "Child aborted").
#   cmake -DPROGRAM=... [-DCMDLINE=...] -DEXPECT_RC=^2$ -DEXPECT_STDERR=... -P expect_exit.cmake
if(DEFINED CMDLINE)
  set(ENV{KMEM_CMDLINE} "${CMDLINE}")
else()
  unset(ENV{KMEM_CMDLINE})
endif()
execute_process(COMMAND "${PROGRAM}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
if(NOT "${rc}" MATCHES "${EXPECT_RC}")
  message(FATAL_ERROR "KMEM_CMDLINE='${CMDLINE}': exit status '${rc}', expected ${EXPECT_RC}\nstdout: ${out}\nstderr: ${err}")
endif()
if(NOT err MATCHES "${EXPECT_STDERR}")
  message(FATAL_ERROR "KMEM_CMDLINE='${CMDLINE}': stderr does not match '${EXPECT_STDERR}':\n${err}")
endif()
message(STATUS "KMEM_CMDLINE='${CMDLINE}': exit ${rc}, stderr: ${err}")
