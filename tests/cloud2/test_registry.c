/* tl_registry: names, errors, certificates, policies and the broker's
 * principal lookup, on a real SQLite file per test (registry_fixture.c). */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "registry_fixture.h"

static void test_error_names(void **state)
{
    (void)state;
    assert_string_equal(tl_registry_error_name(TL_REG_ALREADY_EXISTS), "ResourceAlreadyExistsException");
    assert_string_equal(tl_registry_error_name(TL_REG_NOT_FOUND), "ResourceNotFoundException");
    assert_string_equal(tl_registry_error_name(TL_REG_INVALID), "InvalidRequestException");
    assert_string_equal(tl_registry_error_name(TL_REG_DELETE_CONFLICT), "DeleteConflictException");
    assert_string_equal(tl_registry_error_name(TL_REG_CERT_STATE), "CertificateStateException");
    assert_string_equal(tl_registry_error_name(TL_REG_VERSION_CONFLICT), "VersionConflictException");
    assert_string_equal(tl_registry_error_name(TL_REG_INTERNAL), "InternalFailureException");
    assert_int_equal(tl_registry_http_status(TL_REG_NOT_FOUND), 404);
    assert_int_equal(tl_registry_http_status(TL_REG_INVALID), 400);
    assert_int_equal(tl_registry_http_status(TL_REG_ALREADY_EXISTS), 409);
    assert_int_equal(tl_registry_cert_status_parse("REVOKED"), TL_CERT_REVOKED);
    assert_int_equal(tl_registry_cert_status_parse("revoked"), -1);
    assert_string_equal(tl_registry_cert_status_name(TL_CERT_PENDING_TRANSFER), "PENDING_TRANSFER");
}

