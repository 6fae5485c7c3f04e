#!/usr/bin/env bash
# IAM-style users of the local cloud's API, for real: `trustlink cloud users`
# adds keys with allowed actions to the running cloud; curl signs with SigV4
# (--aws-sigv4). A denied call is AWS's 403 AccessDeniedException naming the
# user, the action and the resource; wildcards; unknown keys and removed users
# get the SigV4 errors; the admin is unaffected; a broken hand edit keeps the
# previous users. Ends with aws-iot-setup on an emulated chip, run by a user
# without iot:CreatePolicy, naming that permission.
. "$TL_SRC/tests/cli/lib.sh"
unset TRUSTLINK_CLOUD_DIR
t_cloud || exit 1
C=$T_DIR/cloud
ADMIN_ID=$AWS_ACCESS_KEY_ID ADMIN_SECRET=$AWS_SECRET_ACCESS_KEY
ACCT=123456789012

# api ID SECRET METHOD PATH [BODY]: sets OUT (body), HDR (headers), CODE.
api() {
    local id=$1 secret=$2 m=$3 p=$4 b=${5:-}
    OUT=$(curl -s -D "$T_DIR/.hdr" --aws-sigv4 "aws:amz:us-east-1:iot" --user "$id:$secret" \
        --cacert "$AWS_CA_BUNDLE" -X "$m" ${b:+--data-binary "$b"} \
        -H "Content-Type: application/json" "$AWS_ENDPOINT_URL$p")
    HDR=$(cat "$T_DIR/.hdr"); CODE=$(head -1 "$T_DIR/.hdr" | cut -d' ' -f2)
}
expect_code() { [ "$CODE" = "$1" ] && _ok || _bad "${2:-} HTTP $CODE, expected $1: $OUT"; }
expect_type() { case "$HDR" in *"x-amzn-ErrorType: $1"*) _ok ;; *) _bad "${2:-} no ErrorType $1: $HDR" ;; esac; }
# add_user NAME ALLOW: `cloud users add`, its key pair into ID_<NAME>/SECRET_<NAME>.
add_user() {
    run "$TL" cloud users add "$1" --allow "$2" --dir "$C"
    expect_rc 0 "users add $1"
    case "$OUT" in "export AWS_ACCESS_KEY_ID=AKIA"*" AWS_SECRET_ACCESS_KEY="*) _ok ;;
        *) _bad "users add $1 prints the exports" ;; esac
    local id sec
    id=$(echo "$OUT" | sed -n 's/.*AWS_ACCESS_KEY_ID=\([^ ]*\).*/\1/p')
    sec=$(echo "$OUT" | sed -n 's/.*AWS_SECRET_ACCESS_KEY=\([^ ]*\).*/\1/p')
    eval "ID_$1=\$id SECRET_$1=\$sec"
}

# --- a user allowed one action ---
add_user reader iot:DescribeEndpoint
api "$ID_reader" "$SECRET_reader" GET /endpoint
expect_code 200 "reader: DescribeEndpoint"; expect_out_has '"endpointAddress"'
api "$ID_reader" "$SECRET_reader" POST /things/t-denied '{}'
expect_code 403 "reader: CreateThing"; expect_type AccessDeniedException
expect_out_has "User: arn:aws:iam::$ACCT:user/reader is not authorized to perform: iot:CreateThing on resource: arn:aws:iot:us-east-1:$ACCT:thing/t-denied"
api "$ID_reader" "$SECRET_reader" GET /things
expect_code 403 "reader: ListThings"; expect_out_has "iot:ListThings on resource: *"
api "$ADMIN_ID" "$ADMIN_SECRET" GET /things/t-denied
expect_code 404 "a denied CreateThing created nothing"
api "$ID_reader" "$SECRET_reader" GET /no-such-route
expect_code 403 "reader: a path without an action"; expect_out_has "only the admin may call it"
api "$ADMIN_ID" "$ADMIN_SECRET" GET /no-such-route; expect_code 404 "admin: no such route"

# --- wildcards ---
add_user lister 'iot:List*, iot:Describe*'
api "$ID_lister" "$SECRET_lister" GET /things; expect_code 200 "lister: ListThings"
api "$ID_lister" "$SECRET_lister" GET /certificates; expect_code 200 "lister: ListCertificates"
api "$ID_lister" "$SECRET_lister" GET /endpoint; expect_code 200 "lister: DescribeEndpoint"
api "$ID_lister" "$SECRET_lister" GET /things/nope; expect_code 404 "lister: DescribeThing reaches the route"
api "$ID_lister" "$SECRET_lister" DELETE /things/nope
expect_code 403 "lister: DeleteThing"; expect_out_has "perform: iot:DeleteThing on resource"
api "$ID_lister" "$SECRET_lister" POST /policies/p1 '{"policyDocument":"{}"}'
expect_code 403 "lister: CreatePolicy"; expect_out_has "perform: iot:CreatePolicy on resource: arn:aws:iot:us-east-1:$ACCT:policy/p1"
add_user shadows 'iot:*ThingShadow'
api "$ID_shadows" "$SECRET_shadows" GET /things/t-none/shadow
expect_code 404 "shadows: GetThingShadow reaches the route"
api "$ID_shadows" "$SECRET_shadows" GET /things/t-none
expect_code 403 "shadows: DescribeThing is not a shadow action"

