/*
 * The i2c-dev stand-in itself, run under LD_PRELOAD by ctest (see
 * CMakeLists.txt): it answers as i2c-dev does, survives hostile calls, and
 * lets everything else through; then tl_bus_i2cdev over it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "hal/tl_hal.h"

#define BUS "/dev/i2c-7"   /* TL_SHIM_BUS, chip at 0x60 */

static void test_stat_and_passthrough(void **state)
{
    struct stat st;
    int p[2];
    char c = 0;
    (void)state;
    assert_int_equal(stat(BUS, &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    assert_int_equal(major(st.st_rdev), 89);
    assert_int_equal(minor(st.st_rdev), 7);
    assert_int_equal(lstat(BUS, &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    /* Other paths and descriptors are the real ones. */
    assert_int_equal(stat("/dev/i2c-6", &st), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(open("/dev/i2c-6", O_RDWR), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(stat("/", &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], "x", 1), 1);
    assert_int_equal(read(p[0], &c, 1), 1);
    assert_int_equal(c, 'x');
    assert_int_equal(ioctl(p[0], I2C_SLAVE, 0x60), -1);   /* a pipe: the kernel says no */
    assert_int_equal(errno, ENOTTY);
    close(p[0]);
    close(p[1]);
}

static void test_ioctls(void **state)
{
    unsigned long funcs = 0;
    int fd = open(BUS, O_RDWR | O_CLOEXEC);
    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(ioctl(fd, I2C_SLAVE, 0x80), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(ioctl(fd, I2C_SLAVE_FORCE, 0x400), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(ioctl(fd, I2C_FUNCS, &funcs), 0);
    assert_true(funcs & I2C_FUNC_I2C);
    assert_int_equal(ioctl(fd, I2C_FUNCS, 0), -1);
    assert_int_equal(errno, EFAULT);
    assert_int_equal(ioctl(fd, I2C_RDWR, 0), -1);
    assert_int_equal(errno, EOPNOTSUPP);
    assert_int_equal(ioctl(fd, 0x1234, 0), -1);
    assert_int_equal(errno, ENOTTY);
    assert_int_equal(close(fd), 0);
    /* Closed: no longer the shim's (the real kernel says EBADF). */
    assert_int_equal(ioctl(fd, I2C_SLAVE, 0x60), -1);
    assert_int_equal(errno, EBADF);
}

static void *volatile null_buf = NULL;

static void test_transfers(void **state)
{
    static uint8_t big[9000];
    uint8_t r[8] = { 0 }, zero = 0;
    int fd = open(BUS, O_RDWR);
    (void)state;
    assert_true(fd >= 0);
    /* A new descriptor is at address 0: the general call, never acknowledged,
     * and the wake pulse. */
    assert_int_equal(write(fd, &zero, 1), -1);
    assert_int_equal(errno, ENXIO);
    assert_int_equal(ioctl(fd, I2C_SLAVE, 0x61), 0);
    assert_int_equal(read(fd, r, 4), -1);
    assert_int_equal(errno, ENXIO);
    assert_int_equal(write(fd, &zero, 1), -1);
    assert_int_equal(errno, ENXIO);
    assert_int_equal(ioctl(fd, I2C_SLAVE, 0x60), 0);
    assert_int_equal(read(fd, r, 4), 4);
    assert_memory_equal(r, "\x04\x11\x33\x43", 4);
    /* Hostile sizes and pointers: capped or refused, never a crash. (The
     * NULL goes through a volatile so that gcc's -Wnonnull lets it pass.) */
    assert_int_equal(read(fd, null_buf, 4), -1);
    assert_int_equal(errno, EFAULT);
    assert_int_equal(write(fd, null_buf, 4), -1);
    assert_int_equal(errno, EFAULT);
    assert_int_equal(read(fd, r, 0), 0);
    memset(big, 0x41, sizeof big);
    big[0] = 0x03;   /* a command packet of 8191 bytes: the chip says 0xFF */
    assert_int_equal(write(fd, big, sizeof big), 8192);
    assert_int_equal(read(fd, r, 4), 4);
    assert_int_equal(r[0], 0x04);
    assert_int_equal(r[1], 0xFF);
    big[0] = 0x07;   /* no such word address: the chip NACKs the data */
    assert_int_equal(write(fd, big, 2), -1);
    assert_int_equal(errno, ENXIO);
    assert_int_equal(write(fd, "\x01", 1), 1);   /* sleep */
    assert_int_equal(read(fd, r, 4), -1);        /* asleep: NACK */
    assert_int_equal(errno, ENXIO);
    assert_int_equal(close(fd), 0);
}

static void test_descriptor_table(void **state)
{
    int fds[9], i, n;
    (void)state;
    for (n = 0; n < 9; n++)
        if ((fds[n] = open(BUS, O_RDWR)) < 0)
            break;
    assert_int_equal(n, 8);            /* the shim's table is full ... */
    assert_int_equal(errno, EMFILE);   /* ... and says so */
    for (i = 0; i < n; i++)
        assert_int_equal(close(fds[i]), 0);
    fds[0] = open(BUS, O_RDWR);
    assert_true(fds[0] >= 0);
    close(fds[0]);
}

/* The backend under test, over the shim. */
static void test_i2cdev_backend(void **state)
{
    tl_bus_i2cdev b;
    char err[256];
    uint8_t r[4];
    (void)state;
    assert_int_equal(tl_bus_i2cdev_open(&b, "/dev/i2c-8", 0x60, err, sizeof err), -1);
    assert_int_equal(errno, ENOENT);
    assert_string_equal(err, "cannot open /dev/i2c-8: No such file or directory");
    assert_int_equal(b.fd, -1);

    assert_int_equal(tl_bus_i2cdev_open(&b, BUS, 0x61, err, sizeof err), 0);
    assert_int_equal(b.vtable->wake(&b.vtable, r), TL_BUS_NACK);
    assert_int_equal(b.vtable->write(&b.vtable, (const uint8_t *)"\x02", 1), TL_BUS_NACK);
    assert_int_equal(b.vtable->read(&b.vtable, r, 4), TL_BUS_NACK);
    tl_bus_i2cdev_close(&b);
    assert_int_equal(b.fd, -1);
    tl_bus_i2cdev_close(&b);   /* twice: harmless */

    assert_int_equal(tl_bus_i2cdev_open(&b, BUS, 0x60, err, sizeof err), 0);
    assert_int_equal(b.vtable->wake(&b.vtable, r), TL_BUS_OK);
    assert_memory_equal(r, "\x04\x11\x33\x43", 4);
    assert_int_equal(b.vtable->write(&b.vtable, (const uint8_t *)"\x02", 1), TL_BUS_OK);
    assert_int_equal(b.vtable->read(&b.vtable, r, 4), TL_BUS_NACK);   /* idle */
    tl_bus_i2cdev_close(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stat_and_passthrough),
        cmocka_unit_test(test_ioctls),
        cmocka_unit_test(test_transfers),
        cmocka_unit_test(test_descriptor_table),
        cmocka_unit_test(test_i2cdev_backend),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
