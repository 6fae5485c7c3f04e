/* Info, Random, Nonce, SHA, Counter, SelfTest: commands without slot policy. */
#include <string.h>

#include "tl_emu_internal.h"

uint8_t tl_emu__cmd_info(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen)
{
    if (c->dlen != 0 || c->p1 > 3)
        return TL_ATCA_ST_PARSE;
    memset(out, 0, 4);
    *olen = 4;
    switch (c->p1) {
    case 0:     /* revision: the RevNum bytes of the config zone */
        memcpy(out, e->ee.config + TL_ATCA_CFG_REVNUM, 4);
        break;
    case 1:     /* KeyValid of slot p2 */
        if (c->p2 >= TL_ATCA_SLOT_COUNT)
            return TL_ATCA_ST_PARSE;
        out[0] = tl_emu__is_p256_private(e, c->p2) && (e->ee.key_valid & (1u << c->p2)) ? 1 : 0;
        break;
    case 2:     /* State: the TempKey flags word, little-endian */
        out[0] = (uint8_t)e->tk_flags;
        out[1] = (uint8_t)(e->tk_flags >> 8);
        break;
    default:    /* GPIO: not wired in the emulator, reads 0 */
        break;
    }
    return TL_ATCA_ST_OK;
}

uint8_t tl_emu__cmd_random(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen)
{
    if (c->p1 > 1 || c->p2 != 0 || c->dlen != 0)
        return TL_ATCA_ST_PARSE;
    tl_emu__random(e, out, 32);
    *olen = 32;
    return TL_ATCA_ST_OK;
}

static uint8_t nonce_random(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen)
{
    br_sha256_context h;
    uint8_t tail[3];
    if (c->dlen != 20)
        return TL_ATCA_ST_PARSE;
    tl_emu__random(e, out, 32);
    /* TempKey = SHA-256(RandOut || NumIn || opcode || mode || 0x00). */
    tail[0] = TL_ATCA_OP_NONCE;
    tail[1] = c->p1;
    tail[2] = 0x00;
    br_sha256_init(&h);
    br_sha256_update(&h, out, 32);
    br_sha256_update(&h, c->data, 20);
    br_sha256_update(&h, tail, 3);
    br_sha256_out(&h, e->tempkey);
    e->tk_len = 32;
    e->tk_flags = TL_EMU__TK_VALID;     /* SourceFlag 0: random */
    *olen = 32;
    return TL_ATCA_ST_OK;
}

uint8_t tl_emu__cmd_nonce(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen)
{
    int is608 = e->model == TL_ATCA_MODEL_608A;
    unsigned mode = c->p1 & 0x03u, target = c->p1 & 0xC0u;
    size_t want = (c->p1 & 0x20) ? 64 : 32;
    if (mode == 0 || mode == 1)
        return c->p1 & ~0x03u ? TL_ATCA_ST_PARSE : nonce_random(e, c, out, olen);
    /* Pass-through. 608A: bit 5 = 64 bytes, bits 7:6 = target (0x00
     * TempKey, 0x40 MsgDigBuf, 0x80 AltKeyBuf, which holds 32 bytes). */
    if (mode != 3 || (c->p1 & 0x1Cu) || (!is608 && (c->p1 & ~0x03u)))
        return TL_ATCA_ST_PARSE;
    if (target == 0xC0 || (target == 0x80 && want != 32) || c->dlen != want)
        return TL_ATCA_ST_PARSE;
    if (target != 0x00) {
        if (target == 0x40) {
            memcpy(e->msgdig, c->data, want);
            e->msgdig_valid = (unsigned)want;
        } else {
            memcpy(e->altkey, c->data, 32);
            e->altkey_valid = 1;
        }
        /* cryptoauthlib's model of the chip (atcah_nonce) clears
         * TempKey.Valid when a pass-through goes to another buffer. */
        e->tk_flags = 0;
        return TL_ATCA_ST_OK;
    }
    memcpy(e->tempkey, c->data, want);
    e->tk_len = (unsigned)want;
    e->tk_flags = TL_EMU__TK_VALID | TL_EMU__TK_SOURCE;
    return TL_ATCA_ST_OK;
}

/* SHA mode 3 (cryptoauthlib: "add 64 byte ECC public key in the slot to the
 * SHA context"): X||Y of the P-256 public key stored in slot p2 (KeyConfig
 * P256, not Private), without the slot's pad bytes. */
