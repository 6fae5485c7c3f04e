/*
 * Fuzz the emulator's packet handler: a chip in one of a few states runs a
 * sequence of command packets. Never a crash; every response is well framed
 * (count, CRC); no response ever carries a private key.
 *
 * Input: [setup][len][packet]...  setup bit 0: 608A; bits 1-2: state
 * (factory, config locked, provisioned, provisioned + TempKey); bit 3:
 * repair count and CRC so the fuzzer reaches the handlers; bit 4: bus mode,
 * where the chunks are [op][len][bytes] bus operations (K, W, R, or clock
 * advance by len * 10 ms) with timing on.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emu/tl_emu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t mem[2][4][16384] __attribute__((aligned(16)));
static uint8_t images[2][4][TL_EMU_EEPROM_IMAGE_MAX];
static size_t image_len[2][4];
static int ready;

static void run(tl_emu *e, uint8_t op, uint8_t p1, uint16_t p2, const uint8_t *d, size_t n)
{
    uint8_t pkt[TL_ATCA_CMD_MAX], rsp[TL_ATCA_RSP_MAX];
    pkt[0] = (uint8_t)(7 + n);
    pkt[1] = op;
    pkt[2] = p1;
    pkt[3] = (uint8_t)p2;
    pkt[4] = (uint8_t)(p2 >> 8);
    if (n)
        memcpy(pkt + 5, d, n);
    tl_atca_crc(pkt, 5 + n, pkt + 5 + n);
    tl_emu_execute(e, pkt, 7 + n, rsp);
}

/* The four starting states, made once and restored from their images. */
static void prepare(void)
{
    unsigned m, lvl, s;
    uint8_t tk[32];
    memset(tk, 0x5A, sizeof tk);
    if (tl_emu_context_size() > sizeof mem[0][0])
        abort();
    for (m = 0; m < 2; m++) {
        for (lvl = 0; lvl < 4; lvl++) {
            tl_emu *e = (tl_emu *)mem[m][lvl];
            tl_emu_init(e, m ? TL_ATCA_MODEL_608A : TL_ATCA_MODEL_508A, 77);
            if (lvl >= 1)
                run(e, TL_ATCA_OP_LOCK, 0x80, 0, NULL, 0);
            if (lvl >= 2) {
                for (s = 0; s < 3; s++)
                    run(e, TL_ATCA_OP_GENKEY, 0x04, (uint16_t)s, NULL, 0);
                run(e, TL_ATCA_OP_LOCK, 0x81, 0, NULL, 0);
            }
            image_len[m][lvl] = tl_emu_save(e, images[m][lvl], sizeof images[m][lvl]);
            if (!image_len[m][lvl])
                abort();
        }
    }
    ready = 1;
}

static uint64_t fake_now;

static uint64_t fake_clock(void *arg)
{
    (void)arg;
    return fake_now;
}

static int contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t k)
{
    size_t i;
    for (i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return 1;
    return 0;
}

static int leaks_key(const tl_emu *e, const uint8_t *buf, size_t n)
{
    uint8_t key[32];
    unsigned s;
    for (s = 0; s < 16; s++)
        if (tl_emu_debug_private_key(e, s, key) == 0 && contains(buf, n, key, 32))
            return 1;
    return 0;
}

static void bus_mode(tl_emu *e, const uint8_t *data, size_t size, size_t pos)
{
    uint8_t buf[300], w[4];
    fake_now = 0;
    tl_emu_set_clock(e, fake_clock, NULL);
    while (pos + 1 < size) {
        uint8_t op = data[pos] & 3u;
        size_t n = data[pos + 1];
        pos += 2;
        switch (op) {
        case 0:
            tl_emu_wake(e, w);
            break;
        case 1:
            if (n > size - pos)
                n = size - pos;
            tl_emu_write(e, data + pos, n);
            pos += n;
            break;
        case 2:
            if (tl_emu_read(e, buf, n) == TL_EMU_ACK && leaks_key(e, buf, n))
                abort();
            break;
        default:
            fake_now += (uint64_t)n * 10000u;
        }
    }
    tl_emu_set_clock(e, NULL, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned m, lvl, fix;
    tl_emu *e;
    uint8_t tk[32];
    size_t pos = 1;

    if (!ready)
        prepare();
    if (size < 1)
        return 0;
    m = data[0] & 1u;
    lvl = (data[0] >> 1) & 3u;
    fix = (data[0] >> 3) & 1u;
    e = (tl_emu *)mem[m][lvl];
    if (tl_emu_load(e, images[m][lvl], image_len[m][lvl]) != 0)
        abort();
    if (lvl == 3) {
        memset(tk, 0x5A, sizeof tk);
        run(e, TL_ATCA_OP_NONCE, 0x03, 0, tk, 32);
    }
    if (data[0] & 0x10) {
        bus_mode(e, data, size, pos);
        return 0;
    }
    while (pos < size) {
        uint8_t pkt[256], rsp[TL_ATCA_RSP_MAX], crc[2];
        size_t n = data[pos++], r;
        if (n > size - pos)
            n = size - pos;
        memcpy(pkt, data + pos, n);
        pos += n;
        if (fix && n >= 3) {
            pkt[0] = (uint8_t)n;
            tl_atca_crc(pkt, n - 2, pkt + n - 2);
        }
        r = tl_emu_execute(e, pkt, n, rsp);
        if (r < 4 || r > TL_ATCA_RSP_MAX || rsp[0] != r)
            abort();
        tl_atca_crc(rsp, r - 2, crc);
        if (memcmp(crc, rsp + r - 2, 2) != 0)
            abort();
        if (leaks_key(e, rsp, r))
            abort();
    }
    return 0;
}
