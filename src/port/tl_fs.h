/*
 * tl_fs: the little file access the host tools and the POSIX port need.
 *
 * Writes are atomic: the data goes to a temporary file beside the target,
 * is flushed to disk (fsync), and replaces the target with rename(), and the
 * directory is synced so the rename itself survives a power cut. A crash at
 * any point leaves either the old file or the new one, never half of either.
 */
#ifndef TL_FS_H
#define TL_FS_H

#include <stddef.h>

/*
 * Read a whole file into buf (NUL-terminated). Returns its length, or -1 with
 * a message in err (errno text) if it cannot be read, or -2 if it is larger
 * than cap - 1 bytes.
 */
long tl_fs_read(const char *path, char *buf, size_t cap, char *err, size_t errcap);

/* Replace path atomically with data[0..len), mode 0600 for a new file
 * (configs and journals can name secrets' locations). 0 or -1 with err. */
int tl_fs_write_atomic(const char *path, const void *data, size_t len,
                       char *err, size_t errcap);

/* 1 if path exists, 0 if not. */
int tl_fs_exists(const char *path);

#endif
