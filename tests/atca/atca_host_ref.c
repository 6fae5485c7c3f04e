/* Host-side reference computations (see atca_host_ref.h for the sources). */
#include "atca_host_ref.h"

void ref_sha(const uint8_t *a, size_t n, uint8_t out[32])
{
    br_sha256_context h;
    br_sha256_init(&h);
    br_sha256_update(&h, a, n);
    br_sha256_out(&h, out);
}

void ref_gendig(const uint8_t first[32], const uint8_t head[4], const uint8_t sn[9],
                const uint8_t tail[25], const uint8_t last[32], uint8_t tk[32])
{
    uint8_t m[96];
    memcpy(m, first, 32);
    memcpy(m + 32, head, 4);
    m[36] = sn[8];
    m[37] = sn[0];
    m[38] = sn[1];
    memcpy(m + 39, tail, 25);
    memcpy(m + 64, last, 32);
    ref_sha(m, sizeof m, tk);
}

void ref_gendig_simple(const uint8_t first[32], uint8_t zone, uint16_t key_id,
                       const uint8_t sn[9], const uint8_t tk_in[32], uint8_t tk[32])
{
    static const uint8_t zeros[25];
    uint8_t head[4] = { 0x15, zone, (uint8_t)key_id, (uint8_t)(key_id >> 8) };
    ref_gendig(first, head, sn, zeros, tk_in, tk);
}

void ref_mac(const uint8_t k[32], const uint8_t ch[32], uint8_t mode, uint16_t p2,
             const uint8_t sn[9], uint8_t out[32])
{
    uint8_t m[88];
    memset(m, 0, sizeof m);
    memcpy(m, k, 32);
    memcpy(m + 32, ch, 32);
    m[64] = 0x08;
    m[65] = mode;
    m[66] = (uint8_t)p2;
    m[67] = (uint8_t)(p2 >> 8);
    m[79] = sn[8];
    if (mode & 0x40)
        memcpy(m + 80, sn + 4, 4);
    m[84] = sn[0];
    m[85] = sn[1];
    if (mode & 0x40)
        memcpy(m + 86, sn + 2, 2);
    ref_sha(m, sizeof m, out);
}

void ref_checkmac(const uint8_t k[32], const uint8_t ch[32], const uint8_t other[13],
                  const uint8_t sn[9], uint8_t out[32])
{
    uint8_t m[88];
    memset(m, 0, sizeof m);
    memcpy(m, k, 32);
    memcpy(m + 32, ch, 32);
    memcpy(m + 64, other, 4);
    memcpy(m + 76, other + 4, 3);
    m[79] = sn[8];
    memcpy(m + 80, other + 7, 4);
    m[84] = sn[0];
    m[85] = sn[1];
    memcpy(m + 86, other + 11, 2);
    ref_sha(m, sizeof m, out);
}

void ref_genkey_digest(const uint8_t tk_in[32], const uint8_t head3[3], const uint8_t sn[9],
                       const uint8_t pub[64], uint8_t tk[32])
{
    uint8_t m[128];
    memset(m, 0, sizeof m);
    memcpy(m, tk_in, 32);
    m[32] = 0x40;
    memcpy(m + 33, head3, 3);
    m[36] = sn[8];
    m[37] = sn[0];
    m[38] = sn[1];
    memcpy(m + 64, pub, 64);
    ref_sha(m, sizeof m, tk);
}

void ref_sign_internal(const uint8_t tk[32], uint8_t mode, uint16_t key_id, uint16_t sc,
                       uint16_t kc, uint8_t tk_flags, const uint8_t sn[9], int slot_locked,
                       uint8_t digest[32])
{
    uint8_t m[55];
    memset(m, 0, sizeof m);
    memcpy(m, tk, 32);
    m[32] = 0x41;
    m[33] = mode;
    m[34] = (uint8_t)key_id;
    m[35] = (uint8_t)(key_id >> 8);
    m[36] = (uint8_t)sc;
    m[37] = (uint8_t)(sc >> 8);
    m[38] = (uint8_t)kc;
    m[39] = (uint8_t)(kc >> 8);
    m[40] = tk_flags;
    m[43] = sn[8];
    m[48] = sn[0];
    m[49] = sn[1];
    if (mode & 0x40) {
        memcpy(m + 44, sn + 4, 4);
        memcpy(m + 50, sn + 2, 2);
    }
    m[52] = slot_locked ? 0x00 : 0x01;
    ref_sha(m, sizeof m, digest);
}