static void test_names(void **state)
{
    char long_name[130], id[65];
    (void)state;
    memset(long_name, 'a', 128);
    long_name[128] = '\0';
    assert_true(tl_registry_valid_thing_name("dev-1:a_B"));
    assert_true(tl_registry_valid_thing_name(long_name));
    long_name[128] = 'a';
    long_name[129] = '\0';
    assert_false(tl_registry_valid_thing_name(long_name));
    assert_false(tl_registry_valid_thing_name(""));
    assert_false(tl_registry_valid_thing_name("a b"));
    assert_false(tl_registry_valid_thing_name("a.b"));
    assert_false(tl_registry_valid_thing_name("x'; DROP TABLE things;--"));
    assert_true(tl_registry_valid_policy_name("p+=,.@-_9"));
    assert_false(tl_registry_valid_policy_name("p:1"));
    assert_false(tl_registry_valid_policy_name("p/1"));
    assert_true(tl_registry_valid_shadow_name("s-1"));
    assert_int_equal(tl_registry_parse_cert_principal(ARN "ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789", id), 0);
    assert_string_equal(id, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
    assert_int_equal(tl_registry_parse_cert_principal("arn:aws:iot:us-east-1:1:thing/x", id), -1);
    assert_int_equal(tl_registry_parse_cert_principal("abc", id), -1);
    assert_int_equal(tl_registry_parse_cert_principal(NULL, id), -1);
}

static void test_wal_and_schema(void **state)
{
    fixture *f = *state;
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void test_certificates(void **state)
{
    fixture *f = *state;
    tl_registry *r = f->r;
    tl_registry_cert c;
    const char *a = cid('a'), *b = cid('b');

    add_cert(r, a, TL_CERT_ACTIVE);
    EXPECT(tl_registry_cert_create(r, a, PEM, TL_CERT_ACTIVE), TL_REG_ALREADY_EXISTS);
    assert_non_null(strstr(tl_registry_message(r), "already"));
    EXPECT(tl_registry_cert_create(r, "xyz", PEM, TL_CERT_ACTIVE), TL_REG_INVALID);
    EXPECT(tl_registry_cert_create(r, cid('A'), PEM, TL_CERT_ACTIVE), TL_REG_INVALID);
    EXPECT(tl_registry_cert_create(r, b, "not pem", TL_CERT_ACTIVE), TL_REG_INVALID);

    EXPECT(tl_registry_cert_describe(r, a, &c), TL_REG_OK);
    assert_string_equal(c.id, a);
    assert_int_equal(c.status, TL_CERT_ACTIVE);
    assert_string_equal(c.pem, PEM);
    assert_true(c.created > 1700000000);
    tl_registry_cert_free(&c);
    EXPECT(tl_registry_cert_describe(r, b, &c), TL_REG_NOT_FOUND);
    assert_non_null(strstr(tl_registry_message(r), "does not exist"));

    /* UpdateCertificate rules. */
    EXPECT(tl_registry_cert_update_status(r, a, TL_CERT_INACTIVE), TL_REG_OK);
    EXPECT(tl_registry_cert_update_status(r, a, TL_CERT_ACTIVE), TL_REG_OK);
    EXPECT(tl_registry_cert_update_status(r, a, TL_CERT_PENDING_TRANSFER), TL_REG_INVALID);
    EXPECT(tl_registry_cert_update_status(r, b, TL_CERT_INACTIVE), TL_REG_NOT_FOUND);
    EXPECT(tl_registry_cert_update_status(r, a, TL_CERT_REVOKED), TL_REG_OK);
    EXPECT(tl_registry_cert_update_status(r, a, TL_CERT_ACTIVE), TL_REG_CERT_STATE);
    EXPECT(tl_registry_cert_update_status(r, a, TL_CERT_INACTIVE), TL_REG_CERT_STATE);
    EXPECT(tl_registry_cert_describe(r, a, &c), TL_REG_OK);
    assert_int_equal(c.status, TL_CERT_REVOKED);
    tl_registry_cert_free(&c);

    /* DeleteCertificate rules: not ACTIVE, nothing attached. */
    add_cert(r, b, TL_CERT_ACTIVE);
    EXPECT(tl_registry_cert_delete(r, b), TL_REG_CERT_STATE);
    assert_string_equal(tl_registry_message(r),
                        "Certificate must be deactivated (not ACTIVE) before deletion.");
    EXPECT(tl_registry_policy_create(r, "p1", "{}"), TL_REG_OK);
    EXPECT(tl_registry_policy_attach(r, "p1", b), TL_REG_OK);
    EXPECT(tl_registry_cert_update_status(r, b, TL_CERT_INACTIVE), TL_REG_OK);
    EXPECT(tl_registry_cert_delete(r, b), TL_REG_DELETE_CONFLICT);
    assert_non_null(strstr(tl_registry_message(r), "policies must be detached"));
    EXPECT(tl_registry_policy_detach(r, "p1", b), TL_REG_OK);
    EXPECT(tl_registry_thing_create(r, "t1", NULL), TL_REG_OK);
    EXPECT(tl_registry_thing_attach(r, "t1", b), TL_REG_OK);
    EXPECT(tl_registry_cert_delete(r, b), TL_REG_DELETE_CONFLICT);
    assert_non_null(strstr(tl_registry_message(r), "Things must be detached"));
    EXPECT(tl_registry_thing_detach(r, "t1", b), TL_REG_OK);
    EXPECT(tl_registry_cert_delete(r, b), TL_REG_OK);
    EXPECT(tl_registry_cert_delete(r, b), TL_REG_NOT_FOUND);
    EXPECT(tl_registry_cert_delete(r, a), TL_REG_OK);   /* REVOKED may be deleted */
}

static void test_certificate_pages(void **state)
{
    fixture *f = *state;
    tl_registry_cert *v;
    size_t n;
    char next[65];
    const char digits[] = "13579";
    int i;
    long things, certs, policies;

    for (i = 0; i < 5; i++)
        add_cert(f->r, cid(digits[i]), TL_CERT_INACTIVE);
    EXPECT(tl_registry_cert_list(f->r, NULL, 2, &v, &n, next), TL_REG_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].id, cid('1'));
    assert_null(v[0].pem);
    assert_int_equal(v[1].status, TL_CERT_INACTIVE);
    assert_string_equal(next, cid('3'));
    tl_registry_cert_list_free(v, n);
    EXPECT(tl_registry_cert_list(f->r, next, 2, &v, &n, next), TL_REG_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].id, cid('5'));
    tl_registry_cert_list_free(v, n);
    EXPECT(tl_registry_cert_list(f->r, next, 2, &v, &n, next), TL_REG_OK);
    assert_int_equal(n, 1);
    assert_string_equal(next, "");
    tl_registry_cert_list_free(v, n);
    EXPECT(tl_registry_cert_list(f->r, NULL, 0, &v, &n, next), TL_REG_INVALID);
    EXPECT(tl_registry_cert_list(f->r, NULL, 251, &v, &n, next), TL_REG_INVALID);
    EXPECT(tl_registry_count(f->r, &things, &certs, &policies), TL_REG_OK);
    assert_int_equal(certs, 5);
    assert_int_equal(things, 0);
    assert_int_equal(policies, 0);
}

