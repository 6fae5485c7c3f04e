/*
 * tl_sigv4: AWS Signature Version 4 verification (server side).
 *
 * A pure function over a description of the request: no I/O, no clock (the
 * caller passes "now"), so it is unit-tested and fuzzed without a server.
 * Only the Authorization-header form ("AWS4-HMAC-SHA256 Credential=...,
 * SignedHeaders=..., Signature=...") is supported; presigned URLs
 * (X-Amz-Signature in the query) are rejected with a clear message.
 *
 * Canonical request rules (non-S3 services): the path is URI-encoded once
 * from its decoded form, '/' kept (what curl signs); when that does not
 * match, the path encoded twice is tried too (what the AWS SDKs sign for
 * non-S3 services; the two differ only for paths with reserved characters); query parameters are URI-encoded and
 * sorted by name then value; signed headers are lowercased, values trimmed
 * with inner runs of spaces collapsed; the payload hash is SHA-256 of the
 * body (an x-amz-content-sha256 header must agree with it).
 *
 * Each failure maps to AWS's error name and HTTP status (all 403) through
 * tl_sigv4_error_name(); the message written to msg is AWS's wording.
 */
#ifndef TL_SIGV4_H
#define TL_SIGV4_H

#include <stddef.h>

#define TL_SIGV4_MAX_SKEW 300 /* seconds: AWS's 5-minute window */

typedef enum {
    TL_SIGV4_OK = 0,
    TL_SIGV4_MISSING,        /* no Authorization header: MissingAuthenticationTokenException */
    TL_SIGV4_MALFORMED,      /* unparsable header/date/scope: IncompleteSignatureException */
    TL_SIGV4_PRESIGNED,      /* query-string auth, unsupported: InvalidSignatureException */
    TL_SIGV4_UNKNOWN_KEY,    /* UnrecognizedClientException */
    TL_SIGV4_EXPIRED,        /* x-amz-date outside +-5 min: InvalidSignatureException */
    TL_SIGV4_MISMATCH        /* signature differs: InvalidSignatureException */
} tl_sigv4_status;

typedef struct {
    const char *name;
    const char *value;
} tl_sigv4_header;

/* The request as received; path and query values already URL-decoded. */
typedef struct {
    const char *method;
    const char *path;
    const tl_sigv4_header *query; /* decoded name/value pairs */
    size_t nquery;
    const tl_sigv4_header *headers; /* names in any case */
    size_t nheaders;
    const unsigned char *body;
    size_t body_len;
} tl_sigv4_request;

/* The one key pair the server knows, and the services/region it accepts. */
typedef struct {
    const char *key_id;
    const char *secret;
    const char *const *services; /* NULL-terminated, e.g. {"iot","iotdata",NULL} */
} tl_sigv4_key;

/*
 * Verify req against key at Unix time now. On failure msg gets AWS's
 * message. On success, region (if not NULL, cap >= 32) gets the scope's
 * region.
 */
tl_sigv4_status tl_sigv4_verify(const tl_sigv4_request *req, const tl_sigv4_key *key,
                                long long now, char *msg, size_t msgcap);

/* AWS's x-amzn-ErrorType for a status ("" for OK). All failures are 403. */
const char *tl_sigv4_error_name(tl_sigv4_status st);

/* Signing key derivation: kSigning = HMAC chain over date, region, service,
 * "aws4_request" (exposed for known-answer tests). */
void tl_sigv4_signing_key(const char *secret, const char *date, const char *region,
                          const char *service, unsigned char out[32]);

/*
 * Build the canonical request and the string to sign for req with the given
 * SignedHeaders list, amz date and scope ("date/region/service/aws4_request"),
 * then the hex signature with the derived key. Used by verify and by tests to
 * sign requests. sig must hold 65 bytes. 0, or -1 if memory ran out or a
 * signed header is absent.
 */
int tl_sigv4_sign(const tl_sigv4_request *req, const char *signed_headers,
                  const char *amz_date, const char *scope, const unsigned char kSigning[32],
                  char sig[65]);

/* Internal (tl_sigv4.c, tl_sigv4_verify.c): tl_sigv4_sign with the path
 * URI-encoded once (twice = 0) or twice (twice = 1). */
int tl_sigv4__sign(const tl_sigv4_request *req, const char *signed_headers,
                   const char *amz_date, const char *scope, const unsigned char kSigning[32],
                   int twice, char sig[65]);

#endif
