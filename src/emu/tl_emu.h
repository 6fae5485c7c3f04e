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

/* Fault injection with these probabilities (0..1), drawn from a generator
 * seeded with seed (splitmix64), so runs repeat exactly per seed. */
typedef struct {
    double crc_rate;    /* per command (W 0x03): half of the faults answer 0xFF
                           as if the command's CRC were bad (not executed), half
                           execute it and corrupt the response CRC */
    double nack_rate;   /* per W or R of an awake chip: NACK it (a NACKed W is
                           not acted on, a NACKed R does not move the position) */
    uint64_t seed;
} tl_emu_faults;

/* Bytes a tl_emu needs (the struct is opaque; the caller provides memory,
 * aligned as malloc() would align it). */
size_t tl_emu_context_size(void);

/* A factory-new chip of `model`: serial number and revision derived from
 * seed, factory config zone, zones unlocked, asleep. */
void tl_emu_init(tl_emu *e, tl_atca_model model, uint64_t seed);

void tl_emu_set_clock(tl_emu *e, tl_emu_clock_fn now_us, void *arg);
void tl_emu_set_faults(tl_emu *e, const tl_emu_faults *f);

/*
 * Bus operations (socket ops K, W, R); each returns TL_EMU_ACK or TL_EMU_NACK.
 *
 * K on a sleeping or idle chip wakes it: the I/O buffer becomes the status
 * packet 04 11 33 43 and resp gets it (it is consumed like a 4-byte read, so
 * W 0x00 + R 4 returns it again until the first command). K on an awake chip
 * is a no-op pulse; resp gets the next 4 bytes of the I/O buffer.
 * W: data[0] is the word address: 0x00 rewinds the read position, 0x01
 * sleep (volatile state cleared), 0x02 idle (TempKey, SHA context kept),
 * 0x03 + packet executes it (the response replaces the I/O buffer; framing
 * or CRC errors answer status 0xFF); any other word address is NACKed.
 * A W of length 0 is ACKed and does nothing.
 * R: reads continue where the previous one stopped and wrap at the end of
 * the response. Asleep or idle: W and R NACK. With a clock: W and R NACK
 * while the last command runs (tl_atca_exec_ms), and 1.3 s after a wake (13 s
 * with ChipMode bit 2) the chip falls asleep; idle stops the watchdog.
 */
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

/* Persist / restore the EEPROM (never volatile state). save returns the
 * image length, or 0 if cap is too small. load returns 0, or -1 if the image
 * is corrupt or of another version (the chip is then left untouched); a
 * loaded chip is asleep, without clock or faults (set them after loading),
 * and load may be given uninitialised memory of tl_emu_context_size(). */
size_t tl_emu_save(const tl_emu *e, uint8_t *out, size_t cap);
int tl_emu_load(tl_emu *e, const uint8_t *img, size_t len);

/* True when the EEPROM changed since the last save (the server saves then). */
int tl_emu_dirty(const tl_emu *e);

tl_atca_model tl_emu_model(const tl_emu *e);

/* Forget the dirty flag (call after the image from tl_emu_save is stored). */
void tl_emu_mark_saved(tl_emu *e);

/* The 9-byte serial number (config bytes 0-3 and 8-12). */
void tl_emu_serial(const tl_emu *e, uint8_t sn[TL_ATCA_SN_SIZE]);

