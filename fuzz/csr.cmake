tl_fuzz_target(csr SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_csr.c LIBS tl_cloud)
