/* The journal's RAM store (tl_mqtt_journal_ram_init in tl_mqtt_journal.h):
 * the image in buf[0..cap/2), a compaction image built in the upper half. */
#include <string.h>

#include "tl_mqtt_journal.h"

static long ram_size(const tl_mqtt_journal_store_class **ctx)
{
    return (long)((tl_mqtt_journal_ram *)ctx)->len;
}

static int ram_read(const tl_mqtt_journal_store_class **ctx, uint32_t off, uint8_t *buf,
                    size_t len)
{
    tl_mqtt_journal_ram *r = (tl_mqtt_journal_ram *)ctx;
    if (off > r->len || len > r->len - off)
        return -1;
    memcpy(buf, r->buf + off, len);
    return 0;
}

static int ram_append(const tl_mqtt_journal_store_class **ctx, const uint8_t *buf, size_t len,
                      int sync)
{
    tl_mqtt_journal_ram *r = (tl_mqtt_journal_ram *)ctx;
    (void)sync;
    if (len > r->cap / 2 - r->len)
        return -1;
    memcpy(r->buf + r->len, buf, len);
    r->len += len;
    return 0;
}

static int ram_begin(const tl_mqtt_journal_store_class **ctx)
{
    ((tl_mqtt_journal_ram *)ctx)->new_len = 0;
    return 0;
}

static int ram_rewrite(const tl_mqtt_journal_store_class **ctx, const uint8_t *buf, size_t len)
{
    tl_mqtt_journal_ram *r = (tl_mqtt_journal_ram *)ctx;
    size_t half = r->cap / 2;
    if (len > (r->cap - half) - r->new_len)
        return -1;
    memcpy(r->buf + half + r->new_len, buf, len);
    r->new_len += len;
    return 0;
}

static int ram_commit(const tl_mqtt_journal_store_class **ctx)
{
    tl_mqtt_journal_ram *r = (tl_mqtt_journal_ram *)ctx;
    if (r->new_len > r->cap / 2)
        return -1;
    memmove(r->buf, r->buf + r->cap / 2, r->new_len);
    r->len = r->new_len;
    return 0;
}

static const tl_mqtt_journal_store_class ram_class = {
    ram_size, ram_read, ram_append, ram_begin, ram_rewrite, ram_commit };

void tl_mqtt_journal_ram_init(tl_mqtt_journal_ram *r, uint8_t *buf, size_t cap,
                              size_t init_len)
{
    r->vtable = &ram_class;
    r->buf = buf;
    r->cap = cap;
    r->len = init_len < cap / 2 ? init_len : cap / 2;
    r->new_len = 0;
}