static void test_policies(void **state)
{
    fixture *f = *state;
    tl_registry *r = f->r;
    tl_registry_policy p;
    char **v, next[129], arn[200], big[TL_REGISTRY_POLICY_DOC_MAX + 2];
    size_t n;
    const char *a = cid('a');
    const char *doc = "{\"Version\":\"2012-10-17\",\"Statement\":[]}";

    EXPECT(tl_registry_policy_create(r, "pol.1", doc), TL_REG_OK);
    EXPECT(tl_registry_policy_create(r, "pol.1", doc), TL_REG_ALREADY_EXISTS);
    EXPECT(tl_registry_policy_create(r, "pol/1", doc), TL_REG_INVALID);
    EXPECT(tl_registry_policy_create(r, "pol.2", ""), TL_REG_INVALID);
    memset(big, ' ', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    EXPECT(tl_registry_policy_create(r, "pol.2", big), TL_REG_INVALID);
    EXPECT(tl_registry_policy_get(r, "pol.1", &p), TL_REG_OK);
    assert_string_equal(p.name, "pol.1");
    assert_string_equal(p.document, doc);
    assert_int_equal(p.version, 1);
    tl_registry_policy_free(&p);
    EXPECT(tl_registry_policy_get(r, "none", &p), TL_REG_NOT_FOUND);

    add_cert(r, a, TL_CERT_ACTIVE);
    snprintf(arn, sizeof arn, ARN "%s", a);
    EXPECT(tl_registry_policy_attach(r, "none", arn), TL_REG_NOT_FOUND);
    EXPECT(tl_registry_policy_attach(r, "pol.1", "arn:aws:iot:us-east-1:1:thinggroup/g"), TL_REG_INVALID);
    EXPECT(tl_registry_policy_attach(r, "pol.1", cid('c')), TL_REG_NOT_FOUND);
    EXPECT(tl_registry_policy_attach(r, "pol.1", arn), TL_REG_OK);
    EXPECT(tl_registry_policy_attach(r, "pol.1", arn), TL_REG_OK);
    EXPECT(tl_registry_policy_attached(r, arn, &v, &n), TL_REG_OK);
    assert_int_equal(n, 1);
    assert_string_equal(v[0], "pol.1");
    tl_registry_strings_free(v, n);
    EXPECT(tl_registry_policy_targets(r, "pol.1", &v, &n), TL_REG_OK);
    assert_int_equal(n, 1);
    assert_string_equal(v[0], a);
    tl_registry_strings_free(v, n);
    EXPECT(tl_registry_policy_targets(r, "none", &v, &n), TL_REG_NOT_FOUND);

    EXPECT(tl_registry_policy_delete(r, "pol.1"), TL_REG_DELETE_CONFLICT);
    assert_non_null(strstr(tl_registry_message(r), "attached to one or more principals"));
    EXPECT(tl_registry_policy_detach(r, "pol.1", a), TL_REG_OK);
    EXPECT(tl_registry_policy_delete(r, "pol.1"), TL_REG_OK);
    EXPECT(tl_registry_policy_delete(r, "pol.1"), TL_REG_NOT_FOUND);

    EXPECT(tl_registry_policy_create(r, "b", doc), TL_REG_OK);
    EXPECT(tl_registry_policy_create(r, "a", doc), TL_REG_OK);
    EXPECT(tl_registry_policy_create(r, "c", doc), TL_REG_OK);
    EXPECT(tl_registry_policy_list(r, NULL, 2, &v, &n, next), TL_REG_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[0], "a");
    assert_string_equal(next, "b");
    tl_registry_strings_free(v, n);
    EXPECT(tl_registry_policy_list(r, next, 2, &v, &n, next), TL_REG_OK);
    assert_int_equal(n, 1);
    assert_string_equal(v[0], "c");
    assert_string_equal(next, "");
    tl_registry_strings_free(v, n);
}

static void test_principal_lookup(void **state)
{
    fixture *f = *state;
    tl_registry *r = f->r;
    tl_registry_principal p;
    const char *a = cid('a');

    EXPECT(tl_registry_principal_lookup(r, a, &p), TL_REG_NOT_FOUND);
    add_cert(r, a, TL_CERT_ACTIVE);
    EXPECT(tl_registry_principal_lookup(r, a, &p), TL_REG_OK);
    assert_int_equal(p.status, TL_CERT_ACTIVE);
    assert_int_equal(p.nthings, 0);
    assert_int_equal(p.npolicies, 0);
    tl_registry_principal_free(&p);
    EXPECT(tl_registry_policy_create(r, "z", "{\"z\":1}"), TL_REG_OK);
    EXPECT(tl_registry_policy_create(r, "y", "{\"y\":1}"), TL_REG_OK);
    EXPECT(tl_registry_policy_attach(r, "z", a), TL_REG_OK);
    EXPECT(tl_registry_policy_attach(r, "y", a), TL_REG_OK);
    EXPECT(tl_registry_thing_create(r, "dev-1", NULL), TL_REG_OK);
    EXPECT(tl_registry_thing_attach(r, "dev-1", a), TL_REG_OK);
    EXPECT(tl_registry_cert_update_status(r, a, TL_CERT_REVOKED), TL_REG_OK);
    EXPECT(tl_registry_principal_lookup(r, a, &p), TL_REG_OK);
    assert_int_equal(p.status, TL_CERT_REVOKED);
    assert_int_equal(p.nthings, 1);
    assert_string_equal(p.things[0], "dev-1");
    assert_int_equal(p.npolicies, 2);
    assert_string_equal(p.policy_names[0], "y");
    assert_string_equal(p.policy_documents[0], "{\"y\":1}");
    assert_string_equal(p.policy_names[1], "z");
    assert_string_equal(p.policy_documents[1], "{\"z\":1}");
    tl_registry_principal_free(&p);
    EXPECT(tl_registry_principal_lookup(r, "bad", &p), TL_REG_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_names),
        cmocka_unit_test(test_names),
        cmocka_unit_test_setup_teardown(test_wal_and_schema, registry_setup, registry_teardown),
        cmocka_unit_test_setup_teardown(test_certificates, registry_setup, registry_teardown),
        cmocka_unit_test_setup_teardown(test_certificate_pages, registry_setup, registry_teardown),
        cmocka_unit_test_setup_teardown(test_policies, registry_setup, registry_teardown),
        cmocka_unit_test_setup_teardown(test_principal_lookup, registry_setup, registry_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
