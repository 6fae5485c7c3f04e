/*
 * tl_atca_proto: the ATECC508A/608A wire protocol, shared by the driver
 * (src/atca) and the emulator (src/emu). Constants only, plus the CRC.
 *
 * Sources: ../shared/ATECC-FACTS.md (cryptoauthlib v3.7.8 and the datasheets).
 *
 * Command packet (after the word address 0x03 on the bus):
 *   [count][opcode][param1][param2 lo][param2 hi][data...][crc lo][crc hi]
 *   count covers everything from itself to the CRC; minimum 7.
 * Response packet: [count][data...][crc lo][crc hi]; 4 bytes = a status byte.
 */
#ifndef TL_ATCA_PROTO_H
#define TL_ATCA_PROTO_H

#include <stddef.h>
#include <stdint.h>

/* I2C word addresses (first byte of every write). */
#define TL_ATCA_WA_RESET   0x00
#define TL_ATCA_WA_SLEEP   0x01
#define TL_ATCA_WA_IDLE    0x02
#define TL_ATCA_WA_COMMAND 0x03

/* Default 7-bit I2C address (0xC0 in 8-bit form). */
#define TL_ATCA_I2C_ADDR_DEFAULT 0x60

/* Opcodes. */
#define TL_ATCA_OP_CHECKMAC    0x28
#define TL_ATCA_OP_COUNTER     0x24
#define TL_ATCA_OP_DERIVEKEY   0x1C
#define TL_ATCA_OP_ECDH        0x43
#define TL_ATCA_OP_GENDIG      0x15
#define TL_ATCA_OP_GENKEY      0x40
#define TL_ATCA_OP_HMAC        0x11
#define TL_ATCA_OP_INFO        0x30
#define TL_ATCA_OP_LOCK        0x17
#define TL_ATCA_OP_MAC         0x08
#define TL_ATCA_OP_NONCE       0x16
#define TL_ATCA_OP_PAUSE       0x01
#define TL_ATCA_OP_PRIVWRITE   0x46
#define TL_ATCA_OP_RANDOM      0x1B
#define TL_ATCA_OP_READ        0x02
#define TL_ATCA_OP_SHA         0x47
#define TL_ATCA_OP_SIGN        0x41
#define TL_ATCA_OP_UPDATEEXTRA 0x20
#define TL_ATCA_OP_VERIFY      0x45
#define TL_ATCA_OP_WRITE       0x12
#define TL_ATCA_OP_AES         0x51   /* 608 */
#define TL_ATCA_OP_KDF         0x56   /* 608 */
#define TL_ATCA_OP_SECUREBOOT  0x80   /* 608 */
#define TL_ATCA_OP_SELFTEST    0x77   /* 608 */

/* Status bytes of a 4-byte response. */
#define TL_ATCA_ST_OK          0x00
#define TL_ATCA_ST_MISCOMPARE  0x01   /* CheckMac / Verify */
#define TL_ATCA_ST_PARSE       0x03
#define TL_ATCA_ST_ECC_FAULT   0x05
#define TL_ATCA_ST_SELFTEST    0x07
#define TL_ATCA_ST_HEALTH      0x08   /* 608 */
#define TL_ATCA_ST_EXEC        0x0F
#define TL_ATCA_ST_AFTER_WAKE  0x11
#define TL_ATCA_ST_WATCHDOG    0xEE
#define TL_ATCA_ST_COMM        0xFF   /* CRC or communication error */

/* Packet sizes. */
#define TL_ATCA_CMD_MIN        7
#define TL_ATCA_CMD_MAX        155    /* largest command packet (Write/Verify) */
#define TL_ATCA_RSP_MAX        75     /* 1 + 72 data + 2 (64-byte keys fit) */

/* Zones (param1 bits 1:0 of Read/Write). */
#define TL_ATCA_ZONE_CONFIG    0x00
#define TL_ATCA_ZONE_OTP       0x01
#define TL_ATCA_ZONE_DATA      0x02
#define TL_ATCA_ZONE_32BYTES   0x80
#define TL_ATCA_ZONE_ENCRYPTED 0x40

#define TL_ATCA_CONFIG_SIZE    128
#define TL_ATCA_OTP_SIZE       64
#define TL_ATCA_SLOT_COUNT     16
#define TL_ATCA_SN_SIZE        9

/* Config zone byte offsets. */
#define TL_ATCA_CFG_SN03          0
#define TL_ATCA_CFG_REVNUM        4
#define TL_ATCA_CFG_SN48          8
#define TL_ATCA_CFG_I2C_ENABLE    14
#define TL_ATCA_CFG_I2C_ADDRESS   16
#define TL_ATCA_CFG_OTP_MODE      18
#define TL_ATCA_CFG_CHIP_MODE     19
#define TL_ATCA_CFG_SLOT_CONFIG   20   /* 16 x 2 bytes, little-endian */
#define TL_ATCA_CFG_COUNTER0      52
#define TL_ATCA_CFG_COUNTER1      60
#define TL_ATCA_CFG_LAST_KEY_USE  68   /* 508A */
#define TL_ATCA_CFG_USER_EXTRA    84
#define TL_ATCA_CFG_SELECTOR      85
#define TL_ATCA_CFG_LOCK_VALUE    86   /* data/OTP zone lock: 0x55 unlocked */
#define TL_ATCA_CFG_LOCK_CONFIG   87   /* config zone lock: 0x55 unlocked */
#define TL_ATCA_CFG_SLOT_LOCKED   88   /* 2 bytes, bit per slot, 0 = locked */
#define TL_ATCA_CFG_X509_FORMAT   92
#define TL_ATCA_CFG_KEY_CONFIG    96   /* 16 x 2 bytes, little-endian */

#define TL_ATCA_UNLOCKED 0x55
#define TL_ATCA_LOCKED   0x00

/* Wake response after a good wake. */
#define TL_ATCA_WAKE_OK_0 0x04
#define TL_ATCA_WAKE_OK_1 0x11
#define TL_ATCA_WAKE_OK_2 0x33
#define TL_ATCA_WAKE_OK_3 0x43

/* Chip models. */
typedef enum {
    TL_ATCA_MODEL_UNKNOWN = 0,
    TL_ATCA_MODEL_508A,
    TL_ATCA_MODEL_608A
} tl_atca_model;

/* Size in bytes of data slot `slot` (0-7: 36, 8: 416, 9-15: 72); 0 if invalid. */
size_t tl_atca_slot_size(unsigned slot);

/*
 * Maximum execution time of `opcode` on `model` in milliseconds
 * (cryptoauthlib's tables; 608A at clock divider M0). 0 if unknown.
 */
unsigned tl_atca_exec_ms(tl_atca_model model, uint8_t opcode);

/*
 * CRC-16 of the chip: polynomial 0x8005, initial 0, data bits taken LSB first,
 * no final XOR; sent low byte first. crc[0] gets the low byte.
 */
void tl_atca_crc(const uint8_t *data, size_t len, uint8_t crc[2]);

/* The CRC as a number (low byte | high byte << 8), for Lock's zone CRC. */
uint16_t tl_atca_crc16(const uint8_t *data, size_t len);

#endif
