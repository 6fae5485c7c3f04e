/* aws-iot-setup, step 6: the device configuration and the server CA file. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../atca/tl_atca_cert.h"
#include "../port/tl_fs.h"
#include "../tls/tl_tls.h"
#include "setup.h"

/* --cert-slot: the certificate's DER into the chip, read back and compared. */
static int cert_to_chip(setup_ctx *s)
{
    static char pem[8192];
    static tl_tls_chain chain;
    static uint8_t work[1024];
    char err[600];
    long n = tl_fs_read(s->cert_path, pem, sizeof pem, err, sizeof err);
    tl_atca_status st;
    size_t len;
    if (n < 0)
        return tl_cli_fail("%s", err);
    memset(&chain, 0, sizeof chain);
    if (tl_tls_chain_add_pem(&chain, pem, (size_t)n) != TL_TLS_PEM_OK || chain.count < 1)
        return tl_cli_fail("%s: no certificate in it", s->cert_path);
    len = chain.cert[0].data_len;
    if (len > tl_atca_cert_capacity((unsigned)s->cert_slot))
        return tl_cli_fail("the certificate (%zu bytes) does not fit in slots %d-15 (%zu bytes)",
                           len, s->cert_slot, tl_atca_cert_capacity((unsigned)s->cert_slot));
    st = tl_atca_cert_store(&s->chip.dev, (unsigned)s->cert_slot, chain.cert[0].data, len, work,
                            sizeof work);
    if (st != TL_ATCA_OK) {
        char ctx[80];
        snprintf(ctx, sizeof ctx, "storing the certificate from slot %d on", s->cert_slot);
        return chip_fail(&s->chip, st, ctx);
    }
    setup_say("      certificate (%zu bytes) stored in the chip from slot %d on, read back and "
              "compared (mqtt.ssl_cert=chip:%d reads it)", len, s->cert_slot, s->cert_slot);
    return 0;
}

/* Amazon's roots in Debian's ca-certificates: RSA (CA 1) for the ATS
 * endpoints' RSA chains, ECC (CA 3) for their ECDSA ones. */
static const char *const amazon_roots[] = {
    "/etc/ssl/certs/Amazon_Root_CA_1.pem", "/etc/ssl/certs/Amazon_Root_CA_3.pem",
};

/* The CA file the device trusts: --ca-file, $AWS_CA_BUNDLE (the local cloud
 * signs its broker's certificate with the CA it serves its API with), else
 * Amazon's roots copied beside the certificate. */
static int ca_file(setup_ctx *s)
{
    static char buf[16384];
    char err[600];
    const char *v = s->ca_file ? s->ca_file : getenv("AWS_CA_BUNDLE");
    size_t used = 0, i;
    if (v && v[0]) {
        if (!tl_fs_exists(v))
            return tl_cli_fail("CA file %s does not exist", v);
        snprintf(s->ca_path, sizeof s->ca_path, "%s", v);
        return 0;
    }
    for (i = 0; i < sizeof amazon_roots / sizeof amazon_roots[0]; i++) {
        long n = tl_fs_read(amazon_roots[i], buf + used, sizeof buf - used, err, sizeof err);
        if (n < 0)
            return tl_cli_fail("%s (install ca-certificates, or give --ca-file)", err);
        used += (size_t)n;
    }
    snprintf(s->ca_path, sizeof s->ca_path, "%s/AmazonRootCA.pem", s->out_dir);
    if (tl_fs_write_atomic(s->ca_path, buf, used, err, sizeof err) != 0)
        return tl_cli_fail("%s", err);
    return 0;
}

int setup_write_config(setup_ctx *s, const tl_cli *cli)
{
    tl_config cfg;
    tl_config_error cerr;
    tl_cli file_only = *cli;
    char out[8192], err[600], server[300], key[1200];
    long n;
    size_t i;
    int r;
    if (ca_file(s) != 0)
        return TL_CLI_EXIT_FAIL;
    if (s->cert_slot >= 0 && s->have_chip && cert_to_chip(s) != 0)
        return TL_CLI_EXIT_FAIL;
    /* AWS's endpoints are host names on port 8883; the local cloud's
     * carries its port. */
    snprintf(server, sizeof server, strchr(s->endpoint, ':') ? "%s" : "%s:8883", s->endpoint);
    if (s->have_chip)
        snprintf(key, sizeof key, "chip:%u", s->slot);
    else
        snprintf(key, sizeof key, "%s", s->soft_key_path);
    {
        const char *const kv[][2] = {
            { "mqtt.server", server },
            { "mqtt.client_id", s->thing },
            { "aws.thing_name", s->thing },
            { "aws.region", s->aws.creds.region },
            { "mqtt.ssl_cert", s->cert_path },
            { "mqtt.ssl_key", key },
            { "mqtt.ssl_ca_cert", s->ca_path },
            { "chip.uri", s->have_chip ? s->chip_desc : "auto" },
        };
        /* Only the file's own layer: --set overrides are for this run. */
        file_only.nsets = 0;
        if ((r = tl_cli_load_config(&file_only, &cfg, 0)) != 0)
            return r;
        for (i = 0; i < sizeof kv / sizeof kv[0]; i++)
            if (tl_config_set(&cfg, kv[i][0], kv[i][1], TL_CFG_LAYER_FILE, &cerr) !=
                TL_CONFIG_OK)
                return tl_cli_config_fail(kv[i][0], &cerr);
        n = tl_config_write_json(&cfg, TL_CFG_LAYER_FILE, out, sizeof out);
        if (n < 0)
            return tl_cli_fail("config too large to write");
        if (tl_fs_write_atomic(s->config_path, out, (size_t)n, err, sizeof err) != 0)
            return tl_cli_fail("%s", err);
        for (i = 0; i < sizeof kv / sizeof kv[0]; i++)
            setup_say("      %s = %s", kv[i][0], kv[i][1]);
    }
    setup_say("      written to %s", s->config_path);
    return 0;
}
