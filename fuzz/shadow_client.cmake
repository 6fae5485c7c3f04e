tl_fuzz_target(shadow_client SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_shadow_client.c LIBS tl_shadow)
