/* tl_ca: the CA's profile, CSR checks and certificate ids, checked with
 * OpenSSL's own verifier. (test_cloud_ca.sh checks CSRs made by the openssl
 * command and `openssl verify`.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cloud/tl_ca.h"

static char *ca_key, *ca_cert;

static int make_ca(void **state)
{
    char err[256];
    (void)state;
    assert_int_equal(tl_ca_create("test CA", &ca_key, &ca_cert, err, sizeof err), TL_CA_OK);
    return 0;
}

static int free_ca(void **state)
{
    (void)state;
    free(ca_key);
    free(ca_cert);
    return 0;
}

static X509 *pem_cert(const char *pem)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    BIO_free(b);
    assert_non_null(x);
    return x;
}

/* Verify leaf against the CA with OpenSSL's chain builder for a purpose. */
static int verify(const char *leaf_pem, int purpose)
{
    X509 *ca = pem_cert(ca_cert), *leaf = pem_cert(leaf_pem);
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    int ok;
    X509_STORE_add_cert(store, ca);
    X509_STORE_CTX_init(ctx, store, leaf, NULL);
    X509_STORE_CTX_set_purpose(ctx, purpose);
    ok = X509_verify_cert(ctx);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    X509_free(leaf);
    X509_free(ca);
    return ok;
}

static char *csr_for(EVP_PKEY *k, const char *cn)
{
    X509_REQ *req = X509_REQ_new();
    X509_NAME *n = X509_NAME_new();
    BIO *b = BIO_new(BIO_s_mem());
    char *data, *out;
    long len;
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
    X509_REQ_set_subject_name(req, n);
    X509_REQ_set_pubkey(req, k);
    assert_true(X509_REQ_sign(req, k, EVP_sha256()) > 0);
    PEM_write_bio_X509_REQ(b, req);
    len = BIO_get_mem_data(b, &data);
    out = malloc((size_t)len + 1);
    memcpy(out, data, (size_t)len);
    out[len] = '\0';
    BIO_free(b);
    X509_NAME_free(n);
    X509_REQ_free(req);
    return out;
}

static void test_ca_profile(void **state)
{
    X509 *x = pem_cert(ca_cert);
    BASIC_CONSTRAINTS *bc;
    int crit = 0;
    (void)state;
    bc = X509_get_ext_d2i(x, NID_basic_constraints, &crit, NULL);
    assert_non_null(bc);
    assert_true(bc->ca);
    assert_int_equal(crit, 1);
    BASIC_CONSTRAINTS_free(bc);
    assert_true(X509_get_key_usage(x) & KU_KEY_CERT_SIGN);
    assert_true(X509_get_key_usage(x) & KU_CRL_SIGN);
    assert_non_null(X509_get0_subject_key_id(x));
    assert_int_equal(X509_check_ca(x), 1);
    /* About ten years. */
    {
        int days = 0, secs = 0;
        assert_int_equal(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), X509_get0_notAfter(x)), 1);
        assert_in_range(days, 3649, 3651);
    }
    assert_true(EVP_PKEY_is_a(X509_get0_pubkey(x), "EC"));
    X509_free(x);
    assert_non_null(strstr(ca_key, "-----BEGIN PRIVATE KEY-----"));
}

