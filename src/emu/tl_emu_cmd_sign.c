/*
 * Sign (external and internal) and Verify (external, with the 608A's
 * optional output MAC), on BearSSL's P-256 ECDSA (RFC 6979 nonces).
 *
 * Message layouts follow Microchip's host-side helpers in cryptoauthlib
 * (lib/host/atca_host.c: atcah_sign_internal_msg, atcah_verify_mac), which
 * compute what the chip computes.
 */
#include <string.h>

#include "tl_emu_internal.h"

#define CURVE BR_EC_secp256r1
#define EC (&br_ec_p256_m15)

/* ReadKey bits of a private-key slot. */
#define RK_EXTSIG 0x1u
#define RK_INTSIG 0x2u

#define SIGN_INCLUDE_SN 0x40u
#define SIGN_EXTERNAL 0x80u
#define SRC_MSGDIG 0x20u
#define VERIFY_MAC 0x80u

static uint8_t sign_digest(tl_emu *e, unsigned slot, const uint8_t digest[32], uint8_t *out,
                           size_t *olen)
{
    br_ec_private_key sk;
    sk.curve = CURVE;
    sk.x = tl_emu__priv(e, slot);
    sk.xlen = 32;
    if (br_ecdsa_i31_sign_raw(EC, &br_sha256_vtable, digest, &sk, out) != 64)
        return TL_ATCA_ST_EXEC;
    *olen = 64;
    return TL_ATCA_ST_OK;
}

/*
 * Internal sign: the chip signs SHA-256 of a 55-byte message it builds
 * itself, so a host can prove a key or digest came from this chip:
 *   TempKey[32], opcode, mode, KeyID[2], SlotConfig[TK.KeyId][2],
 *   KeyConfig[TK.KeyId][2], TempKey flags byte, 2 zero bytes (UseFlag and
 *   UpdateCount exist on the 108A only), SN[8], SN[4:7] or zeros, SN[0:1],
 *   SN[2:3] or zeros (SN bytes with mode bit 6), SlotLocked bit of TK.KeyId
 *   (0 locked, 1 unlocked), PubKey-valid byte (0: this emulator keeps no
 *   validated public keys), 0x00.
 */
static uint8_t sign_internal(tl_emu *e, const tl_emu__cmd *c, unsigned rk, uint8_t *out,
                             size_t *olen)
{
    unsigned kid = e->tk_flags & TL_EMU__TK_KEYID_MASK;
    uint16_t sc = tl_emu__slot_config(e, kid), kc = tl_emu__key_config(e, kid);
    const uint8_t *cfg = e->ee.config;
    uint8_t msg[55], digest[32], st;
    br_sha256_context h;
    /* IntSig, and a TempKey that the chip itself made (GenDig or GenKey
     * digest): a Nonce pass-through would let the host choose the message. */
    if (!(rk & RK_INTSIG) || !(e->tk_flags & TL_EMU__TK_VALID) ||
        !(e->tk_flags & (TL_EMU__TK_GENDIG | TL_EMU__TK_GENKEY)))
        return TL_ATCA_ST_EXEC;
    memset(msg, 0, sizeof msg);
    memcpy(msg, e->tempkey, 32);
    msg[32] = TL_ATCA_OP_SIGN;
    msg[33] = c->p1;
    msg[34] = (uint8_t)c->p2;
    msg[35] = (uint8_t)(c->p2 >> 8);
    msg[36] = (uint8_t)sc;
    msg[37] = (uint8_t)(sc >> 8);
    msg[38] = (uint8_t)kc;
    msg[39] = (uint8_t)(kc >> 8);
    msg[40] = (uint8_t)e->tk_flags;
    msg[43] = cfg[12];
    msg[48] = cfg[0];
    msg[49] = cfg[1];
    if (c->p1 & SIGN_INCLUDE_SN) {
        memcpy(msg + 44, cfg + 8, 4);
        memcpy(msg + 50, cfg + 2, 2);
    }
    msg[52] = tl_emu__slot_locked(e, kid) ? 0x00 : 0x01;
    br_sha256_init(&h);
    br_sha256_update(&h, msg, sizeof msg);
    br_sha256_out(&h, digest);
    st = sign_digest(e, c->p2, digest, out, olen);
    e->tk_flags = 0;
    return st;
}

