/*
 * The config and JSON modules as `make size` builds them for a device
 * (TL_CONFIG_MESSAGES=0, TL_JSON_MESSAGES=0, TL_CONFIG_DESCRIPTIONS=0): the
 * same checks refuse the same bad input, with the status, key, line and
 * column still right; only the sentences are gone.
 */
#include <cmocka.h>

#include "config/tl_config.h"
#include "json/tl_json.h"

#if TL_CONFIG_MESSAGES || TL_JSON_MESSAGES || TL_CONFIG_DESCRIPTIONS
#error "build this test with the device options off"
#endif

static tl_config_status load(tl_config *c, const char *doc, tl_config_error *e)
{
    return tl_config_load_json(c, doc, strlen(doc), TL_CFG_LAYER_FILE, e);
}

static void test_good_document(void **state)
{
    tl_config c;
    tl_config_error e;
    (void)state;
    tl_config_init(&c);
    assert_int_equal(load(&c, "{\"mqtt\": {\"keep_alive\": 300, \"server\": \"h:8883\"},"
                              " \"aws\": {\"thing_name\": \"t\\u00e9\"}}", &e), TL_CONFIG_OK);
    assert_int_equal(tl_config_int(&c, TL_CFG_MQTT_KEEP_ALIVE), 300);
    assert_string_equal(tl_config_str(&c, TL_CFG_MQTT_SERVER), "h:8883");
    assert_string_equal(tl_config_str(&c, TL_CFG_AWS_THING_NAME), "t\xc3\xa9");
}

static void test_errors_keep_status_and_position(void **state)
{
    static const struct {
        const char *doc;
        tl_config_status st;
        const char *key;
        unsigned line, col;
    } cases[] = {
        { "{\"mqtt\": {\"keep_alive\": 5}}", TL_CONFIG_ERR_RANGE, "mqtt.keep_alive", 1, 25 },
        { "{\"mqtt\":\n {\"keepalive\": 60}}", TL_CONFIG_ERR_UNKNOWN_KEY, "mqtt.keepalive", 2, 3 },
        { "{\"mqtt\": {\"keep_alive\": \"60\"}}", TL_CONFIG_ERR_TYPE, "mqtt.keep_alive", 1, 25 },
        { "{\"mqtt\": {\"keep_alive\": 60,}}", TL_CONFIG_ERR_SYNTAX, "", 1, 28 },
        { "{\"mqtt\": {\"keep_alive\": 6.5}}", TL_CONFIG_ERR_TYPE, "mqtt.keep_alive", 1, 25 },
        { "{\"device\": {\"id\": \"a\", \"id\": \"b\"}}", TL_CONFIG_ERR_DUPLICATE, "device.id", 1, 24 },
        { "{\"device\": {\"id\": \"a\\u0000\"}}", TL_CONFIG_ERR_ENCODING, "device.id", 1, 19 },
        { "[1]", TL_CONFIG_ERR_TYPE, "", 1, 1 },
        { "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":1}}}}}", TL_CONFIG_ERR_TOO_BIG, "", 1, 21 },
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tl_config c;
        tl_config_error e;
        tl_config_init(&c);
        printf("    case %u: %s\n", (unsigned)i, cases[i].doc);
        assert_int_equal(load(&c, cases[i].doc, &e), cases[i].st);
        assert_int_equal(e.status, cases[i].st);
        assert_string_equal(e.key, cases[i].key);
        assert_int_equal(e.line, cases[i].line);
        assert_int_equal(e.column, cases[i].col);
        assert_string_equal(e.message, "");
        /* Nothing was applied. */
        assert_int_equal(tl_config_int(&c, TL_CFG_MQTT_KEEP_ALIVE), 60);
    }
}

static void test_json_check_offsets(void **state)
{
    tl_json_error e;
    (void)state;
    assert_int_equal(tl_json_check("{\"a\": 01}", 9, 4, &e), TL_JSON_ERR_SYNTAX);
    assert_int_equal(e.offset, 7);
    assert_string_equal(e.what, "");
    assert_int_equal(tl_json_check("{\"a\": \"x", 8, 4, &e), TL_JSON_ERR_TRUNCATED);
    assert_int_equal(tl_json_check("[\"\xff\"]", 5, 4, &e), TL_JSON_ERR_UTF8);
    assert_int_equal(tl_json_check("[[[[[1]]]]]", 11, 4, &e), TL_JSON_ERR_DEPTH);
    assert_int_equal(tl_json_check("{\"a\": [1, 2e5, true]}", 21, 4, &e), TL_JSON_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_document),
        cmocka_unit_test(test_errors_keep_status_and_position),
        cmocka_unit_test(test_json_check_offsets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