static void test_server_cert(void **state)
{
    char *key, *cert, err[256];
    X509 *x;
    (void)state;
    assert_int_equal(tl_ca_create_server(ca_key, ca_cert, "iot.example.local", &key, &cert, err, sizeof err), TL_CA_OK);
    assert_int_equal(verify(cert, X509_PURPOSE_SSL_SERVER), 1);
    x = pem_cert(cert);
    assert_int_equal(X509_check_host(x, "localhost", 0, 0, NULL), 1);
    assert_int_equal(X509_check_host(x, "iot.example.local", 0, 0, NULL), 1);
    assert_int_equal(X509_check_host(x, "other.example", 0, 0, NULL), 0);
    assert_int_equal(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
    assert_true(X509_get_extended_key_usage(x) & XKU_SSL_SERVER);
    X509_free(x);
    free(key);
    free(cert);
    /* An address as the endpoint becomes an IP name. */
    assert_int_equal(tl_ca_create_server(ca_key, ca_cert, "10.1.2.3", &key, &cert, err, sizeof err), TL_CA_OK);
    x = pem_cert(cert);
    assert_int_equal(X509_check_ip_asc(x, "10.1.2.3", 0), 1);
    X509_free(x);
    free(key);
    free(cert);
    assert_int_equal(tl_ca_create_server(ca_key, ca_cert, "a,DNS:evil", &key, &cert, err, sizeof err), TL_CA_ERR_INPUT);
    assert_null(cert);
}

static void test_sign_csr_profile(void **state)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    char *csr = csr_for(k, "device-7"), *cert, err[256], buf[64];
    X509 *x;
    int days = 0, secs = 0;
    (void)state;
    assert_int_equal(tl_ca_sign_csr(ca_key, ca_cert, csr, 30, &cert, err, sizeof err), TL_CA_OK);
    assert_int_equal(verify(cert, X509_PURPOSE_SSL_CLIENT), 1);
    assert_int_equal(verify(cert, X509_PURPOSE_SSL_SERVER), 0);   /* clientAuth only */
    x = pem_cert(cert);
    X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, buf, sizeof buf);
    assert_string_equal(buf, "device-7");
    assert_int_equal(X509_check_ca(x), 0);
    assert_int_equal(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE);
    assert_non_null(X509_get0_subject_key_id(x));
    assert_non_null(X509_get0_authority_key_id(x));
    assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(x), k), 1);
    ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), X509_get0_notAfter(x));
    assert_in_range(days, 29, 30);
    {
        BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
        assert_int_equal(BN_num_bytes(bn), 16);
        assert_false(BN_is_negative(bn));
        BN_free(bn);
    }
    X509_free(x);
    free(cert);
    assert_int_equal(tl_ca_sign_csr(ca_key, ca_cert, csr, 0, &cert, err, sizeof err), TL_CA_ERR_INPUT);
    assert_int_equal(tl_ca_sign_csr(ca_key, ca_cert, csr, TL_CA_DEVICE_DAYS_MAX + 1, &cert, err, sizeof err), TL_CA_ERR_INPUT);
    free(csr);
    EVP_PKEY_free(k);
}

static void test_sign_csr_refusals(void **state)
{
    EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    EVP_PKEY *p521 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
    EVP_PKEY *p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    char *csr, *cert = (char *)"x", err[256], *other_key, *other_cert;
    (void)state;

    csr = csr_for(rsa, "weak");
    assert_int_equal(tl_ca_sign_csr(ca_key, ca_cert, csr, 30, &cert, err, sizeof err), TL_CA_ERR_KEY_TYPE);
    assert_string_equal(err, "key type not accepted: RSA 1024 bits (need RSA >= 2048 or EC P-256/P-384)");
    assert_null(cert);
    free(csr);
    csr = csr_for(p521, "big");
    assert_int_equal(tl_ca_sign_csr(ca_key, ca_cert, csr, 30, &cert, err, sizeof err), TL_CA_ERR_KEY_TYPE);
    assert_string_equal(err, "key type not accepted: EC secp521r1 (need RSA >= 2048 or EC P-256/P-384)");
    free(csr);

    assert_int_equal(tl_ca_sign_csr(ca_key, ca_cert, "garbage", 30, &cert, err, sizeof err), TL_CA_ERR_INPUT);
    assert_string_equal(err, "CSR: malformed PEM (expected -----BEGIN CERTIFICATE REQUEST-----)");
    assert_int_equal(tl_ca_sign_csr(ca_key, ca_cert, NULL, 30, &cert, err, sizeof err), TL_CA_ERR_INPUT);

    /* A CA key that is not the CA certificate's. */
    csr = csr_for(p256, "dev");
    assert_int_equal(tl_ca_create("other", &other_key, &other_cert, err, sizeof err), TL_CA_OK);
    assert_int_equal(tl_ca_sign_csr(other_key, ca_cert, csr, 30, &cert, err, sizeof err), TL_CA_ERR_CA);
    assert_string_equal(err, "CA key does not match the CA certificate");
    assert_int_equal(tl_ca_sign_csr("junk", ca_cert, csr, 30, &cert, err, sizeof err), TL_CA_ERR_CA);
    free(other_key);
    free(other_cert);
    free(csr);
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(p521);
    EVP_PKEY_free(p256);
}

