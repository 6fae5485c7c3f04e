/* aws-iot-setup, step 5: endpoint, thing, certificate, policy, attachments.
 *
 * Every call either finds what a previous run made or makes it, so that a
 * run interrupted anywhere is finished by the next one without duplicates:
 * the certificate is found again through the local certificate file or the
 * thing's principals, and compared by public key with the chip's. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bearssl.h>
#include <cjson/cJSON.h>

#include "../port/tl_fs.h"
#include "../tls/tl_tls.h"
#include "setup.h"

/* The SHA-256 of the certificate's DER (AWS's certificate id) and whether its
 * public key is pub. 0 when parsed, -1 if the PEM holds no certificate. */
static int cert_info(const char *pem, size_t len, char id[65], const uint8_t pub[64],
                     int *same_key)
{
    static tl_tls_chain chain;          /* 2 KB: off the stack, host only */
    br_x509_decoder_context dc;
    br_sha256_context h;
    const br_x509_pkey *pk;
    uint8_t d[32];
    memset(&chain, 0, sizeof chain);
    if (tl_tls_chain_add_pem(&chain, pem, len) != TL_TLS_PEM_OK || chain.count < 1)
        return -1;
    br_sha256_init(&h);
    br_sha256_update(&h, chain.cert[0].data, chain.cert[0].data_len);
    br_sha256_out(&h, d);
    chip_hex(d, 32, id);
    br_x509_decoder_init(&dc, NULL, NULL);
    br_x509_decoder_push(&dc, chain.cert[0].data, chain.cert[0].data_len);
    pk = br_x509_decoder_get_pkey(&dc);
    *same_key = pk && pk->key_type == BR_KEYTYPE_EC && pk->key.ec.qlen == 65 &&
                pk->key.ec.q[0] == 0x04 && memcmp(pk->key.ec.q + 1, pub, 64) == 0;
    return 0;
}

/*
 * One API call. Returns 0 on 2xx, 1 on 404 when not_found_ok, else prints
 * "trustlink: <what>: <why>" and returns -1. action is the IAM permission
 * the call needs, named when access is denied.
 */
static int call(setup_ctx *s, const char *action, const char *method, const char *path,
                const char *body, const char *const *hdrs, tl_aws_response *r,
                int not_found_ok)
{
    char err[600], why[1400];
    if (tl_aws_request(&s->aws, method, path, body, hdrs, r, err, sizeof err) != 0) {
        tl_aws_response_free(r);
        tl_cli_fail("%s: %s", action, err);
        return -1;
    }
    if (r->status >= 200 && r->status <= 299)
        return 0;
    if (r->status == 404 && not_found_ok)
        return 1;
    tl_aws_describe_error(r, action, why, sizeof why);
    tl_cli_fail("%s: %s", action, why);
    tl_aws_response_free(r);
    return -1;
}

static const char *json_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Describe certificate id; on a 2xx copies its ARN and fills status/pem.
 * 0 found, 1 not found, -1 error printed. */
static int describe_cert(setup_ctx *s, const char *id, char *status, size_t scap,
                         char **pem)
{
    char path[128];
    tl_aws_response r;
    int rc;
    cJSON *o, *d;
    snprintf(path, sizeof path, "/certificates/%s", id);
    if ((rc = call(s, "iot:DescribeCertificate", "GET", path, NULL, NULL, &r, 1)) != 0) {
        if (rc == 1)
            tl_aws_response_free(&r);
        return rc;
    }
    o = cJSON_Parse(r.body);
    d = o ? cJSON_GetObjectItemCaseSensitive(o, "certificateDescription") : NULL;
    if (!d || !json_str(d, "certificateArn") || !json_str(d, "status")) {
        cJSON_Delete(o);
        tl_aws_response_free(&r);
        return tl_cli_fail("DescribeCertificate: unexpected answer"), -1;
    }
    snprintf(s->cert_arn, sizeof s->cert_arn, "%s", json_str(d, "certificateArn"));
    snprintf(status, scap, "%s", json_str(d, "status"));
    if (pem)
        *pem = json_str(d, "certificatePem") ? strdup(json_str(d, "certificatePem")) : NULL;
    cJSON_Delete(o);
    tl_aws_response_free(&r);
    return 0;
}

static int save_cert(setup_ctx *s, const char *pem)
{
    char err[600];
    if (tl_fs_write_atomic(s->cert_path, pem, strlen(pem), err, sizeof err) != 0)
        return tl_cli_fail("%s", err), -1;
    return 0;
}

