/* trustlink cloud: the broker process (start, find, stop) and port checks. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../port/tl_fs.h"
#include "cloud_internal.h"

#define TAIL_LINES 8

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static struct sockaddr_in loopback(unsigned port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

int tl_cli_cloud_port_answers(unsigned port)
{
    struct sockaddr_in a = loopback(port);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;
    if (fd < 0)
        return 0;
    ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

int tl_cli_cloud_port_free(unsigned port)
{
    struct sockaddr_in a = loopback(port);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, ok;
    if (fd < 0)
        return 0;
    /* SO_REUSEADDR as the broker uses it: a port held only by TIME_WAIT
     * connections of a previous run counts as free. */
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 1) == 0;
    close(fd);
    return ok;
}

/* 1 if pid is a live (not zombie) process that is a mosquitto broker, as far
 * as /proc tells; without /proc, any live process counts. A pid file can
 * outlive its broker and the pid can be reused: never signal a stranger. */
static int is_broker(pid_t pid)
{
    char path[64], buf[512];
    FILE *f;
    size_t n;
    char *rp;
    if (pid <= 1 || kill(pid, 0) != 0)
        return 0;
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    if (!(f = fopen(path, "r")))
        return 1;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* "pid (comm) S ...": comm can hold spaces and parentheses, so the state
     * comes after the last ')'. */
    rp = strrchr(buf, ')');
    if (!rp || rp[1] != ' ' || rp[2] == 'Z' || rp[2] == 'X')
        return 0;
    return strstr(buf, "(mosquitto)") != NULL;
}

static int pid_path(char *path, size_t cap, const char *dir)
{
    return tl_cli_cloud_path(path, cap, dir, "mosquitto.pid");
}

pid_t tl_cli_cloud_running(const char *dir)
{
    char path[TL_CLOUD_PATH_MAX], buf[32], err[256];
    long pid;
    if (pid_path(path, sizeof path, dir) != 0 || tl_fs_read(path, buf, sizeof buf, err, sizeof err) < 0)
        return 0;
    pid = strtol(buf, NULL, 10);
    if (pid > 1 && is_broker((pid_t)pid))
        return (pid_t)pid;
    unlink(path);   /* stale */
    return 0;
}

