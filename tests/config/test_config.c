/* tl_config: schema, layers, validation errors, JSON round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "config/tl_config.h"

static tl_config_status load(tl_config *c, const char *doc, tl_config_error *e)
{
    return tl_config_load_json(c, doc, strlen(doc), TL_CFG_LAYER_FILE, e);
}

static void test_defaults_are_valid(void **state)
{
    tl_config c;
    size_t k;
    (void)state;
    tl_config_init(&c);
    for (k = 0; k < tl_config_key_count(); k++) {
        const tl_config_schema_entry *e = tl_config_schema((tl_config_key)k);
        tl_config_error err;
        if (tl_config_set(&c, e->name, e->def, TL_CFG_LAYER_DEFAULT, &err) != TL_CONFIG_OK)
            fail_msg("default of %s is invalid: %s", e->name, err.message);
        assert_non_null(e->desc);
        assert_true(strlen(e->desc) > 10);
    }
    assert_int_equal(tl_config_int(&c, TL_CFG_MQTT_KEEP_ALIVE), 60);
    assert_string_equal(tl_config_str(&c, TL_CFG_MQTT_SSL_KEY), "chip:0");
    assert_int_equal(tl_config_layer_of(&c, TL_CFG_MQTT_KEEP_ALIVE), TL_CFG_LAYER_DEFAULT);
}

static void test_layers(void **state)
{
    tl_config c;
    tl_config_error e;
    (void)state;
    tl_config_init(&c);
    assert_int_equal(load(&c, "{\"mqtt\": {\"keep_alive\": 120, \"server\": \"h:8883\"}}", &e),
                     TL_CONFIG_OK);
    assert_int_equal(tl_config_int(&c, TL_CFG_MQTT_KEEP_ALIVE), 120);
    assert_int_equal(tl_config_layer_of(&c, TL_CFG_MQTT_KEEP_ALIVE), TL_CFG_LAYER_FILE);
    assert_int_equal(tl_config_set_assignment(&c, "mqtt.keep_alive=300", TL_CFG_LAYER_OVERRIDE, &e),
                     TL_CONFIG_OK);
    assert_int_equal(tl_config_int(&c, TL_CFG_MQTT_KEEP_ALIVE), 300);
    assert_int_equal(tl_config_layer_of(&c, TL_CFG_MQTT_KEEP_ALIVE), TL_CFG_LAYER_OVERRIDE);
    assert_string_equal(tl_config_str(&c, TL_CFG_MQTT_SERVER), "h:8883");
    /* Dotted names mean the same as nesting. */
    assert_int_equal(load(&c, "{\"mqtt.clean_session\": true}", &e), TL_CONFIG_OK);
    assert_true(tl_config_bool(&c, TL_CFG_MQTT_CLEAN_SESSION));
}

typedef struct {
    const char *doc;
    tl_config_status st;
    unsigned line, col;
    const char *key;
    const char *message;
} bad_doc;

