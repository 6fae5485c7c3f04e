/*
 * The port layer (ports/common and the board's clock) on the QEMU targets
 * (Cortex-M3, lx106): flash rules, randomness from the chip and its
 * fallback, the I2C bus adapter and the bit-banged master against the
 * emulated chip, and the board's clock (SysTick; CCOUNT on the lx106).
 * The flash journal: test_port_journal.c.
 */
#include "../atca/emu_chip.h"

#include "tl_port.h"
#include "tl_qemu_board.h"

/* ---- flash ---- */

static void test_flash_ram_rules(void **state)
{
    static uint8_t mem[4 * 256 + 17];
    tl_port_flash_ram f;
    const tl_port_flash_class **fl = &f.vtable;
    uint8_t buf[8], sector = 0;
    uint32_t ss;
    (void)state;
    tl_port_flash_ram_init(&f, mem, sizeof mem, 256);
    assert_int_equal((*fl)->geometry(fl, &ss), 1024);   /* whole sectors only */
    assert_int_equal(ss, 256);
    assert_int_equal((*fl)->read(fl, 1020, buf, 4), TL_PORT_OK);
    assert_int_equal(buf[0] & buf[1] & buf[2] & buf[3], 0xFF);
    assert_int_equal((*fl)->write(fl, 3, (const uint8_t *)"\x12\x34", 2), TL_PORT_OK);
    /* Clearing more bits is fine, setting one back is not. */
    assert_int_equal((*fl)->write(fl, 3, (const uint8_t *)"\x10", 1), TL_PORT_OK);
    assert_int_equal((*fl)->write(fl, 3, (const uint8_t *)"\x12", 1), TL_PORT_ERR_IO);
    assert_int_equal((*fl)->read(fl, 3, buf, 2), TL_PORT_OK);
    assert_memory_equal(buf, "\x10\x34", 2);
    /* Out of range, including offsets that would wrap. */
    assert_int_equal((*fl)->read(fl, 1021, buf, 4), TL_PORT_ERR_ARG);
    assert_int_equal((*fl)->write(fl, 0xFFFFFFFFu, buf, 2), TL_PORT_ERR_ARG);
    assert_int_equal((*fl)->erase(fl, 1024), TL_PORT_ERR_ARG);
    /* Erase is per sector: another sector keeps its bytes. */
    assert_int_equal((*fl)->write(fl, 300, &sector, 1), TL_PORT_OK);
    assert_int_equal((*fl)->erase(fl, 100), TL_PORT_OK);
    assert_int_equal((*fl)->read(fl, 3, buf, 1), TL_PORT_OK);
    assert_int_equal(buf[0], 0xFF);
    assert_int_equal((*fl)->read(fl, 300, buf, 1), TL_PORT_OK);
    assert_int_equal(buf[0], 0x00);
    assert_int_equal(f.erases, 1);
}

/* ---- randomness ---- */

static int fallback_calls;
static int counting_fallback(void *arg, uint8_t *buf, size_t len)
{
    (void)arg;
    fallback_calls++;
    memset(buf, 0x5A, len);
    return 0;
}

static void test_random_sources(void **state)
{
    uint8_t a[40], b[40];
    int used;
    size_t i;
    chip *c = chip_new(models[0], 7);
    (void)state;
    /* Factory chip: Random gives the fixed pattern, so the fallback answers. */
    fallback_calls = 0;
    assert_int_equal(tl_port_random(&c->dev, counting_fallback, NULL, a, sizeof a, &used),
                     TL_PORT_OK);
    assert_int_equal(used, 2);
    assert_int_equal(fallback_calls, 1);
    /* Without a fallback: an error and no predictable bytes. */
    memset(a, 0x77, sizeof a);
    assert_int_equal(tl_port_random(&c->dev, NULL, NULL, a, sizeof a, &used),
                     TL_PORT_ERR_NO_ENTROPY);
    assert_int_equal(used, 0);
    for (i = 0; i < sizeof a; i++)
        assert_int_equal(a[i], 0);
    /* Locked chip: the chip answers, 40 bytes take two commands, and two
     * calls differ. */
    provision(c);
    fallback_calls = 0;
    assert_int_equal(tl_port_random(&c->dev, counting_fallback, NULL, a, sizeof a, &used),
                     TL_PORT_OK);
    assert_int_equal(used, 1);
    assert_int_equal(tl_port_random(&c->dev, counting_fallback, NULL, b, sizeof b, &used),
                     TL_PORT_OK);
    assert_int_equal(fallback_calls, 0);
    assert_memory_not_equal(a, b, sizeof a);
    assert_memory_not_equal(a + 32, b + 32, 8);
    assert_int_equal(tl_port_random(NULL, NULL, NULL, NULL, 4, &used), TL_PORT_ERR_ARG);
    chip_free(c);
}

