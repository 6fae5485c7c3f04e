/*
 * GenKey, Sign, Verify, ECDH: the P-256 commands, all on BearSSL
 * (br_ec_p256_m15, RFC 6979 deterministic ECDSA), no big-number code here.
 * Keys on the wire are X||Y (64 bytes), signatures R||S (64 bytes).
 */
#include <string.h>

#include "tl_emu_internal.h"

#define CURVE BR_EC_secp256r1
#define EC (&br_ec_p256_m15)

/* ReadKey bits of a private-key slot. */
#define RK_EXTSIG 0x1u
#define RK_INTSIG 0x2u
#define RK_ECDH 0x4u
#define RK_WRITE_ECDH 0x8u

/* Usable private key in slot: KeyConfig says P-256 private and one was made. */
static int has_key(const tl_emu *e, unsigned slot)
{
    return tl_emu__is_p256_private(e, slot) && (e->ee.key_valid & (1u << slot));
}

static uint8_t *priv_of(tl_emu *e, unsigned slot)
{
    return tl_emu__slot(e, slot) + TL_EMU__PRIV_OFFSET;
}

/* The 64-byte X||Y public key of a 32-byte scalar; 0 on a bad scalar. */
static int public_of(const uint8_t *priv, uint8_t out[64])
{
    br_ec_private_key sk;
    br_ec_public_key pk;
    uint8_t buf[BR_EC_KBUF_PUB_MAX_SIZE];
    sk.curve = CURVE;
    sk.x = (unsigned char *)(uintptr_t)priv;
    sk.xlen = 32;
    if (br_ec_compute_pub(EC, &pk, buf, &sk) != 65)
        return 0;
    memcpy(out, buf + 1, 64);
    return 1;
}

/* A new private key from the chip's DRBG. */
static int make_key(tl_emu *e, uint8_t priv[32])
{
    br_hmac_drbg_context d;
    br_ec_private_key sk;
    uint8_t kbuf[BR_EC_KBUF_PRIV_MAX_SIZE];
    tl_emu__drbg(e, &d);
    if (br_ec_keygen(&d.vtable, EC, &sk, kbuf, CURVE) != 32)
        return 0;
    memcpy(priv, sk.x, 32);
    return 1;
}

uint8_t tl_emu__cmd_genkey(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen)
{
    unsigned slot = c->p2;
    int is608 = e->model == TL_ATCA_MODEL_608A;
    /* Modes 0x04 (private) and 0x00 (public) only; the digest modes are not
     * implemented. KeyId 0xFFFF (608) puts a new key in TempKey. */
    if ((c->p1 != 0x04 && c->p1 != 0x00) || (c->dlen != 0 && c->dlen != 3))
        return TL_ATCA_ST_PARSE;
    if (slot >= TL_ATCA_SLOT_COUNT && !(is608 && slot == 0xFFFF && c->p1 == 0x04))
        return TL_ATCA_ST_PARSE;
    if (!tl_emu__config_locked(e))
        return TL_ATCA_ST_EXEC;
    if (slot == 0xFFFF) {
        if (!make_key(e, e->tempkey) || !public_of(e->tempkey, out))
            return TL_ATCA_ST_EXEC;
        e->tk_len = 32;
        e->tk_flags = TL_EMU__TK_VALID | TL_EMU__TK_GENKEY;
        *olen = 64;
        return TL_ATCA_ST_OK;
    }
    if (!tl_emu__is_p256_private(e, slot))
        return TL_ATCA_ST_EXEC;
    if (c->p1 == 0x04) {
        if (tl_emu__data_locked(e) &&
            (tl_emu__slot_locked(e, slot) ||
             !(tl_emu__slot_config(e, slot) & TL_EMU__SC_GENKEY_OK)))
            return TL_ATCA_ST_EXEC;
        memset(tl_emu__slot(e, slot), 0, TL_EMU__PRIV_OFFSET);
        if (!make_key(e, priv_of(e, slot)))
            return TL_ATCA_ST_EXEC;
        e->ee.key_valid |= (uint16_t)(1u << slot);
        e->dirty = 1;
    } else if (!has_key(e, slot)) {
        return TL_ATCA_ST_EXEC;
    }
    if (!public_of(priv_of(e, slot), out))
        return TL_ATCA_ST_EXEC;
    *olen = 64;
    return TL_ATCA_ST_OK;
}