/* A certificate for this key made by an earlier run: 1 found (reused), 0 no,
 * -1 error. Looks at the local file first, then at the thing's principals. */
static int find_cert(setup_ctx *s)
{
    static char pem[8192];
    char err[600], id[65], status[32];
    long n = tl_fs_read(s->cert_path, pem, sizeof pem, err, sizeof err);
    int same = 0, rc;
    tl_aws_response r;
    char path[520], thing[400];
    cJSON *o, *arr, *it;
    if (n > 0 && cert_info(pem, (size_t)n, id, s->pub, &same) == 0 && same) {
        if ((rc = describe_cert(s, id, status, sizeof status, NULL)) < 0)
            return -1;
        if (rc == 0) {
            snprintf(s->cert_id, sizeof s->cert_id, "%s", id);
            goto found;
        }
    }
    tl_aws_escape(s->thing, thing, sizeof thing);
    snprintf(path, sizeof path, "/things/%s/principals", thing);
    if ((rc = call(s, "iot:ListThingPrincipals", "GET", path, NULL, NULL, &r, 1)) != 0) {
        if (rc == 1)
            tl_aws_response_free(&r);
        return rc < 0 ? -1 : 0;
    }
    o = cJSON_Parse(r.body);
    arr = o ? cJSON_GetObjectItemCaseSensitive(o, "principals") : NULL;
    cJSON_ArrayForEach(it, arr) {
        const char *arn = cJSON_IsString(it) ? it->valuestring : "";
        const char *slash = strstr(arn, ":cert/");
        char *cpem = NULL;
        if (!slash || strlen(slash + 6) != 64)
            continue;
        if (describe_cert(s, slash + 6, status, sizeof status, &cpem) == 0 && cpem &&
            cert_info(cpem, strlen(cpem), id, s->pub, &same) == 0 && same) {
            snprintf(s->cert_id, sizeof s->cert_id, "%s", id);
            rc = save_cert(s, cpem);
            free(cpem);
            cJSON_Delete(o);
            tl_aws_response_free(&r);
            if (rc != 0)
                return -1;
            goto found;
        }
        free(cpem);
    }
    cJSON_Delete(o);
    tl_aws_response_free(&r);
    return 0;
found:
    if (strcmp(status, "REVOKED") == 0)
        return tl_cli_fail("certificate %s for this key is REVOKED: run again with --new-key "
                           "for a new key and certificate", s->cert_id), -1;
    if (strcmp(status, "ACTIVE") != 0) {
        snprintf(path, sizeof path, "/certificates/%s?newStatus=ACTIVE", s->cert_id);
        if (call(s, "iot:UpdateCertificate", "PUT", path, NULL, NULL, &r, 0) != 0)
            return -1;
        tl_aws_response_free(&r);
        setup_say("      certificate %.12s... was %s: set ACTIVE", s->cert_id, status);
    }
    s->cert_reused = 1;
    setup_say("      certificate %.12s... for this key exists: reused (%s)", s->cert_id,
              s->cert_path);
    return 1;
}

static int create_cert(setup_ctx *s)
{
    tl_aws_response r;
    cJSON *req = cJSON_CreateObject(), *o;
    char *body;
    const char *pem, *arn, *id;
    int rc;
    cJSON_AddStringToObject(req, "certificateSigningRequest", s->csr_pem);
    body = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    rc = call(s, "iot:CreateCertificateFromCsr", "POST", "/certificates?setAsActive=true",
              body, NULL, &r, 0);
    free(body);
    if (rc != 0)
        return -1;
    o = cJSON_Parse(r.body);
    pem = o ? json_str(o, "certificatePem") : NULL;
    arn = o ? json_str(o, "certificateArn") : NULL;
    id = o ? json_str(o, "certificateId") : NULL;
    /* The file first: if anything fails after this, the next run finds the
     * certificate through it instead of asking for a second one. */
    rc = pem && arn && id && strlen(id) == 64 ? save_cert(s, pem) : -2;
    if (rc == 0) {
        snprintf(s->cert_arn, sizeof s->cert_arn, "%s", arn);
        snprintf(s->cert_id, sizeof s->cert_id, "%s", id);
        setup_say("      certificate %.12s... created, ACTIVE, saved to %s", id, s->cert_path);
    }
    cJSON_Delete(o);
    tl_aws_response_free(&r);
    if (rc == -2)
        return tl_cli_fail("CreateCertificateFromCsr: unexpected answer"), -1;
    return rc;
}

