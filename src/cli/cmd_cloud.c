/* trustlink cloud start|stop|status, and the command table of `trustlink cloud` */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../cloud/tl_cloud_conf.h"
#include "../cloud/tl_registry.h"
#include "../json/tl_json.h"
#include "../port/tl_fs.h"
#include "cloud_admin.h"
#include "cloud_internal.h"
#include "tl_cli.h"

#define ERRCAP 2048

static const tl_cli_opt start_opts[] = {
    { "dir", 0, "DIR", "cloud directory (default $TRUSTLINK_CLOUD_DIR, else ./trustlink-cloud)" },
    { "mqtt-port", 0, "N", "MQTT over TLS port on 127.0.0.1 (default 8883)" },
    { "api-port", 0, "N", "control-plane API port on 127.0.0.1 (default 8443)" },
    { "endpoint", 0, "HOST", "extra name in the server certificate (first start only; default localhost)" },
    { "foreground", 0, NULL, "stay in the foreground; Ctrl-C stops the broker" },
    { NULL, 0, NULL, NULL }
};

static const tl_cli_help start_help = {
    "[--dir DIR] [--mqtt-port N] [--api-port N] [--foreground]",
    "Start the local AWS-IoT-compatible cloud. The first start creates DIR with\n"
    "a CA, a server certificate, an API access key and the registry; later starts\n"
    "reuse them (keys are never regenerated). Mosquitto listens on 127.0.0.1 and\n"
    "requires a client certificate from the cloud's CA. Prints the endpoint and\n"
    "shell lines to paste (eval \"$(trustlink cloud start)\" works).\n"
    "Starting a running cloud only says so.",
    start_opts, 0 };

/* The account user name for the broker's `user` option when we are root. */
static const char *broker_user(void)
{
    struct passwd *pw;
    if (geteuid() != 0)
        return NULL;
    pw = getpwuid(geteuid());
    return pw ? pw->pw_name : "root";
}

static int port_opt(const char *prog, const tl_cli_args *a, const char *name, unsigned def,
                    unsigned *out)
{
    const char *v = tl_cli_opt_value(a, name);
    long n = def;
    char opt[32];
    snprintf(opt, sizeof opt, "--%s", name);
    if (v && tl_cli_parse_long(prog, opt, v, 1, 65535, &n) != 0)
        return TL_CLI_EXIT_USAGE;
    *out = (unsigned)n;
    return 0;
}

void tl_cli_cloud_json_str(const char *key, const char *val, const char *sep)
{
    char buf[8192];
    tl_json_escape(val, buf, sizeof buf);
    printf("\"%s\": %s%s", key, buf, sep);
}

static void print_info(const tl_cli *cli, const char *dir, pid_t pid,
                       const tl_cli_cloud_state *s, int already)
{
    char id[64] = "", secret[64] = "", err[256], ca[TL_CLOUD_PATH_MAX];
    tl_cli_cloud_read_creds(dir, id, sizeof id, secret, sizeof secret, err, sizeof err);
    tl_cli_cloud_path(ca, sizeof ca, dir, "ca.pem");
    if (cli->json) {
        char ep[32];
        snprintf(ep, sizeof ep, "127.0.0.1:%u", s->mqtt_port);
        printf("{\"running\": true, \"already_running\": %s, \"pid\": %ld, ",
               already ? "true" : "false", (long)pid);
        tl_cli_cloud_json_str("dir", dir, ", ");
        tl_cli_cloud_json_str("mqtt_endpoint", ep, ", ");
        printf("\"mqtt_port\": %u, \"api_port\": %u, \"api_url\": \"https://127.0.0.1:%u\", ",
               s->mqtt_port, s->api_port, s->api_port);
        tl_cli_cloud_json_str("aws_access_key_id", id, ", ");
        tl_cli_cloud_json_str("aws_secret_access_key", secret, ", ");
        tl_cli_cloud_json_str("aws_region", "us-east-1", ", ");
        tl_cli_cloud_json_str("aws_ca_bundle", ca, "}\n");
        return;
    }
    /* Comments and exports only, so that eval "$(trustlink cloud start)"
     * sets up the shell. */
    printf("# trustlink cloud %s (pid %ld), directory %s\n",
           already ? "already running" : "running", (long)pid, dir);
    printf("# MQTT: 127.0.0.1:%u (mutual TLS, client certificates from %s)\n", s->mqtt_port, ca);
    printf("# API: https://127.0.0.1:%u (SigV4, services iot and iotdata; "
           "use --endpoint-url with the AWS CLI)\n", s->api_port);
    printf("export AWS_ACCESS_KEY_ID=%s\n", id);
    printf("export AWS_SECRET_ACCESS_KEY=%s\n", secret);
    printf("export AWS_REGION=us-east-1\n");
    printf("export AWS_ENDPOINT_URL=https://127.0.0.1:%u\n", s->api_port);
    printf("export AWS_CA_BUNDLE=%s\n", ca);
}

