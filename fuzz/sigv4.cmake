tl_fuzz_target(sigv4 SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_sigv4.c LIBS tl_sigv4)
