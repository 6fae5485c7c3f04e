/*
 * CRL loading (tl_tls_crl.c) and the revocation check in the X.509 wrapper
 * (tl_tls_x509.c), on fixtures made by `openssl ca -gencrl`
 * (tests/tls/crl/make-fixtures.sh): good CRLs of P-256, P-384 and RSA CAs,
 * every refusal, and a server chain fed to the wrapper as the handshake
 * would, in one piece and byte by byte.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tls/tl_tls.h"

#define NOW 1800000000ULL            /* 2027-01-15 */
/* crl.der's nextUpdate, 2051-07-17 10:49:31 as `openssl crl -text` reads it
 * (update it when make-fixtures.sh runs again). */
#define NEXT 2573203771ULL

static unsigned char buf[8192];
static unsigned char scratch[4096];
static tl_tls_anchors anchors;
static tl_tls_crl crl;

static size_t load(const char *name, unsigned char *out, size_t cap)
{
    char path[512];
    FILE *f;
    size_t n;
    snprintf(path, sizeof path, "%s/%s", TL_CRL_DIR, name);
    f = fopen(path, "rb");
    assert_non_null(f);
    n = fread(out, 1, cap, f);
    assert_true(n < cap);
    fclose(f);
    return n;
}

static void add_anchor(const char *name)
{
    char pem[4096];
    size_t n = load(name, (unsigned char *)pem, sizeof pem);
    assert_int_equal(tl_tls_anchors_add_pem(&anchors, pem, n, scratch, sizeof scratch),
                     TL_TLS_PEM_OK);
}

static tl_tls_crl_status add_file(const char *name, uint64_t now)
{
    size_t n = load(name, buf, sizeof buf);
    return tl_tls_crl_add(&crl, &anchors, buf, n, now, scratch, sizeof scratch);
}

static int setup(void **state)
{
    (void)state;
    memset(&anchors, 0, sizeof anchors);
    tl_tls_crl_init(&crl);
    add_anchor("ca.pem");
    return 0;
}

static void assert_entry(size_t i, const char *serial, size_t len)
{
    assert_int_equal(crl.entry[i].len, len);
    assert_memory_equal(crl.entry[i].serial, serial, len);
}

static void test_good_crl(void **state)
{
    char pem[2048];
    size_t n;
    (void)state;
    assert_int_equal(add_file("crl.der", NOW), TL_TLS_CRL_OK);
    assert_int_equal(crl.count, 2);
    assert_int_equal(crl.issuers, 1);
    assert_entry(0, "\x10\x02", 2);
    assert_entry(1, "\x10\x03", 2);
    assert_true(crl.next_days[0] > 0);
    /* The same CRL as PEM, loaded again: nothing new (duplicates are merged). */
    n = load("crl.pem", (unsigned char *)pem, sizeof pem);
    assert_int_equal(tl_tls_crl_add(&crl, &anchors, pem, n, NOW, scratch, sizeof scratch),
                     TL_TLS_CRL_OK);
    assert_int_equal(crl.count, 2);
    /* No clock: nextUpdate is not checked here. */
    tl_tls_crl_init(&crl);
    assert_int_equal(tl_tls_crl_add(&crl, &anchors, pem, n, 0, scratch, sizeof scratch),
                     TL_TLS_CRL_OK);
    assert_int_equal(crl.count, 2);
    /* PEM needs scratch room for the DER. */
    tl_tls_crl_init(&crl);
    assert_int_equal(tl_tls_crl_add(&crl, &anchors, pem, n, NOW, scratch, 100),
                     TL_TLS_CRL_TOO_BIG);
    assert_int_equal(tl_tls_crl_add(&crl, &anchors, pem, n, NOW, NULL, 0), TL_TLS_CRL_TOO_BIG);
    assert_int_equal(crl.count, 0);
}

static void test_rsa_and_p384(void **state)
{
    (void)state;
    add_anchor("rsa-ca.pem");
    add_anchor("p384-ca.pem");
    assert_int_equal(add_file("crl-rsa.der", NOW), TL_TLS_CRL_OK);    /* sha256WithRSA */
    assert_int_equal(add_file("crl-p384.der", NOW), TL_TLS_CRL_OK);   /* ecdsa-with-SHA384 */
    assert_int_equal(crl.issuers, 2);
    assert_int_equal(crl.count, 3);
    assert_entry(0, "\x0A\x0B", 2);   /* openssl sorts by serial */
    assert_int_equal(crl.entry[2].issuer, 1);
}

