/* Device Shadow documents: validation, merge, metadata, delta, responses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../json/tl_json.h"
#include "tl_shadow_svc.h"

static void set_err(tl_shadow_error *err, int code, const char *msg)
{
    if (!err)
        return;
    err->code = code;
    snprintf(err->message, sizeof err->message, "%s", msg);
}

char *tl_shadow_svc_error_doc(const tl_shadow_error *err, const char *client_token,
                              long now)
{
    cJSON *o = cJSON_CreateObject();
    char *s;
    cJSON_AddNumberToObject(o, "code", err->code);
    cJSON_AddStringToObject(o, "message", err->message);
    cJSON_AddNumberToObject(o, "timestamp", (double)now);
    if (client_token)
        cJSON_AddStringToObject(o, "clientToken", client_token);
    s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* Levels of objects below (and including) o's members; 0 for a scalar. */
static int depth_of(const cJSON *o)
{
    const cJSON *c;
    int best = 0;
    if (!cJSON_IsObject(o) && !cJSON_IsArray(o))
        return 0;
    cJSON_ArrayForEach(c, o) {
        int d = depth_of(c);
        if (d > best)
            best = d;
    }
    return best + (cJSON_IsObject(o) ? 1 : 0);
}

/*
 * Parse a request: strict JSON, UTF-8, an object, and a valid clientToken.
 * An empty request is an empty object (get and delete allow that).
 */
static cJSON *parse_request(const char *req, size_t len, const char **token,
                            tl_shadow_error *err)
{
    tl_json_error jerr;
    cJSON *root, *tok;
    *token = NULL;
    if (len > TL_SHADOW_MAX_STATE + 1024) {
        set_err(err, 413, "The payload exceeds the maximum size allowed");
        return NULL;
    }
    if (len == 0)
        return cJSON_CreateObject();
    if (!tl_json_utf8_valid(req, len)) {
        set_err(err, 415, "Unsupported documented encoding; supported encoding is UTF-8");
        return NULL;
    }
    if (tl_json_check(req, len, 32, &jerr) != TL_JSON_OK) {
        set_err(err, 400, jerr.status == TL_JSON_ERR_DEPTH
                ? "JSON contains too many levels of nesting; maximum is 6" : "Invalid JSON");
        return NULL;
    }
    root = cJSON_ParseWithLength(req, len);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        set_err(err, 400, "Invalid JSON");
        return NULL;
    }
    tok = cJSON_GetObjectItemCaseSensitive(root, "clientToken");
    if (tok) {
        if (!cJSON_IsString(tok) || strlen(tok->valuestring) > TL_SHADOW_MAX_TOKEN) {
            cJSON_Delete(root);
            set_err(err, 400, "Invalid clientToken");
            return NULL;
        }
        *token = tok->valuestring;
    }
    return root;
}

/* Metadata for a value: {"timestamp": now} per leaf, mirrored structure. */
static cJSON *stamp(const cJSON *v, long now)
{
    cJSON *m, *c;
    if (cJSON_IsObject(v)) {
        m = cJSON_CreateObject();
        cJSON_ArrayForEach(c, v)
            cJSON_AddItemToObject(m, c->string, stamp(c, now));
        return m;
    }
    if (cJSON_IsArray(v)) {
        m = cJSON_CreateArray();
        cJSON_ArrayForEach(c, v) {
            cJSON *t = cJSON_CreateObject();
            cJSON_AddNumberToObject(t, "timestamp", (double)now);
            cJSON_AddItemToArray(m, t);
        }
        return m;
    }
    m = cJSON_CreateObject();
    cJSON_AddNumberToObject(m, "timestamp", (double)now);
    return m;
}

/* A copy of v without null members (they delete nothing in a new subtree). */
static cJSON *copy_without_nulls(const cJSON *v)
{
    cJSON *o, *c;
    if (!cJSON_IsObject(v))
        return cJSON_Duplicate(v, 1);
    o = cJSON_CreateObject();
    cJSON_ArrayForEach(c, v)
        if (!cJSON_IsNull(c))
            cJSON_AddItemToObject(o, c->string, copy_without_nulls(c));
    return o;
}

/* A metadata leaf is {"timestamp": <number>}; a mirror object may also have
 * a member named "timestamp" (for a state field of that name), an object. */
static int is_stamp(const cJSON *m)
{
    return cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(m, "timestamp"));
}

/* Replace (or add) key in obj with item. */
static void put(cJSON *obj, const char *key, cJSON *item)
{
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
    else
        cJSON_AddItemToObject(obj, key, item);
}

