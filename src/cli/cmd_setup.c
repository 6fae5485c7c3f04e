/* trustlink aws-iot-setup: one command from a blank chip to a device AWS IoT
 * knows. The steps live in setup_chip.c, setup_soft.c, setup_cloud.c and
 * setup_config.c; this file holds the options, the plan, the question and
 * the step runner. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "setup.h"

static const tl_cli_opt opts[] = {
    CHIP_COMMON_OPTS,
    { "endpoint-url", 0, "URL", "AWS IoT control plane (default: $AWS_ENDPOINT_URL, else "
      "https://iot.REGION.amazonaws.com)" },
    { "aws-region", 0, "R", "region (default: $AWS_REGION, else the profile's)" },
    { "profile", 0, "NAME", "credentials profile in ~/.aws (default: $AWS_PROFILE)" },
    { "thing", 0, "NAME", "thing name = client id = CSR CN (default: aws.thing_name, else "
      "trustlink-<chip serial>)" },
    { "policy", 0, "NAME", "IoT policy to create or reuse (default: <thing>-policy)" },
    { "slot", 0, "N", "key slot (default 0)" },
    { "cert-slot", 0, "N", "also store the certificate in the chip from data slot N on "
      "(8: slots 8-15 hold 920 bytes); mqtt.ssl_cert=chip:N then reads it" },
    { "ca-file", 0, "FILE", "server CA for the device (default: $AWS_CA_BUNDLE, else "
      "Amazon Root CA 1 + 3)" },
    { "out-dir", 0, "DIR", "where the certificate goes (default: the config file's "
      "directory)" },
    { "dry-run", 'n', NULL, "detect the chip, print the plan, change nothing" },
    { "yes", 'y', NULL, "do not ask before irreversible steps (locking, a new key)" },
    { "new-key", 0, NULL, "replace the key in the slot (and get a new certificate)" },
    { "allow-software-key", 0, NULL, "without a chip (none found, or --chip none), keep the "
      "key in a file (it can be stolen)" },
    { NULL, 0, NULL, NULL }
};

static const tl_cli_help help = {
    "[--chip URI] [--endpoint-url URL] [--aws-region R] [--thing NAME] [--policy NAME] "
    "[--slot N] [--dry-run] [--yes] [--new-key] [--allow-software-key]",
    "Provision this device for AWS IoT Core (or the local cloud) in six steps:\n"
    "  1 detect the ATECC508A/608A: --chip, else $TRUSTLINK_CHIP and chip.uri, else\n"
    "    every /dev/i2c-N at 0x60, 0x35 (Trust&GO) and 0x36 (TrustFLEX)\n"
    "  2 configure: write trustlink's slot layout (docs/CHIP-LAYOUT.md), read it back,\n"
    "    lock config and data zones; a chip locked with a usable layout is reused\n"
    "  3 key: GenKey in the slot unless a key is there (--new-key replaces it)\n"
    "  4 CSR (CN = thing name) signed by the chip, checked against its public key\n"
    "  5 cloud: endpoint, thing, certificate from the CSR (active), least-privilege\n"
    "    policy, attachments; credentials as the AWS CLI finds them\n"
    "  6 the device config: server, client id, thing, certificate, key chip:SLOT, CA\n"
    "Nothing irreversible happens before the plan is shown and confirmed (--yes for\n"
    "scripts). Running it again finishes an interrupted run and changes nothing on a\n"
    "finished one: no second certificate, no new key.",
    opts, 1 };

void setup_say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static int valid_name(const char *name, const char *extra)
{
    size_t n = strlen(name), i;
    if (n < 1 || n > 128)
        return -1;
    for (i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr(extra, c)))
            return -1;
    }
    return 0;
}

int setup_valid_thing_name(const char *name) { return valid_name(name, ":_-"); }
int setup_valid_policy_name(const char *name) { return valid_name(name, "+=,.@_-"); }

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static const char *const step_names[SETUP_STEPS] = {
    "detect the secure element", "configure and lock the chip", "private key",
    "certificate signing request", "cloud: certificate, thing, policy",
    "device configuration",
};

/* The plan: what will happen, irreversible steps marked. Returns how many
 * irreversible steps it lists. */
