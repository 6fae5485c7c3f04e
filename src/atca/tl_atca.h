/*
 * tl_atca: the ATECC508A/608A driver core (device side, C99, no malloc, no
 * globals, no platform headers).
 *
 * The caller owns a tl_atca_device: the bus it talks through (a tl_bus class,
 * ../hal/tl_bus.h), the detected chip model and the retry limits. Layers:
 *   tl_atca_packet.c  pure codec: build command packets, parse responses,
 *                     map status bytes (fuzzed, tested without I/O)
 *   tl_atca_exec.c    the I/O loop: wake, send, poll, read, retry, idle
 *   tl_atca_cmd_*.c   one function per chip command (tl_atca_cmd.h)
 *   tl_atca_layout.c  the default slot configuration and its decoder
 *
 * Errors: every function returns a tl_atca_status. The device context keeps
 * the latest failure (sticky: a later success does not clear it, only
 * tl_atca_clear_error() does, like BearSSL's br_ssl_engine_last_error) and
 * the chip's own status byte behind it.
 */
#ifndef TL_ATCA_H
#define TL_ATCA_H

#include <stddef.h>
#include <stdint.h>

#include "../hal/tl_bus.h"
#include "tl_atca_proto.h"

/* Limits, overridable by defining them before this header (or with -D). */
#ifndef TL_ATCA_MAX_RETRIES
#define TL_ATCA_MAX_RETRIES 12     /* resends/re-reads per command */
#endif
#ifndef TL_ATCA_POLL_FIRST_MS
#define TL_ATCA_POLL_FIRST_MS 1    /* first wait after sending a command */
#endif
#ifndef TL_ATCA_POLL_EVERY_MS
#define TL_ATCA_POLL_EVERY_MS 2    /* then poll this often */
#endif
#ifndef TL_ATCA_POLL_MARGIN_MS
#define TL_ATCA_POLL_MARGIN_MS 20  /* on top of the command's max exec time */
#endif
#ifndef TL_ATCA_WAKE_DELAY_US
#define TL_ATCA_WAKE_DELAY_US 1500 /* tWHI after the wake pulse */
#endif

/*
 * Driver status. The first group mirrors the chip's status bytes (a 4-byte
 * response); the second is what the driver itself detects.
 */
typedef enum {
    TL_ATCA_OK = 0,
    TL_ATCA_ERR_MISCOMPARE,   /* 0x01: CheckMac/Verify did not match */
    TL_ATCA_ERR_PARSE,        /* 0x03: the chip could not parse the command */
    TL_ATCA_ERR_ECC_FAULT,    /* 0x05: ECC computation failed (retry may help) */
    TL_ATCA_ERR_SELFTEST,     /* 0x07: self-test failed (also 04 07 C4 40 on wake) */
    TL_ATCA_ERR_HEALTH,       /* 0x08: RNG health test failed (608A) */
    TL_ATCA_ERR_EXEC,         /* 0x0F: execution error (policy: locked, secret...) */
    TL_ATCA_ERR_AFTER_WAKE,   /* 0x11: chip just woke, command not received */
    TL_ATCA_ERR_WATCHDOG,     /* 0xEE: watchdog about to expire */
    TL_ATCA_ERR_CHIP_COMM,    /* 0xFF: chip saw a CRC/communication error */
    TL_ATCA_ERR_CHIP_STATUS,  /* another, undocumented status byte */
    TL_ATCA_ERR_BAD_COUNT,    /* response count byte out of bounds */
    TL_ATCA_ERR_BAD_CRC,      /* response CRC wrong */
    TL_ATCA_ERR_BAD_LENGTH,   /* response has an unexpected length for the command */
    TL_ATCA_ERR_NO_WAKE,      /* no (or a wrong) wake response */
    TL_ATCA_ERR_TIMEOUT,      /* no response within the max execution time + margin */
    TL_ATCA_ERR_BUS,          /* the bus failed (no device, socket closed) */
    TL_ATCA_ERR_RETRIES,      /* CRC errors/NACKs beyond the retry limit */
    TL_ATCA_ERR_ARG,          /* bad argument (slot, zone, length, buffer) */
    TL_ATCA_ERR_UNSUPPORTED,  /* the detected model lacks this command or mode */
    TL_ATCA_ERR_NOT_LOCKED,   /* the operation needs a locked zone */
    TL_ATCA_ERR_CONFIG_MISMATCH /* written config did not read back the same */
} tl_atca_status;

