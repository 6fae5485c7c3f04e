tl_fuzz_target(shadow_svc SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_shadow_svc.c LIBS tl_shadow_svc)
