/*
 * Read, Write, Lock, UpdateExtra: the zones and the rules that guard them.
 *
 * Encrypted I/O (data slots, 32 bytes, after the data lock): TempKey must
 * come from GenDig over the slot's ReadKey (EncryptRead slots: the data goes
 * out XORed with TempKey) or WriteKey (Write with bit 6: the data comes in
 * XORed with TempKey, followed by a MAC over the plaintext).
 */
#include <string.h>

#include "tl_emu_internal.h"

#define SC_ENCRYPT_READ 0x0040
#define SC_LIMITED_USE 0x0020

/* A Read/Write target resolved to memory. */
typedef struct {
    uint8_t *mem;
    size_t n;          /* 4 or 32 */
    unsigned slot;     /* data zone only */
    size_t off;        /* byte offset in the zone (config/OTP) or the slot */
} target;

/* Address encoding of ATECC-FACTS.md: config/OTP block<<3|word; data
 * slot<<3|word|block<<8. A 32-byte access ignores the word bits. */
static uint8_t locate(tl_emu *e, uint8_t p1, uint16_t addr, target *t)
{
    unsigned zone = p1 & 3u, word = addr & 7u, block;
    t->n = (p1 & TL_ATCA_ZONE_32BYTES) ? 32 : 4;
    t->slot = 0;
    switch (zone) {
    case TL_ATCA_ZONE_CONFIG:
    case TL_ATCA_ZONE_OTP: {
        size_t size = zone == TL_ATCA_ZONE_CONFIG ? TL_ATCA_CONFIG_SIZE : TL_ATCA_OTP_SIZE;
        if (addr & ~(zone == TL_ATCA_ZONE_CONFIG ? 0x1Fu : 0x0Fu))
            return TL_ATCA_ST_PARSE;
        block = addr >> 3;
        t->off = block * 32u + (t->n == 32 ? 0 : word * 4u);
        if (t->off + t->n > size)
            return TL_ATCA_ST_PARSE;
        t->mem = (zone == TL_ATCA_ZONE_CONFIG ? e->ee.config : e->ee.otp) + t->off;
        return TL_ATCA_ST_OK;
    }
    case TL_ATCA_ZONE_DATA:
        if (addr >> 12)
            return TL_ATCA_ST_PARSE;
        t->slot = (addr >> 3) & 0xFu;
        block = addr >> 8;
        t->off = block * 32u + (t->n == 32 ? 0 : word * 4u);
        if (t->off + t->n > tl_atca_slot_size(t->slot))
            return TL_ATCA_ST_PARSE;
        t->mem = tl_emu__slot(e, t->slot) + t->off;
        return TL_ATCA_ST_OK;
    default:
        return TL_ATCA_ST_PARSE;
    }
}

/* TempKey made by GenDig over data slot `key`? */
static int gendig_of(const tl_emu *e, unsigned key)
{
    return (e->tk_flags & TL_EMU__TK_VALID) && (e->tk_flags & TL_EMU__TK_GENDIG) &&
           (e->tk_flags & TL_EMU__TK_KEYID_MASK) == key;
}

static uint8_t read_encrypted(tl_emu *e, const target *t, uint16_t sc, uint8_t *out,
                              size_t *olen)
{
    size_t i;
    if (!(sc & SC_ENCRYPT_READ) || t->n != 32 || !gendig_of(e, TL_EMU__SC_READKEY(sc)))
        return TL_ATCA_ST_EXEC;
    for (i = 0; i < 32; i++)
        out[i] = (uint8_t)(t->mem[i] ^ e->tempkey[i]);
    *olen = 32;
    return TL_ATCA_ST_OK;
}

uint8_t tl_emu__cmd_read(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen)
{
    target t;
    uint8_t st;
    if ((c->p1 & ~0x83u) || c->dlen != 0)
        return TL_ATCA_ST_PARSE;
    if ((st = locate(e, c->p1, c->p2, &t)) != TL_ATCA_ST_OK)
        return st;
    if ((c->p1 & 3u) != TL_ATCA_ZONE_CONFIG) {
        /* Data and OTP are unreadable until the data zone is locked. */
        if (!tl_emu__data_locked(e))
            return TL_ATCA_ST_EXEC;
        if ((c->p1 & 3u) == TL_ATCA_ZONE_DATA) {
            uint16_t sc = tl_emu__slot_config(e, t.slot);
            if (tl_emu__key_config(e, t.slot) & TL_EMU__KC_PRIVATE)
                return TL_ATCA_ST_EXEC;       /* private keys: never */
            if (sc & TL_EMU__SC_ISSECRET)
                return read_encrypted(e, &t, sc, out, olen);
        }
    }
    memcpy(out, t.mem, t.n);
    *olen = t.n;
    return TL_ATCA_ST_OK;
}

