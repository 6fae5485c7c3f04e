/* tl_api: CreateThing, DescribeThing, UpdateThing, ListThings, DeleteThing and
 * the thing-principal routes (AWS IoT REST paths under /things). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_api_internal.h"

/* A thing name from the path, checked before anything reaches SQLite:
 * AWS's rule [a-zA-Z0-9:_-]{1,128}. 0, or -1 after answering 400. */
static int check_name(tl_api_req *r, const char *name)
{
    if (!tl_registry_valid_thing_name(name)) {
        tl_api__error(r, 400, "InvalidRequestException",
                      "1 validation error detected: Value at 'thingName' failed to satisfy "
                      "constraint: Member must satisfy regular expression pattern: "
                      "[a-zA-Z0-9:_-]+ and have length at most 128");
        return -1;
    }
    return 0;
}

static cJSON *thing_json(tl_api_req *r, const tl_registry_thing *t)
{
    char arn[512];
    cJSON *o = cJSON_CreateObject();
    tl_api__arn(r, arn, sizeof arn, "thing", t->name);
    cJSON_AddStringToObject(o, "thingName", t->name);
    cJSON_AddStringToObject(o, "thingArn", arn);
    cJSON_AddStringToObject(o, "thingId", t->name);
    cJSON *attrs = cJSON_Parse(t->attributes ? t->attributes : "{}");
    cJSON_AddItemToObject(o, "attributes", attrs ? attrs : cJSON_CreateObject());
    cJSON_AddNumberToObject(o, "version", (double)t->version);
    return o;
}

static void create(tl_api_req *r, const char *name)
{
    cJSON *body = tl_api__body(r);
    if (!body)
        return;
    cJSON *ap = cJSON_GetObjectItemCaseSensitive(body, "attributePayload");
    cJSON *attrs = ap ? cJSON_GetObjectItemCaseSensitive(ap, "attributes") : NULL;
    char *text = attrs ? cJSON_PrintUnformatted(attrs) : NULL;
    if (attrs && !cJSON_IsObject(attrs)) {
        tl_api__error(r, 400, "InvalidRequestException",
                      "attributePayload.attributes must be an object of strings.");
    } else {
        tl_registry_status st = tl_registry_thing_create(r->api->reg, name, text ? text : "{}");
        if (st != TL_REG_OK) {
            tl_api__reg_error(r, st);
        } else {
            char arn[512];
            cJSON *o = cJSON_CreateObject();
            tl_api__arn(r, arn, sizeof arn, "thing", name);
            cJSON_AddStringToObject(o, "thingName", name);
            cJSON_AddStringToObject(o, "thingArn", arn);
            cJSON_AddStringToObject(o, "thingId", name);
            tl_api__json(r, o);
        }
    }
    free(text);
    cJSON_Delete(body);
}

/* UpdateThing: attributePayload {attributes, merge} and expectedVersion; no
 * attributePayload leaves the attributes as they are. */
static void update(tl_api_req *r, const char *name)
{
    cJSON *body = tl_api__body(r);
    if (!body)
        return;
    cJSON *ap = cJSON_GetObjectItemCaseSensitive(body, "attributePayload");
    cJSON *attrs = cJSON_IsObject(ap) ? cJSON_GetObjectItemCaseSensitive(ap, "attributes") : NULL;
    cJSON *merge = cJSON_IsObject(ap) ? cJSON_GetObjectItemCaseSensitive(ap, "merge") : NULL;
    cJSON *ev = cJSON_GetObjectItemCaseSensitive(body, "expectedVersion");
    char *text = NULL;
    if ((ap && !cJSON_IsObject(ap)) || (attrs && !cJSON_IsObject(attrs))) {
        tl_api__error(r, 400, "InvalidRequestException",
                      "attributePayload.attributes must be an object of strings.");
    } else if (merge && !cJSON_IsBool(merge)) {
        tl_api__error(r, 400, "InvalidRequestException",
                      "attributePayload.merge must be true or false.");
    } else if (ev && (!cJSON_IsNumber(ev) || ev->valuedouble < 0 || ev->valuedouble > 9e15)) {
        tl_api__error(r, 400, "InvalidRequestException",
                      "expectedVersion must be a non-negative integer.");
    } else if (attrs && !(text = cJSON_PrintUnformatted(attrs))) {
        tl_api__error(r, 500, "InternalFailureException", "Out of memory.");
    } else {
        tl_registry_status st = tl_registry_thing_update(
            r->api->reg, name, text ? text : "{}", !attrs || cJSON_IsTrue(merge),
            ev ? (long long)ev->valuedouble : -1);
        if (st != TL_REG_OK)
            tl_api__reg_error(r, st);
        else
            tl_api__json(r, cJSON_CreateObject());
    }
    free(text);
    cJSON_Delete(body);
}

