/* tl_mqtt_inflight: id allocation, window, acks, order, wrap-around. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mqtt_test_util.h"

static void test_window(void **state)
{
    tl_mqtt_inflight t;
    const tl_mqtt_inflight_entry *e;
    uint16_t id;
    size_t cur = 0;
    (void)state;
    assert_int_equal(tl_mqtt_inflight_init(&t, 0), TL_MQTT_ERR_ARGUMENT);
    assert_int_equal(tl_mqtt_inflight_init(&t, TL_MQTT_INFLIGHT_MAX + 1), TL_MQTT_ERR_ARGUMENT);
    assert_int_equal(tl_mqtt_inflight_init(&t, 3), TL_MQTT_OK);
    assert_int_equal(tl_mqtt_inflight_alloc(&t, TL_MQTT_PUBLISH, 0, &id), TL_MQTT_OK);
    assert_int_equal(id, 1);
    assert_int_equal(tl_mqtt_inflight_alloc(&t, TL_MQTT_SUBSCRIBE, 0, &id), TL_MQTT_OK);
    assert_int_equal(id, 2);
    assert_int_equal(tl_mqtt_inflight_alloc(&t, TL_MQTT_PUBLISH, 0, &id), TL_MQTT_OK);
    assert_int_equal(id, 3);
    assert_int_equal(tl_mqtt_inflight_alloc(&t, TL_MQTT_PUBLISH, 0, &id),
                     TL_MQTT_ERR_WINDOW_FULL);
    assert_int_equal(tl_mqtt_inflight_alloc(&t, TL_MQTT_PUBACK, 0, &id), TL_MQTT_ERR_ARGUMENT);
    assert_int_equal(tl_mqtt_inflight_count(&t), 3);
    /* Acks must name an id in flight, of the matching type. */
    assert_int_equal(tl_mqtt_inflight_ack(&t, TL_MQTT_PUBACK, 2), TL_MQTT_ERR_NOT_IN_FLIGHT);
    assert_int_equal(tl_mqtt_inflight_ack(&t, TL_MQTT_PUBACK, 9), TL_MQTT_ERR_NOT_IN_FLIGHT);
    assert_int_equal(tl_mqtt_inflight_ack(&t, TL_MQTT_PUBACK, 0), TL_MQTT_ERR_NOT_IN_FLIGHT);
    assert_int_equal(tl_mqtt_inflight_ack(&t, TL_MQTT_CONNACK, 2), TL_MQTT_ERR_ARGUMENT);
    assert_int_equal(tl_mqtt_inflight_ack(&t, TL_MQTT_SUBACK, 2), TL_MQTT_OK);
    assert_int_equal(tl_mqtt_inflight_ack(&t, TL_MQTT_SUBACK, 2), TL_MQTT_ERR_NOT_IN_FLIGHT);
    assert_null(tl_mqtt_inflight_find(&t, 2));
    assert_int_equal(tl_mqtt_inflight_alloc(&t, TL_MQTT_PUBLISH, 0, &id), TL_MQTT_OK);
    assert_int_equal(id, 4);
    /* States and send order. */
    e = tl_mqtt_inflight_find(&t, 3);
    assert_non_null(e);
    assert_int_equal(e->state, TL_MQTT_INFLIGHT_SENT);   /* the caller sends it now */
    assert_int_equal(tl_mqtt_inflight_set_state(&t, 3, TL_MQTT_INFLIGHT_PENDING), TL_MQTT_OK);
    assert_int_equal(tl_mqtt_inflight_find(&t, 3)->state, TL_MQTT_INFLIGHT_PENDING);
    assert_int_equal(tl_mqtt_inflight_set_state(&t, 2, TL_MQTT_INFLIGHT_SENT),
                     TL_MQTT_ERR_NOT_IN_FLIGHT);
    assert_int_equal(tl_mqtt_inflight_set_state(&t, 3, 9), TL_MQTT_ERR_ARGUMENT);
    assert_int_equal(tl_mqtt_inflight_next(&t, TL_MQTT_PUBLISH, &cur)->packet_id, 1);
    assert_int_equal(tl_mqtt_inflight_next(&t, TL_MQTT_PUBLISH, &cur)->packet_id, 3);
    assert_int_equal(tl_mqtt_inflight_next(&t, TL_MQTT_PUBLISH, &cur)->packet_id, 4);
    assert_null(tl_mqtt_inflight_next(&t, TL_MQTT_PUBLISH, &cur));
    cur = 0;
    assert_null(tl_mqtt_inflight_next(&t, TL_MQTT_SUBSCRIBE, &cur));
    tl_mqtt_inflight_clear(&t);
    assert_int_equal(tl_mqtt_inflight_count(&t), 0);
    assert_int_equal(tl_mqtt_inflight_alloc(&t, TL_MQTT_UNSUBSCRIBE, 0, &id), TL_MQTT_OK);
    assert_int_equal(id, 5);
    assert_int_equal(tl_mqtt_inflight_ack(&t, TL_MQTT_UNSUBACK, 5), TL_MQTT_OK);
}