static void test_bad_documents(void **state)
{
    static const bad_doc bad[] = {
        { "{\n  \"mqtt\": {\"keep_alive\": \"60\"}\n}", TL_CONFIG_ERR_TYPE, 2, 26,
          "mqtt.keep_alive", "expected an integer, got a string" },
        { "{\"mqtt\": {\"keepalive\": 60}}", TL_CONFIG_ERR_UNKNOWN_KEY, 1, 11,
          "mqtt.keepalive", "unknown key (did you mean mqtt.keep_alive?)" },
        { "{\"mqtt\": {\"keep_alive\": 5}}", TL_CONFIG_ERR_RANGE, 1, 25,
          "mqtt.keep_alive", "value out of range (allowed: 30..1200)" },
        { "{\"mqtt\": {\"keep_alive\": 99999999999999999999}}", TL_CONFIG_ERR_RANGE, 1, 25,
          "mqtt.keep_alive", "value out of range (allowed: 30..1200)" },
        { "{\"mqtt\": {\"keep_alive\": 60.5}}", TL_CONFIG_ERR_TYPE, 1, 25, "mqtt.keep_alive",
          "expected an integer, got a number with a fraction or exponent" },
        { "{\"aws\": {\"region\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}}",
          TL_CONFIG_ERR_TOO_LONG, 1, 20, "aws.region", "string too long (at most 32 bytes)" },
        { "{\"mqtt\": {\"server\": 1883}}", TL_CONFIG_ERR_TYPE, 1, 21, "mqtt.server",
          "expected a string, got a number" },
        { "{\"mqtt\": {\"clean_session\": \"yes\"}}", TL_CONFIG_ERR_TYPE, 1, 28,
          "mqtt.clean_session", "expected a boolean (true or false), got a string" },
        { "{\"mqtt\": {\"server\": null}}", TL_CONFIG_ERR_TYPE, 1, 21, "mqtt.server",
          "null is not a value (remove the key to use the default)" },
        { "{\"mqtt\": {\"server\": [\"a\"]}}", TL_CONFIG_ERR_TYPE, 1, 21, "mqtt.server",
          "arrays are not allowed here" },
        { "{\n\"mqtt\": {\n\"server\": \"a\",\n}}", TL_CONFIG_ERR_SYNTAX, 4, 1, "",
          "malformed JSON: expected a quoted member name" },
        { "{\"mqtt\": {\"server\": \"a\"}", TL_CONFIG_ERR_SYNTAX, 1, 25, "",
          "malformed JSON: document ends inside an object" },
        { "[1]", TL_CONFIG_ERR_TYPE, 1, 1, "", "a config document must be a JSON object" },
        { "{\"mqtt\": {\"server\": \"a\"}, \"mqtt.server\": \"b\"}", TL_CONFIG_ERR_DUPLICATE, 1, 27,
          "mqtt.server", "key appears twice in the document" },
        { "{\"device\": {\"id\": \"a\\u0000b\"}}", TL_CONFIG_ERR_ENCODING, 1, 19, "device.id",
          "string contains a NUL character" },
        { "{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}", TL_CONFIG_ERR_TOO_BIG, 1, 21, "",
          "malformed JSON: nesting too deep" },
    };
    size_t i, failures = 0;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tl_config c, before;
        tl_config_error e;
        tl_config_status st;
        tl_config_init(&c);
        before = c;
        st = load(&c, bad[i].doc, &e);
        if (st != bad[i].st || e.line != bad[i].line || e.column != bad[i].col ||
            strcmp(e.key, bad[i].key) != 0 || strcmp(e.message, bad[i].message) != 0)
        {
            print_message("case %zu: got %d at %u:%u key '%s' msg '%s'\n", i, st, e.line,
                          e.column, e.key, e.message);
            failures++;
        }
        assert_memory_equal(&c, &before, sizeof c);
    }
    assert_int_equal(failures, 0);
}

static void test_all_or_nothing(void **state)
{
    tl_config c, before;
    tl_config_error e;
    (void)state;
    tl_config_init(&c);
    before = c;
    /* The first key is fine, the second is not: neither may be applied. */
    assert_int_equal(load(&c, "{\"mqtt\": {\"server\": \"x:1\", \"keep_alive\": 1}}", &e),
                     TL_CONFIG_ERR_RANGE);
    assert_memory_equal(&c, &before, sizeof c);
}

static void test_too_many_tokens(void **state)
{
    char doc[4096];
    size_t i, n = 0;
    tl_config c;
    tl_config_error e;
    (void)state;
    tl_config_init(&c);
    n += (size_t)sprintf(doc + n, "{\"x\": {");
    for (i = 0; i < 100; i++)
        n += (size_t)sprintf(doc + n, "%s\"k%zu\": 1", i ? "," : "", i);
    sprintf(doc + n, "}}");
    assert_int_equal(load(&c, doc, &e), TL_CONFIG_ERR_TOO_BIG);
    assert_string_equal(e.message, "document has too many values for this device");
}

