/*
 * Fuzz the MQTT codec: the input is a byte stream from a peer. It is framed
 * by the incremental decoder (whole and byte by byte, which must agree) and
 * by the one-shot view; every packet goes through every typed parser (only
 * the one for its type may accept it); what parses is re-encoded and must
 * give the same bytes back; and whatever the encoders accept parses back to
 * the same fields. Topic helpers get slices of the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mqtt/tl_mqtt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

/* The re-encoded packet must be the original, up to a longer length field. */
static void same(const tl_mqtt_packet *pkt, tl_mqtt_status st, const uint8_t *out, size_t n)
{
    uint8_t rl[4];
    size_t k = tl_mqtt_encode_remaining_length((uint32_t)pkt->len, rl);
    CHECK(st == TL_MQTT_OK);
    CHECK(n == 1 + k + pkt->len);
    CHECK(out[0] == (uint8_t)(pkt->type << 4 | pkt->flags));
    CHECK(memcmp(out + 1, rl, k) == 0);
    CHECK(pkt->len == 0 || memcmp(out + 1 + k, pkt->body, pkt->len) == 0);
}

static void parse_all(const tl_mqtt_packet *pkt, const tl_mqtt_options *opt)
{
    tl_mqtt_connect c;
    tl_mqtt_connack k;
    tl_mqtt_publish p;
    tl_mqtt_subscribe s;
    tl_mqtt_suback a;
    tl_mqtt_unsubscribe u;
    uint16_t id;
    static uint8_t out[70000];
    size_t n, i, accepted = 0;
    const size_t cap = sizeof out;
    if (tl_mqtt_parse_connect(pkt, opt, &c) == TL_MQTT_OK) {
        accepted++;
        same(pkt, tl_mqtt_encode_connect(&c, NULL, out, cap, &n), out, n);
    }
    if (tl_mqtt_parse_connack(pkt, &k) == TL_MQTT_OK) {
        accepted++;
        same(pkt, tl_mqtt_encode_connack(&k, out, cap, &n), out, n);
    }
    if (tl_mqtt_parse_publish(pkt, opt, &p) == TL_MQTT_OK) {
        accepted++;
        same(pkt, tl_mqtt_encode_publish(&p, opt, out, cap, &n), out, n);
    }
    if (tl_mqtt_parse_puback(pkt, &id) == TL_MQTT_OK) {
        accepted++;
        same(pkt, tl_mqtt_encode_puback(id, out, cap, &n), out, n);
    }
    if (tl_mqtt_parse_subscribe(pkt, opt, &s) == TL_MQTT_OK) {
        int qos2 = 0;
        accepted++;
        for (i = 0; i < s.count; i++)
            qos2 |= s.filters[i].qos == 2;
        if (!qos2)
            same(pkt, tl_mqtt_encode_subscribe(&s, opt, out, cap, &n), out, n);
    }
    if (tl_mqtt_parse_suback(pkt, &a) == TL_MQTT_OK) {
        accepted++;
        same(pkt, tl_mqtt_encode_suback(&a, out, cap, &n), out, n);
    }
    if (tl_mqtt_parse_unsubscribe(pkt, opt, &u) == TL_MQTT_OK) {
        accepted++;
        same(pkt, tl_mqtt_encode_unsubscribe(&u, opt, out, cap, &n), out, n);
    }
    if (tl_mqtt_parse_unsuback(pkt, &id) == TL_MQTT_OK) {
        accepted++;
        same(pkt, tl_mqtt_encode_unsuback(id, out, cap, &n), out, n);
    }
    if (tl_mqtt_parse_pingreq(pkt) == TL_MQTT_OK) {
        accepted++;
        same(pkt, tl_mqtt_encode_pingreq(out, cap, &n), out, n);
    }
    if (tl_mqtt_parse_pingresp(pkt) == TL_MQTT_OK) {
        accepted++;
        same(pkt, tl_mqtt_encode_pingresp(out, cap, &n), out, n);
    }
    if (tl_mqtt_parse_disconnect(pkt) == TL_MQTT_OK) {
        accepted++;
        same(pkt, tl_mqtt_encode_disconnect(out, cap, &n), out, n);
    }
    CHECK(accepted <= 1);
}

