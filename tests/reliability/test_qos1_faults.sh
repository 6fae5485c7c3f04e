#!/usr/bin/env bash
# N QoS 1 messages (MQTT_FAULTS_COUNT: 3,000 by default, for the CI budget;
# 10,000 for the figures in docs/RELIABILITY.md) from `trustlink mqtt pub`
# through tl_faultproxy, which resets, closes, truncates, corrupts and
# stalls the connection at random times, to the real local cloud, which is
# stopped and started again twice meanwhile.
# A persistent-session subscriber (straight to the broker) must see every
# sequence number at least once; duplicates are counted and reported.
. "$TL_SRC/tests/cli/lib.sh"
. "$TL_SRC/tests/reliability/rel_lib.sh"
N=${MQTT_FAULTS_COUNT:-3000}
SEED=${MQTT_FAULTS_SEED:-$RANDOM}
provision r1
provision observer observer
PROXY_PORT=$(free_port)
start_proxy() {   # start_proxy SEED
    "$FP" --listen "$PROXY_PORT" --target "127.0.0.1:$MQTT_PORT" --seed "$1" \
        --faults rst,fin,truncate,corrupt,stall --every 300-1200 --stall-ms 1500 \
        --max-seconds 600 > /dev/null 2>> proxy.log & PROXY=$!; PIDS+=($PROXY)
    for _ in $(seq 100); do grep -q "127.0.0.1:$PROXY_PORT -> .*seed $1\$" proxy.log && return; sleep 0.05; done
}
start_proxy "$SEED"
start_sub sub.out 'things/r1/#' r1

T0=$SECONDS
"$TL" mqtt pub --config r1.json --set mqtt.server=localhost:$PROXY_PORT \
    --set mqtt.queue_path="$T_DIR/q.bin" --set mqtt.reconnect_min_ms=100 \
    --set mqtt.reconnect_max_ms=500 \
    -t things/r1/rel -m 'msg %d' -q 1 --repeat "$N" --timeout 120 > pub.out 2> pub.err & PUB=$!
PIDS+=($PUB)
# Faults at random times, and one more at each tenth of the way whatever
# the machine's speed; two broker restarts, at 3/10 and 6/10.
RESTARTS=0
for k in 1 2 3 4 5 6 7 8 9; do
    wait_distinct sub.out $((N * k / 10)) 60 $PUB || break
    kill -USR1 $PROXY
    [ $k != 3 ] && [ $k != 6 ] && continue
    # The proxy goes down with the broker and comes back with it, so the
    # device races the persistent subscriber back: what it publishes before
    # the subscriber has reconnected must be queued for the subscriber's
    # session restored from the broker's persistence (the plugin used to drop
    # those messages, see docs/RELIABILITY.md).
    sleep 0.1
    kill $PROXY; wait $PROXY 2>/dev/null
    cloud_stop; sleep 0.3; cloud_start
    start_proxy $((SEED + RESTARTS + 1))
    RESTARTS=$((RESTARTS + 1))
done
wait $PUB; RC=$?
OUT=$(cat pub.out); ERR=$(cat pub.err); expect_rc 0 "publisher through the faults"
wait_distinct sub.out "$N" 30
kill -USR1 $PROXY 2>/dev/null   # no-op fault; then stop it for its summary
kill $PROXY; wait $PROXY 2>/dev/null
D=$(distinct sub.out); A=$(total sub.out)
MISSING=0
for i in $(seq 1 "$N"); do echo "msg $i"; done | sort > want.txt
MISSING=$(sort -u sub.out | grep '^msg ' | comm -23 want.txt - | wc -l)
FAULTS=$(grep -c "faultproxy: fault" proxy.log)
HITS=$(grep -c "faultproxy: fault .* on [1-9]" proxy.log)
KINDS=$(grep -o 'faults rst.*corrupt [0-9]*' proxy.log | awk '{ for (i = 2; i <= 10; i += 2) t[$i] += $(i + 1) }
    END { printf "rst %d fin %d stall %d truncate %d corrupt %d", t["rst"], t["fin"], t["stall"], t["truncate"], t["corrupt"] }')
RECONN=$(grep -c "connection lost\|send failed\|broker did not answer\|cannot connect" pub.err)
echo "qos1 faults (seed $SEED): sent $N, received $A, distinct $D, duplicates $((A - D))," \
     "missing $MISSING, proxy faults $FAULTS ($KINDS; $HITS on a live connection)," \
     "broker restarts $RESTARTS, publisher disconnects $RECONN, $((SECONDS - T0)) s"
if [ "$MISSING" = 0 ] && [ "$D" = "$N" ]; then _ok; else
    _bad "$MISSING of $N messages missing: $(sort -u sub.out | grep '^msg ' | comm -23 want.txt - |
        sed 's/msg //' | sort -n | awk 'NR == 1 { a = b = $1; next } $1 == b + 1 { b = $1; next }
        { printf "%s-%s ", a, b; a = b = $1 } END { printf "%s-%s", a, b }')"
    grep -E "dropped|observer|Saving|signal" "$T_DIR/cloud/mosquitto.log" | tail -30 >&2
    [ -n "${REL_KEEP:-}" ] && cp -r "$T_DIR" "$REL_KEEP"
fi
[ "$RESTARTS" = 2 ] && _ok || _bad "only $RESTARTS broker restarts happened"
[ "$HITS" -ge 5 ] && _ok || _bad "only $HITS faults hit a connection"
finish
