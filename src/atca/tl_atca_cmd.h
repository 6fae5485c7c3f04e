/*
 * tl_atca_cmd: one function per ATECC508A/608A command (device side, C99).
 *
 * Each runs through tl_atca_execute() (wake, retries, idle) and returns a
 * tl_atca_status; a chip refusal maps to the status of its status byte (for
 * example TL_ATCA_ERR_EXEC for a policy violation) and is also recorded as
 * the device's last error. Buffers are the caller's; nothing is allocated.
 * Slots are 0..15; P-256 keys are X||Y (64 bytes), signatures r||s (64).
 *
 * Files: tl_atca_cmd_zone.c (Info, Read, Write, Lock, detection),
 * tl_atca_cmd_key.c (Random, Nonce, GenKey, Sign, Verify, ECDH),
 * tl_atca_cmd_misc.c (SHA, GenDig, MAC, CheckMac, Counter, PrivWrite,
 * UpdateExtra, SelfTest).
 *
 * 608A IO protection: tl_atca_ecdh_ioenc and tl_atca_verify_extern_mac
 * return what the chip sends (encrypted secret and nonce, or the Verify
 * MAC); the host-side arithmetic that opens or checks them (SHA-256 with the
 * IO protection key, layouts in cryptoauthlib's atcah_io_decrypt and
 * atcah_verify_mac) is the caller's, as are the GenDig/MAC computations
 * behind an encrypted PrivWrite (tl_atca_privwrite_enc). The driver has no
 * SHA-256 of its own.
 */
#ifndef TL_ATCA_CMD_H
#define TL_ATCA_CMD_H

#include "tl_atca.h"

/* ---- Info, detection (tl_atca_cmd_zone.c) ---- */

/* Info command with mode and param2; 4 bytes out. */
tl_atca_status tl_atca_info(tl_atca_device *dev, uint8_t mode, uint16_t p2,
                            uint8_t out[4]);

/* Model from an Info revision: 00 00 50 00 is a 508A, 00 00 60 xx a 608A. */
tl_atca_model tl_atca_model_from_revision(const uint8_t rev[4]);

/* Read the revision (rev may be NULL) and set dev->model;
 * TL_ATCA_ERR_UNSUPPORTED for any other chip. */
tl_atca_status tl_atca_detect(tl_atca_device *dev, uint8_t rev[4]);

/* ---- zones (tl_atca_cmd_zone.c) ---- */

/*
 * The Read/Write param2 for zone (TL_ATCA_ZONE_CONFIG/OTP/DATA), slot (data
 * only), 32-byte block and 4-byte word offset (0-7): config/OTP
 * block<<3|offset, data slot<<3|offset|block<<8. TL_ATCA_ERR_ARG when out of
 * the zone.
 */
tl_atca_status tl_atca_addr(uint8_t zone, unsigned slot, unsigned block,
                            unsigned offset, uint16_t *addr);

/* Read len (4 or 32) bytes at an address of a zone; 32-byte reads must
 * start at offset 0. */
tl_atca_status tl_atca_read(tl_atca_device *dev, uint8_t zone, unsigned slot,
                            unsigned block, unsigned offset, uint8_t *out, size_t len);

/* Write len (4 or 32) bytes in the clear at an address of a zone. */
tl_atca_status tl_atca_write(tl_atca_device *dev, uint8_t zone, unsigned slot,
                             unsigned block, unsigned offset, const uint8_t *data,
                             size_t len);

/* The whole 128-byte config zone (four 32-byte reads). */
tl_atca_status tl_atca_read_config(tl_atca_device *dev, uint8_t cfg[TL_ATCA_CONFIG_SIZE]);

/* The 9-byte serial number (config bytes 0-3 and 8-12). */
tl_atca_status tl_atca_read_serial(tl_atca_device *dev, uint8_t sn[TL_ATCA_SN_SIZE]);

/* First len bytes of a data slot (len a multiple of 4, <= slot size). */
tl_atca_status tl_atca_read_slot(tl_atca_device *dev, unsigned slot, uint8_t *out,
                                 size_t len);

/* Write len bytes (a multiple of 4) from the start of a data slot. */
tl_atca_status tl_atca_write_slot(tl_atca_device *dev, unsigned slot,
                                  const uint8_t *data, size_t len);

/*
 * Write the SlotConfig and KeyConfig bytes (20-51, 96-127) of cfg to the
 * config zone, 4-byte words, leaving every other byte as the chip has it.
 */
tl_atca_status tl_atca_write_slot_key_config(tl_atca_device *dev,
                                             const uint8_t cfg[TL_ATCA_CONFIG_SIZE]);

/* Lock states from the config zone (LockConfig byte 87, LockValue 86). */
tl_atca_status tl_atca_lock_state(tl_atca_device *dev, int *config_locked,
                                  int *data_locked);

/* Raw Lock: mode (param1) and the zone CRC (param2). */
tl_atca_status tl_atca_lock(tl_atca_device *dev, uint8_t mode, uint16_t crc);

/* Lock the config zone, the chip checking that it holds exactly cfg (the
 * CRC of cfg goes with the command). */
