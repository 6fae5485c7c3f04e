/* tl_registry: things, thing principals, shadows, SQL-looking input and
 * two handles on one file, on a real SQLite file per test. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "registry_fixture.h"

static void test_things(void **state)
{
    fixture *f = *state;
    tl_registry *r = f->r;
    tl_registry_thing t, *v;
    size_t n;
    char next[129];

    EXPECT(tl_registry_thing_create(r, "dev-1", "{\"room\":\"lab\",\"floor\":\"2\"}"), TL_REG_OK);
    /* Same configuration again: success, as on AWS; different: conflict. */
    EXPECT(tl_registry_thing_create(r, "dev-1", "{\"floor\":\"2\",\"room\":\"lab\"}"), TL_REG_OK);
    EXPECT(tl_registry_thing_create(r, "dev-1", "{\"room\":\"attic\"}"), TL_REG_ALREADY_EXISTS);
    EXPECT(tl_registry_thing_create(r, "", NULL), TL_REG_INVALID);
    EXPECT(tl_registry_thing_create(r, "bad name", NULL), TL_REG_INVALID);
    assert_non_null(strstr(tl_registry_message(r), "Invalid thing name"));
    EXPECT(tl_registry_thing_create(r, "t", "[1]"), TL_REG_INVALID);
    EXPECT(tl_registry_thing_create(r, "t", "{\"a\":1}"), TL_REG_INVALID);
    EXPECT(tl_registry_thing_create(r, "t", "{\"a b\":\"x\"}"), TL_REG_INVALID);
    EXPECT(tl_registry_thing_create(r, "t", "{\"a\":"), TL_REG_INVALID);

    EXPECT(tl_registry_thing_describe(r, "dev-1", &t), TL_REG_OK);
    assert_string_equal(t.name, "dev-1");
    assert_string_equal(t.attributes, "{\"room\":\"lab\",\"floor\":\"2\"}");
    assert_int_equal(t.version, 1);
    tl_registry_thing_free(&t);
    EXPECT(tl_registry_thing_describe(r, "nope", &t), TL_REG_NOT_FOUND);
    assert_string_equal(tl_registry_message(r), "Thing nope cannot be found.");

    /* UpdateThing: merge, empty value removes, version checks. */
    EXPECT(tl_registry_thing_update(r, "dev-1", "{\"room\":\"\",\"fw\":\"1.2\"}", 1, 1), TL_REG_OK);
    EXPECT(tl_registry_thing_describe(r, "dev-1", &t), TL_REG_OK);
    assert_string_equal(t.attributes, "{\"floor\":\"2\",\"fw\":\"1.2\"}");
    assert_int_equal(t.version, 2);
    tl_registry_thing_free(&t);
    EXPECT(tl_registry_thing_update(r, "dev-1", "{\"x\":\"y\"}", 0, 1), TL_REG_VERSION_CONFLICT);
    EXPECT(tl_registry_thing_update(r, "dev-1", "{\"x\":\"y\"}", 0, -1), TL_REG_OK);
    EXPECT(tl_registry_thing_describe(r, "dev-1", &t), TL_REG_OK);
    assert_string_equal(t.attributes, "{\"x\":\"y\"}");
    tl_registry_thing_free(&t);
    EXPECT(tl_registry_thing_update(r, "ghost", NULL, 0, -1), TL_REG_NOT_FOUND);

    EXPECT(tl_registry_thing_create(r, "dev-0", NULL), TL_REG_OK);
    EXPECT(tl_registry_thing_create(r, "dev-2", NULL), TL_REG_OK);
    EXPECT(tl_registry_thing_list(r, NULL, 2, &v, &n, next), TL_REG_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].name, "dev-0");
    assert_string_equal(v[0].attributes, "{}");
    assert_string_equal(next, "dev-1");
    tl_registry_thing_list_free(v, n);
    EXPECT(tl_registry_thing_list(r, next, 2, &v, &n, next), TL_REG_OK);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].name, "dev-2");
    assert_string_equal(next, "");
    tl_registry_thing_list_free(v, n);

    /* DeleteThing: version check, then gone; deleting again succeeds. */
    EXPECT(tl_registry_thing_delete(r, "dev-1", 1), TL_REG_VERSION_CONFLICT);
    EXPECT(tl_registry_thing_delete(r, "dev-1", 3), TL_REG_OK);
    EXPECT(tl_registry_thing_describe(r, "dev-1", &t), TL_REG_NOT_FOUND);
    EXPECT(tl_registry_thing_delete(r, "dev-1", -1), TL_REG_OK);
    EXPECT(tl_registry_thing_delete(r, "no such;thing", -1), TL_REG_INVALID);
}