static int print_plan(const setup_ctx *s)
{
    int irreversible = 0;
    setup_say("plan:");
    if (!s->have_chip) {
        setup_say("  - %s a software key in %s (NOT protected by a secure element)",
                  s->new_key ? "generate" : "generate or reuse", s->soft_key_path);
    } else {
        if (!s->config_locked) {
            setup_say("  - write trustlink's slot layout to the config zone, read it back, "
                      "compare");
            setup_say("  - LOCK the config zone (irreversible)");
            irreversible++;
        }
        if (!s->data_locked) {
            setup_say("  - LOCK the data and OTP zones (irreversible)");
            irreversible++;
        }
        if (s->key_present && s->new_key) {
            setup_say("  - REPLACE the key in slot %u (irreversible: the old key is gone)",
                      s->slot);
            irreversible++;
        } else if (s->key_present) {
            setup_say("  - reuse the key in slot %u", s->slot);
        } else {
            setup_say("  - generate a P-256 key in slot %u (it never leaves the chip)", s->slot);
        }
    }
    setup_say("  - CSR with CN=%s, signed by the %s", s->thing, s->have_chip ? "chip" : "key");
    setup_say("  - cloud %s: thing %s, certificate from the CSR (or the existing one for "
              "this key), policy %s, attachments",
              s->aws.endpoint, s->thing, s->policy);
    if (s->cert_slot >= 0)
        setup_say("  - store the certificate in the chip from data slot %d on", s->cert_slot);
    setup_say("  - write %s", s->config_path);
    return irreversible;
}

static int confirm(void)
{
    char line[32];
    if (!isatty(STDIN_FILENO))
        return -1;
    fputs("Go ahead? Locked zones and replaced keys cannot be undone. Type 'yes': ", stderr);
    if (!fgets(line, sizeof line, stdin))
        return 0;
    return strcmp(line, "yes\n") == 0;
}

/* Options into s; a usage error returns TL_CLI_EXIT_USAGE. */
static int read_options(setup_ctx *s, tl_cli *cli, const tl_cli_args *a, const char *prog)
{
    const char *v;
    long slot = 0;
    tl_config cfg;
    int r;
    s->chip_uri = tl_cli_opt_value(a, "chip") ? tl_cli_opt_value(a, "chip") : "auto";
    s->trace = tl_cli_opt_value(a, "trace");
    s->endpoint_url = tl_cli_opt_value(a, "endpoint-url");
    s->region = tl_cli_opt_value(a, "aws-region");
    s->profile = tl_cli_opt_value(a, "profile");
    s->ca_file = tl_cli_opt_value(a, "ca-file");
    s->dry_run = tl_cli_opt_value(a, "dry-run") != NULL;
    s->yes = tl_cli_opt_value(a, "yes") != NULL;
    s->new_key = tl_cli_opt_value(a, "new-key") != NULL;
    s->allow_soft = tl_cli_opt_value(a, "allow-software-key") != NULL;
    s->json = cli->json;
    if ((v = tl_cli_opt_value(a, "slot")) &&
        tl_cli_parse_long(prog, "--slot", v, 0, 15, &slot) != 0)
        return TL_CLI_EXIT_USAGE;
    s->slot = (unsigned)slot;
    s->cert_slot = -1;
    if ((v = tl_cli_opt_value(a, "cert-slot"))) {
        if (tl_cli_parse_long(prog, "--cert-slot", v, 8, 15, &slot) != 0)
            return TL_CLI_EXIT_USAGE;
        s->cert_slot = (int)slot;
    }
    if ((r = tl_cli_load_config(cli, &cfg, 0)) != 0)
        return r;
    v = tl_cli_opt_value(a, "thing");
    if (!v)
        v = tl_config_str(&cfg, TL_CFG_AWS_THING_NAME);
    if (v[0] && setup_valid_thing_name(v) != 0)
        return tl_cli_usage_error(prog, "thing name '%s' is not valid: AWS IoT allows 1-128 "
                                  "characters of A-Z a-z 0-9 : _ -", v);
    snprintf(s->thing, sizeof s->thing, "%s", v);
    v = tl_cli_opt_value(a, "policy");
    if (v && setup_valid_policy_name(v) != 0)
        return tl_cli_usage_error(prog, "policy name '%s' is not valid: AWS IoT allows 1-128 "
                                  "characters of A-Z a-z 0-9 + = , . @ _ -", v);
    if (v)
        snprintf(s->policy, sizeof s->policy, "%s", v);
    snprintf(s->config_path, sizeof s->config_path, "%s", tl_cli_config_path(cli));
    v = tl_cli_opt_value(a, "out-dir");
    if (v) {
        snprintf(s->out_dir, sizeof s->out_dir, "%s", v);
    } else {
        const char *slash = strrchr(s->config_path, '/');
        if (slash)
            snprintf(s->out_dir, sizeof s->out_dir, "%.*s", (int)(slash - s->config_path),
                     s->config_path);
        else
            snprintf(s->out_dir, sizeof s->out_dir, ".");
        if (!s->out_dir[0])
            snprintf(s->out_dir, sizeof s->out_dir, "/");
    }
    return 0;
}