static void test_bad_signature(void **state)
{
    size_t n = load("crl.der", buf, sizeof buf), i;
    unsigned char *at = NULL;
    (void)state;
    for (i = 0; i + 1 < n && !at; i++)
        if (buf[i] == 0x10 && buf[i + 1] == 0x03)
            at = buf + i + 1;
    assert_non_null(at);
    *at = 0x04;     /* revoke 1004 instead of 1003: the signature no longer matches */
    assert_int_equal(tl_tls_crl_add(&crl, &anchors, buf, n, NOW, NULL, 0),
                     TL_TLS_CRL_BAD_SIGNATURE);
    *at = 0x03;
    buf[n - 1] ^= 0x01;   /* the signature's last byte */
    assert_int_equal(tl_tls_crl_add(&crl, &anchors, buf, n, NOW, NULL, 0),
                     TL_TLS_CRL_BAD_SIGNATURE);
    /* Same issuer name as the anchor, another key. */
    assert_int_equal(add_file("crl-impostor.der", NOW), TL_TLS_CRL_BAD_SIGNATURE);
    assert_int_equal(crl.count, 0);
    assert_int_equal(crl.issuers, 0);
}

static void test_wrong_issuer(void **state)
{
    (void)state;
    assert_int_equal(add_file("crl-other.der", NOW), TL_TLS_CRL_UNKNOWN_ISSUER);
    assert_int_equal(crl.count, 0);
    add_anchor("other-ca.pem");
    assert_int_equal(add_file("crl-other.der", NOW), TL_TLS_CRL_OK);
    assert_int_equal(crl.count, 1);
}

static void test_expired(void **state)
{
    (void)state;
    assert_int_equal(add_file("crl.der", NEXT + 1), TL_TLS_CRL_EXPIRED);
    assert_int_equal(crl.count, 0);
    assert_int_equal(add_file("crl.der", NEXT), TL_TLS_CRL_OK);
    /* The GeneralizedTime read as OpenSSL reads it. */
    assert_int_equal((uint64_t)(crl.next_days[0] - 719528u) * 86400u + crl.next_seconds[0], NEXT);
}

static void test_limits(void **state)
{
    (void)state;
    assert_int_equal(TL_TLS_CRL_MAX, 64);
    assert_int_equal(add_file("crl-65.der", NOW), TL_TLS_CRL_TOO_MANY);
    assert_int_equal(crl.count, 0);
    assert_int_equal(crl.issuers, 0);
    assert_int_equal(add_file("crl-64.der", NOW), TL_TLS_CRL_OK);
    assert_int_equal(crl.count, 64);
    assert_entry(63, "\x10\x3F", 2);
    /* 1002 and 1003 are among them already: nothing new. */
    assert_int_equal(add_file("crl.der", NOW), TL_TLS_CRL_OK);
    assert_int_equal(crl.count, 64);
    /* Another issuer's CRL does not fit: all or nothing. */
    add_anchor("rsa-ca.pem");
    assert_int_equal(add_file("crl-rsa.der", NOW), TL_TLS_CRL_TOO_MANY);
    assert_int_equal(crl.count, 64);
    assert_int_equal(crl.issuers, 1);
    assert_int_equal(add_file("crl-longserial.der", NOW), TL_TLS_CRL_SERIAL_TOO_LONG);
    assert_int_equal(add_file("crl-idp.der", NOW), TL_TLS_CRL_CRITICAL_EXT);
    assert_int_equal(crl.count, 64);
}

