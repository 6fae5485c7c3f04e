/*
 * GenKey, ECDH, PrivWrite: the P-256 key commands, all on BearSSL
 * (br_ec_p256_m15), no big-number code here. Keys on the wire are X||Y
 * (64 bytes). Sign and Verify are in tl_emu_cmd_sign.c.
 *
 * Digest and IO-protection layouts follow Microchip's host-side helpers in
 * cryptoauthlib (lib/host/atca_host.c: atcah_gen_key_msg, atcah_io_decrypt),
 * which compute what the chip computes.
 */
#include <string.h>

#include "tl_emu_internal.h"

#define CURVE BR_EC_secp256r1
#define EC (&br_ec_p256_m15)

/* ReadKey bits of a private-key slot. */
#define RK_ECDH 0x4u
#define RK_WRITE_ECDH 0x8u

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

#define GK_PRIVATE 0x04u
#define GK_DIGEST 0x08u
#define GK_PUBKEY_DIGEST 0x10u

/*
 * The GenKey digest into TempKey: SHA-256 of TempKey[32], opcode, then
 * either mode and KeyID[2] (mode bit 3) or the 3 bytes of OtherData (mode
 * bit 4), SN[8], SN[0:1], 25 zeros, X||Y. The old TempKey must be valid:
 * it is what makes the digest fresh.
 */
static void pubkey_digest(tl_emu *e, const tl_emu__cmd *c, const uint8_t pub[64])
{
    static const uint8_t zeros[25];
    uint8_t head[7];
    br_sha256_context h;
    head[0] = TL_ATCA_OP_GENKEY;
    if (c->p1 & GK_PUBKEY_DIGEST) {
        memcpy(head + 1, c->data, 3);
    } else {
        head[1] = c->p1;
        head[2] = (uint8_t)c->p2;
        head[3] = (uint8_t)(c->p2 >> 8);
    }
    tl_emu__sn_short(e, head + 4);
    br_sha256_init(&h);
    br_sha256_update(&h, e->tempkey, 32);
    br_sha256_update(&h, head, sizeof head);
    br_sha256_update(&h, zeros, sizeof zeros);
    br_sha256_update(&h, pub, 64);
    br_sha256_out(&h, e->tempkey);
    e->tk_len = 32;
    e->tk_flags = (uint16_t)((e->tk_flags & TL_EMU__TK_SOURCE) | TL_EMU__TK_VALID |
                             TL_EMU__TK_GENKEY | (c->p2 & TL_EMU__TK_KEYID_MASK));
}

/*
 * Mode 0x10: digest of the P-256 public key stored in a slot (KeyConfig
 * KeyType P256, not Private). The chip stores it as 72 bytes, each of X and
 * Y behind 4 pad bytes.
 */
static uint8_t genkey_stored_digest(tl_emu *e, const tl_emu__cmd *c)
{
    uint16_t kc;
    uint8_t pub[64];
    const uint8_t *s;
    if (c->p1 != GK_PUBKEY_DIGEST || c->dlen != 3 || c->p2 >= TL_ATCA_SLOT_COUNT)
        return TL_ATCA_ST_PARSE;
    kc = tl_emu__key_config(e, c->p2);
    if (!tl_emu__config_locked(e) || (kc & TL_EMU__KC_PRIVATE) ||
        TL_EMU__KC_KEYTYPE(kc) != TL_EMU__KEYTYPE_P256 || tl_atca_slot_size(c->p2) < 72 ||
        !(e->tk_flags & TL_EMU__TK_VALID))
        return TL_ATCA_ST_EXEC;
    s = tl_emu__slot(e, c->p2);
    memcpy(pub, s + 4, 32);
    memcpy(pub + 32, s + 40, 32);
    pubkey_digest(e, c, pub);
    return TL_ATCA_ST_OK;
}

