#!/usr/bin/env bash
# The trustlink command: dispatch, help, exit codes, and the config commands.
. "$(dirname "$0")/lib.sh"
unset TRUSTLINK_CONFIG

# Dispatch, help and usage errors.
run "$TL" --version;            expect_rc 0; expect_out_has "trustlink 0."
run "$TL" --help;               expect_rc 0; expect_out_has "config"; expect_out_has "--version"
run "$TL";                      expect_rc 2
run "$TL" frobnicate;           expect_rc 2; expect_err_has "trustlink: unknown command 'frobnicate'"
run "$TL" config;               expect_rc 2; expect_out_has "schema"
run "$TL" config get --help;    expect_rc 0; expect_out_has "Usage: trustlink config get KEY..."
run "$TL" config get --bogus x; expect_rc 2
expect_err "trustlink config get: unknown option '--bogus'
Try 'trustlink config get --help'."
run "$TL" config get;           expect_rc 2; expect_err_has "which key?"
run "$TL" config get --config;  expect_rc 2; expect_err_has "option '--config' needs a value"

# Defaults when there is no file.
run "$TL" config get mqtt.keep_alive; expect_rc 0; expect_out "60"
run "$TL" config get mqtt.ssl_key --json; expect_rc 0; expect_out '"chip:0"'

# The issue's example, and the file it writes.
run "$TL" config set mqtt.keep_alive=60; expect_rc 0
run "$TL" config get mqtt.keep_alive; expect_rc 0; expect_out "60"
run "$TL" config set mqtt.server=broker.local:8883 aws.thing_name=dev-1; expect_rc 0
run cat trustlink.json
expect_out '{
  "mqtt": {
    "server": "broker.local:8883",
    "keep_alive": 60
  },
  "aws": {
    "thing_name": "dev-1"
  }
}'
run "$TL" config get mqtt.server aws.thing_name --json
expect_out '{"mqtt.server": "broker.local:8883", "aws.thing_name": "dev-1"}'

# Layers: --set beats the file, the file beats defaults; show names the source.
run "$TL" --set mqtt.keep_alive=300 config get mqtt.keep_alive; expect_out "300"
run "$TL" config get mqtt.keep_alive --set=mqtt.keep_alive=90; expect_out "90"
run "$TL" config show --set mqtt.keep_alive=300
expect_out_has "mqtt.keep_alive          300                              --set"
expect_out_has "mqtt.server              broker.local:8883                file"
expect_out_has "aws.region               us-east-1                        default"
run "$TL" config get mqtt.keep_alive; expect_out "60"   # --set is never persisted
run "$TL" config show --json; expect_rc 0; expect_out_has '"keep_alive": 60'

# --config and $TRUSTLINK_CONFIG.
run "$TL" config set --config other.json device.id=x; expect_rc 0
run "$TL" config get --config other.json device.id; expect_out "x"
TRUSTLINK_CONFIG=other.json run "$TL" config get device.id; expect_out "x"
run "$TL" config get --config missing.json device.id; expect_rc 1
expect_err "trustlink: cannot open missing.json: No such file or directory"

# Bad input: one clear message, exit 1, nothing written.
cp trustlink.json before.json
run "$TL" config set mqtt.keepalive=60; expect_rc 1
expect_err "trustlink: mqtt.keepalive=60: mqtt.keepalive: unknown key (did you mean mqtt.keep_alive?)"
run "$TL" config get mqtt.keepalive; expect_rc 1
expect_err "trustlink: unknown key 'mqtt.keepalive' (did you mean 'mqtt.keep_alive'?)"
run "$TL" config set mqtt.keep_alive=5; expect_rc 1
expect_err "trustlink: mqtt.keep_alive=5: mqtt.keep_alive: value out of range (allowed: 30..1200)"
run "$TL" config set mqtt.keep_alive=sixty; expect_rc 1
expect_err "trustlink: mqtt.keep_alive=sixty: mqtt.keep_alive: expected an integer"
run "$TL" config set mqtt.clean_session=yes; expect_rc 1
expect_err_has "expected a boolean (true or false)"
long=$(printf 'r%.0s' $(seq 40))
run "$TL" config set aws.region=$long; expect_rc 1
expect_err "trustlink: aws.region=$long: aws.region: string too long (at most 32 bytes)"
run "$TL" config set device.id=ok mqtt.keep_alive=1; expect_rc 1   # all or nothing
run "$TL" config set mqtt.keep_alive; expect_rc 2; expect_err_has "'mqtt.keep_alive': expected KEY=VALUE"
expect_file_same trustlink.json before.json "bad input"
run "$TL" config get mqtt.keep_alive --set mqtt.keep_alive=2000; expect_rc 1
expect_err "trustlink: --set: mqtt.keep_alive: value out of range (allowed: 30..1200)"

# A malformed file: file, line and column; set refuses to overwrite it.
printf '{\n  "mqtt": {\n    "keep_alive": 60,\n  }\n}\n' > bad.json
run "$TL" config get --config bad.json mqtt.keep_alive; expect_rc 1
expect_err "trustlink: bad.json:4:3: malformed JSON: expected a quoted member name"
cp bad.json bad.orig
run "$TL" config set --config bad.json mqtt.keep_alive=90; expect_rc 1
expect_file_same bad.json bad.orig "malformed file"
printf '{"mqtt": {"keep_alive": "60"}}' > type.json
run "$TL" config show --config type.json; expect_rc 1
expect_err "trustlink: type.json:1:25: mqtt.keep_alive: expected an integer, got a string"
printf '{"mqtt": {"server": "a"}, "mqtt": {"serverr": "b"}}' > unk.json
run "$TL" config show --config unk.json; expect_rc 1
expect_err "trustlink: unk.json:1:36: mqtt.serverr: unknown key (did you mean mqtt.server?)"
head -c 70000 /dev/zero | tr '\0' ' ' > huge.json
run "$TL" config show --config huge.json; expect_rc 1
expect_err "trustlink: huge.json: file too large (limit 65536 bytes)"

# unset returns a key to its default; the atomic write leaves no temp files.
run "$TL" config unset mqtt.server; expect_rc 0
run "$TL" config get mqtt.server; expect_out ""
ls trustlink.json.tmp.* >/dev/null 2>&1 && _bad "temp file left" || _ok

# The schema lists every key.
run "$TL" config schema; expect_rc 0; expect_out_has "mqtt.keep_alive          int    60                   30..1200"
run "$TL" config schema --json; expect_rc 0; expect_out_has '"key": "mqtt.keep_alive", "type": "int", "default": 60, "min": 30, "max": 1200'

finish