static void topics(const uint8_t *data, size_t size)
{
    size_t half = size / 2;
    const char *f = (const char *)data, *t = (const char *)data + half;
    size_t fl = half, tl = size - half;
    tl_mqtt_options aws = { 1 };
    int m = tl_mqtt_topic_matches(f, fl, t, tl);
    if (m) {
        CHECK(tl_mqtt_check_topic_filter(f, fl, NULL) == TL_MQTT_OK);
        CHECK(tl_mqtt_check_topic_name(t, tl, NULL) == TL_MQTT_OK);
    }
    if (tl_mqtt_check_topic_name(t, tl, NULL) == TL_MQTT_OK) {
        CHECK(tl_mqtt_check_topic_filter(t, tl, NULL) == TL_MQTT_OK);
        CHECK(tl_mqtt_topic_matches(t, tl, t, tl) == 1);
        CHECK(tl_mqtt_topic_matches("#", 1, t, tl) == (t[0] != '$'));
    }
    if (tl_mqtt_check_topic_filter(f, fl, &aws) == TL_MQTT_OK)
        CHECK(tl_mqtt_check_topic_filter(f, fl, NULL) == TL_MQTT_OK);
}

/* The other direction: whatever an encoder accepts, the parser accepts and
 * returns unchanged. Fields are slices of the input. */
