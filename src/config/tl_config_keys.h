/*
 * The configuration schema: every key the device knows, in one table.
 *
 * X(ID, "name", TYPE, "default", MIN, MAX, "description")
 *   TYPE is STR, INT or BOOL.
 *   For INT, MIN..MAX is the allowed range.
 *   For STR, MAX is the longest value in bytes (MIN is unused).
 *   The default is written as text and goes through the same checks as any
 *   other value, so a bad default fails the unit tests, not a device.
 *
 * Keys of one section ("mqtt.") stay together: the JSON writer groups
 * consecutive keys with the same section into one object.
 */
#ifndef TL_CONFIG_KEYS_H
#define TL_CONFIG_KEYS_H

#define TL_CONFIG_KEYS(X) \
    X(DEVICE_ID, "device.id", STR, "", 0, 128, \
      "Device identifier (empty: use aws.thing_name)") \
    X(CHIP_URI, "chip.uri", STR, "auto", 0, 128, \
      "Secure element: auto, i2c:/dev/i2c-N[@0xAA] or emu:SOCKET") \
    X(MQTT_SERVER, "mqtt.server", STR, "", 0, 255, \
      "MQTT broker as host:port") \
    X(MQTT_CLIENT_ID, "mqtt.client_id", STR, "", 0, 128, \
      "MQTT client id (AWS IoT: up to 128 bytes)") \
    X(MQTT_SSL_CERT, "mqtt.ssl_cert", STR, "", 0, 255, \
      "Device certificate, PEM file") \
    X(MQTT_SSL_KEY, "mqtt.ssl_key", STR, "chip:0", 0, 255, \
      "Private key: chip:SLOT, or a PEM file (software key, can be stolen)") \
    X(MQTT_SSL_CA_CERT, "mqtt.ssl_ca_cert", STR, "", 0, 255, \
      "Trust anchors for the broker, PEM file") \
    X(MQTT_SSL_CRL, "mqtt.ssl_crl", STR, "", 0, 255, \
      "CRL(s) of the CAs in mqtt.ssl_ca_cert, DER or PEM file (empty: none)") \
    X(MQTT_ALPN, "mqtt.alpn", STR, "", 0, 64, \
      "ALPN protocol to offer (x-amzn-mqtt-ca for AWS IoT on port 443)") \
    X(MQTT_KEEP_ALIVE, "mqtt.keep_alive", INT, "60", 30, 1200, \
      "Keep-alive interval in seconds (AWS IoT allows 30..1200)") \
    X(MQTT_CLEAN_SESSION, "mqtt.clean_session", BOOL, "false", 0, 1, \
      "Start a clean MQTT session on every connect") \
    X(MQTT_RECONNECT_MIN_MS, "mqtt.reconnect_min_ms", INT, "1000", 100, 600000, \
      "Shortest reconnect backoff in milliseconds") \
    X(MQTT_RECONNECT_MAX_MS, "mqtt.reconnect_max_ms", INT, "60000", 100, 3600000, \
      "Longest reconnect backoff in milliseconds") \
    X(MQTT_QUEUE_PATH, "mqtt.queue_path", STR, "trustlink-queue.bin", 0, 255, \
      "Journal file for QoS 1 messages not yet acknowledged") \
    X(MQTT_QUEUE_MAX_BYTES, "mqtt.queue_max_bytes", INT, "1048576", 4096, 1073741824, \
      "Largest size of the QoS 1 journal file; beyond it publishing fails") \
    X(TLS_CHIP_ECDH, "tls.chip_ecdh", STR, "auto", 0, 4, \
      "ECDHE on the chip: auto (608A yes; 508A no, it wears a slot's EEPROM), on, off") \
    X(TLS_CHIP_ECDH_SLOT, "tls.chip_ecdh_slot", INT, "2", 0, 15, \
      "508A slot rewritten by every handshake when tls.chip_ecdh=on (never the key's)") \
    X(TLS_CHIP_VERIFY, "tls.chip_verify", STR, "auto", 0, 4, \
      "Server's ECDSA signatures verified on the chip: auto (yes), on, off") \
    X(AWS_THING_NAME, "aws.thing_name", STR, "", 0, 128, \
      "AWS IoT thing name") \
    X(AWS_REGION, "aws.region", STR, "us-east-1", 0, 32, \
      "AWS region of the IoT endpoint") \
    X(SHADOW_NAME, "shadow.name", STR, "", 0, 64, \
      "Named shadow to use (empty: the classic shadow)") \
    X(AGENT_INTERVAL, "agent.interval", INT, "10", 1, 86400, \
      "Seconds between the agent's telemetry messages (desired \"interval\" changes it)")

#endif
