/* tl_api: the libmicrohttpd server, SigV4 check and dispatch; see tl_api.h. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_api_internal.h"

/* Per-connection upload state (MHD's con_cls). */
typedef struct {
    char *body;
    size_t len;
    int too_big;
} upload;

void tl_api__error(tl_api_req *r, int status, const char *type, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "message", msg);
    free(r->out);
    r->out = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    r->status = status;
    r->error_type = type;
}

void tl_api__reg_error(tl_api_req *r, tl_registry_status st)
{
    const char *m = tl_registry_message(r->api->reg);
    tl_api__error(r, tl_registry_http_status(st), tl_registry_error_name(st), "%s",
                  m && *m ? m : tl_registry_error_name(st));
}

void tl_api__json(tl_api_req *r, cJSON *doc)
{
    free(r->out);
    r->out = doc ? cJSON_PrintUnformatted(doc) : NULL;
    cJSON_Delete(doc);
    r->status = r->out ? 200 : 500;
    r->error_type = r->out ? NULL : "InternalFailureException";
}

const char *tl_api__query(tl_api_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *tl_api__header(tl_api_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

cJSON *tl_api__body(tl_api_req *r)
{
    cJSON *doc = r->body_len ? cJSON_ParseWithLength(r->body, r->body_len)
                             : cJSON_CreateObject();
    if (!doc || !cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        tl_api__error(r, 400, "InvalidRequestException",
                      "The request body is not a valid JSON object.");
        return NULL;
    }
    return doc;
}

void tl_api__arn(tl_api_req *r, char *buf, size_t cap, const char *kind, const char *name)
{
    snprintf(buf, cap, "arn:aws:iot:%s:%s:%s/%s", r->api->region, r->api->account, kind, name);
}

/* GET /endpoint?endpointType=... (DescribeEndpoint). */
static int route_endpoint(tl_api_req *r)
{
    if (strcmp(r->path, "/endpoint") != 0)
        return 0;
    if (strcmp(r->method, "GET") != 0) {
        tl_api__error(r, 405, "MethodNotAllowedException", "Method not allowed.");
        return 1;
    }
    const char *t = tl_api__query(r, "endpointType");
    if (t && strcmp(t, "iot:Data-ATS") != 0 && strcmp(t, "iot:Data") != 0 &&
        strcmp(t, "iot:CredentialProvider") != 0 && strcmp(t, "iot:Jobs") != 0) {
        tl_api__error(r, 400, "InvalidRequestException", "Invalid endpointType: %s", t);
        return 1;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "endpointAddress", r->api->endpoint);
    tl_api__json(r, o);
    return 1;
}

/* Verify the signature and the caller's permission (tl_api_auth.c), then
 * hand the request to the route that owns it. */
static void handle(tl_api_req *r)
{
    const tl_api_user *u = tl_api__authenticate(r);
    if (!u || tl_api__authorize(r, u) != 0)
        return;
    if (route_endpoint(r) || tl_api__route_shadow(r) || tl_api__route_things(r) ||
        tl_api__route_certs(r) || tl_api__route_policies(r))
        return;
    tl_api__error(r, 404, "ResourceNotFoundException", "No route for %s %s", r->method,
                  r->path);
}

static enum MHD_Result send_answer(struct MHD_Connection *conn, tl_api_req *r)
{
    const char *body = r->out ? r->out : "{}";
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", "application/json");
    if (r->error_type)
        MHD_add_response_header(resp, "x-amzn-ErrorType", r->error_type);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *data, size_t *data_size, void **con_cls)
{
    (void)version;
    upload *u = *con_cls;
    if (!u) {
        u = calloc(1, sizeof *u);
        if (!u)
            return MHD_NO;
        *con_cls = u;
        return MHD_YES;
    }
    if (*data_size) {
        /* Bounded body: keep reading (and dropping) what is over the limit so
         * that the 413 answer can be sent on a clean connection. */
        if (!u->too_big && u->len + *data_size <= TL_API_MAX_BODY) {
            char *p = realloc(u->body, u->len + *data_size + 1);
            if (!p)
                return MHD_NO;
            memcpy(p + u->len, data, *data_size);
            u->body = p;
            u->len += *data_size;
            u->body[u->len] = '\0';
        } else {
            u->too_big = 1;
        }
        *data_size = 0;
        return MHD_YES;
    }
    tl_api_req r = { .api = cls, .method = method, .path = url, .conn = conn,
                     .body = u->body ? u->body : (char *)"", .body_len = u->len };
    if (u->too_big)
        tl_api__error(&r, 413, "RequestEntityTooLargeException",
                      "The request body is larger than %d bytes.", TL_API_MAX_BODY);
    else
        handle(&r);
    enum MHD_Result ret = send_answer(conn, &r);
    free(r.out);
    return ret;
}

static void on_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)conn, (void)toe;
    upload *u = *con_cls;
    if (u) {
        free(u->body);
        free(u);
    }
    *con_cls = NULL;
}

int tl_api_tls_supported(void)
{
    return MHD_is_feature_supported(MHD_FEATURE_TLS) == MHD_YES;
}

static char *copy(const char *s) { return strdup(s ? s : ""); }

int tl_api_start(tl_api **out, const tl_api_config *cfg, char *err, size_t errcap)
{
    tl_api *api = calloc(1, sizeof *api);
    if (!api)
        return snprintf(err, errcap, "out of memory"), -1;
    if (tl_registry_open(&api->reg, cfg->db_path, err, errcap) != TL_REG_OK) {
        free(api);
        return -1;
    }
    api->ca_key = copy(cfg->ca_key_pem);
    api->ca_cert = copy(cfg->ca_cert_pem);
    api->region = copy(cfg->region);
    api->account = copy(cfg->account);
    api->endpoint = copy(cfg->endpoint);
    api->cert_days = cfg->cert_days > 0 ? cfg->cert_days : 365;
    if (tl_api__users_init(api, cfg, err, errcap) != 0) {
        tl_api_stop(api);
        return -1;
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)cfg->port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (!cfg->plain_http)
        flags |= MHD_USE_TLS;
    if (cfg->plain_http)
        api->daemon = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request, api,
                                       MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED,
                                       on_done, api, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                                       MHD_OPTION_END);
    else
        api->daemon = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request, api,
                                       MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED,
                                       on_done, api, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                                       MHD_OPTION_HTTPS_MEM_KEY, cfg->server_key_pem,
                                       MHD_OPTION_HTTPS_MEM_CERT, cfg->server_cert_pem,
                                       MHD_OPTION_END);
    if (!api->daemon) {
        snprintf(err, errcap, "cannot serve on 127.0.0.1:%u (port in use, or the TLS key "
                 "was refused)", cfg->port);
        tl_api_stop(api);
        return -1;
    }
    *out = api;
    return 0;
}

void tl_api_stop(tl_api *api)
{
    if (!api)
        return;
    if (api->daemon)
        MHD_stop_daemon(api->daemon);
    tl_registry_close(api->reg);
    free(api->ca_key);
    free(api->ca_cert);
    tl_api_users_free(&api->users);
    free(api->creds_path);
    free(api->region);
    free(api->account);
    free(api->endpoint);
    free(api);
}
