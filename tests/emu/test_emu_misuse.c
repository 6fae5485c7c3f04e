/*
 * Every misuse gets the chip's status code: bad length or parameters 0x03,
 * policy violations 0x0F, framing/CRC 0xFF. Table-driven, on both models.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "emu_util.h"

#define B508 1
#define B608 2
#define BOTH 3

/* Chip state before the command. */
enum { FACTORY, CFG_LOCKED, PROVISIONED, WITH_TEMPKEY };

typedef struct {
    const char *what;
    int models;
    int level;
    uint8_t op, p1;
    uint16_t p2;
    size_t dlen;
    uint8_t status;
} misuse;

static const misuse cases[] = {
    { "unknown opcode", BOTH, FACTORY, 0x99, 0, 0, 0, 0x03 },
    { "SelfTest on a 508A", B508, FACTORY, TL_ATCA_OP_SELFTEST, 0x01, 0, 0, 0x03 },
    { "AES on a 508A", B508, FACTORY, TL_ATCA_OP_AES, 0, 0, 16, 0x03 },
    { "KDF on a 508A", B508, FACTORY, TL_ATCA_OP_KDF, 0, 0, 0, 0x03 },
    { "SelfTest mode 0", B608, FACTORY, TL_ATCA_OP_SELFTEST, 0x00, 0, 0, 0x03 },
    { "SelfTest bad mode bit", B608, FACTORY, TL_ATCA_OP_SELFTEST, 0x02, 0, 0, 0x03 },
    { "Info mode 4", BOTH, FACTORY, TL_ATCA_OP_INFO, 4, 0, 0, 0x03 },
    { "Info with data", BOTH, FACTORY, TL_ATCA_OP_INFO, 0, 0, 4, 0x03 },
    { "Info KeyValid slot 16", BOTH, FACTORY, TL_ATCA_OP_INFO, 1, 16, 0, 0x03 },
    { "Read zone 3", BOTH, FACTORY, TL_ATCA_OP_READ, 0x03, 0, 0, 0x03 },
    { "Read bad zone bits", BOTH, FACTORY, TL_ATCA_OP_READ, 0x10, 0, 0, 0x03 },
    { "Read config address 0x20", BOTH, FACTORY, TL_ATCA_OP_READ, 0x00, 0x20, 0, 0x03 },
    { "Read OTP address 0x10", BOTH, PROVISIONED, TL_ATCA_OP_READ, 0x01, 0x10, 0, 0x03 },
    { "Read with data", BOTH, FACTORY, TL_ATCA_OP_READ, 0x00, 0, 4, 0x03 },
    { "Read 32 block 1 of slot 8", BOTH, PROVISIONED, TL_ATCA_OP_READ, 0x82, 0x100 | (8 << 3), 0, 0x00 },
    { "Read 32 block 1 of slot 9", BOTH, PROVISIONED, TL_ATCA_OP_READ, 0x82, 0x100 | (9 << 3), 0, 0x00 },
    { "Read 32 block 1 of slot 4", BOTH, PROVISIONED, TL_ATCA_OP_READ, 0x82, 0x100 | (4 << 3), 0, 0x03 },
    { "Read 32 block 2 of slot 9", BOTH, PROVISIONED, TL_ATCA_OP_READ, 0x82, 0x200 | (9 << 3), 0, 0x03 },
    { "Read data address bits 12+", BOTH, PROVISIONED, TL_ATCA_OP_READ, 0x02, 0x1000 | (8 << 3), 0, 0x03 },
    { "Read data before data lock", BOTH, CFG_LOCKED, TL_ATCA_OP_READ, 0x82, 8 << 3, 0, 0x0F },
    { "Read OTP before data lock", BOTH, CFG_LOCKED, TL_ATCA_OP_READ, 0x01, 0, 0, 0x0F },
    { "Read private key slot", BOTH, PROVISIONED, TL_ATCA_OP_READ, 0x82, 0 << 3, 0, 0x0F },
    { "Read private key word", BOTH, PROVISIONED, TL_ATCA_OP_READ, 0x02, (2 << 3) | 1, 0, 0x0F },
    { "Read secret slot", BOTH, PROVISIONED, TL_ATCA_OP_READ, 0x82, 3 << 3, 0, 0x0F },
    { "Write 4-byte with 32 bytes", BOTH, FACTORY, TL_ATCA_OP_WRITE, 0x00, 5, 32, 0x03 },
    { "Write 32-byte with 4 bytes", BOTH, FACTORY, TL_ATCA_OP_WRITE, 0x80, 0, 4, 0x03 },
    { "Write zone 3", BOTH, FACTORY, TL_ATCA_OP_WRITE, 0x03, 0, 4, 0x03 },
    { "Write config SN word", BOTH, FACTORY, TL_ATCA_OP_WRITE, 0x00, 0, 4, 0x0F },
    { "Write config block 0", BOTH, FACTORY, TL_ATCA_OP_WRITE, 0x80, 0, 32, 0x0F },
    { "Write UserExtra word", BOTH, FACTORY, TL_ATCA_OP_WRITE, 0x00, 21, 4, 0x0F },
    { "Write config after lock", BOTH, CFG_LOCKED, TL_ATCA_OP_WRITE, 0x00, 5, 4, 0x0F },
    { "Write data before config lock", BOTH, FACTORY, TL_ATCA_OP_WRITE, 0x82, 8 << 3, 32, 0x0F },
    { "Write OTP before config lock", BOTH, FACTORY, TL_ATCA_OP_WRITE, 0x01, 0, 4, 0x0F },
    { "Write private slot after lock", BOTH, PROVISIONED, TL_ATCA_OP_WRITE, 0x82, 0 << 3, 32, 0x0F },
    { "Write Never slot after lock", BOTH, PROVISIONED, TL_ATCA_OP_WRITE, 0x82, 3 << 3, 32, 0x0F },
    { "Write encrypted", BOTH, PROVISIONED, TL_ATCA_OP_WRITE, 0x42, 8 << 3, 36, 0x0F },
    { "Write encrypted without MAC", BOTH, PROVISIONED, TL_ATCA_OP_WRITE, 0x42, 8 << 3, 4, 0x03 },
    { "Lock mode 3", BOTH, FACTORY, TL_ATCA_OP_LOCK, 0x03, 0, 0, 0x03 },
    { "Lock bit 6", BOTH, FACTORY, TL_ATCA_OP_LOCK, 0x40, 0, 0, 0x03 },
    { "Lock config with slot bits", BOTH, FACTORY, TL_ATCA_OP_LOCK, 0x04, 0, 0, 0x03 },
    { "Lock with data", BOTH, FACTORY, TL_ATCA_OP_LOCK, 0x80, 0, 4, 0x03 },
    { "Lock config bad CRC", BOTH, FACTORY, TL_ATCA_OP_LOCK, 0x00, 0x1234, 0, 0x0F },
    { "Lock config twice", BOTH, CFG_LOCKED, TL_ATCA_OP_LOCK, 0x80, 0, 0, 0x0F },
    { "Lock data before config", BOTH, FACTORY, TL_ATCA_OP_LOCK, 0x81, 0, 0, 0x0F },
    { "Lock data twice", BOTH, PROVISIONED, TL_ATCA_OP_LOCK, 0x81, 0, 0, 0x0F },
    { "Lock slot before data lock", BOTH, CFG_LOCKED, TL_ATCA_OP_LOCK, 0x82 | (8 << 2), 0, 0, 0x0F },
    { "Lock slot not lockable", BOTH, PROVISIONED, TL_ATCA_OP_LOCK, 0x82 | (3 << 2), 0, 0, 0x0F },
    { "Random mode 2", BOTH, FACTORY, TL_ATCA_OP_RANDOM, 2, 0, 0, 0x03 },
    { "Random with data", BOTH, FACTORY, TL_ATCA_OP_RANDOM, 0, 0, 20, 0x03 },
    { "Random param2", BOTH, FACTORY, TL_ATCA_OP_RANDOM, 0, 1, 0, 0x03 },
    { "Nonce mode 2", BOTH, FACTORY, TL_ATCA_OP_NONCE, 2, 0, 20, 0x03 },
    { "Nonce random, 32-byte NumIn", BOTH, FACTORY, TL_ATCA_OP_NONCE, 0, 0, 32, 0x03 },
    { "Nonce pass-through, 20 bytes", BOTH, FACTORY, TL_ATCA_OP_NONCE, 3, 0, 20, 0x03 },
    { "Nonce 64-byte on a 508A", B508, FACTORY, TL_ATCA_OP_NONCE, 0x23, 0, 64, 0x03 },
    { "Nonce MsgDigBuf on a 508A", B508, FACTORY, TL_ATCA_OP_NONCE, 0x43, 0, 32, 0x03 },
    { "Nonce 64-byte on a 608A", B608, FACTORY, TL_ATCA_OP_NONCE, 0x23, 0, 64, 0x00 },
    { "GenKey before config lock", BOTH, FACTORY, TL_ATCA_OP_GENKEY, 0x04, 0, 0, 0x0F },
    { "GenKey slot 16", BOTH, CFG_LOCKED, TL_ATCA_OP_GENKEY, 0x04, 16, 0, 0x03 },
    { "GenKey TempKey on a 508A", B508, CFG_LOCKED, TL_ATCA_OP_GENKEY, 0x04, 0xFFFF, 0, 0x03 },
    { "GenKey digest mode without TempKey", BOTH, CFG_LOCKED, TL_ATCA_OP_GENKEY, 0x08, 0, 0, 0x0F },
    { "GenKey PubKey digest without other data", BOTH, CFG_LOCKED, TL_ATCA_OP_GENKEY, 0x10, 9, 0, 0x03 },
    { "GenKey PubKey digest of a data slot", BOTH, WITH_TEMPKEY, TL_ATCA_OP_GENKEY, 0x10, 9, 3, 0x0F },
    { "GenKey mode 0x20", BOTH, CFG_LOCKED, TL_ATCA_OP_GENKEY, 0x20, 0, 0, 0x03 },
    { "GenKey bad data length", BOTH, CFG_LOCKED, TL_ATCA_OP_GENKEY, 0x04, 0, 4, 0x03 },
    { "GenKey on a data slot", BOTH, CFG_LOCKED, TL_ATCA_OP_GENKEY, 0x04, 8, 0, 0x0F },
    { "GenKey public of no key", BOTH, CFG_LOCKED, TL_ATCA_OP_GENKEY, 0x00, 0, 0, 0x0F },
    { "Sign before data lock", BOTH, CFG_LOCKED, TL_ATCA_OP_SIGN, 0x80, 0, 0, 0x0F },
    { "Sign without TempKey", BOTH, PROVISIONED, TL_ATCA_OP_SIGN, 0x80, 0, 0, 0x0F },
    { "Sign with a data slot", BOTH, WITH_TEMPKEY, TL_ATCA_OP_SIGN, 0x80, 8, 0, 0x0F },
    { "Sign internal", BOTH, WITH_TEMPKEY, TL_ATCA_OP_SIGN, 0x00, 0, 0, 0x0F },
    { "Sign invalidate mode", BOTH, WITH_TEMPKEY, TL_ATCA_OP_SIGN, 0x81, 0, 0, 0x03 },
    { "Sign MsgDigBuf on a 508A", B508, WITH_TEMPKEY, TL_ATCA_OP_SIGN, 0xA0, 0, 0, 0x03 },
    { "Sign slot 16", BOTH, WITH_TEMPKEY, TL_ATCA_OP_SIGN, 0x80, 16, 0, 0x03 },
    { "Sign with data", BOTH, WITH_TEMPKEY, TL_ATCA_OP_SIGN, 0x80, 0, 32, 0x03 },
    { "Sign external OK", BOTH, WITH_TEMPKEY, TL_ATCA_OP_SIGN, 0x80, 0, 0, 0x00 },
    { "Verify key type 3", BOTH, WITH_TEMPKEY, TL_ATCA_OP_VERIFY, 0x02, 3, 128, 0x03 },
    { "Verify 64 bytes", BOTH, WITH_TEMPKEY, TL_ATCA_OP_VERIFY, 0x02, 4, 64, 0x03 },
    { "Verify stored mode", BOTH, WITH_TEMPKEY, TL_ATCA_OP_VERIFY, 0x00, 4, 64, 0x03 },
    { "Verify without TempKey", BOTH, PROVISIONED, TL_ATCA_OP_VERIFY, 0x02, 4, 128, 0x0F },
    { "ECDH short key", BOTH, PROVISIONED, TL_ATCA_OP_ECDH, 0x0C, 1, 32, 0x03 },
    { "ECDH encrypted output on a 508A", B508, PROVISIONED, TL_ATCA_OP_ECDH, 0x0E, 1, 64, 0x03 },
    { "ECDH encrypted output, point off the curve", B608, PROVISIONED, TL_ATCA_OP_ECDH, 0x0E, 1, 64, 0x05 },
    { "ECDH mode bit 4", B608, PROVISIONED, TL_ATCA_OP_ECDH, 0x1C, 1, 64, 0x03 },
    { "ECDH slot 16", BOTH, PROVISIONED, TL_ATCA_OP_ECDH, 0x0C, 16, 64, 0x03 },
    { "ECDH before locks", BOTH, CFG_LOCKED, TL_ATCA_OP_ECDH, 0x0C, 1, 64, 0x0F },
    { "ECDH without permission", BOTH, PROVISIONED, TL_ATCA_OP_ECDH, 0x0C, 0, 64, 0x0F },
    { "ECDH on a data slot", BOTH, PROVISIONED, TL_ATCA_OP_ECDH, 0x0C, 8, 64, 0x0F },
    { "ECDH TempKey mode on a 508A", B508, PROVISIONED, TL_ATCA_OP_ECDH, 0x0D, 1, 64, 0x03 },
    { "ECDH from a TempKey not made by GenKey", B608, WITH_TEMPKEY, TL_ATCA_OP_ECDH, 0x0D, 1, 64, 0x0F },
    { "SHA public without start", BOTH, FACTORY, TL_ATCA_OP_SHA, 3, 10, 0, 0x0F },
    { "SHA public with data", BOTH, FACTORY, TL_ATCA_OP_SHA, 3, 10, 4, 0x03 },
    { "SHA mode 6 (context read, not implemented)", B608, FACTORY, TL_ATCA_OP_SHA, 6, 0, 0, 0x03 },
    { "SHA mode 5 on a 608A", B608, FACTORY, TL_ATCA_OP_SHA, 5, 0, 0, 0x03 },
    { "HMAC end without start", B508, FACTORY, TL_ATCA_OP_SHA, 5, 0, 0, 0x0F },
    { "HMAC start with a private key", BOTH, PROVISIONED, TL_ATCA_OP_SHA, 4, 0, 0, 0x0F },
    { "HMAC start before data lock", BOTH, CFG_LOCKED, TL_ATCA_OP_SHA, 4, 8, 0, 0x0F },
    { "HMAC start slot 16", BOTH, PROVISIONED, TL_ATCA_OP_SHA, 4, 16, 0, 0x03 },
    { "SHA update without start", BOTH, FACTORY, TL_ATCA_OP_SHA, 1, 64, 64, 0x0F },
    { "SHA end without start", BOTH, FACTORY, TL_ATCA_OP_SHA, 2, 0, 0, 0x0F },
    { "SHA end length mismatch", BOTH, FACTORY, TL_ATCA_OP_SHA, 2, 5, 4, 0x03 },
    { "SHA start with data", BOTH, FACTORY, TL_ATCA_OP_SHA, 0, 0, 4, 0x03 },
    { "SHA update short on a 508A", B508, FACTORY, TL_ATCA_OP_SHA, 1, 32, 32, 0x03 },
    { "Counter 2", BOTH, FACTORY, TL_ATCA_OP_COUNTER, 0, 2, 0, 0x03 },
    { "Counter mode 2", BOTH, FACTORY, TL_ATCA_OP_COUNTER, 2, 0, 0, 0x03 },
    { "UpdateExtra before lock", BOTH, FACTORY, TL_ATCA_OP_UPDATEEXTRA, 0, 1, 0, 0x0F },
    { "UpdateExtra mode 2, slot without limited use", BOTH, CFG_LOCKED, TL_ATCA_OP_UPDATEEXTRA, 2, 1, 0, 0x00 },
    { "UpdateExtra mode 2, slot 16", BOTH, CFG_LOCKED, TL_ATCA_OP_UPDATEEXTRA, 2, 16, 0, 0x03 },
    { "UpdateExtra mode 3", BOTH, CFG_LOCKED, TL_ATCA_OP_UPDATEEXTRA, 3, 1, 0, 0x03 },
    { "UpdateExtra value > 0xFF", BOTH, CFG_LOCKED, TL_ATCA_OP_UPDATEEXTRA, 0, 0x100, 0, 0x03 },
    { "GenDig zone 3 on a 508A", B508, WITH_TEMPKEY, TL_ATCA_OP_GENDIG, 3, 0, 32, 0x03 },
    { "GenDig shared nonce without OtherData", B608, WITH_TEMPKEY, TL_ATCA_OP_GENDIG, 3, 0, 0, 0x03 },
    { "GenDig counter 2", B608, WITH_TEMPKEY, TL_ATCA_OP_GENDIG, 4, 2, 0, 0x03 },
    { "GenDig zone 6", BOTH, WITH_TEMPKEY, TL_ATCA_OP_GENDIG, 6, 0, 0, 0x03 },
    { "GenDig data with 32 bytes", BOTH, WITH_TEMPKEY, TL_ATCA_OP_GENDIG, 2, 8, 32, 0x03 },
    { "Sign internal after a pass-through Nonce", BOTH, WITH_TEMPKEY, TL_ATCA_OP_SIGN, 0x00, 0, 0, 0x0F },
    { "Sign internal from MsgDigBuf", B608, WITH_TEMPKEY, TL_ATCA_OP_SIGN, 0x20, 0, 0, 0x03 },
    { "Verify MAC on a 508A", B508, WITH_TEMPKEY, TL_ATCA_OP_VERIFY, 0x82, 4, 128, 0x03 },
    { "Nonce AltKeyBuf 64 bytes", B608, FACTORY, TL_ATCA_OP_NONCE, 0xA3, 0, 64, 0x03 },
    { "Nonce target 0xC0", B608, FACTORY, TL_ATCA_OP_NONCE, 0xC3, 0, 32, 0x03 },
    { "GenDig without TempKey", BOTH, PROVISIONED, TL_ATCA_OP_GENDIG, 2, 8, 0, 0x0F },
    { "GenDig from a private key", BOTH, WITH_TEMPKEY, TL_ATCA_OP_GENDIG, 2, 0, 0, 0x0F },
    { "GenDig slot 16", BOTH, WITH_TEMPKEY, TL_ATCA_OP_GENDIG, 2, 16, 0, 0x03 },
    { "MAC with a private key", BOTH, PROVISIONED, TL_ATCA_OP_MAC, 0x00, 0, 32, 0x0F },
    { "MAC before data lock", BOTH, CFG_LOCKED, TL_ATCA_OP_MAC, 0x00, 8, 32, 0x0F },
    { "MAC challenge missing", BOTH, PROVISIONED, TL_ATCA_OP_MAC, 0x00, 8, 0, 0x03 },
    { "MAC bad mode bit", BOTH, PROVISIONED, TL_ATCA_OP_MAC, 0x08, 8, 32, 0x03 },
    { "MAC TempKey without one", BOTH, PROVISIONED, TL_ATCA_OP_MAC, 0x01, 8, 0, 0x0F },
    { "MAC SourceFlag mismatch", BOTH, WITH_TEMPKEY, TL_ATCA_OP_MAC, 0x01, 8, 0, 0x0F },
    { "CheckMac short", BOTH, PROVISIONED, TL_ATCA_OP_CHECKMAC, 0x00, 8, 64, 0x03 },
    { "CheckMac bad mode", BOTH, PROVISIONED, TL_ATCA_OP_CHECKMAC, 0x40, 8, 77, 0x03 },
    { "CheckMac wrong response", BOTH, PROVISIONED, TL_ATCA_OP_CHECKMAC, 0x00, 8, 77, 0x01 },
    { "PrivWrite bad zone bits", BOTH, CFG_LOCKED, TL_ATCA_OP_PRIVWRITE, 0x02, 0, 68, 0x03 },
    { "PrivWrite after data lock", BOTH, PROVISIONED, TL_ATCA_OP_PRIVWRITE, 0x40, 0, 68, 0x0F },
    { "HMAC on a 608A", B608, PROVISIONED, TL_ATCA_OP_HMAC, 0, 0, 0, 0x03 },
};

