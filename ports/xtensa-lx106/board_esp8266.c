/*
 * The ESP8266 (xtensa-lx106) port without an SDK: the clock from the CCOUNT
 * register, randomness from the hardware generator, the chip on two GPIOs
 * bit-banged as open-drain I2C, the store in SPI flash through the boot
 * ROM's SPIRead/SPIWrite/SPIEraseSector, and main() running tl_session.
 * Networking is the SDK's (lwIP / espconn): this file has no TCP/IP stack,
 * so connecting fails with a clear message until a tl_port_net_class is
 * plugged in (ports/README.md). `make size` links it to measure a session.
 */
#include <string.h>

#include "tl_session.h"

#ifndef TL_ESP_CPU_MHZ
#define TL_ESP_CPU_MHZ 80u
#endif
#ifndef TL_ESP_SDA
#define TL_ESP_SDA 4          /* NodeMCU D2 */
#endif
#ifndef TL_ESP_SCL
#define TL_ESP_SCL 5          /* NodeMCU D1 */
#endif
#ifndef TL_ESP_STORE_AT
#define TL_ESP_STORE_AT 0x7C000u   /* config + certificates: 3 sectors below the SDK's data */
#endif
#ifndef TL_ESP_JOURNAL_AT
#define TL_ESP_JOURNAL_AT 0x78000u /* QoS 1 journal: 4 sectors (two halves of 8 KB) */
#endif

/* ESP8266 peripheral registers (ESP8266 Technical Reference, GPIO chapter). */
#define REG(a) (*(volatile uint32_t *)(a))
#define GPIO_OUT_W1TC    REG(0x60000308u)
#define GPIO_ENABLE_W1TS REG(0x60000310u)
#define GPIO_ENABLE_W1TC REG(0x60000314u)
#define GPIO_IN          REG(0x60000318u)
#define HW_RANDOM        REG(0x3FF20E44u)

/* Boot ROM functions (addresses from the ROM linker script, esp8266-rom.ld). */
extern int SPIRead(uint32_t addr, void *dst, uint32_t size);
extern int SPIWrite(uint32_t addr, const void *src, uint32_t size);
extern int SPIEraseSector(uint32_t sector);

/* ---- clock: CCOUNT wraps every 53 s at 80 MHz, so extend it ---- */

typedef struct {
    const tl_port_clock_class *vtable;
    uint32_t last, ms, rest;
} esp_clock;

static uint32_t ccount(void)
{
    uint32_t c;
    __asm__ volatile("rsr %0, ccount" : "=a"(c));
    return c;
}

static uint32_t clk_now(const tl_port_clock_class **ctx)
{
    esp_clock *c = (esp_clock *)(void *)ctx;
    uint32_t now = ccount();
    c->rest += now - c->last;          /* call at least every 53 s */
    c->last = now;
    c->ms += c->rest / (TL_ESP_CPU_MHZ * 1000u);
    c->rest %= TL_ESP_CPU_MHZ * 1000u;
    return c->ms;
}

static void clk_delay(const tl_port_clock_class **ctx, uint32_t us)
{
    uint32_t start = ccount();
    (void)ctx;
    while (us > 50000u) {              /* stay far from the wrap */
        clk_delay(ctx, 50000u);
        us -= 50000u;
    }
    while (ccount() - start < us * TL_ESP_CPU_MHZ)
        ;
}

static const tl_port_clock_class clock_class = { clk_now, clk_delay };

/* ---- open-drain pins: drive low = output enabled with 0, release = input ---- */

static void pin(int gpio, int level)
{
    if (level) {
        GPIO_ENABLE_W1TC = 1u << gpio;   /* the pull-up raises the line */
    } else {
        GPIO_OUT_W1TC = 1u << gpio;
        GPIO_ENABLE_W1TS = 1u << gpio;
    }
}

