/* tl_policy: the case tables (policy_cases.json: decisions;
 * policy_malformed.json: documents and their errors), then limits, the
 * matcher's worst case and the helpers. The tables' paths come from
 * TL_POLICY_CASES / TL_POLICY_MALFORMED or argv[1] / argv[2]. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "cloud/tl_policy.h"
#include "cloud/tl_policy_internal.h"

#define ARN_PREFIX "arn:aws:iot:us-east-1:123456789012:"

static const char *cases_path = TL_POLICY_CASES;
static const char *malformed_path = TL_POLICY_MALFORMED;

static cJSON *load_table(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    cJSON *root;
    if (f == NULL)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    root = cJSON_Parse(buf);
    free(buf);
    if (root == NULL)
        fail_msg("%s is not valid JSON", path);
    return root;
}

static const char *str_or_null(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Compile every named policy of the table; they must all be valid. */
static tl_policy *compile_named(const cJSON *policies, size_t *count)
{
    const cJSON *p;
    size_t n = 0, k = 0;
    tl_policy *out;
    cJSON_ArrayForEach(p, policies) n++;
    out = calloc(n ? n : 1, sizeof *out);
    assert_non_null(out);
    cJSON_ArrayForEach(p, policies) {
        char *doc = cJSON_PrintUnformatted(p);
        tl_policy_error e;
        assert_non_null(doc);
        if (tl_policy_parse(&out[k], doc, strlen(doc), &e) != TL_POLICY_OK)
            fail_msg("policy '%s' does not parse: %s (%s)", p->string, e.message, e.field);
        cJSON_free(doc);
        k++;
    }
    *count = n;
    return out;
}

static void test_decision_table(void **state)
{
    cJSON *root = load_table(cases_path);
    const cJSON *named = cJSON_GetObjectItemCaseSensitive(root, "policies");
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(root, "cases"), *c;
    size_t n_named, n_cases = 0, failures = 0;
    tl_policy *compiled = compile_named(named, &n_named);
    (void)state;

    cJSON_ArrayForEach(c, cases) {
        const tl_policy *use[8];
        const cJSON *names = cJSON_GetObjectItemCaseSensitive(c, "policies"), *nm;
        const char *name = str_or_null(c, "name"), *res = str_or_null(c, "resource");
        const char *expect = str_or_null(c, "expect"), *action = str_or_null(c, "action");
        const cJSON *att = cJSON_GetObjectItemCaseSensitive(c, "attached");
        char arn[1024];
        size_t n_use = 0;
        int a = tl_policy_action_from_name(action);
        tl_policy_request rq;
        tl_policy_decision d;

        n_cases++;
        if (name == NULL || res == NULL || expect == NULL || a < 0 || !cJSON_IsArray(names))
            fail_msg("case %zu ('%s') is incomplete", n_cases, name ? name : "?");
        cJSON_ArrayForEach(nm, names) {
            size_t k = 0;
            const cJSON *p;
            cJSON_ArrayForEach(p, named) {
                if (cJSON_IsString(nm) && strcmp(p->string, nm->valuestring) == 0)
                    break;
                k++;
            }
            if (k == n_named || n_use == 8)
                fail_msg("case '%s': unknown policy", name);
            use[n_use++] = &compiled[k];
        }
        /* Short resources get the table's region and account. */
        snprintf(arn, sizeof arn, "%s%s", strncmp(res, "arn:", 4) == 0 ||
                 cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "raw")) ? "" : ARN_PREFIX, res);
        memset(&rq, 0, sizeof rq);
        rq.action = (tl_policy_action)a;
        rq.resource = arn;
        rq.client_id = str_or_null(c, "client");
        rq.thing_name = str_or_null(c, "thing");
        rq.thing_type_name = str_or_null(c, "type");
        rq.thing_attached = att != NULL ? cJSON_IsTrue(att) : rq.thing_name != NULL;
        d = tl_policy_eval(use, n_use, &rq, NULL);
        if (strcmp(tl_policy_decision_name(d), expect) != 0) {
            print_message("FAIL case '%s': %s %s -> %s, expected %s\n", name, action, arn,
                          tl_policy_decision_name(d), expect);
            failures++;
        }
    }
    print_message("%zu decision cases\n", n_cases);
    free(compiled);
    cJSON_Delete(root);
    assert_true(n_cases >= 40);
    assert_int_equal(failures, 0);
}

