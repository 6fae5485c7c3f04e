/* Fuzz SigV4 verification: the Authorization-header parser, the credential
 * scope, the date parser and the canonical request builder (path and query
 * encoding, header lookup and whitespace folding). Never a crash, and never
 * TL_SIGV4_OK for input the fuzzer made up (it cannot know the HMAC).
 * Input: lines "METHOD", "PATH", "AUTHORIZATION", then "?name=value" query
 * parameters and "name:value" headers, then an empty line and the body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/tl_sigv4.h"

#define MAXN 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const services[] = { "iot", "iotdata", NULL };
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *lines[3 + 2 * MAXN] = { 0 };
    size_t nl = 0;
    char *p = buf, *body = NULL;
    while (p && nl < sizeof lines / sizeof lines[0]) {
        char *nlp = strchr(p, '\n');
        if (nlp)
            *nlp = '\0';
        if (nl >= 3 && *p == '\0') {
            body = nlp ? nlp + 1 : NULL;
            break;
        }
        lines[nl++] = p;
        p = nlp ? nlp + 1 : NULL;
    }
    tl_sigv4_header h[MAXN + 1], q[MAXN];
    size_t nh = 0, nq = 0;
    h[nh++] = (tl_sigv4_header){ "Authorization", lines[2] ? lines[2] : "" };
    for (size_t i = 3; i < nl; i++) {
        char *l = lines[i];
        if (*l == '?' && nq < MAXN) {
            char *eq = strchr(l + 1, '=');
            if (eq)
                *eq = '\0';
            q[nq++] = (tl_sigv4_header){ l + 1, eq ? eq + 1 : NULL };
        } else if (nh <= MAXN) {
            char *c = strchr(l, ':');
            if (c)
                *c = '\0';
            h[nh++] = (tl_sigv4_header){ l, c ? c + 1 : NULL };
        }
    }
    tl_sigv4_request req = { lines[0] ? lines[0] : "GET", lines[1] ? lines[1] : "/", q, nq,
                             h, nh, (const unsigned char *)body, body ? strlen(body) : 0 };
    tl_sigv4_key key = { "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", services };
    char msg[512];
    if (tl_sigv4_verify(&req, &key, 1440938160LL, msg, sizeof msg) == TL_SIGV4_OK &&
        strstr(lines[2] ? lines[2] : "", "Signature=") == NULL)
        abort();
    /* The canonical request builder on its own, with the auth line as the
     * SignedHeaders list. */
    unsigned char k[32] = { 0 };
    char sig[65];
    (void)tl_sigv4_sign(&req, lines[2] ? lines[2] : "", "20150830T123600Z",
                        "20150830/us-east-1/iot/aws4_request", k, sig);
    free(buf);
    return 0;
}
