/*
 * The Cortex-M port as it runs on the MPS2 AN385 board under QEMU: the
 * SysTick clock and ARM semihosting (console and exit). A real board keeps
 * the clock (any Cortex-M has SysTick; set TL_PORT_CPU_HZ) and replaces
 * semihosting with its UART. startup.c holds the vector table and reset.
 */
#ifndef TL_PORT_CORTEXM_H
#define TL_PORT_CORTEXM_H

#include "tl_port.h"

#ifndef TL_PORT_CPU_HZ
#define TL_PORT_CPU_HZ 25000000u    /* MPS2 AN385: 25 MHz */
#endif

/* The clock: SysTick interrupts every millisecond. */
extern const tl_port_clock_class *tl_port_cortexm_clock;   /* pass &tl_port_cortexm_clock */
void tl_port_clock_start(void);
void tl_port_systick(void);

/* Semihosting: write a NUL-terminated string to the host's console; end
 * the program with status (QEMU exits with it). */
void tl_port_semihost_write(const char *s);
void tl_port_semihost_exit(int status) __attribute__((noreturn));
/* The command line QEMU was given (-kernel FILE -append ARGS gives
 * "FILE ARGS"), NUL-terminated in buf; 0, or -1 if there is none. */
int tl_port_semihost_cmdline(char *buf, size_t cap);

#endif