static const char *status_name(tl_policy_status st)
{
    static const char *const names[] = { "OK", "ARG", "TOO_BIG", "SYNTAX", "MALFORMED",
                                         "UNSUPPORTED" };
    return (unsigned)st < sizeof names / sizeof names[0] ? names[st] : "?";
}

static void test_malformed_table(void **state)
{
    cJSON *root = load_table(malformed_path);
    const cJSON *bad = cJSON_GetObjectItemCaseSensitive(root, "malformed"), *c;
    size_t n = 0, failures = 0;
    tl_policy *pol = malloc(sizeof *pol);
    (void)state;
    assert_non_null(pol);
    cJSON_ArrayForEach(c, bad) {
        const char *name = str_or_null(c, "name"), *raw = str_or_null(c, "raw");
        const char *want = str_or_null(c, "error"), *field = str_or_null(c, "field");
        const char *status = str_or_null(c, "status");
        const cJSON *doc = cJSON_GetObjectItemCaseSensitive(c, "doc");
        char *printed = NULL;
        tl_policy_error e;
        tl_policy_status st;
        n++;
        if (name == NULL || want == NULL || status == NULL || (raw == NULL && doc == NULL))
            fail_msg("malformed case %zu ('%s') is incomplete", n, name ? name : "?");
        if (raw == NULL)
            raw = printed = cJSON_PrintUnformatted(doc);
        st = tl_policy_parse(pol, raw, strlen(raw), &e);
        if (strcmp(status_name(st), status) != 0 || strcmp(e.message, want) != 0 ||
            (field != NULL && strcmp(e.field, field) != 0) || pol->n_statements != 0) {
            print_message("FAIL malformed '%s': %s '%s' [%s]\n   expected %s '%s' [%s]\n", name,
                          status_name(st), e.message, e.field, status, want,
                          field ? field : "*");
            failures++;
        }
        cJSON_free(printed);
    }
    print_message("%zu malformed documents\n", n);
    free(pol);
    cJSON_Delete(root);
    assert_true(n >= 25);
    assert_int_equal(failures, 0);
}

/* A document of exactly `chars` characters without whitespace, padded with
 * whitespace that must not count. */
static char *doc_of_size(size_t chars)
{
    static const char head[] = "{\"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": "
                               "\"Allow\", \"Action\": \"iot:Publish\", \"Resource\": \""
                               ARN_PREFIX "topic/";
    static const char tail[] = "\"}}";
    size_t fixed = strlen(tail), pad, n = 0, i;
    char *d;
    for (i = 0; head[i] != '\0'; i++)
        fixed += head[i] != ' ' && head[i] != '\n';
    pad = chars - fixed;
    d = malloc(strlen(head) + pad + strlen(tail) + 4000);
    assert_non_null(d);
    n += (size_t)sprintf(d, "%s", head);
    memset(d + n, 'a', pad);
    n += pad;
    sprintf(d + n, "%s%3000s", tail, ""); /* trailing whitespace is free */
    return d;
}

static void test_size_limit(void **state)
{
    tl_policy *pol = malloc(sizeof *pol);
    tl_policy_error e;
    char *ok = doc_of_size(2048), *big = doc_of_size(2049);
    (void)state;
    assert_non_null(pol);
    assert_int_equal(tl_policy_parse(pol, ok, strlen(ok), &e), TL_POLICY_OK);
    assert_int_equal(tl_policy_parse(pol, big, strlen(big), &e), TL_POLICY_ERR_TOO_BIG);
    assert_string_equal(e.message, "Policy document is Malformed: the document has 2049 "
                                   "characters without whitespace; the maximum is 2048");
    free(ok);
    free(big);
    free(pol);
}

