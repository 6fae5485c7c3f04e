/*
 * Reset and exception vectors of the lx106 under QEMU (`-M sim -cpu lx106`,
 * qemu-sim.ld), for the device-core unit tests. The CPU starts at
 * 0x50000000 whatever the ELF's entry point says: the reset stub jumps to
 * _start, which sets the stack, points VECBASE at the vectors below and
 * clears PS.EXCM before the C start: set, as at reset, any exception is a
 * double exception (reported as "FAULT double ...", which run.sh does not
 * take for the alignment trap). Every exception, whatever its cause, ends
 * the program through tl_port_lx106sim_fault() on a fresh stack: the tests
 * expect none except the alignment trap they provoke.
 */
    .section .reset, "ax"
    .global _reset
_reset:
    j       1f
    .align  4
2:  .word   _start          /* l32r loads only from lower addresses */
1:  l32r    a0, 2b
    jx      a0

    .section .vectors, "ax"
    .global _vectors
_vectors:
    .org    0x30            /* kernel exception (PS.UM = 0) */
    movi    a5, 0
    j       fault
    .org    0x50            /* user exception (PS.UM = 1) */
    movi    a5, 0
    j       fault
    .org    0x70            /* double exception (one while PS.EXCM = 1) */
    movi    a5, 1
    j       fault
    .align  4
3:  .word   __stack
4:  .word   tl_port_lx106sim_fault
5:  .word   tl_port_lx106sim_start
6:  .word   _vectors
fault:
    /* tl_port_lx106sim_fault(exccause, pc, vaddr, double) (call0 ABI). */
    rsr     a2, exccause
    rsr     a3, epc1
    beqz    a5, 7f
    rsr     a3, depc
7:  rsr     a4, excvaddr
    l32r    a1, 3b
    l32r    a0, 4b
    callx0  a0
8:  j       8b

    /* Here too, so that the literals above stay within l32r's reach. */
    .global _start
    .align  4
_start:
    l32r    a1, 3b          /* the stack: top of sysram0 */
    l32r    a0, 6b
    wsr     a0, vecbase
    /* PS: user vector mode, interrupt level 0, EXCM clear. */
    movi    a0, 0x20
    wsr     a0, ps
    rsync
    l32r    a0, 5b
    callx0  a0
9:  j       9b
