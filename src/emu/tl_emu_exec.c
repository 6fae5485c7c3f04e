/*
 * The packet handler: framing and CRC checks, then the opcode dispatch.
 * Handlers check their own parameters (parse error 0x03) and policies
 * (execution error 0x0F); everything here is about the packet as a whole.
 */
#include <string.h>

#include "tl_emu_internal.h"

#define M508 1u
#define M608 2u

static const struct {
    uint8_t op;
    uint8_t models;
    tl_emu__handler fn;
} commands[] = {
    { TL_ATCA_OP_INFO, M508 | M608, tl_emu__cmd_info },
    { TL_ATCA_OP_READ, M508 | M608, tl_emu__cmd_read },
    { TL_ATCA_OP_WRITE, M508 | M608, tl_emu__cmd_write },
    { TL_ATCA_OP_LOCK, M508 | M608, tl_emu__cmd_lock },
    { TL_ATCA_OP_RANDOM, M508 | M608, tl_emu__cmd_random },
    { TL_ATCA_OP_NONCE, M508 | M608, tl_emu__cmd_nonce },
    { TL_ATCA_OP_GENKEY, M508 | M608, tl_emu__cmd_genkey },
    { TL_ATCA_OP_SIGN, M508 | M608, tl_emu__cmd_sign },
    { TL_ATCA_OP_VERIFY, M508 | M608, tl_emu__cmd_verify },
    { TL_ATCA_OP_ECDH, M508 | M608, tl_emu__cmd_ecdh },
    { TL_ATCA_OP_PRIVWRITE, M508 | M608, tl_emu__cmd_privwrite },
    { TL_ATCA_OP_GENDIG, M508 | M608, tl_emu__cmd_gendig },
    { TL_ATCA_OP_MAC, M508 | M608, tl_emu__cmd_mac },
    { TL_ATCA_OP_CHECKMAC, M508 | M608, tl_emu__cmd_checkmac },
    { TL_ATCA_OP_SHA, M508 | M608, tl_emu__cmd_sha },
    { TL_ATCA_OP_COUNTER, M508 | M608, tl_emu__cmd_counter },
    { TL_ATCA_OP_UPDATEEXTRA, M508 | M608, tl_emu__cmd_updateextra },
    { TL_ATCA_OP_SELFTEST, M608, tl_emu__cmd_selftest },
};

static size_t finish(uint8_t rsp[TL_ATCA_RSP_MAX], size_t dlen)
{
    rsp[0] = (uint8_t)(dlen + 3);
    tl_atca_crc(rsp, dlen + 1, rsp + dlen + 1);
    return dlen + 3;
}

void tl_emu__set_status(uint8_t rsp[TL_ATCA_RSP_MAX], uint8_t status)
{
    rsp[1] = status;
    finish(rsp, 1);
}

static size_t status_packet(uint8_t rsp[TL_ATCA_RSP_MAX], uint8_t status)
{
    tl_emu__set_status(rsp, status);
    return 4;
}

size_t tl_emu_execute(tl_emu *e, const uint8_t *cmd, size_t len,
                      uint8_t rsp[TL_ATCA_RSP_MAX])
{
    tl_emu__cmd c;
    uint8_t crc[2], out[TL_EMU__OUT_MAX], st;
    size_t i, olen = 0;
    unsigned model_bit = e->model == TL_ATCA_MODEL_608A ? M608 : M508;

    /* A packet the chip could not even frame is a communication error. */
    if (!cmd || len < TL_ATCA_CMD_MIN || len > TL_ATCA_CMD_MAX || cmd[0] != len)
        return status_packet(rsp, TL_ATCA_ST_COMM);
    tl_atca_crc(cmd, len - 2, crc);
    if (crc[0] != cmd[len - 2] || crc[1] != cmd[len - 1])
        return status_packet(rsp, TL_ATCA_ST_COMM);

    c.op = cmd[1];
    c.p1 = cmd[2];
    c.p2 = (uint16_t)(cmd[3] | (cmd[4] << 8));
    c.data = cmd + 5;
    c.dlen = len - 7;
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (commands[i].op == c.op)
            break;
    if (i == sizeof commands / sizeof commands[0] || !(commands[i].models & model_bit))
        return status_packet(rsp, TL_ATCA_ST_PARSE);

    st = commands[i].fn(e, &c, out, &olen);
    if (st != TL_ATCA_ST_OK || olen == 0)
        return status_packet(rsp, st);
    if (olen > TL_EMU__OUT_MAX)       /* a handler bug; never send garbage */
        return status_packet(rsp, TL_ATCA_ST_EXEC);
    memcpy(rsp + 1, out, olen);
    return finish(rsp, olen);
}
