#!/usr/bin/env bash
# trustlink cloud things|certs|policies|revoke against the real local cloud
# (Mosquitto + plugin + HTTPS API, SigV4 through tl_aws/libcurl): list,
# describe, create, update, delete, attach; revoke kicks a device connected
# with `trustlink mqtt sub`; API errors, an unreachable API and missing
# credentials give exit 1 and a clear message. Everything started here is
# stopped by pid.
. "$(dirname "$0")/../cli/lib.sh"
unset TRUSTLINK_CLOUD_DIR AWS_PROFILE AWS_ENDPOINT_URL_IOT AWS_DEFAULT_REGION
export HOME=$T_DIR   # no ~/.aws of the machine's
C=$T_DIR/c
SUB=
cleanup() {
    [ -n "$SUB" ] && kill "$SUB" 2>/dev/null
    "$TL" cloud stop --dir "$C" >/dev/null 2>&1
    for f in api.pid mosquitto.pid; do
        p=$(cat "$C/$f" 2>/dev/null) && [ -n "$p" ] && kill "$p" 2>/dev/null
    done
    rm -rf "$T_DIR"
}
trap cleanup EXIT
for try in 1 2 3; do
    MP=$(free_port); AP=$(free_port)
    [ "$MP" != "$AP" ] && run "$TL" cloud start --dir "$C" --mqtt-port $MP --api-port $AP && break
done
expect_rc 0 "cloud start"
eval "$(echo "$OUT" | grep '^export ')"
[ "$AWS_ENDPOINT_URL" = "https://127.0.0.1:$AP" ] && _ok || _bad "cloud start exports AWS_ENDPOINT_URL"
A="$TL cloud"

# --- things ---------------------------------------------------------------------
run $A things create dev-a --attributes room=lab,floor=2; expect_rc 0 "create"
expect_out "thing dev-a created"
run $A things create dev-b; expect_rc 0
run $A things list; expect_rc 0 "list"
expect_out_has "NAME"; expect_out_has "dev-a"; expect_out_has "floor=2"; expect_out_has "room=lab"
expect_out_has "dev-b"
run $A things list --json; expect_rc 0
python3 -c 'import json,sys; t=json.loads(sys.argv[1])["things"]; assert sorted(x["thingName"] for x in t) == ["dev-a","dev-b"]' \
    "$OUT" && _ok || _bad "list --json"
run $A things update dev-a --attributes floor=3 --merge; expect_rc 0 "update --merge"
expect_out "thing dev-a updated"
run $A things describe dev-a; expect_rc 0
expect_out_has "version:    2"; expect_out_has "floor=3"; expect_out_has "room=lab"
run $A things update dev-a --attributes owner=ops; expect_rc 0 "update (replace)"
run $A things describe dev-a --json; expect_rc 0
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["attributes"] == {"owner":"ops"} and d["version"] == 3' \
    "$OUT" && _ok || _bad "replaced attributes"
run $A things update dev-a --attributes x=1 --expected-version 1; expect_rc 1 "stale version"
expect_err_has "UpdateThing: 409 VersionConflictException"
run $A things describe nope; expect_rc 1 "unknown thing"
expect_err_has "DescribeThing: 404 ResourceNotFoundException"; expect_err_has "nope"
[ -z "$OUT" ] && _ok || _bad "nothing on stdout after a failure"
run $A things create "bad name!"; expect_rc 1 "invalid name"; expect_err_has "InvalidRequestException"
run $A things update dev-a; expect_rc 2 "update without attributes"
run $A things update dev-a --attributes novalue; expect_rc 2 "attribute without ="
run $A things delete dev-b; expect_rc 0 "delete"; expect_out "thing dev-b deleted"
run $A things list; case "$OUT" in *dev-b*) _bad "dev-b still listed" ;; *) _ok ;; esac

