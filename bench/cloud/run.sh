#!/usr/bin/env bash
# The local cloud's benchmarks, one JSON line per figure on stdout (progress
# on stderr); scripts/bench runs it and bench/cloud/report.py makes the table.
#
#   bench/cloud/run.sh BUILD_DIR
#
# The cloud is started with `trustlink cloud start` (Mosquitto with the
# trustlink plugin); the baseline is a second Mosquitto with the very same
# generated mosquitto.conf minus the plugin lines (so: mutual TLS with
# require_certificate, TCP_NODELAY, same logging and persistence, anonymous allowed since
# nothing else authorizes). The client is bench/cloud/bench_cloud (OpenSSL,
# hand-made MQTT packets, cheaper per handshake than the broker).
#
# Sizes (environment): CLOUD_BENCH_CONNS connections per rate round (1000),
# CLOUD_BENCH_ROUNDS rounds per broker (5), CLOUD_BENCH_THREADS parallel
# clients (4), CLOUD_BENCH_RTT round trips (1000), CLOUD_BENCH_HOLD
# connections held at once (1000).
set -euo pipefail
BUILD=${1:?usage: bench/cloud/run.sh BUILD_DIR}
TL=$BUILD/trustlink
BC=$BUILD/bench/cloud/bench_cloud
CONNS=${CLOUD_BENCH_CONNS:-1000}
ROUNDS=${CLOUD_BENCH_ROUNDS:-5}
THREADS=${CLOUD_BENCH_THREADS:-4}
RTT=${CLOUD_BENCH_RTT:-1000}
HOLD=${CLOUD_BENCH_HOLD:-1000}
for f in "$TL" "$BC"; do [ -x "$f" ] || { echo "cloud bench: $f is not built" >&2; exit 1; }; done

# Each held connection is a descriptor in the client and one in the broker.
need=$((HOLD + 64))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $need ]; then
    ulimit -n $need 2>/dev/null || { echo "cloud bench: ulimit -n $need refused (hard limit $(ulimit -Hn))" >&2; exit 1; }
fi

W=$(mktemp -d)
PLAIN=
cleanup() {
    "$TL" cloud stop --dir "$W/cloud" >/dev/null 2>&1 || true
    [ -n "$PLAIN" ] && kill "$PLAIN" 2>/dev/null && wait "$PLAIN" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT

# free_port: a port nobody listens on, below Linux's ephemeral range (32768
# and up) so that no client connection holds it either.
free_port() {
    local p
    for _ in $(seq 50); do
        p=$((20000 + RANDOM % 12000))
        (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo $p; return; }
    done
    return 1
}
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
jstr() { python3 -c 'import json,sys; print(json.dumps({sys.argv[1]: sys.argv[2]}))' "$1" "$2"; }
api() {
    local m=$1 path=$2 body=${3:-}
    curl -sS --fail-with-body --aws-sigv4 "aws:amz:$AWS_REGION:iot" \
        --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" --cacert "$AWS_CA_BUNDLE" \
        -X "$m" ${body:+-H content-type:application/json --data "$body"} "$AWS_ENDPOINT_URL$path"
}

# --- the cloud, a device certificate and a policy through the API -----------
for try in 1 2 3 4 5; do   # another program may take a port meanwhile
    MQTT=$(free_port); API=$(free_port)
    [ "$MQTT" != "$API" ] && "$TL" cloud start --dir "$W/cloud" --mqtt-port "$MQTT" --api-port "$API" \
        > "$W/env" 2> "$W/start.err" && break
    [ $try = 5 ] && { cat "$W/start.err" >&2; exit 1; }
done
eval "$(cat "$W/env")"
CLOUD_PID=$(sed -n 's/^# trustlink cloud running (pid \([0-9]*\)).*/\1/p' "$W/env")
[ -n "$CLOUD_PID" ] || { echo "cloud bench: no broker pid in the output of cloud start" >&2; exit 1; }
api POST '/keys-and-certificate?setAsActive=true' > "$W/cert.json"
json "['certificatePem']" < "$W/cert.json" > "$W/dev.pem"
json "['keyPair']['PrivateKey']" < "$W/cert.json" > "$W/dev.key"
ARN=$(json "['certificateArn']" < "$W/cert.json")
# Least privilege, as a fleet would have it: client ids bench-*, each on its
# own topics and shadow (${iot:ClientId}), so every check runs the matcher.
c='${iot:ClientId}'
doc=$(printf '{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":"iot:Connect","Resource":"arn:aws:iot:us-east-1:*:client/bench-*"},
 {"Effect":"Allow","Action":["iot:Publish","iot:Receive"],"Resource":["arn:aws:iot:us-east-1:*:topic/bench/%s/*","arn:aws:iot:us-east-1:*:topic/$aws/things/%s/shadow/*"]},
 {"Effect":"Allow","Action":"iot:Subscribe","Resource":["arn:aws:iot:us-east-1:*:topicfilter/bench/%s/*","arn:aws:iot:us-east-1:*:topicfilter/$aws/things/%s/shadow/*"]}]}' "$c" "$c" "$c" "$c")
api POST /policies/bench-policy "$(jstr policyDocument "$doc")" > /dev/null
api PUT /target-policies/bench-policy "$(jstr target "$ARN")" > /dev/null

