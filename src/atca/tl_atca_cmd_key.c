/* Random, Nonce, GenKey, Sign, Verify, ECDH: the key commands. */
#include <string.h>

#include "tl_atca_cmd.h"

/* Modes (ATECC-FACTS.md). */
#define NONCE_RAND 0x00
#define NONCE_PASS 0x03
#define GENKEY_PUBLIC 0x00
#define GENKEY_PRIVATE 0x04
#define GENKEY_DIGEST 0x08
#define GENKEY_PUBKEY_DIGEST 0x10
#define SIGN_INTERNAL 0x00
#define SIGN_INCLUDE_SN 0x40
#define SIGN_EXTERNAL 0x80
#define VERIFY_EXTERNAL 0x02
#define KEYTYPE_P256 0x0004
#define ECDH_OUT_CLEAR 0x00
#define ECDH_COPY_SLOT 0x04
#define ECDH_IOENC_BUFFER 0x0E
#define VERIFY_MSGDIG_MAC 0xA0

static tl_atca_status bad_slot(tl_atca_device *dev, unsigned slot)
{
    return slot >= TL_ATCA_SLOT_COUNT ? tl_atca__fail(dev, TL_ATCA_ERR_ARG) : TL_ATCA_OK;
}

tl_atca_status tl_atca_random(tl_atca_device *dev, uint8_t out[32])
{
    if (!out)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    return tl_atca_execute(dev, TL_ATCA_OP_RANDOM, 0x00, 0, NULL, 0, out, 32);
}

tl_atca_status tl_atca_nonce_rand(tl_atca_device *dev, const uint8_t numin[20],
                                  uint8_t rand_out[32])
{
    if (!numin || !rand_out)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    return tl_atca_execute(dev, TL_ATCA_OP_NONCE, NONCE_RAND, 0, numin, 20, rand_out, 32);
}

tl_atca_status tl_atca_nonce_load(tl_atca_device *dev, const uint8_t in[32])
{
    if (!in)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    return tl_atca_execute(dev, TL_ATCA_OP_NONCE, NONCE_PASS, 0, in, 32, NULL, 0);
}

tl_atca_status tl_atca_nonce_load_target(tl_atca_device *dev, uint8_t target,
                                         const uint8_t *in, size_t len)
{
    if (!in || (target != TL_ATCA_NONCE_TEMPKEY && target != TL_ATCA_NONCE_MSGDIGBUF &&
                target != TL_ATCA_NONCE_ALTKEYBUF) ||
        (len != 32 && len != 64) || (len == 64 && target == TL_ATCA_NONCE_ALTKEYBUF))
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    /* Bit 5: 64-byte input (608A). */
    return tl_atca_execute(dev, TL_ATCA_OP_NONCE,
                           (uint8_t)(NONCE_PASS | target | (len == 64 ? 0x20 : 0x00)), 0,
                           in, len, NULL, 0);
}

tl_atca_status tl_atca_genkey(tl_atca_device *dev, unsigned slot, uint8_t pub[64])
{
    uint8_t tmp[64];
    if (bad_slot(dev, slot))
        return TL_ATCA_ERR_ARG;
    return tl_atca_execute(dev, TL_ATCA_OP_GENKEY, GENKEY_PRIVATE, (uint16_t)slot, NULL, 0,
                           pub ? pub : tmp, 64);
}

tl_atca_status tl_atca_get_pubkey(tl_atca_device *dev, unsigned slot, uint8_t pub[64])
{
    if (bad_slot(dev, slot) || !pub)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    return tl_atca_execute(dev, TL_ATCA_OP_GENKEY, GENKEY_PUBLIC, (uint16_t)slot, NULL, 0,
                           pub, 64);
}

tl_atca_status tl_atca_genkey_digest(tl_atca_device *dev, unsigned slot,
                                     const uint8_t other[3])
{
    if (bad_slot(dev, slot) || !other)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    return tl_atca_execute(dev, TL_ATCA_OP_GENKEY, GENKEY_PUBKEY_DIGEST, (uint16_t)slot,
                           other, 3, NULL, 0);
}

tl_atca_status tl_atca_genkey_with_digest(tl_atca_device *dev, unsigned slot,
                                          int make_new, uint8_t pub[64])
{
    if (bad_slot(dev, slot) || !pub)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    return tl_atca_execute(dev, TL_ATCA_OP_GENKEY,
                           (uint8_t)(GENKEY_DIGEST | (make_new ? GENKEY_PRIVATE : 0)),
                           (uint16_t)slot, NULL, 0, pub, 64);
}

/*
 * Nonce pass-through of msg into TempKey, then the command that uses it.
 * The idle between the two keeps TempKey (sleep would not). Sign and Verify
 * consume TempKey: if the first run's response was lost and the resend then
 * finds TempKey gone (execution error with dev->reexecuted), load it again
 * and repeat the pair, a bounded number of times.
 */
static tl_atca_status with_tempkey(tl_atca_device *dev, const uint8_t msg[32], uint8_t op,
                                   uint8_t p1, uint16_t p2, const uint8_t *data,
                                   size_t dlen, uint8_t *rsp, size_t rsp_len)
{
    tl_atca_status saved = dev->last_error, st;
    unsigned i;
    for (i = 0;; i++) {
        st = tl_atca_nonce_load(dev, msg);
        if (st != TL_ATCA_OK)
            return st;
        st = tl_atca_execute(dev, op, p1, p2, data, dlen, rsp, rsp_len);
        if (st != TL_ATCA_ERR_EXEC || !dev->reexecuted || i >= dev->max_retries)
            return st;
        dev->last_error = saved;   /* recovered, not a failure */
        dev->retries++;
    }
}

