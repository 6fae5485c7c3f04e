/*
 * The part of cmocka's API that the device-core unit tests use, without
 * cmocka: the same test sources then build for a Cortex-M3 and an lx106
 * under QEMU (tests/qemu). Each failed assertion prints file, line and
 * values and abandons the test (longjmp); cmocka_run_group_tests() runs
 * every test, prints one line each and returns the number that failed.
 */
#ifndef TL_MINI_CMOCKA_H
#define TL_MINI_CMOCKA_H

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef void (*CMUnitTestFunction)(void **state);
typedef int (*CMFixtureFunction)(void **state);

struct CMUnitTest {
    const char *name;
    CMUnitTestFunction test_func;
    CMFixtureFunction setup_func;
    CMFixtureFunction teardown_func;
    void *initial_state;
};

#define cmocka_unit_test(f) { #f, f, NULL, NULL, NULL }
#define cmocka_unit_test_setup_teardown(f, s, t) { #f, f, s, t, NULL }
#define cmocka_unit_test_setup(f, s) { #f, f, s, NULL, NULL }
#define cmocka_unit_test_teardown(f, t) { #f, f, NULL, t, NULL }
#define cmocka_unit_test_prestate(f, p) { #f, f, NULL, NULL, p }

/* One failure context for the whole (single-threaded) test program. */
extern jmp_buf tl_mc_jump;
void tl_mc_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));
void tl_mc_skip(const char *file, int line) __attribute__((noreturn));
int tl_mc_run(const char *group, const struct CMUnitTest *t, size_t n,
              CMFixtureFunction setup, CMFixtureFunction teardown);

#define cmocka_run_group_tests(tests, setup, teardown) \
    tl_mc_run(__FILE__, tests, sizeof(tests) / sizeof((tests)[0]), setup, teardown)

#define tl_mc_int2(a, b, op, txt) do { \
        intmax_t tl_a_ = (intmax_t)(a), tl_b_ = (intmax_t)(b); \
        if (!(tl_a_ op tl_b_)) \
            tl_mc_fail(__FILE__, __LINE__, "%jd " txt " %jd", tl_a_, tl_b_); \
    } while (0)
#define assert_int_equal(a, b) tl_mc_int2(a, b, ==, "!=")
#define assert_int_not_equal(a, b) tl_mc_int2(a, b, !=, "==")
#define assert_in_range(v, lo, hi) do { tl_mc_int2(v, lo, >=, "<"); tl_mc_int2(v, hi, <=, ">"); } while (0)
#define assert_true(c) do { if (!(c)) tl_mc_fail(__FILE__, __LINE__, "%s", #c); } while (0)
#define assert_false(c) do { if (c) tl_mc_fail(__FILE__, __LINE__, "!(%s)", #c); } while (0)
#define assert_null(p) do { if ((p) != NULL) tl_mc_fail(__FILE__, __LINE__, "%s is not NULL", #p); } while (0)
#define assert_non_null(p) do { if ((p) == NULL) tl_mc_fail(__FILE__, __LINE__, "%s is NULL", #p); } while (0)
#define assert_ptr_equal(a, b) do { if ((const void *)(a) != (const void *)(b)) \
        tl_mc_fail(__FILE__, __LINE__, "%s != %s", #a, #b); } while (0)
#define assert_ptr_not_equal(a, b) do { if ((const void *)(a) == (const void *)(b)) \
        tl_mc_fail(__FILE__, __LINE__, "%s == %s", #a, #b); } while (0)
#define assert_string_equal(a, b) do { const char *tl_a_ = (a), *tl_b_ = (b); \
        if (strcmp(tl_a_, tl_b_) != 0) \
            tl_mc_fail(__FILE__, __LINE__, "\"%s\" != \"%s\"", tl_a_, tl_b_); } while (0)
#define assert_string_not_equal(a, b) do { if (strcmp((a), (b)) == 0) \
        tl_mc_fail(__FILE__, __LINE__, "%s == %s", #a, #b); } while (0)
#define assert_memory_equal(a, b, n) do { if (memcmp((a), (b), (n)) != 0) \
        tl_mc_fail(__FILE__, __LINE__, "%s and %s differ", #a, #b); } while (0)
#define assert_memory_not_equal(a, b, n) do { if (memcmp((a), (b), (n)) == 0) \
        tl_mc_fail(__FILE__, __LINE__, "%s and %s are equal", #a, #b); } while (0)
#define fail() tl_mc_fail(__FILE__, __LINE__, "fail()")
#define fail_msg(...) tl_mc_fail(__FILE__, __LINE__, __VA_ARGS__)
#define skip() tl_mc_skip(__FILE__, __LINE__)
#define print_message(...) printf(__VA_ARGS__)
#define print_error(...) printf(__VA_ARGS__)

#endif
