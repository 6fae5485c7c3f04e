/*
 * `trustlink cloud api`: the API server process (tl_api), and how `cloud
 * start|stop|status` run it beside the broker: its own process (pid file
 * api.pid, log api.log) so that a crash or a hang in one never takes the
 * other down, and `cloud stop` can stop each by pid.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../cloud/tl_api.h"
#include "../cloud/tl_ca.h"
#include "../port/tl_fs.h"
#include "cloud_internal.h"
#include "tl_cli.h"

/* The account id in ARNs: AWS's documentation placeholder, since a local
 * cloud has no account. */
#define API_ACCOUNT "123456789012"
#define API_REGION "us-east-1"

static const tl_cli_opt api_opts[] = {
    { "dir", 0, "DIR", "cloud directory (default $TRUSTLINK_CLOUD_DIR, else ./trustlink-cloud)" },
    { "port", 0, "N", "port on 127.0.0.1 (default: api_port of the last cloud start)" },
    { NULL, 0, NULL, NULL }
};

static const tl_cli_help api_help = {
    "[--dir DIR] [--port N]",
    "Run the cloud's AWS-IoT-compatible HTTPS API in the foreground (internal:\n"
    "`cloud start` runs it in the background). Every request must be SigV4-signed\n"
    "with a key in DIR/credentials (the admin's, or a user's from `cloud users`,\n"
    "re-read when the file changes). Exits on SIGTERM/SIGINT and when the\n"
    "cloud's broker is no longer running.",
    api_opts, 0 };

static volatile sig_atomic_t api_stop;
static void on_signal(int sig) { api_stop = sig; }

static int read_in(const char *dir, const char *name, char **text, char *err, size_t errcap)
{
    char path[TL_CLOUD_PATH_MAX];
    if (tl_cli_cloud_path(path, sizeof path, dir, name) != 0)
        return snprintf(err, errcap, "%s: path too long", dir), -1;
    return tl_ca_read_file(path, text, err, errcap) == TL_CA_OK ? 0 : -1;
}