static volatile sig_atomic_t stop_signal;
static void on_stop_signal(int sig)
{
    stop_signal = sig;
}

/* --foreground: wait for the broker; a signal to us stops it. */
static int wait_foreground(const char *dir, pid_t pid)
{
    struct sigaction sa;
    int status = 0;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    fflush(stdout);
    for (;;) {
        pid_t w = waitpid(pid, &status, 0);
        if (w == pid)
            break;
        if (w < 0 && errno == EINTR && stop_signal) {
            tl_cli_cloud_stop_api(dir);
            tl_cli_cloud_stop_broker(dir, pid);
            fprintf(stderr, "trustlink: cloud stopped\n");
            return TL_CLI_EXIT_OK;
        }
        if (w < 0 && errno != EINTR)
            break;
    }
    {
        char pidf[TL_CLOUD_PATH_MAX];
        if (tl_cli_cloud_path(pidf, sizeof pidf, dir, "mosquitto.pid") == 0)
            unlink(pidf);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        fprintf(stderr, "trustlink: the broker stopped\n");   /* cloud stop, elsewhere */
        return TL_CLI_EXIT_OK;
    }
    return tl_cli_fail("the broker exited (status %d); see %s/mosquitto.log",
                       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), dir);
}

static int cmd_start(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    tl_cli_cloud_state s;
    tl_cloud_conf cc;
    char dir[TL_CLOUD_PATH_MAX], err[ERRCAP], conf[8192], path[TL_CLOUD_PATH_MAX];
    char plugin[TL_CLOUD_PATH_MAX];
    const char *endpoint;
    int created, r = tl_cli_parse(cli, &a, prog, &start_help, argc, argv);
    long n;
    pid_t pid;

    if (r)
        return r < 0 ? TL_CLI_EXIT_OK : r;
    if (a.npos)
        return tl_cli_usage_error(prog, "unexpected argument '%s'", a.pos[0]);
    memset(&s, 0, sizeof s);
    if (port_opt(prog, &a, "mqtt-port", TL_CLOUD_DEFAULT_MQTT, &s.mqtt_port) ||
        port_opt(prog, &a, "api-port", TL_CLOUD_DEFAULT_API, &s.api_port))
        return TL_CLI_EXIT_USAGE;
    if (s.mqtt_port == s.api_port)
        return tl_cli_usage_error(prog, "--mqtt-port and --api-port must differ (both %u)",
                                  s.mqtt_port);
    endpoint = tl_cli_opt_value(&a, "endpoint");
    snprintf(s.endpoint, sizeof s.endpoint, "%s", endpoint && *endpoint ? endpoint : "localhost");
    if (tl_cli_cloud_init(tl_cli_cloud_dir_arg(tl_cli_opt_value(&a, "dir")), s.endpoint, dir,
                          sizeof dir, &created, err, sizeof err) != 0)
        return tl_cli_fail("%s", err);
    if (created) {
        fprintf(stderr, "trustlink: created the cloud in %s (CA, server certificate, "
                        "API key, registry)\n", dir);
    } else {
        /* The server certificate was made with the first start's endpoint. */
        tl_cli_cloud_state old;
        tl_cli_cloud_read_state(dir, &old);
        if (endpoint && *endpoint && strcmp(endpoint, old.endpoint) != 0)
            fprintf(stderr, "trustlink: note: --endpoint applies when the directory is "
                            "created; the server certificate names %s\n", old.endpoint);
        memcpy(s.endpoint, old.endpoint, sizeof s.endpoint);
    }

    if ((pid = tl_cli_cloud_running(dir)) > 0) {
        tl_cli_cloud_state cur;
        tl_cli_cloud_read_state(dir, &cur);
        if (tl_cli_opt_value(&a, "mqtt-port") && cur.mqtt_port != s.mqtt_port)
            fprintf(stderr, "trustlink: note: already running on MQTT port %u, not %u "
                            "(stop it first to change ports)\n", cur.mqtt_port, s.mqtt_port);
        if (!tl_cli_cloud_port_answers(cur.mqtt_port))
            fprintf(stderr, "trustlink: warning: broker pid %ld runs but 127.0.0.1:%u does "
                            "not answer (see %s/mosquitto.log)\n", (long)pid, cur.mqtt_port, dir);
        /* The API may have died alone: bring it back. */
        if (tl_cli_cloud_api_running(dir) <= 0 &&
            tl_cli_cloud_start_api(dir, cur.api_port, err, sizeof err) < 0)
            fprintf(stderr, "trustlink: warning: %s\n", err);
        fprintf(stderr, "trustlink: cloud already running (pid %ld)\n", (long)pid);
        print_info(cli, dir, pid, &cur, 1);
        return TL_CLI_EXIT_OK;
    }
    if (!tl_cli_cloud_port_free(s.mqtt_port))
        return tl_cli_fail("MQTT port %u on 127.0.0.1 is already in use by another program "
                           "(choose another with --mqtt-port)", s.mqtt_port);

    if (!tl_cli_cloud_port_free(s.api_port))
        return tl_cli_fail("API port %u on 127.0.0.1 is already in use by another program "
                           "(choose another with --api-port)", s.api_port);
    tl_cli_cloud_stop_api(dir);   /* a leftover of a broker that died */
    if (tl_cli_cloud_plugin_path(plugin, sizeof plugin, err, sizeof err) != 0)
        return tl_cli_fail("%s", err);
    memset(&cc, 0, sizeof cc);
    cc.dir = dir;
    cc.mqtt_port = s.mqtt_port;
    cc.plugin_path = plugin;
    cc.user = broker_user();
    n = tl_cloud_conf_render(&cc, conf, sizeof conf);
    if (n < 0)
        return tl_cli_fail("%s: cannot be used in mosquitto.conf (line break in the path?)", dir);
    if (tl_cli_cloud_path(path, sizeof path, dir, "mosquitto.conf") != 0 ||
        tl_fs_write_atomic(path, conf, (size_t)n, err, sizeof err) != 0 ||
        tl_cli_cloud_write_state(dir, &s, err, sizeof err) != 0)
        return tl_cli_fail("%s", err);
    pid = tl_cli_cloud_start_broker(dir, s.mqtt_port, err, sizeof err);
    if (pid < 0)
        return tl_cli_fail("%s", err);
    if (tl_cli_cloud_start_api(dir, s.api_port, err, sizeof err) < 0) {
        tl_cli_cloud_stop_broker(dir, pid);
        return tl_cli_fail("%s", err);
    }
    print_info(cli, dir, pid, &s, 0);
    if (tl_cli_opt_value(&a, "foreground"))
        return wait_foreground(dir, pid);
    return TL_CLI_EXIT_OK;
}

