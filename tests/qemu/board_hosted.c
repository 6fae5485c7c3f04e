/*
 * The board of a hosted target (s390x Linux under qemu-user, see
 * tl_qemu_board.h): the clock on clock_gettime and the command line the
 * runner reads its exclusions from. Console and exit are stdio and main's
 * return value, so nothing else is needed.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>

#include "tl_qemu_board.h"

static uint32_t now_ms(const tl_port_clock_class **ctx)
{
    struct timespec ts;
    (void)ctx;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

static void delay_us(const tl_port_clock_class **ctx, uint32_t us)
{
    struct timespec ts;
    (void)ctx;
    ts.tv_sec = us / 1000000u;
    ts.tv_nsec = (long)(us % 1000000u) * 1000L;
    while (nanosleep(&ts, &ts) != 0) {
        /* interrupted: sleep the rest */
    }
}

static const tl_port_clock_class clock_class = { now_ms, delay_us };
const tl_port_clock_class *tl_port_hosted_clock = &clock_class;

int tl_port_semihost_cmdline(char *buf, size_t cap)
{
    /* argv as NUL-separated strings (qemu-user serves the guest's own):
     * joined with spaces it reads like semihosting's "FILE ARGS". */
    FILE *f = fopen("/proc/self/cmdline", "rb");
    size_t n, i;
    if (f == NULL || cap == 0) {
        if (f != NULL)
            fclose(f);
        return -1;
    }
    n = fread(buf, 1, cap, f);
    fclose(f);
    if (n == cap)
        return -1;
    for (i = 0; i + 1 < n; i++)
        if (buf[i] == '\0')
            buf[i] = ' ';
    buf[n] = '\0';
    return 0;
}

/* Line-buffered even into a pipe, so that a crash keeps the lines before it. */
__attribute__((constructor)) static void line_buffered(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
}