/* Append the last TAIL_LINES lines of dir/name to err. */
static void append_tail(char *err, size_t errcap, const char *dir, const char *name)
{
    char path[TL_CLOUD_PATH_MAX], e[64];
    static char buf[65536];
    long n;
    int lines = 0;
    size_t used = strlen(err);
    if (tl_cli_cloud_path(path, sizeof path, dir, name) != 0)
        return;
    n = tl_fs_read(path, buf, sizeof buf, e, sizeof e);
    if (n <= 0)
        return;
    while (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    while (n > 0 && lines < TAIL_LINES)
        if (buf[--n] == '\n')
            lines++;
    snprintf(err + used, errcap - used, "\n%s:\n%s", name, buf + (n ? n + 1 : 0));
}

/* The child: a session of its own (no terminal signals), stdin from
 * /dev/null, stdout and stderr to dir/mosquitto.out, where the broker puts
 * what it says before its log file is open (config errors). */
static void exec_broker(const char *dir, const char *conf)
{
    char out[TL_CLOUD_PATH_MAX];
    const char *bin = getenv("TRUSTLINK_MOSQUITTO");
    int fd;
    if (!bin || !*bin)
        bin = "/usr/sbin/mosquitto";
    setsid();
    fd = open("/dev/null", O_RDONLY);
    if (fd >= 0) {
        dup2(fd, 0);
        close(fd);
    }
    if (tl_cli_cloud_path(out, sizeof out, dir, "mosquitto.out") == 0 &&
        (fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
    execl(bin, "mosquitto", "-c", conf, (char *)NULL);
    fprintf(stderr, "cannot run %s: %s\n", bin, strerror(errno));
    _exit(127);
}

/* The size of dir/name, 0 if it does not exist. */
static long file_size(const char *dir, const char *name)
{
    char path[TL_CLOUD_PATH_MAX];
    struct stat st;
    if (tl_cli_cloud_path(path, sizeof path, dir, name) != 0 || stat(path, &st) != 0)
        return 0;
    return (long)st.st_size;
}

/* 1 if the broker wrote "mosquitto version ... running" to its log after
 * offset: it says so only once every listener is set up. */
static int log_says_running(const char *dir, long offset)
{
    char path[TL_CLOUD_PATH_MAX], buf[4096];
    FILE *f;
    int found = 0;
    if (tl_cli_cloud_path(path, sizeof path, dir, "mosquitto.log") != 0 || !(f = fopen(path, "r")))
        return 0;
    if (fseek(f, offset, SEEK_SET) == 0)
        while (!found && fgets(buf, sizeof buf, f))
            found = strstr(buf, "mosquitto version") && strstr(buf, " running");
    fclose(f);
    return found;
}

pid_t tl_cli_cloud_start_broker(const char *dir, unsigned port, char *err, size_t errcap)
{
    char conf[TL_CLOUD_PATH_MAX], pidf[TL_CLOUD_PATH_MAX], text[32];
    pid_t pid;
    long waited, log_start = file_size(dir, "mosquitto.log");
    int answered = 0;

    if (tl_cli_cloud_path(conf, sizeof conf, dir, "mosquitto.conf") != 0 ||
        pid_path(pidf, sizeof pidf, dir) != 0) {
        snprintf(err, errcap, "%s: path too long", dir);
        return -1;
    }
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        snprintf(err, errcap, "cannot start the broker: %s", strerror(errno));
        return -1;
    }
    if (pid == 0)
        exec_broker(dir, conf);
    snprintf(text, sizeof text, "%ld\n", (long)pid);
    if (tl_fs_write_atomic(pidf, text, strlen(text), err, errcap) != 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        return -1;
    }
    for (waited = 0; waited <= TL_CLOUD_START_WAIT_MS; waited += 50) {
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            snprintf(err, errcap, "the broker exited during start (%s %d)",
                     WIFEXITED(status) ? "status" : "signal",
                     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
            unlink(pidf);
            append_tail(err, errcap, dir, "mosquitto.out");
            append_tail(err, errcap, dir, "mosquitto.log");
            return -1;
        }
        /* The port answers before the broker has loaded its certificates
         * (and a bad key makes it exit right after): wait for its own
         * "running" line as well. */
        answered = tl_cli_cloud_port_answers(port);
        if (answered && log_says_running(dir, log_start))
            return pid;
        sleep_ms(50);
    }
    if (answered && waitpid(pid, NULL, WNOHANG) == 0)
        return pid;   /* listening and alive, only its log is quiet */
    snprintf(err, errcap, "the broker did not listen on 127.0.0.1:%u within %d s", port,
             TL_CLOUD_START_WAIT_MS / 1000);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    unlink(pidf);
    append_tail(err, errcap, dir, "mosquitto.out");
    append_tail(err, errcap, dir, "mosquitto.log");
    return -1;
}

int tl_cli_cloud_stop_broker(const char *dir, pid_t pid)
{
    char pidf[TL_CLOUD_PATH_MAX];
    long waited;
    int killed = 0;

    kill(pid, SIGTERM);
    for (waited = 0; waited < TL_CLOUD_STOP_WAIT_MS; waited += 50) {
        /* Our own child (start --foreground) must be reaped to disappear. */
        waitpid(pid, NULL, WNOHANG);
        if (!is_broker(pid))
            break;
        sleep_ms(50);
    }
    if (is_broker(pid)) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, WNOHANG);
        killed = 1;
    }
    if (pid_path(pidf, sizeof pidf, dir) == 0)
        unlink(pidf);
    return killed;
}

int tl_cli_cloud_plugin_path(char *path, size_t cap, char *err, size_t errcap)
{
    const char *env = getenv("TRUSTLINK_PLUGIN");
    char exe[4096];
    ssize_t n;
    char *slash;
    if (env && env[0]) {
        if (access(env, R_OK) != 0) {
            snprintf(err, errcap, "TRUSTLINK_PLUGIN=%s: %s", env, strerror(errno));
            return -1;
        }
        snprintf(path, cap, "%s", env);
        return 0;
    }
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        snprintf(err, errcap, "cannot find the trustlink program: %s", strerror(errno));
        return -1;
    }
    exe[n] = '\0';
    slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    if ((size_t)snprintf(path, cap, "%s/trustlink_plugin.so", exe) >= cap ||
        access(path, R_OK) != 0) {
        snprintf(err, errcap, "the trustlink Mosquitto plugin is not at %s/trustlink_plugin.so "
                              "(build it with 'make build', or set TRUSTLINK_PLUGIN)", exe);
        return -1;
    }
    return 0;
}
