/*
 * The TLS glue without network, files or openssl, for the QEMU targets (and
 * Linux): PEM keys and certificates from texts compiled in (tls_fixtures.h,
 * made by tls-fixtures.sh), the X.509 wrapper's date rules on a chain fed as
 * the handshake feeds it (in pieces of any length, so at odd offsets), and
 * the client-certificate class signing with the software signer and with
 * the chip signer (in-process emulator), each signature checked by BearSSL.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../atca/emu_chip.h"
#include "tls/tl_signer_chip.h"
#include "tls/tl_tls.h"
#include "tls_fixtures.h"

/* The fixtures' dates (tls-fixtures.sh): leaf_pem 2025-06-01 to 2035-06-01,
 * old_pem 2020-01-01 to 2021-01-01, both 00:00:00 UTC. */
#define LEAF_FROM 1748736000ULL
#define LEAF_UNTIL 2064268800ULL
#define OLD_FROM 1577836800ULL
#define OLD_UNTIL 1609459200ULL
#define NO_CLOCK 0

static unsigned char scratch[1024];

static void test_pem_keys(void **state)
{
    static const char junk[] = "-----BEGIN EC PRIVATE KEY-----\n!!!\n-----END EC PRIVATE KEY-----\n";
    char odd[sizeof key_sec1_pem + 1];
    uint8_t key[32], pub[64];
    tl_signer_soft s;
    (void)state;
    assert_int_equal(tl_tls_pem_decode_key(key_sec1_pem, strlen(key_sec1_pem), key),
                     TL_TLS_PEM_OK);
    assert_memory_equal(key, key_scalar, 32);
    memset(key, 0, sizeof key);
    assert_int_equal(tl_tls_pem_decode_key(key_pkcs8_pem, strlen(key_pkcs8_pem), key),
                     TL_TLS_PEM_OK);
    assert_memory_equal(key, key_scalar, 32);
    /* The same text one byte off its alignment. */
    memcpy(odd + 1, key_sec1_pem, sizeof key_sec1_pem - 1);
    memset(key, 0, sizeof key);
    assert_int_equal(tl_tls_pem_decode_key(odd + 1, sizeof key_sec1_pem - 1, key), TL_TLS_PEM_OK);
    assert_memory_equal(key, key_scalar, 32);
    /* The key is the one openssl says it is. */
    assert_int_equal(tl_signer_soft_init(&s, key), 0);
    assert_int_equal(s.vtable->public_key(&s.vtable, pub), 0);
    assert_memory_equal(pub, key_pub, 64);
    /* Refusals: another curve, no key, bad base64. */
    assert_int_equal(tl_tls_pem_decode_key(key_p384_pem, strlen(key_p384_pem), key),
                     TL_TLS_PEM_BAD_CERT);
    assert_int_equal(tl_tls_pem_decode_key(ca_pem, strlen(ca_pem), key), TL_TLS_PEM_NONE);
    assert_int_equal(tl_tls_pem_decode_key(junk, strlen(junk), key), TL_TLS_PEM_MALFORMED);
}

static void test_pem_certificates(void **state)
{
    static tl_tls_anchors a;
    static tl_tls_chain c;
    static char two[sizeof leaf_pem + sizeof ca_pem];
    static const char not_der[] = "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n";
    static const char bad_b64[] = "-----BEGIN CERTIFICATE-----\nMA*CAQE=\n-----END CERTIFICATE-----\n";
    size_t i;
    (void)state;
    memset(&a, 0, sizeof a);
    assert_int_equal(tl_tls_anchors_add_pem(&a, ca_pem, strlen(ca_pem), scratch, sizeof scratch),
                     TL_TLS_PEM_OK);
    assert_int_equal(a.count, 1);
    assert_int_equal(a.ta[0].flags, BR_X509_TA_CA);
    assert_int_equal(a.ta[0].pkey.key_type, BR_KEYTYPE_EC);
    assert_int_equal(a.ta[0].pkey.key.ec.curve, BR_EC_secp256r1);
    assert_int_equal(a.ta[0].pkey.key.ec.qlen, 65);
    /* One DER certificate must fit the scratch buffer. */
    assert_int_equal(tl_tls_anchors_add_pem(&a, ca_pem, strlen(ca_pem), scratch, CA_DER_LEN - 1),
                     TL_TLS_PEM_FULL);
    /* As many anchors as there are places, then "full". */
    for (i = 1; i < TL_TLS_MAX_ANCHORS; i++)
        assert_int_equal(tl_tls_anchors_add_pem(&a, ca_pem, strlen(ca_pem), scratch,
                                                sizeof scratch), TL_TLS_PEM_OK);
    assert_int_equal(a.count, TL_TLS_MAX_ANCHORS);
    assert_int_equal(tl_tls_anchors_add_pem(&a, ca_pem, strlen(ca_pem), scratch, sizeof scratch),
                     TL_TLS_PEM_FULL);

    /* A chain from one text, in order, each DER copied whole. */
    memset(&c, 0, sizeof c);
    strcpy(two, leaf_pem);
    strcat(two, ca_pem);
    assert_int_equal(tl_tls_chain_add_pem(&c, two, strlen(two)), TL_TLS_PEM_OK);
    assert_int_equal(c.count, 2);
    assert_int_equal(c.cert[0].data_len, LEAF_DER_LEN);
    assert_int_equal(c.cert[1].data_len, CA_DER_LEN);
    assert_int_equal(c.used, LEAF_DER_LEN + CA_DER_LEN);
    assert_int_equal(c.cert[0].data[0], 0x30);
    assert_int_equal(tl_tls_chain_add_pem(&c, leaf_pem, strlen(leaf_pem)), TL_TLS_PEM_FULL);
    /* Refusals. */
    memset(&c, 0, sizeof c);
    assert_int_equal(tl_tls_chain_add_pem(&c, key_sec1_pem, strlen(key_sec1_pem)),
                     TL_TLS_PEM_NONE);
    assert_int_equal(tl_tls_chain_add_pem(&c, bad_b64, strlen(bad_b64)), TL_TLS_PEM_MALFORMED);
    memset(&a, 0, sizeof a);
    assert_int_equal(tl_tls_anchors_add_pem(&a, not_der, strlen(not_der), scratch, sizeof scratch),
                     TL_TLS_PEM_BAD_CERT);
    assert_int_equal(a.count, 0);
}