/*
 * Factory state, as tl_emu_init() sets it up (the driver may rely on it):
 *   SN 01 23 xx xx xx xx xx xx EE; RevNum 00 00 50 00 (508A) / 00 00 60 02 (608A);
 *   I2C address 0xC0, ChipMode 0x00 (short watchdog), OTPmode 0x55;
 *   slots 0-2 P-256 private keys (SlotConfig 0x2083/0x2087/0x208F: IsSecret,
 *   GenKey allowed, ReadKey ExtSig|IntSig (+ECDH for 1 and 2); KeyConfig 0x0033);
 *   slots 3-7 and 15 secret data (0x8FC4.. / KeyConfig 0x001C);
 *   slots 8-14 clear data, read and write always (SlotConfig 0x0000, KeyConfig 0x003C);
 *   data and OTP zones filled with 0xFF; LockValue = LockConfig = 0x55.
 * Before the config zone is locked, Random and Nonce's random output are the
 * fixed pattern FF FF 00 00 ... as on the real chip.
 *
 * Rules worth knowing (status 0x03 = parse error, 0x0F = execution error):
 *   Write config: before the config lock, bytes 16+ except 84-87 (a 4-byte
 *     write to word 21 is 0x0F; a 32-byte write of block 2 skips 84-87).
 *   Data/OTP writes need the config lock; reads need the data lock. After it,
 *     private-key slots never read (0x0F); IsSecret slots read only 32 bytes
 *     at a time, encrypted (EncryptRead set, TempKey from GenDig over the
 *     ReadKey slot: data XOR TempKey), else 0x0F. WriteConfig Always (0/1)
 *     allows clear writes; Encrypt (01xx/11xx) takes Write with bit 6 (32
 *     bytes XOR a GenDig-of-WriteKey TempKey + MAC; bad MAC 0x0F); Never 0x0F.
 *   Lock: param2 must equal the zone CRC unless mode bit 0x80; data lock CRC
 *     covers the data zone (slots 0..15 in order) then OTP; slot lock the slot.
 *   GenKey: config lock; KeyConfig Private + P256; after the data lock also
 *     SlotConfig bit 13 and the slot unlocked.
 *   Sign and ECDH need both zones locked and a key made by GenKey/PrivWrite;
 *     Sign external needs ReadKey bit 0 (ExtSig), ECDH ReadKey bit 2.
 *     Sign external and Verify external invalidate the TempKey (or 608A
 *     MsgDigBuf) they used: load a Nonce before each. ECDH leaves TempKey.
 *   Invalid public keys (not on the curve) in Verify/ECDH: 0x05.
 *   ECDH mode 0x00: result in clear, or into slot N|1 when the slot's
 *     WriteECDH bit (ReadKey bit 3) is set; 0x0C: always in clear (also
 *     accepted on the 508A, but use 0x00 there). 608A also 0x04 (slot N|1),
 *     0x08 (TempKey) and bit 0 (key from TempKey, made by GenKey 0xFFFF).
 *   GenDig: config/OTP/data zones, and on the 608A shared nonce (32 bytes
 *     OtherData), counter and key-config zones; a NoMac data key takes 4
 *     bytes of OtherData in place of opcode/params. MAC, CheckMac, SHA HMAC
 *     (mode 4 start with the slot's first 32 bytes as key; end 5 on the
 *     508A, 2 on the 608A): datasheet message layouts (cryptoauthlib's
 *     atcah_* helpers); key slots must not be private keys and the data
 *     zone must be locked. Only a data-zone GenDig sets TempKey's GenDig
 *     flag and KeyId.
 *   GenKey 0x08 (with 0x04 or not): the public key out and
 *     TempKey = SHA-256(TempKey, 40, mode, KeyID, SN[8], SN[0:1], 25 zeros,
 *     X||Y) (TempKey must be valid); 0x10: the same over the public key
 *     stored in a P-256 public-key slot (4 pad bytes before X and before Y)
 *     with 3 bytes of OtherData in place of mode/KeyID, status only.
 *   Sign internal (0x00, 0x40 with SN): IntSig (ReadKey bit 1), TempKey
 *     from a data GenDig or a GenKey digest; signs SHA-256 of the 55-byte
 *     message of atcah_sign_internal_msg; TempKey is used up.
 *   608A IO protection (ChipOptions, config 90-91: bit 1 enable, bits 9:8
 *     ECDHProt, bits 15:12 key slot): ECDH bit 1 (0x0E) answers secret XOR
 *     SHA-256(IOKey, nonce[0:16]) then the 32-byte nonce; ECDHProt 1 forces
 *     that, 2-3 refuse buffer output. Verify 0x80 (with 0x20 and a 64-byte
 *     MsgDigBuf = message || system nonce) answers SHA-256(IOKey, message,
 *     nonce, signature, 45, mode, param2) on success.
 *   Nonce pass-through to MsgDigBuf (0x40, 32/64 bytes) or AltKeyBuf (0x80,
 *     32) clears TempKey's Valid flag (as cryptoauthlib's atcah_nonce).
 *   UpdateExtra 2: one use of a LimitedUse slot (508A: slot 15, LastKeyUse
 *     bits; 608A: Counter[0]); other slots: success, nothing done.
 *   Counter: 0x0F once at 2,097,151.
 *   Not implemented (0x03): DeriveKey, HMAC, AES, KDF, SecureBoot, Pause,
 *     GenKey 0x20 (608A MAC), Sign mode 0x01, Verify stored/validate modes,
 *     SHA context read/write (6, 7). SHA 3 adds the X||Y stored in a P-256
 *     public-key slot to a running SHA/HMAC.
 *     PrivWrite: clear before the data lock; after it encrypted only (SlotConfig
 *     bit 14, TempKey from GenDig over the WriteKey slot, value XOR (TempKey ||
 *     SHA-256(TempKey)[0:4]) + MAC over the 36-byte value).
 */

/*
 * Test-only: the private key held in `slot` (scalar, 32 bytes big-endian).
 * Returns 0, or -1 if the slot holds no valid private key. Never reachable
 * through the bus; the driver's bus-trace test uses it to prove that no
 * private key byte crosses the bus.
 */
int tl_emu_debug_private_key(const tl_emu *e, unsigned slot, uint8_t out[32]);

#endif
