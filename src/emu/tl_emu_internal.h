/*
 * tl_emu internals shared by the emulator's files (tl_emu__ prefix).
 *
 * The chip is split in two halves that mirror the real part:
 *   tl_emu__eeprom  what survives sleep and power loss (and tl_emu_save);
 *   the rest        volatile state: TempKey, SHA context, I/O buffer, bus state.
 * Nothing here uses platform headers or allocation, so the core can be linked
 * into an MCU test image; BearSSL is the only dependency.
 */
#ifndef TL_EMU_INTERNAL_H
#define TL_EMU_INTERNAL_H

#include <bearssl.h>

#include "tl_emu.h"

/* Data zone: slots 0-7 36 bytes, slot 8 416 bytes, slots 9-15 72 bytes. */
#define TL_EMU__DATA_SIZE (8 * 36 + 416 + 7 * 72)

/* Private keys live in their slot as the chip stores them: 4 pad bytes and
 * the 32-byte scalar. */
#define TL_EMU__PRIV_OFFSET 4

typedef struct {
    uint8_t config[TL_ATCA_CONFIG_SIZE];
    uint8_t otp[TL_ATCA_OTP_SIZE];
    uint8_t data[TL_EMU__DATA_SIZE];
    uint16_t key_valid;     /* bit per slot: holds a usable P-256 private key */
    uint32_t counter[2];
    uint64_t seed;          /* the chip's identity: SN, keys, random numbers */
    uint64_t rng_count;     /* draws so far; persisted so numbers never repeat */
} tl_emu__eeprom;

enum { TL_EMU__ASLEEP = 0, TL_EMU__AWAKE, TL_EMU__IDLE };

/* TempKey flags (the Info State word uses the same bit positions). */
#define TL_EMU__TK_KEYID_MASK 0x000F
#define TL_EMU__TK_SOURCE     0x0010   /* 1: pass-through (input), 0: random */
#define TL_EMU__TK_GENDIG     0x0020
#define TL_EMU__TK_GENKEY     0x0040
#define TL_EMU__TK_NOMAC      0x0080
#define TL_EMU__TK_VALID      0x8000

/* Monotonic counters stop here (datasheet: 2,097,151). */
#define TL_EMU__COUNTER_MAX 2097151u

/* Watchdog periods, microseconds (ChipMode bit 2 selects the long one). */
#define TL_EMU__WDT_SHORT_US 1300000u
#define TL_EMU__WDT_LONG_US 13000000u

struct tl_emu {
    tl_atca_model model;
    tl_emu__eeprom ee;
    int dirty;

    /* Volatile. */
    int state;
    uint8_t tempkey[64];
    unsigned tk_len;        /* 32, or 64 after a 64-byte pass-through (608) */
    uint16_t tk_flags;
    uint8_t msgdig[64];     /* 608 message-digest buffer */
    unsigned msgdig_valid;  /* bytes loaded (32 or 64), 0 when invalid */
    uint8_t altkey[32];     /* 608 alternate key buffer (Nonce target 0x80) */
    int altkey_valid;
    br_sha256_context sha;
    br_hmac_context hmac;
    int sha_active;         /* a SHA (1) or HMAC (2) computation is running */
    uint8_t io[TL_ATCA_RSP_MAX];
    size_t io_len, io_pos;

    /* Timing (only with a clock). */
    tl_emu_clock_fn now_us;
    void *now_arg;
    uint64_t wake_us, busy_until_us;

    /* Fault injection. */
    double crc_rate, nack_rate;
    uint64_t fault_rng;
};

/* One parsed command (the CRC has been checked). */
typedef struct {
    uint8_t op, p1;
    uint16_t p2;
    const uint8_t *data;
    size_t dlen;
} tl_emu__cmd;

/* A command handler: returns a status byte; when it returns TL_ATCA_ST_OK
 * with *olen > 0, out[0..*olen) is the response data. out holds 72 bytes. */
#define TL_EMU__OUT_MAX (TL_ATCA_RSP_MAX - 3)
typedef uint8_t (*tl_emu__handler)(tl_emu *e, const tl_emu__cmd *c,
                                   uint8_t *out, size_t *olen);

