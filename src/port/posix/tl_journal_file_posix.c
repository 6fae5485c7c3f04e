/* The journal's file store on POSIX: pread, O_APPEND writes, fdatasync,
 * and compaction by write-sync-rename. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../tl_journal_file.h"

static int write_all(int fd, const uint8_t *p, size_t len)
{
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

static long jf_size(const tl_mqtt_journal_store_class **ctx)
{
    struct stat st;
    if (fstat(((tl_journal_file *)ctx)->fd, &st) != 0 || st.st_size > 0x7FFFFFFFL)
        return -1;
    return (long)st.st_size;
}

static int jf_read(const tl_mqtt_journal_store_class **ctx, uint32_t off, uint8_t *buf,
                   size_t len)
{
    int fd = ((tl_journal_file *)ctx)->fd;
    while (len) {
        ssize_t r = pread(fd, buf, len, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        buf += r;
        off += (uint32_t)r;
        len -= (size_t)r;
    }
    return 0;
}

static int jf_append(const tl_mqtt_journal_store_class **ctx, const uint8_t *buf, size_t len,
                     int sync)
{
    tl_journal_file *f = (tl_journal_file *)ctx;
    if (write_all(f->fd, buf, len) != 0 || (sync && fdatasync(f->fd) != 0)) {
        f->error = errno;
        return -1;
    }
    /* fdatasync: data only, but the size change is metadata it also writes. */
    return 0;
}

static int jf_begin(const tl_mqtt_journal_store_class **ctx)
{
    tl_journal_file *f = (tl_journal_file *)ctx;
    if (f->tmp_fd >= 0)
        close(f->tmp_fd);
    f->tmp_fd = open(f->tmp, O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
    if (f->tmp_fd < 0)
        f->error = errno;
    return f->tmp_fd >= 0 ? 0 : -1;
}

static int jf_rewrite(const tl_mqtt_journal_store_class **ctx, const uint8_t *buf, size_t len)
{
    tl_journal_file *f = (tl_journal_file *)ctx;
    if (f->tmp_fd < 0)
        return -1;
    if (write_all(f->tmp_fd, buf, len) != 0) {
        f->error = errno;
        return -1;
    }
    return 0;
}

static int jf_commit(const tl_mqtt_journal_store_class **ctx)
{
    tl_journal_file *f = (tl_journal_file *)ctx;
    char dir[512];
    char *slash;
    int dfd;
    if (f->tmp_fd < 0)
        return -1;
    if (fsync(f->tmp_fd) != 0 || flock(f->tmp_fd, LOCK_EX | LOCK_NB) != 0 ||
        rename(f->tmp, f->path) != 0) {
        f->error = errno;
        close(f->tmp_fd);
        f->tmp_fd = -1;
        unlink(f->tmp);
        return -1;
    }
    /* The rename itself must survive a power cut: sync the directory. */
    snprintf(dir, sizeof dir, "%s", f->path);
    slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    close(f->fd);
    f->fd = f->tmp_fd;
    f->tmp_fd = -1;
    return 0;
}

static const tl_mqtt_journal_store_class file_class = {
    jf_size, jf_read, jf_append, jf_begin, jf_rewrite, jf_commit };

int tl_journal_file_open(tl_journal_file *f, const char *path, char *err, size_t errcap)
{
    memset(f, 0, sizeof *f);
    f->vtable = &file_class;
    f->fd = f->tmp_fd = -1;
    signal(SIGXFSZ, SIG_IGN);
    if (!path[0] || strlen(path) >= sizeof f->path) {
        snprintf(err, errcap, "mqtt.queue_path '%s': empty or too long", path);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s", path);
    snprintf(f->tmp, sizeof f->tmp, "%s.tmp", path);
    f->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (f->fd < 0) {
        snprintf(err, errcap, "mqtt.queue_path: cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(f->fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf(err, errcap, "mqtt.queue_path: %s is in use by another process", path);
        close(f->fd);
        f->fd = -1;
        return -1;
    }
    return 0;
}

void tl_journal_file_close(tl_journal_file *f)
{
    if (f->fd >= 0)
        close(f->fd);
    if (f->tmp_fd >= 0)
        close(f->tmp_fd);
    f->fd = f->tmp_fd = -1;
}
