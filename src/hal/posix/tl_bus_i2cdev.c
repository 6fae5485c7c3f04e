/*
 * Host only (Linux): a real chip on /dev/i2c-N through i2c-dev.
 *
 * Wake: the chip wakes when SDA is held low for >= 60 us. Addressing the
 * general-call address 0x00 with a 0x00 data byte does that at 100 kHz (nine
 * low bit times); nobody acknowledges, so the write's error is expected.
 * Then wait tWHI (1.5 ms) and read the 4-byte wake response at the chip's
 * own address. NACKs come back from the adapter as ENXIO/EREMOTEIO/EIO.
 * At 400 kHz nine bit times are only 22.5 us: run the bus at 100 kHz (the
 * i2c-dev interface cannot change the clock; the device tree or the
 * adapter's module parameter sets it).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <linux/i2c-dev.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "../../atca/tl_atca.h"
#include "../tl_hal.h"

#define SELF(ctx) ((tl_bus_i2cdev *)(void *)(ctx))

static void sleep_us(uint32_t us)
{
    struct timespec ts;
    ts.tv_sec = (time_t)(us / 1000000u);
    ts.tv_nsec = (long)(us % 1000000u) * 1000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static int io_error(void)
{
    /* The adapter says "no acknowledge" in several ways. */
    if (errno == ENXIO || errno == EREMOTEIO || errno == EIO || errno == EAGAIN ||
        errno == ETIMEDOUT)
        return TL_BUS_NACK;
    return TL_BUS_IO;
}

static int set_addr(int fd, uint8_t addr)
{
    return ioctl(fd, I2C_SLAVE, (unsigned long)addr) < 0 ? TL_BUS_IO : TL_BUS_OK;
}

static int i2c_write(const tl_bus_class **ctx, const uint8_t *data, size_t len)
{
    ssize_t w = write(SELF(ctx)->fd, data, len);
    if (w == (ssize_t)len)
        return TL_BUS_OK;
    return w < 0 ? io_error() : TL_BUS_NACK;
}

static int i2c_read(const tl_bus_class **ctx, uint8_t *data, size_t len)
{
    ssize_t r = read(SELF(ctx)->fd, data, len);
    if (r == (ssize_t)len)
        return TL_BUS_OK;
    return r < 0 ? io_error() : TL_BUS_NACK;
}

static int i2c_wake(const tl_bus_class **ctx, uint8_t resp[4])
{
    tl_bus_i2cdev *b = SELF(ctx);
    uint8_t zero = 0x00;
    ssize_t ignored;
    if (set_addr(b->fd, 0x00) != TL_BUS_OK)
        return TL_BUS_IO;
    ignored = write(b->fd, &zero, 1);   /* expected to be NACKed */
    (void)ignored;
    if (set_addr(b->fd, b->addr) != TL_BUS_OK)
        return TL_BUS_IO;
    sleep_us(TL_ATCA_WAKE_DELAY_US);
    return i2c_read(ctx, resp, 4);
}

static void i2c_delay(const tl_bus_class **ctx, uint32_t us)
{
    (void)ctx;
    sleep_us(us);
}

static const tl_bus_class i2cdev_class = { i2c_wake, i2c_write, i2c_read, i2c_delay };

int tl_bus_i2cdev_open(tl_bus_i2cdev *b, const char *dev, uint8_t addr, char *err,
                       size_t errcap)
{
    b->vtable = &i2cdev_class;
    b->addr = addr;
    b->fd = open(dev, O_RDWR);
    if (b->fd < 0) {
        snprintf(err, errcap, "cannot open %s: %s", dev, strerror(errno));
        return -1;
    }
    if (set_addr(b->fd, addr) != TL_BUS_OK) {
        snprintf(err, errcap, "%s: cannot select address 0x%02x: %s", dev, addr,
                 strerror(errno));
        close(b->fd);
        b->fd = -1;
        return -1;
    }
    return 0;
}

void tl_bus_i2cdev_close(tl_bus_i2cdev *b)
{
    if (b->fd >= 0)
        close(b->fd);
    b->fd = -1;
}