/* tl_emu_state.c */
size_t tl_emu__slot_offset(unsigned slot);
uint8_t *tl_emu__slot(tl_emu *e, unsigned slot);
uint16_t tl_emu__slot_config(const tl_emu *e, unsigned slot);
uint16_t tl_emu__key_config(const tl_emu *e, unsigned slot);
int tl_emu__config_locked(const tl_emu *e);
int tl_emu__data_locked(const tl_emu *e);
int tl_emu__slot_locked(const tl_emu *e, unsigned slot);
void tl_emu__clear_volatile(tl_emu *e);
void tl_emu__random(tl_emu *e, uint8_t *out, size_t len);
void tl_emu__drbg(tl_emu *e, br_hmac_drbg_context *ctx);
uint64_t tl_emu__splitmix(uint64_t *state);

/* Slot policy helpers (tl_emu_state.c). */
#define TL_EMU__KC_PRIVATE  0x0001
#define TL_EMU__KC_KEYTYPE(kc) (((kc) >> 2) & 7u)
#define TL_EMU__KEYTYPE_P256 4u
#define TL_EMU__KC_LOCKABLE 0x0020
#define TL_EMU__SC_READKEY(sc) ((sc) & 0xFu)
#define TL_EMU__SC_ISSECRET 0x0080
#define TL_EMU__SC_WRITECFG(sc) (((sc) >> 12) & 0xFu)
/* WriteConfig bits for private-key slots (datasheet: bit 13 GenKey, bit 14
 * PrivWrite, i.e. bits 1 and 2 of the WriteConfig field). */
#define TL_EMU__SC_GENKEY_OK    0x2000
#define TL_EMU__SC_PRIVWRITE_OK 0x4000
/* Does `slot` hold a P-256 private key by its KeyConfig? */
int tl_emu__is_p256_private(const tl_emu *e, unsigned slot);
/* ...and has one been made (GenKey/PrivWrite)? */
int tl_emu__has_key(const tl_emu *e, unsigned slot);
/* The 32-byte scalar of a private-key slot. */
uint8_t *tl_emu__priv(tl_emu *e, unsigned slot);
/* 608A ChipOptions (config bytes 90-91, little-endian): bit 1
 * IOProtKeyEnable, bits 9:8 ECDHProt, bits 15:12 IOProtKey slot. The 508A
 * has no such field (0). */
uint16_t tl_emu__chip_options(const tl_emu *e);
#define TL_EMU__CO_IOPROT_ENABLE 0x0002u
#define TL_EMU__CO_ECDHPROT(co) (((co) >> 8) & 3u)
#define TL_EMU__CO_IOPROT_KEY(co) (((co) >> 12) & 0xFu)
/* The IO protection key (first 32 bytes of the IOProtKey slot), or NULL when
 * the chip is not a 608A or IOProtKeyEnable is clear. */
const uint8_t *tl_emu__io_key(tl_emu *e);
/* The SN bytes most digests carry: SN[8], SN[0], SN[1]. */
void tl_emu__sn_short(const tl_emu *e, uint8_t out[3]);
/* May `slot` serve as a symmetric (MAC/HMAC/GenDig) key? Data zone locked,
 * not a private key. */
int tl_emu__symmetric_key(const tl_emu *e, unsigned slot);

/* tl_emu_exec.c */
void tl_emu__set_status(uint8_t rsp[TL_ATCA_RSP_MAX], uint8_t status);

/* Handlers: tl_emu_cmd_zones.c */
uint8_t tl_emu__cmd_read(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen);
uint8_t tl_emu__cmd_write(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen);
uint8_t tl_emu__cmd_lock(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen);
uint8_t tl_emu__cmd_updateextra(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen);
/* tl_emu_cmd_keys.c */
uint8_t tl_emu__cmd_genkey(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen);
uint8_t tl_emu__cmd_ecdh(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen);
uint8_t tl_emu__cmd_privwrite(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen);
/* tl_emu_cmd_sign.c */
uint8_t tl_emu__cmd_sign(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen);
uint8_t tl_emu__cmd_verify(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen);
/* tl_emu_cmd_auth.c */
uint8_t tl_emu__cmd_gendig(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen);
uint8_t tl_emu__cmd_mac(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen);
uint8_t tl_emu__cmd_checkmac(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen);
/* tl_emu_cmd_misc.c */
uint8_t tl_emu__cmd_info(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen);
uint8_t tl_emu__cmd_random(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen);
uint8_t tl_emu__cmd_nonce(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen);
uint8_t tl_emu__cmd_sha(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen);
uint8_t tl_emu__cmd_counter(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen);
uint8_t tl_emu__cmd_selftest(tl_emu *e, const tl_emu__cmd *c, uint8_t *out, size_t *olen);

#endif