static void scl(const tl_port_pins_class **ctx, int level) { (void)ctx; pin(TL_ESP_SCL, level); }
static void sda(const tl_port_pins_class **ctx, int level) { (void)ctx; pin(TL_ESP_SDA, level); }
static int scl_read(const tl_port_pins_class **ctx) { (void)ctx; return (GPIO_IN >> TL_ESP_SCL) & 1; }
static int sda_read(const tl_port_pins_class **ctx) { (void)ctx; return (GPIO_IN >> TL_ESP_SDA) & 1; }
static const tl_port_pins_class pins_class = { scl, sda, scl_read, sda_read };

/* ---- SPI flash regions: the ROM wants 4-byte aligned addresses and sizes ---- */

typedef struct {
    const tl_port_flash_class *vtable;
    uint32_t at, size;                 /* region in SPI flash */
} esp_flash;

#define REGION(ctx) ((const esp_flash *)(const void *)(ctx))

static uint32_t fl_geometry(const tl_port_flash_class **ctx, uint32_t *sector)
{
    *sector = 0x1000u;
    return REGION(ctx)->size;
}

static int fl_read(const tl_port_flash_class **ctx, uint32_t off, uint8_t *buf, size_t len)
{
    const esp_flash *r = REGION(ctx);
    uint32_t word;
    if (off > r->size || len > r->size - off)
        return TL_PORT_ERR_ARG;
    while (len) {
        uint32_t skip = off & 3u, n = 4u - skip < len ? 4u - skip : (uint32_t)len;
        if (SPIRead(r->at + off - skip, &word, 4) != 0)
            return TL_PORT_ERR_IO;
        memcpy(buf, (uint8_t *)&word + skip, n);
        buf += n;
        off += n;
        len -= n;
    }
    return TL_PORT_OK;
}

static int fl_write(const tl_port_flash_class **ctx, uint32_t off, const uint8_t *buf,
                    size_t len)
{
    const esp_flash *r = REGION(ctx);
    uint32_t word;
    if (off > r->size || len > r->size - off)
        return TL_PORT_ERR_ARG;
    while (len) {
        uint32_t skip = off & 3u, n = 4u - skip < len ? 4u - skip : (uint32_t)len;
        word = 0xFFFFFFFFu;            /* 1 bits leave the flash as it is */
        memcpy((uint8_t *)&word + skip, buf, n);
        if (SPIWrite(r->at + off - skip, &word, 4) != 0)
            return TL_PORT_ERR_IO;
        buf += n;
        off += n;
        len -= n;
    }
    return TL_PORT_OK;
}

static int fl_erase(const tl_port_flash_class **ctx, uint32_t off)
{
    const esp_flash *r = REGION(ctx);
    if (off >= r->size)
        return TL_PORT_ERR_ARG;
    return SPIEraseSector((r->at + off) / 0x1000u) == 0 ? TL_PORT_OK : TL_PORT_ERR_IO;
}

static const tl_port_flash_class flash_class = { fl_geometry, fl_read, fl_write, fl_erase };

/* ---- randomness: the fallback when the chip is not locked yet ---- */

static int hw_random(void *arg, uint8_t *buf, size_t len)
{
    (void)arg;
    while (len) {
        uint32_t r = HW_RANDOM;
        size_t n = len < 4 ? len : 4;
        memcpy(buf, &r, n);
        buf += n;
        len -= n;
    }
    return 0;
}

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
    static esp_clock clock = { &clock_class, 0, 0, 0 };
    static tl_port_i2c_gpio i2c;
    static const tl_port_pins_class *pins = &pins_class;
    static esp_flash store = { &flash_class, TL_ESP_STORE_AT, 0x3000u };
    static esp_flash journal = { &flash_class, TL_ESP_JOURNAL_AT, 0x4000u };
    static const tl_port_net_class *net = &net_class;
    static tl_board board;
    tl_port_i2c_gpio_init(&i2c, &pins, &clock.vtable, 5);
    board.clock = &clock.vtable;
    board.i2c = &i2c.vtable;
    board.flash = &store.vtable;
    board.journal_flash = &journal.vtable;
    board.net = &net;
    board.entropy = hw_random;
    board.chip_addr = 0x60;
    if (tl_session_start(&session, &board) != 0)
        return 1;
    for (;;)
        tl_session_step(&session, 100);
}