static const tl_cli_opt dir_opts[] = {
    { "dir", 0, "DIR", "cloud directory (default $TRUSTLINK_CLOUD_DIR, else ./trustlink-cloud)" },
    { NULL, 0, NULL, NULL }
};

static const tl_cli_help stop_help = {
    "[--dir DIR]", "Stop the cloud's broker (SIGTERM, then SIGKILL after 5 s). Stopping a\n"
    "cloud that is not running is not an error.", dir_opts, 0 };

static int cmd_stop(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    const char *dir;
    pid_t pid;
    int r = tl_cli_parse(cli, &a, prog, &stop_help, argc, argv);
    if (r)
        return r < 0 ? TL_CLI_EXIT_OK : r;
    if (a.npos)
        return tl_cli_usage_error(prog, "unexpected argument '%s'", a.pos[0]);
    dir = tl_cli_cloud_dir_arg(tl_cli_opt_value(&a, "dir"));
    pid = tl_cli_cloud_running(dir);
    tl_cli_cloud_stop_api(dir);
    if (pid <= 0) {
        if (cli->json)
            printf("{\"stopped\": false, \"running\": false}\n");
        else
            fprintf(stderr, "trustlink: cloud not running (%s)\n", dir);
        return TL_CLI_EXIT_OK;
    }
    r = tl_cli_cloud_stop_broker(dir, pid);
    if (cli->json)
        printf("{\"stopped\": true, \"pid\": %ld, \"killed\": %s}\n", (long)pid,
               r ? "true" : "false");
    else
        fprintf(stderr, "trustlink: cloud stopped (pid %ld%s)\n", (long)pid,
                r ? ", had to be killed after 5 s" : "");
    return TL_CLI_EXIT_OK;
}

static const tl_cli_help status_help = {
    "[--dir DIR] [--json]", "Say whether the cloud runs, with its pid, ports and the number of\n"
    "things, certificates and policies in its registry.", dir_opts, 0 };