static void encode_first(const uint8_t *data, size_t size)
{
    static uint8_t buf[8192];
    tl_mqtt_options opt = { 0 };
    tl_mqtt_packet pkt;
    tl_mqtt_publish p, p2;
    tl_mqtt_subscribe s, s2;
    tl_mqtt_connect c, c2;
    size_t n, used, i, cut, pos;
    if (size < 4)
        return;
    opt.aws_limits = data[0] & 1;
    cut = 4 + (size - 4) * data[1] / 256;
    memset(&p, 0, sizeof p);
    p.qos = (uint8_t)((data[0] >> 1) & 3u);
    p.dup = (data[0] >> 3) & 1;
    p.retain = (data[0] >> 4) & 1;
    p.packet_id = (uint16_t)(data[2] << 8 | data[3]);
    p.topic.ptr = (const char *)data + 4;
    p.topic.len = cut - 4;
    p.payload = data + cut;
    p.payload_len = size - cut;
    if (tl_mqtt_encode_publish(&p, &opt, buf, sizeof buf, &n) == TL_MQTT_OK) {
        CHECK(tl_mqtt_decode_packet(buf, n, sizeof buf, &pkt, &used) == TL_MQTT_COMPLETE);
        CHECK(used == n && tl_mqtt_parse_publish(&pkt, &opt, &p2) == TL_MQTT_OK);
        CHECK(p2.qos == p.qos && p2.dup == p.dup && p2.retain == p.retain);
        CHECK(p.qos == 0 || p2.packet_id == p.packet_id);
        CHECK(p2.topic.len == p.topic.len && memcmp(p2.topic.ptr, p.topic.ptr, p.topic.len) == 0);
        CHECK(p2.payload_len == p.payload_len &&
              (p.payload_len == 0 || memcmp(p2.payload, p.payload, p.payload_len) == 0));
    }
    /* SUBSCRIBE: filters separated by 0xFF bytes, QoS from their first byte. */
    memset(&s, 0, sizeof s);
    s.packet_id = p.packet_id;
    for (pos = 4; pos <= size && s.count < TL_MQTT_MAX_FILTERS; s.count++) {
        size_t end = pos;
        while (end < size && data[end] != 0xFF)
            end++;
        s.filters[s.count].filter.ptr = (const char *)data + pos;
        s.filters[s.count].filter.len = end - pos;
        s.filters[s.count].qos = end > pos ? (uint8_t)(data[pos] & 1u) : 0;
        pos = end + 1;
    }
    if (tl_mqtt_encode_subscribe(&s, &opt, buf, sizeof buf, &n) == TL_MQTT_OK) {
        CHECK(tl_mqtt_decode_packet(buf, n, sizeof buf, &pkt, &used) == TL_MQTT_COMPLETE);
        CHECK(tl_mqtt_parse_subscribe(&pkt, &opt, &s2) == TL_MQTT_OK && s2.count == s.count);
        for (i = 0; i < s.count; i++)
            CHECK(s2.filters[i].qos == s.filters[i].qos &&
                  s2.filters[i].filter.len == s.filters[i].filter.len);
    }
    /* CONNECT: client id, will topic, username from the same slices. */
    memset(&c, 0, sizeof c);
    c.client_id = p.topic;
    c.clean_session = (data[0] >> 5) & 1;
    c.keep_alive = p.packet_id;
    c.has_will = (data[0] >> 6) & 1;
    c.will_topic = s.filters[0].filter;
    c.will_message.ptr = p.payload;
    c.will_message.len = p.payload_len;
    c.will_qos = c.has_will ? p.qos : 0;
    c.will_retain = c.has_will && p.retain;
    c.has_username = (data[0] >> 7) & 1;
    c.username = s.filters[s.count - 1].filter;
    c.has_password = c.has_username && p.dup;
    c.password.ptr = data;
    c.password.len = 4;
    if (tl_mqtt_encode_connect(&c, &opt, buf, sizeof buf, &n) == TL_MQTT_OK) {
        CHECK(tl_mqtt_decode_packet(buf, n, sizeof buf, &pkt, &used) == TL_MQTT_COMPLETE);
        CHECK(tl_mqtt_parse_connect(&pkt, &opt, &c2) == TL_MQTT_OK);
        CHECK(c2.keep_alive == c.keep_alive && c2.has_will == c.has_will &&
              c2.will_qos == c.will_qos && c2.has_password == c.has_password &&
              c2.client_id.len == c.client_id.len);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t body1[4096], body2[4096];
    tl_mqtt_decoder whole, bytes;
    tl_mqtt_options aws = { 1 };
    size_t pos = 0, bpos = 0;
    tl_mqtt_decoder_init(&whole, body1, sizeof body1);
    tl_mqtt_decoder_init(&bytes, body2, sizeof body2);
    for (;;) {
        tl_mqtt_packet pkt, bpkt, view;
        size_t used, vused;
        tl_mqtt_status vst = tl_mqtt_decode_packet(data + pos, size - pos, sizeof body1, &view,
                                                   &vused);
        tl_mqtt_status st = tl_mqtt_decoder_feed(&whole, data + pos, size - pos, &used, &pkt);
        tl_mqtt_status bst = TL_MQTT_NEED_MORE;
        CHECK(used <= size - pos);
        while (bst == TL_MQTT_NEED_MORE && bpos < size) {
            size_t one;
            bst = tl_mqtt_decoder_feed(&bytes, data + bpos, 1, &one, &bpkt);
            bpos += one;
        }
        CHECK(st == bst);
        if (vst == TL_MQTT_ERR_PACKET_TOO_BIG && data[pos] >> 4 == TL_MQTT_PUBLISH) {
            /* The decoders skip what the view refuses: a PUBLISH larger
             * than the buffer. Its head is kept as the whole view has it. */
            CHECK(st == TL_MQTT_NEED_MORE || st == TL_MQTT_SKIPPED);
            if (st != TL_MQTT_SKIPPED)
                break;
            CHECK(tl_mqtt_decode_packet(data + pos, size - pos, size, &view, &vused) ==
                  TL_MQTT_COMPLETE);
            CHECK(used == vused && pos + used == bpos && whole.remaining == view.len);
            CHECK(pkt.len == sizeof body1 && bpkt.len == pkt.len && pkt.type == view.type &&
                  pkt.flags == bpkt.flags && pkt.flags == view.flags);
            CHECK(memcmp(pkt.body, bpkt.body, pkt.len) == 0 &&
                  memcmp(pkt.body, view.body, pkt.len) == 0);
            parse_all(&pkt, &aws);
            pos += used;
            continue;
        }
        CHECK(st == vst);
        if (st != TL_MQTT_COMPLETE)
            break;
        CHECK(used == vused && pos + used == bpos);
        CHECK(pkt.type == bpkt.type && pkt.flags == bpkt.flags && pkt.len == bpkt.len);
        CHECK(pkt.type == view.type && pkt.flags == view.flags && pkt.len == view.len);
        CHECK(pkt.len == 0 || (memcmp(pkt.body, bpkt.body, pkt.len) == 0 &&
                               memcmp(pkt.body, view.body, pkt.len) == 0));
        parse_all(&pkt, NULL);
        parse_all(&pkt, &aws);
        pos += used;
    }
    topics(data, size);
    encode_first(data, size);
    return 0;
}