static void test_malformed(void **state)
{
    size_t n = load("crl.der", buf, sizeof buf), i;
    unsigned char copy[1024];
    uint32_t seed = 12345;
    static const char *pem_junk[] = {
        "-----BEGIN X509 CRL-----\n!!!!\n-----END X509 CRL-----\n",
        "-----BEGIN X509 CRL-----\nMAA=\n",
        "-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n",
    };
    (void)state;
    assert_true(n < sizeof copy);
    memcpy(copy, buf, n);
    /* Every truncation. */
    for (i = 1; i < n; i++)
        assert_int_equal(tl_tls_crl_add(&crl, &anchors, copy, i, NOW, NULL, 0),
                         TL_TLS_CRL_MALFORMED);
    assert_int_equal(tl_tls_crl_add(&crl, &anchors, copy, 0, NOW, NULL, 0), TL_TLS_CRL_NONE);
    /* A byte after the end. */
    copy[n] = 0;
    assert_int_equal(tl_tls_crl_add(&crl, &anchors, copy, n + 1, NOW, NULL, 0),
                     TL_TLS_CRL_MALFORMED);
    /* Every byte changed: never accepted. */
    for (i = 0; i < n; i++) {
        copy[i] ^= 0xFF;
        assert_int_not_equal(tl_tls_crl_add(&crl, &anchors, copy, n, NOW, NULL, 0),
                             TL_TLS_CRL_OK);
        copy[i] ^= 0xFF;
    }
    /* Noise that starts like DER. */
    for (i = 0; i < 2000; i++) {
        size_t j, len = 1 + i % 300;
        for (j = 0; j < len; j++) {
            seed = seed * 1103515245u + 12345u;
            copy[j] = (unsigned char)(seed >> 16);
        }
        copy[0] = 0x30;
        assert_int_equal(tl_tls_crl_add(&crl, &anchors, copy, len, NOW, NULL, 0),
                         TL_TLS_CRL_MALFORMED);
    }
    for (i = 0; i < sizeof pem_junk / sizeof pem_junk[0]; i++)
        assert_int_equal(tl_tls_crl_add(&crl, &anchors, pem_junk[i], strlen(pem_junk[i]), NOW,
                                        scratch, sizeof scratch),
                         TL_TLS_CRL_MALFORMED);
    assert_int_equal(tl_tls_crl_add(&crl, &anchors, "hello", 5, NOW, scratch, sizeof scratch),
                     TL_TLS_CRL_NONE);
    assert_int_equal(crl.count, 0);
    assert_string_equal(tl_tls_crl_status_text(TL_TLS_CRL_UNKNOWN_ISSUER),
                        "CRL issuer is not one of the trust anchors (wrong CA?)");
}

/* The server chain (one certificate) through the client's X.509 wrapper, as
 * the handshake feeds it: in `chunk`-byte pieces. */
static int check_chain(const char *cert_file, const tl_tls_crl *c, uint64_t now, size_t chunk,
                       char *serial_hex)
{
    static tl_tls_client cl;
    static unsigned char iobuf[BR_SSL_BUFSIZE_MONO];
    tl_tls_chain chain;
    const br_x509_class **xc;
    char pem[4096];
    size_t n = load(cert_file, (unsigned char *)pem, sizeof pem), off;
    const br_x509_certificate *cert;
    memset(&chain, 0, sizeof chain);
    assert_int_equal(tl_tls_chain_add_pem(&chain, pem, n), TL_TLS_PEM_OK);
    cert = &chain.cert[0];
    tl_tls_client_init(&cl, iobuf, sizeof iobuf, &anchors, NULL, NULL);
    tl_tls_client_set_crl(&cl, c);
    if (now)
        tl_tls_client_set_time(&cl, now);
    xc = &cl.x509.vtable;
    (*xc)->start_chain(xc, "localhost");
    (*xc)->start_cert(xc, (uint32_t)cert->data_len);
    for (off = 0; off < cert->data_len; off += chunk)
        (*xc)->append(xc, cert->data + off,
                      cert->data_len - off < chunk ? cert->data_len - off : chunk);
    (*xc)->end_cert(xc);
    n = (*xc)->end_chain(xc);
    if (serial_hex)
        tl_tls_client_revoked_serial(&cl, serial_hex, 16);
    return (int)n;
}