tl_atca_status tl_atca_lock_config_zone(tl_atca_device *dev,
                                        const uint8_t cfg[TL_ATCA_CONFIG_SIZE]);

/* Lock the data and OTP zones. contents (data zone then OTP, as the chip
 * sums them) gives the CRC to check; NULL locks without the check (needed
 * when slots are secret and unreadable). */
tl_atca_status tl_atca_lock_data_zone(tl_atca_device *dev, const uint8_t *contents,
                                      size_t len);

/* Lock one slot; contents/len its bytes for the CRC, or NULL to skip it. */
tl_atca_status tl_atca_lock_slot(tl_atca_device *dev, unsigned slot,
                                 const uint8_t *contents, size_t len);

/* ---- keys and randomness (tl_atca_cmd_key.c) ---- */

/* 32 random bytes (Random mode 0, updates the seed). */
tl_atca_status tl_atca_random(tl_atca_device *dev, uint8_t out[32]);

/* Nonce random mode: numin 20 bytes in, the chip's 32-byte random out;
 * TempKey becomes SHA-256(random || numin || 16 00 00). */
tl_atca_status tl_atca_nonce_rand(tl_atca_device *dev, const uint8_t numin[20],
                                  uint8_t rand_out[32]);

/* Nonce pass-through: TempKey = in (32 bytes). */
tl_atca_status tl_atca_nonce_load(tl_atca_device *dev, const uint8_t in[32]);

/* Nonce pass-through to a 608A target: TL_ATCA_NONCE_TEMPKEY (32 or 64
 * bytes), TL_ATCA_NONCE_MSGDIGBUF (32 or 64) or TL_ATCA_NONCE_ALTKEYBUF
 * (32). A load into another buffer leaves TempKey invalid. */
#define TL_ATCA_NONCE_TEMPKEY   0x00
#define TL_ATCA_NONCE_MSGDIGBUF 0x40
#define TL_ATCA_NONCE_ALTKEYBUF 0x80
tl_atca_status tl_atca_nonce_load_target(tl_atca_device *dev, uint8_t target,
                                         const uint8_t *in, size_t len);

/* GenKey private: a new P-256 key in slot; its public key out (may be NULL). */
tl_atca_status tl_atca_genkey(tl_atca_device *dev, unsigned slot, uint8_t pub[64]);

/* GenKey public: the public key of the private key in slot. */
tl_atca_status tl_atca_get_pubkey(tl_atca_device *dev, unsigned slot, uint8_t pub[64]);

/* GenKey PubKey digest (mode 0x10): TempKey = SHA-256(TempKey, 0x40,
 * other[3], SN[8], SN[0:1], 25 zeros, X||Y) over the public key stored in
 * slot (a P-256 public-key slot); needs a valid TempKey (a Nonce first). */
tl_atca_status tl_atca_genkey_digest(tl_atca_device *dev, unsigned slot,
                                     const uint8_t other[3]);

/* GenKey with digest (mode 0x08, with 0x04 when make_new): a new key (or
 * the slot's existing one) whose public key comes out, and TempKey =
 * SHA-256(TempKey, 0x40, mode, slot LE16, SN[8], SN[0:1], 25 zeros, X||Y),
 * ready for Sign internal. Needs a valid TempKey (a Nonce first). */
tl_atca_status tl_atca_genkey_with_digest(tl_atca_device *dev, unsigned slot,
                                          int make_new, uint8_t pub[64]);

/* ECDSA sign of an external 32-byte digest (Nonce pass-through, then Sign
 * external): raw r||s. */
tl_atca_status tl_atca_sign(tl_atca_device *dev, unsigned slot,
                            const uint8_t digest[32], uint8_t sig[64]);

/* Sign internal (mode 0x00, 0x40 with SN): signs the chip's own message
 * built from TempKey (after GenDig/GenKey digest). */
tl_atca_status tl_atca_sign_internal(tl_atca_device *dev, unsigned slot,
                                     int include_sn, uint8_t sig[64]);

/* Verify external: TL_ATCA_OK if sig is the P-256 signature of digest under
 * pub, TL_ATCA_ERR_MISCOMPARE if not. */
tl_atca_status tl_atca_verify_extern(tl_atca_device *dev, const uint8_t digest[32],
                                     const uint8_t sig[64], const uint8_t pub[64]);

/* ECDH with the private key in slot and a peer's public key; the 32-byte
 * shared secret (X) out in the clear (the slot's config must allow it). */
tl_atca_status tl_atca_ecdh(tl_atca_device *dev, unsigned slot, const uint8_t peer[64],
                            uint8_t out[32]);

/* 608A ECDH with IO protection (mode 0x0E): enc = secret XOR
 * SHA-256(IOKey || nonce[0:16]), nonce is the chip's 32-byte random. The
 * config must enable the IO protection key (ChipOptions). */
tl_atca_status tl_atca_ecdh_ioenc(tl_atca_device *dev, unsigned slot,
                                  const uint8_t peer[64], uint8_t enc[32],
                                  uint8_t nonce[32]);

