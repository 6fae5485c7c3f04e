/* Fuzz the policy parser, then evaluate a few requests against anything
 * that parsed (with the input itself as one of the topics, so the matcher
 * sees odd subjects too). Never a crash; a failed parse must leave a policy
 * that allows nothing and an AWS-style message.
 * Inputs starting with byte 0x01 instead check the wildcard matcher against
 * a plain dynamic-programming oracle: 0x01 pattern '\n' subject. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/tl_policy.h"
#include "cloud/tl_policy_internal.h"

/* Same character rule as the matcher: one UTF-8 sequence, else one byte. */
static size_t char_len(const char *s, size_t n)
{
    unsigned char b = (unsigned char)s[0];
    size_t want = b >= 0xF0 && b <= 0xF7 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1, k = 1;
    if (b >= 0xF8)
        want = 1;
    while (k < want && k < n && ((unsigned char)s[k] & 0xC0) == 0x80)
        k++;
    return k;
}

/* ok[i][j]: pattern p[i..] matches subject s[j..]. */
static int oracle(const char *p, size_t m, const char *s, size_t n)
{
    static unsigned char ok[65][130];
    size_t i, j;
    memset(ok, 0, sizeof ok);
    ok[m][n] = 1;
    for (i = m; i-- > 0;) {
        for (j = n + 1; j-- > 0;) {
            size_t w = j < n ? char_len(s + j, n - j) : 0;
            if (p[i] == '*')
                ok[i][j] = ok[i + 1][j] || (j < n && ok[i][j + w]);
            else if (p[i] == '?')
                ok[i][j] = j < n && ok[i + 1][j + w];
            else
                ok[i][j] = j < n && p[i] == s[j] && ok[i + 1][j + 1];
        }
    }
    return ok[0][0];
}

static void check_matcher(const char *d, size_t size)
{
    const char *nl = memchr(d, '\n', size);
    tl_policy__piece pc[64];
    size_t m, n;
    int np;
    if (nl == NULL)
        return;
    m = (size_t)(nl - d);
    n = size - m - 1;
    if (m > 64 || n > 128 || !tl_policy__utf8_valid(d, m))
        return;
    np = tl_policy__compile_plain(d, m, pc, 64);
    if (np < 0)
        abort();
    if (tl_policy__match(pc, (size_t)np, d, NULL, nl + 1, n, 0) != oracle(d, m, nl + 1, n))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tl_policy pol; /* 18 KB: static rather than on the fuzzer's stack */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const resources[] = {
        "arn:aws:iot:us-east-1:123456789012:client/A",
        "arn:aws:iot:us-east-1:123456789012:topic/things/A/x",
        "arn:aws:iot:us-east-1:123456789012:topicfilter/things/B/#",
        "arn:aws:iot:us-east-1:123456789012:thing/A",
        "*", "", "arn:::::",
    };
    static const char *const things[] = { "A", NULL, "*", "" };
    char topic[320];
    const tl_policy *set[2] = { &pol, &pol };
    tl_policy_error err;
    tl_policy_request rq;
    size_t r, t, n = size < 256 ? size : 256;
    int a;

    if (size > 0 && data[0] == 0x01) {
        check_matcher((const char *)data + 1, size - 1);
        return 0;
    }
    if (tl_policy_parse(&pol, (const char *)data, size, &err) != TL_POLICY_OK) {
        if (pol.n_statements != 0 ||
            strncmp(err.message, "Policy document is Malformed: ", 30) != 0)
            abort();
        return 0;
    }
    memcpy(topic, "arn:aws:iot:us-east-1:123456789012:topic/", 41);
    memcpy(topic + 41, data, n);
    topic[41 + n] = '\0'; /* may be cut short by a NUL in data: fine */
    for (a = 0; a < TL_POLICY_ACTION__COUNT; a++) {
        for (t = 0; t < sizeof things / sizeof things[0]; t++) {
            memset(&rq, 0, sizeof rq);
            rq.action = (tl_policy_action)a;
            rq.client_id = things[t];
            rq.thing_name = things[t];
            rq.thing_attached = things[t] != NULL;
            for (r = 0; r <= sizeof resources / sizeof resources[0]; r++) {
                tl_policy_decision d1, d2;
                rq.resource = r < sizeof resources / sizeof resources[0] ? resources[r] : topic;
                d1 = tl_policy_eval_one(&pol, &rq);
                d2 = tl_policy_eval(set, 2, &rq, NULL);
                /* The same policy attached twice decides the same. */
                if (d1 != d2 || (unsigned)d1 > TL_POLICY_DENY_EXPLICIT)
                    abort();
            }
        }
    }
    return 0;
}
