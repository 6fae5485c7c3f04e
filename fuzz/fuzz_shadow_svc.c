/* Fuzz the shadow service with arbitrary update/get/delete requests against
 * an existing shadow: never a crash or leak; an accepted update must store
 * valid JSON with the version one higher. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cloud/tl_shadow_svc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char stored[] =
    "{\"state\":{\"desired\":{\"led\":\"on\",\"cfg\":{\"a\":1}},\"reported\":{\"led\":\"off\"}},"
    "\"metadata\":{\"desired\":{\"led\":{\"timestamp\":1},\"cfg\":{\"a\":{\"timestamp\":1}}},"
    "\"reported\":{\"led\":{\"timestamp\":1}}},\"version\":7}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tl_shadow_update_out out;
    tl_shadow_error err;
    char *edoc = NULL, *r;
    const char *req = (const char *)data;

    if (tl_shadow_svc_update(stored, req, size, 1, &out, &err, &edoc) == 0) {
        cJSON *doc = cJSON_Parse(out.stored);
        if (!doc || tl_shadow_svc_version(out.stored) != 8 || !out.accepted || !out.documents)
            abort();
        cJSON_Delete(doc);
        tl_shadow_svc_free(&out);
    } else if (!edoc || err.code < 400) {
        abort();
    }
    free(edoc);
    edoc = NULL;
    r = tl_shadow_svc_get(stored, "fuzz", req, size, 1, &err, &edoc);
    free(r);
    free(edoc);
    edoc = NULL;
    r = tl_shadow_svc_delete(size % 2 ? stored : NULL, "fuzz", req, size, 1, &err, &edoc);
    free(r);
    free(edoc);
    return 0;
}