/* 608A Verify external with output MAC (mode 0xA2): the message digest and
 * the host's 32-byte system nonce go to the MsgDigBuf; on a valid signature
 * TL_ATCA_OK and mac = SHA-256(IOKey, digest, sysnonce, sig, 0x45, 0xA2,
 * 04 00), which the host must check; TL_ATCA_ERR_MISCOMPARE if not valid. */
tl_atca_status tl_atca_verify_extern_mac(tl_atca_device *dev, const uint8_t digest[32],
                                         const uint8_t sig[64], const uint8_t pub[64],
                                         const uint8_t sysnonce[32], uint8_t mac[32]);

/* ECDH whose result goes into slot|1 (508A: SlotConfig WriteECDH set; 608A:
 * mode copy-to-slot). Nothing comes out; if a 508A slot without WriteECDH
 * returns the secret anyway, it is wiped and TL_ATCA_ERR_CONFIG_MISMATCH
 * returned. */
tl_atca_status tl_atca_ecdh_to_slot(tl_atca_device *dev, unsigned slot,
                                    const uint8_t peer[64]);

/* ---- SHA, MAC family, counters, misc (tl_atca_cmd_misc.c) ---- */

/* SHA-256 on the chip: start a digest (the context lives in TempKey's
 * place, so TempKey is lost), feed 64-byte blocks, end with the rest. */
tl_atca_status tl_atca_sha_start(tl_atca_device *dev);
/* One 64-byte block. */
tl_atca_status tl_atca_sha_update(tl_atca_device *dev, const uint8_t block[64]);
/* The final 0..63 bytes; the digest out. */
tl_atca_status tl_atca_sha_end(tl_atca_device *dev, const uint8_t *last, size_t len,
                               uint8_t digest[32]);
/* SHA-256 of msg computed by the chip (start, updates, end). */
tl_atca_status tl_atca_sha256(tl_atca_device *dev, const uint8_t *msg, size_t len,
                              uint8_t digest[32]);

/* HMAC-SHA256 by the chip with the first 32 bytes of data slot `slot` as the
 * key (SHA mode 4 start, 64-byte updates, end: mode 5 on the 508A, 2 on the
 * 608A). The slot must be a symmetric key and the data zone locked. */
tl_atca_status tl_atca_hmac(tl_atca_device *dev, unsigned slot, const uint8_t *msg,
                            size_t len, uint8_t mac[32]);

/* GenDig: zone (0 config, 1 OTP, 2 data, 3 shared nonce, 4 counter,
 * 5 key config), key id, other data (0, 4 or 32 bytes). */
tl_atca_status tl_atca_gendig(tl_atca_device *dev, uint8_t zone, uint16_t key_id,
                              const uint8_t *other, size_t olen);

/* MAC with mode and key id; challenge is 32 bytes, or NULL when the mode
 * takes TempKey instead. */
tl_atca_status tl_atca_mac(tl_atca_device *dev, uint8_t mode, uint16_t key_id,
                           const uint8_t *challenge, uint8_t mac[32]);

/* CheckMac: TL_ATCA_OK on a match, TL_ATCA_ERR_MISCOMPARE if not. */
tl_atca_status tl_atca_checkmac(tl_atca_device *dev, uint8_t mode, uint16_t key_id,
                                const uint8_t challenge[32], const uint8_t response[32],
                                const uint8_t other[13]);

/* Counter 0 or 1: read (increment 0) or increment then read. */
tl_atca_status tl_atca_counter(tl_atca_device *dev, unsigned which, int increment,
                               uint32_t *value);

/* PrivWrite in the clear (data zone unlocked, or config allows it):
 * value is 4 pad bytes + the 32-byte scalar; mac is 32 bytes (ignored by
 * the chip for clear writes, may be NULL: zeros are sent). */
tl_atca_status tl_atca_privwrite(tl_atca_device *dev, unsigned slot,
                                 const uint8_t value[36], const uint8_t *mac);

/* Encrypted PrivWrite (zone 0x40, after the data lock): data is the
 * 36-byte value XOR (TempKey || SHA-256(TempKey)[0:4]) then the 32-byte MAC
 * SHA-256(TempKey, 0x46, 0x40, slot LE16, SN[8], SN[0:1], 21 zeros,
 * value), TempKey from a GenDig over the slot's WriteKey. */
tl_atca_status tl_atca_privwrite_enc(tl_atca_device *dev, unsigned slot,
                                     const uint8_t data[68]);

/* UpdateExtra: mode 0 UserExtra, 1 Selector, 2 limited-use decrement of
 * the key in slot value. */
tl_atca_status tl_atca_updateextra(tl_atca_device *dev, uint8_t mode, uint16_t value);

/* SelfTest (608A only): mode bits 0x01 RNG, 0x04 ECDSA, 0x08 ECDH, 0x10
 * AES, 0x20 SHA (0x3D all); *failed gets the chip's result byte (0 all
 * passed; else the failed tests' bits, and TL_ATCA_ERR_SELFTEST). */
tl_atca_status tl_atca_selftest(tl_atca_device *dev, uint8_t mode, uint8_t *failed);

#endif
