tl_fuzz_target(emu_packet SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_emu_packet.c LIBS tl_emu_core)