/*
 * One server certificate under ca_pem through the client's X.509 wrapper,
 * in chunk-byte pieces, as server `name` at unix time `now` (NO_CLOCK: the
 * device does not know the time). flip: one byte of the signature changed.
 */
static int check_chain(const char *pem, const char *name, uint64_t now, size_t chunk, int flip)
{
    static tl_tls_anchors a;
    static tl_tls_chain c;
    static tl_tls_client cl;
    static unsigned char iobuf[BR_SSL_BUFSIZE_MONO];
    static unsigned char der[512];
    const br_x509_class **xc = &cl.x509.vtable;
    size_t off, len;
    memset(&a, 0, sizeof a);
    memset(&c, 0, sizeof c);
    assert_int_equal(tl_tls_anchors_add_pem(&a, ca_pem, strlen(ca_pem), scratch, sizeof scratch),
                     TL_TLS_PEM_OK);
    assert_int_equal(tl_tls_chain_add_pem(&c, pem, strlen(pem)), TL_TLS_PEM_OK);
    len = c.cert[0].data_len;
    assert_true(len <= sizeof der);
    memcpy(der, c.cert[0].data, len);
    if (flip)
        der[len - 1] ^= 0x01;   /* the last byte of the signature's s */
    tl_tls_client_init(&cl, iobuf, sizeof iobuf, &a, NULL, NULL);
    if (now != NO_CLOCK)
        tl_tls_client_set_time(&cl, now);
    (*xc)->start_chain(xc, name);
    (*xc)->start_cert(xc, (uint32_t)len);
    for (off = 0; off < len; off += chunk)
        (*xc)->append(xc, der + off, len - off < chunk ? len - off : chunk);
    (*xc)->end_cert(xc);
    return (int)(*xc)->end_chain(xc);
}

static void test_chain_dates(void **state)
{
    static const size_t chunks[] = { 1, 3, 7, 64, 4096 };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        /* No clock: a certificate issued after the firmware's build time is
         * fine (notBefore is not checked), one that expired before it not. */
        assert_int_equal(check_chain(leaf_pem, "localhost", NO_CLOCK, chunks[i], 0), 0);
        assert_int_equal(check_chain(old_pem, "localhost", NO_CLOCK, chunks[i], 0),
                         BR_ERR_X509_EXPIRED);
    }
    /* With a clock both dates count, to the second. */
    assert_int_equal(check_chain(leaf_pem, "localhost", LEAF_FROM, 5, 0), 0);
    assert_int_equal(check_chain(leaf_pem, "localhost", LEAF_FROM - 1, 5, 0), BR_ERR_X509_EXPIRED);
    assert_int_equal(check_chain(leaf_pem, "localhost", LEAF_UNTIL, 5, 0), 0);
    assert_int_equal(check_chain(leaf_pem, "localhost", LEAF_UNTIL + 1, 5, 0), BR_ERR_X509_EXPIRED);
    assert_int_equal(check_chain(old_pem, "localhost", (OLD_FROM + OLD_UNTIL) / 2, 5, 0), 0);
    assert_int_equal(check_chain(old_pem, "localhost", LEAF_FROM, 5, 0), BR_ERR_X509_EXPIRED);
    /* The rest is checked as usual: the name, the signature (BearSSL says a
     * certificate that no anchor's key verifies is not trusted). */
    assert_int_equal(check_chain(leaf_pem, "example.com", NO_CLOCK, 5, 0),
                     BR_ERR_X509_BAD_SERVER_NAME);
    assert_int_equal(check_chain(leaf_pem, "localhost", NO_CLOCK, 5, 1), BR_ERR_X509_NOT_TRUSTED);
}

