/* A port I2C master (tl_port_i2c_class) with the chip emulator answering at
 * 0x60, for tests that run tl_session on Linux (test_session, session_probe). */
#ifndef TL_TEST_EMU_I2C_H
#define TL_TEST_EMU_I2C_H

#include "../../src/emu/tl_emu.h"
#include "tl_port.h"

typedef struct {
    const tl_port_i2c_class *vtable;
    tl_emu *emu;                      /* NULL: nobody on the bus (every byte NACKed) */
} emu_i2c;

/* Point m at emu (may be NULL). */
void emu_i2c_init(emu_i2c *m, tl_emu *emu);

#endif