static void test_set_errors(void **state)
{
    tl_config c;
    tl_config_error e;
    (void)state;
    tl_config_init(&c);
    assert_int_equal(tl_config_set_assignment(&c, "mqtt.keep_alive", TL_CFG_LAYER_FILE, &e),
                     TL_CONFIG_ERR_SYNTAX);
    assert_string_equal(e.message, "expected KEY=VALUE");
    assert_int_equal(tl_config_set(&c, "mqtt.keep_alive", "abc", TL_CFG_LAYER_FILE, &e),
                     TL_CONFIG_ERR_TYPE);
    assert_string_equal(e.message, "expected an integer");
    assert_int_equal(tl_config_set(&c, "mqtt.keep_alive", "60x", TL_CFG_LAYER_FILE, &e),
                     TL_CONFIG_ERR_TYPE);
    assert_int_equal(tl_config_set(&c, "mqtt.keep_alive", "1201", TL_CFG_LAYER_FILE, &e),
                     TL_CONFIG_ERR_RANGE);
    assert_int_equal(tl_config_set(&c, "mqtt.clean_session", "maybe", TL_CFG_LAYER_FILE, &e),
                     TL_CONFIG_ERR_TYPE);
    assert_int_equal(tl_config_set(&c, "mqtt.client_ID", "x", TL_CFG_LAYER_FILE, &e),
                     TL_CONFIG_ERR_UNKNOWN_KEY);
    assert_string_equal(e.message, "unknown key (did you mean mqtt.client_id?)");
    assert_int_equal(tl_config_set(&c, "totally.unrelated", "x", TL_CFG_LAYER_FILE, &e),
                     TL_CONFIG_ERR_UNKNOWN_KEY);
    assert_string_equal(e.message, "unknown key");
    assert_int_equal(tl_config_set(&c, "device.id", "\xff", TL_CFG_LAYER_FILE, &e),
                     TL_CONFIG_ERR_ENCODING);
    assert_int_equal(tl_config_int(&c, TL_CFG_MQTT_KEEP_ALIVE), 60);
}

static void test_write_round_trip(void **state)
{
    tl_config a, b;
    tl_config_error e;
    char out[4096];
    long n;
    (void)state;
    tl_config_init(&a);
    assert_int_equal(tl_config_set(&a, "mqtt.server", "host:8883", TL_CFG_LAYER_FILE, &e), 0);
    assert_int_equal(tl_config_set(&a, "mqtt.keep_alive", "90", TL_CFG_LAYER_FILE, &e), 0);
    assert_int_equal(tl_config_set(&a, "device.id", "quote\" back\\ nl\n \xc3\xa9", TL_CFG_LAYER_FILE, &e), 0);
    assert_int_equal(tl_config_set(&a, "mqtt.clean_session", "true", TL_CFG_LAYER_FILE, &e), 0);
    n = tl_config_write_json(&a, TL_CFG_LAYER_FILE, out, sizeof out);
    assert_true(n > 0);
    assert_string_equal(out,
        "{\n  \"device\": {\n    \"id\": \"quote\\\" back\\\\ nl\\n \xc3\xa9\"\n  },\n"
        "  \"mqtt\": {\n    \"server\": \"host:8883\",\n    \"keep_alive\": 90,\n"
        "    \"clean_session\": true\n  }\n}\n");
    tl_config_init(&b);
    assert_int_equal(tl_config_load_json(&b, out, (size_t)n, TL_CFG_LAYER_FILE, &e), TL_CONFIG_OK);
    assert_memory_equal(&a, &b, sizeof a);
    /* Too small a buffer is an error, not a truncated document. */
    assert_int_equal(tl_config_write_json(&a, TL_CFG_LAYER_FILE, out, 40), -1);
    /* Nothing set: an empty object. */
    tl_config_init(&b);
    assert_int_equal(tl_config_write_json(&b, TL_CFG_LAYER_FILE, out, sizeof out), 3);
    assert_string_equal(out, "{}\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_are_valid),
        cmocka_unit_test(test_layers),
        cmocka_unit_test(test_bad_documents),
        cmocka_unit_test(test_all_or_nothing),
        cmocka_unit_test(test_too_many_tokens),
        cmocka_unit_test(test_set_errors),
        cmocka_unit_test(test_write_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