/* ---- I2C adapter: a fake I2C master whose only device is the emulator ---- */

typedef struct {
    const tl_port_i2c_class *vtable;
    tl_emu *emu;
    uint8_t chip_addr;
    int wakes;
} emu_i2c;

static int ei_write(const tl_port_i2c_class **ctx, uint8_t addr, const uint8_t *d, size_t n)
{
    emu_i2c *m = (emu_i2c *)(void *)ctx;
    uint8_t resp[4];
    if (addr == 0x00 && n == 1 && d[0] == 0) {   /* the long-low-SDA wake */
        m->wakes++;
        tl_emu_wake(m->emu, resp);
        return TL_PORT_ERR_NACK;
    }
    if (addr != m->chip_addr)
        return TL_PORT_ERR_NACK;
    return tl_emu_write(m->emu, d, n) == TL_EMU_ACK ? TL_PORT_OK : TL_PORT_ERR_NACK;
}

static int ei_read(const tl_port_i2c_class **ctx, uint8_t addr, uint8_t *d, size_t n)
{
    emu_i2c *m = (emu_i2c *)(void *)ctx;
    if (addr != m->chip_addr)
        return TL_PORT_ERR_NACK;
    return tl_emu_read(m->emu, d, n) == TL_EMU_ACK ? TL_PORT_OK : TL_PORT_ERR_NACK;
}

static int ei_sda_low(const tl_port_i2c_class **ctx, uint32_t us)
{
    emu_i2c *m = (emu_i2c *)(void *)ctx;
    uint8_t resp[4];
    assert_true(us >= 60);
    m->wakes++;
    tl_emu_wake(m->emu, resp);
    return TL_PORT_OK;
}

static void test_i2c_bus_adapter(void **state)
{
    static const tl_port_i2c_class with_sda = { ei_write, ei_read, ei_sda_low };
    static const tl_port_i2c_class without_sda = { ei_write, ei_read, NULL };
    const tl_port_i2c_class *classes[2] = { &with_sda, &without_sda };
    int k;
    (void)state;
    for (k = 0; k < 2; k++) {
        emu_i2c m = { classes[k], NULL, 0x60, 0 };
        tl_port_i2c_bus bus;
        tl_atca_device dev;
        uint8_t sn[TL_ATCA_SN_SIZE], want[TL_ATCA_SN_SIZE];
        m.emu = calloc(1, tl_emu_context_size());
        assert_non_null(m.emu);
        tl_emu_init(m.emu, models[1], 11);
        tl_port_i2c_bus_init(&bus, &m.vtable, &TL_QEMU_BOARD_CLOCK, 0x60);
        tl_atca_init(&dev, &bus.vtable);
        assert_int_equal(tl_atca_detect(&dev, NULL), TL_ATCA_OK);
        assert_int_equal(dev.model, models[1]);
        assert_true(m.wakes >= 1);
        assert_int_equal(tl_atca_read_serial(&dev, sn), TL_ATCA_OK);
        tl_emu_serial(m.emu, want);
        assert_memory_equal(sn, want, sizeof sn);
        /* A chip at another address: nobody answers, the driver says so. */
        tl_port_i2c_bus_init(&bus, &m.vtable, &TL_QEMU_BOARD_CLOCK, 0x35);
        tl_atca_init(&dev, &bus.vtable);
        assert_int_not_equal(tl_atca_detect(&dev, NULL), TL_ATCA_OK);
        free(m.emu);
    }
}