/* The client-certificate class with signer s, whose public key is pub:
 * what it offers, and its CertificateVerify signature checked by BearSSL. */
static void check_ccert(const tl_signer_class **s, const uint8_t pub[64])
{
    static tl_tls_chain c;
    tl_tls_ccert cc;
    const br_ssl_client_certificate_class **vt = &cc.vtable;
    br_ssl_client_certificate choice;
    br_sha256_context h;
    uint8_t digest[32];
    unsigned char data[80];
    size_t n;
    memset(&c, 0, sizeof c);
    assert_int_equal(tl_tls_chain_add_pem(&c, leaf_pem, strlen(leaf_pem)), TL_TLS_PEM_OK);
    tl_tls_ccert_init(&cc, s, c.cert, c.count);
    /* ECDSA with SHA-256 accepted by the server: our chain. */
    (*vt)->choose(vt, NULL, (1u << (8 + br_sha256_ID)) | (1u << br_sha256_ID), &choice);
    assert_int_equal(choice.auth_type, BR_AUTH_ECDSA);
    assert_int_equal(choice.hash_id, br_sha256_ID);
    assert_ptr_equal(choice.chain, c.cert);
    assert_int_equal(choice.chain_len, 1);
    /* RSA only, or ECDSA with SHA-384 only: nothing offered. */
    (*vt)->choose(vt, NULL, (1u << br_sha256_ID) | (1u << (8 + br_sha384_ID)), &choice);
    assert_null(choice.chain);
    assert_int_equal(choice.chain_len, 0);

    br_sha256_init(&h);
    br_sha256_update(&h, "handshake messages", 18);
    br_sha256_out(&h, digest);
    memcpy(data, digest, 32);
    n = (*vt)->do_sign(vt, br_sha256_ID, 32, data, sizeof data);
    assert_in_range(n, 8, 72);
    assert_int_equal(data[0], 0x30);   /* DER, as TLS wants it */
    assert_int_equal(br_ecdsa_asn1_to_raw(data, n), 64);
    assert_true(soft_verify(pub, digest, data));
    assert_int_equal(cc.sign_error, 0);
    /* Only SHA-256 digests are signed, and only into room enough. */
    memcpy(data, digest, 32);
    assert_int_equal((*vt)->do_sign(vt, br_sha384_ID, 48, data, sizeof data), 0);
    assert_int_equal((*vt)->do_sign(vt, br_sha256_ID, 32, data, 32), 0);
}

static void test_ccert_soft(void **state)
{
    tl_signer_soft s;
    (void)state;
    assert_int_equal(tl_signer_soft_init(&s, key_scalar), 0);
    check_ccert(&s.vtable, key_pub);
}

static void test_ccert_chip(void **state)
{
    size_t m;
    (void)state;
    for (m = 0; m < 2; m++) {
        chip *c = chip_new(models[m], 11);
        tl_signer_chip s;
        tl_tls_ccert cc;
        const br_ssl_client_certificate_class **vt = &cc.vtable;
        unsigned char data[80];
        uint8_t pub[64];
        provision(c);
        assert_int_equal(tl_atca_genkey(&c->dev, 0, NULL), TL_ATCA_OK);
        tl_signer_chip_init(&s, &c->dev, 0);
        assert_int_equal(s.vtable->public_key(&s.vtable, pub), 0);
        check_ccert(&s.vtable, pub);
        /* A chip that cannot sign (slot 8 holds data, not a key): no
         * signature, and the failure is the signer's. */
        tl_signer_chip_init(&s, &c->dev, 8);
        tl_tls_ccert_init(&cc, &s.vtable, NULL, 0);
        memset(data, 0x33, 32);
        assert_int_equal((*vt)->do_sign(vt, br_sha256_ID, 32, data, sizeof data), 0);
        assert_int_equal(cc.sign_error, 1);
        assert_int_not_equal(tl_signer_chip_error(&s), TL_ATCA_OK);
        chip_free(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pem_keys),
        cmocka_unit_test(test_pem_certificates),
        cmocka_unit_test(test_chain_dates),
        cmocka_unit_test(test_ccert_soft),
        cmocka_unit_test(test_ccert_chip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
