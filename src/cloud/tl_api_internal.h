/* Internals shared by the tl_api_*.c files. */
#ifndef TL_API_INTERNAL_H
#define TL_API_INTERNAL_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "tl_api.h"
#include "tl_api_iam.h"
#include "tl_registry.h"
#include "tl_sigv4.h"

struct tl_api {
    struct MHD_Daemon *daemon;
    tl_registry *reg;
    char *ca_key, *ca_cert, *region, *account, *endpoint;
    int cert_days;
    /* The callers (tl_api_auth.c); the file's identity when last read. */
    tl_api_users users;
    char *creds_path;
    unsigned long long creds_ino, creds_size;
    long long creds_mtime_ns;
};

/* One request, as collected by the server before a route sees it. */
typedef struct {
    tl_api *api;
    const char *method;
    const char *path;
    struct MHD_Connection *conn;
    char *body;                 /* NUL-terminated */
    size_t body_len;
    /* The answer a route gives: status, JSON body (owned), error name. */
    int status;
    char *out;
    const char *error_type;
} tl_api_req;

/* Answer with AWS's error shape. */
void tl_api__error(tl_api_req *r, int status, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Answer with a registry failure (its exception name, status and message). */
void tl_api__reg_error(tl_api_req *r, tl_registry_status st);
/* Answer 200 with the JSON (takes and deletes it). */
void tl_api__json(tl_api_req *r, cJSON *doc);
/* A query argument or NULL. */
const char *tl_api__query(tl_api_req *r, const char *name);
/* A request header or NULL. */
const char *tl_api__header(tl_api_req *r, const char *name);
/* The body as a JSON object (an empty body is {}); NULL after answering 400. */
cJSON *tl_api__body(tl_api_req *r);
/* "arn:aws:iot:<region>:<account>:<kind>/<name>" */
void tl_api__arn(tl_api_req *r, char *buf, size_t cap, const char *kind, const char *name);

/* Load the users: from cfg->credentials_path, else the one admin key. 0, or
 * -1 with err. */
int tl_api__users_init(tl_api *api, const tl_api_config *cfg, char *err, size_t errcap);
/* Verify the request's SigV4 signature with the key it names and return its
 * user; NULL after answering 403 with AWS's SigV4 error. */
const tl_api_user *tl_api__authenticate(tl_api_req *r);
/* 0 if u may perform the request's operation; else -1 after answering 403
 * AccessDeniedException. */
int tl_api__authorize(tl_api_req *r, const tl_api_user *u);

/* Route families: return 1 if the path was theirs (answered), else 0. */
int tl_api__route_things(tl_api_req *r);
int tl_api__route_certs(tl_api_req *r);
int tl_api__route_policies(tl_api_req *r);
int tl_api__route_shadow(tl_api_req *r);

#endif
