/* trustlink chip emulate: an ATECC508A/608A on a Unix socket. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../emu/tl_emu_server.h"
#include "../port/tl_fs.h"
#include "tl_cli.h"

static const tl_cli_opt emulate_opts[] = {
    { "socket", 0, "PATH", "Unix socket to listen on (required)" },
    { "state", 0, "FILE", "chip EEPROM state; a factory-new chip is created if missing (required)" },
    { "model", 0, "MODEL", "508a or 608a (default 508a; an existing state file keeps its model)" },
    { "timing", 0, NULL, "apply execution times (busy chip NACKs reads) and the watchdog" },
    { "fault-crc", 0, "RATE", "probability 0..1 of a bad-CRC fault per command" },
    { "fault-nack", 0, "RATE", "probability 0..1 of a NACK per bus write or read" },
    { "seed", 0, "N", "seed of a new chip (serial number, keys, random numbers) and of faults" },
    { "idle-timeout", 0, "SECONDS", "exit when no client has connected for this long (0 = never)" },
    { NULL, 0, NULL, NULL }
};

static const tl_cli_help emulate_help = {
    "--socket PATH --state FILE [options]",
    "Run an emulated ATECC508A/608A secure element on a Unix socket (chip URI\n"
    "emu:PATH). The EEPROM (config, data, OTP zones, locks, keys, counters) is\n"
    "kept in FILE and saved atomically after every command that changes it.\n"
    "Clients are served one at a time. SIGINT/SIGTERM stop it cleanly.",
    emulate_opts, 0 };

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

/* Where the state goes, and why saving failed (printed once, at exit). */
typedef struct {
    const char *path;
    char err[512];
} state_file;

static int save_state(void *arg, tl_emu *e)
{
    state_file *sf = arg;
    uint8_t img[TL_EMU_EEPROM_IMAGE_MAX];
    size_t n = tl_emu_save(e, img, sizeof img);
    if (n == 0) {
        snprintf(sf->err, sizeof sf->err, "cannot serialise the chip state");
        return -1;
    }
    if (tl_fs_write_atomic(sf->path, img, n, sf->err, sizeof sf->err) != 0)
        return -1;
    tl_emu_mark_saved(e);
    return 0;
}

static int parse_rate(const char *prog, const char *opt, const char *text, double *out)
{
    char *end;
    *out = 0;
    if (!text)
        return 0;
    *out = strtod(text, &end);
    if (end == text || *end || !(*out >= 0.0 && *out <= 1.0))
        return tl_cli_usage_error(prog, "--%s: expected a probability between 0 and 1, got '%s'",
                                  opt, text);
    return 0;
}

/* Load the state file, or make (and save) a factory-new chip. */
static int open_chip(tl_emu *e, state_file *sf, const char *model_arg, uint64_t seed)
{
    const char *path = sf->path;
    tl_atca_model want = model_arg && strcmp(model_arg, "608a") == 0 ? TL_ATCA_MODEL_608A
                                                                      : TL_ATCA_MODEL_508A;
    static char img[TL_EMU_EEPROM_IMAGE_MAX + 1];
    char err[512];
    long n;
    if (!tl_fs_exists(path)) {
        tl_emu_init(e, want, seed);
        return save_state(sf, e) ? tl_cli_fail("%s", sf->err) : 0;
    }
    n = tl_fs_read(path, img, sizeof img, err, sizeof err);
    if (n < 0)
        return tl_cli_fail("%s", n == -2 ? "state file too large: not a chip state" : err);
    if (tl_emu_load(e, (const uint8_t *)img, (size_t)n) != 0)
        return tl_cli_fail("%s: not a chip state file (corrupt, or of another version)", path);
    if (model_arg && tl_emu_model(e) != want)
        return tl_cli_fail("%s holds an ATECC%s, not the --model %s asked for", path,
                           tl_emu_model(e) == TL_ATCA_MODEL_608A ? "608A" : "508A", model_arg);
    return 0;
}

