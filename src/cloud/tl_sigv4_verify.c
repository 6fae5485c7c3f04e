/* SigV4: parse the Authorization header, check scope, time and signature. */
#define _DEFAULT_SOURCE
#include "tl_sigv4.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Path characters that URI encoding leaves alone. */
#define UNRESERVED_PATH \
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~/"

#define MSG(...) ((void)(msgcap ? snprintf(msg, msgcap, __VA_ARGS__) : 0))

static const char *header(const tl_sigv4_request *req, const char *name)
{
    for (size_t i = 0; i < req->nheaders; i++)
        if (req->headers[i].name && strcasecmp(req->headers[i].name, name) == 0)
            return req->headers[i].value ? req->headers[i].value : "";
    return NULL;
}

/* Copy the value of "key=value" (ended by ',' or end) from auth into out. */
static int field(const char *auth, const char *key, char *out, size_t cap)
{
    size_t klen = strlen(key);
    for (const char *p = auth; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ",");
        if (n > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
            size_t vlen = n - klen - 1;
            while (vlen && p[klen + 1 + vlen - 1] == ' ')
                vlen--;
            if (vlen == 0 || vlen >= cap)
                return -1;
            memcpy(out, p + klen + 1, vlen);
            out[vlen] = '\0';
            return 0;
        }
        p += n;
    }
    return -1;
}

/* YYYYMMDDTHHMMSSZ to Unix seconds, -1 if malformed. */
static long long parse_amz_date(const char *d)
{
    if (strlen(d) != 16 || d[8] != 'T' || d[15] != 'Z')
        return -1;
    for (int i = 0; i < 15; i++)
        if (i != 8 && (d[i] < '0' || d[i] > '9'))
            return -1;
    struct tm tm = { 0 };
    tm.tm_year = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0') - 1900;
    tm.tm_mon = (d[4] - '0') * 10 + (d[5] - '0') - 1;
    tm.tm_mday = (d[6] - '0') * 10 + (d[7] - '0');
    tm.tm_hour = (d[9] - '0') * 10 + (d[10] - '0');
    tm.tm_min = (d[11] - '0') * 10 + (d[12] - '0');
    tm.tm_sec = (d[13] - '0') * 10 + (d[14] - '0');
    if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60)
        return -1;
    return (long long)timegm(&tm);
}

static void fmt_amz(long long t, char out[17])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

