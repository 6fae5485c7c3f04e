#!/usr/bin/env bash
# The cloud's HTTPS API for real: `trustlink cloud start` runs Mosquitto and
# the API server; curl signs with its own SigV4 (--aws-sigv4); a shell signer
# (openssl dgst -hmac) builds the requests curl cannot (backdated, tampered).
# Ends with a device on MQTT using a certificate from CreateCertificateFromCsr,
# kicked within a second of UpdateCertificate REVOKED. Everything started here
# is stopped by pid.
. "$(dirname "$0")/../cli/lib.sh"
unset TRUSTLINK_CLOUD_DIR
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
MP=$(free_port); AP=$(free_port)
[ "$MP" = "$AP" ] && AP=$((AP + 1))

run "$TL" cloud start --dir "$C" --mqtt-port $MP --api-port $AP
expect_rc 0 "cloud start"; expect_out_has "# API: https://127.0.0.1:$AP"
eval "$(echo "$OUT" | grep '^export ')"
URL=https://127.0.0.1:$AP
run "$TL" cloud status --dir "$C"; expect_out_has "api: https://127.0.0.1:$AP (pid"

# api METHOD PATH [BODY] [curl args...]: signed with curl's SigV4; sets OUT
# (body), HDR (headers), CODE (HTTP status).
api() {
    local m=$1 p=$2 b=${3:-}; shift 3 2>/dev/null || shift $#
    OUT=$(curl -s -D "$T_DIR/.hdr" --aws-sigv4 "aws:amz:us-east-1:${SVC:-iot}" \
        --user "$AWS_ACCESS_KEY_ID:${SECRET:-$AWS_SECRET_ACCESS_KEY}" --cacert "$C/ca.pem" \
        -X "$m" ${b:+--data-binary "$b"} -H "Content-Type: application/json" "$@" "$URL$p")
    HDR=$(cat "$T_DIR/.hdr"); CODE=$(head -1 "$T_DIR/.hdr" | cut -d' ' -f2)
}
expect_code() { [ "$CODE" = "$1" ] && _ok || _bad "${2:-} HTTP $CODE, expected $1: $OUT"; }
expect_type() { case "$HDR" in *"x-amzn-ErrorType: $1"*) _ok ;; *) _bad "${2:-} no ErrorType $1: $HDR" ;; esac; }

# --- control plane ------------------------------------------------------------
api POST /things/dev-1 '{"attributePayload":{"attributes":{"room":"lab"}}}'
expect_code 200 "CreateThing"; expect_out_has '"thingArn":"arn:aws:iot:us-east-1:123456789012:thing/dev-1"'
api POST /things/dev-1 '{}'; expect_code 409; expect_type ResourceAlreadyExistsException
api GET /things/dev-1; expect_code 200; expect_out_has '"attributes":{"room":"lab"}'
api GET /things; expect_code 200; expect_out_has '"thingName":"dev-1"'
api GET /things/nope; expect_code 404; expect_type ResourceNotFoundException
api PATCH /things/dev-1 '{"attributePayload":{"attributes":{"floor":"2"},"merge":true},"expectedVersion":1}'
expect_code 200 "UpdateThing"
api GET /things/dev-1; expect_out_has '"attributes":{"room":"lab","floor":"2"}'; expect_out_has '"version":2'
api PATCH /things/dev-1 '{"attributePayload":{"attributes":{"x":"1"}},"expectedVersion":1}'
expect_code 409 "UpdateThing, stale version"; expect_type VersionConflictException
api PATCH /things/dev-1 '{"attributePayload":{"attributes":"x"}}'; expect_code 400 "attributes not an object"
api PATCH /things/dev-1 '{"attributePayload":{"attributes":{"n":1}}}'; expect_code 400 "non-string attribute"
api PATCH /things/nope '{"attributePayload":{"attributes":{"a":"b"}}}'; expect_code 404; expect_type ResourceNotFoundException
api GET /things/dev-1; expect_out_has '"version":2' "failed updates changed nothing"

