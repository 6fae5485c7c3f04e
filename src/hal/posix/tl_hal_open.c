/* Host only (POSIX): chip URIs to buses. */
#define _POSIX_C_SOURCE 200809L
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

/* auto: the emulator named by $TRUSTLINK_CHIP, then the first i2c bus whose
 * address 0x60 answers a wake with 04 11 33 43. */
static int open_auto(tl_hal *h, char *err, size_t errcap)
{
    const char *env = getenv("TRUSTLINK_CHIP");
    int i;
    if (env && env[0] && strcmp(env, "auto") != 0)
        return tl_hal_open(h, env, err, errcap);
    for (i = 0; i < 10; i++) {
        char dev[32], e2[128];
        uint8_t r[4];
        snprintf(dev, sizeof dev, "/dev/i2c-%d", i);
        if (tl_bus_i2cdev_open(&h->u.i2c, dev, TL_ATCA_I2C_ADDR_DEFAULT, e2, sizeof e2) != 0)
            continue;
        if (h->u.i2c.vtable->wake(&h->u.i2c.vtable, r) == TL_BUS_OK && r[0] == 0x04 &&
            r[1] == 0x11) {
            h->kind = 1;
            h->bus = &h->u.i2c.vtable;
            snprintf(h->desc, sizeof h->desc, "i2c:%s@0x%02x", dev, TL_ATCA_I2C_ADDR_DEFAULT);
            return 0;
        }
        tl_bus_i2cdev_close(&h->u.i2c);
    }
    snprintf(err, errcap, "no chip found (chip.uri is auto: $TRUSTLINK_CHIP is not set and "
             "no /dev/i2c-N answers at 0x60); use --chip emu:PATH or i2c:/dev/i2c-N");
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
