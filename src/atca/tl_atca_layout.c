/* The default slot layout and the SlotConfig/KeyConfig decoder. */
#include <string.h>

#include "tl_atca_layout.h"

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v & 0xFF);
    p[1] = (uint8_t)(v >> 8);
}

uint16_t tl_atca_slot_config(const uint8_t cfg[TL_ATCA_CONFIG_SIZE], unsigned slot)
{
    return get16(cfg + TL_ATCA_CFG_SLOT_CONFIG + 2 * (slot & 15u));
}

uint16_t tl_atca_key_config(const uint8_t cfg[TL_ATCA_CONFIG_SIZE], unsigned slot)
{
    return get16(cfg + TL_ATCA_CFG_KEY_CONFIG + 2 * (slot & 15u));
}

void tl_atca_layout_default(unsigned slot, uint16_t *slot_config, uint16_t *key_config)
{
    int key = slot <= 2;
    *slot_config = key ? TL_ATCA_LAYOUT_KEY_SC : TL_ATCA_LAYOUT_DATA_SC;
    *key_config = key ? TL_ATCA_LAYOUT_KEY_KC : TL_ATCA_LAYOUT_DATA_KC;
}

const char *tl_atca_layout_purpose(unsigned slot)
{
    if (slot == 0)
        return "device key (TLS, CSR)";
    if (slot <= 2)
        return "spare private key";
    if (slot == TL_ATCA_LAYOUT_CERT_SLOT)
        return "certificate storage";
    return slot < TL_ATCA_SLOT_COUNT ? "data" : "";
}

void tl_atca_layout_apply(uint8_t cfg[TL_ATCA_CONFIG_SIZE])
{
    unsigned s;
    for (s = 0; s < TL_ATCA_SLOT_COUNT; s++) {
        uint16_t sc, kc;
        tl_atca_layout_default(s, &sc, &kc);
        put16(cfg + TL_ATCA_CFG_SLOT_CONFIG + 2 * s, sc);
        put16(cfg + TL_ATCA_CFG_KEY_CONFIG + 2 * s, kc);
    }
}

int tl_atca_layout_matches(const uint8_t cfg[TL_ATCA_CONFIG_SIZE])
{
    unsigned s;
    for (s = 0; s < TL_ATCA_SLOT_COUNT; s++) {
        uint16_t sc, kc;
        tl_atca_layout_default(s, &sc, &kc);
        if (tl_atca_slot_config(cfg, s) != sc || tl_atca_key_config(cfg, s) != kc)
            return 0;
    }
    return 1;
}

/* A bounded string builder (no stdio on the device). */
typedef struct {
    char *out;
    size_t cap, len;
} sb;

static void put(sb *b, const char *s)
{
    while (*s) {
        if (b->len + 1 < b->cap)
            b->out[b->len] = *s;
        b->len++;
        s++;
    }
    if (b->cap)
        b->out[b->len < b->cap ? b->len : b->cap - 1] = '\0';
}

static void put_num(sb *b, unsigned v)
{
    char d[4];
    d[0] = (char)('0' + (v / 10) % 10);
    d[1] = (char)('0' + v % 10);
    d[2] = '\0';
    put(b, v >= 10 ? d : d + 1);
}

static const char *const key_types[8] = {
    "key type 0", "key type 1", "key type 2", "key type 3",
    "P-256", "key type 5", "AES", "data/SHA"
};

static void describe_private(sb *b, uint16_t sc)
{
    unsigned rk = TL_ATCA_SC_READKEY(sc);
    put(b, (sc & TL_ATCA_SC_IS_SECRET) ? "; secret, never readable" : "; NOT secret");
    put(b, ";");
    if (rk & TL_ATCA_SC_EXTSIG)
        put(b, " ExtSig");
    if (rk & TL_ATCA_SC_INTSIG)
        put(b, " IntSig");
    if (rk & TL_ATCA_SC_ECDH)
        put(b, (rk & TL_ATCA_SC_WRITE_ECDH) ? " ECDH(to slot|1)" : " ECDH(clear out)");
    if (!(rk & 0x7u))
        put(b, " no use allowed");
    put(b, (sc & TL_ATCA_SC_GENKEY_OK) ? "; GenKey allowed" : "; GenKey refused");
    put(b, (sc & TL_ATCA_SC_PRIVWRITE_OK) ? "; PrivWrite allowed" : "; PrivWrite refused");
}

static void describe_data(sb *b, uint16_t sc)
{
    unsigned wc = TL_ATCA_SC_WRITECFG(sc);
    if (sc & TL_ATCA_SC_IS_SECRET) {
        if (sc & TL_ATCA_SC_ENCRYPT_READ) {
            put(b, "; secret, encrypted read (key ");
            put_num(b, TL_ATCA_SC_READKEY(sc));
            put(b, ")");
        } else {
            put(b, "; secret, never readable");
        }
    } else {
        put(b, "; clear read");
    }
    if (wc == 0)
        put(b, "; write always");
    else if (wc == 1)
        put(b, "; write if PubInvalid");
    else if (wc & 0x4u) {
        /* 01xx and 11xx: encrypted writes with WriteKey. */
        put(b, "; encrypted write only (key ");
        put_num(b, TL_ATCA_SC_WRITEKEY(sc));
        put(b, ")");
    } else {
        put(b, "; write never");   /* 001x and 10xx */
    }
}

size_t tl_atca_describe_slot(uint16_t slot_config, uint16_t key_config, char *out,
                             size_t cap)
{
    sb b;
    int priv = (key_config & TL_ATCA_KC_PRIVATE) != 0;
    b.out = out;
    b.cap = cap;
    b.len = 0;
    if (cap)
        out[0] = '\0';
    put(&b, key_types[TL_ATCA_KC_KEYTYPE(key_config)]);
    put(&b, priv ? " private key" : (TL_ATCA_KC_KEYTYPE(key_config) == TL_ATCA_KEYTYPE_P256
                                      ? " public key" : ""));
    if (priv)
        describe_private(&b, slot_config);
    else
        describe_data(&b, slot_config);
    if (slot_config & TL_ATCA_SC_LIMITED_USE)
        put(&b, "; limited use");
    if (key_config & TL_ATCA_KC_REQ_RANDOM)
        put(&b, "; needs random nonce");
    if (key_config & TL_ATCA_KC_REQ_AUTH) {
        put(&b, "; needs auth by key ");
        put_num(&b, TL_ATCA_KC_AUTHKEY(key_config));
    }
    if (key_config & TL_ATCA_KC_LOCKABLE)
        put(&b, "; lockable");
    return b.len < cap ? b.len : (cap ? cap - 1 : 0);
}