static void list(tl_api_req *r)
{
    tl_registry_thing *items = NULL;
    size_t n = 0;
    char next[TL_REGISTRY_NAME_MAX + 1] = "";
    const char *max = tl_api__query(r, "maxResults");
    int limit = max ? atoi(max) : TL_REGISTRY_PAGE_MAX;
    if (limit < 1 || limit > TL_REGISTRY_PAGE_MAX)
        limit = TL_REGISTRY_PAGE_MAX;
    tl_registry_status st =
        tl_registry_thing_list(r->api->reg, tl_api__query(r, "nextToken"), limit, &items, &n, next);
    if (st != TL_REG_OK) {
        tl_api__reg_error(r, st);
        return;
    }
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "things");
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, thing_json(r, &items[i]));
    if (next[0])
        cJSON_AddStringToObject(o, "nextToken", next);
    tl_registry_thing_list_free(items, n);
    tl_api__json(r, o);
}

static void principals(tl_api_req *r, const char *name)
{
    tl_registry_status st;
    if (strcmp(r->method, "GET") == 0) {
        char **ids = NULL;
        size_t n = 0;
        st = tl_registry_thing_principals(r->api->reg, name, &ids, &n);
        if (st != TL_REG_OK)
            return tl_api__reg_error(r, st);
        cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "principals");
        for (size_t i = 0; i < n; i++) {
            char arn[512];
            tl_api__arn(r, arn, sizeof arn, "cert", ids[i]);
            cJSON_AddItemToArray(arr, cJSON_CreateString(arn));
        }
        tl_registry_strings_free(ids, n);
        return tl_api__json(r, o);
    }
    const char *principal = tl_api__header(r, "x-amzn-principal");
    if (!principal || !*principal)
        return tl_api__error(r, 400, "InvalidRequestException",
                             "Missing required header x-amzn-principal.");
    if (strcmp(r->method, "PUT") == 0)
        st = tl_registry_thing_attach(r->api->reg, name, principal);
    else if (strcmp(r->method, "DELETE") == 0)
        st = tl_registry_thing_detach(r->api->reg, name, principal);
    else
        return tl_api__error(r, 405, "MethodNotAllowedException", "Method not allowed.");
    if (st != TL_REG_OK)
        return tl_api__reg_error(r, st);
    tl_api__json(r, cJSON_CreateObject());
}

int tl_api__route_things(tl_api_req *r)
{
    if (strcmp(r->path, "/things") == 0 || strcmp(r->path, "/things/") == 0) {
        if (strcmp(r->method, "GET") != 0)
            return 0;
        list(r);
        return 1;
    }
    if (strncmp(r->path, "/things/", 8) != 0)
        return 0;
    char name[TL_REGISTRY_NAME_MAX * 4];
    const char *rest = r->path + 8;
    size_t len = strcspn(rest, "/");
    if (len >= sizeof name)
        len = sizeof name - 1;
    memcpy(name, rest, len);
    name[len] = '\0';
    rest += strcspn(rest, "/");
    if (*rest && strcmp(rest, "/principals") != 0)
        return 0;
    if (check_name(r, name) != 0)
        return 1;
    if (*rest) {
        principals(r, name);
        return 1;
    }
    tl_registry_status st;
    if (strcmp(r->method, "POST") == 0) {
        create(r, name);
    } else if (strcmp(r->method, "GET") == 0) {
        tl_registry_thing t;
        st = tl_registry_thing_describe(r->api->reg, name, &t);
        if (st != TL_REG_OK)
            return tl_api__reg_error(r, st), 1;
        cJSON *o = thing_json(r, &t);
        cJSON_AddStringToObject(o, "defaultClientId", t.name);
        tl_registry_thing_free(&t);
        tl_api__json(r, o);
    } else if (strcmp(r->method, "PATCH") == 0) {
        update(r, name);
    } else if (strcmp(r->method, "DELETE") == 0) {
        const char *ev = tl_api__query(r, "expectedVersion");
        st = tl_registry_thing_delete(r->api->reg, name, ev ? atoll(ev) : -1);
        if (st != TL_REG_OK)
            return tl_api__reg_error(r, st), 1;
        tl_api__json(r, cJSON_CreateObject());
    } else {
        tl_api__error(r, 405, "MethodNotAllowedException", "Method not allowed.");
    }
    return 1;
}