static void test_thing_principals(void **state)
{
    fixture *f = *state;
    tl_registry *r = f->r;
    char **v, arn[200];
    size_t n;
    const char *a = cid('a');

    add_cert(r, a, TL_CERT_ACTIVE);
    snprintf(arn, sizeof arn, ARN "%s", a);
    EXPECT(tl_registry_thing_attach(r, "dev-1", arn), TL_REG_NOT_FOUND);
    EXPECT(tl_registry_thing_create(r, "dev-1", NULL), TL_REG_OK);
    EXPECT(tl_registry_thing_attach(r, "dev-1", ARN "0000"), TL_REG_INVALID);
    EXPECT(tl_registry_thing_attach(r, "dev-1", cid('9')), TL_REG_NOT_FOUND);
    EXPECT(tl_registry_thing_attach(r, "dev-1", arn), TL_REG_OK);
    EXPECT(tl_registry_thing_attach(r, "dev-1", a), TL_REG_OK);   /* idempotent */
    EXPECT(tl_registry_thing_principals(r, "dev-1", &v, &n), TL_REG_OK);
    assert_int_equal(n, 1);
    assert_string_equal(v[0], a);
    tl_registry_strings_free(v, n);
    EXPECT(tl_registry_thing_principals(r, "ghost", &v, &n), TL_REG_NOT_FOUND);
    EXPECT(tl_registry_principal_things(r, arn, &v, &n), TL_REG_OK);
    assert_int_equal(n, 1);
    assert_string_equal(v[0], "dev-1");
    tl_registry_strings_free(v, n);

    EXPECT(tl_registry_thing_delete(r, "dev-1", -1), TL_REG_INVALID);
    assert_non_null(strstr(tl_registry_message(r), "principals are attached"));
    EXPECT(tl_registry_thing_detach(r, "dev-1", arn), TL_REG_OK);
    EXPECT(tl_registry_thing_detach(r, "dev-1", arn), TL_REG_OK);
    EXPECT(tl_registry_thing_principals(r, "dev-1", &v, &n), TL_REG_OK);
    assert_int_equal(n, 0);
    tl_registry_strings_free(v, n);
    EXPECT(tl_registry_thing_delete(r, "dev-1", -1), TL_REG_OK);
}

