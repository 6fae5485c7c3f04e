/*
 * tl_port: everything platform-specific that the device core needs, as
 * small classes (a const struct of function pointers whose address is the
 * first field of the implementation's context, like tl_bus_class and
 * BearSSL's classes). The device core (src/atca, src/mqtt, src/tls,
 * src/config, src/json) includes no platform header; an MCU firmware fills
 * these in from its SDK and hands them to the core. ports/README.md says how,
 * for each SDK.
 *
 *   tl_port_clock_class  monotonic milliseconds and delays
 *   tl_port_i2c_class    an I2C master; tl_port_i2c_bus turns it into the
 *                        tl_bus the chip driver talks through
 *   tl_port_flash_class  erase-before-write storage (the QoS 1 journal through
 *                        tl_port_journal_flash, the config and certificates)
 *   tl_port_net_class    TCP connect, giving the tl_transport that TLS runs on
 *   tl_port_random()     randomness from the chip's Random command, with the
 *                        MCU's own generator as the documented fallback
 *
 * Return convention: 0 on success, a negative TL_PORT_ERR_* otherwise.
 * Implementations here: ports/cortex-m (MPS2 AN385 under QEMU), ports/
 * xtensa-lx106 (ESP8266 registers, no SDK needed), ports/common (what is
 * generic: the I2C bus adapter, randomness, a RAM flash for tests).
 */
#ifndef TL_PORT_H
#define TL_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "../../src/atca/tl_atca.h"
#include "../../src/hal/tl_bus.h"
#include "../../src/mqtt/tl_mqtt_journal.h"
#include "../../src/tls/tl_transport.h"

#define TL_PORT_OK              0
#define TL_PORT_ERR_ARG        (-1)   /* NULL pointer, range outside the device */
#define TL_PORT_ERR_IO         (-2)   /* the peripheral failed */
#define TL_PORT_ERR_NACK       (-3)   /* I2C: no acknowledge */
#define TL_PORT_ERR_NO_ENTROPY (-4)   /* neither the chip nor the MCU gave randomness */
#define TL_PORT_ERR_TIMEOUT    (-5)

/* ---- clock ---- */

typedef struct tl_port_clock_class tl_port_clock_class;
struct tl_port_clock_class {
    /* Milliseconds since some start, monotonic, wrapping at 2^32 (compare
     * with unsigned subtraction, as the MQTT client does). */
    uint32_t (*now_ms)(const tl_port_clock_class **ctx);
    /* Busy-wait or sleep at least us microseconds. */
    void (*delay_us)(const tl_port_clock_class **ctx, uint32_t us);
};

/* ---- I2C master ---- */

typedef struct tl_port_i2c_class tl_port_i2c_class;
struct tl_port_i2c_class {
    /* START, address (7-bit) + W, len bytes, STOP. TL_PORT_ERR_NACK if the
     * address or a byte is not acknowledged. */
    int (*write)(const tl_port_i2c_class **ctx, uint8_t addr, const uint8_t *data,
                 size_t len);
    /* START, address + R, len bytes (ACK all but the last), STOP. */
    int (*read)(const tl_port_i2c_class **ctx, uint8_t addr, uint8_t *data, size_t len);
    /* Hold SDA low for at least us microseconds (the chip's wake pulse).
     * A master that cannot drive SDA directly may instead write one 0x00
     * byte to address 0x00 at 100 kHz or slower, which holds SDA low for
     * long enough; the adapter does that when this pointer is NULL. */
    int (*sda_low)(const tl_port_i2c_class **ctx, uint32_t us);
};

/*
 * An I2C master bit-banged on two open-drain pins (the ESP8266 has no I2C
 * hardware; the MPS2 board's SBCon is two register bits). The pins class
 * drives a line low (level 0) or releases it (level 1, the pull-up raises
 * it) and reads it back. Standard mode timing (~100 kHz, the chip's wake
 * pulse needs slow bits anyway), with clock stretching up to 1 ms.
 */
typedef struct tl_port_pins_class tl_port_pins_class;
struct tl_port_pins_class {
    void (*scl)(const tl_port_pins_class **ctx, int level);
    void (*sda)(const tl_port_pins_class **ctx, int level);
    int (*scl_read)(const tl_port_pins_class **ctx);
    int (*sda_read)(const tl_port_pins_class **ctx);
};

typedef struct {
    const tl_port_i2c_class *vtable;
    const tl_port_pins_class **pins;
    const tl_port_clock_class **clock;
    uint32_t half_us;                /* half a bit: 5 for 100 kHz */
} tl_port_i2c_gpio;

void tl_port_i2c_gpio_init(tl_port_i2c_gpio *m, const tl_port_pins_class **pins,
                           const tl_port_clock_class **clock, uint32_t half_us);

