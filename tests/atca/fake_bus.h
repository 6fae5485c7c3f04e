/* A scripted fake bus for packet-level tests of the driver (no emulator). */
#ifndef FAKE_BUS_H
#define FAKE_BUS_H

#include <string.h>

#include "atca/tl_atca.h"

#define FAKE_MAX_RSP 8

typedef struct {
    const tl_bus_class *vtable;
    /* Script: the response served after the n-th command (the last repeats). */
    uint8_t rsp[FAKE_MAX_RSP][TL_ATCA_RSP_MAX];
    size_t rsp_len[FAKE_MAX_RSP];
    int nrsp, cur;
    /* Knobs. */
    int nack_cmd_writes;   /* NACK this many command writes */
    int busy_reads;        /* after each command, NACK this many reads */
    int busy_forever;
    int corrupt_reads;     /* corrupt the CRC of this many full responses */
    int wake_fail;         /* NACK this many wakes */
    uint8_t wake_rsp[4];
    /* Observations. */
    int wakes, cmd_writes, resets, idles, sleeps, reads;
    uint8_t last_cmd[TL_ATCA_CMD_MAX + 1];
    size_t last_cmd_len;
    unsigned long delay_us;
    int busy_left;
    size_t rpos;
} fake_bus;

void fake_init(fake_bus *f);
/* Append a response: a status byte (data NULL) or data bytes; count and CRC
 * are added. */
void fake_push(fake_bus *f, const uint8_t *data, size_t len, uint8_t status);

#endif
