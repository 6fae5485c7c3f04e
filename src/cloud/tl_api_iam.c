/* tl_api_iam: action matching and the route -> action table; see tl_api_iam.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tl_api_iam.h"

const char *const tl_api_iam_known[] = {
    "iot:AttachPolicy", "iot:AttachThingPrincipal", "iot:CreateCertificateFromCsr",
    "iot:CreateKeysAndCertificate", "iot:CreatePolicy", "iot:CreateThing",
    "iot:DeleteCertificate", "iot:DeletePolicy", "iot:DeleteThing", "iot:DeleteThingShadow",
    "iot:DescribeCertificate", "iot:DescribeEndpoint", "iot:DescribeThing",
    "iot:DetachPolicy", "iot:DetachThingPrincipal", "iot:GetPolicy", "iot:GetThingShadow",
    "iot:ListCertificates", "iot:ListPolicies", "iot:ListThingPrincipals", "iot:ListThings",
    "iot:UpdateCertificate", "iot:UpdateThing", "iot:UpdateThingShadow", NULL
};

/* Where an operation's resource comes from. */
typedef enum {
    RES_ALL,    /* "*" */
    RES_NAME,   /* kind/<the + segment> */
    RES_TARGET  /* the body's "target" (AttachPolicy/DetachPolicy) */
} res_from;

typedef struct {
    const char *method;
    const char *path; /* '+' stands for one segment, which names the resource */
    const char *action;
    res_from from;
    const char *kind; /* thing, cert, policy */
} operation;

/* The REST paths are AWS IoT's (API reference, one page per operation); the
 * resources those of "How AWS IoT works with IAM" in the developer guide.
 * The principal routes name the thing, as the path does. */
static const operation operations[] = {
    { "GET", "/endpoint", "iot:DescribeEndpoint", RES_ALL, NULL },
    { "GET", "/things", "iot:ListThings", RES_ALL, NULL },
    { "GET", "/things/", "iot:ListThings", RES_ALL, NULL },
    { "POST", "/things/+", "iot:CreateThing", RES_NAME, "thing" },
    { "GET", "/things/+", "iot:DescribeThing", RES_NAME, "thing" },
    { "PATCH", "/things/+", "iot:UpdateThing", RES_NAME, "thing" },
    { "DELETE", "/things/+", "iot:DeleteThing", RES_NAME, "thing" },
    { "GET", "/things/+/principals", "iot:ListThingPrincipals", RES_NAME, "thing" },
    { "PUT", "/things/+/principals", "iot:AttachThingPrincipal", RES_NAME, "thing" },
    { "DELETE", "/things/+/principals", "iot:DetachThingPrincipal", RES_NAME, "thing" },
    { "GET", "/things/+/shadow", "iot:GetThingShadow", RES_NAME, "thing" },
    { "POST", "/things/+/shadow", "iot:UpdateThingShadow", RES_NAME, "thing" },
    { "DELETE", "/things/+/shadow", "iot:DeleteThingShadow", RES_NAME, "thing" },
    { "POST", "/keys-and-certificate", "iot:CreateKeysAndCertificate", RES_ALL, NULL },
    { "POST", "/certificates", "iot:CreateCertificateFromCsr", RES_ALL, NULL },
    { "GET", "/certificates", "iot:ListCertificates", RES_ALL, NULL },
    { "GET", "/certificates/+", "iot:DescribeCertificate", RES_NAME, "cert" },
    { "PUT", "/certificates/+", "iot:UpdateCertificate", RES_NAME, "cert" },
    { "DELETE", "/certificates/+", "iot:DeleteCertificate", RES_NAME, "cert" },
    { "GET", "/policies", "iot:ListPolicies", RES_ALL, NULL },
    { "POST", "/policies/+", "iot:CreatePolicy", RES_NAME, "policy" },
    { "GET", "/policies/+", "iot:GetPolicy", RES_NAME, "policy" },
    { "DELETE", "/policies/+", "iot:DeletePolicy", RES_NAME, "policy" },
    { "PUT", "/target-policies/+", "iot:AttachPolicy", RES_TARGET, NULL },
    { "POST", "/target-policies/+", "iot:DetachPolicy", RES_TARGET, NULL },
};

