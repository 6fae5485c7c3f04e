/* tl_api_iam: the credentials file's users, action patterns and the route ->
 * action table, without a server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cloud/tl_api_iam.h"

#define ADMIN "[default]\naws_access_key_id = AKIAADMIN0000000000\naws_secret_access_key = s3cr3t\n"

static void test_match(void **state)
{
    (void)state;
    assert_true(tl_api_iam_match("iot:CreateThing", "iot:CreateThing"));
    assert_true(tl_api_iam_match("iot:creatething", "iot:CreateThing")); /* IAM: case-insensitive */
    assert_true(tl_api_iam_match("iot:Describe*", "iot:DescribeEndpoint"));
    assert_true(tl_api_iam_match("iot:*Thing", "iot:DescribeThing"));
    assert_true(tl_api_iam_match("iot:*Thing*", "iot:ListThingPrincipals"));
    assert_true(tl_api_iam_match("*", "iot:DeletePolicy"));
    assert_true(tl_api_iam_match("iot:GetPolic?", "iot:GetPolicy"));
    assert_false(tl_api_iam_match("iot:Describe*", "iot:CreateThing"));
    assert_false(tl_api_iam_match("iot:CreateThing", "iot:CreateThingX"));
    assert_false(tl_api_iam_match("iot:CreateThing", "iot:CreateThin"));
    assert_false(tl_api_iam_match("iot:*Thing", "iot:ListThings"));
    assert_false(tl_api_iam_match("iot:GetPolic?", "iot:GetPolicies"));
    /* A hostile pattern costs little: many stars against a long miss. */
    assert_false(tl_api_iam_match("iot:*a*a*a*a*a*a*a*a*a*a*a*b",
                                  "iot:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

static void test_allows(void **state)
{
    (void)state;
    assert_true(tl_api_iam_allows("iot:DescribeEndpoint,iot:List*", "iot:ListThings"));
    assert_true(tl_api_iam_allows("iot:DescribeEndpoint,iot:List*", "iot:DescribeEndpoint"));
    assert_false(tl_api_iam_allows("iot:DescribeEndpoint,iot:List*", "iot:CreateThing"));
    assert_false(tl_api_iam_allows("", "iot:CreateThing"));
    assert_false(tl_api_iam_allows(",,", "iot:CreateThing"));
}

static void test_patterns(void **state)
{
    (void)state;
    char err[300];
    assert_true(tl_api_iam_valid_pattern("iot:CreateThing", err, sizeof err));
    assert_true(tl_api_iam_valid_pattern("iot:*", err, sizeof err));
    assert_true(tl_api_iam_valid_pattern("*", err, sizeof err));
    assert_false(tl_api_iam_valid_pattern("iot:CreatThing", err, sizeof err));
    assert_non_null(strstr(err, "iot:CreatThing"));
    assert_non_null(strstr(err, "matches no action"));
    assert_false(tl_api_iam_valid_pattern("s3:GetObject", err, sizeof err));
    assert_false(tl_api_iam_valid_pattern("iot:", err, sizeof err));
    assert_false(tl_api_iam_valid_pattern("iot:Create Thing", err, sizeof err));
    assert_false(tl_api_iam_valid_pattern("iot:A\n[x]", err, sizeof err));
    assert_true(tl_api_iam_valid_name("ci-reader_2@lab.example"));
    assert_false(tl_api_iam_valid_name(""));
    assert_false(tl_api_iam_valid_name("a]b"));
    assert_false(tl_api_iam_valid_name("a b"));
    assert_false(tl_api_iam_valid_name(
        "x123456789x123456789x123456789x123456789x123456789x123456789x1234"));
}

static void test_parse_users(void **state)
{
    (void)state;
    tl_api_users u;
    char err[300];
    const char *text = "# comment\n" ADMIN "region = us-east-1\n\n"
                       "[reader]\r\naws_access_key_id=AKIAREADER000000000\r\n"
                       "aws_secret_access_key=r34d\r\ntrustlink_allow = iot:Describe* , iot:ListThings\r\n";
    assert_int_equal(tl_api_users_parse(text, &u, err, sizeof err), 0);
    assert_int_equal(u.n, 2);
    assert_true(u.v[0].admin);
    assert_string_equal(u.v[0].name, "default");
    assert_string_equal(u.v[0].allow, "*");
    assert_false(u.v[1].admin);
    assert_string_equal(u.v[1].allow, "iot:Describe*,iot:ListThings");
    assert_string_equal(u.v[1].secret, "r34d");
    const tl_api_user *f = tl_api_users_find(&u, "AKIAREADER000000000");
    assert_non_null(f);
    assert_string_equal(f->name, "reader");
    assert_null(tl_api_users_find(&u, "AKIAREADER00000000"));
    tl_api_users_free(&u);
    assert_int_equal(u.n, 0);
}

/* Each bad file is refused with a message that says what is wrong. */
static void test_parse_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } cases[] = {
        { "", "no [section]" },
        { "aws_access_key_id = X\n", "before any [section]" },
        { "[default]\naws_access_key_id = AKIAX\n", "needs aws_access_key_id and" },
        { ADMIN "trustlink_allow = iot:*\n", "is the admin" },
        { ADMIN "[r]\naws_access_key_id = A2\naws_secret_access_key = s\n", "no trustlink_allow" },
        { ADMIN "[r]\naws_access_key_id = A2\naws_secret_access_key = s\ntrustlink_allow = iot:Nope\n",
          "line 4: [r] trustlink_allow: action \"iot:Nope\" matches no action" },
        { ADMIN "[r]\naws_access_key_id = A2\naws_secret_access_key = s\ntrustlink_allow = \n",
          "no action allowed" },
        { ADMIN "[r]\naws_access_key_id = A2\naws_secret_access_key = s\ntrustlink_allow = iot:*,,\n",
          "empty action" },
        { ADMIN "[default]\naws_access_key_id = A2\naws_secret_access_key = s\ntrustlink_allow = *\n",
          "repeats the name of [default]" },
        { ADMIN "[r]\naws_access_key_id = AKIAADMIN0000000000\naws_secret_access_key = s\n"
                "trustlink_allow = *\n", "repeats the access key id of [default]" },
        { ADMIN "[bad name]\n", "user name \"bad name\"" },
        { ADMIN "[r\n", "must end with ]" },
        { ADMIN "junk\n", "line 4: expected [name] or key = value" },
        { "[default]\naws_access_key_id = two words\n", "not one word" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tl_api_users u = { (tl_api_user *)1, 7 };
        char err[300] = "";
        if (tl_api_users_parse(cases[i].text, &u, err, sizeof err) != -1 ||
            !strstr(err, cases[i].want))
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, err, cases[i].want);
        assert_int_equal(u.n, 0);
        assert_null(u.v);
        /* No secret in any message. */
        assert_null(strstr(err, "s3cr3t"));
    }
}