static void test_shadows(void **state)
{
    fixture *f = *state;
    tl_registry *r = f->r;
    char *doc;
    long long v = 0, updated = 0, nv = 0;

    EXPECT(tl_registry_shadow_get(r, "dev-1", "", &doc, &v, &updated), TL_REG_NOT_FOUND);
    assert_string_equal(tl_registry_message(r), "No shadow exists with name: 'dev-1'");
    EXPECT(tl_registry_shadow_put(r, "dev-1", "", "{\"a\":1}", 1, &nv), TL_REG_VERSION_CONFLICT);
    EXPECT(tl_registry_shadow_put(r, "dev-1", "", "{\"a\":1}", 0, &nv), TL_REG_OK);
    assert_int_equal(nv, 1);
    EXPECT(tl_registry_shadow_put(r, "dev-1", "", "{\"a\":2}", 0, &nv), TL_REG_VERSION_CONFLICT);
    EXPECT(tl_registry_shadow_put(r, "dev-1", "", "{\"a\":2}", 1, &nv), TL_REG_OK);
    assert_int_equal(nv, 2);
    EXPECT(tl_registry_shadow_put(r, "dev-1", "", "{\"a\":3}", -1, &nv), TL_REG_OK);
    assert_int_equal(nv, 3);
    EXPECT(tl_registry_shadow_get(r, "dev-1", "", &doc, &v, &updated), TL_REG_OK);
    assert_string_equal(doc, "{\"a\":3}");
    assert_int_equal(v, 3);
    assert_true(updated > 1700000000);
    free(doc);
    /* A named shadow is separate from the classic one. */
    EXPECT(tl_registry_shadow_get(r, "dev-1", "cfg", &doc, &v, NULL), TL_REG_NOT_FOUND);
    assert_string_equal(tl_registry_message(r), "No shadow exists with name: 'dev-1~cfg'");
    EXPECT(tl_registry_shadow_put(r, "dev-1", "cfg", "{}", 0, &nv), TL_REG_OK);
    EXPECT(tl_registry_shadow_put(r, "dev-1", "bad name", "{}", 0, &nv), TL_REG_INVALID);
    EXPECT(tl_registry_shadow_put(r, "bad thing", "", "{}", 0, &nv), TL_REG_INVALID);
    EXPECT(tl_registry_shadow_delete(r, "dev-1", "", &v), TL_REG_OK);
    assert_int_equal(v, 3);
    EXPECT(tl_registry_shadow_delete(r, "dev-1", "", &v), TL_REG_NOT_FOUND);
    EXPECT(tl_registry_shadow_get(r, "dev-1", "cfg", &doc, &v, NULL), TL_REG_OK);
    free(doc);
    /* Deleting the thing takes its shadows along. */
    EXPECT(tl_registry_thing_create(r, "dev-1", NULL), TL_REG_OK);
    EXPECT(tl_registry_thing_delete(r, "dev-1", -1), TL_REG_OK);
    EXPECT(tl_registry_shadow_get(r, "dev-1", "cfg", &doc, &v, NULL), TL_REG_NOT_FOUND);
}

/* SQL in input is data: names that could not be valid are refused before
 * they reach SQL; free text (documents) is stored byte for byte. */
static void test_sql_looking_input(void **state)
{
    fixture *f = *state;
    tl_registry *r = f->r;
    tl_registry_policy p;
    tl_registry_thing t;
    char *doc;
    long long nv;
    long things, certs, policies;
    const char *evil = "x'; DROP TABLE things;--";
    const char *evil_doc = "{\"x\":\"'); DROP TABLE policies; --\", \"y\":\"\\\" OR 1=1 --\"}";

    EXPECT(tl_registry_thing_create(r, "keep", NULL), TL_REG_OK);
    EXPECT(tl_registry_thing_create(r, evil, NULL), TL_REG_INVALID);
    EXPECT(tl_registry_thing_describe(r, evil, &t), TL_REG_INVALID);
    EXPECT(tl_registry_thing_delete(r, "x' OR '1'='1", -1), TL_REG_INVALID);
    EXPECT(tl_registry_policy_create(r, "p'--", "{}"), TL_REG_INVALID);
    /* Names made only of allowed characters that look like SQL. */
    EXPECT(tl_registry_thing_create(r, "x--DROP_TABLE_things--", NULL), TL_REG_OK);
    EXPECT(tl_registry_thing_describe(r, "x--DROP_TABLE_things--", &t), TL_REG_OK);
    assert_string_equal(t.name, "x--DROP_TABLE_things--");
    tl_registry_thing_free(&t);
    EXPECT(tl_registry_policy_create(r, "a=1,b=2", evil_doc), TL_REG_OK);
    EXPECT(tl_registry_policy_get(r, "a=1,b=2", &p), TL_REG_OK);
    assert_string_equal(p.document, evil_doc);
    tl_registry_policy_free(&p);
    EXPECT(tl_registry_shadow_put(r, "keep", "", evil, 0, &nv), TL_REG_OK);
    EXPECT(tl_registry_shadow_get(r, "keep", "", &doc, NULL, NULL), TL_REG_OK);
    assert_string_equal(doc, evil);
    free(doc);
    EXPECT(tl_registry_count(r, &things, &certs, &policies), TL_REG_OK);
    assert_int_equal(things, 2);
    assert_int_equal(policies, 1);
}