tl_sigv4_status tl_sigv4_verify(const tl_sigv4_request *req, const tl_sigv4_key *key,
                                long long now, char *msg, size_t msgcap)
{
    char cred[512], signed_headers[1024], sig[128];
    MSG("%s", "");
    for (size_t i = 0; i < req->nquery; i++)
        if (req->query[i].name && (strcmp(req->query[i].name, "X-Amz-Signature") == 0 ||
                                   strcmp(req->query[i].name, "X-Amz-Credential") == 0)) {
            MSG("Presigned (query string) SigV4 requests are not supported by this "
                "endpoint; sign with the Authorization header");
            return TL_SIGV4_PRESIGNED;
        }
    const char *auth = header(req, "Authorization");
    if (!auth) {
        MSG("Missing Authentication Token");
        return TL_SIGV4_MISSING;
    }
    static const char alg[] = "AWS4-HMAC-SHA256 ";
    if (strncmp(auth, alg, sizeof alg - 1) != 0) {
        MSG("Authorization header requires the AWS4-HMAC-SHA256 algorithm.");
        return TL_SIGV4_MALFORMED;
    }
    auth += sizeof alg - 1;
    if (field(auth, "Credential", cred, sizeof cred) ||
        field(auth, "SignedHeaders", signed_headers, sizeof signed_headers) ||
        field(auth, "Signature", sig, sizeof sig)) {
        MSG("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' "
            "parameters. Authorization=AWS4-HMAC-SHA256 %.200s", auth);
        return TL_SIGV4_MALFORMED;
    }
    /* Credential = keyid/date/region/service/aws4_request */
    char *parts[5] = { 0 };
    int np = 0;
    for (char *p = cred; np < 5;) {
        parts[np++] = p;
        char *slash = strchr(p, '/');
        if (!slash)
            break;
        *slash = '\0';
        p = slash + 1;
    }
    if (np != 5 || strchr(parts[4], '/') || strcmp(parts[4], "aws4_request") != 0 ||
        strlen(parts[1]) != 8 || !*parts[2] || !*parts[3]) {
        MSG("Credential should be scoped to a valid region, service and date "
            "(keyid/YYYYMMDD/region/service/aws4_request).");
        return TL_SIGV4_MALFORMED;
    }
    if (strcmp(parts[0], key->key_id) != 0) {
        MSG("The security token included in the request is invalid.");
        return TL_SIGV4_UNKNOWN_KEY;
    }
    int service_ok = 0;
    for (const char *const *s = key->services; s && *s; s++)
        service_ok |= strcmp(*s, parts[3]) == 0;
    if (!service_ok) {
        MSG("Credential should be scoped to correct service: '%s'.",
            key->services && key->services[0] ? key->services[0] : "iot");
        return TL_SIGV4_MALFORMED;
    }
    const char *amz = header(req, "X-Amz-Date");
    long long t = amz ? parse_amz_date(amz) : -1;
    if (t < 0) {
        MSG("Authorization header requires existence of either a 'X-Amz-Date' or a "
            "'Date' header.");
        return TL_SIGV4_MALFORMED;
    }
    if (strncmp(amz, parts[1], 8) != 0) {
        MSG("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
            "date from HTTP: '%s' != '%.8s'", parts[1], amz);
        return TL_SIGV4_MALFORMED;
    }
    if (t < now - TL_SIGV4_MAX_SKEW || t > now + TL_SIGV4_MAX_SKEW) {
        char lo[17], hi[17];
        fmt_amz(now - TL_SIGV4_MAX_SKEW, lo);
        fmt_amz(now + TL_SIGV4_MAX_SKEW, hi);
        MSG("Signature expired: %s is now earlier than %s (%s - 5 min.)", amz,
            t < now ? lo : hi, lo);
        if (t > now)
            MSG("Signature not yet current: %s is still later than %s (%s + 5 min.)", amz,
                hi, hi);
        return TL_SIGV4_EXPIRED;
    }
    /* The body hash header, when the client sent one, must match the body. */
    const char *ph = header(req, "X-Amz-Content-Sha256");
    if (ph && strcmp(ph, "UNSIGNED-PAYLOAD") != 0) {
        unsigned char h[32];
        char hex[65];
        SHA256(req->body ? req->body : (const unsigned char *)"", req->body_len, h);
        for (int i = 0; i < 32; i++)
            snprintf(hex + 2 * i, 3, "%02x", h[i]);
        if (strcasecmp(hex, ph) != 0) {
            MSG("The provided 'x-amz-content-sha256' header does not match what was computed.");
            return TL_SIGV4_MISMATCH;
        }
    }
    char scope[256], want[65];
    unsigned char k[32];
    snprintf(scope, sizeof scope, "%s/%s/%s/aws4_request", parts[1], parts[2], parts[3]);
    tl_sigv4_signing_key(key->secret, parts[1], parts[2], parts[3], k);
    int rc = tl_sigv4__sign(req, signed_headers, amz, scope, k, 0, want);
    int match = rc == 0 && strlen(sig) == 64 && CRYPTO_memcmp(sig, want, 64) == 0;
    const char *path = req->path ? req->path : "";
    if (!match && rc == 0 && strlen(sig) == 64 && path[strspn(path, UNRESERVED_PATH)] != '\0') {
        rc = tl_sigv4__sign(req, signed_headers, amz, scope, k, 1, want);
        match = rc == 0 && CRYPTO_memcmp(sig, want, 64) == 0;
    }
    OPENSSL_cleanse(k, sizeof k);
    if (!match) {
        MSG("The request signature we calculated does not match the signature you "
            "provided. Check your AWS Secret Access Key and signing method. Consult the "
            "service documentation for details.");
        return TL_SIGV4_MISMATCH;
    }
    return TL_SIGV4_OK;
}

const char *tl_sigv4_error_name(tl_sigv4_status st)
{
    switch (st) {
    case TL_SIGV4_OK: return "";
    case TL_SIGV4_MISSING: return "MissingAuthenticationTokenException";
    case TL_SIGV4_MALFORMED: return "IncompleteSignatureException";
    case TL_SIGV4_UNKNOWN_KEY: return "UnrecognizedClientException";
    case TL_SIGV4_PRESIGNED:
    case TL_SIGV4_EXPIRED:
    case TL_SIGV4_MISMATCH: break;
    }
    return "InvalidSignatureException";
}
