/*
 * i2c_shim: a stand-in for the kernel's i2c-dev driver with an emulated
 * ATECC508A/608A on it, for LD_PRELOAD (test code, host only).
 *
 * There is no I2C hardware (nor i2c-dev module) where the tests run, so this
 * library intercepts the calls that src/hal/posix/tl_bus_i2cdev.c and the
 * chip probing make, for one fake bus, and answers them as i2c-dev would:
 *   open/open64/openat/openat64 (and the _2 fortify forms) of $TL_SHIM_BUS
 *       give a real descriptor (of /dev/null, so its number is the kernel's
 *       and cannot clash) that the shim then owns; every other path passes
 *       through untouched. $TL_SHIM_OPEN_ERRNO=EACCES|ENODEV makes that open
 *       fail so (a node the user may not open; an adapter gone).
 *   stat/lstat (+64, and glibc's old __xstat/__lxstat entry points) of the
 *       bus report a character device, major 89 (i2c) minor N.
 *   ioctl I2C_SLAVE / I2C_SLAVE_FORCE set the descriptor's 7-bit address
 *       (EINVAL above 0x7f, as i2c-dev; I2C_SLAVE at $TL_SHIM_BUSY is EBUSY,
 *       as when a kernel driver owns the address); I2C_FUNCS says plain
 *       I2C; I2C_RDWR and I2C_SMBUS are not emulated (EOPNOTSUPP); others
 *       ENOTTY. $TL_SHIM_SEED seeds a new chip's serial number.
 *   write / read on the descriptor: one I2C transfer each, at most 8192
 *       bytes (i2c-dev's cap). At the chip's address ($TL_SHIM_ADDR, default
 *       0x60) they go to the emulator (tl_emu_write/tl_emu_read: the first
 *       byte of a write is the word address, exactly as on the wire). At any
 *       other address nobody acknowledges: -1 with errno $TL_SHIM_NACK_ERRNO
 *       (ENXIO by default: Documentation/i2c/fault-codes.rst says adapters
 *       report an address NACK so; several adapters, bcm2835 among them,
 *       say EREMOTEIO instead; EIO also accepted). A NACK of the emulated
 *       chip (asleep, busy) is the same error. A transfer at address 0x00
 *       holds SDA low for 8 bit times (80 us at 100 kHz): it wakes the chip
 *       (tl_emu_wake) and is itself NACKed; the 4-byte read that follows
 *       gets the wake response, as the emulator socket's K reply carries it.
 *   close forgets the descriptor.
 * The chip's EEPROM lives in $TL_SHIM_STATE (tl_emu_save/tl_emu_load image,
 * the format of `trustlink chip emulate --state`): loaded at the first open
 * in a process (a factory-new $TL_SHIM_MODEL, 508a or 608a, if absent) and
 * saved (write + rename) after every transfer that changed it, so processes
 * that run one after another see the same chip. Without it, each process
 * has its own factory-new chip.
 * Test knobs: $TL_SHIM_EINTR=N fails every Nth transfer on the bus with
 * EINTR before it reaches the wire; $TL_SHIM_SHORT=N makes every Nth
 * transfer at the chip move one byte less (a broken adapter: i2c-dev moves
 * a whole message or fails); $TL_SHIM_LOG=FILE appends one line per
 * open, address change and transfer (address, bytes, ACK/NACK).
 *
 * Not emulated: timing (no tWHI, no execution time, no watchdog: the chip
 * answers at once), clock stretching, bus arbitration and multi-master,
 * 10-bit addresses, combined transfers (I2C_RDWR), SMBus, several chips on
 * one bus, concurrent processes on one state file (last writer wins).
 *
 * Files: this one holds the intercepted entry points and the descriptor
 * table; i2c_shim_chip.c the chip, its state file and the transfers.
 *
 * Never crash the host: every length is bounded, bad environment values are
 * reported once on stderr and leave the bus empty (everything NACKs).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "i2c_shim.h"

#define S shim__s
#define REAL shim__real

/* glibc's pre-2.33 stat entry points and the fortify open: still exported,
 * no longer (or not always) declared. */
int __xstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);

static int fail(int err)
{
    errno = err;
    return -1;
}

