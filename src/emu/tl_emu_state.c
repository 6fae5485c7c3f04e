/* Factory state, persistence and the slot/lock lookups every command uses. */
#include <string.h>

#include "tl_emu_internal.h"

/* Factory SlotConfig / KeyConfig (see tl_emu.h for what each slot is for). */
static const uint16_t factory_slot_config[TL_ATCA_SLOT_COUNT] = {
    0x2083, 0x2087, 0x208F, 0x8FC4, 0x8F8F, 0x8F8F, 0x8F9F, 0x8FAF,
    0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x8FAF,
};
static const uint16_t factory_key_config[TL_ATCA_SLOT_COUNT] = {
    0x0033, 0x0033, 0x0033, 0x001C, 0x001C, 0x001C, 0x001C, 0x001C,
    0x003C, 0x003C, 0x003C, 0x003C, 0x003C, 0x003C, 0x003C, 0x001C,
};

/* Image layout: "TLEM", version, model, 2 zero bytes, seed, rng_count,
 * counters, key_valid, 2 zero bytes, config, OTP, data, SHA-256 of it all. */
#define IMG_VERSION 1
#define IMG_HEAD 36
#define IMG_BODY (IMG_HEAD + TL_ATCA_CONFIG_SIZE + TL_ATCA_OTP_SIZE + TL_EMU__DATA_SIZE)
#define IMG_SIZE (IMG_BODY + 32)

typedef char tl_emu__img_fits[IMG_SIZE <= TL_EMU_EEPROM_IMAGE_MAX ? 1 : -1];

