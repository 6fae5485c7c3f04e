/* I2C master bit-banged on two open-drain pins (tl_port.h). */
#include "tl_port.h"

#define SELF(ctx) ((tl_port_i2c_gpio *)(void *)(ctx))

static void half(const tl_port_i2c_gpio *m)
{
    (*m->clock)->delay_us(m->clock, m->half_us);
}

/* Release SCL and wait while a slave stretches the clock. */
static int scl_high(const tl_port_i2c_gpio *m)
{
    uint32_t waited = 0;
    (*m->pins)->scl(m->pins, 1);
    while (!(*m->pins)->scl_read(m->pins)) {
        if (waited >= 1000)
            return TL_PORT_ERR_TIMEOUT;
        (*m->clock)->delay_us(m->clock, 10);
        waited += 10;
    }
    return TL_PORT_OK;
}

static int start(const tl_port_i2c_gpio *m)
{
    (*m->pins)->sda(m->pins, 1);
    if (scl_high(m) != TL_PORT_OK)
        return TL_PORT_ERR_TIMEOUT;
    if (!(*m->pins)->sda_read(m->pins))
        return TL_PORT_ERR_IO;     /* a slave holds SDA: bus stuck */
    half(m);
    (*m->pins)->sda(m->pins, 0);
    half(m);
    (*m->pins)->scl(m->pins, 0);
    return TL_PORT_OK;
}

static void stop(const tl_port_i2c_gpio *m)
{
    (*m->pins)->sda(m->pins, 0);
    half(m);
    scl_high(m);
    half(m);
    (*m->pins)->sda(m->pins, 1);
    half(m);
}

/* One bit out (bit >= 0) or in (bit < 0: SDA released and sampled). */
static int clock_bit(const tl_port_i2c_gpio *m, int bit)
{
    int v;
    (*m->pins)->sda(m->pins, bit != 0);
    half(m);
    if (scl_high(m) != TL_PORT_OK)
        return -1;
    v = (*m->pins)->sda_read(m->pins);
    half(m);
    (*m->pins)->scl(m->pins, 0);
    return v;
}

/* A byte out; TL_PORT_OK if acknowledged. */
static int put_byte(const tl_port_i2c_gpio *m, uint8_t b)
{
    int i, ack;
    for (i = 7; i >= 0; i--)
        if (clock_bit(m, (b >> i) & 1) < 0)
            return TL_PORT_ERR_TIMEOUT;
    ack = clock_bit(m, 1);
    if (ack < 0)
        return TL_PORT_ERR_TIMEOUT;
    return ack ? TL_PORT_ERR_NACK : TL_PORT_OK;
}

static int get_byte(const tl_port_i2c_gpio *m, uint8_t *b, int last)
{
    int i, v = 0;
    for (i = 0; i < 8; i++) {
        int bit = clock_bit(m, 1);
        if (bit < 0)
            return TL_PORT_ERR_TIMEOUT;
        v = v << 1 | bit;
    }
    *b = (uint8_t)v;
    return clock_bit(m, last) < 0 ? TL_PORT_ERR_TIMEOUT : TL_PORT_OK;
}

static int gwrite(const tl_port_i2c_class **ctx, uint8_t addr, const uint8_t *data, size_t len)
{
    const tl_port_i2c_gpio *m = SELF(ctx);
    size_t i;
    int rc = start(m);
    if (rc != TL_PORT_OK)
        return rc;
    rc = put_byte(m, (uint8_t)(addr << 1));
    for (i = 0; rc == TL_PORT_OK && i < len; i++)
        rc = put_byte(m, data[i]);
    stop(m);
    return rc;
}

static int gread(const tl_port_i2c_class **ctx, uint8_t addr, uint8_t *data, size_t len)
{
    const tl_port_i2c_gpio *m = SELF(ctx);
    size_t i;
    int rc = start(m);
    if (rc != TL_PORT_OK)
        return rc;
    rc = put_byte(m, (uint8_t)(addr << 1 | 1));
    for (i = 0; rc == TL_PORT_OK && i < len; i++)
        rc = get_byte(m, &data[i], i + 1 == len);
    stop(m);
    return rc;
}

static int sda_low(const tl_port_i2c_class **ctx, uint32_t us)
{
    const tl_port_i2c_gpio *m = SELF(ctx);
    (*m->pins)->sda(m->pins, 0);
    (*m->clock)->delay_us(m->clock, us);
    (*m->pins)->sda(m->pins, 1);
    return TL_PORT_OK;
}

static const tl_port_i2c_class gpio_class = { gwrite, gread, sda_low };

void tl_port_i2c_gpio_init(tl_port_i2c_gpio *m, const tl_port_pins_class **pins,
                           const tl_port_clock_class **clock, uint32_t half_us)
{
    m->vtable = &gpio_class;
    m->pins = pins;
    m->clock = clock;
    m->half_us = half_us ? half_us : 5;
}
