/* trustlink cloud init and trustlink cloud ca sign-csr: the directory and
 * the CA, without the broker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cloud/tl_ca.h"
#include "../cloud/tl_registry.h"
#include "../port/tl_fs.h"
#include "cloud_internal.h"
#include "tl_cli.h"

#define ERRCAP 2048

static const tl_cli_opt init_opts[] = {
    { "dir", 0, "DIR", "cloud directory (default $TRUSTLINK_CLOUD_DIR, else ./trustlink-cloud)" },
    { "endpoint", 0, "HOST", "extra name in the server certificate (default localhost)" },
    { NULL, 0, NULL, NULL }
};

static const tl_cli_help init_help = {
    "[--dir DIR] [--endpoint HOST]",
    "Create the cloud directory (CA, server certificate, API key, registry)\n"
    "without starting anything; what exists is kept. 'start' does this too.",
    init_opts, 0 };

int tl_cli_cloud_cmd_init(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    char dir[TL_CLOUD_PATH_MAX], err[ERRCAP];
    const char *endpoint;
    int created, r = tl_cli_parse(cli, &a, prog, &init_help, argc, argv);
    if (r)
        return r < 0 ? TL_CLI_EXIT_OK : r;
    if (a.npos)
        return tl_cli_usage_error(prog, "unexpected argument '%s'", a.pos[0]);
    endpoint = tl_cli_opt_value(&a, "endpoint");
    if (tl_cli_cloud_init(tl_cli_cloud_dir_arg(tl_cli_opt_value(&a, "dir")),
                          endpoint && *endpoint ? endpoint : "localhost", dir, sizeof dir,
                          &created, err, sizeof err) != 0)
        return tl_cli_fail("%s", err);
    if (cli->json) {
        printf("{");
        tl_cli_cloud_json_str("dir", dir, ", ");
        printf("\"created\": %s}\n", created ? "true" : "false");
    } else {
        printf("%s\n", dir);
        fprintf(stderr, "trustlink: %s %s\n", created ? "created the cloud in" : "cloud exists in",
                dir);
    }
    return TL_CLI_EXIT_OK;
}

static const tl_cli_opt sign_opts[] = {
    { "dir", 0, "DIR", "cloud directory (default $TRUSTLINK_CLOUD_DIR, else ./trustlink-cloud)" },
    { "csr", 0, "FILE", "the certificate signing request (PEM)" },
    { "days", 0, "N", "validity in days (default 3650)" },
    { NULL, 0, NULL, NULL }
};

static const tl_cli_help sign_help = {
    "--csr FILE [--dir DIR] [--days N]",
    "Sign a device CSR with the cloud's CA and register the certificate as\n"
    "ACTIVE. Prints the certificate (PEM) on stdout and its id on stderr; with\n"
    "--json, {\"certificateId\", \"certificatePem\"}.", sign_opts, 0 };

int tl_cli_cloud_cmd_sign_csr(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    tl_registry *reg;
    char err[ERRCAP], path[TL_CLOUD_PATH_MAX], id[TL_CA_ID_LEN + 1];
    char *cakey = NULL, *cacert = NULL, *csr = NULL, *cert = NULL;
    const char *dir, *csr_path, *days_s;
    long days = TL_CA_DEVICE_DAYS_DEFAULT;
    int r = tl_cli_parse(cli, &a, prog, &sign_help, argc, argv), rc = TL_CLI_EXIT_FAIL;

    if (r)
        return r < 0 ? TL_CLI_EXIT_OK : r;
    if (a.npos)
        return tl_cli_usage_error(prog, "unexpected argument '%s'", a.pos[0]);
    csr_path = tl_cli_opt_value(&a, "csr");
    if (!csr_path || !*csr_path)
        return tl_cli_usage_error(prog, "which CSR? (--csr FILE)");
    days_s = tl_cli_opt_value(&a, "days");
    if (days_s && tl_cli_parse_long(prog, "--days", days_s, 1, TL_CA_DEVICE_DAYS_MAX, &days))
        return TL_CLI_EXIT_USAGE;
    dir = tl_cli_cloud_dir_arg(tl_cli_opt_value(&a, "dir"));
    tl_cli_cloud_path(path, sizeof path, dir, "ca.pem");
    if (!tl_fs_exists(path))
        return tl_cli_fail("%s: no cloud CA here (run 'trustlink cloud start --dir %s' first)",
                           dir, dir);
    if (tl_cli_cloud_path(path, sizeof path, dir, "ca.key") || tl_ca_read_file(path, &cakey, err, sizeof err) ||
        tl_cli_cloud_path(path, sizeof path, dir, "ca.pem") || tl_ca_read_file(path, &cacert, err, sizeof err) ||
        tl_ca_read_file(csr_path, &csr, err, sizeof err) ||
        tl_ca_sign_csr(cakey, cacert, csr, (int)days, &cert, err, sizeof err) ||
        tl_ca_cert_id(cert, id, err, sizeof err)) {
        rc = tl_cli_fail("%s", err);
        goto out;
    }
    tl_cli_cloud_path(path, sizeof path, dir, "registry.db");
    if (tl_registry_open(&reg, path, err, sizeof err) != TL_REG_OK) {
        rc = tl_cli_fail("%s", err);
        goto out;
    }
    if (tl_registry_cert_create(reg, id, cert, TL_CERT_ACTIVE) != TL_REG_OK) {
        rc = tl_cli_fail("cannot register the certificate: %s", tl_registry_message(reg));
        tl_registry_close(reg);
        goto out;
    }
    tl_registry_close(reg);
    if (cli->json) {
        printf("{");
        tl_cli_cloud_json_str("certificateId", id, ", ");
        tl_cli_cloud_json_str("certificatePem", cert, "}\n");
    } else {
        fputs(cert, stdout);
        fprintf(stderr, "certificate id: %s\n", id);
    }
    rc = TL_CLI_EXIT_OK;
out:
    free(cakey);
    free(cacert);
    free(csr);
    free(cert);
    return rc;
}
