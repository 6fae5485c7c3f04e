/* i2c_shim: the environment, the emulated chip and its state file, and the
 * transfers as i2c-dev carries them (see i2c_shim.c for the whole picture). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i2c_shim.h"

shim_state shim__s = { .lock = PTHREAD_MUTEX_INITIALIZER };
shim_real shim__real;

#define S shim__s
#define REAL shim__real

void shim__say(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (REAL.write)
        (void)!REAL.write(2, line, strlen(line));
}

void shim__log(const char *fmt, ...)
{
    const char *path = getenv("TL_SHIM_LOG");
    char line[512];
    va_list ap;
    int fd, n;
    if (!path || !path[0] || !REAL.open)
        return;
    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    fd = REAL.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    (void)!REAL.write(fd, line, (size_t)n);
    REAL.close(fd);
}

/* " 03 07 30 ..." of at most the first 40 bytes, for the log. */
static void hex(const uint8_t *b, size_t n, char *out, size_t cap)
{
    size_t i, o = 0;
    out[0] = '\0';
    for (i = 0; i < n && i < 40 && o + 4 < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, " %02x", b[i]);
    if (i < n && o + 5 < cap)
        snprintf(out + o, cap - o, " ...");
}

/* $name as a number in lo..hi, dflt when unset, lo - 1 (reported) when bad. */
static long env_num(const char *name, long dflt, long lo, long hi)
{
    const char *v = getenv(name);
    char *end;
    long x;
    if (!v || !v[0])
        return dflt;
    errno = 0;
    x = strtol(v, &end, 0);
    if (errno || *end || x < lo || x > hi) {
        shim__say("i2c_shim: %s='%s' is not a number in %ld..%ld; ignored\n", name, v, lo,
                  hi);
        return lo - 1;
    }
    return x;
}

void shim__configure(void)
{
    const char *e;
    long v;
    int i;
    if (__atomic_load_n(&S.configured, __ATOMIC_ACQUIRE))
        return;
    pthread_mutex_lock(&S.lock);
    if (S.configured) {
        pthread_mutex_unlock(&S.lock);
        return;
    }
    REAL.open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
    REAL.openat = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
    REAL.read = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
    REAL.write = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    REAL.close = (int (*)(int))dlsym(RTLD_NEXT, "close");
    REAL.ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
    REAL.stat = (int (*)(const char *, struct stat *))dlsym(RTLD_NEXT, "stat");
    REAL.lstat = (int (*)(const char *, struct stat *))dlsym(RTLD_NEXT, "lstat");
    REAL.xstat = (int (*)(int, const char *, struct stat *))dlsym(RTLD_NEXT, "__xstat");
    REAL.lxstat = (int (*)(int, const char *, struct stat *))dlsym(RTLD_NEXT, "__lxstat");
    for (i = 0; i < SHIM_FDS; i++)
        S.fds[i].fd = -1;
    e = getenv("TL_SHIM_BUS");
    S.bus = e && e[0] == '/' ? e : NULL;
    if (e && e[0] && !S.bus)
        shim__say("i2c_shim: TL_SHIM_BUS='%s' is not an absolute path; no fake bus\n", e);
    v = env_num("TL_SHIM_ADDR", 0x60, 0x08, 0x77);
    S.chip_addr = v < 0x08 ? -1 : (int)v;
    S.nack_errno = ENXIO;
    e = getenv("TL_SHIM_NACK_ERRNO");
    if (e && strcmp(e, "EREMOTEIO") == 0)
        S.nack_errno = EREMOTEIO;
    else if (e && strcmp(e, "EIO") == 0)
        S.nack_errno = EIO;
    else if (e && e[0] && strcmp(e, "ENXIO") != 0)
        shim__say("i2c_shim: TL_SHIM_NACK_ERRNO='%s': use ENXIO, EREMOTEIO or EIO\n", e);
    e = getenv("TL_SHIM_OPEN_ERRNO");
    S.open_errno = !e ? 0 : strcmp(e, "EACCES") == 0 ? EACCES
                          : strcmp(e, "ENODEV") == 0 ? ENODEV : 0;
    if (e && e[0] && !S.open_errno)
        shim__say("i2c_shim: TL_SHIM_OPEN_ERRNO='%s': use EACCES or ENODEV\n", e);
    v = env_num("TL_SHIM_BUSY", -1, 0, 0x7f);
    S.busy_addr = v < 0 ? -1 : (int)v;
    v = env_num("TL_SHIM_EINTR", 0, 0, 1000000);
    S.eintr_every = v > 0 ? (unsigned long)v : 0;
    v = env_num("TL_SHIM_SHORT", 0, 0, 1000000);
    S.short_every = v > 0 ? (unsigned long)v : 0;
    __atomic_store_n(&S.configured, 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&S.lock);
}

