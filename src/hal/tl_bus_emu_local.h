/*
 * tl_bus_emu_local: a bus over a tl_emu in the same process (host side),
 * for tests and benchmarks. No socket, no threads: each bus operation is the
 * matching tl_emu call. Delays advance a virtual clock instead of sleeping;
 * hand tl_bus_emu_local_clock to tl_emu_set_clock() to run the emulator's
 * timing (busy time, watchdog) on that clock, so a test of the timing rules
 * takes no wall time.
 */
#ifndef TL_BUS_EMU_LOCAL_H
#define TL_BUS_EMU_LOCAL_H

#include "../emu/tl_emu.h"
#include "tl_bus.h"

typedef struct {
    const tl_bus_class *vtable;
    tl_emu *emu;
    uint64_t now_us;      /* virtual time: the sum of all delays */
} tl_bus_emu_local;

/* A bus over e (which the caller has initialised). */
void tl_bus_emu_local_init(tl_bus_emu_local *b, tl_emu *e);

/* tl_emu_clock_fn over the bus's virtual clock; arg is the tl_bus_emu_local. */
uint64_t tl_bus_emu_local_clock(void *arg);

#endif