/* The shim's entry for fd, or NULL (lock held). */
static shim_fd *find_fd(int fd)
{
    int i;
    if (fd < 0)
        return NULL;
    for (i = 0; i < SHIM_FDS; i++)
        if (S.fds[i].fd == fd)
            return &S.fds[i];
    return NULL;
}

static int is_bus(const char *path)
{
    shim__configure();
    return S.bus && path && strcmp(path, S.bus) == 0;
}

/* Only a process that opened the bus pays for the lock on every read/write. */
static int any_bus_fd(void)
{
    return __atomic_load_n(&S.emu, __ATOMIC_ACQUIRE) != NULL;
}

/* open of the bus: a /dev/null descriptor (a real, unique number) that the
 * shim then owns. */
static int open_bus(int flags)
{
    int i, fd = -1, err = EMFILE;
    if (S.open_errno)
        return fail(S.open_errno);   /* as a node without permission or adapter */
    pthread_mutex_lock(&S.lock);
    if (shim__load_chip() != 0) {
        err = ENOMEM;
    } else {
        for (i = 0; i < SHIM_FDS && S.fds[i].fd >= 0; i++)
            ;
        if (i < SHIM_FDS) {
            fd = REAL.open("/dev/null", O_RDWR | (flags & O_CLOEXEC));
            err = errno;
            if (fd >= 0) {
                S.fds[i].fd = fd;
                S.fds[i].addr = 0;    /* i2c-dev's anonymous client starts at 0 */
                shim__log("open %s = fd %d", S.bus, fd);
            }
        }
    }
    pthread_mutex_unlock(&S.lock);
    return fd >= 0 ? fd : fail(err);
}

/* The mode argument is read always: harmless without O_CREAT. */
#define MODE_ARG(last, mode) do { va_list ap; va_start(ap, last); \
        mode = (mode_t)va_arg(ap, unsigned); va_end(ap); } while (0)

int open(const char *path, int flags, ...)
{
    mode_t mode;
    if (is_bus(path))
        return open_bus(flags);
    MODE_ARG(flags, mode);
    return REAL.open ? REAL.open(path, flags, mode) : fail(ENOSYS);
}

int open64(const char *path, int flags, ...)
{
    mode_t mode;
    MODE_ARG(flags, mode);
    return open(path, flags, mode);
}

int __open_2(const char *path, int flags)
{
    return open(path, flags, 0);
}

int __open64_2(const char *path, int flags)
{
    return open(path, flags, 0);
}

int openat(int dirfd, const char *path, int flags, ...)
{
    mode_t mode;
    if (is_bus(path))   /* an absolute path: dirfd does not matter */
        return open_bus(flags);
    MODE_ARG(flags, mode);
    return REAL.openat ? REAL.openat(dirfd, path, flags, mode) : fail(ENOSYS);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
    mode_t mode;
    MODE_ARG(flags, mode);
    return openat(dirfd, path, flags, mode);
}

/* The bus as i2c-dev's node: crw-rw---- 89,N. */
static int stat_bus(struct stat *st)
{
    const char *digits = S.bus + strlen(S.bus);
    while (digits > S.bus && digits[-1] >= '0' && digits[-1] <= '9')
        digits--;   /* the trailing N of /dev/i2c-N */
    if (!st)
        return fail(EFAULT);
    memset(st, 0, sizeof *st);
    st->st_mode = S_IFCHR | 0660;
    st->st_rdev = makedev(89, (unsigned)strtoul(digits, NULL, 10) & 0xfffffu);
    st->st_nlink = 1;
    st->st_blksize = 4096;
    return 0;
}

int stat(const char *path, struct stat *st)
{
    if (is_bus(path))
        return stat_bus(st);
    return REAL.stat ? REAL.stat(path, st) : fail(ENOSYS);
}

int lstat(const char *path, struct stat *st)
{
    if (is_bus(path))
        return stat_bus(st);
    return REAL.lstat ? REAL.lstat(path, st) : fail(ENOSYS);
}

/* On x86_64 (and every LP64 glibc port) stat64 is struct stat's layout. */
int stat64(const char *path, struct stat64 *st)
{
    return stat(path, (struct stat *)(void *)st);
}

