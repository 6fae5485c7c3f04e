/*
 * tl_api: the local cloud's AWS-IoT-compatible HTTPS API (libmicrohttpd).
 *
 * Listens on 127.0.0.1 only. Every request must carry a valid SigV4
 * Authorization header (tl_sigv4) for one of the cloud's access keys: the
 * admin's, or a user's from the credentials file (tl_api_iam.h), who may only
 * perform the actions allowed to it; anything else is answered like AWS:
 * 403 AccessDeniedException naming the user, the action and the resource. The
 * credential scope may name service "iot" or "iotdata" for any path, which
 * keeps the AWS CLI/SDKs (iot vs iot-data clients) and curl simple.
 * Routes follow AWS IoT's REST paths, JSON field names and error shape:
 * {"message": "..."} with an x-amzn-ErrorType header and AWS's status.
 * Request bodies over TL_API_MAX_BODY get 413.
 *
 * The server runs in libmicrohttpd's internal polling thread, one request at
 * a time, so the single SQLite registry handle needs no locking.
 */
#ifndef TL_API_H
#define TL_API_H

#include <stddef.h>

#ifndef TL_API_MAX_BODY
#define TL_API_MAX_BODY (64 * 1024)
#endif

typedef struct {
    unsigned port;          /* on 127.0.0.1 */
    const char *db_path;    /* the registry */
    const char *ca_key_pem; /* the CA, to sign CSRs */
    const char *ca_cert_pem;
    const char *server_key_pem;  /* TLS; NULL with plain_http */
    const char *server_cert_pem;
    int plain_http;         /* serve HTTP (only when TLS is unavailable) */
    const char *key_id;     /* the admin's access key pair, when there is */
    const char *secret;     /* no credentials_path */
    const char *region;     /* for ARNs */
    const char *account;
    const char *endpoint;   /* DescribeEndpoint's endpointAddress */
    int cert_days;          /* validity of issued certificates */
    /* The credentials file (tl_api_iam.h) with the admin and the users, or
     * NULL. It is read at start (a bad file fails the start) and again before
     * a request whenever it changed (inode, size or mtime), so users added
     * or removed take effect at once; a bad edit keeps the previous users
     * and says why on stderr. */
    const char *credentials_path;
} tl_api_config;

typedef struct tl_api tl_api;

/* 1 if this libmicrohttpd can serve HTTPS. */
int tl_api_tls_supported(void);

/* Open the registry and start serving. The config strings are copied. 0, or
 * -1 with err. */
int tl_api_start(tl_api **out, const tl_api_config *cfg, char *err, size_t errcap);

/* Stop serving, wait for the request in progress, free everything. */
void tl_api_stop(tl_api *api);

#endif