cat > pol.json <<'JSON'
{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":"iot:Connect","Resource":"arn:aws:iot:us-east-1:123456789012:client/${iot:Connection.Thing.ThingName}"},
 {"Effect":"Allow","Action":["iot:Publish","iot:Receive"],"Resource":["arn:aws:iot:us-east-1:123456789012:topic/things/${iot:Connection.Thing.ThingName}/*","arn:aws:iot:us-east-1:123456789012:topic/$aws/things/${iot:Connection.Thing.ThingName}/shadow/*"]},
 {"Effect":"Allow","Action":"iot:Subscribe","Resource":["arn:aws:iot:us-east-1:123456789012:topicfilter/things/${iot:Connection.Thing.ThingName}/*","arn:aws:iot:us-east-1:123456789012:topicfilter/$aws/things/${iot:Connection.Thing.ThingName}/shadow/*"]}]}
JSON
BODY=$(jq -n --rawfile d pol.json '{policyDocument: $d}' 2>/dev/null ||
       python3 -c 'import json,sys; print(json.dumps({"policyDocument": open("pol.json").read()}))')
api POST /policies/dev-policy "$BODY"; expect_code 200 "CreatePolicy"
expect_out_has '"policyArn":"arn:aws:iot:us-east-1:123456789012:policy/dev-policy"'
api POST /policies/bad-policy '{"policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Maybe\",\"Action\":\"iot:Connect\",\"Resource\":\"*\"}]}"}'
expect_code 400 "malformed policy"; expect_type MalformedPolicyException
expect_out_has "Policy document is Malformed"
api GET /policies/bad-policy; expect_code 404 "malformed policy not stored"
api GET /policies/dev-policy; expect_code 200; expect_out_has '"defaultVersionId":"1"'
api GET /policies; expect_out_has '"policyName":"dev-policy"'

openssl ecparam -name prime256v1 -genkey -noout -out dev.key 2>/dev/null
openssl req -new -key dev.key -subj "/CN=dev-1" -out dev.csr 2>/dev/null
BODY=$(python3 -c 'import json; print(json.dumps({"certificateSigningRequest": open("dev.csr").read()}))')
api POST "/certificates?setAsActive=true" "$BODY"; expect_code 200 "CreateCertificateFromCsr"
python3 -c 'import json,sys; print(json.load(sys.stdin)["certificatePem"], end="")' <<<"$OUT" > dev.pem
CID=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["certificateId"])' <<<"$OUT")
ARN=arn:aws:iot:us-east-1:123456789012:cert/$CID
[ ${#CID} = 64 ] && openssl verify -CAfile "$C/ca.pem" dev.pem >/dev/null && _ok || _bad "certificate"
api POST "/certificates?setAsActive=true" '{"certificateSigningRequest":"-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"}'
expect_code 400 "garbage CSR"; expect_type InvalidRequestException
api GET /certificates/$CID; expect_code 200; expect_out_has '"status":"ACTIVE"'
api GET /certificates; expect_out_has "\"certificateId\":\"$CID\""
api PUT /target-policies/dev-policy "{\"target\":\"$ARN\"}"; expect_code 200 "AttachPolicy"
api PUT /things/dev-1/principals '' -H "x-amzn-principal: $ARN"; expect_code 200 "AttachThingPrincipal"
api GET /things/dev-1/principals; expect_out_has "\"$ARN\""
api POST "/keys-and-certificate?setAsActive=false" ''; expect_code 200 "CreateKeysAndCertificate"
expect_out_has '"PrivateKey":"-----BEGIN'
K2=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["certificateId"])' <<<"$OUT")
api GET /certificates/$K2; expect_out_has '"status":"INACTIVE"'
api DELETE /certificates/$K2; expect_code 200 "DeleteCertificate"
# The broker's port rides along when it is not AWS's 8883 (mqtt.server takes it as is).
api GET "/endpoint?endpointType=iot%3AData-ATS"; expect_code 200; expect_out "{\"endpointAddress\":\"localhost:$MP\"}"

# --- data plane (iotdata) -------------------------------------------------------
SVC=iotdata api GET /things/dev-1/shadow; expect_code 404 "no shadow yet"
SVC=iotdata api POST /things/dev-1/shadow '{"state":{"desired":{"led":"on"}}}'
expect_code 200 "UpdateThingShadow"; expect_out_has '"version":1'
SVC=iotdata api POST /things/dev-1/shadow '{"state":{"reported":{"led":"off"}},"version":7}'
expect_code 409 "version conflict"
SVC=iotdata api GET /things/dev-1/shadow; expect_code 200; expect_out_has '"delta":{"led":"on"}'
SVC=iotdata api POST "/things/dev-1/shadow?name=cfg" '{"state":{"reported":{"x":1}}}'; expect_code 200
SVC=iotdata api DELETE /things/dev-1/shadow; expect_code 200 "DeleteThingShadow"
SVC=iotdata api GET /things/dev-1/shadow; expect_code 404
SVC=iotdata api GET "/things/dev-1/shadow?name=cfg"; expect_code 200 "named shadow kept"

# --- bad requests ---------------------------------------------------------------
SECRET=wrong api GET /things; expect_code 403; expect_type InvalidSignatureException
expect_out_has '"message":"The request signature we calculated does not match'
OUT=$(curl -s -D "$T_DIR/.hdr" --aws-sigv4 "aws:amz:us-east-1:iot" --user "AKIAUNKNOWN0000000000:x" \
    --cacert "$C/ca.pem" "$URL/things"); HDR=$(cat "$T_DIR/.hdr")
expect_type UnrecognizedClientException "unknown key"
OUT=$(curl -s -D "$T_DIR/.hdr" --cacert "$C/ca.pem" "$URL/things"); HDR=$(cat "$T_DIR/.hdr")
expect_type MissingAuthenticationTokenException "unsigned"
api GET /no/such/route; expect_code 404; expect_type ResourceNotFoundException
api POST /policies/p2 '{bad json'; expect_code 400; expect_type InvalidRequestException
api POST "/things/x%27%3BDROP%20TABLE%20things%3B--" '{}'; expect_code 400 "SQL name"
expect_type InvalidRequestException
api GET /things; expect_out_has '"thingName":"dev-1"'
case "$OUT" in *DROP*) _bad "SQL-looking thing stored" ;; *) _ok ;; esac
head -c 70000 /dev/zero | tr '\0' a > big.txt
api POST /things/big "$(cat big.txt)"; expect_code 413 "body limit"

