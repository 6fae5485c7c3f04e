/* Option parsing, help output and error reporting shared by all commands. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_cli.h"

int tl_cli_fail(const char *fmt, ...)
{
    va_list ap;
    fputs("trustlink: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return TL_CLI_EXIT_FAIL;
}

int tl_cli_usage_error(const char *prog, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help'.\n", prog);
    return TL_CLI_EXIT_USAGE;
}

static const tl_cli_opt shared_opts[] = {
    { "config", 0, "FILE", "device config (default $TRUSTLINK_CONFIG, else ./trustlink.json)" },
    { "set", 0, "KEY=VALUE", "override a config value for this run (repeatable)" },
    { "json", 0, NULL, "print data as JSON" },
    { "help", 'h', NULL, "show this help" },
};

static void print_opt(const tl_cli_opt *o)
{
    char left[64];
    if (o->short_name)
        snprintf(left, sizeof left, "-%c, --%s%s%s", o->short_name, o->name,
                 o->arg ? " " : "", o->arg ? o->arg : "");
    else
        snprintf(left, sizeof left, "    --%s%s%s", o->name, o->arg ? " " : "",
                 o->arg ? o->arg : "");
    printf("  %-28s %s\n", left, o->help);
}

static void print_help(const char *prog, const tl_cli_help *h)
{
    size_t i;
    printf("Usage: %s%s%s\n\n%s\n\nOptions:\n", prog, h->usage[0] ? " " : "",
           h->usage, h->summary);
    for (i = 0; h->opts && h->opts[i].name; i++)
        print_opt(&h->opts[i]);
    for (i = 0; i < sizeof shared_opts / sizeof shared_opts[0]; i++) {
        if (!h->uses_config && i < 2)
            continue;
        print_opt(&shared_opts[i]);
    }
}

/* Handle one shared option at argv[*i]; 1 if it was one, -1 on error. */
static int shared_option(tl_cli *cli, const char *prog, int argc, char **argv,
                         int *i)
{
    const char *a = argv[*i];
    const char *val = NULL;
    int is_config = 0, is_set = 0;

    if (strcmp(a, "--json") == 0) {
        cli->json = 1;
        return 1;
    }
    if (strncmp(a, "--config", 8) == 0 && (a[8] == '\0' || a[8] == '='))
        is_config = 1;
    else if (strncmp(a, "--set", 5) == 0 && (a[5] == '\0' || a[5] == '='))
        is_set = 1;
    else
        return 0;
    if (strchr(a, '=')) {
        val = strchr(a, '=') + 1;
    } else if (*i + 1 < argc) {
        val = argv[++*i];
    } else {
        tl_cli_usage_error(prog, "option '%s' needs a value", a);
        return -1;
    }
    if (is_config) {
        cli->config_path = val;
    } else if (is_set) {
        if (cli->nsets >= TL_CLI_MAX_SETS) {
            tl_cli_usage_error(prog, "too many --set options (at most %d)", TL_CLI_MAX_SETS);
            return -1;
        }
        cli->sets[cli->nsets++] = val;
    }
    return 1;
}

int tl_cli_parse(tl_cli *cli, tl_cli_args *a, const char *prog,
                 const tl_cli_help *help, int argc, char **argv)
{
    int i, only_pos = 0;
    memset(a, 0, sizeof *a);
    a->prog = prog;
    a->opts = help->opts;
    for (i = 0; i < argc; i++) {
        const char *arg = argv[i];
        size_t k;
        int r;
        if (only_pos || arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (a->npos >= TL_CLI_MAX_POS)
                return tl_cli_usage_error(prog, "too many arguments");
            a->pos[a->npos++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_help(prog, help);
            return -1;
        }
        r = shared_option(cli, prog, argc, argv, &i);
        if (r < 0)
            return TL_CLI_EXIT_USAGE;
        if (r > 0)
            continue;
        for (k = 0; help->opts && help->opts[k].name; k++) {
            const tl_cli_opt *o = &help->opts[k];
            size_t nl = strlen(o->name);
            int long_match = arg[1] == '-' && strncmp(arg + 2, o->name, nl) == 0 &&
                             (arg[2 + nl] == '\0' || arg[2 + nl] == '=');
            int short_match = o->short_name && arg[1] == o->short_name && arg[2] == '\0';
            if (!long_match && !short_match)
                continue;
            if (!o->arg) {
                if (long_match && arg[2 + nl] == '=')
                    return tl_cli_usage_error(prog, "option '--%s' takes no value", o->name);
                a->value[k] = "";
            } else if (long_match && arg[2 + nl] == '=') {
                a->value[k] = arg + 3 + nl;
            } else if (i + 1 < argc) {
                a->value[k] = argv[++i];
            } else {
                return tl_cli_usage_error(prog, "option '%s' needs a value (%s)", arg, o->arg);
            }
            break;
        }
        if (!help->opts || !help->opts[k].name)
            return tl_cli_usage_error(prog, "unknown option '%s'", arg);
    }
    return 0;
}

const char *tl_cli_opt_value(const tl_cli_args *a, const char *name)
{
    size_t k;
    for (k = 0; a->opts && a->opts[k].name; k++)
        if (strcmp(a->opts[k].name, name) == 0)
            return a->value[k];
    return NULL;
}

int tl_cli_parse_long(const char *prog, const char *opt, const char *text,
                      long min, long max, long *out)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(text, &end, 0);
    if (errno || end == text || *end != '\0')
        return tl_cli_usage_error(prog, "%s: '%s' is not a number", opt, text);
    if (v < min || v > max)
        return tl_cli_usage_error(prog, "%s: %ld is out of range (%ld..%ld)", opt, v, min, max);
    *out = v;
    return 0;
}

void tl_cli_print_commands(const char *prefix, const tl_cli_cmd *table)
{
    const tl_cli_cmd *c;
    printf("Usage: %s <command> [options]\n\nCommands:\n", prefix);
    for (c = table; c->name; c++)
        printf("  %-14s %s\n", c->name, c->summary);
    printf("\nRun '%s <command> --help' for a command's options.\n", prefix);
}

int tl_cli_dispatch(tl_cli *cli, const char *prefix, const tl_cli_cmd *table,
                    int argc, char **argv)
{
    const tl_cli_cmd *c;
    char prog[128];
    int i = 0;

    for (; i < argc && argv[i][0] == '-'; i++) {
        int r;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            tl_cli_print_commands(prefix, table);
            return TL_CLI_EXIT_OK;
        }
        r = shared_option(cli, prefix, argc, argv, &i);
        if (r < 0)
            return TL_CLI_EXIT_USAGE;
        if (r == 0)
            return tl_cli_usage_error(prefix, "unknown option '%s'", argv[i]);
    }
    if (i >= argc) {
        tl_cli_print_commands(prefix, table);
        return TL_CLI_EXIT_USAGE;
    }
    for (c = table; c->name; c++)
        if (strcmp(c->name, argv[i]) == 0)
            break;
    if (!c->name)
        return tl_cli_usage_error(prefix, "unknown command '%s'", argv[i]);
    snprintf(prog, sizeof prog, "%s %s", prefix, c->name);
    if (c->sub)
        return tl_cli_dispatch(cli, prog, c->sub, argc - i - 1, argv + i + 1);
    return c->run(cli, prog, argc - i - 1, argv + i + 1);
}
