/* trustlink config show|get|set|unset|schema */
#include <stdio.h>
#include <string.h>

#include "../json/tl_json.h"
#include "../port/tl_fs.h"
#include "tl_cli.h"

static const char *layer_name(tl_config_layer l)
{
    switch (l) {
    case TL_CFG_LAYER_FILE: return "file";
    case TL_CFG_LAYER_OVERRIDE: return "--set";
    default: return "default";
    }
}

static const char *type_name(tl_config_type t)
{
    switch (t) {
    case TL_CFG_INT: return "int";
    case TL_CFG_BOOL: return "bool";
    default: return "string";
    }
}

/* A value as JSON: numbers and booleans bare, strings quoted. */
static void print_json_value(const tl_config *cfg, tl_config_key k)
{
    char buf[600];
    if (tl_config_schema(k)->type == TL_CFG_STR)
        tl_json_escape(tl_config_str(cfg, k), buf, sizeof buf);
    else
        tl_config_format(cfg, k, buf, sizeof buf);
    fputs(buf, stdout);
}

static int lookup(const char *name)
{
    int k = tl_config_find(name);
    if (k < 0) {
        const char *hint = tl_config_suggest(name);
        if (hint)
            tl_cli_fail("unknown key '%s' (did you mean '%s'?)", name, hint);
        else
            tl_cli_fail("unknown key '%s' (see 'trustlink config schema')", name);
    }
    return k;
}

static const tl_cli_help show_help = {
    "", "Print every configuration key with its value and where it came from\n"
        "(default, file, or --set).", NULL, 1 };

static int cmd_show(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    tl_config cfg;
    size_t k;
    int r = tl_cli_parse(cli, &a, prog, &show_help, argc, argv);
    if (r)
        return r < 0 ? TL_CLI_EXIT_OK : r;
    if (a.npos)
        return tl_cli_usage_error(prog, "unexpected argument '%s'", a.pos[0]);
    if ((r = tl_cli_load_config(cli, &cfg, 1)) != 0)
        return r;
    if (cli->json) {
        char out[8192];
        if (tl_config_write_json(&cfg, TL_CFG_LAYER_DEFAULT, out, sizeof out) < 0)
            return tl_cli_fail("config too large to print");
        fputs(out, stdout);
        return TL_CLI_EXIT_OK;
    }
    printf("# %s\n", tl_cli_config_path(cli));
    printf("%-24s %-32s %s\n", "KEY", "VALUE", "SOURCE");
    for (k = 0; k < tl_config_key_count(); k++) {
        char val[600];
        tl_config_format(&cfg, (tl_config_key)k, val, sizeof val);
        printf("%-24s %-32s %s\n", tl_config_schema((tl_config_key)k)->name,
               val[0] ? val : "\"\"", layer_name(tl_config_layer_of(&cfg, (tl_config_key)k)));
    }
    return TL_CLI_EXIT_OK;
}

static const tl_cli_help get_help = {
    "KEY...", "Print the effective value of each KEY, one per line.", NULL, 1 };

static int cmd_get(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    tl_config cfg;
    int i, r = tl_cli_parse(cli, &a, prog, &get_help, argc, argv);
    if (r)
        return r < 0 ? TL_CLI_EXIT_OK : r;
    if (a.npos == 0)
        return tl_cli_usage_error(prog, "which key? (for example mqtt.keep_alive)");
    for (i = 0; i < a.npos; i++)
        if (lookup(a.pos[i]) < 0)
            return TL_CLI_EXIT_FAIL;
    if ((r = tl_cli_load_config(cli, &cfg, 1)) != 0)
        return r;
    if (cli->json && a.npos > 1)
        fputs("{", stdout);
    for (i = 0; i < a.npos; i++) {
        tl_config_key k = (tl_config_key)tl_config_find(a.pos[i]);
        if (cli->json) {
            if (a.npos > 1)
                printf("%s\"%s\": ", i ? ", " : "", a.pos[i]);
            print_json_value(&cfg, k);
            if (a.npos == 1)
                fputs("\n", stdout);
        } else {
            char val[600];
            tl_config_format(&cfg, k, val, sizeof val);
            printf("%s\n", val);
        }
    }
    if (cli->json && a.npos > 1)
        fputs("}\n", stdout);
    return TL_CLI_EXIT_OK;
}