static void test_too_many_statements(void **state)
{
    char doc[1024];
    size_t n = 0, i;
    tl_policy *pol = malloc(sizeof *pol);
    tl_policy_error e;
    (void)state;
    assert_non_null(pol);
    n += (size_t)sprintf(doc, "{\"Version\":\"2012-10-17\",\"Statement\":[");
    for (i = 0; i < TL_POLICY_MAX_STATEMENTS + 1; i++)
        n += (size_t)sprintf(doc + n, "%s{}", i ? "," : "");
    sprintf(doc + n, "]}");
    assert_int_equal(tl_policy_parse(pol, doc, strlen(doc), &e), TL_POLICY_ERR_TOO_BIG);
    assert_string_equal(e.message, "Policy document is Malformed: Statement has 65 entries; "
                                   "at most 64 are supported");
    assert_string_equal(e.field, "Statement");
    free(pol);
}

/* "a*a*a*...b" against a long run of 'a': exponential for a naive
 * recursive matcher, must be fast here. */
static void test_matcher_worst_case(void **state)
{
    static const char pat[] = "a*a*a*a*a*a*a*a*a*a*a*a*b";
    tl_policy__piece pc[64];
    size_t n = 20000;
    char *s = malloc(n + 1);
    clock_t t0;
    double secs;
    int np = tl_policy__compile_plain(pat, strlen(pat), pc, 64);
    (void)state;
    assert_non_null(s);
    assert_true(np > 0);
    memset(s, 'a', n);
    s[n] = '\0';
    t0 = clock();
    assert_false(tl_policy__match(pc, (size_t)np, pat, NULL, s, n, 0));
    s[n - 1] = 'b';
    assert_true(tl_policy__match(pc, (size_t)np, pat, NULL, s, n, 0));
    /* A long literal after the star: O(n * m) compares, still quick. */
    {
        static const char pat2[] = "*aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab";
        int np2 = tl_policy__compile_plain(pat2, strlen(pat2), pc, 64);
        s[n - 1] = 'a';
        assert_false(tl_policy__match(pc, (size_t)np2, pat2, NULL, s, n, 0));
    }
    secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    print_message("worst-case matches of %zu bytes: %.3f s\n", n, secs);
    assert_true(secs < 1.0);
    free(s);
}

/* The same through a whole policy: a resource of the brief's shape. */
static void test_eval_worst_case(void **state)
{
    static const char doc[] =
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
        "\"Action\":\"iot:Publish\",\"Resource\":\"" ARN_PREFIX "topic/a*a*a*a*a*b\"}}";
    size_t n = 100000, pre = strlen(ARN_PREFIX "topic/");
    char *arn = malloc(pre + n + 1);
    tl_policy *pol = malloc(sizeof *pol);
    tl_policy_request rq;
    tl_policy_error e;
    clock_t t0;
    (void)state;
    assert_non_null(arn);
    assert_non_null(pol);
    assert_int_equal(tl_policy_parse(pol, doc, strlen(doc), &e), TL_POLICY_OK);
    memcpy(arn, ARN_PREFIX "topic/", pre);
    memset(arn + pre, 'a', n);
    arn[pre + n] = '\0';
    memset(&rq, 0, sizeof rq);
    rq.action = TL_POLICY_PUBLISH;
    rq.resource = arn;
    t0 = clock();
    assert_int_equal(tl_policy_eval_one(pol, &rq), TL_POLICY_DENY_IMPLICIT);
    arn[pre + n - 1] = 'b';
    assert_int_equal(tl_policy_eval_one(pol, &rq), TL_POLICY_ALLOW);
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
    free(arn);
    free(pol);
}