/* Merge patch into target, keeping meta (same shape as target) in step. */
static void merge(cJSON *target, const cJSON *patch, cJSON *meta, long now)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, patch) {
        cJSON *t = cJSON_GetObjectItemCaseSensitive(target, p->string);
        if (cJSON_IsNull(p)) {
            cJSON_DeleteItemFromObjectCaseSensitive(target, p->string);
            cJSON_DeleteItemFromObjectCaseSensitive(meta, p->string);
        } else if (cJSON_IsObject(p) && cJSON_IsObject(t) && cJSON_GetArraySize(p) > 0) {
            cJSON *m = cJSON_GetObjectItemCaseSensitive(meta, p->string);
            if (!cJSON_IsObject(m) || is_stamp(m)) {
                m = cJSON_CreateObject();
                put(meta, p->string, m);
            }
            merge(t, p, m, now);
            if (cJSON_GetArraySize(t) == 0) {   /* emptied by nulls: gone */
                cJSON_DeleteItemFromObjectCaseSensitive(target, p->string);
                cJSON_DeleteItemFromObjectCaseSensitive(meta, p->string);
            }
        } else {
            cJSON *v = copy_without_nulls(p);
            put(meta, p->string, stamp(v, now));
            put(target, p->string, v);
        }
    }
}

/*
 * Desired fields that differ from reported. With `only` (the request's
 * desired), just the fields the request touched.
 */
static cJSON *delta_of(const cJSON *desired, const cJSON *reported, const cJSON *only)
{
    cJSON *d = cJSON_CreateObject();
    const cJSON *c;
    cJSON_ArrayForEach(c, desired) {
        const cJSON *r = reported ? cJSON_GetObjectItemCaseSensitive(reported, c->string) : NULL;
        const cJSON *o = only ? cJSON_GetObjectItemCaseSensitive(only, c->string) : NULL;
        if (only && !o)
            continue;
        if (cJSON_IsObject(c) && cJSON_IsObject(r)) {
            cJSON *sub = delta_of(c, r, cJSON_IsObject(o) ? o : NULL);
            if (cJSON_GetArraySize(sub) > 0)
                cJSON_AddItemToObject(d, c->string, sub);
            else
                cJSON_Delete(sub);
        } else if (!r || !cJSON_Compare(c, r, 1)) {
            cJSON_AddItemToObject(d, c->string, cJSON_Duplicate(c, 1));
        }
    }
    return d;
}

/* The metadata entries of the fields present in shape. */
static cJSON *meta_for(const cJSON *meta, const cJSON *shape)
{
    cJSON *out = cJSON_CreateObject();
    const cJSON *c;
    cJSON_ArrayForEach(c, shape) {
        const cJSON *m = meta ? cJSON_GetObjectItemCaseSensitive(meta, c->string) : NULL;
        if (!m)
            continue;
        if (cJSON_IsObject(c) && cJSON_IsObject(m) && !is_stamp(m))
            cJSON_AddItemToObject(out, c->string, meta_for(m, c));
        else
            cJSON_AddItemToObject(out, c->string, cJSON_Duplicate(m, 1));
    }
    return out;
}

static cJSON *get_or_add_object(cJSON *parent, const char *key)
{
    cJSON *o = cJSON_GetObjectItemCaseSensitive(parent, key);
    if (!cJSON_IsObject(o)) {
        o = cJSON_CreateObject();
        put(parent, key, o);
    }
    return o;
}

/* Load a stored document, or an empty one; never NULL. */
static cJSON *load_stored(const char *stored)
{
    cJSON *doc = stored ? cJSON_Parse(stored) : NULL;
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        doc = cJSON_CreateObject();
    }
    get_or_add_object(doc, "state");
    get_or_add_object(doc, "metadata");
    if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(doc, "version")))
        put(doc, "version", cJSON_CreateNumber(0));
    return doc;
}

long tl_shadow_svc_version(const char *stored)
{
    cJSON *doc;
    long v;
    if (!stored)
        return 0;
    doc = load_stored(stored);
    v = (long)cJSON_GetObjectItemCaseSensitive(doc, "version")->valuedouble;
    cJSON_Delete(doc);
    return v;
}

static void add_common(cJSON *o, long version, long now, const char *token)
{
    if (version >= 0)
        cJSON_AddNumberToObject(o, "version", (double)version);
    cJSON_AddNumberToObject(o, "timestamp", (double)now);
    if (token)
        cJSON_AddStringToObject(o, "clientToken", token);
}

