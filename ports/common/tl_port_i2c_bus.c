/* The chip's tl_bus over a port's I2C master (tl_port.h). */
#include "tl_port.h"

static tl_port_i2c_bus *bus_of(const tl_bus_class **ctx)
{
    return (tl_port_i2c_bus *)(void *)ctx;
}

static int map(int rc)
{
    if (rc == TL_PORT_OK)
        return TL_BUS_OK;
    return rc == TL_PORT_ERR_NACK ? TL_BUS_NACK : TL_BUS_IO;
}

static void delay_us(const tl_bus_class **ctx, uint32_t us)
{
    tl_port_i2c_bus *b = bus_of(ctx);
    (*b->clock)->delay_us(b->clock, us);
}

static int wake(const tl_bus_class **ctx, uint8_t resp[4])
{
    tl_port_i2c_bus *b = bus_of(ctx);
    const tl_port_i2c_class *i2c = *b->i2c;
    if (i2c->sda_low) {
        if (i2c->sda_low(b->i2c, 80) != TL_PORT_OK)
            return TL_BUS_IO;
    } else {
        /* Address 0x00 with a zero byte keeps SDA low for 9 bit times, over
         * 60 us at 100 kHz; nobody acknowledges it, so the NACK is expected. */
        static const uint8_t zero = 0;
        int rc = i2c->write(b->i2c, 0x00, &zero, 1);
        if (rc != TL_PORT_OK && rc != TL_PORT_ERR_NACK)
            return TL_BUS_IO;
    }
    delay_us(ctx, TL_ATCA_WAKE_DELAY_US);
    return map(i2c->read(b->i2c, b->addr, resp, 4));
}

static int bwrite(const tl_bus_class **ctx, const uint8_t *data, size_t len)
{
    tl_port_i2c_bus *b = bus_of(ctx);
    return map((*b->i2c)->write(b->i2c, b->addr, data, len));
}

static int bread(const tl_bus_class **ctx, uint8_t *data, size_t len)
{
    tl_port_i2c_bus *b = bus_of(ctx);
    return map((*b->i2c)->read(b->i2c, b->addr, data, len));
}

static const tl_bus_class i2c_bus_class = { wake, bwrite, bread, delay_us };

void tl_port_i2c_bus_init(tl_port_i2c_bus *b, const tl_port_i2c_class **i2c,
                          const tl_port_clock_class **clock, uint8_t addr)
{
    b->vtable = &i2c_bus_class;
    b->i2c = i2c;
    b->clock = clock;
    b->addr = addr;
}