static int ensure_thing(setup_ctx *s)
{
    tl_aws_response r;
    char path[520], thing[400];
    int rc;
    tl_aws_escape(s->thing, thing, sizeof thing);
    snprintf(path, sizeof path, "/things/%s", thing);
    if ((rc = call(s, "iot:DescribeThing", "GET", path, NULL, NULL, &r, 1)) < 0)
        return -1;
    tl_aws_response_free(&r);
    if (rc == 0) {
        setup_say("      thing %s exists: reused", s->thing);
        return 0;
    }
    if (call(s, "iot:CreateThing", "POST", path, "{}", NULL, &r, 0) != 0)
        return -1;
    tl_aws_response_free(&r);
    setup_say("      thing %s created", s->thing);
    return 0;
}

/* The least-privilege policy: connect as the thing's own client id; publish,
 * receive and subscribe only under things/<thing>/ and its shadows. Policy
 * resources take `*` as a wildcard, and MQTT's `#` is plain text there, so
 * "things/T/ *" covers what the filter "things/T/#" names. */
static char *policy_document(const setup_ctx *s)
{
    char account[64] = "*", res[6][400];
    const char *p = s->cert_arn;
    const char *r = s->aws.creds.region;
    cJSON *doc, *st, *a;
    int i;
    /* arn:aws:iot:REGION:ACCOUNT:cert/ID */
    for (i = 0; i < 4 && p; i++)
        p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL;
    if (p && strchr(p, ':') && (size_t)(strchr(p, ':') - p) < sizeof account)
        snprintf(account, sizeof account, "%.*s", (int)(strchr(p, ':') - p), p);
    snprintf(res[0], sizeof res[0], "arn:aws:iot:%s:%s:client/%s", r, account, s->thing);
    snprintf(res[1], sizeof res[1], "arn:aws:iot:%s:%s:topic/things/%s/*", r, account, s->thing);
    snprintf(res[2], sizeof res[2], "arn:aws:iot:%s:%s:topic/$aws/things/%s/shadow/*", r,
             account, s->thing);
    snprintf(res[3], sizeof res[3], "arn:aws:iot:%s:%s:topicfilter/things/%s/*", r, account,
             s->thing);
    snprintf(res[4], sizeof res[4], "arn:aws:iot:%s:%s:topicfilter/$aws/things/%s/shadow/*", r,
             account, s->thing);
    doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "Version", "2012-10-17");
    a = cJSON_AddArrayToObject(doc, "Statement");
    st = cJSON_CreateObject();
    cJSON_AddStringToObject(st, "Effect", "Allow");
    cJSON_AddStringToObject(st, "Action", "iot:Connect");
    cJSON_AddStringToObject(st, "Resource", res[0]);
    cJSON_AddItemToArray(a, st);
    st = cJSON_CreateObject();
    cJSON_AddStringToObject(st, "Effect", "Allow");
    cJSON_AddItemToObject(st, "Action", cJSON_CreateStringArray(
        (const char *const[]){ "iot:Publish", "iot:Receive" }, 2));
    cJSON_AddItemToObject(st, "Resource", cJSON_CreateStringArray(
        (const char *const[]){ res[1], res[2] }, 2));
    cJSON_AddItemToArray(a, st);
    st = cJSON_CreateObject();
    cJSON_AddStringToObject(st, "Effect", "Allow");
    cJSON_AddStringToObject(st, "Action", "iot:Subscribe");
    cJSON_AddItemToObject(st, "Resource", cJSON_CreateStringArray(
        (const char *const[]){ res[3], res[4] }, 2));
    cJSON_AddItemToArray(a, st);
    {
        char *text = cJSON_PrintUnformatted(doc);
        cJSON_Delete(doc);
        return text;
    }
}

static int same_json(const char *a, const char *b)
{
    cJSON *x = cJSON_Parse(a), *y = cJSON_Parse(b);
    int same = x && y && cJSON_Compare(x, y, 1);
    cJSON_Delete(x);
    cJSON_Delete(y);
    return same;
}