/* Check the request's state node; 0 if fine. */
static int check_state(const cJSON *state, tl_shadow_error *err)
{
    const cJSON *c;
    if (!state) {
        set_err(err, 400, "Missing required node: state");
        return -1;
    }
    if (!cJSON_IsObject(state)) {
        set_err(err, 400, "State node must be an object");
        return -1;
    }
    cJSON_ArrayForEach(c, state) {
        int is_desired = strcmp(c->string, "desired") == 0;
        if (!is_desired && strcmp(c->string, "reported") != 0) {
            set_err(err, 400, "State contains an invalid node");
            return -1;
        }
        if (!cJSON_IsObject(c) && !cJSON_IsNull(c)) {
            set_err(err, 400, is_desired ? "Desired node must be an object"
                                         : "Reported node must be an object");
            return -1;
        }
        if (depth_of(c) > TL_SHADOW_MAX_DEPTH) {
            set_err(err, 400, "JSON contains too many levels of nesting; maximum is 6");
            return -1;
        }
    }
    return 0;
}

static int fail_doc(tl_shadow_error *err, const char *token, long now, char **error_doc)
{
    if (error_doc)
        *error_doc = tl_shadow_svc_error_doc(err, token, now);
    return -1;
}

/* Apply the request's sections to doc (state and metadata). */
static void apply_state(cJSON *doc, const cJSON *req_state, long now)
{
    cJSON *state = cJSON_GetObjectItemCaseSensitive(doc, "state");
    cJSON *meta = cJSON_GetObjectItemCaseSensitive(doc, "metadata");
    const cJSON *sec;
    cJSON_ArrayForEach(sec, req_state) {
        if (cJSON_IsNull(sec)) {
            cJSON_DeleteItemFromObjectCaseSensitive(state, sec->string);
            cJSON_DeleteItemFromObjectCaseSensitive(meta, sec->string);
            continue;
        }
        merge(get_or_add_object(state, sec->string), sec,
              get_or_add_object(meta, sec->string), now);
        if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(state, sec->string)) == 0) {
            cJSON_DeleteItemFromObjectCaseSensitive(state, sec->string);
            cJSON_DeleteItemFromObjectCaseSensitive(meta, sec->string);
        }
    }
}

static cJSON *versioned_view(const cJSON *doc)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "state",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(doc, "state"), 1));
    cJSON_AddItemToObject(o, "metadata",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(doc, "metadata"), 1));
    cJSON_AddItemToObject(o, "version",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(doc, "version"), 1));
    return o;
}

static char *print_and_free(cJSON *o)
{
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static cJSON *delta_message(const cJSON *doc, const cJSON *req_desired, long version,
                            long now, const char *token)
{
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(doc, "state");
    const cJSON *desired = cJSON_GetObjectItemCaseSensitive(state, "desired");
    const cJSON *reported = cJSON_GetObjectItemCaseSensitive(state, "reported");
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(doc, "metadata");
    cJSON *d, *msg;
    if (!cJSON_IsObject(desired))
        return NULL;
    d = delta_of(desired, cJSON_IsObject(reported) ? reported : NULL, req_desired);
    if (cJSON_GetArraySize(d) == 0) {
        cJSON_Delete(d);
        return NULL;
    }
    msg = cJSON_CreateObject();
    cJSON_AddItemToObject(msg, "state", d);
    cJSON_AddItemToObject(msg, "metadata",
                          meta_for(cJSON_GetObjectItemCaseSensitive(meta, "desired"), d));
    add_common(msg, version, now, token);
    return msg;
}

int tl_shadow_svc_update(const char *stored, const char *request, size_t len,
                         long now, tl_shadow_update_out *out,
                         tl_shadow_error *err, char **error_doc)
{
    const char *token;
    cJSON *req, *doc, *prev, *acc, *docs, *dmsg;
    const cJSON *req_state, *ver, *req_desired;
    long version;
    char *state_text;
    size_t state_len;

    memset(out, 0, sizeof *out);
    if (error_doc)
        *error_doc = NULL;
    req = parse_request(request, len, &token, err);
    if (!req)
        return fail_doc(err, NULL, now, error_doc);
    req_state = cJSON_GetObjectItemCaseSensitive(req, "state");
    ver = cJSON_GetObjectItemCaseSensitive(req, "version");
    if (check_state(req_state, err) != 0)
        goto rejected;
    version = stored ? tl_shadow_svc_version(stored) : 0;
    if (ver && (!cJSON_IsNumber(ver) || ver->valuedouble < 0 || ver->valuedouble > 1e15 ||
                ver->valuedouble != (double)(long)ver->valuedouble)) {
        set_err(err, 400, "Invalid version");
        goto rejected;
    }
    if (ver && (long)ver->valuedouble != version) {
        set_err(err, 409, "Version conflict");
        goto rejected;
    }

    doc = load_stored(stored);
    prev = stored ? versioned_view(doc) : NULL;
    apply_state(doc, req_state, now);
    state_text = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(doc, "state"));
    state_len = state_text ? strlen(state_text) : 0;
    free(state_text);
    if (state_len > TL_SHADOW_MAX_STATE) {
        cJSON_Delete(doc);
        cJSON_Delete(prev);
        set_err(err, 413, "The payload exceeds the maximum size allowed");
        goto rejected;
    }
    version += 1;
    put(doc, "version", cJSON_CreateNumber((double)version));

    acc = cJSON_CreateObject();
    cJSON_AddItemToObject(acc, "state", cJSON_Duplicate(req_state, 1));
    cJSON_AddItemToObject(acc, "metadata", stamp(req_state, now));
    add_common(acc, version, now, token);

    req_desired = cJSON_GetObjectItemCaseSensitive(req_state, "desired");
    dmsg = cJSON_IsObject(req_desired) ? delta_message(doc, req_desired, version, now, token)
                                       : NULL;
    docs = cJSON_CreateObject();
    cJSON_AddItemToObject(docs, "previous", prev ? prev : cJSON_CreateNull());
    cJSON_AddItemToObject(docs, "current", versioned_view(doc));
    add_common(docs, -1, now, token);

    out->accepted = print_and_free(acc);
    out->delta = dmsg ? print_and_free(dmsg) : NULL;
    out->documents = print_and_free(docs);
    out->stored = print_and_free(doc);
    cJSON_Delete(req);
    if (err)
        set_err(err, 0, "");
    return 0;

rejected:
    fail_doc(err, token, now, error_doc);
    cJSON_Delete(req);
    return -1;
}

