/* The layered config as every command sees it: defaults < file < --set. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../port/tl_fs.h"
#include "tl_cli.h"

/* Config files are small; anything larger is not a config file. */
#define CONFIG_FILE_MAX (64 * 1024)

const char *tl_cli_config_path(const tl_cli *cli)
{
    const char *env;
    if (cli->config_path)
        return cli->config_path;
    env = getenv("TRUSTLINK_CONFIG");
    if (env && env[0])
        return env;
    return "trustlink.json";
}

int tl_cli_config_fail(const char *where, const tl_config_error *err)
{
    char pos[64] = "";
    if (err->line)
        snprintf(pos, sizeof pos, ":%u:%u", err->line, err->column);
    if (err->key[0])
        return tl_cli_fail("%s%s: %s: %s", where, pos, err->key, err->message);
    return tl_cli_fail("%s%s: %s", where, pos, err->message);
}

int tl_cli_load_config(const tl_cli *cli, tl_config *cfg, int must_exist)
{
    char buf[CONFIG_FILE_MAX + 1];
    const char *path = tl_cli_config_path(cli);
    char err[512];
    tl_config_error cerr;
    long n;
    int i;

    tl_config_init(cfg);
    n = tl_fs_read(path, buf, sizeof buf, err, sizeof err);
    if (n == -1 && errno == ENOENT && !(must_exist && cli->config_path)) {
        n = 0; /* no file yet: defaults */
    } else if (n < 0) {
        return tl_cli_fail("%s", err);
    } else if (tl_config_load_json(cfg, buf, (size_t)n, TL_CFG_LAYER_FILE, &cerr) != TL_CONFIG_OK) {
        return tl_cli_config_fail(path, &cerr);
    }
    for (i = 0; i < cli->nsets; i++) {
        if (tl_config_set_assignment(cfg, cli->sets[i], TL_CFG_LAYER_OVERRIDE, &cerr) != TL_CONFIG_OK)
            return tl_cli_config_fail("--set", &cerr);
    }
    return TL_CLI_EXIT_OK;
}
