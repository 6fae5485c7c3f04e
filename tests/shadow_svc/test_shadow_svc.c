/* The Device Shadow service's document rules, one behaviour per test. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "cloud/tl_shadow_svc.h"

#define NOW 1700000000L

/* The value at a dotted path in a JSON text (NULL if absent); caller frees root. */
static const cJSON *at(cJSON *root, const char *path)
{
    char buf[256], *tok, *save = NULL;
    const cJSON *c = root;
    snprintf(buf, sizeof buf, "%s", path);
    for (tok = strtok_r(buf, ".", &save); tok && c; tok = strtok_r(NULL, ".", &save))
        c = cJSON_GetObjectItemCaseSensitive(c, tok);
    return c;
}

static double num(const char *json, const char *path)
{
    cJSON *r = cJSON_Parse(json);
    const cJSON *c = at(r, path);
    double v;
    assert_non_null(c);
    assert_true(cJSON_IsNumber(c));
    v = c->valuedouble;
    cJSON_Delete(r);
    return v;
}

static int has(const char *json, const char *path)
{
    cJSON *r = cJSON_Parse(json);
    int h = at(r, path) != NULL;
    cJSON_Delete(r);
    return h;
}

static char *str_at(const char *json, const char *path)
{
    cJSON *r = cJSON_Parse(json);
    const cJSON *c = at(r, path);
    char *s = c ? cJSON_PrintUnformatted(c) : NULL;
    cJSON_Delete(r);
    return s;
}

static void expect_at(const char *json, const char *path, const char *want)
{
    char *got = str_at(json, path);
    if (!got || strcmp(got, want) != 0)
        fail_msg("%s: got %s, want %s (in %s)", path, got ? got : "(absent)", want, json);
    free(got);
}

/* Update stored (may be NULL) with req; the new stored doc replaces *stored. */
static void update_ok(char **stored, const char *req, tl_shadow_update_out *out)
{
    tl_shadow_error err;
    char *edoc = NULL;
    if (tl_shadow_svc_update(*stored, req, strlen(req), NOW, out, &err, &edoc) != 0)
        fail_msg("update %s refused: %d %s", req, err.code, err.message);
    free(*stored);
    *stored = strdup(out->stored);
}

static void update_fails(const char *stored, const char *req, int code, const char *msg)
{
    tl_shadow_update_out out;
    tl_shadow_error err;
    char *edoc = NULL;
    assert_int_equal(tl_shadow_svc_update(stored, req, strlen(req), NOW, &out, &err, &edoc), -1);
    if (err.code != code || strcmp(err.message, msg) != 0)
        fail_msg("update %s: got %d '%s', want %d '%s'", req, err.code, err.message, code, msg);
    assert_null(out.stored);
    assert_non_null(edoc);
    assert_int_equal((int)num(edoc, "code"), code);
    expect_at(edoc, "timestamp", "1700000000");
    free(edoc);
}

static void test_first_update_creates_version_1(void **s)
{
    char *st = NULL;
    tl_shadow_update_out o;
    (void)s;
    update_ok(&st, "{\"state\":{\"desired\":{\"led\":\"on\"}}}", &o);
    assert_int_equal((int)num(o.accepted, "version"), 1);
    expect_at(o.accepted, "state.desired.led", "\"on\"");
    expect_at(o.accepted, "metadata.desired.led.timestamp", "1700000000");
    expect_at(o.accepted, "timestamp", "1700000000");
    expect_at(st, "state.desired.led", "\"on\"");
    expect_at(st, "metadata.desired.led.timestamp", "1700000000");
    tl_shadow_svc_free(&o);
    free(st);
}

static void test_updates_merge_and_count_versions(void **s)
{
    char *st = NULL;
    tl_shadow_update_out o;
    (void)s;
    update_ok(&st, "{\"state\":{\"desired\":{\"a\":1,\"b\":2}}}", &o);
    tl_shadow_svc_free(&o);
    update_ok(&st, "{\"state\":{\"desired\":{\"b\":3,\"c\":4}}}", &o);
    expect_at(st, "state.desired", "{\"a\":1,\"b\":3,\"c\":4}");
    assert_int_equal((int)num(st, "version"), 2);
    expect_at(o.accepted, "state", "{\"desired\":{\"b\":3,\"c\":4}}");
    tl_shadow_svc_free(&o);
    free(st);
}