uint8_t tl_emu__cmd_sign(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen)
{
    unsigned slot = c->p2, rk;
    int is608 = e->model == TL_ATCA_MODEL_608A;
    int from_msgdig = (c->p1 & 0x20) != 0;
    const uint8_t *msg;
    br_ec_private_key sk;
    /* 0x80 external, 0x00 internal, 0x40 include SN, 0x20 MsgDigBuf (608).
     * Mode 0x01 (invalidate) is not implemented. */
    if ((c->p1 & ~0xE0u) || (from_msgdig && !is608) || slot >= TL_ATCA_SLOT_COUNT ||
        c->dlen != 0)
        return TL_ATCA_ST_PARSE;
    if (!tl_emu__config_locked(e) || !tl_emu__data_locked(e) || !has_key(e, slot))
        return TL_ATCA_ST_EXEC;
    rk = TL_EMU__SC_READKEY(tl_emu__slot_config(e, slot));
    if (!(c->p1 & 0x80)) {
        /* Internal sign needs IntSig and a TempKey made by GenDig or a
         * GenKey digest; this emulator implements neither, so it always
         * ends in an execution error, as it would on a chip without them. */
        (void)RK_INTSIG;
        return TL_ATCA_ST_EXEC;
    }
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
    sk.curve = CURVE;
    sk.x = priv_of(e, slot);
    sk.xlen = 32;
    if (br_ecdsa_i31_sign_raw(EC, &br_sha256_vtable, msg, &sk, out) != 64)
        return TL_ATCA_ST_EXEC;
    /* The message is consumed: the host loads a new one for every Sign. */
    e->tk_flags = 0;
    e->msgdig_valid = 0;
    *olen = 64;
    return TL_ATCA_ST_OK;
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

uint8_t tl_emu__cmd_verify(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen)
{
    int is608 = e->model == TL_ATCA_MODEL_608A;
    int from_msgdig = (c->p1 & 0x20) != 0;
    const uint8_t *msg;
    uint8_t q[65];
    br_ec_public_key pk;
    uint32_t ok;
    (void)out;
    (void)olen;
    /* External mode (0x02) only; stored/validate/invalidate are not
     * implemented. 608: 0x20 takes the digest from the MsgDigBuf. */
    if ((c->p1 & ~0x20u) != 0x02 || (from_msgdig && !is608))
        return TL_ATCA_ST_PARSE;
    if (c->p2 != TL_EMU__KEYTYPE_P256 || c->dlen != 128)
        return TL_ATCA_ST_PARSE;
    if (from_msgdig ? !e->msgdig_valid : !(e->tk_flags & TL_EMU__TK_VALID))
        return TL_ATCA_ST_EXEC;
    msg = from_msgdig ? e->msgdig : e->tempkey;
    if (!valid_point(c->data + 64))
        return TL_ATCA_ST_ECC_FAULT;
    q[0] = 0x04;
    memcpy(q + 1, c->data + 64, 64);
    pk.curve = CURVE;
    pk.q = q;
    pk.qlen = sizeof q;
    ok = br_ecdsa_i31_vrfy_raw(EC, msg, 32, &pk, c->data, 64);
    e->tk_flags = 0;
    e->msgdig_valid = 0;
    return ok ? TL_ATCA_ST_OK : TL_ATCA_ST_MISCOMPARE;
}

/* ECDH result into slot `dst` (the N|1 slot of the datasheet). */
static uint8_t store_secret(tl_emu *e, unsigned dst, const uint8_t x[32])
{
    if (dst >= TL_ATCA_SLOT_COUNT || tl_emu__is_p256_private(e, dst) ||
        tl_emu__slot_locked(e, dst))
        return TL_ATCA_ST_EXEC;
    memcpy(tl_emu__slot(e, dst), x, 32);
    e->ee.key_valid &= (uint16_t)~(1u << dst);
    e->dirty = 1;
    return TL_ATCA_ST_OK;
}

uint8_t tl_emu__cmd_ecdh(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen)
{
    int is608 = e->model == TL_ATCA_MODEL_608A;
    int from_tk = c->p1 & 0x01;
    unsigned copy = c->p1 & 0x0Cu, slot = c->p2;
    const uint8_t *priv;
    uint8_t g[65];
    /* 508A: mode 0x00 (and 0x0C, same as 0x00 without WriteECDH).
     * 608A: bit0 key source, bits 3:2 destination. Encrypted output
     * (bit 1) is not implemented. */
    if ((c->p1 & 0xF2u) || c->dlen != 64 || slot >= TL_ATCA_SLOT_COUNT)
        return TL_ATCA_ST_PARSE;
    if (!is608 && c->p1 != 0x00 && c->p1 != 0x0C)
        return TL_ATCA_ST_PARSE;
    if (!tl_emu__config_locked(e) || !tl_emu__data_locked(e))
        return TL_ATCA_ST_EXEC;
    if (from_tk) {
        if (!(e->tk_flags & TL_EMU__TK_VALID) || !(e->tk_flags & TL_EMU__TK_GENKEY))
            return TL_ATCA_ST_EXEC;
        priv = e->tempkey;
    } else {
        if (!has_key(e, slot) ||
            !(TL_EMU__SC_READKEY(tl_emu__slot_config(e, slot)) & RK_ECDH))
            return TL_ATCA_ST_EXEC;
        priv = priv_of(e, slot);
    }
    g[0] = 0x04;
    memcpy(g + 1, c->data, 64);
    if (EC->mul(g, sizeof g, priv, 32, CURVE) != 1)
        return TL_ATCA_ST_ECC_FAULT;
    if (copy == 0x00 && !from_tk &&
        (TL_EMU__SC_READKEY(tl_emu__slot_config(e, slot)) & RK_WRITE_ECDH))
        copy = 0x04;
    if (copy == 0x04)
        return store_secret(e, from_tk ? slot : (slot | 1u), g + 1);
    if (copy == 0x08) {
        memcpy(e->tempkey, g + 1, 32);
        e->tk_len = 32;
        e->tk_flags = TL_EMU__TK_VALID;
        return TL_ATCA_ST_OK;
    }
    memcpy(out, g + 1, 32);
    *olen = 32;
    return TL_ATCA_ST_OK;
}

/* 0 < k < n, compared as big-endian bytes (no arithmetic needed). */
static int valid_scalar(const uint8_t k[32])
{
    size_t n, i;
    const unsigned char *order = EC->order(CURVE, &n);
    int nonzero = 0;
    for (i = 0; i < 32; i++)
        nonzero |= k[i];
    if (!nonzero || n != 32)
        return 0;
    for (i = 0; i < 32; i++)
        if (k[i] != order[i])
            return k[i] < order[i];
    return 0;
}

/*
 * Encrypted PrivWrite (after the data lock): TempKey from GenDig over the
 * slot's WriteKey; value = data XOR (TempKey || SHA-256(TempKey)[0:4]); MAC
 * = SHA-256(TempKey, opcode, param1, param2, SN[8], SN[0:1], 21 zeros,
 * value). Returns the status; the 36-byte value lands in plain.
 */
static uint8_t privwrite_decrypt(tl_emu *e, const tl_emu__cmd *c, uint8_t plain[36])
{
    static const uint8_t zeros[21];
    uint16_t sc = tl_emu__slot_config(e, c->p2);
    unsigned wk = (sc >> 8) & 0xFu;
    uint8_t k2[32], head[7], mac[32], diff = 0;
    br_sha256_context h;
    size_t i;
    if (!(sc & TL_EMU__SC_PRIVWRITE_OK) || tl_emu__slot_locked(e, c->p2) ||
        !(e->tk_flags & TL_EMU__TK_VALID) || !(e->tk_flags & TL_EMU__TK_GENDIG) ||
        (e->tk_flags & TL_EMU__TK_KEYID_MASK) != wk)
        return TL_ATCA_ST_EXEC;
    br_sha256_init(&h);
    br_sha256_update(&h, e->tempkey, 32);
    br_sha256_out(&h, k2);
    for (i = 0; i < 36; i++)
        plain[i] = (uint8_t)(c->data[i] ^ (i < 32 ? e->tempkey[i] : k2[i - 32]));
    head[0] = TL_ATCA_OP_PRIVWRITE;
    head[1] = c->p1;
    head[2] = (uint8_t)c->p2;
    head[3] = (uint8_t)(c->p2 >> 8);
    head[4] = e->ee.config[12];
    head[5] = e->ee.config[0];
    head[6] = e->ee.config[1];
    br_sha256_init(&h);
    br_sha256_update(&h, e->tempkey, 32);
    br_sha256_update(&h, head, sizeof head);
    br_sha256_update(&h, zeros, sizeof zeros);
    br_sha256_update(&h, plain, 36);
    br_sha256_out(&h, mac);
    e->tk_flags = 0;
    for (i = 0; i < 32; i++)
        diff |= (uint8_t)(mac[i] ^ c->data[36 + i]);
    return diff ? TL_ATCA_ST_EXEC : TL_ATCA_ST_OK;
}

uint8_t tl_emu__cmd_privwrite(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen)
{
    unsigned slot = c->p2;
    int encrypted = (c->p1 & TL_ATCA_ZONE_ENCRYPTED) != 0;
    uint8_t value[36], st;
    (void)out;
    (void)olen;
    /* Data: 4 pad bytes + 32-byte scalar, then a 32-byte MAC. */
    if ((c->p1 & ~TL_ATCA_ZONE_ENCRYPTED) || slot >= TL_ATCA_SLOT_COUNT || c->dlen != 68)
        return TL_ATCA_ST_PARSE;
    if (!tl_emu__config_locked(e) || !tl_emu__is_p256_private(e, slot))
        return TL_ATCA_ST_EXEC;
    /* Before the data lock: the clear form only; after it: encrypted only. */
    if (encrypted != tl_emu__data_locked(e))
        return TL_ATCA_ST_EXEC;
    if (encrypted) {
        if ((st = privwrite_decrypt(e, c, value)) != TL_ATCA_ST_OK)
            return st;
    } else {
        memcpy(value, c->data, 36);
    }
    if (!valid_scalar(value + 4))
        return TL_ATCA_ST_EXEC;
    memset(tl_emu__slot(e, slot), 0, TL_EMU__PRIV_OFFSET);
    memcpy(priv_of(e, slot), value + 4, 32);
    e->ee.key_valid |= (uint16_t)(1u << slot);
    e->dirty = 1;
    return TL_ATCA_ST_OK;
}
