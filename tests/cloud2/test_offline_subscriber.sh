#!/usr/bin/env bash
# A persistent-session subscriber that is offline while QoS 1 messages are
# published to it gets them all when it comes back (AWS IoT keeps them for a
# persistent session), and none once its certificate is revoked: the plugin
# keeps deciding iot:Receive for the offline session.
. "$TL_SRC/tests/cli/lib.sh"
t_cloud || exit 1
api() {
    curl -sS --fail-with-body --aws-sigv4 "aws:amz:$AWS_REGION:iot" \
        --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" --cacert "$AWS_CA_BUNDLE" "$@"
}
# The watcher may receive the device's telemetry; the device has the default policy.
api -X POST "$AWS_ENDPOINT_URL/policies/w1-policy" -H content-type:application/json \
    -d '{"policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"iot:Connect\"],\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Action\":[\"iot:Subscribe\"],\"Resource\":\"arn:aws:iot:*:*:topicfilter/things/d1/*\"},{\"Effect\":\"Allow\",\"Action\":[\"iot:Receive\"],\"Resource\":\"arn:aws:iot:*:*:topic/things/d1/*\"}]}"}' > /dev/null
for t in d1 w1; do
    run "$TL" aws-iot-setup --chip none --allow-software-key --thing $t --config "$T_DIR/$t.json" --yes
    expect_rc 0 "setup $t"
done
sub() {   # the watcher: persistent session (-c equivalent: clean_session false)
    "$TL" mqtt sub --config w1.json --set mqtt.clean_session=false -t 'things/d1/#' -q 1 \
        -C "$1" -W 15 > "$2" 2>>sub.err
}
pub() {
    "$TL" mqtt pub --config d1.json -t things/d1/telemetry -m "$1" -q 1 --timeout 10 \
        --set mqtt.queue_path="$T_DIR/q.bin" 2>>pub.err
}
# Subscribe once (the session now exists), then go away.
t_bg sub 1 first.txt
sleep 1.5
pub hello; wait $T_LAST_PID
run cat first.txt; expect_out "hello"
# Offline: five messages queued for the watcher by the broker.
for i in 1 2 3 4 5; do pub "queued $i" || _bad "publish queued $i"; done
run sub 5 back.txt; expect_rc 0 "the watcher back"
run cat back.txt
expect_out "$(printf 'queued %s\n' 1 2 3 4 5 | sed '$!b')" "all five queued messages, in order"
# Revoked while offline: what is queued afterwards is not delivered to it.
CERT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["mqtt"]["ssl_cert"])' w1.json)
ID=$(openssl x509 -in "$CERT" -outform der | sha256sum | cut -c1-64)
pub "before revoke"
api -X PUT "$AWS_ENDPOINT_URL/certificates/$ID?newStatus=REVOKED" > /dev/null && _ok || _bad "revoke"
sleep 0.6
run grep -c "forgetting the offline session of w1" "$T_DIR/cloud/mosquitto.log"; expect_out 1
finish
