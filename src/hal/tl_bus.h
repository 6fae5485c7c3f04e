/*
 * tl_bus: how the chip driver reaches the chip (the HAL).
 *
 * A bus is a BearSSL-style class: a const struct of function pointers whose
 * address is the first field of the implementation's context. The driver
 * only ever holds `const tl_bus_class **`. Backends:
 *   i2c:/dev/i2c-N[@0xAA]  Linux i2c-dev, a real chip (src/hal/tl_bus_i2cdev.c)
 *   emu:PATH               the emulator's Unix socket (src/hal/tl_bus_emu.c)
 * and wrappers such as the frame tracer (src/hal/tl_bus_trace.c).
 *
 * The operations mirror what happens on the wire, and the emulator socket
 * protocol in ../shared/DESIGN.md ("K", "W", "R").
 */
#ifndef TL_BUS_H
#define TL_BUS_H

#include <stddef.h>
#include <stdint.h>

/* Return values of bus operations. */
#define TL_BUS_OK     0
#define TL_BUS_NACK  (-1)   /* the chip did not acknowledge (asleep or busy) */
#define TL_BUS_IO    (-2)   /* the bus itself failed (no device, socket closed) */

typedef struct tl_bus_class tl_bus_class;
struct tl_bus_class {
    /*
     * Wake pulse (SDA low >= 60 us, then wait ~1.5 ms), then read the 4-byte
     * wake response into resp. TL_BUS_NACK if nothing answered.
     */
    int (*wake)(const tl_bus_class **ctx, uint8_t resp[4]);

    /* One I2C write: data[0] is the word address, the rest the payload. */
    int (*write)(const tl_bus_class **ctx, const uint8_t *data, size_t len);

    /* One I2C read of exactly len bytes. */
    int (*read)(const tl_bus_class **ctx, uint8_t *data, size_t len);

    /* Wait at least `us` microseconds (polling and wake delays). */
    void (*delay_us)(const tl_bus_class **ctx, uint32_t us);
};

#endif
