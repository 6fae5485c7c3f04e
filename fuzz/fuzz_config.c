/* Fuzz the config document loader: any bytes, never a crash, and a failed
 * load must leave the config untouched; a successful one must round-trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/tl_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tl_config a, before, b;
    tl_config_error err;
    char out[8192];
    long n;

    tl_config_init(&a);
    before = a;
    if (tl_config_load_json(&a, (const char *)data, size, TL_CFG_LAYER_FILE, &err) != TL_CONFIG_OK) {
        if (memcmp(&a, &before, sizeof a) != 0)
            abort();
        if (err.message[0] == '\0' || err.line == 0)
            abort();
        return 0;
    }
    n = tl_config_write_json(&a, TL_CFG_LAYER_FILE, out, sizeof out);
    if (n < 0)
        abort();
    tl_config_init(&b);
    if (tl_config_load_json(&b, out, (size_t)n, TL_CFG_LAYER_FILE, &err) != TL_CONFIG_OK)
        abort();
    if (memcmp(&a, &b, sizeof a) != 0)
        abort();
    return 0;
}
