/* trustlink chip csr: a PKCS#10 request for a slot's key, signed by the chip. */
#include <stdio.h>
#include <string.h>

#include "../provision/tl_csr.h"
#include "../tls/tl_signer_chip.h"
#include "cmd_chip.h"

static const tl_cli_opt csr_opts[] = {
    CHIP_COMMON_OPTS,
    { "slot", 0, "N", "key slot 0..15 (default layout: the device key is in 0)" },
    { "cn", 0, "NAME", "subject common name (for AWS IoT: the thing name)" },
    { "out", 'o', "FILE", "write the PEM request to FILE instead of stdout" },
    { NULL, 0, NULL, NULL }
};

static const tl_cli_help csr_help = {
    "--slot N --cn NAME [-o FILE]",
    "Build a certificate signing request (PKCS#10, PEM) for the P-256 key in\n"
    "slot N: the chip signs the request's digest, and the signature is checked\n"
    "against the slot's public key before the request is written. Send it to\n"
    "AWS IoT's CreateCertificateFromCsr (or: trustlink cloud ca sign-csr).",
    csr_opts, 1 };

int chip_cmd_csr(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    chip_session s;
    tl_signer_chip signer;
    uint8_t der[TL_CSR_DER_MAX];
    char pem[1024];
    const char *cn, *out;
    size_t len;
    long slot;
    tl_csr_status st;
    int r = tl_cli_parse(cli, &a, prog, &csr_help, argc, argv);

    if (r)
        return r < 0 ? TL_CLI_EXIT_OK : r;
    if (a.npos)
        return tl_cli_usage_error(prog, "unexpected argument '%s'", a.pos[0]);
    if ((r = chip_slot_arg(&a, &slot)) != 0)
        return r;
    cn = tl_cli_opt_value(&a, "cn");
    out = tl_cli_opt_value(&a, "out");
    if (!cn || !cn[0])
        return tl_cli_usage_error(prog, "--cn NAME is required (the thing name)");
    if ((r = chip_open(cli, &a, &s)) != 0)
        return r;
    tl_signer_chip_init(&signer, &s.dev, (unsigned)slot);
    st = tl_csr_build(&signer.vtable, cn, der, sizeof der, &len);
    if (st == TL_CSR_ERR_SIGNER) {
        char ctx[48];
        snprintf(ctx, sizeof ctx, "CSR with the key in slot %ld", slot);
        return chip_fail(&s, tl_signer_chip_error(&signer), ctx);
    }
    chip_close(&s);
    if (st != TL_CSR_OK)
        return tl_cli_fail("cannot build the CSR: %s", tl_csr_status_text(st));
    if (!tl_csr_pem(der, len, pem, sizeof pem))
        return tl_cli_fail("CSR too large");
    if (out) {
        FILE *f = fopen(out, "w");
        if (!f || fputs(pem, f) < 0 || fclose(f) != 0)
            return tl_cli_fail("cannot write %s", out);
        if (!cli->json)
            fprintf(stderr, "trustlink: CSR for CN=%s (slot %ld) written to %s\n", cn, slot, out);
    } else {
        fputs(pem, stdout);
    }
    return TL_CLI_EXIT_OK;
}