int tl_cli_cmd_chip_emulate(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    tl_emu_faults faults;
    tl_emu_server_opts so;
    state_file sf;
    struct sigaction sa;
    const char *sock, *state, *model, *seed_arg;
    uint8_t sn[TL_ATCA_SN_SIZE];
    char err[512];
    long idle = 0;
    uint64_t seed;
    tl_emu *e;
    int r, fd, i;

    r = tl_cli_parse(cli, &a, prog, &emulate_help, argc, argv);
    if (r)
        return r < 0 ? TL_CLI_EXIT_OK : r;
    if (a.npos)
        return tl_cli_usage_error(prog, "unexpected argument '%s'", a.pos[0]);
    sock = tl_cli_opt_value(&a, "socket");
    state = tl_cli_opt_value(&a, "state");
    model = tl_cli_opt_value(&a, "model");
    seed_arg = tl_cli_opt_value(&a, "seed");
    if (!sock || !*sock)
        return tl_cli_usage_error(prog, "--socket PATH is required");
    if (!state || !*state)
        return tl_cli_usage_error(prog, "--state FILE is required");
    if (model && strcmp(model, "508a") != 0 && strcmp(model, "608a") != 0)
        return tl_cli_usage_error(prog, "--model: expected 508a or 608a, got '%s'", model);
    memset(&faults, 0, sizeof faults);
    if ((r = parse_rate(prog, "fault-crc", tl_cli_opt_value(&a, "fault-crc"), &faults.crc_rate)) ||
        (r = parse_rate(prog, "fault-nack", tl_cli_opt_value(&a, "fault-nack"), &faults.nack_rate)))
        return r;
    if (tl_cli_opt_value(&a, "idle-timeout") &&
        (r = tl_cli_parse_long(prog, "--idle-timeout", tl_cli_opt_value(&a, "idle-timeout"),
                               0, 86400 * 365, &idle)) != 0)
        return r;
    if (seed_arg) {
        char *end;
        seed = strtoull(seed_arg, &end, 0);
        if (end == seed_arg || *end)
            return tl_cli_usage_error(prog, "--seed: expected a number, got '%s'", seed_arg);
    } else {
        seed = (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid();
    }
    faults.seed = seed;

    e = malloc(tl_emu_context_size());
    if (!e)
        return tl_cli_fail("out of memory");
    memset(&sf, 0, sizeof sf);
    sf.path = state;
    if ((r = open_chip(e, &sf, model, seed)) != 0) {
        free(e);
        return r;
    }
    if (tl_cli_opt_value(&a, "timing"))
        tl_emu_set_clock(e, tl_emu_server_clock, NULL);
    tl_emu_set_faults(e, &faults);

    fd = tl_emu_server_listen(sock, err, sizeof err);
    if (fd < 0) {
        free(e);
        return tl_cli_fail("%s", err);
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    tl_emu_serial(e, sn);
    fprintf(stderr, "chip emulator (ATECC%s, SN ",
            tl_emu_model(e) == TL_ATCA_MODEL_608A ? "608A" : "508A");
    for (i = 0; i < TL_ATCA_SN_SIZE; i++)
        fprintf(stderr, "%02X", sn[i]);
    fprintf(stderr, ") listening on %s\n", sock);

    memset(&so, 0, sizeof so);
    so.idle_timeout_s = (int)idle;
    so.stop = &stop_flag;
    so.save = save_state;
    so.save_arg = &sf;
    err[0] = '\0';
    r = tl_emu_server_run(e, fd, &so, err, sizeof err);
    close(fd);
    unlink(sock);
    if (r == 0 && tl_emu_dirty(e))
        r = save_state(&sf, e);
    free(e);
    if (r != 0)
        return tl_cli_fail("%s", sf.err[0] ? sf.err : err[0] ? err : "server failed");
    return TL_CLI_EXIT_OK;
}