/* The driver context. Zero it, then tl_atca_init(). */
typedef struct {
    const tl_bus_class **bus;
    tl_atca_model model;      /* UNKNOWN until tl_atca_detect() */
    unsigned max_retries;     /* per command; TL_ATCA_MAX_RETRIES by default */
    tl_atca_status last_error;/* sticky: the latest failure; success keeps it */
    uint8_t last_chip_status; /* status byte of the last status response */
    int awake;                /* we woke it and it has not gone idle/asleep */
    int reexecuted;           /* the last command was sent again after it may
                                 have run (its response was lost) */
    unsigned long retries;    /* total recoveries (resends, re-reads, re-wakes) */
    unsigned long commands;   /* commands completed */
} tl_atca_device;

/* Set up dev over bus: model unknown, default limits, no error. */
void tl_atca_init(tl_atca_device *dev, const tl_bus_class **bus);

/* The sticky last error (TL_ATCA_OK if none), and a way to clear it. */
tl_atca_status tl_atca_last_error(const tl_atca_device *dev);
void tl_atca_clear_error(tl_atca_device *dev);

/* 1 (default): tl_atca_status_text() returns sentences. 0 (small device
 * builds, saves about 650 bytes of flash): it returns the status number,
 * "#14", which the enum above explains. */
#ifndef TL_ATCA_STATUS_TEXT
#define TL_ATCA_STATUS_TEXT 1
#endif

/* A short English description of st ("execution error (0x0F)"), or its
 * number ("#12") with TL_ATCA_STATUS_TEXT 0. */
const char *tl_atca_status_text(tl_atca_status st);

/* Map a chip status byte to a status (0x00 -> TL_ATCA_OK). */
tl_atca_status tl_atca_status_from_byte(uint8_t b);

/* Model name: "ATECC508A", "ATECC608A" or "unknown". */
const char *tl_atca_model_name(tl_atca_model m);

/* ---- packet codec (tl_atca_packet.c; no I/O) ---- */

/*
 * Build a command packet into out (capacity cap): count, opcode, param1,
 * param2 (LE), data, CRC. Returns the packet length, or 0 if it does not fit
 * (count > TL_ATCA_CMD_MAX or cap too small).
 */
size_t tl_atca_build_packet(uint8_t *out, size_t cap, uint8_t opcode, uint8_t p1,
                            uint16_t p2, const uint8_t *data, size_t dlen);

/*
 * Parse a response packet rsp[0..len): the count byte must equal len and lie
 * in 4..TL_ATCA_RSP_MAX, the CRC must match. A 4-byte packet is a status:
 * its byte goes to *chip_status and is mapped (0x00 -> TL_ATCA_OK with
 * *data_len 0). Otherwise the data part (count - 3 bytes) is copied to data
 * (capacity cap; too small -> TL_ATCA_ERR_BAD_LENGTH) and *data_len set.
 * chip_status may be NULL.
 */
tl_atca_status tl_atca_parse_response(const uint8_t *rsp, size_t len, uint8_t *data,
                                      size_t cap, size_t *data_len,
                                      uint8_t *chip_status);

/* ---- execution (tl_atca_exec.c) ---- */

/* Wake the chip and check the wake response (04 11 33 43). */
tl_atca_status tl_atca_wake(tl_atca_device *dev);

/* Put the chip in idle mode (keeps TempKey) / sleep mode (clears it).
 * Commands end in idle by themselves, so tl_atca_idle() is a no-op then;
 * tl_atca_sleep() wakes an idle chip first, as the chip requires. */
tl_atca_status tl_atca_idle(tl_atca_device *dev);
tl_atca_status tl_atca_sleep(tl_atca_device *dev);

/*
 * Run one command: wake if needed, send, wait the first poll delay, poll
 * every TL_ATCA_POLL_EVERY_MS until the model's max execution time plus
 * margin, read and check the response, then idle. Recovers, within
 * dev->max_retries, from response CRC errors (re-read once, then resend),
 * NACKs and chip CRC errors (resend), and a chip put to sleep by its
 * watchdog (NACK on the command write, status 0x11 or 0xEE: wake and
 * resend). Sets dev->reexecuted when a resend followed a command that may
 * have run (a Counter increment may then count twice). The response data
 * (without count and CRC) goes to rsp, exactly rsp_len bytes expected;
 * rsp_len 0 means a status-only response is expected.
 */
tl_atca_status tl_atca_execute(tl_atca_device *dev, uint8_t opcode, uint8_t p1,
                               uint16_t p2, const uint8_t *data, size_t dlen,
                               uint8_t *rsp, size_t rsp_len);

/* As tl_atca_execute, but accepts any response length up to cap; the length
 * goes to *got. */
tl_atca_status tl_atca_execute_var(tl_atca_device *dev, uint8_t opcode, uint8_t p1,
                                   uint16_t p2, const uint8_t *data, size_t dlen,
                                   uint8_t *rsp, size_t cap, size_t *got);

/* Internal (module__name): record a failure st in dev; returns st. */
tl_atca_status tl_atca__fail(tl_atca_device *dev, tl_atca_status st);

#endif