/* Load the file layer alone (no --set), change it, and write it back. */
static int rewrite(tl_cli *cli, const char *prog, const tl_cli_args *a, int unset)
{
    tl_config cfg;
    tl_config_error err;
    char out[8192], ferr[512];
    const char *path = tl_cli_config_path(cli);
    tl_cli file_only = *cli;
    long n;
    int i, r;

    if (a->npos == 0)
        return tl_cli_usage_error(prog, unset ? "which key?" : "expected KEY=VALUE (for example mqtt.keep_alive=60)");
    file_only.nsets = 0;
    if ((r = tl_cli_load_config(&file_only, &cfg, 0)) != 0)
        return r;
    for (i = 0; i < a->npos; i++) {
        if (unset) {
            int k = lookup(a->pos[i]);
            const tl_config_schema_entry *e;
            if (k < 0)
                return TL_CLI_EXIT_FAIL;
            e = tl_config_schema((tl_config_key)k);
            tl_config_set(&cfg, e->name, e->def, TL_CFG_LAYER_DEFAULT, NULL);
            continue;
        }
        if (!strchr(a->pos[i], '='))
            return tl_cli_usage_error(prog, "'%s': expected KEY=VALUE", a->pos[i]);
        if (tl_config_set_assignment(&cfg, a->pos[i], TL_CFG_LAYER_FILE, &err) != TL_CONFIG_OK)
            return tl_cli_config_fail(a->pos[i], &err);
    }
    n = tl_config_write_json(&cfg, TL_CFG_LAYER_FILE, out, sizeof out);
    if (n < 0)
        return tl_cli_fail("config too large to write");
    if (tl_fs_write_atomic(path, out, (size_t)n, ferr, sizeof ferr) != 0)
        return tl_cli_fail("%s", ferr);
    if (!cli->json)
        for (i = 0; i < a->npos; i++)
            fprintf(stderr, "%s: %s%s\n", path, a->pos[i], unset ? " (back to default)" : "");
    return TL_CLI_EXIT_OK;
}

static const tl_cli_help set_help = {
    "KEY=VALUE...", "Check each value against the schema and write them to the config file\n"
    "atomically. If any value is wrong, nothing is written.", NULL, 1 };

static int cmd_set(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    int r = tl_cli_parse(cli, &a, prog, &set_help, argc, argv);
    if (r)
        return r < 0 ? TL_CLI_EXIT_OK : r;
    return rewrite(cli, prog, &a, 0);
}

static const tl_cli_help unset_help = {
    "KEY...", "Remove each KEY from the config file, so that its default applies.", NULL, 1 };

static int cmd_unset(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    int r = tl_cli_parse(cli, &a, prog, &unset_help, argc, argv);
    if (r)
        return r < 0 ? TL_CLI_EXIT_OK : r;
    return rewrite(cli, prog, &a, 1);
}

static const tl_cli_help schema_help = {
    "", "Print every key the device knows: type, default, allowed values, meaning.", NULL, 0 };

static int cmd_schema(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    size_t k;
    int r = tl_cli_parse(cli, &a, prog, &schema_help, argc, argv);
    if (r)
        return r < 0 ? TL_CLI_EXIT_OK : r;
    if (a.npos)
        return tl_cli_usage_error(prog, "unexpected argument '%s'", a.pos[0]);
    if (cli->json)
        fputs("[\n", stdout);
    else
        printf("%-24s %-6s %-20s %-14s %s\n", "KEY", "TYPE", "DEFAULT", "ALLOWED", "DESCRIPTION");
    for (k = 0; k < tl_config_key_count(); k++) {
        const tl_config_schema_entry *e = tl_config_schema((tl_config_key)k);
        char allowed[48], desc[400], def[300];
        if (e->type == TL_CFG_INT)
            snprintf(allowed, sizeof allowed, "%ld..%ld", e->min, e->max);
        else if (e->type == TL_CFG_BOOL)
            snprintf(allowed, sizeof allowed, "true|false");
        else
            snprintf(allowed, sizeof allowed, "<=%ld bytes", e->max);
        if (cli->json) {
            tl_json_escape(e->desc, desc, sizeof desc);
            tl_json_escape(e->def, def, sizeof def);
            printf("  {\"key\": \"%s\", \"type\": \"%s\", \"default\": %s, ", e->name,
                   type_name(e->type), e->type == TL_CFG_STR ? def : e->def);
            if (e->type == TL_CFG_INT)
                printf("\"min\": %ld, \"max\": %ld, ", e->min, e->max);
            else if (e->type == TL_CFG_STR)
                printf("\"max_length\": %ld, ", e->max);
            printf("\"description\": %s}%s\n", desc, k + 1 < tl_config_key_count() ? "," : "");
        } else {
            printf("%-24s %-6s %-20s %-14s %s\n", e->name, type_name(e->type),
                   e->def[0] ? e->def : "\"\"", allowed, e->desc);
        }
    }
    if (cli->json)
        fputs("]\n", stdout);
    return TL_CLI_EXIT_OK;
}

const tl_cli_cmd tl_cli_config_cmds[] = {
    { "show", "print all keys with values and their source", cmd_show, NULL },
    { "get", "print the value of keys", cmd_get, NULL },
    { "set", "set keys in the config file (KEY=VALUE...)", cmd_set, NULL },
    { "unset", "remove keys from the config file (back to default)", cmd_unset, NULL },
    { "schema", "list every key with type, default and meaning", cmd_schema, NULL },
    { NULL, NULL, NULL, NULL }
};
