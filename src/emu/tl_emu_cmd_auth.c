/*
 * GenDig, MAC, CheckMac: the symmetric-key commands (SHA-256 digests of a
 * slot key, TempKey, opcode, parameters and serial-number bytes, laid out as
 * the datasheet specifies and as cryptoauthlib's host helpers atcah_gen_dig,
 * atcah_mac and atcah_check_mac compute them). Keys for them are ordinary
 * data slots; ECC private-key slots never take part.
 */
#include <string.h>

#include "tl_emu_internal.h"

#define SC_NOMAC 0x0010

enum { Z_CONFIG, Z_OTP, Z_DATA, Z_SHARED_NONCE, Z_COUNTER, Z_KEY_CONFIG };

/*
 * The 32 bytes GenDig hashes first and the 25 after SN[0:1], per zone.
 * Config/OTP: block p2 of the zone; data: slot p2 (a symmetric key);
 * 608A shared nonce: OtherData (TempKey goes first instead with p2 bit 15);
 * 608A counter: zeros, and 0, Counter[p2] LE32, 20 zeros; 608A key config:
 * zeros, and 0, SlotConfig LE16, KeyConfig LE16, SlotLocked bit of the
 * slot (as the config zone stores it: 0 locked; the byte's encoding is not
 * in the material we could source), 19 zeros.
 */
static uint8_t gendig_source(tl_emu *e, const tl_emu__cmd *c, uint8_t first[32],
                             uint8_t tail[25])
{
    int is608 = e->model == TL_ATCA_MODEL_608A;
    unsigned id = c->p2;
    uint16_t v;
    memset(tail, 0, 25);
    if (c->p1 >= Z_SHARED_NONCE && !is608)
        return TL_ATCA_ST_PARSE;
    switch (c->p1) {
    case Z_CONFIG:
    case Z_OTP:
        if (c->dlen != 0 || id >= (c->p1 == Z_CONFIG ? 4u : 2u))
            return TL_ATCA_ST_PARSE;
        if (!tl_emu__config_locked(e) || (c->p1 == Z_OTP && !tl_emu__data_locked(e)))
            return TL_ATCA_ST_EXEC;
        memcpy(first, (c->p1 == Z_CONFIG ? e->ee.config : e->ee.otp) + 32u * id, 32);
        return TL_ATCA_ST_OK;
    case Z_DATA:
        /* 4 bytes of OtherData stand in for opcode and params of a NoMac key. */
        if ((c->dlen != 0 && c->dlen != 4) || id >= TL_ATCA_SLOT_COUNT)
            return TL_ATCA_ST_PARSE;
        if (!tl_emu__symmetric_key(e, id) ||
            ((tl_emu__slot_config(e, id) & SC_NOMAC) && c->dlen != 4))
            return TL_ATCA_ST_EXEC;
        memcpy(first, tl_emu__slot(e, id), 32);
        return TL_ATCA_ST_OK;
    case Z_SHARED_NONCE:
        if (c->dlen != 32)
            return TL_ATCA_ST_PARSE;
        memcpy(first, (id & 0x8000) ? e->tempkey : c->data, 32);
        return TL_ATCA_ST_OK;
    case Z_COUNTER:
        if (c->dlen != 0 || id > 1)
            return TL_ATCA_ST_PARSE;
        memset(first, 0, 32);
        tail[1] = (uint8_t)e->ee.counter[id];
        tail[2] = (uint8_t)(e->ee.counter[id] >> 8);
        tail[3] = (uint8_t)(e->ee.counter[id] >> 16);
        tail[4] = (uint8_t)(e->ee.counter[id] >> 24);
        return TL_ATCA_ST_OK;
    case Z_KEY_CONFIG:
        if (c->dlen != 0 || id >= TL_ATCA_SLOT_COUNT)
            return TL_ATCA_ST_PARSE;
        if (!tl_emu__config_locked(e))
            return TL_ATCA_ST_EXEC;
        memset(first, 0, 32);
        v = tl_emu__slot_config(e, id);
        tail[1] = (uint8_t)v;
        tail[2] = (uint8_t)(v >> 8);
        v = tl_emu__key_config(e, id);
        tail[3] = (uint8_t)v;
        tail[4] = (uint8_t)(v >> 8);
        tail[5] = tl_emu__slot_locked(e, id) ? 0x00 : 0x01;
        return TL_ATCA_ST_OK;
    default:
        return TL_ATCA_ST_PARSE;
    }
}