/* Names that need the chip's serial (the default thing) or the thing. */
static int derive_names(setup_ctx *s)
{
    if (!s->thing[0]) {
        char sn[19];
        if (!s->have_chip)
            return tl_cli_fail("without a chip there is no serial number to name the thing: "
                               "give --thing NAME (or set aws.thing_name)");
        chip_hex(s->serial, sizeof s->serial, sn);
        snprintf(s->thing, sizeof s->thing, "trustlink-%s", sn);
    }
    if (s->cert_slot >= 0 && !s->have_chip)
        return tl_cli_fail("--cert-slot needs a chip to store the certificate in");
    if (!s->policy[0])
        snprintf(s->policy, sizeof s->policy, "%.121s-policy", s->thing);
    snprintf(s->cert_path, sizeof s->cert_path, "%s/%s.cert.pem", s->out_dir, s->thing);
    snprintf(s->soft_key_path, sizeof s->soft_key_path, "%s/%s.key.pem", s->out_dir, s->thing);
    return 0;
}

static void summary(const setup_ctx *s, int failed_step)
{
    int i;
    if (s->json) {
        printf("{\"thing\": \"%s\", \"certificate_id\": \"%s\", \"certificate_reused\": %s, "
               "\"endpoint\": \"%s\", \"chip\": \"%s\", \"config\": \"%s\", \"steps_ms\": [",
               s->thing, s->cert_id, s->cert_reused ? "true" : "false", s->endpoint,
               s->have_chip ? s->chip_desc : "", s->config_path);
        for (i = 0; i < SETUP_STEPS; i++)
            printf("%s%.1f", i ? ", " : "", s->step_ms[i]);
        printf("]}\n");
        return;
    }
    printf("%-40s %10s  %s\n", "STEP", "TIME (ms)", "RESULT");
    for (i = 0; i < SETUP_STEPS; i++)
        printf("[%d/%d] %-34s %10.1f  %s\n", i + 1, SETUP_STEPS, step_names[i], s->step_ms[i],
               i < failed_step ? "ok" : i == failed_step ? "FAILED" : "-");
    if (failed_step >= SETUP_STEPS)
        printf("thing %s, certificate %s, endpoint %s, config %s\n", s->thing, s->cert_id,
               s->endpoint, s->config_path);
}