# --- a device identity: CSR signed by the cloud's CA, policy, attachments ----------
openssl ecparam -name prime256v1 -genkey -noout -out dev.key 2>/dev/null
openssl req -new -key dev.key -subj "/CN=dev-a" -out dev.csr 2>/dev/null
"$TL" cloud ca sign-csr --dir "$C" --csr dev.csr > dev.pem 2> sign.err || cat sign.err
CID=$(sed -n 's/^certificate id: //p' sign.err)
[ ${#CID} = 64 ] && _ok || _bad "sign-csr gave no certificate id"
cat > pol.json <<'JSON'
{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":"iot:Connect","Resource":"arn:aws:iot:us-east-1:*:client/${iot:Connection.Thing.ThingName}"},
 {"Effect":"Allow","Action":["iot:Subscribe"],"Resource":"arn:aws:iot:us-east-1:*:topicfilter/things/${iot:Connection.Thing.ThingName}/*"},
 {"Effect":"Allow","Action":["iot:Publish","iot:Receive"],"Resource":"arn:aws:iot:us-east-1:*:topic/things/${iot:Connection.Thing.ThingName}/*"}]}
JSON
run $A policies create dev-policy --document pol.json; expect_rc 0 "policy from a file"
expect_out_has "policy dev-policy created (arn:aws:iot:us-east-1:123456789012:policy/dev-policy)"
run $A policies create inline --document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"}]}'
expect_rc 0 "inline policy"
run $A policies create bad --document '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"iot:Connect","Resource":"*"}]}'
expect_rc 1 "malformed policy"; expect_err_has "CreatePolicy: 400 MalformedPolicyException"
run $A policies create nofile --document "$T_DIR/none.json"; expect_rc 1; expect_err_has "none.json"
run $A policies list; expect_rc 0; expect_out_has "dev-policy"; expect_out_has "inline"
case "$OUT" in *bad*) _bad "malformed policy stored" ;; *) _ok ;; esac
run $A policies get dev-policy; expect_rc 0; expect_out_has '"iot:Connect"'; expect_out_has "version:  1"
run $A policies attach dev-policy --target "$CID"; expect_rc 0 "attach policy"
run $A things attach dev-a "arn:aws:iot:us-east-1:123456789012:cert/$CID"; expect_rc 0 "attach thing"
run $A things describe dev-a; expect_out_has "cert/$CID"
run $A certs list; expect_rc 0; expect_out_has "$CID  ACTIVE"
run $A certs describe "$CID"; expect_rc 0; expect_out_has "status:    ACTIVE"
run $A certs describe "arn:aws:iot:us-east-1:123456789012:cert/$CID" --json; expect_rc 0 "describe by ARN"
expect_out_has "\"certificateId\":	\"$CID\""
run $A certs describe "$CID" --pem; expect_rc 0
[ "$OUT" = "$(cat dev.pem)" ] && _ok || _bad "certs describe --pem is the certificate"
run $A certs describe 0123; expect_rc 1 "malformed id"; expect_err_has "InvalidRequestException"
run $A certs update "$CID" --new-status MAYBE; expect_rc 2 "bad status"
run $A things delete dev-a; expect_rc 1 "thing with a certificate attached"
expect_err_has "DeleteThing: 400 InvalidRequestException"

# --- revoke: the connected device is disconnected and refused ---------------------
DEV=(--set mqtt.server=localhost:$MP --set mqtt.ssl_ca_cert=$C/ca.pem --set mqtt.ssl_cert=$T_DIR/dev.pem
     --set mqtt.ssl_key=$T_DIR/dev.key)
"$TL" mqtt sub "${DEV[@]}" -i dev-a -t 'things/dev-a/#' -W 20 > sub.out 2> sub.err &
SUB=$!
for _ in $(seq 100); do grep -q "trustlink: dev-a connected" "$C/mosquitto.log" && break; sleep 0.05; done
grep -q "trustlink: dev-a connected" "$C/mosquitto.log" && _ok || { _bad "device did not connect"; cat sub.err; }
sleep 0.3
t0=$(date +%s%3N)
run $A revoke "$CID"; expect_rc 0 "revoke"
expect_out_has "is REVOKED: devices connected with it are disconnected within a second"
for _ in $(seq 40); do grep -q "disconnecting dev-a: certificate REVOKED" "$C/mosquitto.log" && break; sleep 0.05; done
t1=$(date +%s%3N)
grep -q "disconnecting dev-a: certificate REVOKED" "$C/mosquitto.log" && _ok || _bad "device not kicked"
[ $((t1 - t0)) -lt 1000 ] && _ok || _bad "kick took $((t1 - t0)) ms"
echo "cloud revoke to disconnect: $((t1 - t0)) ms"
# The device sees the broker close its connection, then its reconnections refused.
for _ in $(seq 100); do grep -q "not authorized" sub.err && break; sleep 0.05; done
kill $SUB 2>/dev/null; wait $SUB 2>/dev/null; SUB=
run cat sub.err
expect_out_has "connection lost: closed by the broker"
expect_out_has "connection refused by the broker: not authorized"
grep -q "refused dev-a (cert ${CID:0:12}): certificate REVOKED" "$C/mosquitto.log" \
    && _ok || _bad "the device's reconnection was not refused"
run $A certs describe "$CID"; expect_out_has "status:    REVOKED"
run $A certs update "$CID" --new-status ACTIVE; expect_rc 1 "REVOKED is final"
expect_err_has "CertificateStateException"

# --- reaching the API ---------------------------------------------------------------
run $A things list --endpoint-url https://127.0.0.1:1; expect_rc 1 "API unreachable"
expect_err_has "ListThings: cannot reach https://127.0.0.1:1"
run env AWS_SECRET_ACCESS_KEY=wrong $A things list; expect_rc 1 "wrong secret"
expect_err_has "403 InvalidSignatureException"
run env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY $A things list; expect_rc 1 "no credentials"
expect_err_has "credentials"
case "$ERR" in *"$AWS_SECRET_ACCESS_KEY"*) _bad "secret in a message" ;; *) _ok ;; esac
for cmd in "things update" "things attach" "certs update" "policies create" "revoke"; do
    run $A $cmd --help; expect_rc 0 "$cmd --help"; expect_out_has "Usage: trustlink cloud $cmd"
done
finish
