/* tl_aws: signed requests through libcurl, and AWS's error shape. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "tl_aws.h"

/* A response larger than this is not an AWS IoT control-plane answer. */
#define TL_AWS_MAX_BODY (4u << 20)

int tl_aws_client_init(tl_aws_client *c, const char *service, const char *endpoint_url,
                       const char *profile, const char *region, char *err, size_t errcap)
{
    const char *ep = endpoint_url, *ca = getenv("AWS_CA_BUNDLE");
    size_t n;
    memset(c, 0, sizeof *c);
    snprintf(c->service, sizeof c->service, "%s", service);
    c->timeout_ms = 15000;
    if (tl_aws_creds_load(&c->creds, profile, region, err, errcap) != 0)
        return -1;
    if (!ep || !ep[0])
        ep = getenv("AWS_ENDPOINT_URL_IOT");
    if (!ep || !ep[0])
        ep = getenv("AWS_ENDPOINT_URL");
    if (ep && ep[0]) {
        if (strncmp(ep, "https://", 8) != 0 && strncmp(ep, "http://", 7) != 0) {
            snprintf(err, errcap, "endpoint URL '%.200s' must start with https:// or http://",
                     ep);
            return -1;
        }
        if (strlen(ep) >= sizeof c->endpoint) {
            snprintf(err, errcap, "endpoint URL is too long");
            return -1;
        }
        snprintf(c->endpoint, sizeof c->endpoint, "%s", ep);
    } else {
        snprintf(c->endpoint, sizeof c->endpoint, "https://%s.%s.amazonaws.com", service,
                 c->creds.region);
    }
    n = strlen(c->endpoint);
    while (n > 0 && c->endpoint[n - 1] == '/')
        c->endpoint[--n] = '\0';
    if (ca && ca[0]) {
        if (strlen(ca) >= sizeof c->ca_file) {
            snprintf(err, errcap, "AWS_CA_BUNDLE is too long");
            return -1;
        }
        snprintf(c->ca_file, sizeof c->ca_file, "%s", ca);
    }
    return 0;
}

typedef struct {
    tl_aws_response *resp;
    size_t cap;
    int too_big;
} sink;

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    sink *s = arg;
    size_t n = size * nmemb;
    tl_aws_response *r = s->resp;
    if (r->body_len + n + 1 > TL_AWS_MAX_BODY) {
        s->too_big = 1;
        return 0;
    }
    if (r->body_len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        char *b;
        while (cap < r->body_len + n + 1)
            cap *= 2;
        b = realloc(r->body, cap);
        if (!b)
            return 0;
        r->body = b;
        s->cap = cap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return n;
}

/* x-amzn-ErrorType: "Name" or "Name:http://internal.amazon.com/...". */
static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
    tl_aws_response *r = arg;
    size_t n = size * nmemb, k = sizeof "x-amzn-ErrorType:" - 1, i = 0;
    if (n > k && strncasecmp(data, "x-amzn-ErrorType:", k) == 0) {
        const char *v = data + k;
        while (v < data + n && *v == ' ')
            v++;
        while (v + i < data + n && i + 1 < sizeof r->error_type && v[i] != ':' &&
               v[i] != '\r' && v[i] != '\n')
            i++;
        memcpy(r->error_type, v, i);
        r->error_type[i] = '\0';
    }
    return n;
}

/* The error's message ("message" or "Message") and, when no header named
 * it, its type ("__type" or "code"). */
static void parse_error(tl_aws_response *r)
{
    cJSON *o = r->body ? cJSON_Parse(r->body) : NULL;
    const cJSON *m = o ? cJSON_GetObjectItemCaseSensitive(o, "message") : NULL;
    if (o && !cJSON_IsString(m))
        m = cJSON_GetObjectItemCaseSensitive(o, "Message");
    if (cJSON_IsString(m))
        snprintf(r->message, sizeof r->message, "%s", m->valuestring);
    else if (r->body && r->body_len && r->body_len < 200 && !o)
        snprintf(r->message, sizeof r->message, "%s", r->body);
    if (!r->error_type[0] && o) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "__type");
        if (!cJSON_IsString(t))
            t = cJSON_GetObjectItemCaseSensitive(o, "code");
        if (cJSON_IsString(t)) {
            const char *hash = strrchr(t->valuestring, '#');
            snprintf(r->error_type, sizeof r->error_type, "%s",
                     hash ? hash + 1 : t->valuestring);
        }
    }
    if (!r->error_type[0])
        snprintf(r->error_type, sizeof r->error_type, "HTTP%ld", r->status);
    cJSON_Delete(o);
}