/* ---- bit-banged I2C against a pin-level model of the chip's I2C slave ---- */

typedef struct {
    const tl_port_clock_class *vtable;
    uint64_t now_us;                 /* virtual: delays just add */
} vclock;

static uint32_t vc_now(const tl_port_clock_class **ctx)
{
    return (uint32_t)(((vclock *)(void *)ctx)->now_us / 1000u);
}

static void vc_delay(const tl_port_clock_class **ctx, uint32_t us)
{
    ((vclock *)(void *)ctx)->now_us += us;
}

static const tl_port_clock_class vclock_class = { vc_now, vc_delay };

enum { S_IDLE, S_ADDR, S_WRITE, S_READ, S_IGNORE };

/* Two open-drain wires: a line is low if either side pulls it low. */
typedef struct {
    const tl_port_pins_class *vtable;
    vclock *clk;
    tl_emu *emu;
    uint8_t addr;
    int m_scl, m_sda, s_sda, scl, sda;
    int st, idx, is_read, master_nack;
    uint8_t byte, buf[160];
    size_t n;
    uint64_t sda_fell_us;
    int wakes, stretch;
} wire;

static void slave_edge(wire *w, int scl, int sda)
{
    if (scl && w->scl && sda != w->sda) {              /* START or STOP */
        if (!sda) {
            w->st = S_ADDR;
            w->idx = -1;           /* the falling edge after START starts bit 0 */
            w->byte = 0;
            w->n = 0;
            w->sda_fell_us = w->clk->now_us;
        } else {
            if (w->st == S_WRITE && w->n)
                tl_emu_write(w->emu, w->buf, w->n);
            if (w->st == S_ADDR && w->idx == -1 && w->clk->now_us - w->sda_fell_us >= 60) {
                uint8_t r[4];
                w->wakes++;
                tl_emu_wake(w->emu, r);
            }
            w->st = S_IDLE;
        }
        w->s_sda = 1;
    } else if (scl && !w->scl) {                        /* rising: sample */
        if ((w->st == S_ADDR || w->st == S_WRITE) && w->idx >= 0 && w->idx < 8)
            w->byte = (uint8_t)(w->byte << 1 | sda);
        else if (w->st == S_READ && w->idx == 8)
            w->master_nack = sda;
    } else if (!scl && w->scl && w->st != S_IDLE && w->st != S_IGNORE) { /* falling */
        w->idx++;
        if (w->st == S_READ) {
            if (w->idx < 8) {
                w->s_sda = (w->byte >> (7 - w->idx)) & 1;
            } else if (w->idx == 8) {
                w->s_sda = 1;
            } else {
                w->idx = 0;
                if (w->master_nack || tl_emu_read(w->emu, &w->byte, 1) != TL_EMU_ACK)
                    w->st = S_IGNORE;
                else
                    w->s_sda = w->byte >> 7;
            }
        } else if (w->idx == 8) {                       /* our ACK bit */
            int ack = 1;
            if (w->st == S_ADDR) {
                w->is_read = w->byte & 1;
                ack = (w->byte >> 1) == w->addr;
                if (ack && w->is_read)
                    ack = tl_emu_read(w->emu, &w->buf[0], 1) == TL_EMU_ACK;
            } else if (w->n < sizeof w->buf) {
                w->buf[w->n++] = w->byte;
            }
            w->s_sda = ack ? 0 : 1;
            if (!ack)
                w->st = S_IGNORE;
        } else if (w->idx == 9) {
            w->idx = 0;
            w->byte = 0;
            w->s_sda = 1;
            if (w->st == S_ADDR && w->is_read) {
                w->st = S_READ;
                w->byte = w->buf[0];
                w->master_nack = 0;
                w->s_sda = w->byte >> 7;
            } else if (w->st == S_ADDR) {
                w->st = S_WRITE;
            }
        }
    }
    w->scl = scl;
    w->sda = sda;
}

static void wire_update(wire *w)
{
    slave_edge(w, w->m_scl, w->m_sda & w->s_sda);
    /* The slave may have changed its output: settle SDA once more. */
    w->sda = w->m_sda & w->s_sda;
}