static uint8_t sha_public(tl_emu *e, const tl_emu__cmd *c)
{
    uint16_t kc;
    const uint8_t *s;
    if (c->dlen != 0 || c->p2 >= TL_ATCA_SLOT_COUNT)
        return TL_ATCA_ST_PARSE;
    kc = tl_emu__key_config(e, c->p2);
    if (!e->sha_active || (kc & TL_EMU__KC_PRIVATE) ||
        TL_EMU__KC_KEYTYPE(kc) != TL_EMU__KEYTYPE_P256 || tl_atca_slot_size(c->p2) < 72)
        return TL_ATCA_ST_EXEC;
    s = tl_emu__slot(e, c->p2);
    if (e->sha_active == 2) {
        br_hmac_update(&e->hmac, s + 4, 32);
        br_hmac_update(&e->hmac, s + 40, 32);
    } else {
        br_sha256_update(&e->sha, s + 4, 32);
        br_sha256_update(&e->sha, s + 40, 32);
    }
    return TL_ATCA_ST_OK;
}

/* SHA: 0 start, 1 update, 2 end, 3 public key of a slot; 4 HMAC start with
 * the key in slot param2, HMAC end 5 (508A) or 2 (608A). The 608A's context
 * read/write (6, 7) is not implemented: the chip's context format is not in
 * the material we could source. */
uint8_t tl_emu__cmd_sha(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen)
{
    int is608 = e->model == TL_ATCA_MODEL_608A;
    br_hmac_key_context kc;
    switch (c->p1) {
    case 0:
    case 4:
        if (c->dlen != 0 || (c->p1 == 4 && c->p2 >= TL_ATCA_SLOT_COUNT))
            return TL_ATCA_ST_PARSE;
        if (c->p1 == 4) {
            if (!tl_emu__symmetric_key(e, c->p2))
                return TL_ATCA_ST_EXEC;
            br_hmac_key_init(&kc, &br_sha256_vtable, tl_emu__slot(e, c->p2), 32);
            br_hmac_init(&e->hmac, &kc, 32);
            e->sha_active = 2;
        } else {
            br_sha256_init(&e->sha);
            e->sha_active = 1;
        }
        /* The chip keeps the SHA context where TempKey lives. */
        e->tk_flags = 0;
        return TL_ATCA_ST_OK;
    case 3:
        return sha_public(e, c);
    case 1:
        /* 508A: exactly one 64-byte block; 608A: param2 bytes, up to 64. */
        if (is608 ? (c->dlen != c->p2 || c->dlen > 64) : c->dlen != 64)
            return TL_ATCA_ST_PARSE;
        if (!e->sha_active)
            return TL_ATCA_ST_EXEC;
        if (e->sha_active == 2)
            br_hmac_update(&e->hmac, c->data, c->dlen);
        else
            br_sha256_update(&e->sha, c->data, c->dlen);
        return TL_ATCA_ST_OK;
    case 2:
    case 5:
        if ((c->p1 == 5 && is608) || c->dlen != c->p2 || c->dlen > (is608 ? 64u : 63u))
            return TL_ATCA_ST_PARSE;
        /* The 508A ends each kind with its own mode; the 608A uses 2 for both. */
        if (!e->sha_active || (!is608 && (c->p1 == 5) != (e->sha_active == 2)))
            return TL_ATCA_ST_EXEC;
        if (e->sha_active == 2) {
            br_hmac_update(&e->hmac, c->data, c->dlen);
            br_hmac_out(&e->hmac, out);
        } else {
            br_sha256_update(&e->sha, c->data, c->dlen);
            br_sha256_out(&e->sha, out);
        }
        e->sha_active = 0;
        *olen = 32;
        return TL_ATCA_ST_OK;
    default:
        return TL_ATCA_ST_PARSE;
    }
}

uint8_t tl_emu__cmd_counter(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen)
{
    uint32_t v;
    if (c->p1 > 1 || c->p2 > 1 || c->dlen != 0)
        return TL_ATCA_ST_PARSE;
    if (c->p1 == 1) {
        if (e->ee.counter[c->p2] >= TL_EMU__COUNTER_MAX)
            return TL_ATCA_ST_EXEC;
        e->ee.counter[c->p2]++;
        e->dirty = 1;
    }
    v = e->ee.counter[c->p2];
    out[0] = (uint8_t)v;
    out[1] = (uint8_t)(v >> 8);
    out[2] = (uint8_t)(v >> 16);
    out[3] = (uint8_t)(v >> 24);
    *olen = 4;
    return TL_ATCA_ST_OK;
}

uint8_t tl_emu__cmd_selftest(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen)
{
    /* Mode: 0x01 RNG, 0x04 ECDSA, 0x08 ECDH, 0x10 AES, 0x20 SHA. */
    if (c->p1 == 0 || (c->p1 & ~0x3Du) || c->dlen != 0)
        return TL_ATCA_ST_PARSE;
    /* The tests run on the chip's SRAM, so TempKey and the SHA context go. */
    e->tk_flags = 0;
    e->msgdig_valid = 0;
    e->sha_active = 0;
    out[0] = 0x00;                      /* result: every selected test passed */
    *olen = 1;
    return TL_ATCA_ST_OK;
}