void ref_privwrite(const uint8_t tk[32], unsigned slot, const uint8_t sn[9],
                   const uint8_t value[36], uint8_t data[68])
{
    uint8_t k2[32], m[96];
    size_t i;
    ref_sha(tk, 32, k2);
    for (i = 0; i < 36; i++)
        data[i] = (uint8_t)(value[i] ^ (i < 32 ? tk[i] : k2[i - 32]));
    memset(m, 0, sizeof m);
    memcpy(m, tk, 32);
    m[32] = 0x46;
    m[33] = 0x40;
    m[34] = (uint8_t)slot;
    m[36] = sn[8];
    m[37] = sn[0];
    m[38] = sn[1];
    memcpy(m + 60, value, 36);        /* after 21 zeros */
    ref_sha(m, sizeof m, data + 36);
}

void ref_io_decrypt(const uint8_t io[32], const uint8_t nonce[32], const uint8_t enc[32],
                    uint8_t plain[32])
{
    uint8_t m[48], k[32];
    size_t i;
    memcpy(m, io, 32);
    memcpy(m + 32, nonce, 16);
    ref_sha(m, sizeof m, k);
    for (i = 0; i < 32; i++)
        plain[i] = (uint8_t)(enc[i] ^ k[i]);
}

void ref_verify_mac(const uint8_t io[32], const uint8_t msg[32], const uint8_t nonce[32],
                    const uint8_t sig[64], uint8_t mode, uint16_t p2, uint8_t mac[32])
{
    uint8_t m[164];
    memcpy(m, io, 32);
    memcpy(m + 32, msg, 32);
    memcpy(m + 64, nonce, 32);
    memcpy(m + 96, sig, 64);
    m[160] = 0x45;
    m[161] = mode;
    m[162] = (uint8_t)p2;
    m[163] = (uint8_t)(p2 >> 8);
    ref_sha(m, sizeof m, mac);
}

void ref_set_counter(tl_emu *e, unsigned which, uint32_t value)
{
    uint8_t img[TL_EMU_EEPROM_IMAGE_MAX];
    size_t n = tl_emu_save(e, img, sizeof img), i;
    assert_true(n > 32 && which < 2);
    /* Image layout (tl_emu_state.c): counters at 24 and 28, LE32; a
     * SHA-256 of everything before it closes the image. */
    for (i = 0; i < 4; i++)
        img[24 + 4 * which + i] = (uint8_t)(value >> (8 * i));
    ref_sha(img, n - 32, img + n - 32);
    assert_int_equal(tl_emu_load(e, img, n), 0);
}

/* ---- chips for the host tests ---- */

void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

void write_cfg_word(chip *c, const uint8_t cfg[128], unsigned off)
{
    unsigned w = off / 4;
    assert_int_equal(tl_atca_write(&c->dev, TL_ATCA_ZONE_CONFIG, 0, w / 8, w % 8,
                                   cfg + 4 * w, 4), TL_ATCA_OK);
}

void lab_config(chip *c, uint8_t cfg[128])
{
    assert_int_equal(tl_atca_setup_write_default(&c->dev, cfg), TL_ATCA_OK);
    put16(cfg + 20 + 2 * LAB_PRIVWRITE_SLOT, 0x6F87);
    write_cfg_word(c, cfg, 20 + 2 * LAB_PRIVWRITE_SLOT);
    put16(cfg + 96 + 2 * LAB_PUBKEY_SLOT, 0x0030);
    write_cfg_word(c, cfg, 96 + 2 * LAB_PUBKEY_SLOT);
    put16(cfg + 20 + 2 * LAB_WRITEKEY_SLOT, 0x0020);
    write_cfg_word(c, cfg, 20 + 2 * LAB_WRITEKEY_SLOT);
    if (c->model == TL_ATCA_MODEL_608A) {
        put16(cfg + 90, (uint16_t)(0x0002 | LAB_IO_SLOT << 12));
        write_cfg_word(c, cfg, 90);
    }
    assert_int_equal(tl_atca_read_config(&c->dev, cfg), TL_ATCA_OK);
    assert_int_equal(get16(cfg + 20 + 2 * LAB_PRIVWRITE_SLOT), 0x6F87);
    assert_int_equal(tl_atca_lock_config_zone(&c->dev, cfg), TL_ATCA_OK);
}

void lock_data(chip *c)
{
    assert_int_equal(tl_atca_lock_data_zone(&c->dev, NULL, 0), TL_ATCA_OK);
}

chip *with_slot9_key(tl_atca_model m, uint64_t seed, const uint8_t key[32], uint8_t sn[9],
                     uint8_t cfg[128])
{
    chip *c = chip_new(m, seed);
    provision(c);
    assert_int_equal(tl_atca_write(&c->dev, TL_ATCA_ZONE_DATA, 9, 0, 0, key, 32), TL_ATCA_OK);
    assert_int_equal(tl_atca_read_serial(&c->dev, sn), TL_ATCA_OK);
    assert_int_equal(tl_atca_read_config(&c->dev, cfg), TL_ATCA_OK);
    return c;
}
