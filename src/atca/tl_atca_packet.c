/* The pure codec: command packets, response parsing, status mapping. */
#include <string.h>

#include "tl_atca.h"

void tl_atca_init(tl_atca_device *dev, const tl_bus_class **bus)
{
    memset(dev, 0, sizeof *dev);
    dev->bus = bus;
    dev->model = TL_ATCA_MODEL_UNKNOWN;
    dev->max_retries = TL_ATCA_MAX_RETRIES;
    dev->last_error = TL_ATCA_OK;
}

tl_atca_status tl_atca_last_error(const tl_atca_device *dev)
{
    return dev->last_error;
}

void tl_atca_clear_error(tl_atca_device *dev)
{
    dev->last_error = TL_ATCA_OK;
    dev->last_chip_status = 0;
}

tl_atca_status tl_atca__fail(tl_atca_device *dev, tl_atca_status st)
{
    if (st != TL_ATCA_OK)
        dev->last_error = st;
    return st;
}

const char *tl_atca_model_name(tl_atca_model m)
{
    switch (m) {
    case TL_ATCA_MODEL_508A: return "ATECC508A";
    case TL_ATCA_MODEL_608A: return "ATECC608A";
    default: return "unknown";
    }
}

tl_atca_status tl_atca_status_from_byte(uint8_t b)
{
    switch (b) {
    case TL_ATCA_ST_OK: return TL_ATCA_OK;
    case TL_ATCA_ST_MISCOMPARE: return TL_ATCA_ERR_MISCOMPARE;
    case TL_ATCA_ST_PARSE: return TL_ATCA_ERR_PARSE;
    case TL_ATCA_ST_ECC_FAULT: return TL_ATCA_ERR_ECC_FAULT;
    case TL_ATCA_ST_SELFTEST: return TL_ATCA_ERR_SELFTEST;
    case TL_ATCA_ST_HEALTH: return TL_ATCA_ERR_HEALTH;
    case TL_ATCA_ST_EXEC: return TL_ATCA_ERR_EXEC;
    case TL_ATCA_ST_AFTER_WAKE: return TL_ATCA_ERR_AFTER_WAKE;
    case TL_ATCA_ST_WATCHDOG: return TL_ATCA_ERR_WATCHDOG;
    case TL_ATCA_ST_COMM: return TL_ATCA_ERR_CHIP_COMM;
    default: return TL_ATCA_ERR_CHIP_STATUS;
    }
}

#if TL_ATCA_STATUS_TEXT
const char *tl_atca_status_text(tl_atca_status st)
{
    switch (st) {
    case TL_ATCA_OK: return "ok";
    case TL_ATCA_ERR_MISCOMPARE: return "miscompare (0x01)";
    case TL_ATCA_ERR_PARSE: return "parse error (0x03)";
    case TL_ATCA_ERR_ECC_FAULT: return "ECC fault (0x05)";
    case TL_ATCA_ERR_SELFTEST: return "self-test error (0x07)";
    case TL_ATCA_ERR_HEALTH: return "health test error (0x08)";
    case TL_ATCA_ERR_EXEC: return "execution error (0x0F)";
    case TL_ATCA_ERR_AFTER_WAKE: return "command lost after wake (0x11)";
    case TL_ATCA_ERR_WATCHDOG: return "watchdog about to expire (0xEE)";
    case TL_ATCA_ERR_CHIP_COMM: return "communication error (0xFF)";
    case TL_ATCA_ERR_CHIP_STATUS: return "unknown chip status";
    case TL_ATCA_ERR_BAD_COUNT: return "response with a bad count byte";
    case TL_ATCA_ERR_BAD_CRC: return "response with a bad CRC";
    case TL_ATCA_ERR_BAD_LENGTH: return "response of unexpected length";
    case TL_ATCA_ERR_NO_WAKE: return "chip does not wake";
    case TL_ATCA_ERR_TIMEOUT: return "chip did not answer in time";
    case TL_ATCA_ERR_BUS: return "bus error";
    case TL_ATCA_ERR_RETRIES: return "too many communication errors";
    case TL_ATCA_ERR_ARG: return "bad argument";
    case TL_ATCA_ERR_UNSUPPORTED: return "not supported by this chip model";
    case TL_ATCA_ERR_NOT_LOCKED: return "zone not locked";
    case TL_ATCA_ERR_CONFIG_MISMATCH: return "configuration did not read back as written";
    }
    return "unknown error";
}
#else
const char *tl_atca_status_text(tl_atca_status st)
{
    static const char number[][4] = { "#0",  "#1",  "#2",  "#3",  "#4",  "#5",  "#6",  "#7",
                                      "#8",  "#9",  "#10", "#11", "#12", "#13", "#14", "#15",
                                      "#16", "#17", "#18", "#19", "#20", "#21" };
    /* One number per status: CONFIG_MISMATCH is the last. */
    typedef char one_per_status[sizeof number / sizeof number[0] ==
                                        TL_ATCA_ERR_CONFIG_MISMATCH + 1 ? 1 : -1];
    (void)sizeof(one_per_status);
    if ((unsigned)st >= sizeof number / sizeof number[0])
        return "#?";
    return number[st];
}
#endif

size_t tl_atca_build_packet(uint8_t *out, size_t cap, uint8_t opcode, uint8_t p1,
                            uint16_t p2, const uint8_t *data, size_t dlen)
{
    size_t n = TL_ATCA_CMD_MIN + dlen;
    if (n > TL_ATCA_CMD_MAX || n > cap || (dlen && !data))
        return 0;
    out[0] = (uint8_t)n;
    out[1] = opcode;
    out[2] = p1;
    out[3] = (uint8_t)(p2 & 0xFF);
    out[4] = (uint8_t)(p2 >> 8);
    if (dlen)
        memcpy(out + 5, data, dlen);
    tl_atca_crc(out, n - 2, out + n - 2);
    return n;
}

tl_atca_status tl_atca_parse_response(const uint8_t *rsp, size_t len, uint8_t *data,
                                      size_t cap, size_t *data_len,
                                      uint8_t *chip_status)
{
    uint8_t crc[2];
    size_t n;
    if (data_len)
        *data_len = 0;
    if (!rsp || len < 4 || len > TL_ATCA_RSP_MAX || rsp[0] != len)
        return TL_ATCA_ERR_BAD_COUNT;
    tl_atca_crc(rsp, len - 2, crc);
    if (crc[0] != rsp[len - 2] || crc[1] != rsp[len - 1])
        return TL_ATCA_ERR_BAD_CRC;
    if (len == 4) {
        if (chip_status)
            *chip_status = rsp[1];
        return tl_atca_status_from_byte(rsp[1]);
    }
    n = len - 3;
    if (!data || n > cap)
        return TL_ATCA_ERR_BAD_LENGTH;
    memcpy(data, rsp + 1, n);
    if (data_len)
        *data_len = n;
    if (chip_status)
        *chip_status = TL_ATCA_ST_OK;
    return TL_ATCA_OK;
}
