/* trustlink chip info|config show|lock|read|random, and the chip command table. */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include <unistd.h>

#include "../atca/tl_atca_setup.h"
#include "../json/tl_json.h"
#include "cmd_chip.h"

static const tl_cli_opt common_opts[] = { CHIP_COMMON_OPTS, { NULL, 0, NULL, NULL } };

/* Parse, then open the chip. 0 when open; else the exit code (-1: help). */
static int parse_open(tl_cli *cli, tl_cli_args *a, const char *prog, const tl_cli_help *h,
                      int argc, char **argv, chip_session *s)
{
    int r = tl_cli_parse(cli, a, prog, h, argc, argv);
    if (r)
        return r < 0 ? -1 : r;
    if (a->npos)
        return tl_cli_usage_error(prog, "unexpected argument '%s'", a->pos[0]);
    return chip_open(cli, a, s);
}

#define DONE(r) ((r) < 0 ? TL_CLI_EXIT_OK : (r))

static const tl_cli_help info_help = {
    "", "Detect the chip and print its model, revision, serial number and\n"
    "whether its config and data zones are locked.", common_opts, 1 };

static int cmd_info(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    chip_session s;
    uint8_t rev[4], sn[9];
    char rh[9], sh[19];
    int cl = 0, dl = 0, r;
    tl_atca_status st;
    if ((r = parse_open(cli, &a, prog, &info_help, argc, argv, &s)) != 0)
        return DONE(r);
    if ((st = tl_atca_info(&s.dev, 0, 0, rev)) != TL_ATCA_OK ||
        (st = tl_atca_read_serial(&s.dev, sn)) != TL_ATCA_OK ||
        (st = tl_atca_lock_state(&s.dev, &cl, &dl)) != TL_ATCA_OK)
        return chip_fail(&s, st, NULL);
    chip_hex(rev, 4, rh);
    chip_hex(sn, 9, sh);
    if (cli->json) {
        char bus[400];
        tl_json_escape(s.hal.desc, bus, sizeof bus);
        printf("{\"model\": \"%s\", \"revision\": \"%s\", \"serial\": \"%s\", "
               "\"config_locked\": %s, \"data_locked\": %s, \"bus\": %s}\n",
               tl_atca_model_name(s.dev.model), rh, sh, cl ? "true" : "false",
               dl ? "true" : "false", bus);
    } else
        printf("model:        %s\nrevision:     %s\nserial:       %s\n"
               "config zone:  %s\ndata zone:    %s\nbus:          %s\n",
               tl_atca_model_name(s.dev.model), rh, sh, cl ? "locked" : "unlocked",
               dl ? "locked" : "unlocked", s.hal.desc);
    chip_close(&s);
    return TL_CLI_EXIT_OK;
}

static void print_table(FILE *out, int json, const uint8_t cfg[128], int plan)
{
    unsigned slot;
    if (json)
        fputs("[\n", out);
    else
        fprintf(out, "%-4s %-10s %-9s %-22s %s\n", "SLOT", "SLOTCONFIG", "KEYCONFIG", "PURPOSE",
                "MEANING");
    for (slot = 0; slot < TL_ATCA_SLOT_COUNT; slot++) {
        uint16_t sc = tl_atca_slot_config(cfg, slot), kc = tl_atca_key_config(cfg, slot);
        char text[256];
        const char *purpose = tl_atca_layout_purpose(slot);
        tl_atca_describe_slot(sc, kc, text, sizeof text);
        if (json)
            fprintf(out, "  {\"slot\": %u, \"slot_config\": \"0x%04X\", \"key_config\": "
                    "\"0x%04X\", \"meaning\": \"%s\"}%s\n", slot, sc, kc, text,
                    slot + 1 < TL_ATCA_SLOT_COUNT ? "," : "");
        else
            fprintf(out, "%-4u 0x%04X     0x%04X    %-22s %s\n", slot, sc, kc,
                    plan ? purpose : "", text);
    }
    if (json)
        fputs("]\n", out);
}

static const tl_cli_help config_show_help = {
    "", "Print the SlotConfig and KeyConfig of the 16 slots, decoded.", common_opts, 1 };

