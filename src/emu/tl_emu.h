/*
 * tl_emu: an ATECC508A/608A emulator (host side, C11).
 *
 * One tl_emu is one chip: its EEPROM (config, OTP, data zones, lock bytes,
 * counters) and its volatile state (TempKey, RNG seed, SHA context, the I/O
 * buffer). The bus-level entry points below are exactly the emulator socket
 * protocol's operations (../shared/DESIGN.md): K = tl_emu_wake,
 * W = tl_emu_write, R = tl_emu_read. The socket server (tl_emu_server.c) and
 * the in-process bus used by tests (src/hal/tl_bus_emu_local.c) both drive a
 * tl_emu through them, so there is only one implementation of the chip.
 *
 * Timing: without a clock, commands complete at once and there is no
 * watchdog. With tl_emu_set_clock(), a command keeps the chip busy (reads are
 * NACKed) for its documented execution time, and the watchdog puts the chip
 * to sleep ~1.3 s after wake.
 *
 * Cryptography is BearSSL's (P-256 ECDSA/ECDH, SHA-256, HMAC-SHA256).
 */
#ifndef TL_EMU_H
#define TL_EMU_H

#include <stddef.h>
#include <stdint.h>

#include "../atca/tl_atca_proto.h"

/* Bus replies. */
#define TL_EMU_ACK  0
#define TL_EMU_NACK 1

/* Size of the persisted EEPROM image (tl_emu_save/tl_emu_load). */
#define TL_EMU_EEPROM_IMAGE_MAX 2048

typedef struct tl_emu tl_emu;

/* Microseconds from an arbitrary origin; used only when timing is on. */
typedef uint64_t (*tl_emu_clock_fn)(void *arg);

/* Fault injection: each W/R fails with these probabilities (0..1), drawn
 * from a generator seeded with seed, so runs repeat exactly per seed. */
typedef struct {
    double crc_rate;    /* corrupt a response CRC / treat a command as bad CRC */
    double nack_rate;   /* NACK a W or R that would have been acknowledged */
    uint64_t seed;
} tl_emu_faults;

/* Bytes a tl_emu needs (the struct is opaque; the caller provides memory). */
size_t tl_emu_context_size(void);

/* A factory-new chip of `model`: serial number and revision derived from
 * seed, factory config zone, zones unlocked, asleep. */
void tl_emu_init(tl_emu *e, tl_atca_model model, uint64_t seed);

void tl_emu_set_clock(tl_emu *e, tl_emu_clock_fn now_us, void *arg);
void tl_emu_set_faults(tl_emu *e, const tl_emu_faults *f);

/* Bus operations (socket ops K, W, R). resp gets the 4 wake bytes. */
int tl_emu_wake(tl_emu *e, uint8_t resp[4]);
int tl_emu_write(tl_emu *e, const uint8_t *data, size_t len);
int tl_emu_read(tl_emu *e, uint8_t *out, size_t len);

/*
 * Execute one command packet (count..CRC) as the chip would, without bus
 * framing; the response packet (count..CRC) goes to rsp. Returns the
 * response length. This is the emulator's packet handler (fuzzed).
 */
size_t tl_emu_execute(tl_emu *e, const uint8_t *cmd, size_t len,
                      uint8_t rsp[TL_ATCA_RSP_MAX]);

/* Persist / restore the EEPROM (never volatile state). Returns the image
 * length, or 0 on error (load: image corrupt or of another version). */
size_t tl_emu_save(const tl_emu *e, uint8_t *out, size_t cap);
int tl_emu_load(tl_emu *e, const uint8_t *img, size_t len);

/* True when the EEPROM changed since the last save (the server saves then). */
int tl_emu_dirty(const tl_emu *e);

tl_atca_model tl_emu_model(const tl_emu *e);

#endif