static int cmd_status(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    tl_cli_cloud_state s;
    tl_registry *reg = NULL;
    char db[TL_CLOUD_PATH_MAX], err[ERRCAP], real[PATH_MAX];
    const char *dir;
    long things = 0, certs = 0, policies = 0;
    int r = tl_cli_parse(cli, &a, prog, &status_help, argc, argv), exists;
    pid_t pid, api_pid;

    if (r)
        return r < 0 ? TL_CLI_EXIT_OK : r;
    if (a.npos)
        return tl_cli_usage_error(prog, "unexpected argument '%s'", a.pos[0]);
    dir = tl_cli_cloud_dir_arg(tl_cli_opt_value(&a, "dir"));
    if (realpath(dir, real))
        dir = real;   /* say which directory, wherever the caller stands */
    tl_cli_cloud_path(db, sizeof db, dir, "registry.db");
    exists = tl_fs_exists(db);
    /* Only look at an existing registry: status must not create one. */
    if (exists) {
        if (tl_registry_open(&reg, db, err, sizeof err) != TL_REG_OK)
            return tl_cli_fail("%s", err);
        if (tl_registry_count(reg, &things, &certs, &policies) != TL_REG_OK) {
            r = tl_cli_fail("%s: %s", db, tl_registry_message(reg));
            tl_registry_close(reg);
            return r;
        }
        tl_registry_close(reg);
    }
    tl_cli_cloud_read_state(dir, &s);
    pid = tl_cli_cloud_running(dir);
    api_pid = tl_cli_cloud_api_running(dir);
    if (pid > 0 && !tl_cli_cloud_port_answers(s.mqtt_port))
        fprintf(stderr, "trustlink: warning: broker pid %ld runs but 127.0.0.1:%u does not "
                        "answer\n", (long)pid, s.mqtt_port);
    if (cli->json) {
        printf("{\"running\": %s, \"pid\": ", pid > 0 ? "true" : "false");
        if (pid > 0)
            printf("%ld, ", (long)pid);
        else
            printf("null, ");
        tl_cli_cloud_json_str("dir", dir, ", ");
        tl_cli_cloud_json_str("endpoint", s.endpoint, ", ");
        printf("\"initialized\": %s, \"mqtt_port\": %u, \"api_port\": %u, \"api\": ",
               exists ? "true" : "false", s.mqtt_port, s.api_port);
        if (api_pid > 0)
            printf("{\"pid\": %ld, \"url\": \"https://127.0.0.1:%u\"}, ", (long)api_pid,
                   s.api_port);
        else
            printf("null, ");
        printf("\"things\": %ld, \"certificates\": %ld, \"policies\": %ld}\n", things, certs,
               policies);
        return TL_CLI_EXIT_OK;
    }
    if (pid > 0)
        printf("running: yes (pid %ld)\n", (long)pid);
    else
        printf("running: no\n");
    printf("directory: %s%s\n", dir, exists ? "" : " (not created yet)");
    printf("mqtt: 127.0.0.1:%u (server certificate for localhost, 127.0.0.1, %s)\n",
           s.mqtt_port, s.endpoint);
    if (api_pid > 0)
        printf("api: https://127.0.0.1:%u (pid %ld)\n", s.api_port, (long)api_pid);
    else
        printf("api: not running (port %u)\n", s.api_port);
    printf("things: %ld\ncertificates: %ld\npolicies: %ld\n", things, certs, policies);
    return TL_CLI_EXIT_OK;
}

static const tl_cli_cmd ca_cmds[] = {
    { "sign-csr", "sign a device CSR and register the certificate", tl_cli_cloud_cmd_sign_csr, NULL },
    { NULL, NULL, NULL, NULL }
};

const tl_cli_cmd tl_cli_cloud_cmds[] = {
    { "start", "create (first time) and start the local cloud", cmd_start, NULL },
    { "stop", "stop the local cloud", cmd_stop, NULL },
    { "status", "is the cloud running; ports; registry counts", cmd_status, NULL },
    { "init", "create the cloud directory without starting it", tl_cli_cloud_cmd_init, NULL },
    { "ca", "use the cloud's certificate authority directly", NULL, ca_cmds },
    { "api", "run the API server in the foreground (internal; start runs it)", tl_cli_cloud_cmd_api, NULL },
    { "users", "add, list, remove API users and the actions they may perform", NULL, tl_cli_cloud_user_cmds },
    { "things", "list, describe, create, update, delete things (API)", NULL, tl_cli_cloud_thing_cmds },
    { "certs", "list, describe, update certificates (API)", NULL, tl_cli_cloud_cert_cmds },
    { "policies", "list, get, create, attach, detach policies (API)", NULL, tl_cli_cloud_policy_cmds },
    { "revoke", "revoke a certificate; the broker disconnects its devices", tl_cli_cloud_cmd_revoke, NULL },
    { NULL, NULL, NULL, NULL }
};