uint64_t tl_emu__splitmix(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
    unsigned i;
    for (i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    unsigned i;
    for (i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

size_t tl_emu_context_size(void)
{
    return sizeof(tl_emu);
}

void tl_emu__clear_volatile(tl_emu *e)
{
    memset(e->tempkey, 0, sizeof e->tempkey);
    e->tk_len = 0;
    e->tk_flags = 0;
    memset(e->msgdig, 0, sizeof e->msgdig);
    e->msgdig_valid = 0;
    memset(e->altkey, 0, sizeof e->altkey);
    e->altkey_valid = 0;
    memset(&e->sha, 0, sizeof e->sha);
    memset(&e->hmac, 0, sizeof e->hmac);
    e->sha_active = 0;
    memset(e->io, 0, sizeof e->io);
    e->io_len = 0;
    e->io_pos = 0;
    e->busy_until_us = 0;
}

void tl_emu_init(tl_emu *e, tl_atca_model model, uint64_t seed)
{
    uint8_t *c = e->ee.config;
    uint64_t s = seed, r;
    unsigned i;

    memset(e, 0, sizeof *e);
    e->model = model == TL_ATCA_MODEL_608A ? TL_ATCA_MODEL_608A : TL_ATCA_MODEL_508A;
    e->ee.seed = seed;
    r = tl_emu__splitmix(&s);
    /* Serial number: 01 23 fixed (Microchip's prefix), six bytes from the seed, EE. */
    c[0] = 0x01; c[1] = 0x23; c[2] = (uint8_t)r; c[3] = (uint8_t)(r >> 8);
    c[8] = (uint8_t)(r >> 16); c[9] = (uint8_t)(r >> 24);
    c[10] = (uint8_t)(r >> 32); c[11] = (uint8_t)(r >> 40); c[12] = 0xEE;
    c[4] = 0x00; c[5] = 0x00;
    c[6] = e->model == TL_ATCA_MODEL_608A ? 0x60 : 0x50;
    c[7] = e->model == TL_ATCA_MODEL_608A ? 0x02 : 0x00;
    c[13] = 0x01;
    c[14] = 0x01;                           /* I2C_Enable */
    c[TL_ATCA_CFG_I2C_ADDRESS] = 0xC0;
    c[TL_ATCA_CFG_OTP_MODE] = 0x55;
    c[TL_ATCA_CFG_CHIP_MODE] = 0x00;
    for (i = 0; i < TL_ATCA_SLOT_COUNT; i++) {
        put_le(c + TL_ATCA_CFG_SLOT_CONFIG + 2 * i, factory_slot_config[i], 2);
        put_le(c + TL_ATCA_CFG_KEY_CONFIG + 2 * i, factory_key_config[i], 2);
    }
    memset(c + TL_ATCA_CFG_COUNTER0, 0xFF, 4);
    memset(c + TL_ATCA_CFG_COUNTER1, 0xFF, 4);
    /* 508A: LastKeyUse all ones; on the 608A these bytes are other fields. */
    memset(c + TL_ATCA_CFG_LAST_KEY_USE, e->model == TL_ATCA_MODEL_608A ? 0x00 : 0xFF, 16);
    c[TL_ATCA_CFG_LOCK_VALUE] = TL_ATCA_UNLOCKED;
    c[TL_ATCA_CFG_LOCK_CONFIG] = TL_ATCA_UNLOCKED;
    c[TL_ATCA_CFG_SLOT_LOCKED] = 0xFF;
    c[TL_ATCA_CFG_SLOT_LOCKED + 1] = 0xFF;
    memset(e->ee.otp, 0xFF, sizeof e->ee.otp);
    memset(e->ee.data, 0xFF, sizeof e->ee.data);
    e->state = TL_EMU__ASLEEP;
    e->dirty = 1;
}

void tl_emu_set_clock(tl_emu *e, tl_emu_clock_fn now_us, void *arg)
{
    e->now_us = now_us;
    e->now_arg = arg;
    e->busy_until_us = 0;
    e->wake_us = now_us ? now_us(arg) : 0;
}

void tl_emu_set_faults(tl_emu *e, const tl_emu_faults *f)
{
    e->crc_rate = f && f->crc_rate > 0 ? f->crc_rate : 0;
    e->nack_rate = f && f->nack_rate > 0 ? f->nack_rate : 0;
    e->fault_rng = f ? f->seed : 0;
}

size_t tl_emu_save(const tl_emu *e, uint8_t *out, size_t cap)
{
    uint8_t *p = out;
    if (cap < IMG_SIZE)
        return 0;
    memset(out, 0, IMG_HEAD);
    memcpy(p, "TLEM", 4);
    p[4] = IMG_VERSION;
    p[5] = (uint8_t)e->model;
    put_le(p + 8, e->ee.seed, 8);
    put_le(p + 16, e->ee.rng_count, 8);
    put_le(p + 24, e->ee.counter[0], 4);
    put_le(p + 28, e->ee.counter[1], 4);
    put_le(p + 32, e->ee.key_valid, 2);
    p += IMG_HEAD;
    memcpy(p, e->ee.config, TL_ATCA_CONFIG_SIZE);
    p += TL_ATCA_CONFIG_SIZE;
    memcpy(p, e->ee.otp, TL_ATCA_OTP_SIZE);
    p += TL_ATCA_OTP_SIZE;
    memcpy(p, e->ee.data, TL_EMU__DATA_SIZE);
    {
        br_sha256_context h;
        br_sha256_init(&h);
        br_sha256_update(&h, out, IMG_BODY);
        br_sha256_out(&h, out + IMG_BODY);
    }
    return IMG_SIZE;
}

int tl_emu_load(tl_emu *e, const uint8_t *img, size_t len)
{
    uint8_t sum[32];
    br_sha256_context h;
    tl_emu__eeprom ee;
    const uint8_t *p = img;
    uint32_t c0, c1;

    if (!img || len != IMG_SIZE || memcmp(img, "TLEM", 4) != 0 || img[4] != IMG_VERSION)
        return -1;
    if (img[5] != TL_ATCA_MODEL_508A && img[5] != TL_ATCA_MODEL_608A)
        return -1;
    br_sha256_init(&h);
    br_sha256_update(&h, img, IMG_BODY);
    br_sha256_out(&h, sum);
    if (memcmp(sum, img + IMG_BODY, 32) != 0)
        return -1;
    c0 = (uint32_t)get_le(p + 24, 4);
    c1 = (uint32_t)get_le(p + 28, 4);
    if (c0 > TL_EMU__COUNTER_MAX || c1 > TL_EMU__COUNTER_MAX)
        return -1;
    ee.seed = get_le(p + 8, 8);
    ee.rng_count = get_le(p + 16, 8);
    ee.counter[0] = c0;
    ee.counter[1] = c1;
    ee.key_valid = (uint16_t)get_le(p + 32, 2);
    p += IMG_HEAD;
    memcpy(ee.config, p, TL_ATCA_CONFIG_SIZE);
    p += TL_ATCA_CONFIG_SIZE;
    memcpy(ee.otp, p, TL_ATCA_OTP_SIZE);
    p += TL_ATCA_OTP_SIZE;
    memcpy(ee.data, p, TL_EMU__DATA_SIZE);
    /* A restored chip has just been powered up: asleep, volatile state gone,
     * no clock and no faults (the caller sets them again). Everything is
     * (re)defined here, so load works on uninitialised memory too. */
    memset(e, 0, sizeof *e);
    e->model = (tl_atca_model)img[5];
    e->ee = ee;
    e->state = TL_EMU__ASLEEP;
    return 0;
}

int tl_emu_dirty(const tl_emu *e)
{
    return e->dirty;
}

void tl_emu_mark_saved(tl_emu *e)
{
    e->dirty = 0;
}

tl_atca_model tl_emu_model(const tl_emu *e)
{
    return e->model;
}

void tl_emu_serial(const tl_emu *e, uint8_t sn[TL_ATCA_SN_SIZE])
{
    memcpy(sn, e->ee.config, 4);
    memcpy(sn + 4, e->ee.config + 8, 5);
}

int tl_emu_debug_private_key(const tl_emu *e, unsigned slot, uint8_t out[32])
{
    if (slot >= TL_ATCA_SLOT_COUNT || !(e->ee.key_valid & (1u << slot)))
        return -1;
    memcpy(out, e->ee.data + tl_emu__slot_offset(slot) + TL_EMU__PRIV_OFFSET, 32);
    return 0;
}

size_t tl_emu__slot_offset(unsigned slot)
{
    if (slot < 8)
        return (size_t)slot * 36;
    if (slot == 8)
        return 8 * 36;
    return 8 * 36 + 416 + (size_t)(slot - 9) * 72;
}

uint8_t *tl_emu__slot(tl_emu *e, unsigned slot)
{
    return e->ee.data + tl_emu__slot_offset(slot);
}

uint16_t tl_emu__slot_config(const tl_emu *e, unsigned slot)
{
    return (uint16_t)get_le(e->ee.config + TL_ATCA_CFG_SLOT_CONFIG + 2 * slot, 2);
}

uint16_t tl_emu__key_config(const tl_emu *e, unsigned slot)
{
    return (uint16_t)get_le(e->ee.config + TL_ATCA_CFG_KEY_CONFIG + 2 * slot, 2);
}

int tl_emu__config_locked(const tl_emu *e)
{
    return e->ee.config[TL_ATCA_CFG_LOCK_CONFIG] != TL_ATCA_UNLOCKED;
}

int tl_emu__data_locked(const tl_emu *e)
{
    return e->ee.config[TL_ATCA_CFG_LOCK_VALUE] != TL_ATCA_UNLOCKED;
}

int tl_emu__slot_locked(const tl_emu *e, unsigned slot)
{
    uint16_t bits = (uint16_t)get_le(e->ee.config + TL_ATCA_CFG_SLOT_LOCKED, 2);
    return !(bits & (1u << slot));
}

int tl_emu__is_p256_private(const tl_emu *e, unsigned slot)
{
    uint16_t kc = tl_emu__key_config(e, slot);
    return (kc & TL_EMU__KC_PRIVATE) && TL_EMU__KC_KEYTYPE(kc) == TL_EMU__KEYTYPE_P256;
}

int tl_emu__has_key(const tl_emu *e, unsigned slot)
{
    return slot < TL_ATCA_SLOT_COUNT && tl_emu__is_p256_private(e, slot) &&
           (e->ee.key_valid & (1u << slot));
}

uint8_t *tl_emu__priv(tl_emu *e, unsigned slot)
{
    return tl_emu__slot(e, slot) + TL_EMU__PRIV_OFFSET;
}

uint16_t tl_emu__chip_options(const tl_emu *e)
{
    return e->model == TL_ATCA_MODEL_608A ? (uint16_t)get_le(e->ee.config + 90, 2) : 0;
}

const uint8_t *tl_emu__io_key(tl_emu *e)
{
    uint16_t co = tl_emu__chip_options(e);
    if (!(co & TL_EMU__CO_IOPROT_ENABLE))
        return NULL;
    return tl_emu__slot(e, TL_EMU__CO_IOPROT_KEY(co));
}

void tl_emu__sn_short(const tl_emu *e, uint8_t out[3])
{
    out[0] = e->ee.config[12];
    out[1] = e->ee.config[0];
    out[2] = e->ee.config[1];
}

int tl_emu__symmetric_key(const tl_emu *e, unsigned slot)
{
    return slot < TL_ATCA_SLOT_COUNT && tl_emu__data_locked(e) &&
           !(tl_emu__key_config(e, slot) & TL_EMU__KC_PRIVATE);
}

/* Each draw gets a fresh HMAC-DRBG seeded from (seed, draw number), so the
 * chip's numbers are reproducible per seed yet never repeat, even across a
 * save/load (rng_count is EEPROM, as the real chip's RNG seed is). */
void tl_emu__drbg(tl_emu *e, br_hmac_drbg_context *ctx)
{
    uint8_t s[24];
    memcpy(s, "tl_emu_r", 8);
    put_le(s + 8, e->ee.seed, 8);
    put_le(s + 16, e->ee.rng_count, 8);
    e->ee.rng_count++;
    e->dirty = 1;
    br_hmac_drbg_init(ctx, &br_sha256_vtable, s, sizeof s);
}

void tl_emu__random(tl_emu *e, uint8_t *out, size_t len)
{
    br_hmac_drbg_context d;
    size_t i;
    if (!tl_emu__config_locked(e)) {
        /* The real chip's RNG is not enabled before the config lock. */
        for (i = 0; i < len; i++)
            out[i] = (i & 3) < 2 ? 0xFF : 0x00;
        return;
    }
    tl_emu__drbg(e, &d);
    br_hmac_drbg_generate(&d, out, len);
}
