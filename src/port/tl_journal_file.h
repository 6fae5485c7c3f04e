/*
 * tl_journal_file: the QoS 1 journal's storage in a file (POSIX port).
 *
 * Appends go to the end of the file (O_APPEND); a synced append ends with
 * fdatasync(). Compaction writes PATH.tmp, syncs it, renames it over PATH
 * and syncs the directory, so a crash leaves the old journal or the new one.
 * The file is locked (flock) while open: one process owns a journal.
 * Opening one ignores SIGXFSZ for the process, so that a file size limit
 * (RLIMIT_FSIZE) shows up as a failed write (EFBIG, kept in error) like a
 * full disk, instead of killing the device process.
 */
#ifndef TL_JOURNAL_FILE_H
#define TL_JOURNAL_FILE_H

#include <stddef.h>

#include "../mqtt/tl_mqtt_journal.h"

typedef struct {
    const tl_mqtt_journal_store_class *vtable;
    int fd;
    int tmp_fd;
    char path[512];
    char tmp[520];
    int error;     /* errno of the last failed write, sync or rename (0: none) */
} tl_journal_file;

/* Open (or create, mode 0600) the journal file at path and lock it.
 * 0, or -1 with a message naming the file in err. */
int tl_journal_file_open(tl_journal_file *f, const char *path, char *err, size_t errcap);

/* Close the file (idempotent). */
void tl_journal_file_close(tl_journal_file *f);

#endif