uint8_t tl_emu__cmd_gendig(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen)
{
    uint8_t first[32], head[7], tail[25], st;
    int nomac = c->p1 == Z_DATA && c->dlen == 4;
    br_sha256_context h;
    (void)out;
    (void)olen;
    if ((st = gendig_source(e, c, first, tail)) != TL_ATCA_ST_OK)
        return st;
    if (!(e->tk_flags & TL_EMU__TK_VALID))
        return TL_ATCA_ST_EXEC;
    /* SHA-256(first, opcode, param1, param2, SN[8], SN[0:1], tail, last):
     * last is TempKey, or OtherData in shared-nonce mode with p2 bit 15; the
     * shared-nonce mode hashes only param2's low byte (then a zero). */
    head[0] = TL_ATCA_OP_GENDIG;
    head[1] = c->p1;
    head[2] = (uint8_t)c->p2;
    head[3] = c->p1 == Z_SHARED_NONCE ? 0 : (uint8_t)(c->p2 >> 8);
    if (nomac)
        memcpy(head, c->data, 4);
    tl_emu__sn_short(e, head + 4);
    br_sha256_init(&h);
    br_sha256_update(&h, first, 32);
    br_sha256_update(&h, head, sizeof head);
    br_sha256_update(&h, tail, sizeof tail);
    if (c->p1 == Z_SHARED_NONCE && (c->p2 & 0x8000))
        br_sha256_update(&h, c->data, 32);
    else
        br_sha256_update(&h, e->tempkey, 32);
    br_sha256_out(&h, e->tempkey);
    e->tk_len = 32;
    /* Only a data-zone GenDig marks TempKey as GenDig data of slot KeyId
     * (what encrypted Read/Write/PrivWrite and internal Sign look for). */
    e->tk_flags = (uint16_t)((e->tk_flags & TL_EMU__TK_SOURCE) | TL_EMU__TK_VALID);
    if (c->p1 == Z_DATA) {
        e->tk_flags |= (uint16_t)(TL_EMU__TK_GENDIG | (c->p2 & 0xFu));
        if (tl_emu__slot_config(e, c->p2) & SC_NOMAC)
            e->tk_flags |= TL_EMU__TK_NOMAC;
    }
    return TL_ATCA_ST_OK;
}

/*
 * The 88-byte MAC / CheckMac message after its two 32-byte halves:
 * opcode, mode, param2, OTP[0:7] (mode bit 5), OTP[8:10] (mode bit 4),
 * SN[8], SN[4:7] (bit 6), SN[0:1], SN[2:3] (bit 6).
 */
static void mac_tail(const tl_emu *e, uint8_t mode, uint16_t p2, uint8_t t[24])
{
    const uint8_t *cfg = e->ee.config;
    memset(t, 0, 24);
    t[0] = TL_ATCA_OP_MAC;
    t[1] = mode;
    t[2] = (uint8_t)p2;
    t[3] = (uint8_t)(p2 >> 8);
    if (mode & 0x20)
        memcpy(t + 4, e->ee.otp, 8);
    if (mode & 0x10)
        memcpy(t + 12, e->ee.otp + 8, 3);
    t[15] = cfg[12];
    if (mode & 0x40)
        memcpy(t + 16, cfg + 8, 4);
    t[20] = cfg[0];
    t[21] = cfg[1];
    if (mode & 0x40)
        memcpy(t + 22, cfg + 2, 2);
}

/* The two 32-byte halves: key (slot or TempKey, bit 1) and challenge
 * (input or TempKey, bit 0); bit 2 must match TempKey's SourceFlag. */