static void test_reason_and_requests(void **state)
{
    static const char doc[] =
        "{\"Version\":\"2012-10-17\",\"Statement\":["
        "{\"Sid\":\"All\",\"Effect\":\"Allow\",\"Action\":\"iot:*\",\"Resource\":\"*\"},"
        "{\"Sid\":\"NoSecret\",\"Effect\":\"Deny\",\"Action\":\"iot:Publish\","
        "\"Resource\":\"" ARN_PREFIX "topic/secret\"}]}";
    tl_policy *pol = malloc(sizeof *pol);
    const tl_policy *set[2];
    tl_policy_reason why;
    tl_policy_request rq;
    tl_policy_error e;
    char arn[128];
    (void)state;
    assert_non_null(pol);
    assert_int_equal(tl_policy_parse(pol, doc, strlen(doc), &e), TL_POLICY_OK);
    set[0] = NULL; /* skipped */
    set[1] = pol;
    memset(&rq, 0, sizeof rq);
    rq.action = TL_POLICY_PUBLISH;
    assert_int_equal(tl_policy_arn(arn, sizeof arn, "us-east-1", "123456789012",
                                   TL_POLICY_RES_TOPIC, "secret"), 47);
    assert_string_equal(arn, ARN_PREFIX "topic/secret");
    rq.resource = arn;
    assert_int_equal(tl_policy_eval(set, 2, &rq, &why), TL_POLICY_DENY_EXPLICIT);
    assert_int_equal(why.policy, 1);
    assert_int_equal(why.statement, 1);
    assert_string_equal(why.sid, "NoSecret");
    rq.action = TL_POLICY_RECEIVE;
    assert_int_equal(tl_policy_eval(set, 2, &rq, &why), TL_POLICY_ALLOW);
    assert_string_equal(why.sid, "All");
    rq.resource = NULL;
    assert_int_equal(tl_policy_eval_one(pol, &rq), TL_POLICY_DENY_IMPLICIT);
    rq.resource = arn;
    rq.action = TL_POLICY_ACTION__COUNT;
    assert_int_equal(tl_policy_eval_one(pol, &rq), TL_POLICY_DENY_IMPLICIT);
    assert_int_equal(tl_policy_eval(NULL, 0, &rq, NULL), TL_POLICY_DENY_IMPLICIT);
    free(pol);
}

static void test_helpers(void **state)
{
    char small[16];
    int a;
    (void)state;
    assert_int_equal(tl_policy_arn(small, sizeof small, "us-east-1", "1", TL_POLICY_RES_THING,
                                   "x"), -1);
    assert_string_equal(small, "");
    assert_int_equal(tl_policy_arn(small, sizeof small, NULL, "1", TL_POLICY_RES_THING, "x"), -1);
    for (a = 0; a < TL_POLICY_ACTION__COUNT; a++)
        assert_int_equal(tl_policy_action_from_name(tl_policy_action_name((tl_policy_action)a)), a);
    assert_int_equal(tl_policy_action_from_name("IOT:PUBLISH"), TL_POLICY_PUBLISH);
    assert_int_equal(tl_policy_action_from_name("iot:Pub*"), -1);
    assert_int_equal(tl_policy_action_from_name("iot:Publis"), -1);
    assert_null(tl_policy_action_name(TL_POLICY_ACTION__COUNT));
    assert_int_equal(tl_policy_parse(NULL, "{}", 2, NULL), TL_POLICY_ERR_ARG);
}

/* Raw bytes the JSON table cannot hold: invalid UTF-8, a raw NUL. */
static void test_bad_bytes(void **state)
{
    static const char bad_utf8[] =
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
        "\"Action\":\"iot:Publish\",\"Resource\":\"" ARN_PREFIX "topic/\xff\"}}";
    static const char nul[] = "{\"Version\":\"2012-10-17\"}\0";
    tl_policy *pol = malloc(sizeof *pol);
    tl_policy_error e;
    (void)state;
    assert_non_null(pol);
    assert_int_equal(tl_policy_parse(pol, bad_utf8, strlen(bad_utf8), &e),
                     TL_POLICY_ERR_MALFORMED);
    assert_string_equal(e.message, "Policy document is Malformed: Statement.Resource is not "
                                   "valid UTF-8");
    assert_int_equal(tl_policy_parse(pol, nul, sizeof nul - 1, &e), TL_POLICY_ERR_SYNTAX);
    assert_string_equal(e.message, "Policy document is Malformed: the document contains a "
                                   "NUL character");
    free(pol);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decision_table),
        cmocka_unit_test(test_malformed_table),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_too_many_statements),
        cmocka_unit_test(test_matcher_worst_case),
        cmocka_unit_test(test_eval_worst_case),
        cmocka_unit_test(test_reason_and_requests),
        cmocka_unit_test(test_helpers),
        cmocka_unit_test(test_bad_bytes),
    };
    if (argc > 1)
        cases_path = argv[1];
    if (argc > 2)
        malformed_path = argv[2];
    return cmocka_run_group_tests(tests, NULL, NULL);
}
