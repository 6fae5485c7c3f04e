/* Info, detection, Read, Write and Lock: the zones and their addresses. */
#include <string.h>

#include "tl_atca_cmd.h"

tl_atca_status tl_atca_info(tl_atca_device *dev, uint8_t mode, uint16_t p2,
                            uint8_t out[4])
{
    return tl_atca_execute(dev, TL_ATCA_OP_INFO, mode, p2, NULL, 0, out, 4);
}

tl_atca_model tl_atca_model_from_revision(const uint8_t rev[4])
{
    if (rev[0] != 0x00 || rev[1] != 0x00)
        return TL_ATCA_MODEL_UNKNOWN;
    if (rev[2] == 0x50 && rev[3] == 0x00)
        return TL_ATCA_MODEL_508A;
    if (rev[2] == 0x60)   /* the last byte is the 608's silicon revision */
        return TL_ATCA_MODEL_608A;
    return TL_ATCA_MODEL_UNKNOWN;
}

tl_atca_status tl_atca_detect(tl_atca_device *dev, uint8_t rev[4])
{
    uint8_t r[4];
    tl_atca_status st = tl_atca_info(dev, 0x00, 0, r);
    if (st != TL_ATCA_OK)
        return st;
    if (rev)
        memcpy(rev, r, 4);
    dev->model = tl_atca_model_from_revision(r);
    if (dev->model == TL_ATCA_MODEL_UNKNOWN)
        return tl_atca__fail(dev, TL_ATCA_ERR_UNSUPPORTED);
    return TL_ATCA_OK;
}

tl_atca_status tl_atca_addr(uint8_t zone, unsigned slot, unsigned block,
                            unsigned offset, uint16_t *addr)
{
    if (offset > 7)
        return TL_ATCA_ERR_ARG;
    switch (zone) {
    case TL_ATCA_ZONE_CONFIG:
    case TL_ATCA_ZONE_OTP:
        if (block >= (zone == TL_ATCA_ZONE_CONFIG ? 4u : 2u))
            return TL_ATCA_ERR_ARG;
        *addr = (uint16_t)(block << 3 | offset);
        return TL_ATCA_OK;
    case TL_ATCA_ZONE_DATA:
        if (slot >= TL_ATCA_SLOT_COUNT || block * 32u + offset * 4u >= tl_atca_slot_size(slot))
            return TL_ATCA_ERR_ARG;
        *addr = (uint16_t)(slot << 3 | offset | block << 8);
        return TL_ATCA_OK;
    default:
        return TL_ATCA_ERR_ARG;
    }
}

/* param1 and param2 of a Read/Write, checked. */
static tl_atca_status zone_params(uint8_t zone, unsigned slot, unsigned block,
                                  unsigned offset, size_t len, uint8_t *p1, uint16_t *p2)
{
    if ((len != 4 && len != 32) || (len == 32 && offset != 0))
        return TL_ATCA_ERR_ARG;
    if (zone == TL_ATCA_ZONE_DATA && block * 32u + offset * 4u + len > tl_atca_slot_size(slot))
        return TL_ATCA_ERR_ARG;
    *p1 = (uint8_t)(zone | (len == 32 ? TL_ATCA_ZONE_32BYTES : 0));
    return tl_atca_addr(zone, slot, block, offset, p2);
}

tl_atca_status tl_atca_read(tl_atca_device *dev, uint8_t zone, unsigned slot,
                            unsigned block, unsigned offset, uint8_t *out, size_t len)
{
    uint8_t p1;
    uint16_t p2;
    tl_atca_status st = zone_params(zone, slot, block, offset, len, &p1, &p2);
    if (st != TL_ATCA_OK || !out)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    return tl_atca_execute(dev, TL_ATCA_OP_READ, p1, p2, NULL, 0, out, len);
}

tl_atca_status tl_atca_write(tl_atca_device *dev, uint8_t zone, unsigned slot,
                             unsigned block, unsigned offset, const uint8_t *data,
                             size_t len)
{
    uint8_t p1;
    uint16_t p2;
    tl_atca_status st = zone_params(zone, slot, block, offset, len, &p1, &p2);
    if (st != TL_ATCA_OK || !data)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    return tl_atca_execute(dev, TL_ATCA_OP_WRITE, p1, p2, data, len, NULL, 0);
}

tl_atca_status tl_atca_read_config(tl_atca_device *dev, uint8_t cfg[TL_ATCA_CONFIG_SIZE])
{
    unsigned b;
    for (b = 0; b < 4; b++) {
        tl_atca_status st = tl_atca_read(dev, TL_ATCA_ZONE_CONFIG, 0, b, 0, cfg + 32 * b, 32);
        if (st != TL_ATCA_OK)
            return st;
    }
    return TL_ATCA_OK;
}

tl_atca_status tl_atca_read_serial(tl_atca_device *dev, uint8_t sn[TL_ATCA_SN_SIZE])
{
    uint8_t blk[32];
    tl_atca_status st = tl_atca_read(dev, TL_ATCA_ZONE_CONFIG, 0, 0, 0, blk, 32);
    if (st != TL_ATCA_OK)
        return st;
    memcpy(sn, blk + TL_ATCA_CFG_SN03, 4);
    memcpy(sn + 4, blk + TL_ATCA_CFG_SN48, 5);
    return TL_ATCA_OK;
}