static tl_emu *at_level(tl_atca_model m, int level)
{
    tl_emu *e = emu_new(m, 1234);
    uint8_t tk[32];
    unsigned s;
    if (level == FACTORY)
        return e;
    emu_lock(e, 0);
    if (level == CFG_LOCKED)
        return e;
    for (s = 0; s < 3; s++)
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENKEY, 0x04, (uint16_t)s, NULL, 0, NULL, NULL), 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x81, 0, NULL, 0, NULL, NULL), 0);
    if (level == WITH_TEMPKEY) {
        memset(tk, 0x21, sizeof tk);
        emu_nonce_load(e, tk);
    }
    return e;
}

static void test_misuse_table(void **state)
{
    size_t i, m;
    int failures = 0;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (m = 0; m < 2; m++) {
            const misuse *c = &cases[i];
            tl_atca_model model = m ? TL_ATCA_MODEL_608A : TL_ATCA_MODEL_508A;
            uint8_t data[128];
            tl_emu *e;
            int st;
            if (!(c->models & (m ? B608 : B508)))
                continue;
            e = at_level(model, c->level);
            memset(data, 0xFF, sizeof data);
            st = emu_cmd(e, c->op, c->p1, c->p2, data, c->dlen, NULL, NULL);
            if (st != c->status) {
                printf("%s on %s: status 0x%02X, expected 0x%02X\n", c->what,
                       m ? "608A" : "508A", (unsigned)st, (unsigned)c->status);
                failures++;
            }
            free(e);
        }
    }
    assert_int_equal(failures, 0);
}

