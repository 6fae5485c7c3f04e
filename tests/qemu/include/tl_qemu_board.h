/*
 * The board a QEMU test program runs on (tests/qemu/Makefile's TARGET):
 * its semihosting console, exit and command line (the same functions on
 * both) and its clock, for the runner and the port tests.
 */
#ifndef TL_QEMU_BOARD_H
#define TL_QEMU_BOARD_H

#if defined(__XTENSA__)
#include "tl_port_lx106sim.h"
#define TL_QEMU_BOARD_CLOCK tl_port_lx106sim_clock
#else
#include "tl_port_cortexm.h"
#define TL_QEMU_BOARD_CLOCK tl_port_cortexm_clock
#endif

#endif
