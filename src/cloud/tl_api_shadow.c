/* tl_api: the data plane's Get/Update/DeleteThingShadow over HTTP
 * (/things/{name}/shadow[?name=...]), on tl_shadow_svc and the registry's
 * shadow storage, with optimistic locking on the stored version. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tl_api_internal.h"
#include "tl_aws_topic.h"
#include "tl_shadow_svc.h"

/*
 * A change made over REST reaches devices the way AWS IoT delivers it: on the
 * shadow's MQTT response topics. The broker plugin publishes what we queue
 * (the registry's outbox) within a tick. A failure to queue is logged, not
 * returned: the change itself is stored.
 */
static void notify(tl_api_req *r, const char *thing, const char *shadow, tl_shadow_op op,
                   tl_shadow_suffix suffix, const char *payload)
{
    char topic[300];
    if (!payload ||
        tl_aws_shadow_topic_build(thing, shadow, op, suffix, topic, sizeof topic) != 0)
        return;
    if (tl_registry_outbox_add(r->api->reg, topic, payload) != TL_REG_OK)
        fprintf(stderr, "trustlink api: cannot queue %s for the broker: %s\n", topic,
                tl_registry_message(r->api->reg));
}

/* AWS's data plane answers errors as the shadow error document. */
static void shadow_error(tl_api_req *r, const tl_shadow_error *e, char *doc)
{
    static const struct { int code; const char *type; } names[] = {
        { 400, "InvalidRequestException" },   { 401, "UnauthorizedException" },
        { 403, "ForbiddenException" },        { 404, "ResourceNotFoundException" },
        { 409, "ConflictException" },         { 413, "RequestEntityTooLargeException" },
        { 415, "UnsupportedDocumentEncodingException" }, { 429, "ThrottlingException" },
    };
    const char *type = "InternalFailureException";
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].code == e->code)
            type = names[i].type;
    tl_api__error(r, e->code ? e->code : 500, type, "%s", e->message);
    (void)doc;
}

static void answer_text(tl_api_req *r, char *text)
{
    free(r->out);
    r->out = text;
    r->status = 200;
    r->error_type = NULL;
}

int tl_api__route_shadow(tl_api_req *r)
{
    if (strncmp(r->path, "/things/", 8) != 0)
        return 0;
    const char *rest = r->path + 8;
    size_t len = strcspn(rest, "/");
    if (strcmp(rest + len, "/shadow") != 0)
        return 0;
    char thing[TL_REGISTRY_NAME_MAX + 1];
    const char *sname = tl_api__query(r, "name");
    if (len == 0 || len > TL_REGISTRY_NAME_MAX) {
        tl_api__error(r, 400, "InvalidRequestException", "Invalid thing name");
        return 1;
    }
    memcpy(thing, rest, len);
    thing[len] = '\0';
    if (!tl_registry_valid_thing_name(thing) || (sname && !tl_registry_valid_shadow_name(sname))) {
        tl_api__error(r, 400, "InvalidRequestException", "Invalid thing name or shadow name");
        return 1;
    }
    if (!sname)
        sname = "";
    char *stored = NULL, *doc = NULL, *out = NULL;
    long long version = 0, updated = 0;
    long now = (long)time(NULL);
    tl_shadow_error e = { 0, "" };
    tl_registry_status st = tl_registry_shadow_get(r->api->reg, thing, sname, &stored, &version,
                                                   &updated);
    if (st != TL_REG_OK && st != TL_REG_NOT_FOUND) {
        tl_api__reg_error(r, st);
        return 1;
    }
    if (strcmp(r->method, "GET") == 0) {
        out = tl_shadow_svc_get(stored, sname, "", 0, now, &e, &doc);
    } else if (strcmp(r->method, "DELETE") == 0) {
        out = tl_shadow_svc_delete(stored, sname, "", 0, now, &e, &doc);
        if (out) {
            long long dv;
            st = tl_registry_shadow_delete(r->api->reg, thing, sname, &dv);
            if (st != TL_REG_OK) {
                free(out);
                out = NULL;
                tl_api__reg_error(r, st);
            } else {
                notify(r, thing, sname, TL_SHADOW_OP_DELETE, TL_SHADOW_SUFFIX_ACCEPTED, out);
            }
        }
    } else if (strcmp(r->method, "POST") == 0) {
        tl_shadow_update_out u = { 0 };
        if (tl_shadow_svc_update(stored, r->body, r->body_len, now, &u, &e, &doc) == 0) {
            long long nv;
            /* Store only if nobody changed the shadow since we read it. */
            st = tl_registry_shadow_put(r->api->reg, thing, sname, u.stored, stored ? version : 0,
                                        &nv);
            if (st == TL_REG_OK) {
                notify(r, thing, sname, TL_SHADOW_OP_UPDATE, TL_SHADOW_SUFFIX_ACCEPTED, u.accepted);
                notify(r, thing, sname, TL_SHADOW_OP_UPDATE, TL_SHADOW_SUFFIX_DOCUMENTS,
                       u.documents);
                notify(r, thing, sname, TL_SHADOW_OP_UPDATE, TL_SHADOW_SUFFIX_DELTA, u.delta);
                out = u.accepted;
                u.accepted = NULL;
            } else if (st == TL_REG_VERSION_CONFLICT || st == TL_REG_ALREADY_EXISTS) {
                e.code = 409;
                snprintf(e.message, sizeof e.message, "Version conflict");
            } else {
                tl_api__reg_error(r, st);
                e.code = -1;
            }
        }
        tl_shadow_svc_free(&u);
    } else {
        tl_api__error(r, 405, "MethodNotAllowedException", "Method not allowed.");
        e.code = -1;
    }
    if (out)
        answer_text(r, out);
    else if (e.code != -1 && r->status == 0)
        shadow_error(r, &e, doc);
    free(doc);
    free(stored);
    return 1;
}
