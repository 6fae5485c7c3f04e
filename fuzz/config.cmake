tl_fuzz_target(config SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_config.c LIBS tl_config)
tl_fuzz_target(json SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_json.c LIBS tl_json)
