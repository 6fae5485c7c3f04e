#!/usr/bin/env bash
# The QoS 1 journal on a full disk. Without root there is no small tmpfs to
# fill, so the file size limit (ulimit -f, RLIMIT_FSIZE) plays the full
# disk: writes past it fail with EFBIG exactly where ENOSPC would (the
# journal ignores SIGXFSZ so the limit does not kill the process). The
# broker is blackholed by tl_faultproxy (stall) so nothing is acknowledged
# and the journal fills: `trustlink mqtt pub` must exit 1 naming the journal
# and the reason, and the next run (without the limit) must deliver every
# message the first run had accepted.
. "$TL_SRC/tests/cli/lib.sh"
. "$TL_SRC/tests/reliability/rel_lib.sh"
provision r1
provision observer observer
PROXY_PORT=$(free_port)
"$FP" --listen "$PROXY_PORT" --target "127.0.0.1:$MQTT_PORT" --faults stall --stall-ms 30000 \
    --max-seconds 60 > /dev/null 2> proxy.log & PROXY=$!; PIDS+=($PROXY)
start_sub sub.out 'things/r1/#' r1
Q=$T_DIR/q.bin
# A first message through, so the journal is not empty when the limit bites.
run "$TL" mqtt pub --config r1.json --set mqtt.queue_path="$Q" -t things/r1/disk -m 'msg 0' -q 1
expect_rc 0 "before the limit"
# 4 KB limit: room for about 100 records of this size (under the 128 live).
# The limit covers every file the process writes, so its stderr goes
# through a pipe to a cat that has no limit.
mkfifo err.fifo
cat err.fifo > pub1.err & CAT=$!
(ulimit -f 4; exec "$TL" mqtt pub --config r1.json --set mqtt.server=localhost:$PROXY_PORT \
    --set mqtt.queue_path="$Q" -t things/r1/disk -m 'msg %d' -q 1 --repeat 1000 -d \
    --timeout 20 > /dev/null 2> err.fifo) & PUB=$!; PIDS+=($PUB)
for _ in $(seq 100); do grep -q "queued 1 " pub1.err && break; sleep 0.05; done
kill -USR1 $PROXY   # the broker goes silent: nothing more is acknowledged
wait $PUB; RC=$?; wait $CAT
OUT=""; ERR=$(cat pub1.err)
expect_rc 1 "journal full"
expect_err_has "the QoS 1 journal $Q (mqtt.queue_path) cannot take it: File too large"
expect_err_has "stay there and go out on the next run"
K=$(grep -o "queued [0-9]*" pub1.err | tail -1 | cut -d' ' -f2)
[ -n "$K" ] && [ "$K" -gt 10 ] && [ "$K" -lt 1000 ] && _ok || _bad "accepted before the limit: '$K'"
[ "$(stat -c %s "$Q")" -le 4096 ] && _ok || _bad "journal grew past the limit"
kill $PROXY; wait $PROXY 2>/dev/null

# Next run, no limit, straight to the broker: everything accepted arrives.
run "$TL" mqtt pub --config r1.json --set mqtt.queue_path="$Q" -t things/r1/disk -m 'msg done' -q 1
expect_rc 0 "the next run"; expect_err_has "unacknowledged messages from before, sending them again"
wait_distinct sub.out $((K + 2)) 20
MISSING=0
for i in $(seq 0 "$K"); do grep -qx "msg $i" sub.out || MISSING=$((MISSING + 1)); done
echo "$(grep -o "message [0-9]* not stored.*" pub1.err)"
echo "journal full: $K messages accepted under a 4 KB limit before EFBIG, $MISSING of them missing after the next run"
[ "$MISSING" = 0 ] && _ok || _bad "$MISSING accepted messages lost"
grep -qx "msg done" sub.out && _ok || _bad "message of the next run missing"
finish