int tl_aws_request(tl_aws_client *c, const char *method, const char *path, const char *body,
                   const char *const *headers, tl_aws_response *resp, char *err,
                   size_t errcap)
{
    char url[2048], sigv4[128], userpwd[300], token[2100];
    struct curl_slist *hl = NULL;
    sink s = { resp, 0, 0 };
    CURL *h;
    CURLcode rc;
    memset(resp, 0, sizeof *resp);
    if ((size_t)snprintf(url, sizeof url, "%s%s", c->endpoint, path) >= sizeof url) {
        snprintf(err, errcap, "request URL is too long");
        return -1;
    }
    h = curl_easy_init();
    if (!h) {
        snprintf(err, errcap, "libcurl could not start a request");
        return -1;
    }
    snprintf(sigv4, sizeof sigv4, "aws:amz:%s:%s", c->creds.region, c->service);
    snprintf(userpwd, sizeof userpwd, "%s:%s", c->creds.access_key_id,
             c->creds.secret_access_key);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4);
    curl_easy_setopt(h, CURLOPT_USERPWD, userpwd);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms < 5000 ? c->timeout_ms : 5000L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, resp);
    if (c->ca_file[0])
        curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
    /* Signed along with the rest: the AWS CLI sends the same. */
    hl = curl_slist_append(hl, "Accept: application/json");
    if (c->creds.session_token[0]) {
        snprintf(token, sizeof token, "x-amz-security-token: %s", c->creds.session_token);
        hl = curl_slist_append(hl, token);
    }
    if (body) {
        hl = curl_slist_append(hl, "Content-Type: application/json");
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    } else if (strcmp(method, "GET") != 0 && strcmp(method, "DELETE") != 0) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
    }
    for (; headers && *headers; headers++)
        hl = curl_slist_append(hl, *headers);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    /* The credentials were on the stack: do not leave them there. */
    memset(userpwd, 0, sizeof userpwd);
    memset(token, 0, sizeof token);
    if (rc != CURLE_OK) {
        if (s.too_big)
            snprintf(err, errcap, "%s %s: response larger than %u bytes", method, c->endpoint,
                     TL_AWS_MAX_BODY);
        else
            snprintf(err, errcap, "cannot reach %s: %s", c->endpoint, curl_easy_strerror(rc));
        return -1;
    }
    if (!resp->body) {
        resp->body = calloc(1, 1);
        if (!resp->body) {
            snprintf(err, errcap, "out of memory");
            return -1;
        }
    }
    if (resp->status < 200 || resp->status > 299)
        parse_error(resp);
    else
        resp->error_type[0] = '\0';
    return 0;
}

void tl_aws_response_free(tl_aws_response *resp)
{
    free(resp->body);
    resp->body = NULL;
    resp->body_len = 0;
}

void tl_aws_describe_error(const tl_aws_response *r, const char *action, char *out, size_t cap)
{
    int denied = r->status == 403 || strstr(r->error_type, "AccessDenied") ||
                 strstr(r->error_type, "Unauthorized");
    if (strstr(r->error_type, "UnrecognizedClient") ||
        strstr(r->error_type, "InvalidSignature") || strstr(r->message, "security token") ||
        strstr(r->message, "signature we calculated")) {
        snprintf(out, cap, "the cloud refused the credentials (%ld %s: %s); check the access "
                 "key, secret and region", r->status, r->error_type, r->message);
        return;
    }
    if (denied && action)
        snprintf(out, cap, "access denied: the credentials lack the permission %s (%ld %s: %s)",
                 action, r->status, r->error_type, r->message);
    else
        snprintf(out, cap, "%ld %s: %s", r->status, r->error_type,
                 r->message[0] ? r->message : "(no message)");
}

int tl_aws_escape(const char *s, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
            if (o + 1 >= cap)
                return -1;
            out[o++] = (char)ch;
        } else {
            if (o + 3 >= cap)
                return -1;
            out[o++] = '%';
            out[o++] = hex[ch >> 4];
            out[o++] = hex[ch & 15];
        }
    }
    if (o >= cap)
        return -1;
    out[o] = '\0';
    return 0;
}