static void test_wrap_and_no_reuse(void **state)
{
    tl_mqtt_inflight t;
    uint16_t id, held[3];
    unsigned long i;
    size_t k;
    (void)state;
    assert_int_equal(tl_mqtt_inflight_init(&t, 4), TL_MQTT_OK);
    /* Hold ids 1, 2 and 3 for the whole run; cycle the fourth slot. */
    for (k = 0; k < 3; k++)
        assert_int_equal(tl_mqtt_inflight_alloc(&t, TL_MQTT_PUBLISH, 0, &held[k]), TL_MQTT_OK);
    for (i = 0; i < 200000; i++) {
        assert_int_equal(tl_mqtt_inflight_alloc(&t, TL_MQTT_PUBLISH, 0, &id), TL_MQTT_OK);
        if (id == 0 || id == held[0] || id == held[1] || id == held[2])
            fail_msg("id %u reused or zero after %lu allocations", id, i);
        if (i == 65531)
            assert_int_equal(id, 65535);
        if (i == 65532)
            assert_int_equal(id, 4);   /* wrapped, skipping 0 and the held 1..3 */
        assert_int_equal(tl_mqtt_inflight_ack(&t, TL_MQTT_PUBACK, id), TL_MQTT_OK);
    }
    /* Release 2: after the wrap it is handed out again. */
    assert_int_equal(tl_mqtt_inflight_ack(&t, TL_MQTT_PUBACK, 2), TL_MQTT_OK);
    t.next_id = 65535;
    assert_int_equal(tl_mqtt_inflight_alloc(&t, TL_MQTT_PUBLISH, 0, &id), TL_MQTT_OK);
    assert_int_equal(id, 65535);
    assert_int_equal(tl_mqtt_inflight_alloc(&t, TL_MQTT_PUBLISH, 0, &id), TL_MQTT_OK);
    assert_int_equal(id, 2);
}

/* Tags stay with their entries; after a reconnect only PUBLISHes remain,
 * pending again, in their order. */
