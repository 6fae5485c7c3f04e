/*
 * Internals shared by the `trustlink chip` command files (cmd_chip*.c):
 * opening the chip named by --chip / chip.uri / $TRUSTLINK_CHIP with an
 * optional --trace, reporting chip errors in one line, and the encodings the
 * commands print and read (hex, PEM SubjectPublicKeyInfo, DER signatures).
 */
#ifndef TL_CLI_CMD_CHIP_H
#define TL_CLI_CMD_CHIP_H

#include <stdint.h>
#include <stdio.h>

#include "../atca/tl_atca_cmd.h"
#include "../hal/tl_bus_trace.h"
#include "../hal/tl_hal.h"
#include "tl_cli.h"

/* The options every chip command takes (put first in its option table). */
#define CHIP_COMMON_OPTS \
    { "chip", 0, "URI", "chip: auto, i2c:/dev/i2c-N[@0x60] or emu:PATH (default: chip.uri)" }, \
    { "trace", 0, "FILE", "write every bus frame to FILE (W/R/K/NACK lines)" }

/* An open chip. */
typedef struct {
    tl_hal hal;
    tl_bus_trace trace;
    FILE *trace_file;
    tl_atca_device dev;
} chip_session;

/* Open and detect the chip for a parsed command; prints the error and
 * returns TL_CLI_EXIT_FAIL on failure, 0 when open. */
int chip_open(tl_cli *cli, const tl_cli_args *a, chip_session *s);
/* Open uri (no config lookup), with a trace file when trace is not NULL, and
 * detect the chip; 0, or -1 with err (nothing left open). */
int chip_open_uri(chip_session *s, const char *uri, const char *trace, char *err,
                  size_t errcap);
void chip_close(chip_session *s);

/* Print a driver error as one line ("chip refused: execution error (0x0F):
 * <context>" for the chip's own refusals), close s, return TL_CLI_EXIT_FAIL.
 * context may be NULL. */
int chip_fail(chip_session *s, tl_atca_status st, const char *context);

/* --slot N within 0..15 (usage error otherwise); required. */
int chip_slot_arg(const tl_cli_args *a, long *slot);

/* Hex of n bytes into out (2n+1). */
void chip_hex(const uint8_t *b, size_t n, char *out);
/* Parse hex (spaces and colons ignored) into out; the byte count or -1. */
long chip_unhex(const char *text, uint8_t *out, size_t cap);

/* PEM SubjectPublicKeyInfo of a P-256 X||Y key. */
void chip_print_pem(FILE *f, const uint8_t pub[64]);
/* Read a P-256 public key from a PEM SPKI file (or hex of X||Y / 04||X||Y);
 * 0, or -1 after printing the error. */
int chip_read_pubkey(const char *path, uint8_t pub[64]);

/* DER ECDSA-Sig-Value from raw r||s; returns the length (<= 72). */
size_t chip_sig_to_der(const uint8_t raw[64], uint8_t der[72]);
/* Raw r||s from DER; 0, or -1 if not a valid P-256 DER signature. */
int chip_sig_from_der(const uint8_t *der, size_t len, uint8_t raw[64]);

/* Leaf commands in cmd_chip_keys.c. */
int chip_cmd_genkey(tl_cli *cli, const char *prog, int argc, char **argv);
int chip_cmd_pubkey(tl_cli *cli, const char *prog, int argc, char **argv);
int chip_cmd_sign(tl_cli *cli, const char *prog, int argc, char **argv);
int chip_cmd_verify(tl_cli *cli, const char *prog, int argc, char **argv);
int chip_cmd_ecdh(tl_cli *cli, const char *prog, int argc, char **argv);
/* cmd_chip_csr.c */
int chip_cmd_csr(tl_cli *cli, const char *prog, int argc, char **argv);

#endif
