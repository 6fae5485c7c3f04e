/* AWS Signature Version 4 verification; see tl_sigv4.h. */
#define _DEFAULT_SOURCE
#include "tl_sigv4.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* A growable string; a failed append sets oom and later appends do nothing. */
typedef struct {
    char *p;
    size_t len, cap;
    int oom;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 256) + n;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

/* RFC 3986 unreserved characters stay; everything else becomes %XX (and
 * '/' too unless keep_slash, which is how SigV4 treats paths). */
static void sb_uri(sbuf *b, const char *s, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
            sb_add(b, (const char *)&c, 1);
        } else {
            char e[3] = { '%', hex[c >> 4], hex[c & 15] };
            sb_add(b, e, 3);
        }
    }
}

static void to_hex(const unsigned char *d, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[2 * n] = '\0';
}

static void sha256_hex(const void *d, size_t n, char out[65])
{
    unsigned char h[32];
    SHA256(d, n, h);
    to_hex(h, 32, out);
}

static void hmac(const unsigned char *key, size_t klen, const char *msg, unsigned char out[32])
{
    unsigned int len = 32;
    HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg), out, &len);
}

void tl_sigv4_signing_key(const char *secret, const char *date, const char *region,
                          const char *service, unsigned char out[32])
{
    char k[256];
    unsigned char a[32], b[32];
    snprintf(k, sizeof k, "AWS4%s", secret);
    hmac((const unsigned char *)k, strlen(k), date, a);
    hmac(a, 32, region, b);
    hmac(b, 32, service, a);
    hmac(a, 32, "aws4_request", out);
    OPENSSL_cleanse(k, sizeof k);
}

/* Append every value of header `name` (joined by ','), trimmed and with
 * inner runs of spaces collapsed. 0 if the header is absent. */
static int add_header_values(sbuf *b, const tl_sigv4_request *req, const char *name, size_t nlen)
{
    int found = 0;
    for (size_t i = 0; i < req->nheaders; i++) {
        const char *h = req->headers[i].name;
        if (strlen(h) != nlen || strncasecmp(h, name, nlen) != 0)
            continue;
        if (found++)
            sb_add(b, ",", 1);
        const char *v = req->headers[i].value ? req->headers[i].value : "";
        while (*v == ' ' || *v == '\t')
            v++;
        int space = 0;
        for (; *v; v++) {
            if (*v == ' ' || *v == '\t') {
                space = 1;
                continue;
            }
            if (space)
                sb_add(b, " ", 1);
            space = 0;
            sb_add(b, v, 1);
        }
    }
    return found;
}

typedef struct {
    char *k, *v;
} qpair;

static int qcmp(const void *a, const void *b)
{
    const qpair *x = a, *y = b;
    int c = strcmp(x->k, y->k);
    return c ? c : strcmp(x->v, y->v);
}

/* Query parameters encoded, then sorted by encoded name and value. */
static void add_query(sbuf *b, const tl_sigv4_request *req)
{
    if (req->nquery == 0)
        return;
    qpair *q = calloc(req->nquery, sizeof *q);
    if (!q) {
        b->oom = 1;
        return;
    }
    for (size_t i = 0; i < req->nquery; i++) {
        sbuf k = { 0 }, v = { 0 };
        sb_uri(&k, req->query[i].name ? req->query[i].name : "", 0);
        sb_uri(&v, req->query[i].value ? req->query[i].value : "", 0);
        sb_str(&k, "");
        sb_str(&v, "");
        q[i].k = k.p;
        q[i].v = v.p;
        if (k.oom || v.oom || !k.p || !v.p)
            b->oom = 1;
    }
    if (!b->oom) {
        qsort(q, req->nquery, sizeof *q, qcmp);
        for (size_t i = 0; i < req->nquery; i++) {
            if (i)
                sb_add(b, "&", 1);
            sb_str(b, q[i].k);
            sb_add(b, "=", 1);
            sb_str(b, q[i].v);
        }
    }
    for (size_t i = 0; i < req->nquery; i++) {
        free(q[i].k);
        free(q[i].v);
    }
    free(q);
}

int tl_sigv4__sign(const tl_sigv4_request *req, const char *signed_headers,
                   const char *amz_date, const char *scope, const unsigned char kSigning[32],
                   int twice, char sig[65])
{
    sbuf c = { 0 }, s = { 0 };
    char hash[65];
    int rc = -1;
    sb_str(&c, req->method);
    sb_add(&c, "\n", 1);
    if (twice) {
        /* The AWS SDKs' form: the already-encoded path encoded again. */
        sbuf once = { 0 };
        sb_uri(&once, req->path && *req->path ? req->path : "/", 1);
        if (once.oom)
            c.oom = 1;
        else
            sb_uri(&c, once.p, 1);
        free(once.p);
    } else {
        sb_uri(&c, req->path && *req->path ? req->path : "/", 1);
    }
    sb_add(&c, "\n", 1);
    add_query(&c, req);
    sb_add(&c, "\n", 1);
    for (const char *h = signed_headers; *h;) {
        size_t n = strcspn(h, ";");
        for (size_t i = 0; i < n; i++) {
            char l = (char)tolower((unsigned char)h[i]);
            sb_add(&c, &l, 1);
        }
        sb_add(&c, ":", 1);
        if (!add_header_values(&c, req, h, n))
            goto out;
        sb_add(&c, "\n", 1);
        h += n;
        if (*h == ';')
            h++;
    }
    sb_add(&c, "\n", 1);
    sb_str(&c, signed_headers);
    sb_add(&c, "\n", 1);
    sha256_hex(req->body ? (const void *)req->body : "", req->body_len, hash);
    sb_str(&c, hash);
    if (c.oom)
        goto out;
    sha256_hex(c.p, c.len, hash);
    sb_str(&s, "AWS4-HMAC-SHA256\n");
    sb_str(&s, amz_date);
    sb_add(&s, "\n", 1);
    sb_str(&s, scope);
    sb_add(&s, "\n", 1);
    sb_str(&s, hash);
    if (s.oom)
        goto out;
    unsigned char mac[32];
    hmac(kSigning, 32, s.p, mac);
    to_hex(mac, 32, sig);
    rc = 0;
out:
    free(c.p);
    free(s.p);
    return rc;
}

int tl_sigv4_sign(const tl_sigv4_request *req, const char *signed_headers,
                  const char *amz_date, const char *scope, const unsigned char kSigning[32],
                  char sig[65])
{
    return tl_sigv4__sign(req, signed_headers, amz_date, scope, kSigning, 0, sig);
}