static void test_null_deletes_a_key_and_its_metadata(void **s)
{
    char *st = NULL;
    tl_shadow_update_out o;
    (void)s;
    update_ok(&st, "{\"state\":{\"reported\":{\"a\":1,\"b\":2}}}", &o);
    tl_shadow_svc_free(&o);
    update_ok(&st, "{\"state\":{\"reported\":{\"a\":null}}}", &o);
    expect_at(st, "state.reported", "{\"b\":2}");
    assert_false(has(st, "metadata.reported.a"));
    assert_true(has(st, "metadata.reported.b"));
    tl_shadow_svc_free(&o);
    free(st);
}

static void test_null_section_deletes_the_section(void **s)
{
    char *st = NULL;
    tl_shadow_update_out o;
    (void)s;
    update_ok(&st, "{\"state\":{\"desired\":{\"a\":1},\"reported\":{\"a\":0}}}", &o);
    tl_shadow_svc_free(&o);
    update_ok(&st, "{\"state\":{\"desired\":null}}", &o);
    assert_false(has(st, "state.desired"));
    assert_false(has(st, "metadata.desired"));
    assert_true(has(st, "state.reported.a"));
    assert_null(o.delta);
    tl_shadow_svc_free(&o);
    free(st);
}

static void test_section_emptied_by_nulls_disappears(void **s)
{
    char *st = NULL;
    tl_shadow_update_out o;
    (void)s;
    update_ok(&st, "{\"state\":{\"desired\":{\"cfg\":{\"x\":1}}}}", &o);
    tl_shadow_svc_free(&o);
    update_ok(&st, "{\"state\":{\"desired\":{\"cfg\":{\"x\":null}}}}", &o);
    assert_false(has(st, "state.desired"));
    tl_shadow_svc_free(&o);
    free(st);
}

static void test_nested_objects_merge(void **s)
{
    char *st = NULL;
    tl_shadow_update_out o;
    (void)s;
    update_ok(&st, "{\"state\":{\"reported\":{\"net\":{\"ip\":\"1.2.3.4\",\"rssi\":-60}}}}", &o);
    tl_shadow_svc_free(&o);
    update_ok(&st, "{\"state\":{\"reported\":{\"net\":{\"rssi\":-70}}}}", &o);
    expect_at(st, "state.reported.net", "{\"ip\":\"1.2.3.4\",\"rssi\":-70}");
    assert_true(has(st, "metadata.reported.net.ip.timestamp"));
    tl_shadow_svc_free(&o);
    free(st);
}

static void test_arrays_replace_whole_with_per_element_metadata(void **s)
{
    char *st = NULL;
    tl_shadow_update_out o;
    (void)s;
    update_ok(&st, "{\"state\":{\"reported\":{\"l\":[1,2,3]}}}", &o);
    tl_shadow_svc_free(&o);
    update_ok(&st, "{\"state\":{\"reported\":{\"l\":[9]}}}", &o);
    expect_at(st, "state.reported.l", "[9]");
    expect_at(st, "metadata.reported.l", "[{\"timestamp\":1700000000}]");
    tl_shadow_svc_free(&o);
    free(st);
}

static void test_delta_published_for_differing_desired(void **s)
{
    char *st = NULL;
    tl_shadow_update_out o;
    (void)s;
    update_ok(&st, "{\"state\":{\"reported\":{\"led\":\"off\",\"interval\":10}}}", &o);
    assert_null(o.delta);   /* reported-only update: no delta */
    tl_shadow_svc_free(&o);
    update_ok(&st, "{\"state\":{\"desired\":{\"led\":\"on\",\"interval\":10}},\"clientToken\":\"t1\"}", &o);
    assert_non_null(o.delta);
    expect_at(o.delta, "state", "{\"led\":\"on\"}");   /* interval matches: not in delta */
    expect_at(o.delta, "metadata.led.timestamp", "1700000000");
    assert_int_equal((int)num(o.delta, "version"), 2);
    expect_at(o.delta, "clientToken", "\"t1\"");
    tl_shadow_svc_free(&o);
    free(st);
}

