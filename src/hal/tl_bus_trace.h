/*
 * tl_bus_trace: a bus that wraps another and reports every frame, in both
 * directions, to a caller-supplied callback (device side, C99, no malloc).
 *
 * It is how the tests prove that no private key byte ever crosses the bus,
 * and how `trustlink chip ... --trace FILE` records a session. Events:
 *   'K'  a wake pulse; data = the 4 bytes read after it (if acknowledged)
 *   'W'  a write; data = word address + payload, as sent
 *   'R'  a read; data = the bytes received (if acknowledged)
 * rc is the inner bus's result (TL_BUS_OK, TL_BUS_NACK, TL_BUS_IO).
 */
#ifndef TL_BUS_TRACE_H
#define TL_BUS_TRACE_H

#include "tl_bus.h"

typedef void (*tl_bus_trace_fn)(void *arg, char op, const uint8_t *data, size_t len,
                                int rc);

typedef struct {
    const tl_bus_class *vtable;
    const tl_bus_class **inner;
    tl_bus_trace_fn fn;
    void *arg;
} tl_bus_trace;

/* Wrap inner; fn(arg, ...) sees every frame. */
void tl_bus_trace_init(tl_bus_trace *t, const tl_bus_class **inner, tl_bus_trace_fn fn,
                       void *arg);

/*
 * Format one event as text lines, each ending in '\n':
 *   K                          (then "R 04 11 33 43" for the wake response)
 *   W 03 07 30 00 00 00 03 5d
 *   R 04 11 33 43
 *   NACK                       (after the op line when not acknowledged)
 *   IO                         (the bus failed)
 * Returns the length written (truncated to cap - 1, always NUL-terminated).
 */
size_t tl_bus_trace_format(char op, const uint8_t *data, size_t len, int rc, char *out,
                           size_t cap);

#endif
