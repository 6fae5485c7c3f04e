tl_fuzz_target(mqtt_codec SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_mqtt_codec.c LIBS tl_mqtt)