# --- keys: unknown, wrong secret; the admin as before ---
api AKIAUNKNOWN000000000 "$ADMIN_SECRET" GET /endpoint
expect_code 403 "unknown key"; expect_type UnrecognizedClientException
api "$ID_reader" "${ADMIN_SECRET}" GET /endpoint
expect_code 403 "reader's key, another secret"; expect_type InvalidSignatureException
api "$ADMIN_ID" "$ADMIN_SECRET" POST /things/t-admin '{}'
expect_code 200 "admin: CreateThing"
api "$ADMIN_ID" "$ADMIN_SECRET" POST /policies/p-admin '{"policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iot:Connect\",\"Resource\":\"*\"}]}"}'
expect_code 200 "admin: CreatePolicy"

# --- the CLI: list without secrets, bad input, remove ---
run "$TL" cloud users list --dir "$C"
expect_rc 0; expect_out_has "reader"; expect_out_has "$ID_lister"; expect_out_has "iot:List*,iot:Describe*"
expect_out_has "* (admin)"
case "$OUT" in *"$SECRET_reader"*|*"$ADMIN_SECRET"*) _bad "users list shows a secret" ;; *) _ok ;; esac
run "$TL" cloud users list --dir "$C" --json
expect_rc 0
expect_out_has '"userName": "default", "accessKeyId": "'"$ADMIN_ID"'", "admin": true, "allow": "*"}'
expect_out_has '"userName": "shadows", "accessKeyId": "'"$ID_shadows"'", "admin": false, "allow": "iot:*ThingShadow"}]'
run "$TL" cloud users add typo --allow iot:CreatThing --dir "$C"
expect_rc 2; expect_err_has 'action "iot:CreatThing" matches no action'
run "$TL" cloud users add 'bad name' --allow iot:GetPolicy --dir "$C"
expect_rc 2; expect_err_has "user name 'bad name' must be"
run "$TL" cloud users add noallow --dir "$C"
expect_rc 2; expect_err_has "which actions?"
run "$TL" cloud users add reader --allow iot:GetPolicy --dir "$C"
expect_rc 1; expect_err_has "user reader exists"
run "$TL" cloud users remove default --dir "$C"
expect_rc 1; expect_err_has "is the admin"
run "$TL" cloud users add x --allow iot:GetPolicy --dir "$T_DIR/none"
expect_rc 1; expect_err_has "no cloud here"
run "$TL" cloud users remove reader --dir "$C"
expect_rc 0
api "$ID_reader" "$SECRET_reader" GET /endpoint
expect_code 403 "removed user"; expect_type UnrecognizedClientException
api "$ID_lister" "$SECRET_lister" GET /endpoint; expect_code 200 "the others stay"

# --- a broken hand edit: the API keeps the users it had and says why ---
cp "$C/credentials" "$T_DIR/creds.good"
printf '[broken]\naws_access_key_id = AKIABROKEN0000000000\n' >> "$C/credentials"
api "$ID_lister" "$SECRET_lister" GET /things; expect_code 200 "users kept after a bad edit"
wait_log "$C/api.log" "keeping the users read before" 3 && _ok || _bad "api.log names the bad edit"
run "$TL" cloud users list --dir "$C"
expect_rc 1; expect_err_has "needs aws_access_key_id and aws_secret_access_key"
cp "$T_DIR/creds.good" "$C/credentials"

api "$ID_lister" "$SECRET_lister" DELETE /things/t-admin; expect_code 403 "restricted again after the repair"
for s in "$SECRET_reader" "$SECRET_lister" "$SECRET_shadows" "$ADMIN_SECRET"; do
    grep -qF -- "$s" "$C"/*.log && _bad "a secret in the cloud's logs" || _ok
done

# --- aws-iot-setup run by a user without iot:CreatePolicy ---
add_user provisioner 'iot:Describe*,iot:Get*,iot:List*,iot:CreateThing,iot:CreateCertificateFromCsr,iot:UpdateCertificate,iot:Attach*'
t_emulator chip --model 508a
export TRUSTLINK_CONFIG=$T_DIR/dev.json TRUSTLINK_CHIP=emu:$T_DIR/chip.sock
run env AWS_ACCESS_KEY_ID="$ID_provisioner" AWS_SECRET_ACCESS_KEY="$SECRET_provisioner" \
    "$TL" aws-iot-setup --yes --thing t1
expect_rc 1 "aws-iot-setup without iot:CreatePolicy"; expect_err_has "iot:CreatePolicy"
expect_err_has "AccessDeniedException"; expect_err_has "user/provisioner is not authorized to perform: iot:CreatePolicy"
api "$ADMIN_ID" "$ADMIN_SECRET" GET /things/t1; expect_code 200 "what it was allowed to do, it did"
api "$ADMIN_ID" "$ADMIN_SECRET" GET /policies/t1-policy; expect_code 404 "and no policy"
finish
