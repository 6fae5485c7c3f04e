#!/usr/bin/env bash
# bench/mqtt_rate.sh BUILD: QoS 0 and QoS 1 publish rate of `trustlink mqtt
# pub` (the device stack: BearSSL, the MQTT client, the QoS 1 journal) next
# to `mosquitto_pub` (libmosquitto + OpenSSL) sending the same messages to
# the same Mosquitto with the same mutual-TLS settings in the same run.
# Prints one JSON line per measurement (run by scripts/bench).
set -euo pipefail
BUILD=${1:-build}
TL=$BUILD/trustlink
N0=${MQTT_RATE_QOS0:-20000}
N1=${MQTT_RATE_QOS1:-5000}
SIZE=${MQTT_RATE_PAYLOAD:-64}
W=$(mktemp -d)
BROKER=
cleanup() { [ -n "$BROKER" ] && kill "$BROKER" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
cert() {  # cert NAME EXT: key + certificate signed by the bench CA
    openssl ecparam -name prime256v1 -genkey -noout -out $W/$1.key 2>/dev/null
    openssl req -new -key $W/$1.key -subj "/CN=$1" -out $W/$1.csr 2>/dev/null
    openssl x509 -req -in $W/$1.csr -CA $W/ca.pem -CAkey $W/ca.key -CAcreateserial -days 2 \
        -sha256 -extfile <(printf '%s\n' "$2") -out $W/$1.pem 2>/dev/null
}
openssl ecparam -name prime256v1 -genkey -noout -out $W/ca.key 2>/dev/null
openssl req -x509 -new -key $W/ca.key -subj "/CN=bench CA" -days 2 -sha256 -out $W/ca.pem \
    -addext basicConstraints=critical,CA:true 2>/dev/null
cert server "subjectAltName=DNS:localhost,IP:127.0.0.1"
cert device "extendedKeyUsage=clientAuth"
for _ in 1 2 3 4 5; do
    PORT=$((20000 + RANDOM % 40000))
    printf 'user %s\nlistener %s 127.0.0.1\nallow_anonymous true\ncafile %s/ca.pem\ncertfile %s/server.pem\nkeyfile %s/server.key\nrequire_certificate true\ntls_version tlsv1.2\nset_tcp_nodelay true\nmax_queued_messages 0\nlog_dest file %s/broker.log\n' \
        "$(id -un)" $PORT $W $W $W $W > $W/mosquitto.conf
    /usr/sbin/mosquitto -c $W/mosquitto.conf 2>/dev/null &
    BROKER=$!
    for _ in $(seq 50); do grep -q "listen socket on port $PORT" $W/broker.log 2>/dev/null && break; sleep 0.1; done
    grep -q "listen socket on port $PORT" $W/broker.log 2>/dev/null && break
    kill $BROKER 2>/dev/null; BROKER=
done
[ -n "$BROKER" ] || { echo "mqtt_rate: mosquitto did not start" >&2; exit 1; }
cat > $W/dev.json <<JSON
{"device": {"id": "bench-dev"},
 "mqtt": {"server": "localhost:$PORT", "ssl_cert": "$W/device.pem", "ssl_key": "$W/device.key",
          "ssl_ca_cert": "$W/ca.pem", "queue_path": "$W/q.bin"}}
JSON
PAYLOAD=$(head -c "$SIZE" /dev/zero | tr '\0' x)
now() { date +%s.%N; }
rate() { awk "BEGIN{printf \"%d\", $1 / ($3 - $2)}"; }
# trustlink_rate QOS N [QUEUE]: messages/s, process start to exit (TLS
# handshake included, as for mosquitto_pub).
trustlink_rate() {
    local t0 t1
    rm -f "${3:-$W/q.bin}"
    t0=$(now)
    "$TL" mqtt pub --config $W/dev.json --set mqtt.queue_path="${3:-$W/q.bin}" -t bench/rate \
        -m "$PAYLOAD" -q "$1" --repeat "$2" 2>/dev/null
    t1=$(now)
    rate "$2" "$t0" "$t1"
}
mosquitto_rate() {
    local t0 t1
    awk -v n="$2" -v p="$PAYLOAD" 'BEGIN { for (i = 0; i < n; i++) print p }' > $W/lines
    t0=$(now)
    mosquitto_pub -h 127.0.0.1 -p $PORT --cafile $W/ca.pem --cert $W/device.pem \
        --key $W/device.key -i bench-mosq -t bench/rate -q "$1" -l < $W/lines
    t1=$(now)
    rate "$2" "$t0" "$t1"
}
SHM=
[ -d /dev/shm ] && [ -w /dev/shm ] && SHM=$(mktemp -d /dev/shm/tl-bench.XXXXXX)
for q in 0 1; do
    n=$([ $q = 0 ] && echo "$N0" || echo "$N1")
    mosquitto_rate $q "$n" >/dev/null   # warm-up (page cache, broker)
    tl=$(trustlink_rate $q "$n"); mp=$(mosquitto_rate $q "$n")
    tl2=$(trustlink_rate $q "$n"); mp2=$(mosquitto_rate $q "$n")
    # The better of two runs each, alternating, so a hiccup hurts neither side.
    tl=$((tl > tl2 ? tl : tl2)); mp=$((mp > mp2 ? mp : mp2))
    line="{\"bench\":\"mqtt_rate\",\"qos\":$q,\"messages\":$n,\"payload_bytes\":$SIZE,\"trustlink_per_s\":$tl,\"mosquitto_pub_per_s\":$mp"
    if [ $q = 1 ] && [ -n "$SHM" ]; then
        # The journal on tmpfs: what fsync-per-message costs on this disk.
        t=$(trustlink_rate 1 "$n" "$SHM/q.bin")
        line="$line,\"trustlink_journal_tmpfs_per_s\":$t"
    fi
    echo "$line}"
done
[ -n "$SHM" ] && rm -rf "$SHM"
exit 0