/* Framing: bad CRC, count byte not matching, too short or too long. */
static void test_framing(void **state)
{
    size_t m;
    (void)state;
    for (m = 0; m < 2; m++) {
        tl_emu *e = emu_new(m ? TL_ATCA_MODEL_608A : TL_ATCA_MODEL_508A, 9);
        uint8_t pkt[200], rsp[TL_ATCA_RSP_MAX];
        size_t n = emu_packet(pkt, TL_ATCA_OP_INFO, 0, 0, NULL, 0);
        pkt[n - 1] ^= 1;
        assert_int_equal(tl_emu_execute(e, pkt, n, rsp), 4);
        assert_int_equal(rsp[1], 0xFF);
        pkt[n - 1] ^= 1;
        assert_int_equal(tl_emu_execute(e, pkt, n, rsp), 7);
        assert_int_equal(tl_emu_execute(e, pkt, n - 1, rsp), 4);
        assert_int_equal(rsp[1], 0xFF);
        pkt[0] = 8;
        assert_int_equal(tl_emu_execute(e, pkt, n, rsp), 4);
        assert_int_equal(rsp[1], 0xFF);
        assert_int_equal(tl_emu_execute(e, pkt, 3, rsp), 4);
        assert_int_equal(rsp[1], 0xFF);
        memset(pkt, 0, sizeof pkt);
        pkt[0] = 160;
        assert_int_equal(tl_emu_execute(e, pkt, 160, rsp), 4);
        assert_int_equal(rsp[1], 0xFF);
        assert_int_equal(tl_emu_execute(e, NULL, 0, rsp), 4);
        free(e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_misuse_table),
        cmocka_unit_test(test_framing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
