tl_fuzz_target(api_iam SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_api_iam.c LIBS tl_api)
