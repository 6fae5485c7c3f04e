/* The runner behind include/cmocka.h: one line per test, failures counted. */
#include <stdarg.h>

#include "cmocka.h"
#include "tl_qemu_board.h"

jmp_buf tl_mc_jump;
static int tl_mc_skipped;

void tl_mc_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    printf("    %s:%d: ", file, line);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    longjmp(tl_mc_jump, 1);
}

void tl_mc_skip(const char *file, int line)
{
    printf("    %s:%d: skipped\n", file, line);
    tl_mc_skipped = 1;
    longjmp(tl_mc_jump, 1);
}

/* QEMU's -append "-NAME ..." leaves out the named tests (ones too slow for
 * an emulated CPU); each is reported, so the omission stays visible. */
static int excluded(const char *cmdline, const char *name)
{
    const char *p = cmdline;
    size_t n = strlen(name);
    while ((p = strstr(p, name)) != NULL) {
        if (p > cmdline && p[-1] == '-' && (p[n] == ' ' || p[n] == '\0'))
            return 1;
        p += n;
    }
    return 0;
}

int tl_mc_run(const char *group, const struct CMUnitTest *t, size_t n,
              CMFixtureFunction setup, CMFixtureFunction teardown)
{
    size_t i;
    volatile size_t failed = 0, skipped = 0;   /* live across longjmp */
    volatile size_t excluded_n = 0;
    void *gstate = NULL;
    static char cmdline[256];
    const char *base = strrchr(group, '/');
    base = base ? base + 1 : group;
    if (tl_port_semihost_cmdline(cmdline, sizeof cmdline) != 0)
        cmdline[0] = '\0';
    printf("[==========] %s: %u test(s)\n", base, (unsigned)n);
    if (setup && setup(&gstate) != 0) {
        printf("[  FAILED  ] group setup\n");
        return (int)n;
    }
    for (i = 0; i < n; i++) {
        void *state = t[i].initial_state ? t[i].initial_state : gstate;
        tl_mc_skipped = 0;
        if (excluded(cmdline, t[i].name)) {
            printf("[ EXCLUDED ] %s (not run on this target)\n", t[i].name);
            excluded_n++;
            continue;
        }
        if (setjmp(tl_mc_jump) == 0) {
            if (t[i].setup_func && t[i].setup_func(&state) != 0)
                tl_mc_fail(group, 0, "setup failed");
            t[i].test_func(&state);
            if (t[i].teardown_func)
                t[i].teardown_func(&state);
            printf("[       OK ] %s\n", t[i].name);
        } else if (tl_mc_skipped) {
            /* A skip is not a pass: the QEMU run counts it as a failure. */
            skipped++;
            printf("[  SKIPPED ] %s\n", t[i].name);
        } else {
            failed++;
            printf("[  FAILED  ] %s\n", t[i].name);
        }
    }
    if (teardown)
        teardown(&gstate);
    printf("[==========] %s: %u passed, %u failed, %u skipped, %u excluded\n", base,
           (unsigned)(n - failed - skipped - excluded_n), (unsigned)failed,
           (unsigned)skipped, (unsigned)excluded_n);
    return (int)(failed + skipped);
}