/* Walk a slot's first len bytes in 32-byte blocks, then 4-byte words. */
static tl_atca_status slot_io(tl_atca_device *dev, unsigned slot, uint8_t *rd,
                              const uint8_t *wr, size_t len)
{
    size_t pos = 0;
    if (slot >= TL_ATCA_SLOT_COUNT || len % 4 || len > tl_atca_slot_size(slot))
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    while (pos < len) {
        size_t n = (len - pos >= 32 && pos % 32 == 0) ? 32 : 4;
        unsigned block = (unsigned)(pos / 32), word = (unsigned)(pos % 32 / 4);
        tl_atca_status st = rd
            ? tl_atca_read(dev, TL_ATCA_ZONE_DATA, slot, block, word, rd + pos, n)
            : tl_atca_write(dev, TL_ATCA_ZONE_DATA, slot, block, word, wr + pos, n);
        if (st != TL_ATCA_OK)
            return st;
        pos += n;
    }
    return TL_ATCA_OK;
}

tl_atca_status tl_atca_read_slot(tl_atca_device *dev, unsigned slot, uint8_t *out,
                                 size_t len)
{
    if (!out)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    return slot_io(dev, slot, out, NULL, len);
}

tl_atca_status tl_atca_write_slot(tl_atca_device *dev, unsigned slot,
                                  const uint8_t *data, size_t len)
{
    if (!data)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    return slot_io(dev, slot, NULL, data, len);
}

tl_atca_status tl_atca_write_slot_key_config(tl_atca_device *dev,
                                             const uint8_t cfg[TL_ATCA_CONFIG_SIZE])
{
    /* Word-sized writes: SlotConfig (20-51) straddles blocks 0 and 1, and a
     * block write would also touch bytes (I2C address, ChipMode) that
     * provisioning must not change by accident. */
    unsigned at;
    for (at = TL_ATCA_CFG_SLOT_CONFIG; at < TL_ATCA_CFG_SLOT_CONFIG + 32; at += 4) {
        tl_atca_status st = tl_atca_write(dev, TL_ATCA_ZONE_CONFIG, 0, at / 32,
                                          at % 32 / 4, cfg + at, 4);
        if (st != TL_ATCA_OK)
            return st;
    }
    for (at = TL_ATCA_CFG_KEY_CONFIG; at < TL_ATCA_CONFIG_SIZE; at += 4) {
        tl_atca_status st = tl_atca_write(dev, TL_ATCA_ZONE_CONFIG, 0, at / 32,
                                          at % 32 / 4, cfg + at, 4);
        if (st != TL_ATCA_OK)
            return st;
    }
    return TL_ATCA_OK;
}

tl_atca_status tl_atca_lock_state(tl_atca_device *dev, int *config_locked,
                                  int *data_locked)
{
    uint8_t w[4];
    /* Bytes 84-87: UserExtra, Selector, LockValue, LockConfig. */
    tl_atca_status st = tl_atca_read(dev, TL_ATCA_ZONE_CONFIG, 0, 2, 5, w, 4);
    if (st != TL_ATCA_OK)
        return st;
    if (config_locked)
        *config_locked = w[TL_ATCA_CFG_LOCK_CONFIG - 84] != TL_ATCA_UNLOCKED;
    if (data_locked)
        *data_locked = w[TL_ATCA_CFG_LOCK_VALUE - 84] != TL_ATCA_UNLOCKED;
    return TL_ATCA_OK;
}

tl_atca_status tl_atca_lock(tl_atca_device *dev, uint8_t mode, uint16_t crc)
{
    return tl_atca_execute(dev, TL_ATCA_OP_LOCK, mode, crc, NULL, 0, NULL, 0);
}

/* Lock param1: zone in bits 1:0, slot in 5:2, 0x80 = do not check the CRC. */
#define LOCK_CONFIG 0x00
#define LOCK_DATA 0x01
#define LOCK_SLOT 0x02
#define LOCK_NO_CRC 0x80

tl_atca_status tl_atca_lock_config_zone(tl_atca_device *dev,
                                        const uint8_t cfg[TL_ATCA_CONFIG_SIZE])
{
    if (!cfg)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    return tl_atca_lock(dev, LOCK_CONFIG, tl_atca_crc16(cfg, TL_ATCA_CONFIG_SIZE));
}

tl_atca_status tl_atca_lock_data_zone(tl_atca_device *dev, const uint8_t *contents,
                                      size_t len)
{
    if (!contents)
        return tl_atca_lock(dev, LOCK_DATA | LOCK_NO_CRC, 0);
    return tl_atca_lock(dev, LOCK_DATA, tl_atca_crc16(contents, len));
}

tl_atca_status tl_atca_lock_slot(tl_atca_device *dev, unsigned slot,
                                 const uint8_t *contents, size_t len)
{
    uint8_t mode;
    if (slot >= TL_ATCA_SLOT_COUNT || (contents && len != tl_atca_slot_size(slot)))
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    mode = (uint8_t)(LOCK_SLOT | slot << 2);
    if (!contents)
        return tl_atca_lock(dev, mode | LOCK_NO_CRC, 0);
    return tl_atca_lock(dev, mode, tl_atca_crc16(contents, len));
}
