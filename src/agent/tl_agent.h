/*
 * tl_agent: what the device agent does between the MQTT client and its
 * shadow (device side: C99, no allocation, no globals, no I/O).
 *
 * The agent owns two settings the cloud may change through the shadow's
 * desired state, and reports them back:
 *   "interval"  seconds between telemetry messages (1..86400)
 *   "led"       "on" or "off" (an LED-like switch; true/false accepted too)
 * and a telemetry message it publishes every interval:
 *   {"boot":B,"seq":N,"uptime_s":S,"led":"on","interval":10}
 * where B identifies this run of the agent (a boot counter or a random
 * number from the caller), so that (boot, seq) names every message ever
 * sent and a receiver can tell a resend from a new message.
 *
 * The I/O loop (trustlink agent, or a port's main loop) calls:
 *   tl_agent_apply()       with each shadow delta's state
 *   tl_agent_reported()    to build the reported state when report_due is set
 *   tl_agent_due()         and tl_agent_telemetry() to publish on time
 */
#ifndef TL_AGENT_H
#define TL_AGENT_H

#include <stddef.h>
#include <stdint.h>

#include "../shadow/tl_shadow.h"

#define TL_AGENT_INTERVAL_MIN 1u
#define TL_AGENT_INTERVAL_MAX 86400u

/* tl_agent_apply's result bits. */
#define TL_AGENT_CHANGED_INTERVAL 1
#define TL_AGENT_CHANGED_LED 2

typedef struct {
    uint32_t interval_ms;     /* the CLI may go below a second (tests, benches) */
    uint32_t boot;
    int led;                  /* 0 off, 1 on */
    uint32_t start_ms;        /* tl_agent_init's now: uptime counts from it */
    uint32_t next_ms;         /* when the next telemetry is due */
    uint32_t seq;             /* telemetry messages built so far */
    int report_due;           /* the reported state must be (re)sent */
} tl_agent;

/* Start with interval_ms (10 ms .. 86400 s), LED off, the first telemetry
 * due at once and a report due. boot names this run in the telemetry. */
void tl_agent_init(tl_agent *a, uint32_t interval_ms, uint32_t boot, uint32_t now_ms);

/*
 * Apply a delta (its "state" object). Known members change the settings;
 * unknown members and bad values are left alone and described in note
 * (NUL-terminated, "" when there was nothing to say), since the cloud may
 * ask for things this device cannot do. Sets report_due whenever the delta
 * held anything, so that the shadow converges (the reported state then
 * shows what the device really has). Returns TL_AGENT_CHANGED_* bits, or -1
 * if state is not a JSON object.
 */
int tl_agent_apply(tl_agent *a, tl_shadow_span state, char *note, size_t note_cap);

/* The reported object, {"interval":10,"led":"off"} (interval in whole
 * seconds, rounded). Returns its length, or
 * 0 if cap is too small. */
size_t tl_agent_reported(const tl_agent *a, char *out, size_t cap);

/* 1 when a telemetry message is due at now_ms. */
int tl_agent_due(const tl_agent *a, uint32_t now_ms);

/* Build the next telemetry message and schedule the one after it. Returns
 * its length, or 0 if cap is too small (nothing changes then). */
size_t tl_agent_telemetry(tl_agent *a, uint32_t now_ms, char *out, size_t cap);

#endif
