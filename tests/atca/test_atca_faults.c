/*
 * The driver's robustness against the emulator: 1,000 commands under
 * injected bus faults (5% CRC, 5% NACK), the chip's timing and watchdog,
 * and the bus trace that proves no private key byte crosses the bus.
 */
#include "emu_chip.h"

static void test_faults(void **state)
{
    int m;
    (void)state;
    for (m = 0; m < 2; m++) {
        chip *c = chip_new(models[m], 55);
        tl_emu_faults f;
        uint8_t pub[64], cert[64], buf[64], sig[64], dig[32], rev[4], num[20] = { 0 };
        unsigned long base_retries, base_cmds, worst = 0;
        int i, counts[6] = { 0 };
        provision(c);
        assert_int_equal(tl_atca_genkey(&c->dev, 0, pub), TL_ATCA_OK);
        for (i = 0; i < 64; i++)
            cert[i] = (uint8_t)(0xC0 + i);
        assert_int_equal(tl_atca_write_slot(&c->dev, 8, cert, 64), TL_ATCA_OK);
        f.crc_rate = 0.05;
        f.nack_rate = 0.05;
        f.seed = 1234 + (uint64_t)m;
        tl_emu_set_faults(c->emu, &f);
        base_retries = c->dev.retries;
        base_cmds = c->dev.commands;
        for (i = 0; i < 1000; i++) {
            int kind = i % 6;
            unsigned long before = c->dev.retries;
            counts[kind]++;
            memset(dig, i & 0xFF, sizeof dig);
            dig[1] = (uint8_t)(i >> 8);
            switch (kind) {
            case 0:
                assert_int_equal(tl_atca_random(&c->dev, buf), TL_ATCA_OK);
                break;
            case 1:
                assert_int_equal(tl_atca_read(&c->dev, TL_ATCA_ZONE_DATA, 8, 1, 0, buf, 32), TL_ATCA_OK);
                assert_memory_equal(buf, cert + 32, 32);
                break;
            case 2:
                assert_int_equal(tl_atca_sign(&c->dev, 0, dig, sig), TL_ATCA_OK);
                assert_true(soft_verify(pub, dig, sig));
                break;
            case 3:
                soft_sign((const uint8_t *)"0123456789abcdef0123456789abcdef", dig, sig);
                {
                    uint8_t p2[64];
                    soft_pub((const uint8_t *)"0123456789abcdef0123456789abcdef", p2);
                    assert_int_equal(tl_atca_verify_extern(&c->dev, dig, sig, p2), TL_ATCA_OK);
                    sig[5] ^= 0x10;
                    assert_int_equal(tl_atca_verify_extern(&c->dev, dig, sig, p2),
                                     TL_ATCA_ERR_MISCOMPARE);
                }
                break;
            case 4:
                assert_int_equal(tl_atca_info(&c->dev, 0, 0, rev), TL_ATCA_OK);
                assert_int_equal(tl_atca_model_from_revision(rev), models[m]);
                break;
            default:
                assert_int_equal(tl_atca_nonce_rand(&c->dev, num, buf), TL_ATCA_OK);
                break;
            }
            if (c->dev.retries - before > worst)
                worst = c->dev.retries - before;
        }
        printf("fault run %s: 1000 operations (%lu chip commands), %lu recoveries "
               "(retries/re-reads/re-wakes), at most %lu in one operation\n",
               tl_atca_model_name(models[m]), c->dev.commands - base_cmds,
               c->dev.retries - base_retries, worst);
        assert_true(c->dev.retries - base_retries > 50);   /* faults really happened */
        chip_free(c);
    }
}

