/*
 * tl_shadow_svc: the Device Shadow service's document logic (cloud side).
 *
 * Pure functions over JSON text: given the stored shadow (or none) and a
 * request, they produce the new stored shadow and every message AWS IoT
 * would publish (accepted, delta, documents) or the error document. The
 * Mosquitto plugin and the data-plane HTTP API both call these, so MQTT and
 * REST behave the same, and the rules live in one place:
 *   - update merges desired/reported into the stored state; null deletes a
 *     key; objects merge recursively; arrays and scalars replace;
 *   - every updated leaf gets a metadata timestamp; the version goes up by 1;
 *   - a "version" in the request must equal the stored version (else 409);
 *   - delta = the desired fields whose value differs from reported; an
 *     update that sets desired fields publishes the delta of those fields;
 *   - limits: 8 KB state, 6 levels of nesting in desired/reported,
 *     clientToken up to 64 bytes; errors use AWS's codes and messages.
 *
 * Stored form: {"state":{"desired":{},"reported":{}},"metadata":{...},"version":N}
 * All returned strings are malloc'ed (host code); free with tl_shadow_svc_free().
 */
#ifndef TL_SHADOW_SVC_H
#define TL_SHADOW_SVC_H

#include <stddef.h>

#define TL_SHADOW_MAX_STATE 8192      /* bytes of desired + reported */
#define TL_SHADOW_MAX_DEPTH 6         /* levels inside desired/reported */
#define TL_SHADOW_MAX_TOKEN 64        /* clientToken bytes */

/* An error as AWS reports it: HTTP-style code and its message. */
typedef struct {
    int code;                 /* 400, 404, 409, 413, 415, 500; 0 if none */
    char message[160];        /* AWS's wording */
} tl_shadow_error;

typedef struct {
    char *stored;      /* the new stored document */
    char *accepted;    /* for .../update/accepted */
    char *delta;       /* for .../update/delta, or NULL when nothing to send */
    char *documents;   /* for .../update/documents */
} tl_shadow_update_out;

/*
 * Apply an update request. stored is the current stored document or NULL if
 * the shadow does not exist. now is the Unix time for timestamps.
 * Returns 0 and fills out, or -1 and fills err (and *error_doc with the
 * error document for .../update/rejected, if error_doc is not NULL).
 */
int tl_shadow_svc_update(const char *stored, const char *request, size_t len,
                         long now, tl_shadow_update_out *out,
                         tl_shadow_error *err, char **error_doc);

/*
 * The response to a get request (state with delta, metadata, version,
 * timestamp, clientToken). request may be empty or {"clientToken":"..."}.
 * Returns NULL with err 404 if stored is NULL, or err 400 for a bad request.
 */
char *tl_shadow_svc_get(const char *stored, const char *shadow_name,
                        const char *request, size_t len, long now,
                        tl_shadow_error *err, char **error_doc);

/* The response to a delete request; NULL with err 404 if there is no shadow. */
char *tl_shadow_svc_delete(const char *stored, const char *shadow_name,
                           const char *request, size_t len, long now,
                           tl_shadow_error *err, char **error_doc);

/* An error document: {"code","message","timestamp","clientToken"?}. */
char *tl_shadow_svc_error_doc(const tl_shadow_error *err, const char *client_token,
                              long now);

/* The version of a stored document (0 if none or unreadable). */
long tl_shadow_svc_version(const char *stored);

void tl_shadow_svc_free(tl_shadow_update_out *out);

#endif