# --- the baseline: the same Mosquitto configuration without the plugin -------
mkdir -p "$W/plain"
start_plain() {
    PLAIN_PORT=$(free_port)
    sed -e '/^plugin/d' -e 's/^allow_anonymous false/allow_anonymous true/' \
        -e "s|^listener .*|listener $PLAIN_PORT 127.0.0.1|" \
        -e "s|^persistence_location .*|persistence_location $W/plain/|" \
        -e "s|^log_dest file .*|log_dest file $W/plain/mosquitto.log|" \
        "$W/cloud/mosquitto.conf" > "$W/plain/mosquitto.conf"
    grep -q "^listener $PLAIN_PORT" "$W/plain/mosquitto.conf" \
        && ! grep -q "^plugin" "$W/plain/mosquitto.conf" \
        || { echo "cloud bench: unexpected $W/cloud/mosquitto.conf" >&2; exit 1; }
    /usr/sbin/mosquitto -c "$W/plain/mosquitto.conf" > "$W/plain/out" 2>&1 &
    PLAIN=$!
    for _ in $(seq 100); do
        grep -q "listen socket on port $PLAIN_PORT" "$W/plain/mosquitto.log" 2>/dev/null && return 0
        kill -0 $PLAIN 2>/dev/null || break
        sleep 0.05
    done
    kill $PLAIN 2>/dev/null; wait $PLAIN 2>/dev/null; PLAIN=
    return 1
}
for try in 1 2 3 4 5; do start_plain && break; done
[ -n "$PLAIN" ] || { echo "cloud bench: baseline mosquitto did not start" >&2; cat "$W/plain/out" >&2; exit 1; }

# --- connections per second, rounds alternating between the two brokers ------
echo "cloud bench: $ROUNDS x $CONNS mutual-TLS connections per broker, $THREADS clients at a time" >&2
: > "$W/rate"
for r in $(seq "$ROUNDS"); do
    for which in plain plugin; do
        if [ $which = plugin ]; then port=$MQTT pid=$CLOUD_PID; else port=$PLAIN_PORT pid=$PLAIN; fi
        line=$("$BC" rate "$port" "$W/dev.pem" "$W/dev.key" bench-r "$THREADS" "$CONNS" "$pid")
        echo "  round $r $which: $line" >&2
        echo "{\"broker\":\"$which\",\"result\":$line}" >> "$W/rate"
    done
done

# --- shadow update round trip vs a plain publish echo, on the cloud's broker --
echo "cloud bench: $RTT shadow updates and $RTT echo round trips" >&2
shadow=$("$BC" rtt "$MQTT" "$W/dev.pem" "$W/dev.key" bench-rtt "$RTT" shadow)
echo_=$("$BC" rtt "$MQTT" "$W/dev.pem" "$W/dev.key" bench-rtt "$RTT" echo)
echo "  $shadow" >&2; echo "  $echo_" >&2

# --- connections held at once and broker memory per connection ---------------
echo "cloud bench: $HOLD connections held at once, plugin and plain" >&2
hold_plugin=$("$BC" hold "$MQTT" "$W/dev.pem" "$W/dev.key" bench-h "$HOLD" "$CLOUD_PID")
hold_plain=$("$BC" hold "$PLAIN_PORT" "$W/dev.pem" "$W/dev.key" bench-h "$HOLD" "$PLAIN")
echo "  plugin: $hold_plugin" >&2; echo "  plain: $hold_plain" >&2

python3 - "$W/rate" "$shadow" "$echo_" "$hold_plugin" "$hold_plain" "$ROUNDS" <<'PY'
import json, statistics, sys
rate = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
shadow, echo, hp, hn = (json.loads(a) for a in sys.argv[2:6])
def side(name):
    rs = [x["result"] for x in rate if x["broker"] == name]
    conns = sum(r["connections"] for r in rs)
    return {"per_s": round(statistics.median(r["per_s"] for r in rs), 1),
            "broker_cpu_us": round(1e6 * sum(r["broker_cpu_s"] for r in rs) / conns, 1),
            "client_cpu_us": round(1e6 * sum(r["client_cpu_s"] for r in rs) / conns, 1),
            "broker_busy": round(sum(r["broker_cpu_s"] for r in rs) / sum(r["seconds"] for r in rs), 2)}
p, b = side("plugin"), side("plain")
rs = rate[0]["result"]
print(json.dumps({"bench": "cloud_connect", "rounds": int(sys.argv[6]), "connections": rs["connections"],
                  "threads": rs["threads"], "client": "bench_cloud (OpenSSL)",
                  "plugin_per_s": p["per_s"], "plain_per_s": b["per_s"],
                  "ratio": round(p["per_s"] / b["per_s"], 3),
                  "plugin_broker_cpu_us_per_conn": p["broker_cpu_us"],
                  "plain_broker_cpu_us_per_conn": b["broker_cpu_us"],
                  "broker_cpu_ratio": round(p["broker_cpu_us"] / b["broker_cpu_us"], 3),
                  "client_cpu_us_per_conn": round((p["client_cpu_us"] + b["client_cpu_us"]) / 2, 1),
                  "plugin_broker_busy": p["broker_busy"], "plain_broker_busy": b["broker_busy"]}))
print(json.dumps({"bench": "cloud_shadow_rtt", "count": shadow["count"],
                  "shadow_p50_us": shadow["p50_us"], "shadow_p99_us": shadow["p99_us"],
                  "echo_p50_us": echo["p50_us"], "echo_p99_us": echo["p99_us"],
                  "ratio_p50": round(shadow["p50_us"] / max(echo["p50_us"], 1), 2),
                  "ratio_p99": round(shadow["p99_us"] / max(echo["p99_us"], 1), 2)}))
print(json.dumps({"bench": "cloud_hold", "connections": hp["connections"],
                  "plugin_answered": hp["answered_ping"], "plain_answered": hn["answered_ping"],
                  "plugin_rss_per_conn": hp["rss_per_connection"],
                  "plain_rss_per_conn": hn["rss_per_connection"],
                  "plugin_rss_after": hp["rss_after"], "plain_rss_after": hn["rss_after"],
                  "ratio": round(hp["rss_per_connection"] / max(hn["rss_per_connection"], 1), 3)}))
PY
