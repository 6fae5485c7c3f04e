/*
 * The board a QEMU test program runs on (tests/qemu/Makefile's TARGET):
 * its console, exit and command line (semihosting on the MCUs, the same
 * functions on both) and its clock, for the runner and the port tests.
 */
#ifndef TL_QEMU_BOARD_H
#define TL_QEMU_BOARD_H

#if defined(__XTENSA__)
#include "tl_port_lx106sim.h"
#define TL_QEMU_BOARD_CLOCK tl_port_lx106sim_clock
#elif defined(__arm__)
#include "tl_port_cortexm.h"
#define TL_QEMU_BOARD_CLOCK tl_port_cortexm_clock
#else
/* A hosted target: a Linux program under qemu-user (s390x, big-endian),
 * tests/qemu/board_hosted.c. Console and exit are stdio and main's return. */
#include "tl_port.h"
/* The clock: CLOCK_MONOTONIC and nanosleep. */
extern const tl_port_clock_class *tl_port_hosted_clock;   /* pass &tl_port_hosted_clock */
#define TL_QEMU_BOARD_CLOCK tl_port_hosted_clock
/* The program's argv joined with spaces ("FILE ARGS", as semihosting
 * gives it), NUL-terminated in buf: 0, or -1 if it does not fit. */
int tl_port_semihost_cmdline(char *buf, size_t cap);
#endif

#endif
