# Helpers for the MQTT reliability tests: the real local cloud (trustlink
# cloud start: Mosquitto with mutual TLS and the trustlink plugin), devices
# provisioned with a software key (the chip emulator would only slow the
# TLS handshakes down, and it is not what these tests are about), the fault
# proxy, message counting. Source it after tests/cli/lib.sh.
FP=${TL_FAULTPROXY:?TL_FAULTPROXY not set}
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    "$TL" cloud stop --dir "$T_DIR/cloud" >/dev/null 2>&1
    rm -rf "$T_DIR"
}
trap cleanup EXIT
free_port() {
    local p
    for _ in $(seq 50); do
        p=$((20000 + RANDOM % 40000))
        (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo $p; return; }
    done
}
cloud_start() {
    "$TL" cloud start --dir "$T_DIR/cloud" --mqtt-port "$MQTT_PORT" --api-port "$API_PORT" \
        > cloud.env 2>> cloud.err || { cat cloud.err >&2; exit 1; }
}
cloud_stop() { "$TL" cloud stop --dir "$T_DIR/cloud" >/dev/null 2>&1; }
# iot_api METHOD PATH [JSON]: the local cloud's control plane.
iot_api() {
    curl -sS --aws-sigv4 "aws:amz:$AWS_REGION:iot" \
        --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" --cacert "$AWS_CA_BUNDLE" \
        -X "$1" ${3:+-H 'Content-Type: application/json' -d "$3"} "$AWS_ENDPOINT_URL$2"
}
# provision THING [POLICY]: a device with a software key; config THING.json.
provision() {
    env TRUSTLINK_CHIP="emu:$T_DIR/none.sock" "$TL" aws-iot-setup --chip none --thing "$1" \
        --yes --config "$T_DIR/$1.json" --allow-software-key ${2:+--policy "$2"} \
        > "prov-$1.log" 2>&1 || { cat "prov-$1.log" >&2; exit 1; }
}
MQTT_PORT=$(free_port); API_PORT=$(free_port)
cloud_start
eval "$(cat cloud.env)"
# A subscriber that may read every device's topics: policy "observer".
iot_api POST /policies/observer '{"policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iot:*\",\"Resource\":\"*\"}]}"}' > /dev/null
# start_sub FILE FILTER THING: a persistent-session QoS 1 subscriber, up and
# subscribed before it returns. mosquitto_sub with the observer's
# certificate, so that the checker is not the stack under test, and fast:
# a subscriber that falls 1,000 messages behind loses messages in the broker
# (Mosquitto's default max_queued_messages), which is not what is tested.
start_sub() {
    mosquitto_sub -h localhost -p "$MQTT_PORT" --cafile "$T_DIR/cloud/ca.pem" \
        --cert "$T_DIR/observer.cert.pem" --key "$T_DIR/observer.key.pem" -i observer -c \
        -q 1 -t "$2" > "$1" 2> "$1.err" &
    SUB=$!; PIDS+=($SUB)
    # Subscribed once a probe from the publisher THING comes through.
    for _ in $(seq 50); do
        "$TL" mqtt pub --config "$T_DIR/$3.json" -t "things/$3/probe" -m probe -q 0 \
            >/dev/null 2>&1
        grep -q '^probe$' "$1" && return 0
        sleep 0.1
    done
    echo "subscriber did not come up: $(cat "$1.err")" >&2; exit 1
}
distinct() { sort -u "$1" | grep -c '^msg '; }
total() { grep -c '^msg ' "$1"; }
wait_distinct() {  # FILE N SECONDS [PID: give up when it has exited]
    for _ in $(seq $(($3 * 10))); do
        [ "$(distinct "$1")" -ge "$2" ] && return 0
        [ -n "${4:-}" ] && ! kill -0 "$4" 2>/dev/null && return 1
        sleep 0.1
    done
    return 1
}