static void pin_scl(const tl_port_pins_class **ctx, int level)
{
    wire *w = (wire *)(void *)ctx;
    w->m_scl = level != 0;
    wire_update(w);
}

static void pin_sda(const tl_port_pins_class **ctx, int level)
{
    wire *w = (wire *)(void *)ctx;
    w->m_sda = level != 0;
    wire_update(w);
}

static int pin_scl_read(const tl_port_pins_class **ctx)
{
    wire *w = (wire *)(void *)ctx;
    if (w->stretch > 0) {          /* hold SCL low for a few polls */
        w->stretch--;
        return 0;
    }
    return w->scl;
}

static int pin_sda_read(const tl_port_pins_class **ctx)
{
    return ((wire *)(void *)ctx)->sda;
}

static const tl_port_pins_class wire_class = { pin_scl, pin_sda, pin_scl_read, pin_sda_read };

static void test_i2c_gpio_bitbang(void **state)
{
    vclock clk = { &vclock_class, 0 };
    const tl_port_clock_class **cp = &clk.vtable;
    wire w;
    tl_port_i2c_gpio m;
    tl_port_i2c_bus bus;
    tl_atca_device dev;
    uint8_t sn[TL_ATCA_SN_SIZE], want[TL_ATCA_SN_SIZE], r[32];
    (void)state;
    memset(&w, 0, sizeof w);
    w.vtable = &wire_class;
    w.clk = &clk;
    w.addr = 0x60;
    w.m_scl = w.m_sda = w.s_sda = w.scl = w.sda = 1;
    w.emu = calloc(1, tl_emu_context_size());
    assert_non_null(w.emu);
    tl_emu_init(w.emu, models[0], 3);
    tl_port_i2c_gpio_init(&m, &w.vtable, cp, 5);
    tl_port_i2c_bus_init(&bus, &m.vtable, cp, 0x60);
    tl_atca_init(&dev, &bus.vtable);
    /* Every bit of every command and response goes over the two wires. */
    assert_int_equal(tl_atca_detect(&dev, NULL), TL_ATCA_OK);
    assert_int_equal(dev.model, models[0]);
    assert_true(w.wakes >= 1);
    assert_int_equal(tl_atca_read_serial(&dev, sn), TL_ATCA_OK);
    tl_emu_serial(w.emu, want);
    assert_memory_equal(sn, want, sizeof sn);
    w.stretch = 30;                /* clock stretching within the 1 ms limit */
    assert_int_equal(tl_atca_random(&dev, r), TL_ATCA_OK);
    /* A slave that stretches forever: timeout, not a hang. */
    w.stretch = 1000000;
    assert_int_equal((*m.vtable->write)(&m.vtable, 0x60, r, 1), TL_PORT_ERR_TIMEOUT);
    w.stretch = 0;
    /* Nobody at 0x35: NACK. A stuck SDA: an I/O error. */
    assert_int_equal(m.vtable->write(&m.vtable, 0x35, r, 1), TL_PORT_ERR_NACK);
    assert_int_equal(m.vtable->read(&m.vtable, 0x35, r, 1), TL_PORT_ERR_NACK);
    w.s_sda = 0;
    w.sda = 0;
    assert_int_equal(m.vtable->write(&m.vtable, 0x60, r, 1), TL_PORT_ERR_IO);
    free(w.emu);
}


/* ---- clock ---- */

static void test_board_clock(void **state)
{
    const tl_port_clock_class **clk = &TL_QEMU_BOARD_CLOCK;
    uint32_t t0, t1;
    (void)state;
    t0 = (*clk)->now_ms(clk);
    (*clk)->delay_us(clk, 20000);
    (*clk)->delay_us(clk, 500);
    t1 = (*clk)->now_ms(clk);
    assert_in_range(t1 - t0, 20, 2000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flash_ram_rules),
        cmocka_unit_test(test_random_sources),
        cmocka_unit_test(test_i2c_bus_adapter),
        cmocka_unit_test(test_i2c_gpio_bitbang),
        cmocka_unit_test(test_board_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
