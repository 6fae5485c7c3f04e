/*
 * tls_probe: drive the device TLS client from a test script.
 *   tls_probe csr KEYHEX CN                     print a CSR (PEM) signed by KEYHEX
 *   tls_probe connect HOST PORT NAME CA [CERT KEYHEX|chip:SLOT] [--time UNIX]
 *             [--send TEXT] [--chip URI] [--offload ecdh|verify|ecdh+verify|auto]
 *             [--ecdh-slot N] [--crl FILE]
 * connect prints "connected", with chip offload a line "chip: ecdh N verify M"
 * (operations the chip did), then what the server answered to TEXT; or
 * "error: <reason>" and exits 1 (a revoked server: "error: <reason> (N):
 * serial HEX"). --crl loads the CRL(s) in FILE (DER or PEM) against CA.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atca/tl_atca_cmd.h"
#include "hal/tl_hal.h"
#include "port/tl_fs.h"
#include "port/tl_tcp.h"
#include "provision/tl_csr.h"
#include "tls/tl_signer_chip.h"
#include "tls/tl_tls.h"

static int parse_key(const char *hex, uint8_t key[32])
{
    size_t i;
    if (strlen(hex) != 64)
        return -1;
    for (i = 0; i < 32; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return -1;
        key[i] = (uint8_t)v;
    }
    return 0;
}

static int cmd_csr(const char *keyhex, const char *cn)
{
    tl_signer_soft s;
    uint8_t key[32], der[TL_CSR_DER_MAX];
    char pem[1024];
    size_t len;
    tl_csr_status st;
    if (parse_key(keyhex, key) || tl_signer_soft_init(&s, key)) {
        fprintf(stderr, "error: bad key\n");
        return 1;
    }
    st = tl_csr_build(&s.vtable, cn, der, sizeof der, &len);
    if (st != TL_CSR_OK || !tl_csr_pem(der, len, pem, sizeof pem)) {
        fprintf(stderr, "error: %s\n", tl_csr_status_text(st));
        return 1;
    }
    fputs(pem, stdout);
    return 0;
}

static unsigned parse_offload(const char *v, tl_atca_model model)
{
    unsigned what = 0;
    if (strcmp(v, "auto") == 0)
        tl_tls_chip_default(model, &what);
    if (strstr(v, "ecdh"))
        what |= TL_TLS_CHIP_ECDH;
    if (strstr(v, "verify"))
        what |= TL_TLS_CHIP_VERIFY;
    return what;
}

static char filebuf[16384];
static unsigned char scratch[4096];
static unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];

static int cmd_connect(int argc, char **argv)
{
    tl_tls_anchors anchors;
    tl_tls_chain chain;
    tl_signer_soft signer;
    tl_signer_chip csigner;
    const tl_signer_class **sig = NULL;
    static tl_tls_client tls;
    tl_tcp tcp;
    tl_hal hal;
    tl_atca_device dev;
    char err[256];
    const char *send_text = NULL, *chip_uri = NULL, *offload = NULL, *keyarg = NULL;
    const char *crl_path = NULL;
    static tl_tls_crl crl;
    long n;
    unsigned ecdh_slot = 2, what = 0;
    int i, have_cert = 0;
    uint64_t now = 0;
    tl_tls_pem_status st;

    memset(&anchors, 0, sizeof anchors);
    memset(&chain, 0, sizeof chain);
    n = tl_fs_read(argv[3], filebuf, sizeof filebuf, err, sizeof err);
    if (n < 0 || (st = tl_tls_anchors_add_pem(&anchors, filebuf, (size_t)n, scratch,
                                              sizeof scratch)) != TL_TLS_PEM_OK) {
        printf("error: CA file: %s\n", n < 0 ? err : tl_tls_pem_status_text(st));
        return 1;
    }
    for (i = 4; i < argc; i++) {
        if (strcmp(argv[i], "--time") == 0 && i + 1 < argc) {
            now = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--send") == 0 && i + 1 < argc) {
            send_text = argv[++i];
        } else if (strcmp(argv[i], "--chip") == 0 && i + 1 < argc) {
            chip_uri = argv[++i];
        } else if (strcmp(argv[i], "--offload") == 0 && i + 1 < argc) {
            offload = argv[++i];
        } else if (strcmp(argv[i], "--crl") == 0 && i + 1 < argc) {
            crl_path = argv[++i];
        } else if (strcmp(argv[i], "--ecdh-slot") == 0 && i + 1 < argc) {
            ecdh_slot = (unsigned)atoi(argv[++i]);
        } else if (!have_cert && i + 1 < argc) {
            n = tl_fs_read(argv[i], filebuf, sizeof filebuf, err, sizeof err);
            if (n < 0 || tl_tls_chain_add_pem(&chain, filebuf, (size_t)n) != TL_TLS_PEM_OK) {
                printf("error: bad client certificate or key\n");
                return 1;
            }
            keyarg = argv[++i];
            have_cert = 1;
        }
    }
    if (chip_uri) {
        if (tl_hal_open(&hal, chip_uri, err, sizeof err) != 0) {
            printf("error: %s\n", err);
            return 1;
        }
        tl_atca_init(&dev, hal.bus);
        if (tl_atca_detect(&dev, NULL) != TL_ATCA_OK) {
            printf("error: no chip\n");
            return 1;
        }
    }
    if (keyarg && strncmp(keyarg, "chip:", 5) == 0) {
        if (!chip_uri) {
            printf("error: chip:SLOT needs --chip\n");
            return 1;
        }
        tl_signer_chip_init(&csigner, &dev, (unsigned)atoi(keyarg + 5));
        sig = &csigner.vtable;
    } else if (keyarg) {
        uint8_t key[32];
        if (parse_key(keyarg, key) || tl_signer_soft_init(&signer, key)) {
            printf("error: bad client certificate or key\n");
            return 1;
        }
        sig = &signer.vtable;
    }
    tl_tls_client_init(&tls, iobuf, sizeof iobuf, &anchors, sig, have_cert ? &chain : NULL);
    if (offload) {
        what = parse_offload(offload, chip_uri ? dev.model : TL_ATCA_MODEL_UNKNOWN);
        if (!chip_uri || tl_tls_client_use_chip(&tls, &dev, what, ecdh_slot) != 0) {
            printf("error: the chip cannot take this offload\n");
            return 1;
        }
    }
    if (now)
        tl_tls_client_set_time(&tls, now);
    if (crl_path) {
        tl_tls_crl_status cs;
        n = tl_fs_read(crl_path, filebuf, sizeof filebuf, err, sizeof err);
        tl_tls_crl_init(&crl);
        if (n < 0 || (cs = tl_tls_crl_add(&crl, &anchors, filebuf, (size_t)n, now, scratch,
                                          sizeof scratch)) != TL_TLS_CRL_OK) {
            printf("error: CRL file: %s\n", n < 0 ? err : tl_tls_crl_status_text(cs));
            return 1;
        }
        tl_tls_client_set_crl(&tls, &crl);
    }
    if (tl_tcp_connect(&tcp, argv[0], (unsigned)atoi(argv[1]), 5000, err, sizeof err)) {
        printf("error: %s\n", err);
        return 1;
    }
    if (tl_tls_client_connect(&tls, &tcp.vtable, argv[2], 5000) != 0) {
        if (offload)
            printf("chip: ecdh %lu verify %lu\n", tls.chip.ecdh_ops, tls.chip.verify_ops);
        char hex[2 * TL_TLS_CRL_SERIAL_MAX + 1];
        printf("error: %s (%d)", tl_tls_error_text(tl_tls_client_error(&tls)),
               tl_tls_client_error(&tls));
        if (tl_tls_client_error(&tls) == TL_TLS_ERR_REVOKED)
            printf(": serial %s", tl_tls_client_revoked_serial(&tls, hex, sizeof hex));
        printf("\n");
        tcp.vtable->close(&tcp.vtable);
        return 1;
    }
    printf("connected\n");
    if (offload)
        printf("chip: ecdh %lu verify %lu\n", tls.chip.ecdh_ops, tls.chip.verify_ops);
    if (send_text) {
        char line[512];
        size_t got = 0;
        if (tls.vtable->send(&tls.vtable, (const uint8_t *)send_text, strlen(send_text), 5000) !=
            (long)strlen(send_text)) {
            printf("error: send: %s\n", tl_tls_error_text(tl_tls_client_error(&tls)));
            return 1;
        }
        while (got < sizeof line - 1) {
            long r = tls.vtable->recv(&tls.vtable, (uint8_t *)line + got, sizeof line - 1 - got, 5000);
            if (r <= 0) {
                printf("error: recv %ld: %s\n", r, tl_tls_error_text(tl_tls_client_error(&tls)));
                return 1;
            }
            got += (size_t)r;
            if (memchr(line, '\n', got))
                break;
        }
        line[got] = '\0';
        printf("%s", line);
    }
    tls.vtable->close(&tls.vtable);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "csr") == 0)
        return cmd_csr(argv[2], argv[3]);
    if (argc >= 6 && strcmp(argv[1], "connect") == 0)
        return cmd_connect(argc - 2, argv + 2);
    fprintf(stderr, "usage: tls_probe csr KEYHEX CN | connect HOST PORT NAME CA"
                    " [CERT KEYHEX|chip:SLOT] [--time UNIX] [--send TEXT] [--chip URI]"
                    " [--offload ecdh|verify|ecdh+verify|auto] [--ecdh-slot N] [--crl FILE]\n");
    return 2;
}