static int run_step(setup_ctx *s, int i, int (*fn)(setup_ctx *))
{
    double t0 = now_ms();
    int r;
    setup_say("[%d/%d] %s ...", i + 1, SETUP_STEPS, step_names[i]);
    r = fn(s);
    s->step_ms[i] = now_ms() - t0;
    if (r == 0)
        setup_say("      done in %.0f ms", s->step_ms[i]);
    return r;
}

static int step_configure(setup_ctx *s) { return s->have_chip ? setup_configure(s) : 0; }
static int step_key(setup_ctx *s) { return s->have_chip ? setup_key(s) : setup_soft_key(s); }

static int cmd_setup(tl_cli *cli, const char *prog, int argc, char **argv)
{
    static setup_ctx s;     /* ~10 KB of buffers: not on the stack */
    tl_cli_args a;
    int r, i, step = 0;
    double t0;
    memset(&s, 0, sizeof s);
    r = tl_cli_parse(cli, &a, prog, &help, argc, argv);
    if (r)
        return r < 0 ? TL_CLI_EXIT_OK : r;
    if (a.npos)
        return tl_cli_usage_error(prog, "unexpected argument '%s'", a.pos[0]);
    if ((r = read_options(&s, cli, &a, prog)) != 0)
        return r;

    t0 = now_ms();
    setup_say("[1/%d] %s ...", SETUP_STEPS, step_names[0]);
    /* Credentials before the chip: a missing key should stop the run
     * before anything irreversible happens, not after. */
    if (setup_cloud_init(&s) != 0 || setup_detect(&s) != 0 || setup_check_layout(&s) != 0 ||
        derive_names(&s) != 0)
        goto fail;
    s.step_ms[0] = now_ms() - t0;
    setup_say("      done in %.0f ms", s.step_ms[0]);
    step = 1;
    if (print_plan(&s) > 0 && !s.yes && !s.dry_run) {
        int ok = confirm();
        if (ok <= 0) {
            if (s.have_chip)
                chip_close(&s.chip);
            return tl_cli_fail(ok < 0 ? "the plan has irreversible steps and stdin is not a "
                                        "terminal: run with --yes to go ahead (--dry-run shows "
                                        "the plan only)"
                                      : "stopped: nothing was changed");
        }
    }
    if (s.dry_run) {
        if (s.have_chip)
            chip_close(&s.chip);
        setup_say("dry run: nothing was changed");
        return TL_CLI_EXIT_OK;
    }
    {
        static int (*const steps[])(setup_ctx *) = { NULL, step_configure, step_key,
                                                      setup_csr, setup_cloud };
        for (i = 1; i < 5; i++, step++)
            if (run_step(&s, i, steps[i]) != 0)
                goto fail;
    }
    t0 = now_ms();
    setup_say("[6/%d] %s ...", SETUP_STEPS, step_names[5]);
    r = setup_write_config(&s, cli);
    s.step_ms[5] = now_ms() - t0;
    if (r != 0)
        goto fail;
    setup_say("      done in %.0f ms", s.step_ms[5]);
    if (s.have_chip)
        chip_close(&s.chip);
    tl_signer_soft_clear(&s.soft);
    summary(&s, SETUP_STEPS);
    return TL_CLI_EXIT_OK;
fail:
    /* chip_fail() closed the chip already on chip errors; closing twice is
     * safe (tl_hal_close on a closed hal does nothing). */
    if (s.have_chip)
        chip_close(&s.chip);
    tl_signer_soft_clear(&s.soft);
    if (!s.json)
        summary(&s, step);
    setup_say("nothing is left half-done: run the same command again to finish");
    return TL_CLI_EXIT_FAIL;
}

/* The entry point main.c's table names. */
int tl_cli_cmd_aws_iot_setup(tl_cli *cli, const char *prog, int argc, char **argv)
{
    return cmd_setup(cli, prog, argc, argv);
}