tl_atca_status tl_atca_sign(tl_atca_device *dev, unsigned slot,
                            const uint8_t digest[32], uint8_t sig[64])
{
    if (bad_slot(dev, slot) || !digest || !sig)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    return with_tempkey(dev, digest, TL_ATCA_OP_SIGN, SIGN_EXTERNAL, (uint16_t)slot, NULL,
                        0, sig, 64);
}

tl_atca_status tl_atca_sign_internal(tl_atca_device *dev, unsigned slot,
                                     int include_sn, uint8_t sig[64])
{
    if (bad_slot(dev, slot) || !sig)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    return tl_atca_execute(dev, TL_ATCA_OP_SIGN,
                           (uint8_t)(SIGN_INTERNAL | (include_sn ? SIGN_INCLUDE_SN : 0)),
                           (uint16_t)slot, NULL, 0, sig, 64);
}

tl_atca_status tl_atca_verify_extern(tl_atca_device *dev, const uint8_t digest[32],
                                     const uint8_t sig[64], const uint8_t pub[64])
{
    uint8_t data[128];
    if (!digest || !sig || !pub)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    memcpy(data, sig, 64);
    memcpy(data + 64, pub, 64);
    return with_tempkey(dev, digest, TL_ATCA_OP_VERIFY, VERIFY_EXTERNAL, KEYTYPE_P256, data,
                        sizeof data, NULL, 0);
}

tl_atca_status tl_atca_ecdh(tl_atca_device *dev, unsigned slot, const uint8_t peer[64],
                            uint8_t out[32])
{
    if (bad_slot(dev, slot) || !peer || !out)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    /* Mode 0x00: on the 508A (and the 608A's compatible mode) the output
     * goes out in the clear unless the slot's WriteECDH bit sends it to
     * slot|1; the default layout leaves that bit clear. */
    return tl_atca_execute(dev, TL_ATCA_OP_ECDH, ECDH_OUT_CLEAR, (uint16_t)slot, peer, 64,
                           out, 32);
}

tl_atca_status tl_atca_ecdh_ioenc(tl_atca_device *dev, unsigned slot,
                                  const uint8_t peer[64], uint8_t enc[32],
                                  uint8_t nonce[32])
{
    uint8_t rsp[64];
    tl_atca_status st;
    if (bad_slot(dev, slot) || !peer || !enc || !nonce)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    if (dev->model != TL_ATCA_MODEL_608A)
        return tl_atca__fail(dev, TL_ATCA_ERR_UNSUPPORTED);
    st = tl_atca_execute(dev, TL_ATCA_OP_ECDH, ECDH_IOENC_BUFFER, (uint16_t)slot, peer, 64,
                         rsp, sizeof rsp);
    if (st == TL_ATCA_OK) {
        memcpy(enc, rsp, 32);
        memcpy(nonce, rsp + 32, 32);
    }
    return st;
}

tl_atca_status tl_atca_verify_extern_mac(tl_atca_device *dev, const uint8_t digest[32],
                                         const uint8_t sig[64], const uint8_t pub[64],
                                         const uint8_t sysnonce[32], uint8_t mac[32])
{
    uint8_t data[128], buf[64];
    tl_atca_status saved = dev->last_error, st;
    unsigned i;
    if (!digest || !sig || !pub || !sysnonce || !mac)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    if (dev->model != TL_ATCA_MODEL_608A)
        return tl_atca__fail(dev, TL_ATCA_ERR_UNSUPPORTED);
    memcpy(data, sig, 64);
    memcpy(data + 64, pub, 64);
    memcpy(buf, digest, 32);
    memcpy(buf + 32, sysnonce, 32);
    /* Verify consumes the MsgDigBuf: reload it when a resend finds it gone
     * (as with_tempkey does for TempKey). */
    for (i = 0;; i++) {
        st = tl_atca_nonce_load_target(dev, TL_ATCA_NONCE_MSGDIGBUF, buf, 64);
        if (st != TL_ATCA_OK)
            return st;
        st = tl_atca_execute(dev, TL_ATCA_OP_VERIFY, VERIFY_MSGDIG_MAC | VERIFY_EXTERNAL,
                             KEYTYPE_P256, data, sizeof data, mac, 32);
        if (st != TL_ATCA_ERR_EXEC || !dev->reexecuted || i >= dev->max_retries)
            return st;
        dev->last_error = saved;
        dev->retries++;
    }
}

tl_atca_status tl_atca_ecdh_to_slot(tl_atca_device *dev, unsigned slot,
                                    const uint8_t peer[64])
{
    uint8_t mode;
    if (bad_slot(dev, slot) || !peer)
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    /* 608A asks for the copy explicitly; the 508A only has its WriteECDH
     * SlotConfig bit, so mode 0x00 and the slot's config decide. */
    uint8_t scratch[32];
    size_t got = 0;
    tl_atca_status st;
    mode = dev->model == TL_ATCA_MODEL_608A ? ECDH_COPY_SLOT : ECDH_OUT_CLEAR;
    st = tl_atca_execute_var(dev, TL_ATCA_OP_ECDH, mode, (uint16_t)slot, peer, 64, scratch,
                             sizeof scratch, &got);
    if (st == TL_ATCA_OK && got != 0) {
        /* A 508A slot without WriteECDH sent the secret out instead. */
        memset(scratch, 0, sizeof scratch);
        return tl_atca__fail(dev, TL_ATCA_ERR_CONFIG_MISMATCH);
    }
    return st;
}