static void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_line(const char *fmt, ...)
{
    va_list ap;
    char ts[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(stderr, "%s ", ts);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

static int cmd_api(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    tl_cli_cloud_state s;
    char err[2048], id[128], secret[128], db[TL_CLOUD_PATH_MAX], creds[TL_CLOUD_PATH_MAX];
    char *ca_key = NULL, *ca_cert = NULL, *key = NULL, *cert = NULL;
    tl_api *api = NULL;
    int r = tl_cli_parse(cli, &a, prog, &api_help, argc, argv);
    long port;
    if (r)
        return r < 0 ? TL_CLI_EXIT_OK : r;
    const char *dir = tl_cli_cloud_dir_arg(tl_cli_opt_value(&a, "dir"));
    tl_cli_cloud_read_state(dir, &s);
    port = s.api_port;
    if (tl_cli_opt_value(&a, "port") &&
        tl_cli_parse_long(prog, "--port", tl_cli_opt_value(&a, "port"), 1, 65535, &port) != 0)
        return TL_CLI_EXIT_USAGE;
    if (tl_cli_cloud_read_creds(dir, id, sizeof id, secret, sizeof secret, err, sizeof err) ||
        read_in(dir, "ca.key", &ca_key, err, sizeof err) ||
        read_in(dir, "ca.pem", &ca_cert, err, sizeof err) ||
        read_in(dir, "server.key", &key, err, sizeof err) ||
        read_in(dir, "server.pem", &cert, err, sizeof err) ||
        tl_cli_cloud_path(db, sizeof db, dir, "registry.db") != 0 ||
        tl_cli_cloud_path(creds, sizeof creds, dir, "credentials") != 0) {
        r = tl_cli_fail("%s", err);
        goto out;
    }
    /* AWS answers DescribeEndpoint with a host name and the device uses
     * port 8883; the local broker often listens elsewhere, so then the
     * address carries the port ("localhost:18883"), which mqtt.server takes. */
    char endpoint[sizeof s.endpoint + 8];
    if (s.mqtt_port == 8883)
        snprintf(endpoint, sizeof endpoint, "%s", s.endpoint);
    else
        snprintf(endpoint, sizeof endpoint, "%s:%u", s.endpoint, s.mqtt_port);
    /* The users come from the credentials file, re-read by the API when it
     * changes, so `cloud users add|remove` apply to a running cloud. */
    tl_api_config cfg = { (unsigned)port, db, ca_key, ca_cert, key, cert, 0, id, secret,
                          API_REGION, API_ACCOUNT, endpoint, 365, creds };
    if (!tl_api_tls_supported()) {
        /* Never block development on a libmicrohttpd without TLS, but say so
         * loudly: plain HTTP stays on the loopback interface only. */
        log_line("WARNING: this libmicrohttpd has no TLS; serving PLAIN HTTP on "
                 "127.0.0.1:%u", (unsigned)port);
        cfg.plain_http = 1;
    }
    if (tl_api_start(&api, &cfg, err, sizeof err) != 0) {
        r = tl_cli_fail("%s", err);
        goto out;
    }
    log_line("API listening on %s://127.0.0.1:%u", cfg.plain_http ? "http" : "https",
             (unsigned)port);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    /* The broker is the cloud: when it is gone (cloud stop, crash), so are we. */
    while (!api_stop && tl_cli_cloud_running(dir) > 0) {
        struct timespec ts = { 0, 200 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    log_line("API stopping (%s)", api_stop ? "signal" : "broker gone");
    tl_api_stop(api);
    r = TL_CLI_EXIT_OK;
out:
    memset(secret, 0, sizeof secret);
    free(ca_key);
    free(ca_cert);
    free(key);
    free(cert);
    return r;
}

/* 1 if pid lives and is a trustlink process (pids get reused). */
static int is_api(pid_t pid)
{
    char path[64], buf[256];
    FILE *f;
    size_t n;
    if (pid <= 1 || kill(pid, 0) != 0)
        return 0;
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    if (!(f = fopen(path, "r")))
        return 1;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *rp = strrchr(buf, ')');
    if (!rp || rp[1] != ' ' || rp[2] == 'Z' || rp[2] == 'X')
        return 0;
    return strstr(buf, "(trustlink)") != NULL;
}

pid_t tl_cli_cloud_api_running(const char *dir)
{
    char path[TL_CLOUD_PATH_MAX], buf[32], err[256];
    if (tl_cli_cloud_path(path, sizeof path, dir, "api.pid") != 0 ||
        tl_fs_read(path, buf, sizeof buf, err, sizeof err) < 0)
        return 0;
    long pid = strtol(buf, NULL, 10);
    if (is_api((pid_t)pid))
        return (pid_t)pid;
    unlink(path);
    return 0;
}

pid_t tl_cli_cloud_start_api(const char *dir, unsigned port, char *err, size_t errcap)
{
    char exe[TL_CLOUD_PATH_MAX], logp[TL_CLOUD_PATH_MAX], pidf[TL_CLOUD_PATH_MAX], text[32];
    char portarg[16];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0 || tl_cli_cloud_path(logp, sizeof logp, dir, "api.log") != 0 ||
        tl_cli_cloud_path(pidf, sizeof pidf, dir, "api.pid") != 0) {
        snprintf(err, errcap, "cannot find the trustlink program or the cloud directory");
        return -1;
    }
    exe[n] = '\0';
    snprintf(portarg, sizeof portarg, "%u", port);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return snprintf(err, errcap, "cannot start the API: %s", strerror(errno)), -1;
    if (pid == 0) {
        setsid();
        int fd = open("/dev/null", O_RDONLY);
        if (fd >= 0)
            dup2(fd, 0);
        fd = open(logp, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execl(exe, "trustlink", "cloud", "api", "--dir", dir, "--port", portarg, (char *)NULL);
        _exit(127);
    }
    snprintf(text, sizeof text, "%ld\n", (long)pid);
    if (tl_fs_write_atomic(pidf, text, strlen(text), err, errcap) != 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        return -1;
    }
    for (int waited = 0; waited <= TL_CLOUD_START_WAIT_MS; waited += 50) {
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            unlink(pidf);
            snprintf(err, errcap, "the API server exited during start; see %s", logp);
            return -1;
        }
        if (tl_cli_cloud_port_answers(port))
            return pid;
        struct timespec ts = { 0, 50 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    unlink(pidf);
    snprintf(err, errcap, "the API server did not listen on 127.0.0.1:%u; see %s", port, logp);
    return -1;
}

int tl_cli_cloud_stop_api(const char *dir)
{
    char pidf[TL_CLOUD_PATH_MAX];
    pid_t pid = tl_cli_cloud_api_running(dir);
    int killed = 0;
    if (pid <= 0)
        return 0;
    kill(pid, SIGTERM);
    for (int waited = 0; waited < TL_CLOUD_STOP_WAIT_MS && is_api(pid); waited += 50) {
        waitpid(pid, NULL, WNOHANG);
        struct timespec ts = { 0, 50 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    if (is_api(pid)) {
        kill(pid, SIGKILL);
        killed = 1;
    }
    if (tl_cli_cloud_path(pidf, sizeof pidf, dir, "api.pid") == 0)
        unlink(pidf);
    return killed;
}

int tl_cli_cloud_cmd_api(tl_cli *cli, const char *prog, int argc, char **argv)
{
    return cmd_api(cli, prog, argc, argv);
}