int lstat64(const char *path, struct stat64 *st)
{
    return lstat(path, (struct stat *)(void *)st);
}

int __xstat(int ver, const char *path, struct stat *st)
{
    if (is_bus(path))
        return stat_bus(st);
    return REAL.xstat ? REAL.xstat(ver, path, st) : fail(ENOSYS);
}

int __xstat64(int ver, const char *path, struct stat64 *st)
{
    return __xstat(ver, path, (struct stat *)(void *)st);
}

int __lxstat(int ver, const char *path, struct stat *st)
{
    if (is_bus(path))
        return stat_bus(st);
    return REAL.lxstat ? REAL.lxstat(ver, path, st) : fail(ENOSYS);
}

int __lxstat64(int ver, const char *path, struct stat64 *st)
{
    return __lxstat(ver, path, (struct stat *)(void *)st);
}

/* i2c-dev's ioctls on a bus descriptor; -2 when fd is not one of ours. */
static int bus_ioctl(int fd, unsigned long req, unsigned long arg)
{
    shim_fd *f;
    int r = 0, err = 0;
    if (!any_bus_fd())
        return -2;
    pthread_mutex_lock(&S.lock);
    if (!(f = find_fd(fd))) {
        pthread_mutex_unlock(&S.lock);
        return -2;
    }
    switch (req) {
    case I2C_SLAVE:
    case I2C_SLAVE_FORCE:
        if (arg > 0x7f) {
            err = EINVAL;
            break;
        }
        if (req == I2C_SLAVE && (int)arg == S.busy_addr) {
            err = EBUSY;   /* a kernel driver is bound there; FORCE overrides */
            break;
        }
        f->addr = (unsigned)arg;
        shim__log("ioctl %s 0x%02lx", req == I2C_SLAVE ? "I2C_SLAVE" : "I2C_SLAVE_FORCE",
                  arg);
        break;
    case I2C_FUNCS:
        if (!arg)
            err = EFAULT;
        else
            *(unsigned long *)arg = I2C_FUNC_I2C;
        break;
    case I2C_RDWR:
    case I2C_SMBUS:
        err = EOPNOTSUPP;
        break;
    default:
        err = ENOTTY;
    }
    pthread_mutex_unlock(&S.lock);
    if (err)
        r = fail(err);
    return r;
}

int ioctl(int fd, unsigned long req, ...)
{
    va_list ap;
    unsigned long arg;
    int r;
    va_start(ap, req);
    arg = va_arg(ap, unsigned long);
    va_end(ap);
    if ((r = bus_ioctl(fd, req, arg)) != -2)
        return r;
    shim__configure();
    return REAL.ioctl ? REAL.ioctl(fd, req, arg) : fail(ENOSYS);
}

ssize_t write(int fd, const void *buf, size_t len)
{
    if (any_bus_fd()) {
        shim_fd *f;
        ssize_t r = 0;
        pthread_mutex_lock(&S.lock);
        if ((f = find_fd(fd)) != NULL)
            r = shim__write(f, buf, len);
        pthread_mutex_unlock(&S.lock);
        if (f)
            return r;
    }
    shim__configure();
    return REAL.write ? REAL.write(fd, buf, len) : fail(ENOSYS);
}

ssize_t read(int fd, void *buf, size_t len)
{
    if (any_bus_fd()) {
        shim_fd *f;
        ssize_t r = 0;
        pthread_mutex_lock(&S.lock);
        if ((f = find_fd(fd)) != NULL)
            r = shim__read(f, buf, len);
        pthread_mutex_unlock(&S.lock);
        if (f)
            return r;
    }
    shim__configure();
    return REAL.read ? REAL.read(fd, buf, len) : fail(ENOSYS);
}

int close(int fd)
{
    if (any_bus_fd()) {
        shim_fd *f;
        pthread_mutex_lock(&S.lock);
        if ((f = find_fd(fd)) != NULL) {
            f->fd = -1;
            shim__log("close fd %d", fd);
        }
        pthread_mutex_unlock(&S.lock);
    }
    shim__configure();
    return REAL.close ? REAL.close(fd) : fail(ENOSYS);
}
