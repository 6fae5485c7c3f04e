/*
 * The lx106 CPU under QEMU (`qemu-system-xtensa -M sim -cpu lx106
 * -semihosting`), the board the device-core unit tests run on
 * (tests/qemu): the ESP8266's CPU with QEMU's simulator memory map
 * (qemu-sim.ld) instead of the ESP8266's peripherals. It gives the tests a
 * console, exit status and command line through the simulator calls
 * (SIMCALL), a CCOUNT clock, a fault report for every exception, and the
 * integer helpers Debian's libgcc for the lx106 lacks
 * (qemu-sim-libgcc.c). A firmware uses board_esp8266.c instead.
 */
#ifndef TL_PORT_LX106SIM_H
#define TL_PORT_LX106SIM_H

#include "tl_port.h"

/* CCOUNT's rate under QEMU (the lx106 core's configured 40 MHz, on the
 * host's clock). */
#ifndef TL_PORT_LX106SIM_KHZ
#define TL_PORT_LX106SIM_KHZ 40000u
#endif

/* The clock: CCOUNT extended to 64 bits. */
extern const tl_port_clock_class *tl_port_lx106sim_clock;   /* pass &tl_port_lx106sim_clock */

/* The same console, exit and command line as the Cortex-M port's
 * semihosting (tl_port_cortexm.h), so the test runner serves both:
 * write a NUL-terminated string; end the program with status (QEMU exits
 * with it); the command line (-kernel FILE -append ARGS gives
 * "FILE ARGS"), NUL-terminated in buf: 0, or -1 if it does not fit. */
void tl_port_semihost_write(const char *s);
void tl_port_semihost_exit(int status) __attribute__((noreturn));
int tl_port_semihost_cmdline(char *buf, size_t cap);

/* Called by qemu-sim-start.S: zero .bss, run main(), exit with its status. */
void tl_port_lx106sim_start(void) __attribute__((noreturn));
/* Called for every exception (and by the division helpers on a zero
 * divisor): prints "FAULT <cause name>: ..." and exits with status 3. */
void tl_port_lx106sim_fault(uint32_t exccause, uint32_t pc, uint32_t vaddr, int is_double)
    __attribute__((noreturn));

/* EXCCAUSE values (Xtensa ISA, exception causes) the tests meet. */
#define TL_LX106_EXC_DIVIDE_BY_ZERO 6u
#define TL_LX106_EXC_ALIGNMENT      9u

#endif
