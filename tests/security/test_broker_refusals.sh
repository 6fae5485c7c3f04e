#!/usr/bin/env bash
# The local cloud's broker refuses device certificates it must refuse:
# expired (signed by the cloud's CA), signed by a foreign CA, not registered,
# registered but INACTIVE; the same device connects with a good one (the
# control that proves each refusal is about the certificate).
. "$TL_SRC/tests/cli/lib.sh"
t_cloud || exit 1
C=$T_DIR/cloud
run "$TL" aws-iot-setup --chip none --allow-software-key --thing good --config good.json --yes
expect_rc 0 "provision the control device"
pub() {   # pub CERT KEY: one QoS 1 message as thing "good"
    "$TL" mqtt pub --config good.json --set mqtt.ssl_cert="$1" --set mqtt.ssl_key="$2" \
        --set mqtt.queue_path="$T_DIR/q-$RANDOM.bin" -t things/good/telemetry -m x -q 1 --timeout 5
}
run pub "$T_DIR/good.cert.pem" "$T_DIR/good.key.pem"; expect_rc 0 "the control connects"

# Expired: the cloud's own CA, the thing's own key, dates in the past.
mkdir ca && : > ca/index.txt && echo 01 > ca/serial
cat > ca/ca.cnf <<CNF
[ca]
default_ca = d
[d]
database = $T_DIR/ca/index.txt
new_certs_dir = $T_DIR/ca
certificate = $C/ca.pem
private_key = $C/ca.key
serial = $T_DIR/ca/serial
default_md = sha256
policy = p
[p]
commonName = supplied
CNF
openssl req -new -key good.key.pem -subj /CN=good -out good.csr 2>/dev/null
openssl ca -batch -config ca/ca.cnf -in good.csr -out expired.pem -notext \
    -startdate 20200101000000Z -enddate 20200201000000Z > /dev/null 2>&1
openssl x509 -in expired.pem -noout -checkend 0 > /dev/null 2>&1 && _bad "expired.pem is not expired" || _ok
run pub "$T_DIR/expired.pem" "$T_DIR/good.key.pem"
expect_rc 1 "expired certificate"

# Foreign CA: a CA the cloud does not know signs the same key.
openssl ecparam -name prime256v1 -genkey -noout -out foreign-ca.key 2>/dev/null
openssl req -x509 -new -key foreign-ca.key -subj "/CN=foreign CA" -days 30 -out foreign-ca.pem 2>/dev/null
openssl x509 -req -in good.csr -CA foreign-ca.pem -CAkey foreign-ca.key -set_serial 7 -days 30 \
    -out foreign.pem 2>/dev/null
run pub "$T_DIR/foreign.pem" "$T_DIR/good.key.pem"
expect_rc 1 "foreign-CA certificate"

# The cloud's CA, valid dates, never registered (no CreateCertificate).
"$TL" cloud ca sign-csr --dir "$C" --csr good.csr > unregistered.pem 2>/dev/null
run pub "$T_DIR/unregistered.pem" "$T_DIR/good.key.pem"
expect_rc 1 "unregistered certificate"
wait_log "$C/mosquitto.log" "refused good (cert" 5 && _ok || _bad "the plugin says why it refused"

# Registered, then set INACTIVE: refused; ACTIVE again: accepted.
ID=$(openssl x509 -in good.cert.pem -outform der | sha256sum | cut -c1-64)
api() {
    curl -sS --fail-with-body --aws-sigv4 "aws:amz:$AWS_REGION:iot" \
        --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" --cacert "$AWS_CA_BUNDLE" "$@"
}
api -X PUT "$AWS_ENDPOINT_URL/certificates/$ID?newStatus=INACTIVE" > /dev/null && _ok || _bad "deactivate"
run pub "$T_DIR/good.cert.pem" "$T_DIR/good.key.pem"; expect_rc 1 "INACTIVE certificate"
api -X PUT "$AWS_ENDPOINT_URL/certificates/$ID?newStatus=ACTIVE" > /dev/null && _ok || _bad "activate"
run pub "$T_DIR/good.cert.pem" "$T_DIR/good.key.pem"; expect_rc 0 "ACTIVE again"
finish