static int cmd_config_show(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    chip_session s;
    uint8_t cfg[128];
    int r;
    tl_atca_status st;
    if ((r = parse_open(cli, &a, prog, &config_show_help, argc, argv, &s)) != 0)
        return DONE(r);
    if ((st = tl_atca_read_config(&s.dev, cfg)) != TL_ATCA_OK)
        return chip_fail(&s, st, NULL);
    print_table(stdout, cli->json, cfg, tl_atca_layout_matches(cfg));
    chip_close(&s);
    return TL_CLI_EXIT_OK;
}

static const tl_cli_opt lock_opts[] = {
    CHIP_COMMON_OPTS,
    { "default-config", 0, NULL, "write the default slot layout (docs/CHIP-LAYOUT.md)" },
    { "yes", 'y', NULL, "do not ask; locking cannot be undone" },
    { NULL, 0, NULL, NULL }
};
static const tl_cli_help lock_help = {
    "--default-config [--yes]",
    "Write the default configuration, read it back and compare, then lock the\n"
    "config zone (with its CRC) and the data zone. Locking is permanent.\n"
    "Without --yes, shows the plan and asks; refuses if stdin is not a terminal.",
    lock_opts, 1 };

static int confirm(void)
{
    char line[32];
    if (!isatty(STDIN_FILENO))
        return -1;
    fputs("Lock the chip with this configuration? This cannot be undone. Type 'yes': ",
          stderr);
    if (!fgets(line, sizeof line, stdin))
        return 0;
    return strcmp(line, "yes\n") == 0 || strcmp(line, "yes") == 0;
}

static int cmd_lock(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    chip_session s;
    uint8_t cfg[128], plan[128];
    int r, cl = 0, dl = 0;
    tl_atca_status st;
    r = tl_cli_parse(cli, &a, prog, &lock_help, argc, argv);
    if (r)
        return DONE(r < 0 ? -1 : r);
    if (a.npos)
        return tl_cli_usage_error(prog, "unexpected argument '%s'", a.pos[0]);
    if (!tl_cli_opt_value(&a, "default-config"))
        return tl_cli_usage_error(prog, "which configuration? (--default-config)");
    if ((r = chip_open(cli, &a, &s)) != 0)
        return r;
    if ((st = tl_atca_read_config(&s.dev, cfg)) != TL_ATCA_OK ||
        (st = tl_atca_lock_state(&s.dev, &cl, &dl)) != TL_ATCA_OK)
        return chip_fail(&s, st, NULL);
    if (cl && dl) {
        if (!tl_atca_layout_matches(cfg))
            return chip_fail(&s, TL_ATCA_ERR_CONFIG_MISMATCH,
                             "the chip is already locked with another configuration");
        if (!cli->json)
            printf("already locked with the default configuration\n");
        else
            printf("{\"config_locked\": true, \"data_locked\": true, \"changed\": false}\n");
        chip_close(&s);
        return TL_CLI_EXIT_OK;
    }
    memcpy(plan, cfg, sizeof plan);
    tl_atca_layout_apply(plan);
    if (!tl_cli_opt_value(&a, "yes")) {
        int ok;
        fprintf(stderr, "plan: %s%slock the config zone, then the data zone:\n",
                cl ? "" : "write this slot layout, ", cl ? "" : "read it back, ");
        /* The plan is a question, not the command's output: stderr. */
        print_table(stderr, 0, plan, 1);
        ok = confirm();
        if (ok < 0) {
            chip_close(&s);
            return tl_cli_fail("refusing to lock without --yes: stdin is not a terminal");
        }
        if (!ok) {
            chip_close(&s);
            return tl_cli_fail("not locked (answer was not 'yes')");
        }
    }
    if ((st = tl_atca_setup_write_default(&s.dev, cfg)) != TL_ATCA_OK)
        return chip_fail(&s, st, st == TL_ATCA_ERR_CONFIG_MISMATCH
                                     ? "config zone differs from the default layout; not locked"
                                     : "writing the configuration");
    if ((st = tl_atca_setup_lock(&s.dev, cfg)) != TL_ATCA_OK)
        return chip_fail(&s, st, "locking");
    if (cli->json)
        printf("{\"config_locked\": true, \"data_locked\": true, \"changed\": true}\n");
    else
        printf("configuration written and verified; config zone locked; data zone locked\n");
    chip_close(&s);
    return TL_CLI_EXIT_OK;
}

