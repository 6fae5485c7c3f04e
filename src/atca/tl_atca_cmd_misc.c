/* SHA, GenDig, MAC, CheckMac, Counter, PrivWrite, UpdateExtra, SelfTest. */
#include <string.h>

#include "tl_atca_cmd.h"

#define SHA_START 0x00
#define SHA_UPDATE 0x01
#define SHA_END 0x02
#define SHA_HMAC_START 0x04
#define SHA_HMAC_END_508 0x05

tl_atca_status tl_atca_sha_start(tl_atca_device *dev)
{
    return tl_atca_execute(dev, TL_ATCA_OP_SHA, SHA_START, 0, NULL, 0, NULL, 0);
}

tl_atca_status tl_atca_sha_update(tl_atca_device *dev, const uint8_t block[64])
{
    if (!block)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    /* param2 carries the length: the 608A requires it, the 508A ignores it. */
    return tl_atca_execute(dev, TL_ATCA_OP_SHA, SHA_UPDATE, 64, block, 64, NULL, 0);
}

tl_atca_status tl_atca_sha_end(tl_atca_device *dev, const uint8_t *last, size_t len,
                               uint8_t digest[32])
{
    if (len > 63 || (len && !last) || !digest)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    return tl_atca_execute(dev, TL_ATCA_OP_SHA, SHA_END, (uint16_t)len, last, len,
                           digest, 32);
}

tl_atca_status tl_atca_sha256(tl_atca_device *dev, const uint8_t *msg, size_t len,
                              uint8_t digest[32])
{
    tl_atca_status st;
    if ((len && !msg) || !digest)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    if ((st = tl_atca_sha_start(dev)) != TL_ATCA_OK)
        return st;
    while (len >= 64) {
        if ((st = tl_atca_sha_update(dev, msg)) != TL_ATCA_OK)
            return st;
        msg += 64;
        len -= 64;
    }
    return tl_atca_sha_end(dev, msg, len, digest);
}

tl_atca_status tl_atca_hmac(tl_atca_device *dev, unsigned slot, const uint8_t *msg,
                            size_t len, uint8_t mac[32])
{
    tl_atca_status st;
    uint8_t end = dev->model == TL_ATCA_MODEL_608A ? SHA_END : SHA_HMAC_END_508;
    if (slot >= TL_ATCA_SLOT_COUNT || (len && !msg) || !mac)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    st = tl_atca_execute(dev, TL_ATCA_OP_SHA, SHA_HMAC_START, (uint16_t)slot, NULL, 0, NULL, 0);
    if (st != TL_ATCA_OK)
        return st;
    while (len >= 64) {
        if ((st = tl_atca_sha_update(dev, msg)) != TL_ATCA_OK)
            return st;
        msg += 64;
        len -= 64;
    }
    return tl_atca_execute(dev, TL_ATCA_OP_SHA, end, (uint16_t)len, msg, len, mac, 32);
}

tl_atca_status tl_atca_gendig(tl_atca_device *dev, uint8_t zone, uint16_t key_id,
                              const uint8_t *other, size_t olen)
{
    if (zone > 5 || (olen != 0 && olen != 4 && olen != 32) || (olen && !other))
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    return tl_atca_execute(dev, TL_ATCA_OP_GENDIG, zone, key_id, other, olen, NULL, 0);
}

tl_atca_status tl_atca_mac(tl_atca_device *dev, uint8_t mode, uint16_t key_id,
                           const uint8_t *challenge, uint8_t mac[32])
{
    /* Mode bit 0 set: the first 32 bytes come from TempKey, no challenge. */
    int takes_challenge = !(mode & 0x01);
    if (!mac || (takes_challenge && !challenge))
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    return tl_atca_execute(dev, TL_ATCA_OP_MAC, mode, key_id,
                           takes_challenge ? challenge : NULL, takes_challenge ? 32 : 0,
                           mac, 32);
}

tl_atca_status tl_atca_checkmac(tl_atca_device *dev, uint8_t mode, uint16_t key_id,
                                const uint8_t challenge[32], const uint8_t response[32],
                                const uint8_t other[13])
{
    uint8_t data[77];
    if (!challenge || !response || !other || (mode & ~0x27u))
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    memcpy(data, challenge, 32);
    memcpy(data + 32, response, 32);
    memcpy(data + 64, other, 13);
    return tl_atca_execute(dev, TL_ATCA_OP_CHECKMAC, mode, key_id, data, sizeof data,
                           NULL, 0);
}

tl_atca_status tl_atca_counter(tl_atca_device *dev, unsigned which, int increment,
                               uint32_t *value)
{
    uint8_t v[4];
    tl_atca_status st;
    if (which > 1 || !value)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    st = tl_atca_execute(dev, TL_ATCA_OP_COUNTER, increment ? 0x01 : 0x00,
                         (uint16_t)which, NULL, 0, v, 4);
    if (st != TL_ATCA_OK)
        return st;
    *value = (uint32_t)v[0] | (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16 |
             (uint32_t)v[3] << 24;
    return TL_ATCA_OK;
}

tl_atca_status tl_atca_privwrite(tl_atca_device *dev, unsigned slot,
                                 const uint8_t value[36], const uint8_t *mac)
{
    uint8_t data[68];
    if (slot >= TL_ATCA_SLOT_COUNT || !value)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    memcpy(data, value, 36);
    if (mac)
        memcpy(data + 36, mac, 32);
    else
        memset(data + 36, 0, 32);
    /* Zone byte 0x00: clear text (0x40 would mean encrypted with a MAC). */
    return tl_atca_execute(dev, TL_ATCA_OP_PRIVWRITE, 0x00, (uint16_t)slot, data,
                           sizeof data, NULL, 0);
}

tl_atca_status tl_atca_privwrite_enc(tl_atca_device *dev, unsigned slot,
                                     const uint8_t data[68])
{
    if (slot >= TL_ATCA_SLOT_COUNT || !data)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    return tl_atca_execute(dev, TL_ATCA_OP_PRIVWRITE, TL_ATCA_ZONE_ENCRYPTED, (uint16_t)slot,
                           data, 68, NULL, 0);
}

tl_atca_status tl_atca_updateextra(tl_atca_device *dev, uint8_t mode, uint16_t value)
{
    if (mode > 2)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    return tl_atca_execute(dev, TL_ATCA_OP_UPDATEEXTRA, mode, value, NULL, 0, NULL, 0);
}

tl_atca_status tl_atca_selftest(tl_atca_device *dev, uint8_t mode, uint8_t *failed)
{
    uint8_t r[4];
    size_t got = 0;
    tl_atca_status st;
    if (!failed)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    if (dev->model != TL_ATCA_MODEL_608A)
        return tl_atca__fail(dev, TL_ATCA_ERR_UNSUPPORTED);
    /* The one-byte result makes a 4-byte packet, which reads as a status:
     * 0x00 all passed, else the bits of the failed tests. */
    st = tl_atca_execute_var(dev, TL_ATCA_OP_SELFTEST, mode, 0, NULL, 0, r, sizeof r, &got);
    *failed = 0;
    if (st == TL_ATCA_OK)
        return st;
    /* A result made only of the requested tests' bits is a failed test; any
     * other byte is an ordinary status (a parse error for a bad mode). */
    if (dev->last_chip_status && !(dev->last_chip_status & (uint8_t)~mode) &&
        st != TL_ATCA_ERR_BUS && st != TL_ATCA_ERR_RETRIES) {
        *failed = dev->last_chip_status;
        return tl_atca__fail(dev, TL_ATCA_ERR_SELFTEST);
    }
    return st;
}
