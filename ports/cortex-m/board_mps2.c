/*
 * The connected-session firmware for the MPS2 AN385 board (Cortex-M3): the
 * board's parts of tl_board (tl_session.h) and main(). The chip hangs on an
 * SBCon two-wire interface (two register bits, bit-banged); the image
 * carries its config and certificates in a read-only store; the board has no
 * TCP/IP stack here (an SDK's lwIP or a Wi-Fi module's AT firmware provides
 * tl_port_net_class), so connecting fails with a clear message. `make size`
 * links this image to measure a whole session; under QEMU it starts and
 * reports the first thing missing.
 */
#include <string.h>

#include "tl_port_cortexm.h"
#include "tl_session.h"

#ifndef TL_MPS2_I2C_BASE
#define TL_MPS2_I2C_BASE 0x40022000u   /* an SBCon; use the one the chip is wired to */
#endif
#define SB_CONTROL  (*(volatile uint32_t *)(TL_MPS2_I2C_BASE + 0x0u))   /* read; write sets */
#define SB_CONTROLC (*(volatile uint32_t *)(TL_MPS2_I2C_BASE + 0x4u))   /* write clears */
#define SB_SCL 1u
#define SB_SDA 2u

static void line(uint32_t bit, int level)
{
    if (level)
        SB_CONTROL = bit;
    else
        SB_CONTROLC = bit;
}

static void scl(const tl_port_pins_class **ctx, int level) { (void)ctx; line(SB_SCL, level); }
static void sda(const tl_port_pins_class **ctx, int level) { (void)ctx; line(SB_SDA, level); }
static int scl_read(const tl_port_pins_class **ctx) { (void)ctx; return (SB_CONTROL & SB_SCL) != 0; }
static int sda_read(const tl_port_pins_class **ctx) { (void)ctx; return (SB_CONTROL & SB_SDA) != 0; }
static const tl_port_pins_class sbcon_pins = { scl, sda, scl_read, sda_read };

/* The store: config JSON, CA and device certificate at the offsets of
 * tl_session.h, flashed separately from the firmware at TL_MPS2_STORE_AT
 * (with QEMU: -device loader,file=store.bin,addr=0x300000). */
#ifndef TL_MPS2_STORE_AT
#define TL_MPS2_STORE_AT 0x00300000u
#endif
#define STORE_SIZE 0x3000u
#define store ((const uint8_t *)TL_MPS2_STORE_AT)

static uint32_t st_geometry(const tl_port_flash_class **ctx, uint32_t *sector)
{
    (void)ctx;
    *sector = 0x1000u;
    return STORE_SIZE;
}

static int st_read(const tl_port_flash_class **ctx, uint32_t off, uint8_t *buf, size_t len)
{
    (void)ctx;
    if (off > STORE_SIZE || len > STORE_SIZE - off)
        return TL_PORT_ERR_ARG;
    memcpy(buf, store + off, len);
    return TL_PORT_OK;
}

static int st_write(const tl_port_flash_class **ctx, uint32_t off, const uint8_t *buf, size_t len)
{
    (void)ctx; (void)off; (void)buf; (void)len;
    return TL_PORT_ERR_IO;   /* read-only on this board */
}

static int st_erase(const tl_port_flash_class **ctx, uint32_t off)
{
    (void)ctx; (void)off;
    return TL_PORT_ERR_IO;
}

static const tl_port_flash_class store_class = { st_geometry, st_read, st_write, st_erase };

static int no_net(const tl_port_net_class **ctx, const char *host, uint16_t port,
                  uint32_t timeout_ms, const tl_transport_class ***out)
{
    (void)ctx; (void)host; (void)port; (void)timeout_ms;
    *out = NULL;
    return TL_PORT_ERR_IO;
}

static const tl_port_net_class net_class = { no_net };

int main(void)
{
    static tl_session session;       /* the session's RAM, all of it */
    static tl_port_i2c_gpio i2c;
    static const tl_port_pins_class *pins = &sbcon_pins;
    static const tl_port_flash_class *flash = &store_class;
    static const tl_port_net_class *net = &net_class;
    static tl_board board;
    tl_port_i2c_gpio_init(&i2c, &pins, &tl_port_cortexm_clock, 5);
    board.clock = &tl_port_cortexm_clock;
    board.i2c = &i2c.vtable;
    board.flash = &flash;
    board.journal_flash = NULL;      /* the MPS2's memory is RAM: journal in RAM */
    board.net = &net;
    board.chip_addr = 0x60;
    if (tl_session_start(&session, &board) != 0) {
        tl_port_semihost_write("session: ");
        tl_port_semihost_write(session.why);
        tl_port_semihost_write("\n");
        return 1;
    }
    for (;;)
        tl_session_step(&session, 100);
}
