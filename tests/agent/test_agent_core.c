/* tl_agent: desired settings applied, reported state, telemetry schedule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "agent/tl_agent.h"

static tl_shadow_span span(const char *s)
{
    tl_shadow_span sp = { s, strlen(s) };
    return sp;
}

static void test_apply(void **state)
{
    tl_agent a;
    char note[128], rep[64];
    (void)state;
    tl_agent_init(&a, 10000, 7, 1000);
    assert_int_equal(a.report_due, 1);
    a.report_due = 0;
    assert_int_equal(tl_agent_apply(&a, span("{\"led\":\"on\",\"interval\":3}"), note, sizeof note),
                     TL_AGENT_CHANGED_LED | TL_AGENT_CHANGED_INTERVAL);
    assert_string_equal(note, "");
    assert_int_equal(a.interval_ms, 3000);
    assert_int_equal(a.led, 1);
    assert_int_equal(a.report_due, 1);
    assert_int_equal(tl_agent_reported(&a, rep, sizeof rep), strlen("{\"interval\":3,\"led\":\"on\"}"));
    assert_string_equal(rep, "{\"interval\":3,\"led\":\"on\"}");
    /* Booleans for the LED, nothing changed when equal. */
    assert_int_equal(tl_agent_apply(&a, span("{\"led\":false}"), note, sizeof note), TL_AGENT_CHANGED_LED);
    assert_int_equal(a.led, 0);
    assert_int_equal(tl_agent_apply(&a, span("{\"led\":\"off\"}"), note, sizeof note), 0);
    /* Bad values are kept out and said. */
    assert_int_equal(tl_agent_apply(&a, span("{\"interval\":0,\"led\":\"blue\"}"), note, sizeof note), 0);
    assert_string_equal(note, "interval must be an integer 1..86400 seconds: kept; "
                              "led must be \"on\" or \"off\": kept");
    assert_int_equal(tl_agent_apply(&a, span("{\"interval\":1.5}"), note, sizeof note), 0);
    assert_int_equal(tl_agent_apply(&a, span("{\"interval\":86401}"), note, sizeof note), 0);
    assert_int_equal(a.interval_ms, 3000);
    /* Not an object at all. */
    assert_int_equal(tl_agent_apply(&a, span("[1,2]"), note, sizeof note), -1);
    assert_int_equal(tl_agent_apply(&a, span("{\"led\":"), note, sizeof note), -1);
    /* Too small a buffer: 0, never a cut document. */
    assert_int_equal(tl_agent_reported(&a, rep, 10), 0);
}

static void test_schedule(void **state)
{
    tl_agent a;
    char buf[128];
    (void)state;
    /* Start right before the 32-bit millisecond clock wraps. */
    tl_agent_init(&a, 2000, 42, 0xFFFFF000u);
    assert_true(tl_agent_due(&a, 0xFFFFF000u));
    assert_true(tl_agent_telemetry(&a, 0xFFFFF000u, buf, sizeof buf) > 0);
    assert_string_equal(buf, "{\"boot\":42,\"seq\":1,\"uptime_s\":0,\"led\":\"off\",\"interval\":2}");
    assert_false(tl_agent_due(&a, 0xFFFFF000u + 1999u));
    assert_true(tl_agent_due(&a, 0xFFFFF000u + 2000u));          /* across the wrap */
    assert_true(tl_agent_telemetry(&a, 0xFFFFF000u + 2000u, buf, sizeof buf) > 0);
    assert_int_equal(a.seq, 2);
    /* A long stall: one message, then one interval from now (no burst). */
    assert_true(tl_agent_telemetry(&a, 100000u, buf, sizeof buf) > 0);
    assert_false(tl_agent_due(&a, 100001u));
    assert_true(tl_agent_due(&a, 102000u));
    /* A buffer too small: nothing built, nothing scheduled. */
    assert_int_equal(tl_agent_telemetry(&a, 102000u, buf, 8), 0);
    assert_int_equal(a.seq, 3);
    /* The interval shortens: the next message comes sooner. */
    {
        char note[64];
        tl_agent_init(&a, 60000, 1, 0);
        tl_agent_telemetry(&a, 0, buf, sizeof buf);
        assert_false(tl_agent_due(&a, 5000));
        tl_agent_apply(&a, span("{\"interval\":5}"), note, sizeof note);
        assert_true(tl_agent_due(&a, 5000));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apply),
        cmocka_unit_test(test_schedule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