static void op(const char *method, const char *path, const char *body, const char *want_action,
               const char *want_arn)
{
    char action[64], arn[600];
    int rc = tl_api_iam_operation(method, path, body, body ? strlen(body) : 0, "us-east-1",
                                  "123456789012", action, sizeof action, arn, sizeof arn);
    if (!want_action) {
        if (rc != -1)
            fail_msg("%s %s: mapped to %s, want no operation", method, path, action);
        return;
    }
    if (rc != 0 || strcmp(action, want_action) != 0 || strcmp(arn, want_arn) != 0)
        fail_msg("%s %s: rc %d %s on %s, want %s on %s", method, path, rc, rc ? "-" : action,
                 rc ? "-" : arn, want_action, want_arn);
}

#define ARN(k, n) "arn:aws:iot:us-east-1:123456789012:" k "/" n
#define CERT "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_operations(void **state)
{
    (void)state;
    op("GET", "/endpoint", NULL, "iot:DescribeEndpoint", "*");
    op("GET", "/things", NULL, "iot:ListThings", "*");
    op("GET", "/things/", NULL, "iot:ListThings", "*");
    op("POST", "/things/t1", "{}", "iot:CreateThing", ARN("thing", "t1"));
    op("GET", "/things/t1", NULL, "iot:DescribeThing", ARN("thing", "t1"));
    op("PATCH", "/things/t1", NULL, "iot:UpdateThing", ARN("thing", "t1"));
    op("DELETE", "/things/t1", NULL, "iot:DeleteThing", ARN("thing", "t1"));
    op("GET", "/things/t1/principals", NULL, "iot:ListThingPrincipals", ARN("thing", "t1"));
    op("PUT", "/things/t1/principals", NULL, "iot:AttachThingPrincipal", ARN("thing", "t1"));
    op("DELETE", "/things/t1/principals", NULL, "iot:DetachThingPrincipal", ARN("thing", "t1"));
    op("GET", "/things/t1/shadow", NULL, "iot:GetThingShadow", ARN("thing", "t1"));
    op("POST", "/things/t1/shadow", "{}", "iot:UpdateThingShadow", ARN("thing", "t1"));
    op("DELETE", "/things/t1/shadow", NULL, "iot:DeleteThingShadow", ARN("thing", "t1"));
    op("POST", "/keys-and-certificate", NULL, "iot:CreateKeysAndCertificate", "*");
    op("POST", "/certificates", "{}", "iot:CreateCertificateFromCsr", "*");
    op("GET", "/certificates", NULL, "iot:ListCertificates", "*");
    op("GET", "/certificates/" CERT, NULL, "iot:DescribeCertificate", ARN("cert", CERT));
    op("PUT", "/certificates/" CERT, NULL, "iot:UpdateCertificate", ARN("cert", CERT));
    op("DELETE", "/certificates/" CERT, NULL, "iot:DeleteCertificate", ARN("cert", CERT));
    op("GET", "/policies", NULL, "iot:ListPolicies", "*");
    op("POST", "/policies/p1", "{}", "iot:CreatePolicy", ARN("policy", "p1"));
    op("GET", "/policies/p1", NULL, "iot:GetPolicy", ARN("policy", "p1"));
    op("DELETE", "/policies/p1", NULL, "iot:DeletePolicy", ARN("policy", "p1"));
    op("PUT", "/target-policies/p1", "{\"target\":\"" ARN("cert", CERT) "\"}", "iot:AttachPolicy",
       ARN("cert", CERT));
    op("POST", "/target-policies/p1", "{\"target\":\"" ARN("cert", CERT) "\"}",
       "iot:DetachPolicy", ARN("cert", CERT));
    op("PUT", "/target-policies/p1", "not json", "iot:AttachPolicy", "*");
    /* A malformed name still names the action; the route answers 400. */
    op("GET", "/things//shadow", NULL, "iot:GetThingShadow", ARN("thing", ""));
    /* Nothing maps to what no route serves. */
    op("GET", "/nope", NULL, NULL, NULL);
    op("POST", "/endpoint", NULL, NULL, NULL);
    op("GET", "/things/a/b", NULL, NULL, NULL);
    op("PUT", "/policies/p1", NULL, NULL, NULL);
    op("GET", "/things/t1/shadow/extra", NULL, NULL, NULL);
}

/* Every known action is reachable through some route, and every route's
 * action is known (so --allow accepts it). */
static void test_table_consistent(void **state)
{
    (void)state;
    size_t n = 0;
    for (size_t i = 0; tl_api_iam_known[i]; i++, n++) {
        char err[300];
        assert_true(tl_api_iam_valid_pattern(tl_api_iam_known[i], err, sizeof err));
    }
    assert_int_equal(n, 24);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match),         cmocka_unit_test(test_allows),
        cmocka_unit_test(test_patterns),      cmocka_unit_test(test_parse_users),
        cmocka_unit_test(test_parse_errors),  cmocka_unit_test(test_operations),
        cmocka_unit_test(test_table_consistent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
