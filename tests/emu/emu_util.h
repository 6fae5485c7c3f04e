/* Helpers for the emulator tests: packets with CRCs, locking, key checks. */
#ifndef EMU_UTIL_H
#define EMU_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "emu/tl_emu.h"

/* A fresh chip (malloc'd; free with free()). */
tl_emu *emu_new(tl_atca_model model, uint64_t seed);

/* Build a command packet with a correct CRC; returns its length. */
size_t emu_packet(uint8_t *pkt, uint8_t op, uint8_t p1, uint16_t p2,
                  const uint8_t *data, size_t dlen);

/*
 * Execute a command; checks the response's count and CRC (the test fails
 * otherwise). Returns the status byte for a 4-byte response, else 0x00 with
 * the data in out (if not NULL) and its length in *olen (if not NULL).
 */
int emu_cmd(tl_emu *e, uint8_t op, uint8_t p1, uint16_t p2, const uint8_t *data,
            size_t dlen, uint8_t *out, size_t *olen);

/* Lock the config zone with its CRC, then (if data) the data zone without
 * the summary check (mode 0x81). */
void emu_lock(tl_emu *e, int data);

/* Load TempKey with a 32-byte message by Nonce pass-through. */
void emu_nonce_load(tl_emu *e, const uint8_t msg[32]);

/* BearSSL check of a 64-byte R||S over a 32-byte digest with X||Y. */
int emu_verify_sig(const uint8_t pub[64], const uint8_t digest[32], const uint8_t sig[64]);

/* A software P-256 key pair derived from seed (BearSSL). */
void emu_soft_key(uint8_t priv[32], uint8_t pub[64], const char *seed);

/* Config locked, keys made in slots 0-2 (pub0 gets slot 0's), data locked. */
tl_emu *emu_provisioned(tl_atca_model m, uint64_t seed, uint8_t pub0[64]);

#endif
