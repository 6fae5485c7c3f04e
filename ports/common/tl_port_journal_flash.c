/* The QoS 1 journal's store in two halves of flash (tl_port.h). */
#include <string.h>

#include "tl_port.h"

#define HDR 16u                       /* "TLJF" | gen | ~gen | 0xFFFFFFFF */
#define SELF(ctx) ((tl_port_journal_flash *)(void *)(ctx))

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static int fl_read(const tl_port_journal_flash *j, uint32_t off, uint8_t *buf, size_t len)
{
    return (*j->flash)->read(j->flash, off, buf, len);
}

/* Generation of half h's header, or 0 if it is not a valid header. */
static uint32_t header_gen(const tl_port_journal_flash *j, uint32_t h)
{
    uint8_t b[12];
    uint32_t gen;
    if (fl_read(j, h * j->half, b, sizeof b) != TL_PORT_OK || memcmp(b, "TLJF", 4) != 0)
        return 0;
    gen = le32(b + 4);
    return gen != 0 && gen != 0xFFFFFFFFu && le32(b + 8) == ~gen ? gen : 0;
}

static int write_header(const tl_port_journal_flash *j, uint32_t h, uint32_t gen)
{
    uint8_t b[HDR];
    memset(b, 0xFF, sizeof b);
    memcpy(b, "TLJF", 4);
    put32(b + 4, gen);
    put32(b + 8, ~gen);
    if ((*j->flash)->write(j->flash, h * j->half, b, sizeof b) != TL_PORT_OK)
        return -1;
    return header_gen(j, h) == gen ? 0 : -1;
}

static int erase_half(const tl_port_journal_flash *j, uint32_t h)
{
    uint32_t sector, off;
    (*j->flash)->geometry(j->flash, &sector);
    for (off = 0; off < j->half; off += sector)
        if ((*j->flash)->erase(j->flash, h * j->half + off) != TL_PORT_OK)
            return -1;
    return 0;
}

/* Where the data of the active half ends: walk the records by their length
 * fields (see tl_mqtt_journal.h); at anything else (a torn write), the end is
 * after the last programmed byte. */
static uint32_t find_end(const tl_port_journal_flash *j)
{
    uint32_t base = j->active * j->half + HDR, cap = j->half - HDR, off = 0, end;
    uint8_t b[TL_MQTT_JOURNAL_HEADER];
    while (off + sizeof b <= cap) {
        uint32_t len;
        if (fl_read(j, base + off, b, sizeof b) != TL_PORT_OK)
            break;
        if (b[0] == 0xFF && b[1] == 0xFF)
            return off;                          /* erased: the end */
        len = le32(b + 4);
        if (b[0] != 'T' || b[1] != 'J' || cap - off < TL_MQTT_JOURNAL_OVERHEAD ||
            len > cap - off - TL_MQTT_JOURNAL_OVERHEAD)
            break;
        off += TL_MQTT_JOURNAL_OVERHEAD + len;
    }
    if (off > cap)
        return cap;
    for (end = cap; end > off; end--) {          /* last programmed byte */
        uint8_t c;
        if (fl_read(j, base + end - 1, &c, 1) != TL_PORT_OK || c != 0xFF)
            break;
    }
    return end;
}

static long st_size(const tl_mqtt_journal_store_class **ctx)
{
    return (long)SELF(ctx)->size;
}

static int st_read(const tl_mqtt_journal_store_class **ctx, uint32_t off, uint8_t *buf,
                   size_t len)
{
    tl_port_journal_flash *j = SELF(ctx);
    if (off > j->size || len > j->size - off)
        return -1;
    return fl_read(j, j->active * j->half + HDR + off, buf, len) == TL_PORT_OK ? 0 : -1;
}

static int st_append(const tl_mqtt_journal_store_class **ctx, const uint8_t *buf, size_t len,
                     int sync)
{
    tl_port_journal_flash *j = SELF(ctx);
    int rc;
    (void)sync;   /* a flash write is durable when it returns */
    if (len > j->half - HDR - j->size)
        return -1;
    rc = (*j->flash)->write(j->flash, j->active * j->half + HDR + j->size, buf, len);
    /* Even a failed write may have programmed some bits: never write there
     * again; the journal sees a damaged record and compacts. */
    j->size += (uint32_t)len;
    return rc == TL_PORT_OK ? 0 : -1;
}

static int st_begin(const tl_mqtt_journal_store_class **ctx)
{
    tl_port_journal_flash *j = SELF(ctx);
    j->new_size = 0;
    return erase_half(j, 1 - j->active);
}

static int st_rewrite(const tl_mqtt_journal_store_class **ctx, const uint8_t *buf, size_t len)
{
    tl_port_journal_flash *j = SELF(ctx);
    if (len > j->half - HDR - j->new_size)
        return -1;
    if ((*j->flash)->write(j->flash, (1 - j->active) * j->half + HDR + j->new_size, buf,
                           len) != TL_PORT_OK)
        return -1;
    j->new_size += (uint32_t)len;
    return 0;
}

static int st_commit(const tl_mqtt_journal_store_class **ctx)
{
    tl_port_journal_flash *j = SELF(ctx);
    /* The header is the commit point: until it is complete, the old half rules. */
    if (write_header(j, 1 - j->active, j->gen + 1) != 0)
        return -1;
    j->active = 1 - j->active;
    j->gen++;
    j->size = j->new_size;
    return 0;
}

static const tl_mqtt_journal_store_class journal_flash_class = {
    st_size, st_read, st_append, st_begin, st_rewrite, st_commit
};

int tl_port_journal_flash_open(tl_port_journal_flash *j, const tl_port_flash_class **flash)
{
    uint32_t sector, total, g0, g1;
    if (!j || !flash)
        return TL_PORT_ERR_ARG;
    memset(j, 0, sizeof *j);
    j->vtable = &journal_flash_class;
    j->flash = flash;
    total = (*flash)->geometry(flash, &sector);
    if (sector == 0 || total / 2 < sector)
        return TL_PORT_ERR_ARG;
    j->half = total / 2 - (total / 2) % sector;
    g0 = header_gen(j, 0);
    g1 = header_gen(j, 1);
    if (!g0 && !g1) {                            /* blank or foreign: start afresh */
        if (erase_half(j, 0) != 0 || write_header(j, 0, 1) != 0)
            return TL_PORT_ERR_IO;
        g0 = 1;
    }
    j->active = g1 > g0 ? 1 : 0;
    j->gen = g1 > g0 ? g1 : g0;
    j->size = find_end(j);
    return TL_PORT_OK;
}

uint32_t tl_port_journal_flash_capacity(const tl_port_journal_flash *j)
{
    return j->half - HDR;
}
