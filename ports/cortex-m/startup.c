/*
 * Cortex-M3 startup for the MPS2 AN385 board (QEMU `-M mps2-an385`): vector
 * table, reset (copy .data, zero .bss, thread pointer for picolibc, strict
 * fault settings), fault reports and exit through semihosting.
 *
 * Strict settings on purpose: the Cortex-M3 does unaligned LDR/STR in
 * hardware but faults on unaligned LDRD/STRD/LDM/STM, so code that casts a
 * byte buffer to a wider type works by luck on one path and faults on
 * another. CCR.UNALIGN_TRP makes every unaligned access fault, and the test
 * build compiles with -mno-unaligned-access so that only the code's own
 * wide accesses can trigger it. CCR.DIV_0_TRP does the same for division
 * by zero, which otherwise silently yields 0.
 */
#include <stdint.h>
#include <string.h>

#include "tl_port_cortexm.h"

extern uint8_t __data_start[], __data_end[], __data_source[];
extern uint8_t __bss_start[], __bss_end[], __tls_base[];
extern uint8_t __stack[];

int main(void);
void _set_tls(void *tls);   /* picolibc: the thread pointer, for errno */
void tl_port_reset(void);

#define SCB_CCR   (*(volatile uint32_t *)0xE000ED14u)
#define SCB_SHCSR (*(volatile uint32_t *)0xE000ED24u)
#define SCB_CFSR  (*(volatile uint32_t *)0xE000ED28u)
#define SCB_HFSR  (*(volatile uint32_t *)0xE000ED2Cu)
#define SCB_MMFAR (*(volatile uint32_t *)0xE000ED34u)
#define SCB_BFAR  (*(volatile uint32_t *)0xE000ED38u)
#define CCR_UNALIGN_TRP (1u << 3)
#define CCR_DIV_0_TRP   (1u << 4)
#define SHCSR_ENABLE_FAULTS (7u << 16)   /* MemManage, BusFault, UsageFault */

/* ARM semihosting: operation in r0, argument in r1, BKPT 0xAB. */
static uint32_t semihost(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void tl_port_semihost_write(const char *s)
{
    semihost(0x04, s);   /* SYS_WRITE0: a NUL-terminated string */
}

void tl_port_semihost_exit(int status)
{
    /* SYS_EXIT_EXTENDED carries the exit status (QEMU exits with it). */
    uint32_t block[2] = { 0x20026u /* ADP_Stopped_ApplicationExit */, (uint32_t)status };
    semihost(0x20, block);
    for (;;)
        __asm__ volatile("wfi");
}

int tl_port_semihost_cmdline(char *buf, size_t cap)
{
    /* SYS_GET_CMDLINE: {buffer, capacity in / length out}; 0 on success. */
    uint32_t block[2] = { (uint32_t)(uintptr_t)buf, (uint32_t)cap };
    if (cap == 0 || semihost(0x15, block) != 0)
        return -1;
    buf[block[1] < cap ? block[1] : cap - 1] = '\0';
    return 0;
}

static void put_hex(char *p, uint32_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 4)
        p[i] = "0123456789abcdef"[v & 15];
}

/* The stacked frame's PC says where it happened; CFSR says what (bit 24:
 * unaligned access, bit 25: division by zero). */
static void fault_report(const char *what, const uint32_t *frame)
{
    char line[96] = "FAULT ";
    char *p = line + 6;
    size_t n = strlen(what);
    memcpy(p, what, n);
    p += n;
    memcpy(p, ": pc=", 5);
    put_hex(p + 5, frame[6]);
    memcpy(p + 13, " cfsr=", 6);
    put_hex(p + 19, SCB_CFSR);
    memcpy(p + 27, " hfsr=", 6);
    put_hex(p + 33, SCB_HFSR);
    memcpy(p + 41, " addr=", 6);
    put_hex(p + 47, (SCB_CFSR & 0x8000u) ? SCB_BFAR : SCB_MMFAR);
    memcpy(p + 55, "\n", 2);
    tl_port_semihost_write(line);
    tl_port_semihost_exit(3);
}

/* Each fault handler passes the stack its frame was pushed on. */
#define FAULT_HANDLER(name, text)                                           \
    void name(void);                                                        \
    __attribute__((naked)) void name(void)                                  \
    {                                                                       \
        __asm__ volatile("tst lr, #4\n ite eq\n mrseq r1, msp\n mrsne r1, psp\n" \
                         "ldr r0, =" #name "_text\n b fault_entry\n");     \
    }                                                                       \
    const char name##_text[] = text;
void fault_entry(const char *what, const uint32_t *frame);
void fault_entry(const char *what, const uint32_t *frame)
{
    fault_report(what, frame);
}
FAULT_HANDLER(tl_port_hardfault, "hard")
FAULT_HANDLER(tl_port_memfault, "memory")
FAULT_HANDLER(tl_port_busfault, "bus")
FAULT_HANDLER(tl_port_usagefault, "usage")

static void unexpected(void)
{
    tl_port_semihost_write("FAULT: unexpected interrupt\n");
    tl_port_semihost_exit(3);
}

__attribute__((section(".vectors"), used))
static void (*const vectors[16 + 32])(void) = {
    [0] = (void (*)(void))(uintptr_t)__stack,
    [1] = tl_port_reset,
    [2] = unexpected,           /* NMI */
    [3] = tl_port_hardfault,
    [4] = tl_port_memfault,
    [5] = tl_port_busfault,
    [6] = tl_port_usagefault,
    [11] = unexpected,          /* SVCall */
    [14] = unexpected,          /* PendSV */
    [15] = tl_port_systick,
};

void tl_port_reset(void)
{
    memcpy(__data_start, __data_source, (size_t)(__data_end - __data_start));
    memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));
    _set_tls(__tls_base);
    SCB_CCR |= CCR_UNALIGN_TRP | CCR_DIV_0_TRP;
    SCB_SHCSR |= SHCSR_ENABLE_FAULTS;
    tl_port_clock_start();
    tl_port_semihost_exit(main());
}
