/*
 * i2c_shim internals shared by its two files: i2c_shim.c (the intercepted
 * libc entry points) and i2c_shim_chip.c (environment, the emulated chip,
 * its state file, the transfers). What the shim does: see i2c_shim.c.
 */
#ifndef I2C_SHIM_H
#define I2C_SHIM_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "tl_emu.h"

#define SHIM_FDS 8
#define SHIM_XFER_MAX 8192   /* i2c-dev caps read/write counts here */

typedef struct {
    int fd;          /* -1: free */
    unsigned addr;   /* 7-bit, set by I2C_SLAVE */
} shim_fd;

/* One bus and one chip per process; lock guards all of it. */
typedef struct {
    pthread_mutex_t lock;
    int configured;
    const char *bus;           /* $TL_SHIM_BUS; NULL: the shim passes all through */
    int chip_addr;             /* -1: no chip answers */
    int nack_errno;
    int open_errno;            /* open of the bus fails so (0: it opens) */
    int busy_addr;             /* I2C_SLAVE there: EBUSY (-1: none) */
    unsigned long eintr_every, short_every, transfers;
    tl_emu *emu;               /* NULL until the first open */
    int wake_pending;          /* a wake happened; its 4 bytes await a read */
    uint8_t wake_resp[4];
    shim_fd fds[SHIM_FDS];
} shim_state;

extern shim_state shim__s;

/* The next definitions in the lookup order (libc's). */
typedef struct {
    int (*open)(const char *, int, ...);
    int (*openat)(int, const char *, int, ...);
    ssize_t (*read)(int, void *, size_t);
    ssize_t (*write)(int, const void *, size_t);
    int (*close)(int);
    int (*ioctl)(int, unsigned long, ...);
    int (*stat)(const char *, struct stat *);
    int (*lstat)(const char *, struct stat *);
    int (*xstat)(int, const char *, struct stat *);
    int (*lxstat)(int, const char *, struct stat *);
} shim_real;

extern shim_real shim__real;

/* Read the environment and find libc's functions (once). */
void shim__configure(void);

/* Message on stderr (never through the intercepted calls' bookkeeping). */
void shim__say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Load the chip at the first open; 0, or -1 out of memory. Lock held. */
int shim__load_chip(void);

/* One i2c-dev transfer on descriptor f (lock held): the byte count, or -1
 * with errno, as the kernel's read()/write() on /dev/i2c-N. */
ssize_t shim__write(shim_fd *f, const uint8_t *data, size_t len);
ssize_t shim__read(shim_fd *f, uint8_t *data, size_t len);

/* One line to $TL_SHIM_LOG (lock held). */
void shim__log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
