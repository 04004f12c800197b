# Compiles one must-not-compile case (CMD, arguments separated by |) and checks that it
# fails, that the first error names the problem (EXPECT, a regex), and that
# the whole diagnostic stays short (at most MAX_LINES lines): users of typed
# query libraries complain most about pages of template errors.
string(REPLACE "|" ";" CMD "${CMD}")
execute_process(COMMAND ${CMD} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "the misuse compiled")
endif()
string(REGEX MATCH "[^\n]*error:[^\n]*" first "${err}")
if(NOT first MATCHES "${EXPECT}")
  message(FATAL_ERROR "the first error does not match '${EXPECT}':\n${first}\n\n${err}")
endif()
string(REGEX MATCHALL "\n" lines "${err}")
list(LENGTH lines n)
if(n GREATER MAX_LINES)
  message(FATAL_ERROR "${n} lines of diagnostics (at most ${MAX_LINES} expected):\n${err}")
endif()
message(STATUS "first error: ${first} (${n} lines)")