int tl_api_iam_match(const char *p, const char *s)
{
    /* Iterative glob with one backtrack point: linear enough for the short
     * names involved, and no recursion for a hostile pattern to exploit. */
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*p == '*') {
            star = p++;
            resume = s;
        } else if (*p && (*p == '?' || tolower((unsigned char)*p) == tolower((unsigned char)*s))) {
            p++;
            s++;
        } else if (star) {
            p = star + 1;
            s = ++resume;
        } else {
            return 0;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

int tl_api_iam_allows(const char *allow, const char *action)
{
    char one[128];
    while (allow && *allow) {
        size_t n = strcspn(allow, ",");
        if (n > 0 && n < sizeof one) {
            memcpy(one, allow, n);
            one[n] = '\0';
            if (tl_api_iam_match(one, action))
                return 1;
        }
        allow += n;
        if (*allow == ',')
            allow++;
    }
    return 0;
}

int tl_api_iam_valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > TL_API_USER_NAME_MAX)
        return 0;
    for (const char *c = name; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr("+=,.@_-", *c))
            return 0;
    return 1;
}

int tl_api_iam_valid_pattern(const char *pattern, char *err, size_t errcap)
{
    if (strcmp(pattern, "*") != 0) {
        if (strncmp(pattern, "iot:", 4) != 0 || !pattern[4] || strlen(pattern) > 100) {
            snprintf(err, errcap, "action \"%.100s\" must be iot:NAME (wildcards * and ?) or *",
                     pattern);
            return 0;
        }
        for (const char *c = pattern + 4; *c; c++)
            if (!isalnum((unsigned char)*c) && *c != '*' && *c != '?') {
                snprintf(err, errcap, "action \"%s\": character '%c' is not allowed", pattern,
                         isprint((unsigned char)*c) ? *c : '?');
                return 0;
            }
    }
    for (size_t i = 0; tl_api_iam_known[i]; i++)
        if (tl_api_iam_match(pattern, tl_api_iam_known[i]))
            return 1;
    snprintf(err, errcap, "action \"%s\" matches no action of this cloud (e.g. iot:CreateThing, "
             "iot:Describe*; see `trustlink cloud users add --help`)", pattern);
    return 0;
}

/* 1 if path matches the table's pattern; the '+' segment goes to seg. */
static int path_match(const char *pat, const char *path, const char **seg, size_t *seglen)
{
    while (*pat) {
        if (*pat == '+') {
            size_t n = strcspn(path, "/");
            *seg = path;
            *seglen = n;
            path += n;
            pat++;
        } else if (*pat++ != *path++) {
            return 0;
        }
    }
    return *path == '\0';
}

int tl_api_iam_operation(const char *method, const char *path, const char *body,
                         size_t body_len, const char *region, const char *account,
                         char *action, size_t actioncap, char *arn, size_t arncap)
{
    for (size_t i = 0; i < sizeof operations / sizeof operations[0]; i++) {
        const operation *o = &operations[i];
        const char *seg = "";
        size_t seglen = 0;
        if (strcmp(o->method, method) != 0 || !path_match(o->path, path, &seg, &seglen))
            continue;
        snprintf(action, actioncap, "%s", o->action);
        snprintf(arn, arncap, "*");
        if (o->from == RES_NAME) {
            snprintf(arn, arncap, "arn:aws:iot:%s:%s:%s/%.*s", region, account, o->kind,
                     (int)(seglen > 512 ? 512 : seglen), seg);
        } else if (o->from == RES_TARGET && body && body_len) {
            cJSON *doc = cJSON_ParseWithLength(body, body_len);
            const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "target"));
            if (t && *t)
                snprintf(arn, arncap, "%.512s", t);
            cJSON_Delete(doc);
        }
        return 0;
    }
    return -1;
}
