#!/usr/bin/env bash
# The agent killed with SIGKILL at random points 50 times while it publishes
# telemetry every 20 ms (QoS 1 through the journal), then run to a clean stop.
# A plain-TCP Mosquitto and a recording proxy (mqtt_sniff.py, which holds the
# broker's answers back 40 ms so that messages are in flight when the kill
# comes) show what went over the wire. Asserted:
#   - the journal always opens again (every run is alive when it is killed:
#     a journal it could not open would have made it exit at once);
#   - every telemetry message the agent logged as queued reaches a
#     subscriber (0 lost);
#   - every message sent more than once carries the DUP flag on every resend
#     (nothing acknowledged is sent twice as if it were new);
#   - the final clean stop leaves 0 unacknowledged messages.
. "$TL_SRC/tests/cli/lib.sh"
KILLS=${KILLS:-50}
BROKER=$(free_port); PROXY=$(free_port)
cat > mosquitto.conf <<EOF
listener $BROKER 127.0.0.1
allow_anonymous true
persistence false
EOF
t_bg mosquitto -c mosquitto.conf > mosquitto.log 2>&1
wait_port $BROKER || { echo "mosquitto did not start"; exit 1; }
t_bg python3 "$TL_SRC/tests/reliability/mqtt_sniff.py" --listen $PROXY --broker $BROKER \
    --log wire.jsonl --max-seconds 240 --delay-down 40
wait_port $PROXY || { echo "proxy did not start"; exit 1; }
t_bg mosquitto_sub -h 127.0.0.1 -p $BROKER -t things/ag/telemetry -q 1 -i watcher > received.txt
sleep 0.3

export TRUSTLINK_CONFIG=$T_DIR/ag.json
"$TL" config set mqtt.server=127.0.0.1:$PROXY mqtt.ssl_ca_cert= mqtt.client_id=ag \
    aws.thing_name=ag mqtt.queue_path="$T_DIR/q.bin" mqtt.reconnect_min_ms=100 \
    mqtt.reconnect_max_ms=300 > /dev/null 2>&1

alive=0
for i in $(seq "$KILLS"); do
    "$TL" agent --interval 0.02 > "run$i.log" 2>&1 &
    a=$!
    # 50..650 ms: before, during and after connecting, mid-stream.
    sleep "0.$(printf '%03d' $((50 + RANDOM % 600)))"
    kill -KILL $a 2>/dev/null && alive=$((alive + 1))
    wait $a 2>/dev/null
done
[ $alive = "$KILLS" ] && _ok || _bad "$((KILLS - alive)) of $KILLS runs had exited before SIGKILL (journal refused?)"
grep -h "could not\|cannot open\|journal:" run*.log | head -3

# A last run drains the journal and stops cleanly.
"$TL" agent --interval 0.5 > final.log 2>&1 &
a=$!
for _ in $(seq 100); do grep -q "telemetry" final.log && break; sleep 0.05; done
sleep 1.5
kill -TERM $a; wait $a
run tail -1 final.log; expect_out_has ", 0 unacknowledged kept"
sleep 0.5

# Every message logged as queued was received (as a multiset: none lost).
python3 - "$T_DIR" <<'PY'
import glob, json, re, sys, collections
d = sys.argv[1]
logged = collections.Counter()
for f in glob.glob(d + "/run*.log") + [d + "/final.log"]:
    for line in open(f, errors="replace"):
        m = re.search(r"telemetry (\{.*\}) -> things/ag/telemetry", line)
        if m:
            logged[m.group(1)] += 1
got = collections.Counter(l.rstrip("\n") for l in open(d + "/received.txt"))
lost = [p for p, n in logged.items() if got[p] < n]
dups = sum(n - 1 for n in got.values() if n > 1)
# Over the wire: any PUBLISH of a payload after its first must be DUP.
seen = collections.Counter()
bad = resent = 0
for line in open(d + "/wire.jsonl"):
    r = json.loads(line)
    if r["dir"] != "up" or r["type"] != "PUBLISH" or r["topic"] != "things/ag/telemetry":
        continue
    if seen[r["payload"]]:
        resent += 1
        if not r["dup"]:
            bad += 1
            print("resent without DUP:", r["payload"])
    seen[r["payload"]] += 1
print(f"logged {sum(logged.values())} messages in {len(glob.glob(d + '/run*.log')) + 1} runs, "
      f"received {sum(got.values())}, lost {len(lost)}, duplicates at the subscriber {dups}, "
      f"resends on the wire {resent} (without DUP: {bad})")
open(d + "/verdict", "w").write(f"{len(lost)} {bad} {sum(logged.values())}\n")
PY
read -r LOST BADDUP NLOGGED < verdict
[ "$LOST" = 0 ] && _ok || _bad "$LOST messages lost"
[ "$BADDUP" = 0 ] && _ok || _bad "$BADDUP resends without the DUP flag"
[ "$NLOGGED" -ge "$KILLS" ] && _ok || _bad "only $NLOGGED messages logged: the runs did not get to publish"

finish
