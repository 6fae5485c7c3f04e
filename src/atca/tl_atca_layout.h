/*
 * tl_atca_layout: the slot configuration trustlink provisions, and a decoder
 * that turns SlotConfig/KeyConfig values into text (device side, C99).
 *
 * The default layout (docs/CHIP-LAYOUT.md decodes every value):
 *   slot 0      P-256 private key, the device's TLS/CSR key: secret, never
 *               readable, ExtSig + IntSig + ECDH, born by GenKey, no PrivWrite
 *   slots 1-2   further P-256 private keys, same policy
 *   slot 8      certificate storage: clear read, clear write
 *   other slots data: clear read, clear write
 * Every other config byte (I2C address, ChipMode, counters...) is left as
 * the chip has it.
 */
#ifndef TL_ATCA_LAYOUT_H
#define TL_ATCA_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "tl_atca_proto.h"

/* SlotConfig fields and bits. */
#define TL_ATCA_SC_READKEY(sc)   ((sc) & 0x000Fu)
#define TL_ATCA_SC_NOMAC         0x0010u
#define TL_ATCA_SC_LIMITED_USE   0x0020u
#define TL_ATCA_SC_ENCRYPT_READ  0x0040u
#define TL_ATCA_SC_IS_SECRET     0x0080u
#define TL_ATCA_SC_WRITEKEY(sc)  (((sc) >> 8) & 0x000Fu)
#define TL_ATCA_SC_WRITECFG(sc)  (((sc) >> 12) & 0x000Fu)
/* ReadKey bits of a private key slot. */
#define TL_ATCA_SC_EXTSIG        0x0001u
#define TL_ATCA_SC_INTSIG        0x0002u
#define TL_ATCA_SC_ECDH          0x0004u
#define TL_ATCA_SC_WRITE_ECDH    0x0008u
/* WriteConfig bits of a private key slot (bit 13 GenKey, bit 14 PrivWrite). */
#define TL_ATCA_SC_GENKEY_OK     0x2000u
#define TL_ATCA_SC_PRIVWRITE_OK  0x4000u

/* KeyConfig fields and bits. */
#define TL_ATCA_KC_PRIVATE       0x0001u
#define TL_ATCA_KC_PUBINFO       0x0002u
#define TL_ATCA_KC_KEYTYPE(kc)   (((kc) >> 2) & 0x0007u)
#define TL_ATCA_KC_LOCKABLE      0x0020u
#define TL_ATCA_KC_REQ_RANDOM    0x0040u
#define TL_ATCA_KC_REQ_AUTH      0x0080u
#define TL_ATCA_KC_AUTHKEY(kc)   (((kc) >> 8) & 0x000Fu)
#define TL_ATCA_KC_PERSIST_DISABLE 0x1000u
#define TL_ATCA_KC_X509ID(kc)    (((kc) >> 14) & 0x0003u)
#define TL_ATCA_KEYTYPE_P256     4u
#define TL_ATCA_KEYTYPE_AES      6u
#define TL_ATCA_KEYTYPE_DATA     7u

/* The default layout's values. */
#define TL_ATCA_LAYOUT_KEY_SC    0x2087u  /* ExtSig|IntSig|ECDH, secret, GenKey */
#define TL_ATCA_LAYOUT_KEY_KC    0x0033u  /* private, PubInfo, P-256, lockable */
#define TL_ATCA_LAYOUT_DATA_SC   0x0000u  /* clear read, write always */
#define TL_ATCA_LAYOUT_DATA_KC   0x003Cu  /* data (type 7), lockable */
#define TL_ATCA_LAYOUT_CERT_SLOT 8u

/* SlotConfig / KeyConfig of slot in a 128-byte config zone image. */
uint16_t tl_atca_slot_config(const uint8_t cfg[TL_ATCA_CONFIG_SIZE], unsigned slot);
uint16_t tl_atca_key_config(const uint8_t cfg[TL_ATCA_CONFIG_SIZE], unsigned slot);

/* The default layout's SlotConfig/KeyConfig for slot, and what it is for. */
void tl_atca_layout_default(unsigned slot, uint16_t *slot_config, uint16_t *key_config);
const char *tl_atca_layout_purpose(unsigned slot);

/* Patch the default layout into a config image (bytes 20-51 and 96-127). */
void tl_atca_layout_apply(uint8_t cfg[TL_ATCA_CONFIG_SIZE]);

/* 1 if cfg's SlotConfig and KeyConfig bytes are the default layout's. */
int tl_atca_layout_matches(const uint8_t cfg[TL_ATCA_CONFIG_SIZE]);

/*
 * Describe a slot's SlotConfig/KeyConfig in words, for example
 * "P-256 private key; secret, never readable; ExtSig IntSig ECDH; GenKey
 * allowed; PrivWrite refused; lockable". Writes a NUL-terminated string
 * (truncated to cap) and returns its length.
 */
size_t tl_atca_describe_slot(uint16_t slot_config, uint16_t key_config, char *out,
                             size_t cap);

#endif
