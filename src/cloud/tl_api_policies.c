/* tl_api: policy routes (Create/Get/List/DeletePolicy, Attach/DetachPolicy). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_api_internal.h"
#include "tl_policy.h"

static int check_name(tl_api_req *r, const char *name)
{
    if (tl_registry_valid_policy_name(name))
        return 0;
    tl_api__error(r, 400, "InvalidRequestException",
                  "1 validation error detected: Value at 'policyName' failed to satisfy "
                  "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    return -1;
}

static void create(tl_api_req *r, const char *name)
{
    cJSON *body = tl_api__body(r);
    if (!body)
        return;
    const char *doc = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "policyDocument"));
    tl_policy *compiled = malloc(sizeof *compiled);
    tl_policy_error perr;
    if (!doc) {
        tl_api__error(r, 400, "InvalidRequestException", "policyDocument is required.");
    } else if (!compiled) {
        tl_api__error(r, 500, "InternalFailureException", "out of memory");
    } else if (tl_policy_parse(compiled, doc, strlen(doc), &perr) != TL_POLICY_OK) {
        tl_api__error(r, 400, "MalformedPolicyException", "%s", perr.message);
    } else {
        tl_registry_status st = tl_registry_policy_create(r->api->reg, name, doc);
        if (st != TL_REG_OK) {
            tl_api__reg_error(r, st);
        } else {
            char arn[512];
            cJSON *o = cJSON_CreateObject();
            tl_api__arn(r, arn, sizeof arn, "policy", name);
            cJSON_AddStringToObject(o, "policyName", name);
            cJSON_AddStringToObject(o, "policyArn", arn);
            cJSON_AddStringToObject(o, "policyDocument", doc);
            cJSON_AddStringToObject(o, "policyVersionId", "1");
            tl_api__json(r, o);
        }
    }
    free(compiled);
    cJSON_Delete(body);
}

static void get(tl_api_req *r, const char *name)
{
    tl_registry_policy p;
    char arn[512], ver[32];
    tl_registry_status st = tl_registry_policy_get(r->api->reg, name, &p);
    if (st != TL_REG_OK)
        return tl_api__reg_error(r, st);
    cJSON *o = cJSON_CreateObject();
    tl_api__arn(r, arn, sizeof arn, "policy", p.name);
    snprintf(ver, sizeof ver, "%lld", p.version);
    cJSON_AddStringToObject(o, "policyName", p.name);
    cJSON_AddStringToObject(o, "policyArn", arn);
    cJSON_AddStringToObject(o, "policyDocument", p.document);
    cJSON_AddStringToObject(o, "defaultVersionId", ver);
    cJSON_AddNumberToObject(o, "creationDate", (double)p.created);
    cJSON_AddNumberToObject(o, "lastModifiedDate", (double)p.updated);
    tl_registry_policy_free(&p);
    tl_api__json(r, o);
}

static void list(tl_api_req *r)
{
    char **names = NULL, next[TL_REGISTRY_NAME_MAX + 1] = "", arn[512];
    size_t n = 0;
    tl_registry_status st = tl_registry_policy_list(r->api->reg, tl_api__query(r, "marker"),
                                                    TL_REGISTRY_PAGE_MAX, &names, &n, next);
    if (st != TL_REG_OK)
        return tl_api__reg_error(r, st);
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "policies");
    for (size_t i = 0; i < n; i++) {
        cJSON *p = cJSON_CreateObject();
        tl_api__arn(r, arn, sizeof arn, "policy", names[i]);
        cJSON_AddStringToObject(p, "policyName", names[i]);
        cJSON_AddStringToObject(p, "policyArn", arn);
        cJSON_AddItemToArray(arr, p);
    }
    if (next[0])
        cJSON_AddStringToObject(o, "nextMarker", next);
    tl_registry_strings_free(names, n);
    tl_api__json(r, o);
}

/* PUT (attach) or POST (detach) /target-policies/{name} {"target": ARN}. */
static void target(tl_api_req *r, const char *name)
{
    cJSON *body = tl_api__body(r);
    if (!body)
        return;
    const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "target"));
    tl_registry_status st;
    if (!t) {
        tl_api__error(r, 400, "InvalidRequestException", "target is required.");
    } else {
        st = strcmp(r->method, "PUT") == 0 ? tl_registry_policy_attach(r->api->reg, name, t)
                                           : tl_registry_policy_detach(r->api->reg, name, t);
        if (st != TL_REG_OK)
            tl_api__reg_error(r, st);
        else
            tl_api__json(r, cJSON_CreateObject());
    }
    cJSON_Delete(body);
}

int tl_api__route_policies(tl_api_req *r)
{
    if (strcmp(r->path, "/policies") == 0 && strcmp(r->method, "GET") == 0)
        return list(r), 1;
    int is_target = strncmp(r->path, "/target-policies/", 17) == 0;
    if (!is_target && strncmp(r->path, "/policies/", 10) != 0)
        return 0;
    const char *name = r->path + (is_target ? 17 : 10);
    if (strchr(name, '/'))
        return 0;
    if (check_name(r, name) != 0)
        return 1;
    if (is_target && (strcmp(r->method, "PUT") == 0 || strcmp(r->method, "POST") == 0))
        return target(r, name), 1;
    if (!is_target && strcmp(r->method, "POST") == 0)
        return create(r, name), 1;
    if (!is_target && strcmp(r->method, "GET") == 0)
        return get(r, name), 1;
    if (!is_target && strcmp(r->method, "DELETE") == 0) {
        tl_registry_status st = tl_registry_policy_delete(r->api->reg, name);
        if (st != TL_REG_OK)
            return tl_api__reg_error(r, st), 1;
        return tl_api__json(r, cJSON_CreateObject()), 1;
    }
    tl_api__error(r, 405, "MethodNotAllowedException", "Method not allowed.");
    return 1;
}