/* The whole state file, through libc itself; -1 if absent or unreadable. */
static long read_state(const char *path, uint8_t *buf, size_t cap)
{
    size_t n = 0;
    int fd = REAL.open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    while (n < cap) {
        ssize_t r = REAL.read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    REAL.close(fd);
    return (long)n;
}

/* Write-then-rename, so that a reader never sees half a chip. */
static void save_state(void)
{
    const char *path = getenv("TL_SHIM_STATE");
    uint8_t img[TL_EMU_EEPROM_IMAGE_MAX];
    char tmp[4096];
    size_t n, off = 0;
    int fd, saved = errno;
    if (!path || !path[0] || !tl_emu_dirty(S.emu))
        return;
    n = tl_emu_save(S.emu, img, sizeof img);
    if (n == 0 || snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid()) >=
                      (int)sizeof tmp)
        return;
    fd = REAL.open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) {
        while (off < n) {
            ssize_t w = REAL.write(fd, img + off, n - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                break;
            off += (size_t)w;
        }
        REAL.close(fd);
    }
    if (fd < 0 || off != n || rename(tmp, path) != 0) {
        shim__say("i2c_shim: cannot save the chip state to %s: %s\n", path, strerror(errno));
        unlink(tmp);
    } else {
        tl_emu_mark_saved(S.emu);
    }
    errno = saved;
}

int shim__load_chip(void)
{
    const char *path = getenv("TL_SHIM_STATE");
    const char *model = getenv("TL_SHIM_MODEL");
    static uint8_t img[TL_EMU_EEPROM_IMAGE_MAX + 1];
    long n, seed;
    if (S.emu)
        return 0;
    S.emu = malloc(tl_emu_context_size());   /* lives as long as the process */
    if (!S.emu)
        return -1;
    n = path && path[0] ? read_state(path, img, sizeof img) : -1;
    if (n >= 0 && tl_emu_load(S.emu, img, (size_t)n) == 0)
        return 0;
    if (n >= 0)
        shim__say("i2c_shim: %s is not a chip state; starting a factory-new chip\n", path);
    seed = env_num("TL_SHIM_SEED", 1, 0, 0x7fffffffL);
    tl_emu_init(S.emu, model && strcmp(model, "608a") == 0 ? TL_ATCA_MODEL_608A
                                                            : TL_ATCA_MODEL_508A,
                (uint64_t)(seed < 0 ? 1 : seed));
    save_state();
    return 0;
}

static const char *errno_name(int e)
{
    return e == ENXIO ? "ENXIO" : e == EREMOTEIO ? "EREMOTEIO" : "EIO";
}

static ssize_t nack(char op, unsigned addr, size_t len, const char *why)
{
    shim__log("%c@0x%02x %zu = NACK %s%s", op, addr, len, errno_name(S.nack_errno), why);
    errno = S.nack_errno;
    return -1;
}

/* A signal "arrived" before the transfer started: nothing reached the bus. */
static int injected_eintr(char op, unsigned addr)
{
    S.transfers++;
    if (!S.eintr_every || S.transfers % S.eintr_every != 0)
        return 0;
    shim__log("%c@0x%02x = EINTR (injected)", op, addr);
    errno = EINTR;
    return 1;
}

/* A broken adapter that moves one byte less than asked (i2c-dev itself
 * never does): every $TL_SHIM_SHORT-th transfer at the chip. */
static size_t shortened(size_t len)
{
    if (!S.short_every || len == 0 || S.transfers % S.short_every != 0)
        return len;
    shim__log("short transfer: %zu of %zu bytes (injected)", len - 1, len);
    return len - 1;
}

/* Address 0x00 holds SDA low for 7-8 bit times: the chip wakes; nobody
 * acknowledges the general call, so the transfer itself fails. */
static ssize_t wake_pulse(char op, size_t len)
{
    if (S.emu && tl_emu_wake(S.emu, S.wake_resp) == TL_EMU_ACK)
        S.wake_pending = 1;
    return nack(op, 0, len, " (wake pulse)");
}

ssize_t shim__write(shim_fd *f, const uint8_t *data, size_t len)
{
    char h[256];
    int rc;
    if (injected_eintr('W', f->addr))
        return -1;
    if (len > SHIM_XFER_MAX)
        len = SHIM_XFER_MAX;
    if (!data && len)
        return (errno = EFAULT, -1);
    if (f->addr == 0)
        return wake_pulse('W', len);
    if (S.chip_addr < 0 || f->addr != (unsigned)S.chip_addr)
        return nack('W', f->addr, len, "");
    S.wake_pending = 0;
    len = shortened(len);
    rc = tl_emu_write(S.emu, data, len);
    hex(data, len, h, sizeof h);
    if (rc != TL_EMU_ACK)
        return nack('W', f->addr, len, " (chip)");
    shim__log("W@0x%02x%s = ACK", f->addr, h);
    save_state();
    return (ssize_t)len;
}

ssize_t shim__read(shim_fd *f, uint8_t *data, size_t len)
{
    char h[256];
    if (injected_eintr('R', f->addr))
        return -1;
    if (len > SHIM_XFER_MAX)
        len = SHIM_XFER_MAX;
    if (!data && len)
        return (errno = EFAULT, -1);
    if (f->addr == 0)
        return wake_pulse('R', len);
    if (S.chip_addr < 0 || f->addr != (unsigned)S.chip_addr)
        return nack('R', f->addr, len, "");
    len = shortened(len);
    if (S.wake_pending && len == 4) {
        memcpy(data, S.wake_resp, 4);
    } else if (tl_emu_read(S.emu, data, len) != TL_EMU_ACK) {
        S.wake_pending = 0;
        return nack('R', f->addr, len, " (chip)");
    }
    S.wake_pending = 0;
    hex(data, len, h, sizeof h);
    shim__log("R@0x%02x%s", f->addr, h);
    return (ssize_t)len;
}
