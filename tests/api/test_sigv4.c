/* tl_sigv4: known-answer vectors from AWS's documentation and tampering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cloud/tl_sigv4.h"

static const char *secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
static const char *const services[] = { "iot", "iotdata", NULL };

static void hex(const unsigned char *d, char *out)
{
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* AWS General Reference, "Examples of how to derive a signing key". */
static void test_signing_key_kat(void **state)
{
    (void)state;
    unsigned char k[32];
    char h[65];
    tl_sigv4_signing_key(secret, "20120215", "us-east-1", "iam", k);
    hex(k, h);
    assert_string_equal(h, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

/* AWS's SigV4 test suite, "get-vanilla". */
static void test_get_vanilla_kat(void **state)
{
    (void)state;
    tl_sigv4_header h[] = { { "Host", "example.amazonaws.com" },
                            { "X-Amz-Date", "20150830T123600Z" } };
    tl_sigv4_request req = { "GET", "/", NULL, 0, h, 2, NULL, 0 };
    unsigned char k[32];
    char sig[65];
    tl_sigv4_signing_key(secret, "20150830", "us-east-1", "service", k);
    assert_int_equal(tl_sigv4_sign(&req, "host;x-amz-date", "20150830T123600Z",
                                   "20150830/us-east-1/service/aws4_request", k, sig), 0);
    assert_string_equal(sig, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

/* A signed POST /things/dev-1?x=1 as a fixture that the tamper tests edit. */
typedef struct {
    tl_sigv4_header h[4];
    tl_sigv4_header q[1];
    char auth[512];
    tl_sigv4_request req;
} fixture;

#define NOW 1440938160LL /* 20150830T123600Z */

static void make(fixture *f)
{
    memset(f, 0, sizeof *f);
    f->q[0] = (tl_sigv4_header){ "setAsActive", "true" };
    f->h[0] = (tl_sigv4_header){ "host", "127.0.0.1:8443" };
    f->h[1] = (tl_sigv4_header){ "x-amz-date", "20150830T123600Z" };
    f->h[2] = (tl_sigv4_header){ "content-type", "application/json" };
    f->req = (tl_sigv4_request){ "POST", "/things/dev-1", f->q, 1, f->h, 3,
                                 (const unsigned char *)"{}", 2 };
    unsigned char k[32];
    char sig[65];
    tl_sigv4_signing_key(secret, "20150830", "us-east-1", "iot", k);
    assert_int_equal(tl_sigv4_sign(&f->req, "content-type;host;x-amz-date", "20150830T123600Z",
                                   "20150830/us-east-1/iot/aws4_request", k, sig), 0);
    snprintf(f->auth, sizeof f->auth,
             "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iot/aws4_request, "
             "SignedHeaders=content-type;host;x-amz-date, Signature=%s", sig);
    f->h[3] = (tl_sigv4_header){ "Authorization", f->auth };
    f->req.nheaders = 4;
}

static tl_sigv4_status check(fixture *f, const char *id, const char *sec, long long now)
{
    tl_sigv4_key key = { id, sec, services };
    char msg[512];
    tl_sigv4_status st = tl_sigv4_verify(&f->req, &key, now, msg, sizeof msg);
    if (st != TL_SIGV4_OK)
        assert_true(msg[0] != '\0');
    return st;
}

static void test_accept_and_tamper(void **state)
{
    (void)state;
    fixture f;
    make(&f);
    assert_int_equal(check(&f, "AKIDEXAMPLE", secret, NOW), TL_SIGV4_OK);
    assert_int_equal(check(&f, "AKIDEXAMPLE", secret, NOW + 299), TL_SIGV4_OK);
    assert_int_equal(check(&f, "AKIDEXAMPLE", "wrong", NOW), TL_SIGV4_MISMATCH);
    assert_int_equal(check(&f, "AKIDOTHER", secret, NOW), TL_SIGV4_UNKNOWN_KEY);
    assert_int_equal(check(&f, "AKIDEXAMPLE", secret, NOW + 301), TL_SIGV4_EXPIRED);
    assert_int_equal(check(&f, "AKIDEXAMPLE", secret, NOW - 360), TL_SIGV4_EXPIRED);
    f.req.method = "PUT";
    assert_int_equal(check(&f, "AKIDEXAMPLE", secret, NOW), TL_SIGV4_MISMATCH);
    make(&f);
    f.req.path = "/things/dev-2";
    assert_int_equal(check(&f, "AKIDEXAMPLE", secret, NOW), TL_SIGV4_MISMATCH);
    make(&f);
    f.q[0].value = "false";
    assert_int_equal(check(&f, "AKIDEXAMPLE", secret, NOW), TL_SIGV4_MISMATCH);
    make(&f);
    f.h[2].value = "text/plain";
    assert_int_equal(check(&f, "AKIDEXAMPLE", secret, NOW), TL_SIGV4_MISMATCH);
    make(&f);
    f.req.body = (const unsigned char *)"{ }";
    f.req.body_len = 3;
    assert_int_equal(check(&f, "AKIDEXAMPLE", secret, NOW), TL_SIGV4_MISMATCH);
    make(&f);
    f.h[0].name = "x-other"; /* a signed header gone */
    assert_int_equal(check(&f, "AKIDEXAMPLE", secret, NOW), TL_SIGV4_MISMATCH);
}

/* A path with reserved characters: curl signs it encoded once, the AWS SDKs
 * twice; both verify, a third form does not. */
static void test_path_encodings(void **state)
{
    (void)state;
    for (int twice = 0; twice <= 2; twice++) {
        fixture f;
        make(&f);
        f.req.path = "/things/a:b";
        unsigned char k[32];
        char sig[65];
        tl_sigv4_signing_key(secret, "20150830", "us-east-1", "iot", k);
        if (twice < 2) {
            assert_int_equal(tl_sigv4__sign(&f.req, "content-type;host;x-amz-date",
                                            "20150830T123600Z",
                                            "20150830/us-east-1/iot/aws4_request", k, twice,
                                            sig), 0);
        } else {
            f.req.path = "/things/a%3Ab"; /* signed as if ':' were literal */
            assert_int_equal(tl_sigv4_sign(&f.req, "content-type;host;x-amz-date",
                                           "20150830T123600Z",
                                           "20150830/us-east-1/iot/aws4_request", k, sig), 0);
            f.req.path = "/things/a:c";
        }
        snprintf(f.auth, sizeof f.auth,
                 "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iot/aws4_request, "
                 "SignedHeaders=content-type;host;x-amz-date, Signature=%s", sig);
        assert_int_equal(check(&f, "AKIDEXAMPLE", secret, NOW),
                         twice < 2 ? TL_SIGV4_OK : TL_SIGV4_MISMATCH);
    }
}

static void test_malformed(void **state)
{
    (void)state;
    fixture f;
    static const char *bad[] = {
        "AWS4-HMAC-SHA256",
        "AWS4-HMAC-SHA1 Credential=a/b/c/d/e, SignedHeaders=host, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iot, SignedHeaders=host, "
        "Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
        "SignedHeaders=host, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150831/us-east-1/iot/aws4_request, "
        "SignedHeaders=host, Signature=00",
        "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        make(&f);
        f.h[3].value = bad[i];
        assert_int_equal(check(&f, "AKIDEXAMPLE", secret, NOW), TL_SIGV4_MALFORMED);
    }
    make(&f);
    f.req.nheaders = 3;
    assert_int_equal(check(&f, "AKIDEXAMPLE", secret, NOW), TL_SIGV4_MISSING);
    make(&f);
    f.h[1].value = "2015-08-30T12:36:00Z";
    assert_int_equal(check(&f, "AKIDEXAMPLE", secret, NOW), TL_SIGV4_MALFORMED);
    make(&f);
    f.q[0].name = "X-Amz-Signature";
    assert_int_equal(check(&f, "AKIDEXAMPLE", secret, NOW), TL_SIGV4_PRESIGNED);
    assert_string_equal(tl_sigv4_error_name(TL_SIGV4_MISMATCH), "InvalidSignatureException");
    assert_string_equal(tl_sigv4_error_name(TL_SIGV4_UNKNOWN_KEY), "UnrecognizedClientException");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signing_key_kat),
        cmocka_unit_test(test_get_vanilla_kat),
        cmocka_unit_test(test_accept_and_tamper),
        cmocka_unit_test(test_path_encodings),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