/* Two handles on one file, as the broker plugin and the API have: each
 * sees the other's committed writes, and a write waits for the other's
 * transaction instead of failing. */
static void test_two_handles(void **state)
{
    fixture *f = *state;
    tl_registry *other;
    tl_registry_thing t;
    sqlite3 *raw;
    char err[256];

    EXPECT(tl_registry_open(&other, f->db, err, sizeof err), TL_REG_OK);
    EXPECT(tl_registry_thing_create(f->r, "shared", NULL), TL_REG_OK);
    EXPECT(tl_registry_thing_describe(other, "shared", &t), TL_REG_OK);
    tl_registry_thing_free(&t);
    /* A reader in the middle of a transaction does not block a writer. */
    assert_int_equal(sqlite3_open(f->db, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw, "BEGIN; SELECT count(*) FROM things;", NULL, NULL, NULL), SQLITE_OK);
    EXPECT(tl_registry_thing_create(other, "while-reading", NULL), TL_REG_OK);
    assert_int_equal(sqlite3_exec(raw, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);
    tl_registry_close(other);
}

/* Another process (as the broker is) holds the write lock for a while: a
 * write here waits for it (busy timeout) instead of failing. */
static void test_waits_for_other_writer(void **state)
{
    fixture *f = *state;
    tl_registry_thing t;
    int fds[2], status = 0;
    char c;
    pid_t child;

    assert_int_equal(pipe(fds), 0);
    child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        sqlite3 *db;
        int ok = sqlite3_open(f->db, &db) == SQLITE_OK &&
                 sqlite3_exec(db, "BEGIN IMMEDIATE; INSERT INTO things (name, created)"
                                  " VALUES ('held', 0);", NULL, NULL, NULL) == SQLITE_OK;
        (void)!write(fds[1], ok ? "y" : "n", 1);
        nanosleep(&(struct timespec){ 0, 400 * 1000 * 1000L }, NULL);
        ok = ok && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
        sqlite3_close(db);
        _exit(ok ? 0 : 1);
    }
    assert_int_equal(read(fds[0], &c, 1), 1);
    assert_int_equal(c, 'y');
    EXPECT(tl_registry_thing_create(f->r, "after-wait", NULL), TL_REG_OK);
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT(tl_registry_thing_describe(f->r, "held", &t), TL_REG_OK);
    tl_registry_thing_free(&t);
    close(fds[0]);
    close(fds[1]);
}

static void test_open_errors(void **state)
{
    tl_registry *r;
    char err[256];
    (void)state;
    EXPECT(tl_registry_open(&r, "/nonexistent-dir/x/registry.db", err, sizeof err), TL_REG_INTERNAL);
    assert_null(r);
    assert_non_null(strstr(err, "/nonexistent-dir/x/registry.db"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_things, registry_setup, registry_teardown),
        cmocka_unit_test_setup_teardown(test_thing_principals, registry_setup, registry_teardown),
        cmocka_unit_test_setup_teardown(test_shadows, registry_setup, registry_teardown),
        cmocka_unit_test_setup_teardown(test_sql_looking_input, registry_setup, registry_teardown),
        cmocka_unit_test_setup_teardown(test_two_handles, registry_setup, registry_teardown),
        cmocka_unit_test_setup_teardown(test_waits_for_other_writer, registry_setup, registry_teardown),
        cmocka_unit_test(test_open_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
