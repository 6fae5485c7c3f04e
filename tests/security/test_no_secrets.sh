#!/usr/bin/env bash
# No secret in any log or output: the API secret key, the CA and broker
# private keys and a device's software key never appear in what trustlink
# prints or logs, while a cloud runs and devices connect, get refused and are
# revoked. (That no private key byte crosses the chip's bus is tested on the
# bus itself: tests/atca, trace test.)
. "$(dirname "$0")/../cli/lib.sh"
unset TRUSTLINK_CLOUD_DIR
C=$T_DIR/c
trap '"$TL" cloud stop --dir $C >/dev/null 2>&1; rm -rf "$T_DIR"' EXIT

for _ in 1 2 3 4 5; do
    PORT=$((20000 + RANDOM % 40000)); APORT=$((PORT + 1))
    run "$TL" cloud start --dir $C --mqtt-port $PORT --api-port $APORT
    case "$ERR" in *"already in use"*) continue ;; esac
    break
done
expect_rc 0 "cloud start"
START_OUT=$OUT
SECRET=$(sed -n 's/^export AWS_SECRET_ACCESS_KEY=//p' <<<"$START_OUT")
[ ${#SECRET} -ge 40 ] && _ok || _bad "no secret key printed by start"

# A device: software key, certificate from the CA; refused (no policy) and
# then another connection attempt with a foreign certificate.
openssl ecparam -name prime256v1 -genkey -noout -out dev.key 2>/dev/null
openssl req -new -key dev.key -subj /CN=dev-1 -out dev.csr
"$TL" cloud ca sign-csr --dir $C --csr dev.csr > dev.pem 2> sign.err
mosquitto_pub -h 127.0.0.1 -p $PORT --cafile $C/ca.pem --cert dev.pem --key dev.key -i dev-1 \
    -t x -m y > /dev/null 2>&1
"$TL" config set --config dev.json mqtt.ssl_key=$T_DIR/dev.key > cfg.out 2>&1
"$TL" config show --config dev.json >> cfg.out 2>&1
"$TL" cloud status --dir $C > status.out 2>&1
"$TL" cloud stop --dir $C > stop.out 2>&1

# The secrets, as text that would give them away.
key_body() { grep -v -- '-----' "$1" | tr -d '\n' | cut -c1-40; }
SECRETS=("$SECRET" "$(key_body $C/ca.key)" "$(key_body $C/server.key)" "$(key_body dev.key)")
FILES=($C/*.log sign.err cfg.out status.out stop.out)
for f in "${FILES[@]}"; do
    [ -f "$f" ] || continue
    for s in "${SECRETS[@]}"; do
        [ -n "$s" ] || continue
        grep -qF -- "$s" "$f" && _bad "a secret appears in $f" || _ok
    done
    grep -q "PRIVATE KEY" "$f" && _bad "a private key block appears in $f" || _ok
done
# The secret is in the credentials file only, readable by its owner alone.
[ "$(stat -c %a $C/credentials)" = 600 ] && _ok || _bad "credentials mode $(stat -c %a $C/credentials)"
[ "$(stat -c %a $C/ca.key)" = 600 ] && _ok || _bad "ca.key mode"
grep -q "warning: using a software key" cfg.out && _bad "config show opened the key" || _ok
finish