static void no_shadow(tl_shadow_error *err, const char *name)
{
    char msg[160];
    snprintf(msg, sizeof msg, "No shadow exists with name: '%s'", name);
    set_err(err, 404, msg);
}

/* Get and delete start alike: a valid request for a shadow that exists.
 * Returns the parsed request, or NULL with the error (and document) set. */
static cJSON *begin_existing(const char *stored, const char *shadow_name, const char *request,
                             size_t len, long now, const char **token, tl_shadow_error *err,
                             char **error_doc)
{
    cJSON *req = parse_request(request, len, token, err);
    if (error_doc)
        *error_doc = NULL;
    if (!req) {
        fail_doc(err, NULL, now, error_doc);
        return NULL;
    }
    if (!stored) {
        no_shadow(err, shadow_name);
        fail_doc(err, *token, now, error_doc);
        cJSON_Delete(req);
        return NULL;
    }
    return req;
}

char *tl_shadow_svc_get(const char *stored, const char *shadow_name,
                        const char *request, size_t len, long now,
                        tl_shadow_error *err, char **error_doc)
{
    const char *token;
    cJSON *req = begin_existing(stored, shadow_name, request, len, now, &token, err, error_doc);
    cJSON *doc, *resp, *state;
    const cJSON *desired, *reported;
    char *s;
    if (!req)
        return NULL;
    doc = load_stored(stored);
    resp = versioned_view(doc);
    state = cJSON_GetObjectItemCaseSensitive(resp, "state");
    desired = cJSON_GetObjectItemCaseSensitive(state, "desired");
    reported = cJSON_GetObjectItemCaseSensitive(state, "reported");
    if (cJSON_IsObject(desired)) {
        cJSON *d = delta_of(desired, cJSON_IsObject(reported) ? reported : NULL, NULL);
        if (cJSON_GetArraySize(d) > 0)
            cJSON_AddItemToObject(state, "delta", d);
        else
            cJSON_Delete(d);
    }
    add_common(resp, -1, now, token);
    s = print_and_free(resp);
    cJSON_Delete(doc);
    cJSON_Delete(req);
    return s;
}

char *tl_shadow_svc_delete(const char *stored, const char *shadow_name,
                           const char *request, size_t len, long now,
                           tl_shadow_error *err, char **error_doc)
{
    const char *token;
    cJSON *req = begin_existing(stored, shadow_name, request, len, now, &token, err, error_doc);
    cJSON *resp;
    char *s;
    if (!req)
        return NULL;
    resp = cJSON_CreateObject();
    add_common(resp, tl_shadow_svc_version(stored), now, token);
    s = print_and_free(resp);
    cJSON_Delete(req);
    return s;
}

void tl_shadow_svc_free(tl_shadow_update_out *out)
{
    free(out->stored);
    free(out->accepted);
    free(out->delta);
    free(out->documents);
    memset(out, 0, sizeof *out);
}
