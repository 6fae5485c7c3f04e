/* PEM loading: private keys in both encodings OpenSSL writes, and refusals. */
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

/* Output of a shell command (openssl), NUL-terminated. */
static size_t sh(const char *cmd, char *out, size_t cap)
{
    FILE *p = popen(cmd, "r");
    size_t n;
    assert_non_null(p);
    n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    assert_int_equal(pclose(p), 0);
    return n;
}

static void check_key(const char *genkey_cmd)
{
    char cmd[512], pem[4096], pubhex[300];
    uint8_t key[32], pub[64];
    tl_signer_soft s;
    size_t i;
    char dir[] = "/tmp/tl_pem_XXXXXX";
    assert_non_null(mkdtemp(dir));
    snprintf(cmd, sizeof cmd, "%s > %s/k.pem 2>/dev/null && cat %s/k.pem", genkey_cmd, dir, dir);
    sh(cmd, pem, sizeof pem);
    assert_int_equal(tl_tls_pem_decode_key(pem, strlen(pem), key), TL_TLS_PEM_OK);
    assert_int_equal(tl_signer_soft_init(&s, key), 0);
    assert_int_equal(s.vtable->public_key(&s.vtable, pub), 0);
    /* OpenSSL's view of the same key: the last 64 bytes of the SPKI DER. */
    snprintf(cmd, sizeof cmd, "openssl pkey -in %s/k.pem -pubout -outform DER 2>/dev/null | "
             "tail -c 64 | od -An -tx1 | tr -d ' \\n'; rm -rf %s", dir, dir);
    sh(cmd, pubhex, sizeof pubhex);
    for (i = 0; i < 64; i++) {
        unsigned v;
        assert_int_equal(sscanf(pubhex + 2 * i, "%2x", &v), 1);
        assert_int_equal(pub[i], v);
    }
}

static void test_sec1_and_pkcs8_keys(void **state)
{
    (void)state;
    check_key("openssl ecparam -name prime256v1 -genkey -noout");           /* EC PRIVATE KEY */
    check_key("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256"); /* PRIVATE KEY */
}

static void test_refusals(void **state)
{
    char pem[4096];
    uint8_t key[32];
    const char *junk = "-----BEGIN EC PRIVATE KEY-----\n!!!\n-----END EC PRIVATE KEY-----\n";
    (void)state;
    sh("openssl ecparam -name secp384r1 -genkey -noout 2>/dev/null", pem, sizeof pem);
    assert_int_equal(tl_tls_pem_decode_key(pem, strlen(pem), key), TL_TLS_PEM_BAD_CERT);
    sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 2>/dev/null", pem, sizeof pem);
    assert_int_equal(tl_tls_pem_decode_key(pem, strlen(pem), key), TL_TLS_PEM_BAD_CERT);
    assert_int_equal(tl_tls_pem_decode_key("hello", 5, key), TL_TLS_PEM_NONE);
    assert_int_equal(tl_tls_pem_decode_key(junk, strlen(junk), key), TL_TLS_PEM_MALFORMED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sec1_and_pkcs8_keys),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