static void test_tags_and_requeue(void **state)
{
    tl_mqtt_inflight t;
    uint16_t id;
    size_t cur = 0;
    const tl_mqtt_inflight_entry *e;
    (void)state;
    assert_int_equal(tl_mqtt_inflight_init(&t, 5), TL_MQTT_OK);
    assert_int_equal(tl_mqtt_inflight_alloc(&t, TL_MQTT_PUBLISH, 100, &id), TL_MQTT_OK);
    assert_int_equal(tl_mqtt_inflight_alloc(&t, TL_MQTT_SUBSCRIBE, 0, &id), TL_MQTT_OK);
    assert_int_equal(tl_mqtt_inflight_alloc(&t, TL_MQTT_PUBLISH, 0xFFFFFFFFUL, &id), TL_MQTT_OK);
    assert_int_equal(tl_mqtt_inflight_alloc(&t, TL_MQTT_UNSUBSCRIBE, 5, &id), TL_MQTT_OK);
    assert_int_equal(tl_mqtt_inflight_alloc(&t, TL_MQTT_PUBLISH, 102, &id), TL_MQTT_OK);
    assert_int_equal(tl_mqtt_inflight_set_state(&t, 5, TL_MQTT_INFLIGHT_PENDING), TL_MQTT_OK);
    assert_int_equal(tl_mqtt_inflight_find(&t, 3)->state, TL_MQTT_INFLIGHT_SENT);
    assert_int_equal(tl_mqtt_inflight_find(&t, 3)->tag, 0xFFFFFFFFUL);
    assert_int_equal(tl_mqtt_inflight_ack(&t, TL_MQTT_PUBACK, 1), TL_MQTT_OK);
    assert_int_equal(tl_mqtt_inflight_find(&t, 5)->tag, 102);
    tl_mqtt_inflight_requeue(&t);
    assert_int_equal(tl_mqtt_inflight_count(&t), 2);
    e = tl_mqtt_inflight_next(&t, 0, &cur);
    assert_int_equal(e->packet_id, 3);
    assert_int_equal(e->tag, 0xFFFFFFFFUL);
    assert_int_equal(e->state, TL_MQTT_INFLIGHT_PENDING);
    e = tl_mqtt_inflight_next(&t, 0, &cur);
    assert_int_equal(e->packet_id, 5);
    assert_int_equal(e->tag, 102);
    assert_int_equal(e->state, TL_MQTT_INFLIGHT_PENDING);
    assert_null(tl_mqtt_inflight_next(&t, 0, &cur));
    /* Freed ids are not reused before the sequence wraps. */
    assert_int_equal(tl_mqtt_inflight_alloc(&t, TL_MQTT_PUBLISH, 0, &id), TL_MQTT_OK);
    assert_int_equal(id, 6);
    assert_int_equal(tl_mqtt_inflight_ack(&t, TL_MQTT_SUBACK, 6), TL_MQTT_ERR_NOT_IN_FLIGHT);
    assert_int_equal(tl_mqtt_inflight_ack(&t, TL_MQTT_UNSUBACK, 6), TL_MQTT_ERR_NOT_IN_FLIGHT);
    assert_int_equal(tl_mqtt_inflight_ack(&t, TL_MQTT_PUBREC, 6), TL_MQTT_ERR_ARGUMENT);
    assert_int_equal(tl_mqtt_inflight_ack(&t, 0, 6), TL_MQTT_ERR_ARGUMENT);
    assert_int_equal(tl_mqtt_inflight_ack(&t, 255, 6), TL_MQTT_ERR_ARGUMENT);
    assert_int_equal(tl_mqtt_inflight_ack(&t, TL_MQTT_PUBACK, 6), TL_MQTT_OK);
}

static void test_restore(void **state)
{
    tl_mqtt_inflight t;
    uint16_t id;
    size_t cur = 0;
    (void)state;
    assert_int_equal(tl_mqtt_inflight_init(&t, 3), TL_MQTT_OK);
    assert_int_equal(tl_mqtt_inflight_restore(&t, TL_MQTT_PUBLISH, 7, 500, TL_MQTT_INFLIGHT_SENT),
                     TL_MQTT_OK);
    assert_int_equal(tl_mqtt_inflight_restore(&t, TL_MQTT_PUBLISH, 7, 500, TL_MQTT_INFLIGHT_SENT),
                     TL_MQTT_ERR_PACKET_ID);
    assert_int_equal(tl_mqtt_inflight_restore(&t, TL_MQTT_PUBLISH, 7, 0, TL_MQTT_INFLIGHT_SENT),
                     TL_MQTT_ERR_PACKET_ID);
    assert_int_equal(tl_mqtt_inflight_restore(&t, TL_MQTT_PUBLISH, 8, 65535,
                                              TL_MQTT_INFLIGHT_SENT), TL_MQTT_OK);
    assert_int_equal(tl_mqtt_inflight_find(&t, 65535)->tag, 8);
    assert_int_equal(tl_mqtt_inflight_restore(&t, TL_MQTT_PUBACK, 8, 77, TL_MQTT_INFLIGHT_SENT),
                     TL_MQTT_ERR_ARGUMENT);
    assert_int_equal(tl_mqtt_inflight_restore(&t, TL_MQTT_PUBLISH, 8, 77, 0),
                     TL_MQTT_ERR_ARGUMENT);
    assert_int_equal(tl_mqtt_inflight_alloc(&t, TL_MQTT_PUBLISH, 0, &id), TL_MQTT_OK);
    assert_int_equal(id, 1);
    assert_int_equal(tl_mqtt_inflight_restore(&t, TL_MQTT_PUBLISH, 7, 9, TL_MQTT_INFLIGHT_SENT),
                     TL_MQTT_ERR_WINDOW_FULL);
    assert_int_equal(tl_mqtt_inflight_next(&t, 0, &cur)->packet_id, 500);
    assert_int_equal(tl_mqtt_inflight_next(&t, 0, &cur)->packet_id, 65535);
    assert_int_equal(tl_mqtt_inflight_next(&t, 0, &cur)->packet_id, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_wrap_and_no_reuse),
        cmocka_unit_test(test_tags_and_requeue),
        cmocka_unit_test(test_restore),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