static void test_handshake_check(void **state)
{
    char hex[16];
    size_t chunk;
    static const size_t chunks[] = { 1, 2, 3, 7, 64, 4096 };
    (void)state;
    /* Without a CRL both pass. */
    assert_int_equal(check_chain("server-1001.pem", NULL, 0, 4096, NULL), 0);
    assert_int_equal(check_chain("server-1002.pem", NULL, 0, 4096, NULL), 0);
    assert_int_equal(add_file("crl.der", NOW), TL_TLS_CRL_OK);
    for (chunk = 0; chunk < sizeof chunks / sizeof chunks[0]; chunk++) {
        assert_int_equal(check_chain("server-1001.pem", &crl, 0, chunks[chunk], NULL), 0);
        hex[0] = 'x';
        assert_int_equal(check_chain("server-1002.pem", &crl, 0, chunks[chunk], hex),
                         TL_TLS_ERR_REVOKED);
        assert_string_equal(hex, "1002");
    }
    assert_int_equal(check_chain("server-1002.pem", &crl, NOW, 5, NULL), TL_TLS_ERR_REVOKED);
    /* A clock past the CRL's nextUpdate: stale, even for the good certificate. */
    assert_int_equal(check_chain("server-1001.pem", &crl, NEXT + 1, 5, NULL),
                     TL_TLS_ERR_CRL_EXPIRED);
    assert_int_equal(check_chain("server-1001.pem", &crl, NEXT, 5, NULL), 0);
    /* An untrusted chain keeps BearSSL's verdict. */
    add_anchor("other-ca.pem");
    memmove(&anchors.ta[0], &anchors.ta[1], sizeof anchors.ta[0]);
    anchors.count = 1;
    assert_int_equal(check_chain("server-1002.pem", &crl, 0, 5, NULL), BR_ERR_X509_NOT_TRUSTED);
    /* Another issuer's CRL says nothing about this chain. */
    setup(NULL);
    add_anchor("other-ca.pem");
    assert_int_equal(add_file("crl-other.der", NOW), TL_TLS_CRL_OK);   /* revokes 1002 */
    assert_int_equal(check_chain("server-1002.pem", &crl, 0, 5, NULL), 0);
    assert_string_equal(tl_tls_error_text(TL_TLS_ERR_REVOKED),
                        "server certificate revoked (its serial number is in the CRL)");
}

/* A certificate the walker cannot read fails closed when a CRL is set. */
static void test_unreadable_cert(void **state)
{
    static tl_tls_client cl;
    static unsigned char iobuf[BR_SSL_BUFSIZE_MONO];
    static const unsigned char junk[] = { 0x30, 0x80, 0x01, 0x02 };
    const br_x509_class **xc = &cl.x509.vtable;
    (void)state;
    assert_int_equal(add_file("crl.der", NOW), TL_TLS_CRL_OK);
    tl_tls_client_init(&cl, iobuf, sizeof iobuf, &anchors, NULL, NULL);
    tl_tls_client_set_crl(&cl, &crl);
    (*xc)->start_chain(xc, "localhost");
    (*xc)->start_cert(xc, sizeof junk);
    (*xc)->append(xc, junk, sizeof junk);
    (*xc)->end_cert(xc);
    assert_int_not_equal((*xc)->end_chain(xc), 0);
    assert_int_equal(cl.x509.crl.error, TL_TLS_ERR_CRL_CHECK);
}

/* A certificate that BearSSL's decoder gives up on early: the date wrapper
 * used to push on into the failed decoder, whose T0 code then resumed on a
 * broken stack and crashed (found by fuzz_tls_crl; decoder-crash.bin is its
 * input: a mode byte, then the certificate). No clock, no CRL. */
static void test_decoder_failure(void **state)
{
    static tl_tls_client cl;
    static unsigned char iobuf[BR_SSL_BUFSIZE_MONO];
    const br_x509_class **xc = &cl.x509.vtable;
    unsigned char in[1024];
    size_t n = load("decoder-crash.bin", in, sizeof in), chunk = (size_t)(in[0] >> 1) + 1, off;
    (void)state;
    tl_tls_client_init(&cl, iobuf, sizeof iobuf, &anchors, NULL, NULL);
    (*xc)->start_chain(xc, "localhost");
    (*xc)->start_cert(xc, (uint32_t)(n - 1));
    for (off = 1; off < n; off += chunk)
        (*xc)->append(xc, in + off, n - off < chunk ? n - off : chunk);
    (*xc)->end_cert(xc);
    assert_int_not_equal((*xc)->end_chain(xc), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_good_crl, setup),
        cmocka_unit_test_setup(test_rsa_and_p384, setup),
        cmocka_unit_test_setup(test_bad_signature, setup),
        cmocka_unit_test_setup(test_wrong_issuer, setup),
        cmocka_unit_test_setup(test_expired, setup),
        cmocka_unit_test_setup(test_limits, setup),
        cmocka_unit_test_setup(test_malformed, setup),
        cmocka_unit_test_setup(test_handshake_check, setup),
        cmocka_unit_test_setup(test_unreadable_cert, setup),
        cmocka_unit_test_setup(test_decoder_failure, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
