/*
 * tl_cli: the `trustlink` command line (host side, C11).
 *
 * Commands form a tree of tl_cli_cmd tables: `trustlink config get` is the
 * entry "get" in the table of "config". A leaf parses its own options with
 * tl_cli_parse(), which also understands the options every command shares:
 *   --config FILE    device config (default $TRUSTLINK_CONFIG, else ./trustlink.json)
 *   --set KEY=VALUE  override a config value for this run (repeatable)
 *   --json           print data as JSON
 *   -h, --help       print the command's help and exit 0
 *
 * Exit codes: 0 ok, 1 the command failed, 2 wrong usage. Every failure prints
 * one clear message on stderr, "trustlink: ...", and nothing on stdout.
 */
#ifndef TL_CLI_H
#define TL_CLI_H

#include <stddef.h>

#include "../config/tl_config.h"

#define TL_CLI_EXIT_OK 0
#define TL_CLI_EXIT_FAIL 1
#define TL_CLI_EXIT_USAGE 2

#define TL_CLI_MAX_SETS 32
#define TL_CLI_MAX_OPTS 24
#define TL_CLI_MAX_POS 16

/* What one invocation carries from level to level. */
typedef struct {
    const char *config_path;          /* --config, or NULL */
    const char *sets[TL_CLI_MAX_SETS];/* --set KEY=VALUE, in order */
    int nsets;
    int json;                         /* --json */
} tl_cli;

/* One option of a leaf command. */
typedef struct {
    const char *name;   /* long name without the dashes */
    char short_name;    /* 0 if none */
    const char *arg;    /* metavariable ("FILE") or NULL for a flag */
    const char *help;
} tl_cli_opt;

/* A leaf command's parsed arguments. */
typedef struct {
    const char *prog;                     /* "trustlink config set" */
    const tl_cli_opt *opts;
    const char *value[TL_CLI_MAX_OPTS];   /* per opt: its argument, "" for a set
                                             flag, NULL when absent */
    const char *pos[TL_CLI_MAX_POS];      /* positional arguments */
    int npos;
} tl_cli_args;

/* Help text of a leaf command. */
typedef struct {
    const char *usage;        /* after the program name: "KEY=VALUE..." */
    const char *summary;      /* one paragraph */
    const tl_cli_opt *opts;   /* terminated by a {NULL} entry; may be NULL */
    int uses_config;          /* show --config/--set in the help */
} tl_cli_help;

typedef struct tl_cli_cmd {
    const char *name;
    const char *summary;
    int (*run)(tl_cli *cli, const char *prog, int argc, char **argv);
    const struct tl_cli_cmd *sub;   /* subcommands ({NULL}-terminated) or NULL */
} tl_cli_cmd;

/*
 * Run argv[0] from table under the name prefix ("trustlink config").
 * Shared options may precede the command word.
 */
int tl_cli_dispatch(tl_cli *cli, const char *prefix, const tl_cli_cmd *table,
                    int argc, char **argv);

/* Print the command list of a table, as "--help" on a group does. */
void tl_cli_print_commands(const char *prefix, const tl_cli_cmd *table);

/*
 * Parse a leaf command's arguments (argv[0] is the first argument, not the
 * command). Returns 0 when parsed, -1 when help was printed (exit 0), or
 * TL_CLI_EXIT_USAGE after printing the usage error.
 */
int tl_cli_parse(tl_cli *cli, tl_cli_args *a, const char *prog,
                 const tl_cli_help *help, int argc, char **argv);

/* The argument of option `name` (or "" for a set flag), NULL if absent. */
const char *tl_cli_opt_value(const tl_cli_args *a, const char *name);

/* Print "trustlink: <message>" on stderr; returns TL_CLI_EXIT_FAIL. */
int tl_cli_fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Print "<prog>: <message>" and a hint to --help; returns TL_CLI_EXIT_USAGE. */
int tl_cli_usage_error(const char *prog, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The config file this invocation uses. */
const char *tl_cli_config_path(const tl_cli *cli);

/*
 * Build the layered config: defaults, then the config file (a missing file is
 * an error only if it was named explicitly and must_exist is set), then every
 * --set. Prints the error and returns TL_CLI_EXIT_FAIL on bad input.
 */
int tl_cli_load_config(const tl_cli *cli, tl_config *cfg, int must_exist);

/* Print a config error as "FILE:LINE:COL: KEY: message" on stderr. */
int tl_cli_config_fail(const char *where, const tl_config_error *err);

/* Parse a long integer argument within [min, max]; 0 or usage error. */
int tl_cli_parse_long(const char *prog, const char *opt, const char *text,
                      long min, long max, long *out);

extern const tl_cli_cmd tl_cli_config_cmds[];
extern const tl_cli_cmd tl_cli_chip_cmds[];
extern const tl_cli_cmd tl_cli_cloud_cmds[];
extern const tl_cli_cmd tl_cli_mqtt_cmds[];   /* cmd_mqtt.c */
extern const tl_cli_cmd tl_cli_shadow_cmds[]; /* cmd_shadow.c */

/* trustlink chip emulate (src/cli/cmd_chip_emulate.c); the chip command
 * table refers to it. */
int tl_cli_cmd_chip_emulate(tl_cli *cli, const char *prog, int argc, char **argv);
/* trustlink aws-iot-setup (src/cli/cmd_setup.c). */
int tl_cli_cmd_aws_iot_setup(tl_cli *cli, const char *prog, int argc, char **argv);
/* trustlink agent (src/cli/cmd_agent.c). */
int tl_cli_cmd_agent(tl_cli *cli, const char *prog, int argc, char **argv);

#endif
