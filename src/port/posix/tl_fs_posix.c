/* tl_fs on POSIX: open/read/fsync/rename. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../tl_fs.h"

static void set_err(char *err, size_t errcap, const char *what, const char *path)
{
    if (err && errcap)
        snprintf(err, errcap, "%s %s: %s", what, path, strerror(errno));
}

long tl_fs_read(const char *path, char *buf, size_t cap, char *err, size_t errcap)
{
    size_t n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        set_err(err, errcap, "cannot open", path);
        return -1;
    }
    for (;;) {
        ssize_t r;
        if (n + 1 >= cap) {
            char extra;
            r = read(fd, &extra, 1);
            close(fd);
            if (r > 0) {
                if (err && errcap)
                    snprintf(err, errcap, "%s: file too large (limit %zu bytes)", path, cap - 1);
                return -2;
            }
            break;
        }
        r = read(fd, buf + n, cap - 1 - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            set_err(err, errcap, "cannot read", path);
            close(fd);
            return -1;
        }
        if (r == 0) {
            close(fd);
            break;
        }
        n += (size_t)r;
    }
    buf[n] = '\0';
    return (long)n;
}

static int sync_parent_dir(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    int fd, rc;
    if (!slash) {
        strcpy(dir, ".");
    } else {
        size_t n = (size_t)(slash - path);
        if (n == 0)
            n = 1;
        if (n >= sizeof dir)
            return -1;
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

int tl_fs_write_atomic(const char *path, const void *data, size_t len,
                       char *err, size_t errcap)
{
    char tmp[4096];
    const char *p = data;
    size_t off = 0;
    int fd;

    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp) {
        if (err && errcap)
            snprintf(err, errcap, "path too long: %s", path);
        return -1;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        set_err(err, errcap, "cannot create", tmp);
        return -1;
    }
    while (off < len) {
        ssize_t w = write(fd, p + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            set_err(err, errcap, "cannot write", tmp);
            close(fd);
            unlink(tmp);
            return -1;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0) {
        set_err(err, errcap, "cannot sync", tmp);
        close(fd);
        unlink(tmp);
        return -1;
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        set_err(err, errcap, "cannot replace", path);
        unlink(tmp);
        return -1;
    }
    (void)sync_parent_dir(path);
    return 0;
}

int tl_fs_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}