static void test_keys_and_cert(void **state)
{
    char *key, *cert, err[256], id[TL_CA_ID_LEN + 1], id2[TL_CA_ID_LEN + 1];
    BIO *b;
    EVP_PKEY *k;
    X509 *x;
    unsigned char *der = NULL;
    int n;
    (void)state;
    assert_int_equal(tl_ca_create_keys_and_cert(ca_key, ca_cert, "made-here", 365, &key, &cert, err, sizeof err), TL_CA_OK);
    assert_int_equal(verify(cert, X509_PURPOSE_SSL_CLIENT), 1);
    b = BIO_new_mem_buf(key, -1);
    k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    BIO_free(b);
    x = pem_cert(cert);
    assert_int_equal(X509_check_private_key(x, k), 1);
    /* The id is the SHA-256 of the DER, in lowercase hex. */
    assert_int_equal(tl_ca_cert_id(cert, id, err, sizeof err), TL_CA_OK);
    assert_int_equal(strlen(id), 64);
    assert_int_equal(strspn(id, "0123456789abcdef"), 64);
    n = i2d_X509(x, &der);
    tl_ca_cert_id_der(der, (size_t)n, id2);
    assert_string_equal(id, id2);
    OPENSSL_free(der);
    X509_free(x);
    EVP_PKEY_free(k);
    free(key);
    free(cert);
    assert_int_equal(tl_ca_cert_id("nope", id, err, sizeof err), TL_CA_ERR_INPUT);
    assert_int_equal(tl_ca_create_keys_and_cert(ca_key, ca_cert, "", 365, &key, &cert, err, sizeof err), TL_CA_ERR_INPUT);
}

static void test_describe(void **state)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    char *csr = csr_for(k, "dev-9"), *cert, err[256];
    tl_ca_cert_info info;
    long long now = (long long)time(NULL);
    (void)state;
    assert_int_equal(tl_ca_sign_csr(ca_key, ca_cert, csr, 10, &cert, err, sizeof err), TL_CA_OK);
    assert_int_equal(tl_ca_cert_describe(cert, &info, err, sizeof err), TL_CA_OK);
    assert_string_equal(info.subject, "CN=dev-9");
    assert_int_equal(strlen(info.serial), 32);
    assert_in_range(info.not_before, now - 400, now);
    assert_in_range(info.not_after - info.not_before, 10 * 86400 - 1, 10 * 86400 + 301);
    assert_int_equal(tl_ca_cert_describe("x", &info, err, sizeof err), TL_CA_ERR_INPUT);
    free(cert);
    free(csr);
    EVP_PKEY_free(k);
}

static void test_known_id(void **state)
{
    /* SHA-256("abc"), the FIPS 180-2 example. */
    char id[TL_CA_ID_LEN + 1];
    (void)state;
    tl_ca_cert_id_der((const unsigned char *)"abc", 3, id);
    assert_string_equal(id, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_read_file(void **state)
{
    char *text, err[256];
    (void)state;
    assert_int_equal(tl_ca_read_file("/nonexistent/x.pem", &text, err, sizeof err), TL_CA_ERR_INPUT);
    assert_string_equal(err, "cannot open /nonexistent/x.pem: No such file or directory");
    assert_null(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ca_profile),
        cmocka_unit_test(test_server_cert),
        cmocka_unit_test(test_sign_csr_profile),
        cmocka_unit_test(test_sign_csr_refusals),
        cmocka_unit_test(test_keys_and_cert),
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_known_id),
        cmocka_unit_test(test_read_file),
    };
    return cmocka_run_group_tests(tests, make_ca, free_ca);
}