static void test_no_delta_when_in_sync(void **s)
{
    char *st = NULL;
    tl_shadow_update_out o;
    (void)s;
    update_ok(&st, "{\"state\":{\"reported\":{\"led\":\"on\"}}}", &o);
    tl_shadow_svc_free(&o);
    update_ok(&st, "{\"state\":{\"desired\":{\"led\":\"on\"}}}", &o);
    assert_null(o.delta);
    tl_shadow_svc_free(&o);
    free(st);
}

static void test_delta_limited_to_fields_of_the_request(void **s)
{
    char *st = NULL;
    tl_shadow_update_out o;
    (void)s;
    update_ok(&st, "{\"state\":{\"desired\":{\"a\":1,\"b\":1}}}", &o);
    tl_shadow_svc_free(&o);
    update_ok(&st, "{\"state\":{\"desired\":{\"b\":2}}}", &o);
    expect_at(o.delta, "state", "{\"b\":2}");
    tl_shadow_svc_free(&o);
    free(st);
}

static void test_nested_delta(void **s)
{
    char *st = NULL;
    tl_shadow_update_out o;
    (void)s;
    update_ok(&st, "{\"state\":{\"reported\":{\"cfg\":{\"x\":1,\"y\":2}}}}", &o);
    tl_shadow_svc_free(&o);
    update_ok(&st, "{\"state\":{\"desired\":{\"cfg\":{\"x\":1,\"y\":3}}}}", &o);
    expect_at(o.delta, "state", "{\"cfg\":{\"y\":3}}");
    expect_at(o.delta, "metadata.cfg.y.timestamp", "1700000000");
    tl_shadow_svc_free(&o);
    free(st);
}

static void test_get_returns_state_delta_metadata_version(void **s)
{
    char *st = NULL, *g;
    tl_shadow_update_out o;
    tl_shadow_error err;
    const char *req = "{\"clientToken\":\"g1\"}";
    (void)s;
    update_ok(&st, "{\"state\":{\"desired\":{\"a\":1,\"b\":1},\"reported\":{\"a\":1}}}", &o);
    tl_shadow_svc_free(&o);
    g = tl_shadow_svc_get(st, "dev", req, strlen(req), NOW, &err, NULL);
    assert_non_null(g);
    expect_at(g, "state.delta", "{\"b\":1}");
    expect_at(g, "state.reported", "{\"a\":1}");
    assert_true(has(g, "metadata.desired.b.timestamp"));
    assert_int_equal((int)num(g, "version"), 1);
    expect_at(g, "clientToken", "\"g1\"");
    free(g);
    update_ok(&st, "{\"state\":{\"reported\":{\"b\":1}}}", &o);
    tl_shadow_svc_free(&o);
    g = tl_shadow_svc_get(st, "dev", "", 0, NOW, &err, NULL);
    assert_false(has(g, "state.delta"));
    free(g);
    free(st);
}

static void test_get_and_delete_of_missing_shadow_are_404(void **s)
{
    tl_shadow_error err;
    char *edoc = NULL;
    const char *req = "{\"clientToken\":\"x\"}";
    (void)s;
    assert_null(tl_shadow_svc_get(NULL, "dev-7", req, strlen(req), NOW, &err, &edoc));
    assert_int_equal(err.code, 404);
    assert_string_equal(err.message, "No shadow exists with name: 'dev-7'");
    expect_at(edoc, "clientToken", "\"x\"");
    free(edoc);
    assert_null(tl_shadow_svc_delete(NULL, "dev-7", "", 0, NOW, &err, &edoc));
    assert_int_equal(err.code, 404);
    free(edoc);
}

static void test_delete_reports_the_version(void **s)
{
    char *st = NULL, *d;
    tl_shadow_update_out o;
    tl_shadow_error err;
    const char *req = "{\"clientToken\":\"d\"}";
    (void)s;
    update_ok(&st, "{\"state\":{\"reported\":{\"a\":1}}}", &o);
    tl_shadow_svc_free(&o);
    update_ok(&st, "{\"state\":{\"reported\":{\"a\":2}}}", &o);
    tl_shadow_svc_free(&o);
    d = tl_shadow_svc_delete(st, "dev", req, strlen(req), NOW, &err, NULL);
    assert_int_equal((int)num(d, "version"), 2);
    expect_at(d, "clientToken", "\"d\"");
    free(d);
    free(st);
}

