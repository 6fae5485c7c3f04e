/* Host only (POSIX): chip URIs to buses. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../atca/tl_atca_proto.h"
#include "../tl_hal.h"

int tl_hal_parse_i2c(const char *rest, char *dev, size_t devcap, uint8_t *addr,
                     char *err, size_t errcap)
{
    const char *at = strchr(rest, '@');
    size_t n = at ? (size_t)(at - rest) : strlen(rest);
    *addr = TL_ATCA_I2C_ADDR_DEFAULT;
    if (n == 0 || rest[0] != '/') {
        snprintf(err, errcap, "i2c:%s: expected i2c:/dev/i2c-N[@0x60]", rest);
        return -1;
    }
    if (n >= devcap) {
        snprintf(err, errcap, "i2c:%s: device path too long", rest);
        return -1;
    }
    memcpy(dev, rest, n);
    dev[n] = '\0';
    if (at) {
        char *end;
        unsigned long v = strtoul(at + 1, &end, 0);
        if (at[1] == '\0' || *end != '\0' || v < 0x08 || v > 0x77) {
            snprintf(err, errcap, "i2c:%s: bad address '%s' (a 7-bit address 0x08..0x77, "
                     "for example @0x60)", rest, at + 1);
            return -1;
        }
        *addr = (uint8_t)v;
    }
    return 0;
}

static int open_i2c(tl_hal *h, const char *rest, char *err, size_t errcap)
{
    char dev[96];
    uint8_t addr;
    if (tl_hal_parse_i2c(rest, dev, sizeof dev, &addr, err, errcap) != 0)
        return -1;
    if (tl_bus_i2cdev_open(&h->u.i2c, dev, addr, err, errcap) != 0)
        return -1;
    h->kind = 1;
    h->bus = &h->u.i2c.vtable;
    snprintf(h->desc, sizeof h->desc, "i2c:%s@0x%02x", dev, addr);
    return 0;
}

static int open_emu(tl_hal *h, const char *path, char *err, size_t errcap)
{
    if (tl_bus_emu_sock_open(&h->u.sock, path, err, errcap) != 0)
        return -1;
    h->kind = 2;
    h->bus = &h->u.sock.vtable;
    snprintf(h->desc, sizeof h->desc, "emu:%.150s", path);
    return 0;
}

/* 7-bit addresses auto tries on each bus, as aws-iot-setup does: the factory
 * default, then Microchip's pre-provisioned Trust&GO (0x35) and TrustFLEX
 * (0x36) parts. */
static const uint8_t auto_addrs[] = { TL_ATCA_I2C_ADDR_DEFAULT, 0x35, 0x36 };

/* Wake the chip at addr on dev: 0 with the bus left open when 04 11 ..
 * answers, -2 when dev does not exist, else -1. A bus that exists but cannot
 * be opened (no permission, typically) is remembered in why, so that "no
 * chip" says so. */
static int probe(tl_hal *h, const char *dev, uint8_t addr, char *why, size_t whycap)
{
    char e2[160];
    uint8_t r[4];
    if (tl_bus_i2cdev_open(&h->u.i2c, dev, addr, e2, sizeof e2) != 0) {
        if (errno == ENOENT)
            return -2;
        if (!why[0])
            snprintf(why, whycap, "; %s", e2);
        return -1;
    }
    if (h->u.i2c.vtable->wake(&h->u.i2c.vtable, r) == TL_BUS_OK && r[0] == 0x04 &&
        r[1] == 0x11)
        return 0;
    tl_bus_i2cdev_close(&h->u.i2c);
    return -1;
}

/* auto: the emulator named by $TRUSTLINK_CHIP, then the first of
 * /dev/i2c-0..15 x auto_addrs that answers a wake with 04 11 33 43. */
static int open_auto(tl_hal *h, char *err, size_t errcap)
{
    const char *env = getenv("TRUSTLINK_CHIP");
    char why[200] = "";
    int bus;
    size_t i;
    if (env && env[0] && strcmp(env, "auto") != 0)
        return tl_hal_open(h, env, err, errcap);
    for (bus = 0; bus < 16; bus++) {
        char dev[32];
        snprintf(dev, sizeof dev, "/dev/i2c-%d", bus);
        for (i = 0; i < sizeof auto_addrs; i++) {
            int r = probe(h, dev, auto_addrs[i], why, sizeof why);
            if (r == 0) {
                h->kind = 1;
                h->bus = &h->u.i2c.vtable;
                snprintf(h->desc, sizeof h->desc, "i2c:%s@0x%02x", dev, auto_addrs[i]);
                return 0;
            }
            if (r == -2)
                break;   /* no such bus: the other addresses would not open either */
        }
    }
    snprintf(err, errcap, "no chip found (chip.uri is auto: $TRUSTLINK_CHIP is not set and "
             "no /dev/i2c-0..15 answers at 0x60, 0x35 or 0x36%s); use --chip emu:PATH or "
             "i2c:/dev/i2c-N[@0x60]", why);
    return -1;
}

int tl_hal_open(tl_hal *h, const char *uri, char *err, size_t errcap)
{
    memset(h, 0, sizeof *h);
    if (!uri || !uri[0]) {
        snprintf(err, errcap, "no chip URI (use auto, i2c:/dev/i2c-N[@0x60] or emu:PATH)");
        return -1;
    }
    if (strcmp(uri, "auto") == 0)
        return open_auto(h, err, errcap);
    if (strncmp(uri, "i2c:", 4) == 0)
        return open_i2c(h, uri + 4, err, errcap);
    if (strncmp(uri, "emu:", 4) == 0)
        return open_emu(h, uri + 4, err, errcap);
    snprintf(err, errcap, "unknown chip URI '%s' (use auto, i2c:/dev/i2c-N[@0x60] or emu:PATH)",
             uri);
    return -1;
}

void tl_hal_close(tl_hal *h)
{
    if (h->kind == 1)
        tl_bus_i2cdev_close(&h->u.i2c);
    else if (h->kind == 2)
        tl_bus_emu_sock_close(&h->u.sock);
    h->kind = 0;
    h->bus = NULL;
}