static int ensure_policy(setup_ctx *s)
{
    tl_aws_response r;
    char path[520], name[400];
    char *doc = policy_document(s), *body;
    cJSON *req, *o;
    int rc;
    tl_aws_escape(s->policy, name, sizeof name);
    snprintf(path, sizeof path, "/policies/%s", name);
    if ((rc = call(s, "iot:GetPolicy", "GET", path, NULL, NULL, &r, 1)) < 0) {
        free(doc);
        return -1;
    }
    if (rc == 0) {
        o = cJSON_Parse(r.body);
        if (o && json_str(o, "policyDocument") && same_json(json_str(o, "policyDocument"), doc))
            setup_say("      policy %s exists with the same document: reused", s->policy);
        else
            setup_say("      policy %s exists with a different document: attached as it is, "
                      "not changed (delete it or use --policy for trustlink's least-privilege "
                      "one)", s->policy);
        cJSON_Delete(o);
        tl_aws_response_free(&r);
        free(doc);
        return 0;
    }
    tl_aws_response_free(&r);
    req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "policyDocument", doc);
    body = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    rc = call(s, "iot:CreatePolicy", "POST", path, body, NULL, &r, 0);
    free(body);
    free(doc);
    if (rc != 0)
        return -1;
    tl_aws_response_free(&r);
    setup_say("      policy %s created: connect as client id %s; publish, subscribe, receive "
              "only on things/%s/# and $aws/things/%s/shadow/#", s->policy, s->thing,
              s->thing, s->thing);
    return 0;
}

static int attach(setup_ctx *s)
{
    tl_aws_response r;
    char path[520], name[400], hdr[300], *body;
    const char *hdrs[2] = { hdr, NULL };
    cJSON *req = cJSON_CreateObject();
    int rc;
    tl_aws_escape(s->policy, name, sizeof name);
    snprintf(path, sizeof path, "/target-policies/%s", name);
    cJSON_AddStringToObject(req, "target", s->cert_arn);
    body = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    rc = call(s, "iot:AttachPolicy", "PUT", path, body, NULL, &r, 0);
    free(body);
    if (rc != 0)
        return -1;
    tl_aws_response_free(&r);
    tl_aws_escape(s->thing, name, sizeof name);
    snprintf(path, sizeof path, "/things/%s/principals", name);
    snprintf(hdr, sizeof hdr, "x-amzn-principal: %s", s->cert_arn);
    if (call(s, "iot:AttachThingPrincipal", "PUT", path, NULL, hdrs, &r, 0) != 0)
        return -1;
    tl_aws_response_free(&r);
    setup_say("      policy %s attached to the certificate; certificate attached to thing %s",
              s->policy, s->thing);
    return 0;
}

static int describe_endpoint(setup_ctx *s)
{
    tl_aws_response r;
    cJSON *o;
    const char *ep;
    if (call(s, "iot:DescribeEndpoint", "GET", "/endpoint?endpointType=iot%3AData-ATS", NULL,
             NULL, &r, 0) != 0)
        return -1;
    o = cJSON_Parse(r.body);
    ep = o ? json_str(o, "endpointAddress") : NULL;
    if (!ep || !ep[0] || strlen(ep) >= sizeof s->endpoint || strpbrk(ep, " /\"'\\")) {
        cJSON_Delete(o);
        tl_aws_response_free(&r);
        return tl_cli_fail("DescribeEndpoint: no usable endpointAddress in the answer"), -1;
    }
    snprintf(s->endpoint, sizeof s->endpoint, "%s", ep);
    cJSON_Delete(o);
    tl_aws_response_free(&r);
    setup_say("      %s: data endpoint %s (credentials from %s, region %s)", s->aws.endpoint,
              s->endpoint, s->aws.creds.source, s->aws.creds.region);
    return 0;
}

int setup_cloud_init(setup_ctx *s)
{
    char err[600];
    if (tl_aws_client_init(&s->aws, "iot", s->endpoint_url, s->profile, s->region, err,
                           sizeof err) != 0)
        return tl_cli_fail("%s", err);
    return 0;
}

int setup_cloud(setup_ctx *s)
{
    int rc;
    /* The endpoint first: it proves the cloud answers and takes the
     * credentials before anything is created. */
    if (describe_endpoint(s) != 0 || ensure_thing(s) != 0)
        return TL_CLI_EXIT_FAIL;
    if ((rc = find_cert(s)) < 0)
        return TL_CLI_EXIT_FAIL;
    if (rc == 0 && create_cert(s) != 0)
        return TL_CLI_EXIT_FAIL;
    if (ensure_policy(s) != 0 || attach(s) != 0)
        return TL_CLI_EXIT_FAIL;
    return 0;
}
