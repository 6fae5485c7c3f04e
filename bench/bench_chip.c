/*
 * bench_chip: how fast the emulator answers, and what the driver adds.
 *
 * For each command, the same operation runs twice in this process:
 *   emulator   the command packet straight into tl_emu_execute()
 *   driver     the driver's call over the in-process bus (wake, write,
 *              poll, read, CRC checks, idle) into the same emulator
 * The difference per command is the driver's overhead; both figures come
 * from the same run, so the ratio is what to read on a noisy machine.
 * Prints one JSON object per line.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atca/tl_atca_cmd.h"
#include "atca/tl_atca_setup.h"
#include "emu/tl_emu.h"
#include "hal/tl_bus_emu_local.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct {
    tl_emu *emu;
    tl_bus_emu_local bus;
    tl_atca_device dev;
    uint8_t digest[32], sig[64], pub[64];
} bench;

/* Run op n times; seconds per call. */
typedef int (*op_fn)(bench *b);

static double per_call(bench *b, op_fn op, int n)
{
    double t0 = now_s();
    int i;
    for (i = 0; i < n; i++)
        if (op(b) != 0) {
            fprintf(stderr, "bench_chip: operation failed: %s\n",
                    tl_atca_status_text(tl_atca_last_error(&b->dev)));
            exit(1);
        }
    return (now_s() - t0) / n;
}

/* Emulator-only operations: build the packet, execute, check the status. */
static int emu_cmd(bench *b, uint8_t op, uint8_t p1, uint16_t p2, const uint8_t *d, size_t dl)
{
    uint8_t pkt[TL_ATCA_CMD_MAX], rsp[TL_ATCA_RSP_MAX];
    size_t n = tl_atca_build_packet(pkt, sizeof pkt, op, p1, p2, d, dl);
    size_t r = tl_emu_execute(b->emu, pkt, n, rsp);
    if (r == 4 && rsp[1] != 0) {
        fprintf(stderr, "bench_chip: opcode 0x%02x: chip status 0x%02x\n", op, rsp[1]);
        return -1;
    }
    return 0;
}

static int emu_info(bench *b) { return emu_cmd(b, TL_ATCA_OP_INFO, 0, 0, NULL, 0); }
static int emu_read(bench *b) { return emu_cmd(b, TL_ATCA_OP_READ, 0x82, 8 << 3, NULL, 0); }
static int emu_random(bench *b) { return emu_cmd(b, TL_ATCA_OP_RANDOM, 0, 0, NULL, 0); }
static int emu_sign(bench *b)
{
    return emu_cmd(b, TL_ATCA_OP_NONCE, 3, 0, b->digest, 32) ||
           emu_cmd(b, TL_ATCA_OP_SIGN, 0x80, 0, NULL, 0);
}
static int emu_verify(bench *b)
{
    uint8_t d[128];
    memcpy(d, b->sig, 64);
    memcpy(d + 64, b->pub, 64);
    return emu_cmd(b, TL_ATCA_OP_NONCE, 3, 0, b->digest, 32) ||
           emu_cmd(b, TL_ATCA_OP_VERIFY, 0x02, 4, d, sizeof d);
}

/* The same through the driver. */
static int drv_info(bench *b)
{
    uint8_t rev[4];
    return tl_atca_info(&b->dev, 0, 0, rev) != TL_ATCA_OK;
}
static int drv_read(bench *b)
{
    uint8_t out[32];
    return tl_atca_read(&b->dev, TL_ATCA_ZONE_DATA, 8, 0, 0, out, 32) !=
           TL_ATCA_OK;
}
static int drv_random(bench *b)
{
    uint8_t out[32];
    return tl_atca_random(&b->dev, out) != TL_ATCA_OK;
}
static int drv_sign(bench *b) { return tl_atca_sign(&b->dev, 0, b->digest, b->sig) != TL_ATCA_OK; }
static int drv_verify(bench *b)
{
    return tl_atca_verify_extern(&b->dev, b->digest, b->sig, b->pub) != TL_ATCA_OK;
}

static void setup(bench *b, tl_atca_model model)
{
    uint8_t cfg[TL_ATCA_CONFIG_SIZE], rev[4];
    b->emu = calloc(1, tl_emu_context_size());
    if (!b->emu)
        exit(1);
    tl_emu_init(b->emu, model, 42);
    tl_bus_emu_local_init(&b->bus, b->emu);
    tl_atca_init(&b->dev, &b->bus.vtable);
    memset(b->digest, 0x5a, sizeof b->digest);
    if (tl_atca_detect(&b->dev, rev) != TL_ATCA_OK ||
        tl_atca_setup_write_default(&b->dev, cfg) != TL_ATCA_OK ||
        tl_atca_setup_lock(&b->dev, cfg) != TL_ATCA_OK ||
        tl_atca_genkey(&b->dev, 0, b->pub) != TL_ATCA_OK ||
        tl_atca_sign(&b->dev, 0, b->digest, b->sig) != TL_ATCA_OK) {
        fprintf(stderr, "bench_chip: setup failed: %s\n",
                tl_atca_status_text(tl_atca_last_error(&b->dev)));
        exit(1);
    }
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        op_fn emu, drv;
        int n;
    } ops[] = {
        { "info", emu_info, drv_info, 20000 },
        { "read32", emu_read, drv_read, 20000 },
        { "random", emu_random, drv_random, 20000 },
        { "sign", emu_sign, drv_sign, 300 },
        { "verify", emu_verify, drv_verify, 300 },
    };
    int scale = argc > 1 ? atoi(argv[1]) : 1;
    size_t i, m;
    for (m = 0; m < 2; m++) {
        tl_atca_model model = m ? TL_ATCA_MODEL_608A : TL_ATCA_MODEL_508A;
        bench b;
        setup(&b, model);
        for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
            int n = ops[i].n / (scale > 0 ? scale : 1);
            double te, td;
            if (n < 10)
                n = 10;
            te = per_call(&b, ops[i].emu, n);
            td = per_call(&b, ops[i].drv, n);
            printf("{\"bench\":\"chip\",\"model\":\"%s\",\"command\":\"%s\",\"iterations\":%d,"
                   "\"emulator_per_s\":%.0f,\"driver_per_s\":%.0f,\"driver_overhead_us\":%.2f,"
                   "\"ratio\":%.3f}\n",
                   tl_atca_model_name(model), ops[i].name, n, 1.0 / te, 1.0 / td,
                   (td - te) * 1e6, te / td);
        }
        free(b.emu);
    }
    return 0;
}
