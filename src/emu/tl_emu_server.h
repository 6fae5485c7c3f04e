/*
 * tl_emu_server: serve one tl_emu over the emulator socket protocol
 * (../shared/DESIGN.md, "Emulator socket protocol") on a Unix stream socket.
 * POSIX, host only; the chip itself stays in the platform-free core.
 *
 * Clients are served one at a time; a client leaving does not stop the
 * server. A request the protocol does not allow (unknown op, len above
 * TL_EMU_SERVER_MAX_LEN) gets a NACK reply and the client is disconnected.
 */
#ifndef TL_EMU_SERVER_H
#define TL_EMU_SERVER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "tl_emu.h"

/* Largest W payload or R count accepted in one request. */
#define TL_EMU_SERVER_MAX_LEN 512

typedef struct {
    /* Return when no client has been connected for this many seconds
     * (counted from the start or the last disconnect); 0 = never. */
    int idle_timeout_s;
    /* Return when *stop becomes nonzero (set it from a signal handler). */
    volatile sig_atomic_t *stop;
    /* Called after a W that changed the EEPROM; nonzero stops the server
     * with an error. May be NULL (nothing persisted). */
    int (*save)(void *arg, tl_emu *e);
    void *save_arg;
} tl_emu_server_opts;

/*
 * Create the listening socket at path. A stale socket file (nobody
 * listening) is replaced; a live one or another kind of file is an error.
 * Returns the fd, or -1 with a message in err.
 */
int tl_emu_server_listen(const char *path, char *err, size_t errcap);

/* Serve until idle timeout or stop: 0. On a fatal error -1 with err. */
int tl_emu_server_run(tl_emu *e, int listen_fd, const tl_emu_server_opts *o,
                      char *err, size_t errcap);

/* CLOCK_MONOTONIC in microseconds; a tl_emu_clock_fn for --timing. */
uint64_t tl_emu_server_clock(void *arg);

#endif
