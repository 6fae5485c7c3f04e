/*
 * Test helper for the aws-iot-setup tests (not installed):
 *   setup_tool key STATE SLOT     print the private key of an emulated chip's
 *                                 slot (from its state file), to look for it
 *                                 in bus traces
 *   setup_tool foreign URI        write a configuration trustlink cannot use
 *                                 (slot 0 a clear data slot) and lock the
 *                                 config zone: a chip "provisioned by someone
 *                                 else"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atca/tl_atca_cmd.h"
#include "atca/tl_atca_layout.h"
#include "emu/tl_emu.h"
#include "hal/tl_hal.h"

static int key(const char *path, unsigned slot)
{
    static uint8_t img[1 << 16];
    uint8_t k[32];
    FILE *f = fopen(path, "rb");
    size_t n, i;
    tl_emu *e = malloc(tl_emu_context_size());
    if (!f || !e)
        return 1;
    n = fread(img, 1, sizeof img, f);
    fclose(f);
    tl_emu_init(e, TL_ATCA_MODEL_508A, 1);
    if (tl_emu_load(e, img, n) != 0 || tl_emu_debug_private_key(e, slot, k) != 0) {
        fprintf(stderr, "setup_tool: no key in slot %u of %s\n", slot, path);
        return 1;
    }
    for (i = 0; i < 32; i++)
        printf("%02x", k[i]);
    printf("\n");
    free(e);
    return 0;
}

static int foreign(const char *uri)
{
    tl_hal h;
    tl_atca_device dev;
    uint8_t cfg[TL_ATCA_CONFIG_SIZE];
    char err[256];
    if (tl_hal_open(&h, uri, err, sizeof err) != 0) {
        fprintf(stderr, "setup_tool: %s\n", err);
        return 1;
    }
    tl_atca_init(&dev, h.bus);
    if (tl_atca_detect(&dev, NULL) != TL_ATCA_OK || tl_atca_read_config(&dev, cfg) != TL_ATCA_OK)
        return 1;
    tl_atca_layout_apply(cfg);
    /* Slot 0: SlotConfig 0x0000 (clear read/write), KeyConfig 0x003C (data). */
    cfg[20] = 0x00;
    cfg[21] = 0x00;
    cfg[96] = 0x3C;
    cfg[97] = 0x00;
    if (tl_atca_write_slot_key_config(&dev, cfg) != TL_ATCA_OK ||
        tl_atca_read_config(&dev, cfg) != TL_ATCA_OK ||
        tl_atca_lock_config_zone(&dev, cfg) != TL_ATCA_OK) {
        fprintf(stderr, "setup_tool: could not write and lock the foreign config\n");
        return 1;
    }
    tl_hal_close(&h);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "key") == 0)
        return key(argv[2], (unsigned)atoi(argv[3]));
    if (argc == 3 && strcmp(argv[1], "foreign") == 0)
        return foreign(argv[2]);
    fprintf(stderr, "usage: setup_tool key STATE SLOT | foreign URI\n");
    return 2;
}
