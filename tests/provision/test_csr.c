/* tl_csr: requests that OpenSSL accepts, and every refusal. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "provision/tl_csr.h"

static const uint8_t key[32] = {
    0xc9, 0xaf, 0xa9, 0xd8, 0x45, 0xba, 0x75, 0x16, 0x6b, 0x5c, 0x21, 0x57, 0x67, 0xb1, 0xd6, 0x93,
    0x4e, 0x50, 0xc3, 0xdb, 0x36, 0xe8, 0x9b, 0x12, 0x7b, 0x8a, 0x62, 0x2b, 0x12, 0x0f, 0x67, 0x21 };

/* Run a shell command on a file, return its combined output. */
static void openssl_on(const char *file, const char *args, char *out, size_t cap)
{
    char cmd[512];
    FILE *p;
    size_t n;
    snprintf(cmd, sizeof cmd, "openssl req -in '%s' %s -noout -verify -subject -text 2>&1",
             file, args);
    p = popen(cmd, "r");
    assert_non_null(p);
    n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    pclose(p);
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void check_with_openssl(const char *cn)
{
    tl_signer_soft s;
    uint8_t der[TL_CSR_DER_MAX];
    char pem[1024], out[8192], path[64], expect[256];
    size_t len;
    assert_int_equal(tl_signer_soft_init(&s, key), 0);
    assert_int_equal(tl_csr_build(&s.vtable, cn, der, sizeof der, &len), TL_CSR_OK);
    strcpy(path, "/tmp/tl_csr_XXXXXX");
    assert_true(mkstemp(path) >= 0);
    write_file(path, der, len);
    openssl_on(path, "-inform DER", out, sizeof out);
    if (!strstr(out, "verify OK"))
        fail_msg("openssl: %s", out);
    snprintf(expect, sizeof expect, "subject=CN = %s", cn);
    if (!strstr(out, expect))
        fail_msg("expected '%s' in: %s", expect, out);
    assert_non_null(strstr(out, "ASN1 OID: prime256v1"));
    assert_non_null(strstr(out, "Signature Algorithm: ecdsa-with-SHA256"));
    /* The same request as PEM. */
    assert_true(tl_csr_pem(der, len, pem, sizeof pem) > 0);
    write_file(path, pem, strlen(pem));
    openssl_on(path, "", out, sizeof out);
    if (!strstr(out, "verify OK"))
        fail_msg("openssl (PEM): %s", out);
    unlink(path);
}

static void test_openssl_accepts(void **state)
{
    char longcn[TL_CSR_CN_MAX + 1];
    (void)state;
    check_with_openssl("my-thing");
    check_with_openssl("a");   /* shortest: outer length under 256 bytes */
    memset(longcn, 'x', TL_CSR_CN_MAX);
    longcn[TL_CSR_CN_MAX] = '\0';
    check_with_openssl(longcn);
}

static void test_bad_subject_and_buffer(void **state)
{
    tl_signer_soft s;
    uint8_t der[TL_CSR_DER_MAX];
    char longcn[TL_CSR_CN_MAX + 2];
    size_t len;
    (void)state;
    assert_int_equal(tl_signer_soft_init(&s, key), 0);
    assert_int_equal(tl_csr_build(&s.vtable, "", der, sizeof der, &len), TL_CSR_ERR_CN);
    memset(longcn, 'x', TL_CSR_CN_MAX + 1);
    longcn[TL_CSR_CN_MAX + 1] = '\0';
    assert_int_equal(tl_csr_build(&s.vtable, longcn, der, sizeof der, &len), TL_CSR_ERR_CN);
    assert_int_equal(tl_csr_build(&s.vtable, "bad\xff", der, sizeof der, &len), TL_CSR_ERR_CN);
    assert_int_equal(tl_csr_build(&s.vtable, "thing", der, 100, &len), TL_CSR_ERR_BUFFER);
    assert_int_equal(tl_csr_pem(der, 200, (char *)der, 10), 0);
}

/* A signer that lies: its signatures are for another key, or it fails. */
typedef struct {
    const tl_signer_class *vtable;
    tl_signer_soft real, other;
    int fail_sign;
} liar;

static int liar_sign(const tl_signer_class **ctx, const uint8_t d[32], uint8_t sig[64])
{
    liar *l = (liar *)ctx;
    if (l->fail_sign)
        return -1;
    return l->other.vtable->sign_digest(&l->other.vtable, d, sig);
}

static int liar_pub(const tl_signer_class **ctx, uint8_t pub[64])
{
    liar *l = (liar *)ctx;
    return l->real.vtable->public_key(&l->real.vtable, pub);
}

static const tl_signer_class liar_class = { liar_sign, liar_pub };

static void test_signer_faults(void **state)
{
    liar l;
    uint8_t other_key[32], der[TL_CSR_DER_MAX];
    size_t len;
    (void)state;
    memcpy(other_key, key, sizeof other_key);
    other_key[31] ^= 1;
    l.vtable = &liar_class;
    assert_int_equal(tl_signer_soft_init(&l.real, key), 0);
    assert_int_equal(tl_signer_soft_init(&l.other, other_key), 0);
    l.fail_sign = 0;
    assert_int_equal(tl_csr_build(&l.vtable, "thing", der, sizeof der, &len),
                     TL_CSR_ERR_BAD_SIGNATURE);
    l.fail_sign = 1;
    assert_int_equal(tl_csr_build(&l.vtable, "thing", der, sizeof der, &len), TL_CSR_ERR_SIGNER);
}

static void test_soft_signer_rejects_bad_scalars(void **state)
{
    tl_signer_soft s;
    uint8_t zero[32] = { 0 }, big[32];
    (void)state;
    memset(big, 0xff, sizeof big);   /* above the curve order */
    assert_int_equal(tl_signer_soft_init(&s, zero), -1);
    assert_int_equal(tl_signer_soft_init(&s, big), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_openssl_accepts),
        cmocka_unit_test(test_bad_subject_and_buffer),
        cmocka_unit_test(test_signer_faults),
        cmocka_unit_test(test_soft_signer_rejects_bad_scalars),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
