/* The lx106 under QEMU for the device-core unit tests (tl_port_lx106sim.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_port_lx106sim.h"

extern uint8_t __bss_start[], __bss_end[];
int main(void);

/* QEMU's simulator calls (target/xtensa/xtensa-semi.c): number in a2,
 * arguments in a3..a5, result in a2. */
#define SIM_EXIT      1
#define SIM_WRITE     4
#define SIM_ARGC      1000
#define SIM_ARGV_SIZE 1001
#define SIM_ARGV      1002

static int32_t simcall(int32_t nr, uint32_t a, uint32_t b, uint32_t c)
{
    register int32_t a2 __asm__("a2") = nr;
    register uint32_t a3 __asm__("a3") = a;
    register uint32_t a4 __asm__("a4") = b;
    register uint32_t a5 __asm__("a5") = c;
    __asm__ volatile("simcall" : "+r"(a2), "+r"(a3) : "r"(a4), "r"(a5) : "memory");
    return a2;
}

static void write_out(const void *p, size_t n)
{
    simcall(SIM_WRITE, 1, (uint32_t)(uintptr_t)p, (uint32_t)n);
}

void tl_port_semihost_write(const char *s)
{
    write_out(s, strlen(s));
}

void tl_port_semihost_exit(int status)
{
    simcall(SIM_EXIT, (uint32_t)status, 0, 0);
    for (;;)
        ;
}

int tl_port_semihost_cmdline(char *buf, size_t cap)
{
    /* QEMU writes argc + 1 pointers, then the NUL-terminated arguments
     * (argv[0] is the -kernel file, the rest -append's words): keep the
     * strings, joined by spaces. The pointers are not read: buf need not
     * be aligned for them. */
    int32_t argc = simcall(SIM_ARGC, 0, 0, 0);
    int32_t size = simcall(SIM_ARGV_SIZE, 0, 0, 0);
    size_t skip, len, i;
    if (argc < 1 || size < 0 || (size_t)size > cap)
        return -1;
    simcall(SIM_ARGV, (uint32_t)(uintptr_t)buf, 0, 0);
    skip = ((size_t)argc + 1u) * 4u;
    len = (size_t)size - skip;                 /* with every NUL */
    memmove(buf, buf + skip, len);
    for (i = 0; i + 1 < len; i++)
        if (buf[i] == '\0')
            buf[i] = ' ';
    return 0;
}

/* picolibc's stdio: stdout and stderr both go to the console, unbuffered. */
static int console_put(char c, FILE *f)
{
    (void)f;
    write_out(&c, 1);
    return (unsigned char)c;
}
static FILE console = FDEV_SETUP_STREAM(console_put, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdout = &console;
FILE *const stderr = &console;

void _exit(int status);
void _exit(int status)
{
    tl_port_semihost_exit(status);
}

void tl_port_lx106sim_start(void)
{
    memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));
    exit(main());
}

static void put_hex(char *p, uint32_t v)
{
    int i;
    for (i = 7; i >= 0; i--, v >>= 4)
        p[i] = "0123456789abcdef"[v & 15];
}

static const char *cause_name(uint32_t cause)
{
    switch (cause) {
    case 0: return "IllegalInstruction";
    case 2: return "InstructionFetchError";
    case 3: return "LoadStoreError";
    case TL_LX106_EXC_DIVIDE_BY_ZERO: return "IntegerDivideByZero";
    case TL_LX106_EXC_ALIGNMENT: return "LoadStoreAlignment";
    case 20: return "InstFetchProhibited";
    case 28: return "LoadProhibited";
    case 29: return "StoreProhibited";
    default: return "exception";
    }
}

/* No printf: the fault may have hit in the middle of it. */
void tl_port_lx106sim_fault(uint32_t exccause, uint32_t pc, uint32_t vaddr, int is_double)
{
    char hex[8];
    tl_port_semihost_write(is_double ? "FAULT double " : "FAULT ");
    tl_port_semihost_write(cause_name(exccause));
    tl_port_semihost_write(": exccause=");
    put_hex(hex, exccause);
    write_out(hex, sizeof hex);
    tl_port_semihost_write(" pc=");
    put_hex(hex, pc);
    write_out(hex, sizeof hex);
    tl_port_semihost_write(" addr=");
    put_hex(hex, vaddr);
    write_out(hex, sizeof hex);
    tl_port_semihost_write("\n");
    tl_port_semihost_exit(3);
}

/* ---- clock: CCOUNT (QEMU runs it on the host's clock), extended ---- */

static uint32_t ccount_last, ccount_wraps;   /* the port's only mutable state */

static uint64_t ticks(void)
{
    uint32_t c;
    __asm__ volatile("rsr %0, ccount" : "=a"(c));
    if (c < ccount_last)
        ccount_wraps++;                        /* read at least every 107 s */
    ccount_last = c;
    return ((uint64_t)ccount_wraps << 32) | c;
}

static uint32_t now_ms(const tl_port_clock_class **ctx)
{
    (void)ctx;
    return (uint32_t)(ticks() / TL_PORT_LX106SIM_KHZ);
}

static void delay_us(const tl_port_clock_class **ctx, uint32_t us)
{
    uint64_t end = ticks() + (uint64_t)us * (TL_PORT_LX106SIM_KHZ / 1000u);
    (void)ctx;
    while (ticks() < end)
        ;
}

static const tl_port_clock_class clock_class = { now_ms, delay_us };
const tl_port_clock_class *tl_port_lx106sim_clock = &clock_class;
