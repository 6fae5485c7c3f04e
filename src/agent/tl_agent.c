/* tl_agent: settings from the shadow, the reported state, telemetry. */
#include <stdio.h>
#include <string.h>

#include "tl_agent.h"

static uint32_t clamp_interval_ms(uint32_t ms)
{
    if (ms < 10u)
        return 10u;
    return ms > TL_AGENT_INTERVAL_MAX * 1000u ? TL_AGENT_INTERVAL_MAX * 1000u : ms;
}

void tl_agent_init(tl_agent *a, uint32_t interval_ms, uint32_t boot, uint32_t now_ms)
{
    memset(a, 0, sizeof *a);
    a->interval_ms = clamp_interval_ms(interval_ms);
    a->boot = boot;
    a->start_ms = now_ms;
    a->next_ms = now_ms;
    a->report_due = 1;
}

/* Append "; text" or "text" to note. */
static void note_add(char *note, size_t cap, const char *text)
{
    size_t n = strlen(note);
    if (cap > n)
        snprintf(note + n, cap - n, "%s%s", n ? "; " : "", text);
}

static int apply_interval(tl_agent *a, tl_shadow_span state, char *note, size_t cap)
{
    long v;
    tl_shadow_status st = tl_shadow_json_long(state, "interval", &v);
    if (st == TL_SHADOW_ERR_NOT_FOUND)
        return 0;
    if (st != TL_SHADOW_OK || v < (long)TL_AGENT_INTERVAL_MIN || v > (long)TL_AGENT_INTERVAL_MAX) {
        note_add(note, cap, "interval must be an integer 1..86400 seconds: kept");
        return 0;
    }
    if ((uint32_t)v * 1000u == a->interval_ms)
        return 0;
    /* The next message moves with the interval: due one new interval after
     * the last one, or now if that is already past. */
    a->next_ms = a->next_ms - a->interval_ms + (uint32_t)v * 1000u;
    a->interval_ms = (uint32_t)v * 1000u;
    return TL_AGENT_CHANGED_INTERVAL;
}

static int apply_led(tl_agent *a, tl_shadow_span state, char *note, size_t cap)
{
    char text[8];
    int on;
    tl_shadow_status st = tl_shadow_json_str(state, "led", text, sizeof text);
    if (st == TL_SHADOW_ERR_NOT_FOUND)
        return 0;
    if (st == TL_SHADOW_OK && (strcmp(text, "on") == 0 || strcmp(text, "off") == 0))
        on = text[1] == 'n';
    else if (tl_shadow_json_bool(state, "led", &on) != TL_SHADOW_OK) {
        note_add(note, cap, "led must be \"on\" or \"off\": kept");
        return 0;
    }
    if (on == a->led)
        return 0;
    a->led = on;
    return TL_AGENT_CHANGED_LED;
}

int tl_agent_apply(tl_agent *a, tl_shadow_span state, char *note, size_t note_cap)
{
    tl_shadow_span unused;
    int changed;
    if (note_cap)
        note[0] = '\0';
    /* A member lookup validates the object; a missing key is fine. */
    if (tl_shadow_json_find(state, "", &unused) == TL_SHADOW_ERR_JSON)
        return -1;
    changed = apply_interval(a, state, note, note_cap) | apply_led(a, state, note, note_cap);
    a->report_due = 1;
    return changed;
}

size_t tl_agent_reported(const tl_agent *a, char *out, size_t cap)
{
    int n = snprintf(out, cap, "{\"interval\":%lu,\"led\":\"%s\"}",
                     (unsigned long)((a->interval_ms + 500u) / 1000u), a->led ? "on" : "off");
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

int tl_agent_due(const tl_agent *a, uint32_t now_ms)
{
    /* Wrap-safe: due once now has reached next (within half the range). */
    return (int32_t)(now_ms - a->next_ms) >= 0;
}

size_t tl_agent_telemetry(tl_agent *a, uint32_t now_ms, char *out, size_t cap)
{
    int n = snprintf(out, cap,
                     "{\"boot\":%lu,\"seq\":%lu,\"uptime_s\":%lu,\"led\":\"%s\",\"interval\":%lu}",
                     (unsigned long)a->boot, (unsigned long)(a->seq + 1),
                     (unsigned long)((now_ms - a->start_ms) / 1000u), a->led ? "on" : "off",
                     (unsigned long)((a->interval_ms + 500u) / 1000u));
    if (n <= 0 || (size_t)n >= cap)
        return 0;
    a->seq++;
    a->next_ms += a->interval_ms;
    /* After a long stall (offline, suspended) do not fire a burst: the
     * next message is one interval from now. */
    if ((int32_t)(now_ms - a->next_ms) >= 0)
        a->next_ms = now_ms + a->interval_ms;
    return (size_t)n;
}