# The shell signer: hmac KEYSPEC MSG -> hex; sign METHOD PATH BODY DATE -> headers.
hmac() { printf '%s' "$2" | openssl dgst -sha256 -mac HMAC -macopt "$1" | sed 's/^.* //'; }
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
sign() {
    local m=$1 p=$2 b=$3 d=$4 k cr sts
    k=$(hmac "key:AWS4$AWS_SECRET_ACCESS_KEY" "${d:0:8}"); k=$(hmac hexkey:$k us-east-1)
    k=$(hmac hexkey:$k iot); k=$(hmac hexkey:$k aws4_request)
    cr=$(printf '%s\n%s\n\nhost:127.0.0.1:%s\nx-amz-date:%s\n\nhost;x-amz-date\n%s' \
        "$m" "$p" "$AP" "$d" "$(sha "$b")")
    sts=$(printf 'AWS4-HMAC-SHA256\n%s\n%s/us-east-1/iot/aws4_request\n%s' "$d" "${d:0:8}" "$(sha "$cr")")
    echo "Authorization: AWS4-HMAC-SHA256 Credential=$AWS_ACCESS_KEY_ID/${d:0:8}/us-east-1/iot/aws4_request, SignedHeaders=host;x-amz-date, Signature=$(hmac hexkey:$k "$sts")"
}
raw() {  # raw METHOD PATH SIGNED-BODY SENT-BODY DATE
    OUT=$(curl -s -D "$T_DIR/.hdr" --cacert "$C/ca.pem" -X "$1" -H "x-amz-date: $5" \
        -H "$(sign "$1" "$2" "$3" "$5")" -H "Content-Type:" ${4:+--data-binary "$4"} "$URL$2")
    HDR=$(cat "$T_DIR/.hdr"); CODE=$(head -1 "$T_DIR/.hdr" | cut -d' ' -f2)
}
NOW=$(date -u +%Y%m%dT%H%M%SZ); OLD=$(date -u -d '-6 min' +%Y%m%dT%H%M%SZ)
raw GET /things '' '' "$NOW"; expect_code 200 "shell signer agrees"
raw GET /things '' '' "$OLD"; expect_code 403 "6 minutes old"; expect_type InvalidSignatureException
expect_out_has "Signature expired"
raw POST /things/tamper-1 '{}' '{"x":1}' "$NOW"; expect_code 403 "tampered body"
expect_type InvalidSignatureException
api GET /things/tamper-1; expect_code 404 "tampered request had no effect"