uint8_t tl_emu__cmd_genkey(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen)
{
    unsigned slot = c->p2;
    int is608 = e->model == TL_ATCA_MODEL_608A;
    int digest = (c->p1 & GK_DIGEST) != 0;
    /* Modes: 0x04 private, 0x00 public, either with 0x08 (digest of the
     * result into TempKey, the key still returned), 0x10 digest of a
     * stored public key (status only). The 608A's 0x20 (MAC of the new
     * public key) is not implemented. KeyId 0xFFFF (608A) puts a new key
     * in TempKey. */
    if (c->p1 & GK_PUBKEY_DIGEST)
        return genkey_stored_digest(e, c);
    if ((c->p1 & ~(GK_PRIVATE | GK_DIGEST)) || (c->dlen != 0 && c->dlen != 3))
        return TL_ATCA_ST_PARSE;
    if (slot >= TL_ATCA_SLOT_COUNT && !(is608 && slot == 0xFFFF && c->p1 == GK_PRIVATE))
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
    if (!tl_emu__is_p256_private(e, slot) || (digest && !(e->tk_flags & TL_EMU__TK_VALID)))
        return TL_ATCA_ST_EXEC;
    if (c->p1 & GK_PRIVATE) {
        if (tl_emu__data_locked(e) &&
            (tl_emu__slot_locked(e, slot) ||
             !(tl_emu__slot_config(e, slot) & TL_EMU__SC_GENKEY_OK)))
            return TL_ATCA_ST_EXEC;
        memset(tl_emu__slot(e, slot), 0, TL_EMU__PRIV_OFFSET);
        if (!make_key(e, tl_emu__priv(e, slot)))
            return TL_ATCA_ST_EXEC;
        e->ee.key_valid |= (uint16_t)(1u << slot);
        e->dirty = 1;
    } else if (!tl_emu__has_key(e, slot)) {
        return TL_ATCA_ST_EXEC;
    }
    if (!public_of(tl_emu__priv(e, slot), out))
        return TL_ATCA_ST_EXEC;
    if (digest)
        pubkey_digest(e, c, out);
    *olen = 64;
    return TL_ATCA_ST_OK;
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

/*
 * 608A IO protection of ECDH output: out = secret XOR SHA-256(IOKey ||
 * nonce[0:16]), followed by the 32-byte nonce (a fresh random number). The
 * datasheet's note on ChipOptions.ECDHProt: 1 encrypts every output to the
 * buffer whatever the mode asks. We read 2 as "output only to a slot or
 * TempKey" (buffer output refused) and treat 3 (reserved) the same way;
 * these two values are not described in the material we could source.
 */
static uint8_t ecdh_output(tl_emu *e, int encrypt, const uint8_t x[32], uint8_t *out,
                           size_t *olen)
{
    unsigned prot = TL_EMU__CO_ECDHPROT(tl_emu__chip_options(e));
    const uint8_t *io = tl_emu__io_key(e);
    uint8_t k[32];
    br_sha256_context h;
    size_t i;
    if (prot >= 2)
        return TL_ATCA_ST_EXEC;
    if (!encrypt && prot != 1) {
        memcpy(out, x, 32);
        *olen = 32;
        return TL_ATCA_ST_OK;
    }
    if (!io)
        return TL_ATCA_ST_EXEC;
    tl_emu__random(e, out + 32, 32);
    br_sha256_init(&h);
    br_sha256_update(&h, io, 32);
    br_sha256_update(&h, out + 32, 16);
    br_sha256_out(&h, k);
    for (i = 0; i < 32; i++)
        out[i] = (uint8_t)(x[i] ^ k[i]);
    *olen = 64;
    return TL_ATCA_ST_OK;
}

uint8_t tl_emu__cmd_ecdh(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen)
{
    int is608 = e->model == TL_ATCA_MODEL_608A;
    int from_tk = c->p1 & 0x01, encrypt = (c->p1 & 0x02) != 0;
    unsigned copy = c->p1 & 0x0Cu, slot = c->p2;
    const uint8_t *priv;
    uint8_t g[65];
    /* 508A: mode 0x00 (and 0x0C, same as 0x00 without WriteECDH).
     * 608A: bit 0 key source, bit 1 encrypted output (IO protection key;
     * it applies only to output to the buffer), bits 3:2 destination. */
    if ((c->p1 & 0xF0u) || c->dlen != 64 || slot >= TL_ATCA_SLOT_COUNT)
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
        if (!tl_emu__has_key(e, slot) ||
            !(TL_EMU__SC_READKEY(tl_emu__slot_config(e, slot)) & RK_ECDH))
            return TL_ATCA_ST_EXEC;
        priv = tl_emu__priv(e, slot);
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
    return ecdh_output(e, encrypt, g + 1, out, olen);
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
    memcpy(tl_emu__priv(e, slot), value + 4, 32);
    e->ee.key_valid |= (uint16_t)(1u << slot);
    e->dirty = 1;
    return TL_ATCA_ST_OK;
}