/* The watchdog: ~1.3 s after a wake the chip sleeps; the driver re-wakes. */
static void test_watchdog_and_timing(void **state)
{
    int m;
    (void)state;
    for (m = 0; m < 2; m++) {
        chip *c = chip_new(models[m], 66);
        uint8_t rev[4], pub[64], sig[64], dig[32] = { 1 };
        unsigned long r0;
        tl_emu_set_clock(c->emu, tl_bus_emu_local_clock, &c->bus);
        provision(c);
        /* With execution time on, GenKey and Sign are polled to completion. */
        assert_int_equal(tl_atca_genkey(&c->dev, 0, pub), TL_ATCA_OK);
        assert_int_equal(tl_atca_sign(&c->dev, 0, dig, sig), TL_ATCA_OK);
        assert_true(soft_verify(pub, dig, sig));
        assert_int_equal(tl_atca_wake(&c->dev), TL_ATCA_OK);
        assert_true(c->dev.awake);
        c->bus.now_us += 2000000;       /* 2 s: the watchdog fired */
        r0 = c->dev.retries;
        assert_int_equal(tl_atca_info(&c->dev, 0, 0, rev), TL_ATCA_OK);
        assert_int_equal(c->dev.retries, r0 + 1);
        assert_int_equal(tl_atca_model_from_revision(rev), models[m]);
        chip_free(c);
    }
}

/* ---- the bus trace: no private key byte ever crosses the bus ---- */

#define MAX_FRAMES 4096
typedef struct {
    uint8_t data[MAX_FRAMES][160];
    size_t len[MAX_FRAMES];
    char op[MAX_FRAMES];
    int n;
} frames;

static void record(void *arg, char op, const uint8_t *data, size_t len, int rc)
{
    frames *f = arg;
    (void)rc;
    assert_true(f->n < MAX_FRAMES);
    assert_true(len <= sizeof f->data[0]);
    memcpy(f->data[f->n], data, len);
    f->len[f->n] = len;
    f->op[f->n] = op;
    f->n++;
}

/* Does any frame hold any 8-byte window of key? */
static int leaks(const frames *f, const uint8_t key[32])
{
    int i;
    size_t off, w;
    for (i = 0; i < f->n; i++)
        for (w = 0; w + 8 <= 32; w++)
            for (off = 0; off + 8 <= f->len[i]; off++)
                if (memcmp(f->data[i] + off, key + w, 8) == 0)
                    return 1;
    return 0;
}

static void test_trace_no_key_on_bus(void **state)
{
    int m;
    (void)state;
    for (m = 0; m < 2; m++) {
        chip *c = chip_new(models[m], 77);
        frames *fr = calloc(1, sizeof *fr);
        tl_bus_trace tr;
        tl_atca_device dev;
        uint8_t pub[64], priv[32], sig[64], dig[32], peer_priv[32], peer_pub[64], z[32];
        int w, r;
        assert_non_null(fr);
        provision(c);
        tl_bus_trace_init(&tr, &c->bus.vtable, record, fr);
        tl_atca_init(&dev, &tr.vtable);
        dev.model = models[m];
        assert_int_equal(tl_atca_genkey(&dev, 0, pub), TL_ATCA_OK);
        memset(dig, 0x77, sizeof dig);
        assert_int_equal(tl_atca_sign(&dev, 0, dig, sig), TL_ATCA_OK);
        memset(peer_priv, 0x24, 32);
        soft_pub(peer_priv, peer_pub);
        assert_int_equal(tl_atca_ecdh(&dev, 0, peer_pub, z), TL_ATCA_OK);
        assert_int_equal(tl_emu_debug_private_key(c->emu, 0, priv), 0);
        /* The key is real: it is the one behind the public key and sig. */
        {
            uint8_t p2[64];
            soft_pub(priv, p2);
            assert_memory_equal(p2, pub, 64);
        }
        /* Every frame went through the tracer, in both directions. */
        for (w = 0, r = 0; w + r < fr->n; ) {
            if (fr->op[w + r] == 'W')
                w++;
            else
                r++;
        }
        assert_true(w > 10);
        assert_true(r > 10);
        assert_false(leaks(fr, priv));
        /* The check can fail: a frame carrying 8 key bytes is caught. */
        record(fr, 'W', priv + 20, 8, TL_BUS_OK);
        assert_true(leaks(fr, priv));
        free(fr);
        chip_free(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_watchdog_and_timing),
        cmocka_unit_test(test_trace_no_key_on_bus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