static uint8_t mac_inputs(tl_emu *e, uint8_t mode, uint16_t slot, const uint8_t *chal,
                          const uint8_t **first, const uint8_t **second)
{
    if (mode & 0x03) {
        /* A TempKey derived from a NoMac key never feeds a MAC. */
        if (!(e->tk_flags & TL_EMU__TK_VALID) || (e->tk_flags & TL_EMU__TK_NOMAC))
            return TL_ATCA_ST_EXEC;
        if (((mode >> 2) & 1u) != ((e->tk_flags & TL_EMU__TK_SOURCE) ? 1u : 0u))
            return TL_ATCA_ST_EXEC;
    }
    if (mode & 0x02) {
        *first = e->tempkey;
    } else {
        if (!tl_emu__symmetric_key(e, slot) || (tl_emu__slot_config(e, slot) & SC_NOMAC))
            return TL_ATCA_ST_EXEC;
        *first = tl_emu__slot(e, slot);
    }
    *second = (mode & 0x01) ? e->tempkey : chal;
    return TL_ATCA_ST_OK;
}

uint8_t tl_emu__cmd_mac(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen)
{
    const uint8_t *k = NULL, *m = NULL;
    uint8_t tail[24], st;
    br_sha256_context h;
    if ((c->p1 & ~0x77u) || c->dlen != ((c->p1 & 0x01) ? 0u : 32u) ||
        (!(c->p1 & 0x02) && c->p2 >= TL_ATCA_SLOT_COUNT))
        return TL_ATCA_ST_PARSE;
    if ((st = mac_inputs(e, c->p1, c->p2, c->data, &k, &m)) != TL_ATCA_ST_OK)
        return st;
    mac_tail(e, c->p1, c->p2, tail);
    br_sha256_init(&h);
    br_sha256_update(&h, k, 32);
    br_sha256_update(&h, m, 32);
    br_sha256_update(&h, tail, sizeof tail);
    br_sha256_out(&h, out);
    *olen = 32;
    return TL_ATCA_ST_OK;
}

uint8_t tl_emu__cmd_checkmac(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen)
{
    const uint8_t *k = NULL, *m = NULL, *other = c->data + 64;
    uint8_t msg[88], want[32], st, diff = 0;
    br_sha256_context h;
    size_t i;
    (void)out;
    (void)olen;
    /* Data: ClientChal 32, ClientResp 32, OtherData 13. */
    if ((c->p1 & ~0x27u) || c->dlen != 77 ||
        (!(c->p1 & 0x02) && c->p2 >= TL_ATCA_SLOT_COUNT))
        return TL_ATCA_ST_PARSE;
    if ((st = mac_inputs(e, c->p1, c->p2, c->data, &k, &m)) != TL_ATCA_ST_OK)
        return st;
    /* key, challenge, Other[0:3], OTP[0:7] (bit 5), Other[4:6], SN[8],
     * Other[7:10], SN[0:1], Other[11:12]. */
    memcpy(msg, k, 32);
    memcpy(msg + 32, m, 32);
    memcpy(msg + 64, other, 4);
    memset(msg + 68, 0, 8);
    if (c->p1 & 0x20)
        memcpy(msg + 68, e->ee.otp, 8);
    memcpy(msg + 76, other + 4, 3);
    msg[79] = e->ee.config[12];
    memcpy(msg + 80, other + 7, 4);
    msg[84] = e->ee.config[0];
    msg[85] = e->ee.config[1];
    memcpy(msg + 86, other + 11, 2);
    br_sha256_init(&h);
    br_sha256_update(&h, msg, sizeof msg);
    br_sha256_out(&h, want);
    for (i = 0; i < 32; i++)
        diff |= (uint8_t)(want[i] ^ c->data[32 + i]);
    /* A check consumes the TempKey it used. */
    if (c->p1 & 0x03)
        e->tk_flags = 0;
    return diff ? TL_ATCA_ST_MISCOMPARE : TL_ATCA_ST_OK;
}
