/* SysTick millisecond clock for the Cortex-M port (tl_port_cortexm.h). */
#include "tl_port_cortexm.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SYST_CSR_ENABLE_TICKINT_CORECLK 7u

/* The one piece of mutable state of the port: the interrupt's tick count. */
static volatile uint32_t ticks_ms;

void tl_port_systick(void)
{
    ticks_ms++;
}

void tl_port_clock_start(void)
{
    SYST_RVR = TL_PORT_CPU_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_ENABLE_TICKINT_CORECLK;
}

static uint32_t now_ms(const tl_port_clock_class **ctx)
{
    (void)ctx;
    return ticks_ms;
}

static void delay_us(const tl_port_clock_class **ctx, uint32_t us)
{
    /* Whole milliseconds on the tick, the rest on SysTick's down-counter. */
    uint32_t start = ticks_ms, ms = us / 1000u;
    (void)ctx;
    while (ticks_ms - start < ms)
        __asm__ volatile("wfi");
    us %= 1000u;
    if (us) {
        uint32_t per_us = TL_PORT_CPU_HZ / 1000000u, reload = SYST_RVR + 1u;
        uint32_t from = SYST_CVR, waited = 0;
        while (waited < us * per_us) {
            uint32_t now = SYST_CVR;
            waited += (from >= now) ? from - now : from + reload - now;
            from = now;
        }
    }
}

static const tl_port_clock_class clock_class = { now_ms, delay_us };
const tl_port_clock_class *tl_port_cortexm_clock = &clock_class;