static void test_optimistic_locking(void **s)
{
    char *st = NULL;
    tl_shadow_update_out o;
    (void)s;
    update_ok(&st, "{\"state\":{\"reported\":{\"a\":1}}}", &o);
    tl_shadow_svc_free(&o);
    update_ok(&st, "{\"state\":{\"reported\":{\"a\":2}},\"version\":1}", &o);
    assert_int_equal((int)num(o.accepted, "version"), 2);
    tl_shadow_svc_free(&o);
    update_fails(st, "{\"state\":{\"reported\":{\"a\":3}},\"version\":1}", 409, "Version conflict");
    expect_at(st, "state.reported.a", "2");
    free(st);
}

static void test_invalid_versions(void **s)
{
    (void)s;
    update_fails(NULL, "{\"state\":{\"reported\":{}},\"version\":\"1\"}", 400, "Invalid version");
    update_fails(NULL, "{\"state\":{\"reported\":{}},\"version\":-1}", 400, "Invalid version");
    update_fails(NULL, "{\"state\":{\"reported\":{}},\"version\":1.5}", 400, "Invalid version");
}

static void test_client_token_rules(void **s)
{
    char req[256], tok[80];
    tl_shadow_update_out o;
    char *st = NULL;
    (void)s;
    memset(tok, 'k', 64);
    tok[64] = '\0';
    snprintf(req, sizeof req, "{\"state\":{\"reported\":{\"a\":1}},\"clientToken\":\"%s\"}", tok);
    update_ok(&st, req, &o);   /* 64 bytes: fine */
    expect_at(o.accepted, "clientToken", (snprintf(req, sizeof req, "\"%s\"", tok), req));
    expect_at(o.documents, "clientToken", req);
    tl_shadow_svc_free(&o);
    update_fails(st, "{\"state\":{},\"clientToken\":\"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\"}",
                 400, "Invalid clientToken");
    update_fails(st, "{\"state\":{},\"clientToken\":5}", 400, "Invalid clientToken");
    free(st);
}

static void test_state_node_rules(void **s)
{
    (void)s;
    update_fails(NULL, "{\"desired\":{\"a\":1}}", 400, "Missing required node: state");
    update_fails(NULL, "{\"state\":5}", 400, "State node must be an object");
    update_fails(NULL, "{\"state\":{\"desired\":[1]}}", 400, "Desired node must be an object");
    update_fails(NULL, "{\"state\":{\"reported\":\"x\"}}", 400, "Reported node must be an object");
    update_fails(NULL, "{\"state\":{\"delta\":{}}}", 400, "State contains an invalid node");
}

static void test_nesting_limit_is_6(void **s)
{
    char *st = NULL;
    tl_shadow_update_out o;
    (void)s;
    update_ok(&st, "{\"state\":{\"desired\":{\"1\":{\"2\":{\"3\":{\"4\":{\"5\":{\"6\":1}}}}}}}}", &o);
    tl_shadow_svc_free(&o);
    update_fails(NULL, "{\"state\":{\"desired\":{\"1\":{\"2\":{\"3\":{\"4\":{\"5\":{\"6\":{\"7\":1}}}}}}}}}",
                 400, "JSON contains too many levels of nesting; maximum is 6");
    free(st);
}

static void test_state_over_8k_is_413_and_not_stored(void **s)
{
    char *req = malloc(10000), *st = NULL;
    tl_shadow_update_out o;
    (void)s;
    update_ok(&st, "{\"state\":{\"reported\":{\"a\":1}}}", &o);
    tl_shadow_svc_free(&o);
    strcpy(req, "{\"state\":{\"reported\":{\"big\":\"");
    memset(req + strlen(req), 'x', 8200);
    strcpy(req + strlen("{\"state\":{\"reported\":{\"big\":\"") + 8200, "\"}}}");
    update_fails(st, req, 413, "The payload exceeds the maximum size allowed");
    expect_at(st, "state.reported", "{\"a\":1}");
    free(req);
    free(st);
}