static const tl_cli_opt read_opts[] = {
    CHIP_COMMON_OPTS,
    { "slot", 0, "N", "data slot 0..15" },
    { NULL, 0, NULL, NULL }
};
static const tl_cli_help read_help = {
    "--slot N", "Print the contents of a data slot in hex. Secret slots (private\n"
    "keys) are refused by the chip.", read_opts, 1 };

static int cmd_read(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    chip_session s;
    uint8_t buf[416], cfg[128];
    char hex[833], ctx[64];
    long slot;
    int r;
    size_t n;
    tl_atca_status st;
    r = tl_cli_parse(cli, &a, prog, &read_help, argc, argv);
    if (r)
        return DONE(r < 0 ? -1 : r);
    if ((r = chip_slot_arg(&a, &slot)) != 0)
        return r;
    if ((r = chip_open(cli, &a, &s)) != 0)
        return r;
    n = tl_atca_slot_size((unsigned)slot);
    st = tl_atca_read_slot(&s.dev, (unsigned)slot, buf, n);
    if (st == TL_ATCA_ERR_EXEC) {
        /* Say why, from the chip's own configuration. */
        const char *why = "";
        if (tl_atca_read_config(&s.dev, cfg) == TL_ATCA_OK) {
            if (cfg[TL_ATCA_CFG_LOCK_VALUE] == TL_ATCA_UNLOCKED)
                why = "data zone is not locked";
            else if ((tl_atca_slot_config(cfg, (unsigned)slot) & TL_ATCA_SC_IS_SECRET) ||
                     (tl_atca_key_config(cfg, (unsigned)slot) & TL_ATCA_KC_PRIVATE))
                why = "is secret";
        }
        if (strcmp(why, "is secret") == 0)
            snprintf(ctx, sizeof ctx, "slot %ld is secret", slot);
        else
            snprintf(ctx, sizeof ctx, "slot %ld%s%s", slot, why[0] ? ": " : "", why);
        return chip_fail(&s, st, ctx);
    }
    if (st != TL_ATCA_OK)
        return chip_fail(&s, st, NULL);
    chip_hex(buf, n, hex);
    if (cli->json)
        printf("{\"slot\": %ld, \"data\": \"%s\"}\n", slot, hex);
    else
        printf("%s\n", hex);
    chip_close(&s);
    return TL_CLI_EXIT_OK;
}

static const tl_cli_help random_help = {
    "", "Print 32 random bytes from the chip's RNG, in hex.", common_opts, 1 };

static int cmd_random(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    chip_session s;
    uint8_t rnd[32];
    char hex[65];
    int r;
    tl_atca_status st;
    if ((r = parse_open(cli, &a, prog, &random_help, argc, argv, &s)) != 0)
        return DONE(r);
    if ((st = tl_atca_random(&s.dev, rnd)) != TL_ATCA_OK)
        return chip_fail(&s, st, NULL);
    chip_hex(rnd, 32, hex);
    if (cli->json)
        printf("{\"random\": \"%s\"}\n", hex);
    else
        printf("%s\n", hex);
    chip_close(&s);
    return TL_CLI_EXIT_OK;
}

static const tl_cli_cmd config_cmds[] = {
    { "show", "print the 16 slots' SlotConfig and KeyConfig, decoded", cmd_config_show, NULL },
    { NULL, NULL, NULL, NULL }
};

const tl_cli_cmd tl_cli_chip_cmds[] = {
    { "info", "model, revision, serial number, lock states", cmd_info, NULL },
    { "config", "show the slot configuration", NULL, config_cmds },
    { "lock", "write the default configuration and lock the chip", cmd_lock, NULL },
    { "genkey", "generate a P-256 key in a slot", chip_cmd_genkey, NULL },
    { "pubkey", "print a slot's public key (hex or --pem)", chip_cmd_pubkey, NULL },
    { "sign", "sign a SHA-256 digest with a slot's key", chip_cmd_sign, NULL },
    { "verify", "verify a P-256 signature on the chip", chip_cmd_verify, NULL },
    { "ecdh", "ECDH between a slot's key and a peer public key", chip_cmd_ecdh, NULL },
    { "csr", "a certificate signing request for a slot's key", chip_cmd_csr, NULL },
    { "random", "32 random bytes from the chip", cmd_random, NULL },
    { "read", "print a data slot", cmd_read, NULL },
    { "emulate", "run an emulated chip on a Unix socket", tl_cli_cmd_chip_emulate, NULL },
    { NULL, NULL, NULL, NULL }
};
