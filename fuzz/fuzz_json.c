/* Fuzz the strict JSON checker and the string decoder. */
#include <stdint.h>
#include <stdlib.h>

#include "json/tl_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tl_json_error e;
    char out[256];
    if (tl_json_check((const char *)data, size, 16, &e) != TL_JSON_OK && e.offset > size)
        abort();
    (void)tl_json_unescape((const char *)data, size, out, sizeof out);
    return 0;
}