# --- a device with the certificate from CreateCertificateFromCsr ----------------
tls() { echo -h 127.0.0.1 -p $MP --cafile $C/ca.pem --cert dev.pem --key dev.key; }
run mosquitto_pub $(tls) -i dev-1 -t things/dev-1/hello -m hi; expect_rc 0 "device publishes"

# A shadow change over REST reaches the device on MQTT, as on AWS IoT.
mosquitto_sub $(tls) -i dev-1 -t '$aws/things/dev-1/shadow/update/delta' \
    -t '$aws/things/dev-1/shadow/update/documents' -C 2 -W 10 -v > rest-delta.txt 2>&1 &
RSUB=$!
for _ in $(seq 50); do [ "$(grep -c "New client connected.*dev-1" "$C/mosquitto.log")" -ge 2 ] && break; sleep 0.1; done
sleep 0.3
SVC=iotdata api POST /things/dev-1/shadow '{"state":{"desired":{"fan":"high"}},"clientToken":"rest-1"}'
expect_code 200 "REST shadow update"
wait $RSUB
run cat rest-delta.txt
expect_out_has '$aws/things/dev-1/shadow/update/delta {"state":{"fan":"high"}'
expect_out_has '"clientToken":"rest-1"'
expect_out_has '$aws/things/dev-1/shadow/update/documents {"previous":'
mosquitto_sub $(tls) -i dev-1 -t 'things/dev-1/#' -W 30 > live.txt 2>&1 &
SUB=$!
for _ in $(seq 50); do grep -q "New client connected.*dev-1" "$C/mosquitto.log" 2>/dev/null && break; sleep 0.1; done
n0=$(grep -c "New client connected.*dev-1" "$C/mosquitto.log")
sleep 0.3
t0=$(date +%s%3N)
api PUT "/certificates/$CID?newStatus=REVOKED" ''; expect_code 200 "UpdateCertificate REVOKED"
for _ in $(seq 40); do grep -q "disconnecting dev-1" "$C/mosquitto.log" && break; sleep 0.05; done
t1=$(date +%s%3N)
grep -q "disconnecting dev-1" "$C/mosquitto.log" && _ok || _bad "revoked device not kicked"
[ $((t1 - t0)) -lt 1000 ] && _ok || _bad "kick took $((t1 - t0)) ms"
echo "revocation over the API to disconnect: $((t1 - t0)) ms (connections seen: $n0)"
api GET /certificates/$CID; expect_out_has '"status":"REVOKED"'

# --- stop: both processes go --------------------------------------------------
APIPID=$(cat "$C/api.pid")
run "$TL" cloud stop --dir "$C"; expect_rc 0
for _ in $(seq 50); do kill -0 "$APIPID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$APIPID" 2>/dev/null && _bad "API still running after stop" || _ok
grep -q "API stopping (signal)" "$C/api.log" && _ok || _bad "API did not stop cleanly"

# --- restart: the registry persists; start twice; the API dies with its broker --
run "$TL" cloud start --dir "$C" --mqtt-port $MP --api-port $AP; expect_rc 0 "restart"
api GET /things/dev-1; expect_code 200 "thing survives a restart"
api GET /certificates/$CID; expect_out_has '"status":"REVOKED"' "after restart"
run "$TL" cloud start --dir "$C" --mqtt-port $MP --api-port $AP; expect_rc 0 "start twice"
expect_err_has "already running"
APIPID=$(cat "$C/api.pid"); BPID=$(cat "$C/mosquitto.pid")
kill "$BPID"
for _ in $(seq 30); do kill -0 "$APIPID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$APIPID" 2>/dev/null && _bad "API outlived its broker" || _ok
grep -q "API stopping (broker gone)" "$C/api.log" && _ok || _bad "API did not notice the broker go"
finish