static void test_bad_json_and_encoding(void **s)
{
    (void)s;
    update_fails(NULL, "{\"state\":", 400, "Invalid JSON");
    update_fails(NULL, "{\"state\":{}} trailing", 400, "Invalid JSON");
    update_fails(NULL, "[1,2]", 400, "Invalid JSON");
    update_fails(NULL, "{\"state\":{\"reported\":{\"a\":\"\xff\"}}}", 415,
                 "Unsupported documented encoding; supported encoding is UTF-8");
}

static void test_documents_have_previous_and_current(void **s)
{
    char *st = NULL;
    tl_shadow_update_out o;
    (void)s;
    update_ok(&st, "{\"state\":{\"reported\":{\"a\":1}}}", &o);
    expect_at(o.documents, "previous", "null");
    expect_at(o.documents, "current.state.reported.a", "1");
    assert_int_equal((int)num(o.documents, "current.version"), 1);
    tl_shadow_svc_free(&o);
    update_ok(&st, "{\"state\":{\"reported\":{\"a\":2}}}", &o);
    expect_at(o.documents, "previous.state.reported.a", "1");
    assert_int_equal((int)num(o.documents, "previous.version"), 1);
    expect_at(o.documents, "current.state.reported.a", "2");
    assert_int_equal((int)num(o.documents, "current.version"), 2);
    tl_shadow_svc_free(&o);
    free(st);
}

static void test_field_named_timestamp(void **s)
{
    char *st = NULL;
    tl_shadow_update_out o;
    (void)s;
    update_ok(&st, "{\"state\":{\"reported\":{\"x\":{\"timestamp\":5,\"v\":1}}}}", &o);
    tl_shadow_svc_free(&o);
    update_ok(&st, "{\"state\":{\"reported\":{\"x\":{\"v\":2}}}}", &o);
    expect_at(st, "state.reported.x", "{\"timestamp\":5,\"v\":2}");
    assert_true(has(st, "metadata.reported.x.timestamp.timestamp"));
    tl_shadow_svc_free(&o);
    free(st);
}

static void test_rejected_update_echoes_token_in_error_doc(void **s)
{
    tl_shadow_update_out o;
    tl_shadow_error err;
    char *edoc = NULL;
    const char *req = "{\"state\":7,\"clientToken\":\"abc\"}";
    (void)s;
    assert_int_equal(tl_shadow_svc_update(NULL, req, strlen(req), NOW, &o, &err, &edoc), -1);
    expect_at(edoc, "clientToken", "\"abc\"");
    expect_at(edoc, "message", "\"State node must be an object\"");
    free(edoc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_update_creates_version_1),
        cmocka_unit_test(test_updates_merge_and_count_versions),
        cmocka_unit_test(test_null_deletes_a_key_and_its_metadata),
        cmocka_unit_test(test_null_section_deletes_the_section),
        cmocka_unit_test(test_section_emptied_by_nulls_disappears),
        cmocka_unit_test(test_nested_objects_merge),
        cmocka_unit_test(test_arrays_replace_whole_with_per_element_metadata),
        cmocka_unit_test(test_delta_published_for_differing_desired),
        cmocka_unit_test(test_no_delta_when_in_sync),
        cmocka_unit_test(test_delta_limited_to_fields_of_the_request),
        cmocka_unit_test(test_nested_delta),
        cmocka_unit_test(test_get_returns_state_delta_metadata_version),
        cmocka_unit_test(test_get_and_delete_of_missing_shadow_are_404),
        cmocka_unit_test(test_delete_reports_the_version),
        cmocka_unit_test(test_optimistic_locking),
        cmocka_unit_test(test_invalid_versions),
        cmocka_unit_test(test_client_token_rules),
        cmocka_unit_test(test_state_node_rules),
        cmocka_unit_test(test_nesting_limit_is_6),
        cmocka_unit_test(test_state_over_8k_is_413_and_not_stored),
        cmocka_unit_test(test_bad_json_and_encoding),
        cmocka_unit_test(test_documents_have_previous_and_current),
        cmocka_unit_test(test_field_named_timestamp),
        cmocka_unit_test(test_rejected_update_echoes_token_in_error_doc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
