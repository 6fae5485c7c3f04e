/* The QoS 1 journal: record format, scan, append, ack, compaction (see
 * tl_mqtt_journal.h), and a RAM store. */
#include <string.h>

#include "tl_mqtt_journal.h"

#define REC_MSG 'M'
#define REC_ACK 'A'
#define REC_DEAD 'D'   /* refused by the broker: given up, as good as acknowledged */
#define F_BAD 0x40   /* RAM only, during compaction: record unreadable */

/* Nibble-table CRC-32: 64 bytes of table instead of 1 KB, fast enough for a
 * journal whose speed is bounded by fsync anyway. */
uint32_t tl_mqtt_journal_crc32(uint32_t crc, const uint8_t *data, size_t len)
{
    static const uint32_t t[16] = {
        0x00000000UL, 0x1DB71064UL, 0x3B6E20C8UL, 0x26D930ACUL, 0x76DC4190UL,
        0x6B6B51F4UL, 0x4DB26158UL, 0x5005713CUL, 0xEDB88320UL, 0xF00F9344UL,
        0xD6D6A3E8UL, 0xCB61B38CUL, 0x9B64C2B0UL, 0x86D3D2D4UL, 0xA00AE278UL,
        0xBDBDF21CUL };
    size_t i;
    crc = ~crc;
    for (i = 0; i < len; i++) {
        crc ^= data[i];
        crc = (crc >> 4) ^ t[crc & 15];
        crc = (crc >> 4) ^ t[crc & 15];
    }
    return ~crc;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void header(uint8_t h[TL_MQTT_JOURNAL_HEADER], uint8_t type, uint8_t flags,
                   uint32_t len, uint32_t seq)
{
    h[0] = 'T'; h[1] = 'J'; h[2] = type; h[3] = flags;
    put32(h + 4, len);
    put32(h + 8, seq);
}

/* Read the record at off into work and check it. 0 if whole and intact. */
static int load_record(tl_mqtt_journal *j, uint32_t off, uint32_t limit)
{
    uint8_t *w = j->work;
    uint32_t len, total;
    if (limit - off < TL_MQTT_JOURNAL_OVERHEAD ||
        (*j->store)->read(j->store, off, w, TL_MQTT_JOURNAL_HEADER) != 0)
        return -1;
    if (w[0] != 'T' || w[1] != 'J' || (w[2] != REC_MSG && w[2] != REC_ACK && w[2] != REC_DEAD))
        return -1;
    len = get32(w + 4);
    if (len > j->work_len - TL_MQTT_JOURNAL_OVERHEAD ||
        len > limit - off - TL_MQTT_JOURNAL_OVERHEAD)
        return -1;
    total = len + TL_MQTT_JOURNAL_OVERHEAD;
    if ((*j->store)->read(j->store, off + TL_MQTT_JOURNAL_HEADER, w + TL_MQTT_JOURNAL_HEADER,
                          total - TL_MQTT_JOURNAL_HEADER) != 0)
        return -1;
    if (tl_mqtt_journal_crc32(0, w, total - 4) != get32(w + total - 4))
        return -1;
    if (w[2] == REC_MSG) {   /* a message needs a non-empty topic inside its body */
        uint32_t tl;
        if (len < 2)
            return -1;
        tl = (uint32_t)w[12] << 8 | w[13];
        if (tl == 0 || tl > len - 2)
            return -1;
    } else if (len != 0) {
        return -1;
    }
    return 0;
}

static long find(const tl_mqtt_journal *j, uint32_t seq)
{
    size_t i;
    for (i = 0; i < j->count; i++)
        if (j->live[i].seq == seq)
            return (long)i;
    return -1;
}

static void drop(tl_mqtt_journal *j, size_t i)
{
    memmove(&j->live[i], &j->live[i + 1], (j->count - i - 1) * sizeof j->live[0]);
    j->count--;
}

/* Keep live[] in sequence order; records normally arrive in order. */
static int insert(tl_mqtt_journal *j, const tl_mqtt_journal_entry *e)
{
    size_t i = j->count;
    if (j->count >= TL_MQTT_JOURNAL_MAX_LIVE)
        return -1;
    while (i > 0 && j->live[i - 1].seq > e->seq)
        i--;
    memmove(&j->live[i + 1], &j->live[i], (j->count - i) * sizeof j->live[0]);
    j->live[i] = *e;
    j->count++;
    return 0;
}

tl_mqtt_journal_status tl_mqtt_journal_open(tl_mqtt_journal *j,
                                            const tl_mqtt_journal_store_class **store,
                                            uint8_t *work, size_t work_len,
                                            uint32_t max_bytes)
{
    long size;
    uint32_t off = 0;
    int overflow = 0, any = 0;
    if (!j || !store || !work || work_len < TL_MQTT_JOURNAL_OVERHEAD + 3)
        return TL_MQTT_JOURNAL_ERR_ARGUMENT;
    memset(j, 0, sizeof *j);
    j->store = store;
    j->work = work;
    j->work_len = work_len;
    j->max_bytes = max_bytes;
    size = (*store)->size(store);
    if (size < 0)
        return TL_MQTT_JOURNAL_ERR_STORE;
    j->size = (uint32_t)size;
    while (off < j->size) {
        tl_mqtt_journal_entry e;
        uint32_t len;
        if (load_record(j, off, j->size) != 0) {
            /* Damage: resynchronise on the next record that checks. */
            j->skipped++;
            j->dirty = 1;
            off++;
            continue;
        }
        len = get32(work + 4);
        e.seq = get32(work + 8);
        e.off = off;
        e.len = len;
        e.flags = (uint8_t)((work[3] & 3) | TL_MQTT_JOURNAL_F_SENT);
        if (e.seq == 0xFFFFFFFFUL)
            j->wrapped = 1;
        else if (!any || e.seq + 1 > j->next_seq)
            j->next_seq = e.seq + 1;
        any = 1;
        if (work[2] != REC_MSG) {
            long i = find(j, e.seq);
            if (i >= 0)
                drop(j, (size_t)i);
        } else if (find(j, e.seq) < 0 && insert(j, &e) != 0) {
            overflow = 1;
        }
        off += len + TL_MQTT_JOURNAL_OVERHEAD;
    }
    if (j->wrapped)
        j->next_seq = 0;
    return overflow ? TL_MQTT_JOURNAL_ERR_FULL : TL_MQTT_JOURNAL_OK;
}

tl_mqtt_journal_status tl_mqtt_journal_compact(tl_mqtt_journal *j)
{
    const tl_mqtt_journal_store_class **s = j->store;
    uint32_t off = 0;
    size_t i;
    if ((*s)->rewrite_begin(s) != 0)
        return TL_MQTT_JOURNAL_ERR_STORE;
    for (i = 0; i < j->count; i++) {
        tl_mqtt_journal_entry *e = &j->live[i];
        uint32_t total = e->len + TL_MQTT_JOURNAL_OVERHEAD;
        if (load_record(j, e->off, j->size) != 0 || get32(j->work + 8) != e->seq) {
            e->flags |= F_BAD;   /* changed under us: cannot be sent anyway */
            continue;
        }
        if ((*s)->rewrite_append(s, j->work, total) != 0)
            goto fail;
    }
    if ((*s)->rewrite_commit(s) != 0)
        goto fail;
    for (i = 0; i < j->count;) {
        if (j->live[i].flags & F_BAD) {
            drop(j, i);
            continue;
        }
        j->live[i].off = off;
        off += j->live[i].len + TL_MQTT_JOURNAL_OVERHEAD;
        i++;
    }
    j->size = off;
    j->dirty = 0;
    return TL_MQTT_JOURNAL_OK;
fail:
    for (i = 0; i < j->count; i++)
        j->live[i].flags &= (uint8_t)~F_BAD;
    return TL_MQTT_JOURNAL_ERR_STORE;
}

/* Make room for a record of total bytes, compacting if needed. */
static tl_mqtt_journal_status room(tl_mqtt_journal *j, uint32_t total)
{
    tl_mqtt_journal_status st;
    if (!j->dirty && j->size <= j->max_bytes && total <= j->max_bytes - j->size)
        return TL_MQTT_JOURNAL_OK;
    if ((st = tl_mqtt_journal_compact(j)) != TL_MQTT_JOURNAL_OK)
        return st;
    if (j->size > j->max_bytes || total > j->max_bytes - j->size)
        return TL_MQTT_JOURNAL_ERR_FULL;
    return TL_MQTT_JOURNAL_OK;
}

/* After a failed append the store may hold part of a record: note its size
 * and compact before the next append. */
static tl_mqtt_journal_status store_failed(tl_mqtt_journal *j)
{
    long size = (*j->store)->size(j->store);
    if (size >= 0)
        j->size = (uint32_t)size;
    j->dirty = 1;
    return TL_MQTT_JOURNAL_ERR_STORE;
}

tl_mqtt_journal_status tl_mqtt_journal_append(tl_mqtt_journal *j, const char *topic,
                                              size_t topic_len, const uint8_t *payload,
                                              size_t payload_len, int retain, uint32_t *seq)
{
    const tl_mqtt_journal_store_class **s;
    uint8_t h[TL_MQTT_JOURNAL_HEADER + 2], c[4];
    tl_mqtt_journal_entry e;
    tl_mqtt_journal_status st;
    uint32_t crc;
    size_t body;
    int attempt;
    if (!j || !topic || topic_len == 0 || topic_len > 0xFFFF || (!payload && payload_len))
        return TL_MQTT_JOURNAL_ERR_ARGUMENT;
    body = 2 + topic_len + payload_len;
    /* Larger than a record can be, or than the whole journal: never fits. */
    if (payload_len > j->work_len || body > j->work_len - TL_MQTT_JOURNAL_OVERHEAD ||
        body + TL_MQTT_JOURNAL_OVERHEAD > j->max_bytes)
        return TL_MQTT_JOURNAL_ERR_TOO_BIG;
    if (j->count >= TL_MQTT_JOURNAL_MAX_LIVE || (j->wrapped && j->count))
        return TL_MQTT_JOURNAL_ERR_FULL;
    if (j->wrapped) {   /* empty now: drop the old records, then count from 0 */
        if ((st = tl_mqtt_journal_compact(j)) != TL_MQTT_JOURNAL_OK)
            return st;
        j->wrapped = 0;
        j->next_seq = 0;
    }
    if ((st = room(j, (uint32_t)(body + TL_MQTT_JOURNAL_OVERHEAD))) != TL_MQTT_JOURNAL_OK)
        return st;
    e.seq = j->next_seq;
    e.len = (uint32_t)body;
    e.flags = (uint8_t)(TL_MQTT_JOURNAL_F_QOS1 | (retain ? TL_MQTT_JOURNAL_F_RETAIN : 0));
    header(h, REC_MSG, e.flags, e.len, e.seq);
    h[12] = (uint8_t)(topic_len >> 8);
    h[13] = (uint8_t)topic_len;
    crc = tl_mqtt_journal_crc32(0, h, sizeof h);
    crc = tl_mqtt_journal_crc32(crc, (const uint8_t *)topic, topic_len);
    crc = tl_mqtt_journal_crc32(crc, payload, payload_len);
    put32(c, crc);
    s = j->store;
    for (attempt = 0;; attempt++) {
        e.off = j->size;
        if ((*s)->append(s, h, sizeof h, 0) == 0 &&
            (*s)->append(s, (const uint8_t *)topic, topic_len, 0) == 0 &&
            (!payload_len || (*s)->append(s, payload, payload_len, 0) == 0) &&
            (*s)->append(s, c, 4, 1) == 0)
            break;
        st = store_failed(j);
        /* A full medium (or a file size limit) may still take the record once
         * compaction has given back the space of acknowledged messages; the
         * partial record goes with the compaction. */
        if (attempt || tl_mqtt_journal_compact(j) != TL_MQTT_JOURNAL_OK ||
            j->size > j->max_bytes ||
            (uint32_t)(body + TL_MQTT_JOURNAL_OVERHEAD) > j->max_bytes - j->size)
            return st;
    }
    j->size += e.len + TL_MQTT_JOURNAL_OVERHEAD;
    (void)insert(j, &e);   /* room was checked above */
    if (++j->next_seq == 0)
        j->wrapped = 1;
    if (seq)
        *seq = e.seq;
    return TL_MQTT_JOURNAL_OK;
}

/* An ack or dead record for seq: it leaves the live list. */
static tl_mqtt_journal_status settle(tl_mqtt_journal *j, uint32_t seq, uint8_t type)
{
    uint8_t r[TL_MQTT_JOURNAL_OVERHEAD];
    long i = j ? find(j, seq) : -1;
    if (i < 0)
        return j ? TL_MQTT_JOURNAL_ERR_NOT_FOUND : TL_MQTT_JOURNAL_ERR_ARGUMENT;
    drop(j, (size_t)i);
    /* No room for the ack: compaction drops the message, which is as good. */
    if (j->dirty || j->size > j->max_bytes || TL_MQTT_JOURNAL_OVERHEAD > j->max_bytes - j->size)
        return tl_mqtt_journal_compact(j);
    header(r, type, 0, 0, seq);
    put32(r + 12, tl_mqtt_journal_crc32(0, r, 12));
    if ((*j->store)->append(j->store, r, sizeof r, 0) != 0) {
        /* A full medium: compaction drops the message (and the partial
         * record) instead, if it can. */
        (void)store_failed(j);
        return tl_mqtt_journal_compact(j);
    }
    j->size += TL_MQTT_JOURNAL_OVERHEAD;
    return TL_MQTT_JOURNAL_OK;
}

tl_mqtt_journal_status tl_mqtt_journal_ack(tl_mqtt_journal *j, uint32_t seq)
{
    return settle(j, seq, REC_ACK);
}

tl_mqtt_journal_status tl_mqtt_journal_dead(tl_mqtt_journal *j, uint32_t seq)
{
    return settle(j, seq, REC_DEAD);
}

tl_mqtt_journal_status tl_mqtt_journal_read(tl_mqtt_journal *j, uint32_t seq,
                                            tl_mqtt_journal_msg *msg)
{
    const tl_mqtt_journal_entry *e;
    const uint8_t *w;
    long i = j ? find(j, seq) : -1;
    size_t tl;
    if (!j || !msg)
        return TL_MQTT_JOURNAL_ERR_ARGUMENT;
    if (i < 0)
        return TL_MQTT_JOURNAL_ERR_NOT_FOUND;
    e = &j->live[i];
    w = j->work;
    if (load_record(j, e->off, j->size) != 0 || w[2] != REC_MSG || get32(w + 8) != seq ||
        get32(w + 4) != e->len)
        return TL_MQTT_JOURNAL_ERR_CORRUPT;
    tl = (size_t)w[12] << 8 | w[13];
    msg->seq = seq;
    msg->topic = (const char *)w + 14;
    msg->topic_len = tl;
    msg->payload = w + 14 + tl;
    msg->payload_len = e->len - 2 - tl;
    msg->retain = (w[3] & TL_MQTT_JOURNAL_F_RETAIN) != 0;
    msg->sent_before = (e->flags & TL_MQTT_JOURNAL_F_SENT) != 0;
    return TL_MQTT_JOURNAL_OK;
}

void tl_mqtt_journal_mark_sent(tl_mqtt_journal *j, uint32_t seq)
{
    long i = find(j, seq);
    if (i >= 0)
        j->live[i].flags |= TL_MQTT_JOURNAL_F_SENT;
}

size_t tl_mqtt_journal_count(const tl_mqtt_journal *j)
{
    return j->count;
}

uint32_t tl_mqtt_journal_seq_at(const tl_mqtt_journal *j, size_t i)
{
    return i < j->count ? j->live[i].seq : 0;
}

const char *tl_mqtt_journal_status_text(tl_mqtt_journal_status st)
{
    switch (st) {
    case TL_MQTT_JOURNAL_OK: return "success";
    case TL_MQTT_JOURNAL_ERR_ARGUMENT: return "invalid argument";
    case TL_MQTT_JOURNAL_ERR_FULL: return "QoS 1 journal full (messages not yet acknowledged)";
    case TL_MQTT_JOURNAL_ERR_TOO_BIG: return "message larger than the journal's record buffer";
    case TL_MQTT_JOURNAL_ERR_STORE: return "journal storage I/O error";
    case TL_MQTT_JOURNAL_ERR_NOT_FOUND: return "no such message in the journal";
    default: return "journal record damaged since it was written";
    }
}
