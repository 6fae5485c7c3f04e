/*
 * tl_hal: open a chip bus from a URI (host side, POSIX).
 *
 *   emu:PATH               the emulator's Unix socket (posix/tl_bus_emu_sock.c)
 *   i2c:/dev/i2c-N[@0xAA]  Linux i2c-dev, 7-bit address, default 0x60
 *                          (posix/tl_bus_i2cdev.c)
 *   auto                   $TRUSTLINK_CHIP if it names a bus, else
 *                          /dev/i2c-0..15 at 0x60, 0x35 (Trust&GO), 0x36
 *                          (TrustFLEX): the first that wakes
 *
 * The caller owns the tl_hal (no malloc); tl_hal_close() releases the file
 * descriptor. Errors come back as one line of text in err.
 */
#ifndef TL_HAL_H
#define TL_HAL_H

#include <stddef.h>
#include <stdint.h>

#include "tl_bus.h"

/* The Linux i2c-dev backend. */
typedef struct {
    const tl_bus_class *vtable;
    int fd;
    uint8_t addr;          /* 7-bit */
} tl_bus_i2cdev;

/* The emulator socket client. */
typedef struct {
    const tl_bus_class *vtable;
    int fd;
} tl_bus_emu_sock;

/* Open /dev/i2c-N at a 7-bit address; 0 or -1 with err. */
int tl_bus_i2cdev_open(tl_bus_i2cdev *b, const char *dev, uint8_t addr, char *err,
                       size_t errcap);
void tl_bus_i2cdev_close(tl_bus_i2cdev *b);

/* Connect to an emulator socket; 0 or -1 with err. */
int tl_bus_emu_sock_open(tl_bus_emu_sock *b, const char *path, char *err, size_t errcap);
void tl_bus_emu_sock_close(tl_bus_emu_sock *b);

typedef struct {
    union {
        tl_bus_i2cdev i2c;
        tl_bus_emu_sock sock;
    } u;
    int kind;                      /* 0 none, 1 i2c, 2 emu */
    const tl_bus_class **bus;      /* the opened bus, for tl_atca_init */
    char desc[160];                /* what was opened ("emu:/tmp/chip.sock") */
} tl_hal;

/* Parse an i2c URI rest ("/dev/i2c-1@0x60"): device path and address.
 * 0, or -1 with err. */
int tl_hal_parse_i2c(const char *rest, char *dev, size_t devcap, uint8_t *addr,
                     char *err, size_t errcap);

/* Open uri (see above); 0, or -1 with a message in err. */
int tl_hal_open(tl_hal *h, const char *uri, char *err, size_t errcap);

/* Close what tl_hal_open opened (safe on a closed or zeroed tl_hal). */
void tl_hal_close(tl_hal *h);

#endif
