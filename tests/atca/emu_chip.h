/* Test helpers: a chip = an in-process emulator + bus + driver; BearSSL
 * as the independent judge of signatures. */
#ifndef EMU_CHIP_H
#define EMU_CHIP_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <bearssl.h>

#include "atca/tl_atca_setup.h"
#include "hal/tl_bus_emu_local.h"
#include "hal/tl_bus_trace.h"

typedef struct {
    tl_emu *emu;
    tl_bus_emu_local bus;
    tl_atca_device dev;
    tl_atca_model model;
} chip;

/* Both models, 508A first. */
extern const tl_atca_model models[2];

/* A factory-new chip of model, detected through the driver. */
chip *chip_new(tl_atca_model model, uint64_t seed);
void chip_free(chip *c);
/* Default layout written, verified and locked (asserts each step). */
void provision(chip *c);

int soft_verify(const uint8_t pub[64], const uint8_t digest[32], const uint8_t sig[64]);
void soft_sign(const uint8_t priv[32], const uint8_t digest[32], uint8_t sig[64]);
void soft_pub(const uint8_t priv[32], uint8_t pub[64]);

#endif
