/*
 * Fuzz the device's CRL handling (src/tls/tl_tls_crl.c, tl_tls_x509.c).
 * Input: one mode byte, then the data.
 *   mode even: the data is a CRL (DER or PEM) for tl_tls_crl_add against the
 *     test CAs (P-256, RSA); bit 1 says whether the device has a clock.
 *     Invariants: all or nothing (a refusal leaves the set as it was), and
 *     never more than TL_TLS_CRL_MAX entries of at most
 *     TL_TLS_CRL_SERIAL_MAX bytes.
 *   mode odd: the data is a server certificate, streamed in (mode >> 1)-byte
 *     pieces through the client's X.509 wrapper with a real CRL loaded (the
 *     DER walker that picks serial and issuer out of the stream).
 * Never a crash or a sanitizer report.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls/tl_tls.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tl_tls_anchors anchors;
static tl_tls_crl loaded;          /* crl.der: revokes 1002 and 1003 of ca.pem */
static unsigned char scratch[8192];

static size_t slurp(const char *name, unsigned char *out, size_t cap)
{
    char path[512];
    FILE *f;
    size_t n;
    snprintf(path, sizeof path, "%s/%s", TL_CRL_DIR, name);
    if (!(f = fopen(path, "rb")))
        abort();
    n = fread(out, 1, cap, f);
    fclose(f);
    return n;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *cas[] = { "ca.pem", "rsa-ca.pem" };
    unsigned char buf[4096];
    size_t i, n;
    (void)argc;
    (void)argv;
    for (i = 0; i < 2; i++) {
        n = slurp(cas[i], buf, sizeof buf);
        if (tl_tls_anchors_add_pem(&anchors, (const char *)buf, n, scratch, sizeof scratch))
            abort();
    }
    tl_tls_crl_init(&loaded);
    n = slurp("crl.der", buf, sizeof buf);
    if (tl_tls_crl_add(&loaded, &anchors, buf, n, 0, NULL, 0) != TL_TLS_CRL_OK)
        abort();
    return 0;
}

static void fuzz_crl(const uint8_t *data, size_t size, int clock)
{
    static tl_tls_crl crl;
    size_t count, i;
    tl_tls_crl_status st;
    /* Start from a set that holds something, to see all-or-nothing. */
    crl = loaded;
    count = crl.count;
    st = tl_tls_crl_add(&crl, &anchors, data, size, clock ? 1800000000u : 0, scratch,
                        sizeof scratch);
    if (st != TL_TLS_CRL_OK && (crl.count != count || crl.issuers != loaded.issuers))
        abort();
    if (crl.count > TL_TLS_CRL_MAX || crl.issuers > TL_TLS_MAX_ANCHORS)
        abort();
    for (i = 0; i < crl.count; i++)
        if (crl.entry[i].len == 0 || crl.entry[i].len > TL_TLS_CRL_SERIAL_MAX ||
            crl.entry[i].issuer >= crl.issuers)
            abort();
    (void)tl_tls_crl_status_text(st);
}

static void fuzz_cert(const uint8_t *data, size_t size, size_t chunk)
{
    static tl_tls_client cl;
    static unsigned char iobuf[BR_SSL_BUFSIZE_MONO];
    const br_x509_class **xc = &cl.x509.vtable;
    char hex[2 * TL_TLS_CRL_SERIAL_MAX + 1];
    size_t off;
    unsigned err;
    tl_tls_client_init(&cl, iobuf, sizeof iobuf, &anchors, NULL, NULL);
    tl_tls_client_set_crl(&cl, &loaded);
    (*xc)->start_chain(xc, "localhost");
    (*xc)->start_cert(xc, (uint32_t)size);
    for (off = 0; off < size; off += chunk)
        (*xc)->append(xc, data + off, size - off < chunk ? size - off : chunk);
    (*xc)->end_cert(xc);
    err = (*xc)->end_chain(xc);
    tl_tls_client_revoked_serial(&cl, hex, sizeof hex);
    if (err == 0 && cl.x509.crl.error)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1)
        fuzz_cert(data + 1, size - 1, (size_t)(data[0] >> 1) + 1);
    else
        fuzz_crl(data + 1, size - 1, data[0] & 2);
    return 0;
}
