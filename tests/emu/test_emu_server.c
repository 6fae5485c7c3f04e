/* The socket server, run in a forked child on a temp socket, spoken to as the
 * driver's socket bus would. The child stops by itself (idle timeout). */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "emu/tl_emu_server.h"
#include "emu_util.h"

static int saves;

static int count_save(void *arg, tl_emu *e)
{
    (void)arg;
    saves++;
    tl_emu_mark_saved(e);
    return 0;
}

static int dial(const char *path)
{
    struct sockaddr_un a;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    strcpy(a.sun_path, path);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

static void read_n(int fd, uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        assert_true(r > 0);
        got += (size_t)r;
    }
}

/* One request; returns the reply status, the reply bytes in out/n. */
static int req(int fd, uint8_t op, uint16_t len, const uint8_t *payload, size_t plen,
               uint8_t *out, size_t *n)
{
    uint8_t hdr[3 + 200], rh[3];
    hdr[0] = op;
    hdr[1] = (uint8_t)len;
    hdr[2] = (uint8_t)(len >> 8);
    if (plen)
        memcpy(hdr + 3, payload, plen);
    assert_int_equal(write(fd, hdr, 3 + plen), (ssize_t)(3 + plen));
    read_n(fd, rh, 3);
    *n = (size_t)rh[1] | ((size_t)rh[2] << 8);
    if (*n)
        read_n(fd, out, *n);
    return rh[0];
}

static void test_server(void **state)
{
    char dir[] = "/tmp/tl_emu_test_XXXXXX", path[128], err[256];
    uint8_t out[600], w[1 + TL_ATCA_CMD_MAX], crc[2];
    size_t n;
    int lfd, fd, wst;
    pid_t pid;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/chip.sock", dir);
    lfd = tl_emu_server_listen(path, err, sizeof err);
    assert_true(lfd >= 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        tl_emu_server_opts o;
        tl_emu *e = malloc(tl_emu_context_size());
        int r;
        tl_emu_init(e, TL_ATCA_MODEL_508A, 8);
        memset(&o, 0, sizeof o);
        o.idle_timeout_s = 1;
        o.save = count_save;
        r = tl_emu_server_run(e, lfd, &o, err, sizeof err);
        _exit(r == 0 ? (saves > 9 ? 9 : saves) : 100);
    }
    close(lfd);
    /* A second server on a live socket is refused. */
    assert_int_equal(tl_emu_server_listen(path, err, sizeof err), -1);
    assert_non_null(strstr(err, "in use"));

    fd = dial(path);
    w[0] = TL_ATCA_WA_RESET;
    assert_int_equal(req(fd, 'W', 1, w, 1, out, &n), 1);      /* asleep: NACK */
    assert_int_equal(n, 0);
    assert_int_equal(req(fd, 'R', 4, NULL, 0, out, &n), 1);
    assert_int_equal(req(fd, 'K', 0, NULL, 0, out, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(out[1], 0x11);
    w[0] = TL_ATCA_WA_COMMAND;
    n = 1 + emu_packet(w + 1, TL_ATCA_OP_INFO, 0, 0, NULL, 0);
    assert_int_equal(req(fd, 'W', (uint16_t)n, w, n, out, &n), 0);
    assert_int_equal(n, 0);
    w[0] = TL_ATCA_WA_RESET;
    assert_int_equal(req(fd, 'W', 1, w, 1, out, &n), 0);
    assert_int_equal(req(fd, 'R', 1, NULL, 0, out, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(out[0], 7);
    assert_int_equal(req(fd, 'R', 6, NULL, 0, out + 1, &n), 0);
    assert_int_equal(n, 6);
    assert_int_equal(out[3], 0x50);
    tl_atca_crc(out, 5, crc);
    assert_memory_equal(crc, out + 5, 2);
    /* Lock config: the EEPROM changes, the server saves. */
    w[0] = TL_ATCA_WA_COMMAND;
    n = 1 + emu_packet(w + 1, TL_ATCA_OP_LOCK, 0x80, 0, NULL, 0);
    assert_int_equal(req(fd, 'W', (uint16_t)n, w, n, out, &n), 0);
    /* Unknown op: NACK, then the server hangs up. */
    assert_int_equal(req(fd, 'Z', 0, NULL, 0, out, &n), 1);
    assert_int_equal(read(fd, out, 1), 0);
    close(fd);

    /* The next client finds the same chip, still awake. */
    fd = dial(path);
    w[0] = TL_ATCA_WA_RESET;
    assert_int_equal(req(fd, 'W', 1, w, 1, out, &n), 0);
    assert_int_equal(req(fd, 'R', 4, NULL, 0, out, &n), 0);
    assert_int_equal(out[0], 4);
    assert_int_equal(out[1], 0x00);                 /* the Lock's status */
    assert_int_equal(req(fd, 'R', 600, NULL, 0, out, &n), 1);   /* oversized */
    assert_int_equal(read(fd, out, 1), 0);
    close(fd);

    assert_int_equal(waitpid(pid, &wst, 0), pid);
    assert_true(WIFEXITED(wst));
    assert_true(WEXITSTATUS(wst) >= 1 && WEXITSTATUS(wst) < 100);
    /* The child left its socket file behind: stale, so it is replaced. */
    lfd = tl_emu_server_listen(path, err, sizeof err);
    assert_true(lfd >= 0);
    close(lfd);
    unlink(path);
    /* Something that is not a socket is never removed. */
    fd = open(path, O_CREAT | O_WRONLY, 0600);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(tl_emu_server_listen(path, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a socket"));
    assert_int_equal(access(path, F_OK), 0);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
