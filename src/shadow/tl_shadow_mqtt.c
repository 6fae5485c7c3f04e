/* tl_shadow_io on top of tl_mqtt_client. */
#include "tl_shadow.h"

static int mq_publish(void *ctx, const char *topic, size_t topic_len, const uint8_t *payload,
                      size_t len, uint8_t qos)
{
    return (int)tl_mqtt_client_publish(ctx, topic, topic_len, payload, len, qos, 0, NULL);
}

static int mq_subscribe(void *ctx, const tl_mqtt_filter *filters, size_t count,
                        uint16_t *packet_id)
{
    return (int)tl_mqtt_client_subscribe(ctx, filters, count, packet_id);
}

static uint32_t mq_now(void *ctx)
{
    tl_mqtt_client *mc = ctx;
    return mc->port.now_ms(mc->port.ctx);
}

void tl_shadow_io_mqtt(tl_shadow_io *io, tl_mqtt_client *mc)
{
    io->publish = mq_publish;
    io->subscribe = mq_subscribe;
    io->now_ms = mq_now;
    io->ctx = mc;
}
