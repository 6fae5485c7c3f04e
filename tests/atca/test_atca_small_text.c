/* tl_atca_status_text() as a small device build compiles it
 * (TL_ATCA_STATUS_TEXT 0, set for this program by CMakeLists.txt): every
 * status still gets its own text, its number, so a log line names it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "atca/tl_atca.h"

#if TL_ATCA_STATUS_TEXT
#error "this test is built with TL_ATCA_STATUS_TEXT 0"
#endif

static void test_each_status_is_its_number(void **state)
{
    char want[8];
    int st;
    (void)state;
    for (st = TL_ATCA_OK; st <= TL_ATCA_ERR_CONFIG_MISMATCH; st++) {
        snprintf(want, sizeof want, "#%d", st);
        assert_string_equal(tl_atca_status_text((tl_atca_status)st), want);
    }
    assert_string_equal(tl_atca_status_text(TL_ATCA_ERR_EXEC), "#6");
    assert_string_equal(tl_atca_status_text((tl_atca_status)(TL_ATCA_ERR_CONFIG_MISMATCH + 1)),
                        "#?");
    assert_string_equal(tl_atca_status_text((tl_atca_status)-1), "#?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_status_is_its_number),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