uint8_t tl_emu__cmd_sign(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen)
{
    unsigned slot = c->p2, rk;
    int is608 = e->model == TL_ATCA_MODEL_608A;
    int external = (c->p1 & SIGN_EXTERNAL) != 0;
    int from_msgdig = (c->p1 & SRC_MSGDIG) != 0;
    const uint8_t *msg;
    uint8_t st;
    /* 0x80 external, 0x00 internal, 0x40 include SN (internal), 0x20 source
     * MsgDigBuf (608A, external). Mode 0x01 (sign for Verify invalidate) is
     * not implemented: parse error. */
    if ((c->p1 & ~0xE0u) || (from_msgdig && (!is608 || !external)) ||
        slot >= TL_ATCA_SLOT_COUNT || c->dlen != 0)
        return TL_ATCA_ST_PARSE;
    if (!tl_emu__config_locked(e) || !tl_emu__data_locked(e) || !tl_emu__has_key(e, slot))
        return TL_ATCA_ST_EXEC;
    rk = TL_EMU__SC_READKEY(tl_emu__slot_config(e, slot));
    if (!external)
        return sign_internal(e, c, rk, out, olen);
    if (!(rk & RK_EXTSIG))
        return TL_ATCA_ST_EXEC;
    if (from_msgdig) {
        if (!e->msgdig_valid)
            return TL_ATCA_ST_EXEC;
        msg = e->msgdig;
    } else {
        if (!(e->tk_flags & TL_EMU__TK_VALID))
            return TL_ATCA_ST_EXEC;
        msg = e->tempkey;
    }
    st = sign_digest(e, slot, msg, out, olen);
    /* The message is consumed: the host loads a new one for every Sign. */
    e->tk_flags = 0;
    e->msgdig_valid = 0;
    return st;
}

/* Is X||Y a point of the curve? (mul rejects anything else.) */
static int valid_point(const uint8_t xy[64])
{
    static const uint8_t one[1] = { 1 };
    uint8_t g[65];
    g[0] = 0x04;
    memcpy(g + 1, xy, 64);
    return EC->mul(g, sizeof g, one, sizeof one, CURVE) == 1;
}

/*
 * 608A Verify with mode bit 7: on success the chip answers with a MAC that
 * proves the result came from it, keyed by the IO protection key:
 * SHA-256(IOKey, message, system nonce, signature, opcode, mode, param2).
 * The system nonce is MsgDigBuf[32:64] when the message is MsgDigBuf[0:32],
 * else MsgDigBuf[0:32] (message in TempKey).
 */
static uint8_t verify_mac(tl_emu *e, const tl_emu__cmd *c, const uint8_t *msg,
                          uint8_t *out, size_t *olen)
{
    const uint8_t *io = tl_emu__io_key(e), *nonce;
    uint8_t tail[4];
    br_sha256_context h;
    int from_msgdig = (c->p1 & SRC_MSGDIG) != 0;
    if (!io || e->msgdig_valid < (from_msgdig ? 64u : 32u))
        return TL_ATCA_ST_EXEC;
    nonce = from_msgdig ? e->msgdig + 32 : e->msgdig;
    tail[0] = TL_ATCA_OP_VERIFY;
    tail[1] = c->p1;
    tail[2] = (uint8_t)c->p2;
    tail[3] = (uint8_t)(c->p2 >> 8);
    br_sha256_init(&h);
    br_sha256_update(&h, io, 32);
    br_sha256_update(&h, msg, 32);
    br_sha256_update(&h, nonce, 32);
    br_sha256_update(&h, c->data, 64);
    br_sha256_update(&h, tail, sizeof tail);
    br_sha256_out(&h, out);
    *olen = 32;
    return TL_ATCA_ST_OK;
}

uint8_t tl_emu__cmd_verify(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen)
{
    int is608 = e->model == TL_ATCA_MODEL_608A;
    int from_msgdig = (c->p1 & SRC_MSGDIG) != 0, with_mac = (c->p1 & VERIFY_MAC) != 0;
    uint8_t msg[32], q[65], st = TL_ATCA_ST_OK;
    br_ec_public_key pk;
    /* External mode (0x02) only; stored/validate/invalidate are not
     * implemented. 608A: 0x20 takes the digest from the MsgDigBuf, 0x80
     * asks for the output MAC. */
    if ((c->p1 & ~0xA0u) != 0x02 || ((from_msgdig || with_mac) && !is608))
        return TL_ATCA_ST_PARSE;
    if (c->p2 != TL_EMU__KEYTYPE_P256 || c->dlen != 128)
        return TL_ATCA_ST_PARSE;
    if (from_msgdig ? !e->msgdig_valid : !(e->tk_flags & TL_EMU__TK_VALID))
        return TL_ATCA_ST_EXEC;
    memcpy(msg, from_msgdig ? e->msgdig : e->tempkey, 32);
    if (!valid_point(c->data + 64))
        return TL_ATCA_ST_ECC_FAULT;
    q[0] = 0x04;
    memcpy(q + 1, c->data + 64, 64);
    pk.curve = CURVE;
    pk.q = q;
    pk.qlen = sizeof q;
    if (!br_ecdsa_i31_vrfy_raw(EC, msg, 32, &pk, c->data, 64))
        st = TL_ATCA_ST_MISCOMPARE;
    else if (with_mac)
        st = verify_mac(e, c, msg, out, olen);
    e->tk_flags = 0;
    e->msgdig_valid = 0;
    return st;
}
