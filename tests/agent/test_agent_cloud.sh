#!/usr/bin/env bash
# trustlink agent against the real local cloud with an emulated chip:
# shadow sync and reports, telemetry through a broker restart (queued while
# offline, delivered after), a desired change made while the agent was down
# (picked up by the resync GET), SIGKILL and restart without loss, clean stop.
. "$TL_SRC/tests/cli/lib.sh"
shadow() {
    curl -sS --aws-sigv4 "aws:amz:$AWS_REGION:iotdata" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
        --cacert "$AWS_CA_BUNDLE" "$@" "$AWS_ENDPOINT_URL/things/ag1/shadow"
}
start_agent() {
    t_bg "$TL" agent --interval 1 >> agent.log 2>&1
    AGENT=$T_LAST_PID
}

# Usage errors first.
run "$TL" agent --interval 0; expect_rc 2; expect_err_has "--interval"
run "$TL" agent --config "$T_DIR/none.json" --set mqtt.server=localhost:1; expect_rc 1
expect_err_has "no thing name"

t_cloud || exit 1
t_emulator chip
export TRUSTLINK_CONFIG=$T_DIR/dev.json TRUSTLINK_CHIP=emu:$T_DIR/chip.sock
run "$TL" aws-iot-setup --thing ag1 --yes --set mqtt.queue_path="$T_DIR/q.bin"
expect_rc 0 "provisioning"
"$TL" config set mqtt.queue_path="$T_DIR/q.bin" mqtt.reconnect_min_ms=200 mqtt.reconnect_max_ms=1000 >/dev/null

# Connected, shadow created by the first report, telemetry flowing.
start_agent
wait_log agent.log "shadow reported state accepted" 20 && _ok || _bad "first report accepted"
run shadow; expect_out_has '"reported":{"interval":1,"led":"off"}'

# Broker restart: the agent notices, queues telemetry while offline, comes back,
# resynchronises and delivers what was queued.
"$TL" cloud stop --dir "$T_DIR/cloud" >/dev/null 2>&1
wait_log agent.log "disconnected" 10 && _ok || _bad "agent saw the broker go"
wait_log agent.log "(queued, offline)" 10 2 && _ok || _bad "telemetry queued while offline"
"$TL" cloud start --dir "$T_DIR/cloud" --mqtt-port "$MQTT_PORT" --api-port "$API_PORT" > /dev/null || _bad "restart"
wait_log agent.log "connected to" 20 2 && _ok || _bad "agent reconnected"
wait_log agent.log "shadow in sync" 20 && _ok || _bad "resync GET after the reconnect"

# SIGKILL, a desired change while the agent is down, restart: the resync GET
# brings the change, and the journal's unacknowledged messages go out.
kill -KILL $AGENT; wait $AGENT 2>/dev/null
run shadow -X POST -d '{"state":{"desired":{"led":"on","interval":2}}}'; expect_out_has '"desired"'
start_agent
wait_log agent.log "from the resync GET" 20 && _ok || _bad "desired change applied from the resync GET"
wait_log agent.log 'shadow report {"interval":2,"led":"on"}' 10 && _ok || _bad "reported back"
for _ in $(seq 50); do shadow > s.json; grep -q '"delta"' s.json || break; sleep 0.1; done
run cat s.json; expect_out_has '"reported":{"interval":2,"led":"on"}'
case "$OUT" in *'"delta"'*) _bad "delta left after the report" ;; *) _ok ;; esac

# Clean stop: everything acknowledged, said on one line.
wait_log agent.log "telemetry" 10 3
kill -TERM $AGENT; wait $AGENT; RC=$?
expect_rc 0 "SIGTERM exit status"
run tail -1 agent.log; expect_out_has "stopped:"; expect_out_has ", 0 unacknowledged kept in"
# Every telemetry line is one readable line with a timestamp.
run grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z ' agent.log; expect_out 0 "log line format"

finish
