/* tl_mqtt_status_name() and tl_mqtt_status_message() as a small device
 * build compiles them (TL_MQTT_STATUS_TEXT 0, set for this program by
 * CMakeLists.txt): no names or sentences, every status still its own text,
 * its number, so a log line names it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mqtt/tl_mqtt.h"

#if TL_MQTT_STATUS_TEXT
#error "this test is built with TL_MQTT_STATUS_TEXT 0"
#endif

static void test_each_status_is_its_number(void **state)
{
    char want[8];
    int st;
    (void)state;
    for (st = TL_MQTT_OK; st < TL_MQTT__STATUS_COUNT; st++) {
        snprintf(want, sizeof want, "#%d", st);
        assert_string_equal(tl_mqtt_status_name((tl_mqtt_status)st), want);
        assert_string_equal(tl_mqtt_status_message((tl_mqtt_status)st), want);
    }
    assert_string_equal(tl_mqtt_status_name(TL_MQTT_ERR_QOS), "#22");
    assert_string_equal(tl_mqtt_status_message(TL_MQTT_ERR_DECODER_FAILED), "#37");
    assert_string_equal(tl_mqtt_status_name(TL_MQTT_SKIPPED), "#38");
    assert_string_equal(tl_mqtt_status_name(TL_MQTT__STATUS_COUNT), "#?");
    assert_string_equal(tl_mqtt_status_message((tl_mqtt_status)-1), "#?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_status_is_its_number),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
