/* The QoS 1 journal: record format, scan, append, ack, compaction (see
 * tl_mqtt_journal.h), and a RAM store. */
#include <string.h>

#include "tl_mqtt_journal.h"

#define REC_MSG 'M'
#define REC_ACK 'A'
#define REC_DEAD 'D'   /* refused by the broker: given up, as good as acknowledged */

/* Bitwise CRC-32: no table at all, fast enough for a journal whose speed is
 * bounded by fsync and flash writes anyway. */
uint32_t tl_mqtt_journal_crc32(uint32_t crc, const uint8_t *data, size_t len)
{
    size_t i;
    int k;
    crc = ~crc;
    for (i = 0; i < len; i++) {
        crc ^= data[i];
        for (k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320UL & (0u - (crc & 1u)));
    }
    return ~crc;
}

static void put32(uint8_t *p, uint32_t v)
{
    int i;
    for (i = 0; i < 4; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v = 0;
    int i;
    for (i = 3; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Seal the record in the work buffer (its body, len bytes, at offset 12:
 * the header before it, the CRC after it) and append it. 0 or -1. */
static int put_record(tl_mqtt_journal *j, uint8_t type, uint8_t flags, uint32_t len,
                      uint32_t seq, int sync)
{
    uint8_t *r = j->work;
    int i;
    r[0] = 'T';
    r[1] = 'J';
    r[2] = type;
    r[3] = flags;
    for (i = 0; i < 4; i++) {
        r[4 + i] = (uint8_t)(len >> 8 * i);
        r[8 + i] = (uint8_t)(seq >> 8 * i);
    }
    put32(r + TL_MQTT_JOURNAL_HEADER + len,
          tl_mqtt_journal_crc32(0, r, TL_MQTT_JOURNAL_HEADER + len));
    return (*j->store)->append(j->store, r, len + TL_MQTT_JOURNAL_OVERHEAD, sync);
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

/* Load live message e into work: 0 if its record is whole, intact and
 * still the message e describes. */
static int load_live(tl_mqtt_journal *j, const tl_mqtt_journal_entry *e)
{
    const uint8_t *w = j->work;
    return load_record(j, e->off, j->size) != 0 || w[2] != REC_MSG || get32(w + 4) != e->len ||
           get32(w + 8) != e->seq;
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
    int overflow = 0;
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
        long i;
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
        else if (e.seq + 1 > j->next_seq)
            j->next_seq = e.seq + 1;
        i = find(j, e.seq);
        if (work[2] != REC_MSG) {
            if (i >= 0)
                drop(j, (size_t)i);
        } else if (i < 0 && insert(j, &e) != 0) {
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
    for (i = 0; i < j->count;) {
        if (load_live(j, &j->live[i]) != 0) {
            drop(j, i);   /* changed under us: cannot be sent anyway */
            continue;
        }
        if ((*s)->rewrite_append(s, j->work, j->live[i++].len + TL_MQTT_JOURNAL_OVERHEAD) != 0)
            return TL_MQTT_JOURNAL_ERR_STORE;
    }
    if ((*s)->rewrite_commit(s) != 0)
        return TL_MQTT_JOURNAL_ERR_STORE;
    for (i = 0; i < j->count; i++) {
        j->live[i].off = off;
        off += j->live[i].len + TL_MQTT_JOURNAL_OVERHEAD;
    }
    j->size = off;
    j->dirty = 0;
    return TL_MQTT_JOURNAL_OK;
}

/* A record of total bytes fits in what is left of max_bytes. */
static int fits(const tl_mqtt_journal *j, uint32_t total)
{
    return j->size <= j->max_bytes && total <= j->max_bytes - j->size;
}

/* Make room for a record of total bytes, compacting if needed. */
static tl_mqtt_journal_status room(tl_mqtt_journal *j, uint32_t total)
{
    tl_mqtt_journal_status st;
    if (!j->dirty && fits(j, total))
        return TL_MQTT_JOURNAL_OK;
    if ((st = tl_mqtt_journal_compact(j)) != TL_MQTT_JOURNAL_OK)
        return st;
    return fits(j, total) ? TL_MQTT_JOURNAL_OK : TL_MQTT_JOURNAL_ERR_FULL;
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

/* Build message e in the work buffer (compaction uses it too) and append
 * it durably, in one piece. */
static int write_msg(tl_mqtt_journal *j, const tl_mqtt_journal_entry *e, const char *topic,
                     size_t topic_len, const uint8_t *payload, size_t payload_len)
{
    uint8_t *w = j->work;
    w[12] = (uint8_t)(topic_len >> 8);
    w[13] = (uint8_t)topic_len;
    memcpy(w + 14, topic, topic_len);
    if (payload_len)
        memcpy(w + 14 + topic_len, payload, payload_len);
    return put_record(j, REC_MSG, e->flags, e->len, e->seq, 1);
}

tl_mqtt_journal_status tl_mqtt_journal_append(tl_mqtt_journal *j, const char *topic,
                                              size_t topic_len, const uint8_t *payload,
                                              size_t payload_len, int retain, uint32_t *seq)
{
    tl_mqtt_journal_entry e;
    tl_mqtt_journal_status st;
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
    if (j->wrapped) {   /* empty now: compaction drops the old records; count from 0 */
        j->wrapped = 0;
        j->next_seq = 0;
        j->dirty = 1;
    }
    e.len = (uint32_t)body;
    e.seq = j->next_seq;
    e.flags = (uint8_t)(TL_MQTT_JOURNAL_F_QOS1 | (retain ? TL_MQTT_JOURNAL_F_RETAIN : 0));
    /* A refused write leaves the journal dirty: the second round compacts,
     * which gives back the space of acknowledged messages (a full medium or
     * a file size limit may take the record then) and the partial record. */
    for (attempt = 0;; attempt++) {
        if ((st = room(j, e.len + TL_MQTT_JOURNAL_OVERHEAD)) != TL_MQTT_JOURNAL_OK)
            return attempt ? TL_MQTT_JOURNAL_ERR_STORE : st;
        e.off = j->size;
        if (write_msg(j, &e, topic, topic_len, payload, payload_len) == 0)
            break;
        st = store_failed(j);
        if (attempt)
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
    long i = j ? find(j, seq) : -1;
    if (i < 0)
        return j ? TL_MQTT_JOURNAL_ERR_NOT_FOUND : TL_MQTT_JOURNAL_ERR_ARGUMENT;
    drop(j, (size_t)i);
    /* No room for the ack: compaction drops the message, which is as good. */
    if (j->dirty || !fits(j, TL_MQTT_JOURNAL_OVERHEAD))
        return tl_mqtt_journal_compact(j);
    if (put_record(j, type, 0, 0, seq, 0) != 0) {
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
    if (load_live(j, e) != 0)
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
