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
 *
 * EINTR: an adapter that waits interruptibly gives it when a signal handler
 * without SA_RESTART runs during the transfer; the transfer did not happen,
 * so it is tried again (a bounded number of times). i2c-dev moves a whole
 * message or fails, so a short count never comes back from a real adapter;
 * should one, it is a NACK (the chip driver resends), never success.
 * Exercised without hardware by tests/hal (an LD_PRELOAD i2c-dev stand-in).
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

/* Tries of a transfer that a signal interrupted before it reached the bus. */
#define EINTR_TRIES 8

static int set_addr(int fd, uint8_t addr)
{
    int i, r = -1;
    for (i = 0; i < EINTR_TRIES; i++)
        if ((r = ioctl(fd, I2C_SLAVE, (unsigned long)addr)) == 0 || errno != EINTR)
            break;
    return r < 0 ? TL_BUS_IO : TL_BUS_OK;
}

/* write(), tried again when a signal stopped it before the bus. */
static ssize_t write_bus(int fd, const uint8_t *data, size_t len)
{
    ssize_t w = -1;
    int i;
    for (i = 0; i < EINTR_TRIES; i++)
        if ((w = write(fd, data, len)) >= 0 || errno != EINTR)
            break;
    return w;
}

static int i2c_write(const tl_bus_class **ctx, const uint8_t *data, size_t len)
{
    ssize_t w = write_bus(SELF(ctx)->fd, data, len);
    if (w == (ssize_t)len)
        return TL_BUS_OK;
    return w < 0 ? io_error() : TL_BUS_NACK;
}

static int i2c_read(const tl_bus_class **ctx, uint8_t *data, size_t len)
{
    ssize_t r = -1;
    int i;
    for (i = 0; i < EINTR_TRIES; i++)
        if ((r = read(SELF(ctx)->fd, data, len)) >= 0 || errno != EINTR)
            break;
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
    /* Expected to be NACKed; but one a signal cut short was no pulse. */
    ignored = write_bus(b->fd, &zero, 1);
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
    /* Not inherited by programs trustlink starts. */
    b->fd = open(dev, O_RDWR | O_CLOEXEC);
    if (b->fd < 0) {
        int e = errno;   /* kept for the caller: auto tells ENOENT from EACCES */
        snprintf(err, errcap, "cannot open %s: %s", dev, strerror(e));
        errno = e;
        return -1;
    }
    if (set_addr(b->fd, addr) != TL_BUS_OK) {
        int e = errno;
        /* EBUSY: a kernel driver (atmel-ecc, from the device tree) owns it. */
        snprintf(err, errcap, "%s: cannot select address 0x%02x: %s%s", dev, addr,
                 strerror(e), e == EBUSY ? " (a kernel driver, such as atmel-ecc, has "
                                           "claimed it: unbind it)" : "");
        close(b->fd);
        b->fd = -1;
        errno = e;
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
