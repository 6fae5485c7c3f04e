tl_fuzz_target(atca_response SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_atca_response.c LIBS tl_atca)
