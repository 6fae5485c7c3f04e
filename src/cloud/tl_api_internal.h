/* Internals shared by the tl_api_*.c files. */
#ifndef TL_API_INTERNAL_H
#define TL_API_INTERNAL_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "tl_api.h"
#include "tl_registry.h"
#include "tl_sigv4.h"

struct tl_api {
    struct MHD_Daemon *daemon;
    tl_registry *reg;
    char *ca_key, *ca_cert, *key_id, *secret, *region, *account, *endpoint;
    int cert_days;
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

/* Route families: return 1 if the path was theirs (answered), else 0. */
int tl_api__route_things(tl_api_req *r);
int tl_api__route_certs(tl_api_req *r);
int tl_api__route_policies(tl_api_req *r);
int tl_api__route_shadow(tl_api_req *r);

#endif
