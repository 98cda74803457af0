#!/usr/bin/env bash
# tests/cli/test_store_s3.sh - the table store (lib/table/store.c) on S3,
# against the loopback server of tests/s3 (SigV4 checked on every request,
# If-None-Match: * honoured atomically by the proxy): get, put, list with
# pagination, delete, and put-if-absent races between threads and
# processes (exactly one wins); a 409 ConditionalRequestConflict is
# retried; a conditional PUT signed with a wrong secret is refused, not
# mistaken for "exists".
#
#   DSG_TEST_BIN_DIR   the unit test binaries (test_store)
#   DSG_BIN            the program (its --mode append on S3), optional
set -u
: "${DSG_TEST_BIN_DIR:?DSG_TEST_BIN_DIR must name the unit test binaries}"
here=$(cd "$(dirname "$0")" && pwd)
s3dir=$(cd "$here/../s3" && pwd)
store=$DSG_TEST_BIN_DIR/test_store
[ -x "$store" ] || { echo "FAIL $store is not built"; exit 1; }
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy AWS_ACCESS_KEY_ID \
    AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_REGION AWS_DEFAULT_REGION AWS_ENDPOINT_URL

work=$(mktemp -d "${TMPDIR:-/tmp}/dsg-test-store-s3-XXXXXX")
bucket=dsg-store
key=AKIDDSGSTORE
secret='dsg/Store+Secret=42'
node "$s3dir/server.mjs" --dir "$work" --bucket "$bucket" --key "$key" --secret "$secret" --lifetime 600 \
    >"$work/server.json" 2>"$work/server.err" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do
    [ -s "$work/server.json" ] && break
    sleep 0.2
done
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$work/server.json"; }
endpoint=$(field endpoint)
control=$(field control)
[ -n "$endpoint" ] || { echo "FAIL the loopback S3 did not start: $(cat "$work/server.err")"; exit 1; }

failed=0
pass() { echo "ok   $1"; }
fail() {
    echo "FAIL $1${2:+: $2}"
    failed=$((failed + 1))
}
ctl() { node "$s3dir/s3ctl.mjs" "$@"; }

if "$store" --s3 "$endpoint" "$bucket" "$key" "$secret" >"$work/out" 2>&1; then
    pass "store on S3: get/put/list/delete, put-if-absent races (threads and processes)"
else
    fail "store on S3" "$(tail -n 5 "$work/out")"
fi

put() { "$store" --s3-put "$endpoint" "$bucket" "$key" "${SECRET:-$secret}" "$1" "$2" 2>"$work/put.err"; }

put cond/a first; rc=$?
[ "$rc" -eq 0 ] && pass "a conditional PUT creates a new key" || fail "a conditional PUT creates a new key" "exit $rc: $(cat "$work/put.err")"
put cond/a second; rc=$?
[ "$rc" -eq 1 ] && pass "a second conditional PUT of the key gets 412: exists" || fail "a second conditional PUT of the key gets 412: exists" "exit $rc"

curl -s -X POST "$control/reset" >/dev/null
curl -s -X POST "$control/faults" -d '{"op":"PutObject","kind":"status","status":409,"code":"ConditionalRequestConflict","count":2}' >/dev/null
put cond/b won; rc=$?
n409=$(ctl log "$control" | grep -o '"status":409' | wc -l)
if [ "$rc" -eq 0 ] && [ "$n409" -eq 2 ]; then
    pass "409 ConditionalRequestConflict is retried until the PUT goes through"
else
    fail "409 ConditionalRequestConflict is retried" "exit $rc, $n409 answers 409: $(cat "$work/put.err")"
fi

SECRET=wrong-secret put cond/c x; rc=$?
if [ "$rc" -eq 2 ] && grep -q SignatureDoesNotMatch "$work/put.err" && ! grep -q wrong-secret "$work/put.err"; then
    pass "a badly signed conditional PUT fails (403), not 'exists', and no secret is printed"
else
    fail "a badly signed conditional PUT fails" "exit $rc: $(cat "$work/put.err")"
fi

# --mode append of plain files on S3: the planned keys are listed first
if [ -n "${DSG_BIN:-}" ]; then
    gen() { "$DSG_BIN" generate alltypes --rows 300 --quiet --s3-endpoint "$endpoint" --s3-key "$key" \
        --s3-secret "$secret" --output "s3://$bucket/app" "$@" >"$work/gen.out" 2>"$work/gen.err"; }
    gen; rc1=$?
    gen --mode append; rc2=$?
    gen --mode append --format jsonl; rc3=$?
    if [ "$rc1" -eq 0 ] && [ "$rc2" -eq 2 ] && [ "$rc3" -eq 0 ] && ctl list "$(field backend)" "$bucket" app/ | grep -q alltypes.jsonl; then
        pass "S3 --mode append refuses an existing key, adds new ones"
    else
        fail "S3 --mode append" "exits $rc1 $rc2 $rc3: $(cat "$work/gen.err")"
    fi
fi

[ "$failed" -eq 0 ] || exit 1
echo "store S3 checks passed"
