/*
 * Host-side reference computations for the driver tests: what a host
 * computes to check the chip (or to prepare encrypted input), written from
 * the layouts of cryptoauthlib's lib/host/atca_host.c (atcah_gen_dig,
 * atcah_mac, atcah_check_mac, atcah_gen_key_msg, atcah_sign_internal_msg,
 * atcah_privwrite_auth_mac, atcah_io_decrypt, atcah_verify_mac). BearSSL's
 * SHA-256 only; independent of the emulator's code.
 */
#ifndef ATCA_HOST_REF_H
#define ATCA_HOST_REF_H

#include <stddef.h>
#include <stdint.h>

#include "emu_chip.h"

void ref_sha(const uint8_t *a, size_t n, uint8_t out[32]);

/* GenDig: new TempKey = SHA-256(first, head[4], SN[8], SN[0:1], tail[25],
 * last). head is opcode, zone, param2 (or a NoMac key's OtherData). */
void ref_gendig(const uint8_t first[32], const uint8_t head[4], const uint8_t sn[9],
                const uint8_t tail[25], const uint8_t last[32], uint8_t tk[32]);
/* The usual case: data/config/OTP zone, 25 zero tail, TempKey last. */
void ref_gendig_simple(const uint8_t first[32], uint8_t zone, uint16_t key_id,
                       const uint8_t sn[9], const uint8_t tk_in[32], uint8_t tk[32]);

/* MAC response (no OTP bits in mode): SHA-256 of the 88-byte message. */
void ref_mac(const uint8_t k[32], const uint8_t ch[32], uint8_t mode, uint16_t p2,
             const uint8_t sn[9], uint8_t out[32]);

/* CheckMac ClientResp for key, challenge, 13 bytes OtherData (mode 0). */
void ref_checkmac(const uint8_t k[32], const uint8_t ch[32], const uint8_t other[13],
                  const uint8_t sn[9], uint8_t out[32]);

/* GenKey digest: SHA-256(TempKey, 0x40, head3, SN[8], SN[0:1], 25 zeros, pub). */
void ref_genkey_digest(const uint8_t tk_in[32], const uint8_t head3[3], const uint8_t sn[9],
                       const uint8_t pub[64], uint8_t tk[32]);

/* Sign internal: the digest the chip signs (55-byte message). */
void ref_sign_internal(const uint8_t tk[32], uint8_t mode, uint16_t key_id, uint16_t sc,
                       uint16_t kc, uint8_t tk_flags, const uint8_t sn[9], int slot_locked,
                       uint8_t digest[32]);

/* Encrypted PrivWrite data (68 bytes) for a 36-byte value. */
void ref_privwrite(const uint8_t tk[32], unsigned slot, const uint8_t sn[9],
                   const uint8_t value[36], uint8_t data[68]);

/* IO-protected output: plain = enc XOR SHA-256(io || nonce[0:16]). */
void ref_io_decrypt(const uint8_t io[32], const uint8_t nonce[32], const uint8_t enc[32],
                    uint8_t plain[32]);

/* Verify MAC: SHA-256(io, msg, nonce, sig, 0x45, mode, p2 LE16). */
void ref_verify_mac(const uint8_t io[32], const uint8_t msg[32], const uint8_t nonce[32],
                    const uint8_t sig[64], uint8_t mode, uint16_t p2, uint8_t mac[32]);

/* Test-only: set emulator counter `which` through a patched state image
 * (save, patch, re-hash, load); the chip is asleep afterwards. */
void ref_set_counter(tl_emu *e, unsigned which, uint32_t value);

/* ---- chips for the host tests ---- */

/* The lab layout's special slots (see lab_config). */
#define LAB_PRIVWRITE_SLOT 2
#define LAB_IO_SLOT 6
#define LAB_PUBKEY_SLOT 10
#define LAB_WRITEKEY_SLOT 15

void put16(uint8_t *p, uint16_t v);
uint16_t get16(const uint8_t *p);
/* Write the config word holding byte off of cfg (before the config lock). */
void write_cfg_word(chip *c, const uint8_t cfg[128], unsigned off);
/* The default layout, except: slot 2 allows PrivWrite (WriteKey 15), slot
 * 10 is a P-256 public-key slot, slot 15 is LimitedUse, and on the 608A
 * ChipOptions enables the IO protection key in slot 6. Config locked (cfg
 * is the zone), data zone not yet. */
void lab_config(chip *c, uint8_t cfg[128]);
/* Lock the data zone without the CRC check. */
void lock_data(chip *c);
/* Default layout provisioned, key in data slot 9; SN and config out. */
chip *with_slot9_key(tl_atca_model m, uint64_t seed, const uint8_t key[32], uint8_t sn[9],
                     uint8_t cfg[128]);

#endif