/* The chip's bus over an I2C master: a tl_bus_class context. */
typedef struct {
    const tl_bus_class *vtable;
    const tl_port_i2c_class **i2c;
    const tl_port_clock_class **clock;
    uint8_t addr;                    /* 7-bit, 0x60 by default */
} tl_port_i2c_bus;

/* Set up b; pass &b->vtable to tl_atca_init(). addr is the 7-bit address. */
void tl_port_i2c_bus_init(tl_port_i2c_bus *b, const tl_port_i2c_class **i2c,
                          const tl_port_clock_class **clock, uint8_t addr);

/* ---- flash ---- */

typedef struct tl_port_flash_class tl_port_flash_class;
struct tl_port_flash_class {
    /* Erase unit and total size of the region given to trustlink, in bytes;
     * offsets below are relative to its start. */
    uint32_t (*geometry)(const tl_port_flash_class **ctx, uint32_t *sector_size);
    int (*read)(const tl_port_flash_class **ctx, uint32_t off, uint8_t *buf, size_t len);
    /* Program bytes that are erased (flash can only clear bits); any
     * alignment and length: the port deals with the part's write unit. A
     * write is complete (durable) when this returns 0. */
    int (*write)(const tl_port_flash_class **ctx, uint32_t off, const uint8_t *buf,
                 size_t len);
    /* Erase the sector that holds off (to 0xFF). */
    int (*erase)(const tl_port_flash_class **ctx, uint32_t off);
};

/* Flash in RAM (erase-before-write enforced: writing a 0 bit to 1 fails),
 * for tests and for boards without flash to spare. */
typedef struct {
    const tl_port_flash_class *vtable;
    uint8_t *mem;
    uint32_t size, sector_size;
    uint32_t writes, erases;         /* counters, for wear tests */
} tl_port_flash_ram;

void tl_port_flash_ram_init(tl_port_flash_ram *f, uint8_t *mem, uint32_t size,
                            uint32_t sector_size);

/*
 * The QoS 1 journal's store in flash (a tl_mqtt_journal_store_class), so
 * queued messages survive a power cut. The region is split in two halves of
 * whole sectors; one is active. Appends program the active half after the
 * last record (records say their own length, so the end is found again after
 * a reset, even when a record ends in 0xFF bytes; a torn append is skipped).
 * Compaction erases the other half, writes the new image into it, and only
 * then writes that half's header with the next generation number: a power
 * cut at any point leaves the old image or the new one. The header is
 * "TLJF", generation, ~generation; the valid header with the higher
 * generation wins at open. Needs at least two sectors.
 */
typedef struct {
    const tl_mqtt_journal_store_class *vtable;
    const tl_port_flash_class **flash;
    uint32_t half;              /* bytes per half */
    uint32_t active;            /* 0 or 1 */
    uint32_t gen;               /* generation of the active half */
    uint32_t size;              /* journal bytes in the active half */
    uint32_t new_size;          /* compaction image written so far */
} tl_port_journal_flash;

/* Open the store on flash: blank flash becomes an empty journal. */
int tl_port_journal_flash_open(tl_port_journal_flash *j, const tl_port_flash_class **flash);

/* Journal bytes one half holds: the max_bytes to give tl_mqtt_journal_open(). */
uint32_t tl_port_journal_flash_capacity(const tl_port_journal_flash *j);

/* ---- network ---- */

typedef struct tl_port_net_class tl_port_net_class;
struct tl_port_net_class {
    /* Connect to host:port within timeout_ms (resolving the name if the
     * stack can). On success *out is the connection's transport (owned by
     * the port's context, closed with its close()); TLS then runs on it. */
    int (*connect)(const tl_port_net_class **ctx, const char *host, uint16_t port,
                   uint32_t timeout_ms, const tl_transport_class ***out);
};

/* ---- randomness ---- */

/* The MCU's own generator, the fallback; NULL if the MCU has none. */
typedef int (*tl_port_entropy_fn)(void *arg, uint8_t *buf, size_t len);

/*
 * Fill out[0..len) with randomness, for BearSSL's engine
 * (br_ssl_engine_inject_entropy, 32 bytes are enough) and for nonces.
 * Source: the chip's Random command (its DRBG, seeded from its own noise
 * source). Before the chip's config zone is locked the chip answers a fixed
 * FF FF 00 00 pattern; that, or a chip that does not answer, makes this use
 * `fallback` instead (the ESP8266 has a hardware generator; the MPS2 board
 * has none). With neither: TL_PORT_ERR_NO_ENTROPY, never predictable bytes.
 * dev or fallback may be NULL. *used (if not NULL) says which source
 * answered: 1 chip, 2 fallback.
 */
int tl_port_random(tl_atca_device *dev, tl_port_entropy_fn fallback, void *arg,
                   uint8_t *out, size_t len, int *used);

#endif
