tl_fuzz_target(policy SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_policy.c LIBS tl_policy)