static uint8_t write_config(tl_emu *e, const target *t, const uint8_t *src)
{
    size_t i;
    if (tl_emu__config_locked(e))
        return TL_ATCA_ST_EXEC;
    /* SN and revision (0-15) are factory-only; a 4-byte write aimed at
     * UserExtra..LockConfig (84-87) is refused (UpdateExtra and Lock own
     * them), a 32-byte block write leaves those four bytes alone. */
    if (t->off < 16 || (t->n == 4 && t->off == 84))
        return TL_ATCA_ST_EXEC;
    for (i = 0; i < t->n; i++) {
        size_t at = t->off + i;
        if (at < 84 || at > 87)
            e->ee.config[at] = src[i];
    }
    return TL_ATCA_ST_OK;
}

static uint8_t write_otp(tl_emu *e, const target *t, const uint8_t *src)
{
    size_t i;
    if (tl_emu__data_locked(e)) {
        /* Locked OTP: only consumption mode (0x55) allows clearing bits. */
        if (e->ee.config[TL_ATCA_CFG_OTP_MODE] != 0x55)
            return TL_ATCA_ST_EXEC;
        for (i = 0; i < t->n; i++)
            if (src[i] & ~t->mem[i])
                return TL_ATCA_ST_EXEC;
    }
    memcpy(t->mem, src, t->n);
    return TL_ATCA_ST_OK;
}

static uint8_t write_data(tl_emu *e, const target *t, const uint8_t *src)
{
    if (tl_emu__data_locked(e)) {
        uint16_t sc = tl_emu__slot_config(e, t->slot);
        unsigned wc = TL_EMU__SC_WRITECFG(sc);
        if (tl_emu__slot_locked(e, t->slot))
            return TL_ATCA_ST_EXEC;
        /* Private keys are written only by PrivWrite (or born by GenKey). */
        if (tl_emu__key_config(e, t->slot) & TL_EMU__KC_PRIVATE)
            return TL_ATCA_ST_EXEC;
        /* WriteConfig: 0000 Always, 0001 PubInvalid, 001x/10xx Never,
         * 01xx/11xx Encrypt (clear writes refused). */
        if (wc > 1)
            return TL_ATCA_ST_EXEC;
    }
    memcpy(t->mem, src, t->n);
    e->ee.key_valid &= (uint16_t)~(1u << t->slot);
    return TL_ATCA_ST_OK;
}

/*
 * Encrypted data write: plaintext = data XOR TempKey (from GenDig over the
 * slot's WriteKey); the MAC that follows must be SHA-256(TempKey, opcode,
 * param1, param2, SN[8], SN[0:1], 25 zeros, plaintext). TempKey is used up.
 */
static uint8_t write_encrypted(tl_emu *e, const tl_emu__cmd *c, const target *t)
{
    static const uint8_t zeros[25];
    uint16_t sc = tl_emu__slot_config(e, t->slot);
    unsigned wc = TL_EMU__SC_WRITECFG(sc);
    uint8_t plain[32], head[7], mac[32], diff = 0;
    br_sha256_context h;
    size_t i;
    if (t->n != 32 || !tl_emu__data_locked(e) || tl_emu__slot_locked(e, t->slot) ||
        (tl_emu__key_config(e, t->slot) & TL_EMU__KC_PRIVATE) ||
        !(wc == 0 || (wc & 4u)) || !gendig_of(e, (sc >> 8) & 0xFu))
        return TL_ATCA_ST_EXEC;
    for (i = 0; i < 32; i++)
        plain[i] = (uint8_t)(c->data[i] ^ e->tempkey[i]);
    head[0] = TL_ATCA_OP_WRITE;
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
    br_sha256_update(&h, plain, 32);
    br_sha256_out(&h, mac);
    e->tk_flags = 0;
    for (i = 0; i < 32; i++)
        diff |= (uint8_t)(mac[i] ^ c->data[32 + i]);
    if (diff)
        return TL_ATCA_ST_EXEC;
    memcpy(t->mem, plain, 32);
    e->ee.key_valid &= (uint16_t)~(1u << t->slot);
    return TL_ATCA_ST_OK;
}

uint8_t tl_emu__cmd_write(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen)
{
    target t;
    uint8_t st;
    unsigned zone = c->p1 & 3u;
    int encrypted = (c->p1 & TL_ATCA_ZONE_ENCRYPTED) != 0;
    size_t want = (c->p1 & TL_ATCA_ZONE_32BYTES) ? 32 : 4;
    (void)out;
    (void)olen;
    if ((c->p1 & ~0xC3u) || c->dlen != want + (encrypted ? 32u : 0u))
        return TL_ATCA_ST_PARSE;
    if ((st = locate(e, c->p1, c->p2, &t)) != TL_ATCA_ST_OK)
        return st;
    if (encrypted)
        st = zone == TL_ATCA_ZONE_DATA ? write_encrypted(e, c, &t) : TL_ATCA_ST_EXEC;
    else if (zone == TL_ATCA_ZONE_CONFIG)
        st = write_config(e, &t, c->data);
    else if (!tl_emu__config_locked(e))
        st = TL_ATCA_ST_EXEC;     /* data/OTP rules depend on a locked config */
    else if (zone == TL_ATCA_ZONE_OTP)
        st = write_otp(e, &t, c->data);
    else
        st = write_data(e, &t, c->data);
    if (st == TL_ATCA_ST_OK)
        e->dirty = 1;
    return st;
}

