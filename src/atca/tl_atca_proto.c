/* CRC, slot sizes and execution-time tables of the ATECC508A/608A. */
#include "tl_atca_proto.h"

uint16_t tl_atca_crc16(const uint8_t *data, size_t len)
{
    uint16_t reg = 0;
    size_t i;
    for (i = 0; i < len; i++) {
        uint8_t mask;
        for (mask = 1; mask; mask <<= 1) {
            unsigned data_bit = (data[i] & mask) ? 1u : 0u;
            unsigned crc_bit = (unsigned)(reg >> 15);
            reg = (uint16_t)(reg << 1);
            if (data_bit != crc_bit)
                reg ^= 0x8005;
        }
    }
    return reg;
}

void tl_atca_crc(const uint8_t *data, size_t len, uint8_t crc[2])
{
    uint16_t r = tl_atca_crc16(data, len);
    crc[0] = (uint8_t)(r & 0xFF);
    crc[1] = (uint8_t)(r >> 8);
}

size_t tl_atca_slot_size(unsigned slot)
{
    if (slot < 8)
        return 36;
    if (slot == 8)
        return 416;
    if (slot < 16)
        return 72;
    return 0;
}

/* lib/calib/calib_execution.c; 608A at clock divider M0. A 0 means the
 * model lacks the command (HMAC and Pause: 508A only; AES, KDF, SecureBoot,
 * SelfTest: 608A only). */
static const struct { uint8_t op; uint16_t ms508, ms608; } exec_times[] = {
    { TL_ATCA_OP_CHECKMAC, 13, 40 },   { TL_ATCA_OP_COUNTER, 20, 25 },
    { TL_ATCA_OP_DERIVEKEY, 50, 50 },  { TL_ATCA_OP_ECDH, 58, 75 },
    { TL_ATCA_OP_GENDIG, 11, 25 },     { TL_ATCA_OP_GENKEY, 115, 115 },
    { TL_ATCA_OP_HMAC, 23, 0 },        { TL_ATCA_OP_INFO, 2, 5 },
    { TL_ATCA_OP_LOCK, 32, 35 },       { TL_ATCA_OP_MAC, 14, 55 },
    { TL_ATCA_OP_NONCE, 29, 20 },      { TL_ATCA_OP_PAUSE, 3, 0 },
    { TL_ATCA_OP_PRIVWRITE, 48, 50 },  { TL_ATCA_OP_RANDOM, 23, 23 },
    { TL_ATCA_OP_READ, 5, 5 },         { TL_ATCA_OP_SHA, 9, 36 },
    { TL_ATCA_OP_SIGN, 60, 115 },      { TL_ATCA_OP_UPDATEEXTRA, 10, 10 },
    { TL_ATCA_OP_VERIFY, 72, 105 },    { TL_ATCA_OP_WRITE, 26, 45 },
    { TL_ATCA_OP_AES, 0, 27 },         { TL_ATCA_OP_KDF, 0, 165 },
    { TL_ATCA_OP_SECUREBOOT, 0, 80 },  { TL_ATCA_OP_SELFTEST, 0, 250 },
};

unsigned tl_atca_exec_ms(tl_atca_model model, uint8_t opcode)
{
    size_t i;
    for (i = 0; i < sizeof exec_times / sizeof exec_times[0]; i++) {
        if (exec_times[i].op != opcode)
            continue;
        return model == TL_ATCA_MODEL_608A ? exec_times[i].ms608 : exec_times[i].ms508;
    }
    return 0;
}
