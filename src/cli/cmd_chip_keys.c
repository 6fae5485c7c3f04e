/* trustlink chip genkey|pubkey|sign|verify|ecdh: the P-256 key commands. */
#include <string.h>

#include "cmd_chip.h"

#define DONE(r) ((r) < 0 ? TL_CLI_EXIT_OK : (r))

static void print_pub(const tl_cli *cli, long slot, const uint8_t pub[64], int pem)
{
    char hex[129];
    chip_hex(pub, 64, hex);
    if (pem)
        chip_print_pem(stdout, pub);
    else if (cli->json)
        printf("{\"slot\": %ld, \"public_key\": \"%s\"}\n", slot, hex);
    else
        printf("%s\n", hex);
}

/* Parse a command that takes --slot; 0 to go on, else the exit code. */
static int parse_slot(tl_cli *cli, tl_cli_args *a, const char *prog, const tl_cli_help *h,
                      int argc, char **argv, long *slot)
{
    int r = tl_cli_parse(cli, a, prog, h, argc, argv);
    if (r)
        return r < 0 ? -1 : r;
    if (a->npos)
        return tl_cli_usage_error(prog, "unexpected argument '%s'", a->pos[0]);
    return chip_slot_arg(a, slot);
}

static const tl_cli_opt key_opts[] = {
    CHIP_COMMON_OPTS,
    { "slot", 0, "N", "key slot 0..15 (the default layout has keys in 0-2)" },
    { "pem", 0, NULL, "print the public key as PEM (SubjectPublicKeyInfo)" },
    { NULL, 0, NULL, NULL }
};

static const tl_cli_help genkey_help = {
    "--slot N [--pem]", "Generate a new P-256 private key inside the chip, in slot N, and\n"
    "print its public key (X||Y in hex, or PEM). The private key never leaves\n"
    "the chip. The chip must be locked (trustlink chip lock --default-config).",
    key_opts, 1 };

int chip_cmd_genkey(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    chip_session s;
    uint8_t pub[64];
    long slot;
    int r;
    tl_atca_status st;
    char ctx[32];
    if ((r = parse_slot(cli, &a, prog, &genkey_help, argc, argv, &slot)) != 0)
        return DONE(r);
    if ((r = chip_open(cli, &a, &s)) != 0)
        return r;
    snprintf(ctx, sizeof ctx, "genkey in slot %ld", slot);
    if ((st = tl_atca_genkey(&s.dev, (unsigned)slot, pub)) != TL_ATCA_OK)
        return chip_fail(&s, st, ctx);
    print_pub(cli, slot, pub, tl_cli_opt_value(&a, "pem") != NULL);
    chip_close(&s);
    return TL_CLI_EXIT_OK;
}

static const tl_cli_help pubkey_help = {
    "--slot N [--pem]", "Print the public key of the private key in slot N.", key_opts, 1 };

int chip_cmd_pubkey(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    chip_session s;
    uint8_t pub[64];
    long slot;
    int r;
    tl_atca_status st;
    char ctx[48];
    if ((r = parse_slot(cli, &a, prog, &pubkey_help, argc, argv, &slot)) != 0)
        return DONE(r);
    if ((r = chip_open(cli, &a, &s)) != 0)
        return r;
    snprintf(ctx, sizeof ctx, "no private key in slot %ld", slot);
    if ((st = tl_atca_get_pubkey(&s.dev, (unsigned)slot, pub)) != TL_ATCA_OK)
        return chip_fail(&s, st, st == TL_ATCA_ERR_EXEC ? ctx : NULL);
    print_pub(cli, slot, pub, tl_cli_opt_value(&a, "pem") != NULL);
    chip_close(&s);
    return TL_CLI_EXIT_OK;
}

/* --digest HEX: exactly 32 bytes. */
static int digest_arg(const tl_cli_args *a, uint8_t dig[32])
{
    const char *v = tl_cli_opt_value(a, "digest");
    if (!v)
        return tl_cli_usage_error(a->prog, "which digest? (--digest HEX, a SHA-256 of 32 bytes)");
    if (chip_unhex(v, dig, 32) != 32)
        return tl_cli_usage_error(a->prog, "--digest: expected 64 hex digits (a SHA-256)");
    return 0;
}

static const tl_cli_opt sign_opts[] = {
    CHIP_COMMON_OPTS,
    { "slot", 0, "N", "key slot 0..15" },
    { "digest", 0, "HEX", "the SHA-256 digest to sign (64 hex digits)" },
    { "der", 0, NULL, "print the signature DER-encoded (default: raw r||s)" },
    { NULL, 0, NULL, NULL }
};
static const tl_cli_help sign_help = {
    "--slot N --digest HEX [--der]", "Sign a SHA-256 digest with ECDSA P-256 using the key in slot N;\n"
    "print the signature in hex (raw r||s, or DER with --der).", sign_opts, 1 };

