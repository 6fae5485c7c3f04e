tl_fuzz_target(mqtt_journal SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_mqtt_journal.c LIBS tl_mqtt)
