/* The emulated chip on a port I2C bus (emu_i2c.h). */
#include "emu_i2c.h"

static int ei_write(const tl_port_i2c_class **ctx, uint8_t addr, const uint8_t *d, size_t n)
{
    emu_i2c *m = (emu_i2c *)(void *)ctx;
    if (!m->emu || addr != 0x60)
        return TL_PORT_ERR_NACK;
    return tl_emu_write(m->emu, d, n) == TL_EMU_ACK ? TL_PORT_OK : TL_PORT_ERR_NACK;
}

static int ei_read(const tl_port_i2c_class **ctx, uint8_t addr, uint8_t *d, size_t n)
{
    emu_i2c *m = (emu_i2c *)(void *)ctx;
    if (!m->emu || addr != 0x60)
        return TL_PORT_ERR_NACK;
    return tl_emu_read(m->emu, d, n) == TL_EMU_ACK ? TL_PORT_OK : TL_PORT_ERR_NACK;
}

/* The wake pulse: SDA held low wakes a sleeping chip. */
static int ei_sda_low(const tl_port_i2c_class **ctx, uint32_t us)
{
    emu_i2c *m = (emu_i2c *)(void *)ctx;
    uint8_t r[4];
    (void)us;
    if (m->emu)
        tl_emu_wake(m->emu, r);
    return TL_PORT_OK;
}

static const tl_port_i2c_class emu_i2c_class = { ei_write, ei_read, ei_sda_low };

void emu_i2c_init(emu_i2c *m, tl_emu *emu)
{
    m->vtable = &emu_i2c_class;
    m->emu = emu;
}
