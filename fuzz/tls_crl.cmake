tl_fuzz_target(tls_crl SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_tls_crl.c LIBS tl_tls)
target_compile_definitions(fuzz_tls_crl PRIVATE
  TL_CRL_DIR="${PROJECT_SOURCE_DIR}/tests/tls/crl")
