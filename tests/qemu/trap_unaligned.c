/*
 * Proof that the QEMU runs would catch an alignment assumption: an
 * unaligned 32-bit load must fault (on the Cortex-M3 a usage fault, armed
 * by CCR.UNALIGN_TRP in startup.c; on the lx106 LoadStoreAlignment, which
 * the CPU always raises), and the fault handler must end the program with
 * status 3. run.sh --fault expects exactly that; if this program exits 0,
 * the trap is not armed and the other tests prove nothing about alignment.
 */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
    static uint8_t bytes[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    /* Through a volatile pointer, so the compiler cannot see the odd
     * address and split the load into bytes itself. */
    uint8_t *volatile base = bytes;
    volatile uint32_t *p = (volatile uint32_t *)(void *)(base + 1);
    printf("reading a 32-bit word at an odd address\n");
    printf("read %08lx: not trapped\n", (unsigned long)*p);
    return 0;
}