static uint16_t data_zone_crc(const tl_emu *e)
{
    uint8_t all[TL_EMU__DATA_SIZE + TL_ATCA_OTP_SIZE];
    memcpy(all, e->ee.data, TL_EMU__DATA_SIZE);
    memcpy(all + TL_EMU__DATA_SIZE, e->ee.otp, TL_ATCA_OTP_SIZE);
    return tl_atca_crc16(all, sizeof all);
}

uint8_t tl_emu__cmd_lock(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen)
{
    unsigned zone = c->p1 & 3u, slot = (c->p1 >> 2) & 0xFu;
    int check = !(c->p1 & 0x80);
    uint8_t *cfg = e->ee.config;
    (void)out;
    (void)olen;
    if ((c->p1 & 0x40) || zone == 3 || (zone != 2 && slot) || c->dlen != 0)
        return TL_ATCA_ST_PARSE;
    if (zone == 0) {
        if (tl_emu__config_locked(e))
            return TL_ATCA_ST_EXEC;
        if (check && tl_atca_crc16(cfg, TL_ATCA_CONFIG_SIZE) != c->p2)
            return TL_ATCA_ST_EXEC;
        cfg[TL_ATCA_CFG_LOCK_CONFIG] = TL_ATCA_LOCKED;
    } else if (zone == 1) {
        if (!tl_emu__config_locked(e) || tl_emu__data_locked(e))
            return TL_ATCA_ST_EXEC;
        if (check && data_zone_crc(e) != c->p2)
            return TL_ATCA_ST_EXEC;
        cfg[TL_ATCA_CFG_LOCK_VALUE] = TL_ATCA_LOCKED;
    } else {
        /* Single-slot lock: after the data lock, Lockable slots only. */
        if (!tl_emu__data_locked(e) || tl_emu__slot_locked(e, slot) ||
            !(tl_emu__key_config(e, slot) & TL_EMU__KC_LOCKABLE))
            return TL_ATCA_ST_EXEC;
        if (check && tl_atca_crc16(tl_emu__slot(e, slot), tl_atca_slot_size(slot)) != c->p2)
            return TL_ATCA_ST_EXEC;
        cfg[TL_ATCA_CFG_SLOT_LOCKED + slot / 8] &= (uint8_t)~(1u << (slot % 8));
    }
    e->dirty = 1;
    return TL_ATCA_ST_OK;
}

/*
 * UpdateExtra mode 2: use up one count of the limited-use key in slot
 * param2 (SlotConfig.LimitedUse). The ATSHA204A datasheet describes the
 * mode: a slot without limited use is a silent success, a key with no uses
 * left an error. The 508A implements limited use for slot 15 only, with the
 * 128 LastKeyUse bits (config bytes 68-83, a one per use left); the 608A
 * counts on monotonic Counter[0] up to its limit (Microchip's 508A-to-608B
 * migration note).
 */
static uint8_t decrement_use(tl_emu *e, unsigned slot)
{
    uint8_t *luk = e->ee.config + TL_ATCA_CFG_LAST_KEY_USE;
    unsigned i;
    if (slot >= TL_ATCA_SLOT_COUNT)
        return TL_ATCA_ST_PARSE;
    if (!(tl_emu__slot_config(e, slot) & SC_LIMITED_USE))
        return TL_ATCA_ST_OK;
    if (e->model == TL_ATCA_MODEL_608A) {
        if (e->ee.counter[0] >= TL_EMU__COUNTER_MAX)
            return TL_ATCA_ST_EXEC;
        e->ee.counter[0]++;
    } else {
        if (slot != 15)
            return TL_ATCA_ST_OK;
        for (i = 0; i < 16 && luk[i] == 0; i++)
            ;
        if (i == 16)
            return TL_ATCA_ST_EXEC;
        luk[i] &= (uint8_t)(luk[i] - 1u);       /* clear the lowest one bit */
    }
    e->dirty = 1;
    return TL_ATCA_ST_OK;
}

uint8_t tl_emu__cmd_updateextra(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen)
{
    uint8_t *b;
    (void)out;
    (void)olen;
    if (c->p1 > 2 || c->dlen != 0 || (c->p1 < 2 && c->p2 > 0xFF))
        return TL_ATCA_ST_PARSE;
    if (!tl_emu__config_locked(e))
        return TL_ATCA_ST_EXEC;
    if (c->p1 == 2)
        return decrement_use(e, c->p2);
    b = &e->ee.config[c->p1 == 0 ? TL_ATCA_CFG_USER_EXTRA : TL_ATCA_CFG_SELECTOR];
    if (*b != 0x00)               /* each byte can be set once */
        return TL_ATCA_ST_EXEC;
    *b = (uint8_t)c->p2;
    e->dirty = 1;
    return TL_ATCA_ST_OK;
}