int chip_cmd_sign(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    chip_session s;
    uint8_t dig[32], sig[64], der[72];
    char hex[145], ctx[32];
    long slot;
    int r;
    tl_atca_status st;
    if ((r = parse_slot(cli, &a, prog, &sign_help, argc, argv, &slot)) != 0)
        return DONE(r);
    if ((r = digest_arg(&a, dig)) != 0)
        return r;
    if ((r = chip_open(cli, &a, &s)) != 0)
        return r;
    snprintf(ctx, sizeof ctx, "sign with slot %ld", slot);
    if ((st = tl_atca_sign(&s.dev, (unsigned)slot, dig, sig)) != TL_ATCA_OK)
        return chip_fail(&s, st, ctx);
    if (tl_cli_opt_value(&a, "der"))
        chip_hex(der, chip_sig_to_der(sig, der), hex);
    else
        chip_hex(sig, 64, hex);
    if (cli->json)
        printf("{\"slot\": %ld, \"signature\": \"%s\"}\n", slot, hex);
    else
        printf("%s\n", hex);
    chip_close(&s);
    return TL_CLI_EXIT_OK;
}

static const tl_cli_opt verify_opts[] = {
    CHIP_COMMON_OPTS,
    { "pubkey", 0, "FILE", "public key: PEM file, or hex X||Y" },
    { "slot", 0, "N", "or: the public key of the private key in slot N" },
    { "digest", 0, "HEX", "the SHA-256 digest that was signed" },
    { "signature", 0, "HEX", "the signature: raw r||s or DER, in hex" },
    { NULL, 0, NULL, NULL }
};
static const tl_cli_help verify_help = {
    "--pubkey FILE|--slot N --digest HEX --signature HEX",
    "Verify an ECDSA P-256 signature on the chip. Exit 0 if it is valid, 1 if not.",
    verify_opts, 1 };

int chip_cmd_verify(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    chip_session s;
    uint8_t dig[32], sig[64], pub[64], raw[80];
    const char *pk, *sg;
    long slot = -1, n;
    int r;
    tl_atca_status st;
    r = tl_cli_parse(cli, &a, prog, &verify_help, argc, argv);
    if (r)
        return DONE(r < 0 ? -1 : r);
    pk = tl_cli_opt_value(&a, "pubkey");
    sg = tl_cli_opt_value(&a, "signature");
    if (!pk == !tl_cli_opt_value(&a, "slot"))
        return tl_cli_usage_error(prog, "give exactly one of --pubkey FILE and --slot N");
    if (!pk && (r = chip_slot_arg(&a, &slot)) != 0)
        return r;
    if ((r = digest_arg(&a, dig)) != 0)
        return r;
    if (!sg)
        return tl_cli_usage_error(prog, "which signature? (--signature HEX)");
    n = chip_unhex(sg, raw, sizeof raw);
    if (n == 64)
        memcpy(sig, raw, 64);
    else if (n < 0 || chip_sig_from_der(raw, (size_t)n, sig) != 0)
        return tl_cli_usage_error(prog, "--signature: expected 128 hex digits (r||s) or a DER signature");
    if (pk && chip_read_pubkey(pk, pub) != 0)
        return TL_CLI_EXIT_FAIL;
    if ((r = chip_open(cli, &a, &s)) != 0)
        return r;
    if (!pk && (st = tl_atca_get_pubkey(&s.dev, (unsigned)slot, pub)) != TL_ATCA_OK)
        return chip_fail(&s, st, "reading the slot's public key");
    st = tl_atca_verify_extern(&s.dev, dig, sig, pub);
    if (st == TL_ATCA_ERR_MISCOMPARE) {
        chip_close(&s);
        if (cli->json)
            printf("{\"valid\": false}\n");
        return tl_cli_fail("signature does not verify");
    }
    if (st != TL_ATCA_OK)
        return chip_fail(&s, st, st == TL_ATCA_ERR_ECC_FAULT ? "public key is not on P-256" : NULL);
    printf(cli->json ? "{\"valid\": true}\n" : "signature valid\n");
    chip_close(&s);
    return TL_CLI_EXIT_OK;
}

static const tl_cli_opt ecdh_opts[] = {
    CHIP_COMMON_OPTS,
    { "slot", 0, "N", "private key slot 0..15" },
    { "peer", 0, "FILE", "the peer's public key: PEM file, or hex X||Y" },
    { NULL, 0, NULL, NULL }
};
static const tl_cli_help ecdh_help = {
    "--slot N --peer FILE", "ECDH between the private key in slot N and the peer's P-256 public\n"
    "key; print the shared secret (the X coordinate, 32 bytes) in hex.", ecdh_opts, 1 };

int chip_cmd_ecdh(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    chip_session s;
    uint8_t peer[64], z[32];
    char hex[65], ctx[40];
    const char *pf;
    long slot;
    int r;
    tl_atca_status st;
    if ((r = parse_slot(cli, &a, prog, &ecdh_help, argc, argv, &slot)) != 0)
        return DONE(r);
    if (!(pf = tl_cli_opt_value(&a, "peer")))
        return tl_cli_usage_error(prog, "whose public key? (--peer FILE)");
    if (chip_read_pubkey(pf, peer) != 0)
        return TL_CLI_EXIT_FAIL;
    if ((r = chip_open(cli, &a, &s)) != 0)
        return r;
    snprintf(ctx, sizeof ctx, "ECDH with slot %ld", slot);
    if ((st = tl_atca_ecdh(&s.dev, (unsigned)slot, peer, z)) != TL_ATCA_OK)
        return chip_fail(&s, st, ctx);
    chip_hex(z, 32, hex);
    if (cli->json)
        printf("{\"slot\": %ld, \"shared_secret\": \"%s\"}\n", slot, hex);
    else
        printf("%s\n", hex);
    chip_close(&s);
    return TL_CLI_EXIT_OK;
}
