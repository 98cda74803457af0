#!/usr/bin/env bash
# tests/cli/test_s3.sh - S3 output against a loopback S3: tests/s3/server.mjs
# runs s3rver behind a proxy that checks every request's SigV4 signature
# with the AWS SDK's signer, emulates AbortMultipartUpload and injects
# faults. Objects are read back from s3rver directly (tests/s3/s3ctl.mjs)
# and compared byte for byte with the same run written to local disk.
#
#   DSG_BIN   the program under test
#
# Prints one line per check; exits non-zero if any check fails.
set -u
: "${DSG_BIN:?DSG_BIN must name the program under test}"
here=$(cd "$(dirname "$0")" && pwd)
s3dir=$(cd "$here/../s3" && pwd)
if [ ! -d "$here/../interop/node_modules/s3rver" ]; then
    echo "FAIL s3rver is not installed: run npm ci --prefix tests/interop (make test does)"
    exit 1
fi
# Only what a test sets may reach the program.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy AWS_ACCESS_KEY_ID \
    AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_REGION AWS_DEFAULT_REGION AWS_ENDPOINT_URL \
    AWS_ENDPOINT_URL_S3 AWS_PROFILE

work=$(mktemp -d "${TMPDIR:-/tmp}/dsg-test-s3-XXXXXX")
bucket=dsg-test
key=AKIDDSGTEST0000
secret='dsg/Secret+Key=0123456789abcdefABCDEF'
node "$s3dir/server.mjs" --dir "$work" --bucket "$bucket" --key "$key" --secret "$secret" --lifetime 1500 \
    >"$work/server.json" 2>"$work/server.err" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do
    [ -s "$work/server.json" ] && break
    sleep 0.2
done
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$work/server.json"; }
endpoint=$(field endpoint)
backend=$(field backend)
control=$(field control)
if [ -z "$endpoint" ]; then
    echo "FAIL the loopback S3 did not start: $(cat "$work/server.err")"
    exit 1
fi

failed=0
pass() { echo "ok   $1"; }
fail() {
    echo "FAIL $1${2:+: $2}"
    failed=$((failed + 1))
}
ctl() { node "$s3dir/s3ctl.mjs" "$@"; }

# run ARGS...: the program with its stderr in $work/stderr and status in $rc.
run() {
    "$DSG_BIN" "$@" >"$work/stdout" 2>"$work/stderr"
    rc=$?
}
# s3gen ARGS...: generate to the loopback S3 with the right credentials.
s3gen() { run generate "$@" --s3-endpoint "$endpoint" --s3-key "$key" --s3-secret "$secret"; }

# The request log, as "op status fault" lines; aborts as "abort key" lines.
requests() {
    ctl log "$control" | node -e '
        const l = JSON.parse(require("fs").readFileSync(0));
        for (const r of l.requests) console.log(r.op, r.status, r.fault || "-");
        for (const a of l.aborts) console.log("abort", a.key);'
}
count() { requests | grep -c "$1"; }
# Connections that carried S3 requests since the last reset.
connections() { ctl log "$control" | sed -n 's/.*"connections":\([0-9]*\).*/\1/p'; }

# same_objects WHAT PREFIX LOCALDIR: the objects under PREFIX are the files
# of LOCALDIR, same names, same bytes.
same_objects() {
    local dl="$work/dl-$RANDOM"
    if ! ctl download "$backend" "$bucket" "$2" "$dl" >"$work/ctl.err" 2>&1; then
        fail "$1" "download: $(cat "$work/ctl.err")"
    elif ! diff -r "$3" "$dl" >"$work/diff" 2>&1; then
        fail "$1" "objects differ from the local run: $(head -n 5 "$work/diff")"
    else
        pass "$1"
    fi
    rm -rf "$dl"
}

no_secret_in() { # WHAT FILE...
    local what=$1
    shift
    if grep -qF -e "$secret" -e "wrong-secret-xyz" -e "session-token-xyz" "$@"; then
        fail "$what" "a secret appears in $*"
    else
        pass "$what"
    fi
}

# expect_exit WHAT CODE PATTERN: the last run's status and stderr.
expect_exit() {
    if [ "$rc" -ne "$2" ]; then
        fail "$1" "exit $rc, not $2: $(head -n 3 "$work/stderr")"
    elif ! grep -Eq -- "$3" "$work/stderr"; then
        fail "$1" "stderr does not match /$3/: $(head -n 3 "$work/stderr")"
    else
        pass "$1"
    fi
}

# ---- (a) every dataset, local and S3, byte for byte ----

dataset_args() {
    case $1 in
    alltypes) echo "--rows 60000 --file-rows-target 25000" ;;
    ecommerce) echo "--n-customers 3000 --n-products 400 --orders-per-day 300 --start 2024-01-30 --end 2024-02-02 --orders-partitioning ymd --file-rows-target 500" ;;
    esac
}
for ds in $("$DSG_BIN" list-datasets); do
    args=$(dataset_args "$ds")
    [ -n "$args" ] || continue
    # shellcheck disable=SC2086
    run generate "$ds" $args --output "$work/local-$ds" --quiet
    # shellcheck disable=SC2086
    s3gen "$ds" $args --output "s3://$bucket/runs/$ds" --summary-json "$work/summary-$ds.json"
    if [ "$rc" -ne 0 ]; then
        fail "$ds to S3" "exit $rc: $(head -n 3 "$work/stderr")"
        continue
    fi
    same_objects "$ds: objects under s3://$bucket/runs/$ds equal the local files" "runs/$ds" "$work/local-$ds"
    no_secret_in "$ds: no secret in stderr or --summary-json" "$work/stderr" "$work/summary-$ds.json"
    if grep -q "\"output\":\"s3://$bucket/runs/$ds\"" "$work/summary-$ds.json"; then
        pass "$ds: the summary names the S3 output"
    else
        fail "$ds: the summary names the S3 output" "$(head -c 200 "$work/summary-$ds.json")"
    fi
done

# Hive partition keys travel encoded ('=' as %3D) and arrive as written.
if ctl list "$backend" "$bucket" runs/ecommerce/orders/ | grep -q 'year=2024/month=01/day=30/part-00000.parquet'; then
    pass "Hive partition keys keep their '='"
elif "$DSG_BIN" list-datasets | grep -qx ecommerce; then
    fail "Hive partition keys keep their '='" "$(ctl list "$backend" "$bucket" runs/ecommerce/orders/ | head -n 3)"
fi

# The destination must be empty unless --overwrite; --overwrite replaces
# the tables' objects and leaves other objects alone.
s3gen alltypes --rows 1000 --output "s3://$bucket/runs/alltypes"
expect_exit "a prefix that holds objects is refused" 2 "already holds objects"
ctl put "$backend" "$bucket" runs/alltypes/alltypes/stale.txt stale
ctl put "$backend" "$bucket" runs/alltypes/keep.txt keep
s3gen alltypes --rows 60000 --file-rows-target 25000 --output "s3://$bucket/runs/alltypes" --overwrite
expect_exit "--overwrite replaces the tables" 0 "1 table, 3 files"
mkdir -p "$work/expect-overwrite" && cp -r "$work/local-alltypes/." "$work/expect-overwrite/" && echo -n keep >"$work/expect-overwrite/keep.txt"
same_objects "--overwrite removed the stale object and kept the others" runs/alltypes "$work/expect-overwrite"

# Credentials and endpoint from the environment; a relative --output goes
# under --s3-uri.
ctl reset "$control"
AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_ENDPOINT_URL=$endpoint AWS_REGION=us-east-1 \
    run generate alltypes --rows 1000 --s3-uri "s3://$bucket/base" --output ./env-run
expect_exit "credentials and endpoint from the environment" 0 "1 file,"
if ctl list "$backend" "$bucket" base/ | grep -qx 'base/env-run/alltypes/alltypes.parquet'; then
    pass "a relative --output is written under --s3-uri"
else
    fail "a relative --output is written under --s3-uri" "$(ctl list "$backend" "$bucket" base/)"
fi
# A session token is signed (x-amz-security-token) and never printed.
AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=session-token-xyz \
    run generate alltypes --rows 1000 --output "s3://$bucket/token-run" --s3-endpoint "$endpoint"
expect_exit "a session token is signed" 0 "1 file,"

# The AWS shared files: a named profile's static keys (credentials file)
# and its region (config file), as the AWS CLI reads them.
mkdir -p "$work/home/.aws"
printf '[default]\naws_access_key_id = WRONGDEFAULT\naws_secret_access_key = wrong\n\n[dsg]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
    "$key" "$secret" >"$work/home/.aws/credentials"
printf '[profile dsg]\nregion = us-east-1\n' >"$work/home/.aws/config"
HOME="$work/home" AWS_PROFILE=dsg run generate alltypes --rows 1000 --output "s3://$bucket/profile-run" \
    --s3-endpoint "$endpoint"
expect_exit "credentials from AWS_PROFILE in ~/.aws/credentials" 0 "1 file,"
no_secret_in "no secret from the profile in the messages" "$work/stderr"
HOME="$work/home" run generate alltypes --rows 1000 --output "s3://$bucket/profile-default" --s3-endpoint "$endpoint"
expect_exit "the default profile is used without AWS_PROFILE (here: a wrong key)" 1 "InvalidAccessKeyId"
printf '[profile dsg]\nregion = eu-north-1\n' >"$work/home/.aws/config"
HOME="$work/home" AWS_PROFILE=dsg run generate alltypes --rows 1000 --output "s3://$bucket/profile-region" \
    --s3-endpoint "$endpoint"
expect_exit "the profile's region from ~/.aws/config signs the request" 1 "AuthorizationHeaderMalformed"

# ---- (b) a file of several parts ----

big_args=(alltypes --rows 200000 --file-rows-target 200000)
run generate "${big_args[@]}" --output "$work/local-big" --quiet
big_bytes=$(stat -c %s "$work/local-big/alltypes/alltypes.parquet")
if [ "$big_bytes" -gt $((12 << 20)) ]; then
    pass "the large file has $big_bytes bytes, three parts of 5 MiB or more"
else
    fail "the large file is large" "only $big_bytes bytes"
fi
ctl reset "$control"
s3gen "${big_args[@]}" --output "s3://$bucket/big" --s3-part-size 5
expect_exit "multipart upload" 0 "1 file,"
parts=$(count '^UploadPart 200')
if [ "$parts" -ge 3 ] && [ "$(count '^CompleteMultipartUpload 200')" -eq 1 ]; then
    pass "the large file went out in $parts parts and one CompleteMultipartUpload"
else
    fail "multipart requests" "$(requests | sort | uniq -c)"
fi
n_requests=$(requests | wc -l)
n_connections=$(connections)
if [ "$n_connections" -lt "$n_requests" ]; then
    pass "connections are reused ($n_requests requests over $n_connections connections)"
else
    fail "connections are reused" "$n_requests requests over $n_connections connections"
fi
same_objects "the multipart object equals the local file" big "$work/local-big"

# ---- (c) faults recovered by retries ----

# recovered WHAT LOCALDIR FAULT_JSON ARGS...: the run succeeds, the fault
# happened and the objects are those of LOCALDIR.
recovered() {
    local what=$1 expect=$2 fault=$3 prefix="faults/$RANDOM"
    shift 3
    ctl reset "$control"
    ctl fault "$control" "$fault"
    local t0=$SECONDS
    s3gen "$@" --output "s3://$bucket/$prefix"
    local took=$((SECONDS - t0))
    if [ "$rc" -ne 0 ]; then
        fail "$what" "exit $rc: $(head -n 3 "$work/stderr")"
        return
    fi
    if [ "$(requests | awk '$3 != "-"' | wc -l)" -lt 1 ]; then
        fail "$what" "the fault was never injected: $(requests | sort | uniq -c)"
        return
    fi
    echo "     ($what: exit 0 in ${took}s; $(requests | awk '$3 != "-" {print $1, $2, $3}' | sort | uniq -c | tr -s ' \n' ' '))"
    same_objects "$what: recovered, same bytes" "$prefix" "$expect"
}
run generate alltypes --rows 1000 --output "$work/local-small" --quiet
small_args=(alltypes --rows 1000)
big_s3_args=("${big_args[@]}" --s3-part-size 5)

recovered "503 SlowDown on two part uploads" "$work/local-big" '{"op":"UploadPart","kind":"status","status":503,"code":"SlowDown","message":"Please reduce your request rate.","count":2,"skip":1}' "${big_s3_args[@]}"
recovered "500 InternalError on PutObject" "$work/local-small" '{"op":"PutObject","kind":"status","status":500,"code":"InternalError","count":2}' "${small_args[@]}"
recovered "dropped connection during a part upload" "$work/local-big" '{"op":"UploadPart","kind":"drop","count":1,"skip":2}' "${big_s3_args[@]}"
recovered "dropped connection on PutObject" "$work/local-small" '{"op":"PutObject","kind":"drop","count":1}' "${small_args[@]}"
recovered "slow response past --s3-timeout" "$work/local-small" '{"op":"PutObject","kind":"stall","ms":6000,"count":1}' "${small_args[@]}" --s3-timeout 2
recovered "slow response within --s3-timeout" "$work/local-big" '{"op":"UploadPart","kind":"stall","ms":1500,"count":1}' "${big_s3_args[@]}" --s3-timeout 5
recovered "200 CompleteMultipartUpload with an <Error> body" "$work/local-big" '{"op":"CompleteMultipartUpload","kind":"complete-error","count":1}' "${big_s3_args[@]}"

# ---- (d) persistent failures: exit 1, upload aborted, no object ----

# aborted WHAT FAULT_JSON PATTERN: exit 1 naming the object and the cause,
# one AbortMultipartUpload, nothing under the prefix.
aborted() {
    local what=$1 fault=$2 pattern=$3 prefix="persistent/$RANDOM"
    ctl reset "$control"
    ctl fault "$control" "$fault"
    s3gen "${big_s3_args[@]}" --output "s3://$bucket/$prefix" --s3-max-retries 2
    expect_exit "$what: exit 1 naming the object and the cause" 1 \
        "s3://$bucket/$prefix/alltypes/alltypes.parquet: $pattern"
    echo "     ($what: $(head -n 1 "$work/stderr"))"
    if [ "$(count "^abort /$bucket/$prefix/alltypes/alltypes.parquet")" -eq 1 ]; then
        pass "$what: the multipart upload was aborted"
    else
        fail "$what: the multipart upload was aborted" "$(requests | sort | uniq -c)"
    fi
    if [ -z "$(ctl list "$backend" "$bucket" "$prefix/")" ]; then
        pass "$what: no object under the final key"
    else
        fail "$what: no object under the final key" "$(ctl list "$backend" "$bucket" "$prefix/")"
    fi
}
aborted "persistent 500 on part uploads" '{"op":"UploadPart","kind":"status","status":500,"code":"InternalError","message":"We encountered an internal error.","count":1000}' \
    "UploadPart [0-9]+ failed: HTTP 500 InternalError: We encountered an internal error. \(gave up after 3 attempts\)"
aborted "persistent <Error> in CompleteMultipartUpload" '{"op":"CompleteMultipartUpload","kind":"complete-error","count":1000}' \
    "CompleteMultipartUpload failed: HTTP 200 InternalError"
aborted "4xx on a part upload fails at once" '{"op":"UploadPart","kind":"status","status":400,"code":"InvalidArgument","message":"Part number must be an integer.","count":1,"skip":1}' \
    "UploadPart [0-9]+ failed: HTTP 400 InvalidArgument: Part number must be an integer.$"
if [ "$(count '^UploadPart 400')" -eq 1 ]; then
    pass "a 4xx is not retried"
else
    fail "a 4xx is not retried" "$(requests | sort | uniq -c)"
fi

# Runtime failures at the destination check name the bucket.
s3gen alltypes --rows 10 --output "s3://no-such-bucket/x"
expect_exit "no such bucket: exit 1 naming it" 1 "s3://no-such-bucket/x/: ListObjectsV2 failed: HTTP 404 NoSuchBucket"
run generate alltypes --rows 10 --output "s3://$bucket/x" --s3-endpoint http://127.0.0.1:1 --s3-key "$key" \
    --s3-secret "$secret" --s3-max-retries 2
expect_exit "refused connections: retried (bounded), exit 1 naming the bucket" 1 \
    "s3://$bucket/x/: ListObjectsV2 failed: .*(refused|connect).*\(gave up after 3 attempts\)"
run generate alltypes --rows 10 --output "s3://$bucket/x" --s3-endpoint http://no-such-host.invalid:9000 \
    --s3-key "$key" --s3-secret "$secret" --s3-max-retries 2
expect_exit "DNS failures: retried (bounded), exit 1" 1 "ListObjectsV2 failed: .*resolve.*\(gave up after 3 attempts\)"
# near-miss schemes are refused, never written to a local directory "s3:"
for near in "s3:/$bucket/x" "s3:$bucket/x" "S3://$bucket/x" "s3a://$bucket/x"; do
    mkdir -p "$work/near"
    (cd "$work/near" && "$DSG_BIN" generate alltypes --rows 10 --output "$near" >"$work/stdout" 2>"$work/stderr")
    rc=$?
    expect_exit "--output $near is refused" 2 "neither s3://BUCKET/PREFIX nor a local directory"
done
[ -z "$(ls -A "$work/near")" ] && pass "no local directory named after a near-miss URI" ||
    fail "no local directory named after a near-miss URI" "$(ls -A "$work/near")"

# ---- (e) a wrong secret ----

run generate alltypes --rows 10 --output "s3://$bucket/wrong" --s3-endpoint "$endpoint" --s3-key "$key" \
    --s3-secret wrong-secret-xyz
expect_exit "a wrong secret is refused" 1 "s3://$bucket/wrong/: .*HTTP 403 SignatureDoesNotMatch"
no_secret_in "no secret in the wrong-secret message" "$work/stderr"
run generate alltypes --rows 10 --output "s3://$bucket/wrong" --s3-endpoint "$endpoint" --s3-key WRONGKEY \
    --s3-secret "$secret"
expect_exit "a wrong access key is refused" 1 "HTTP 403 InvalidAccessKeyId"

# ---- (f) bad input: exit 2, one sentence, no request sent ----

bad() { # WHAT PATTERN ARGS...
    local what=$1 pattern=$2
    shift 2
    ctl reset "$control"
    run generate alltypes --rows 10 "$@"
    expect_exit "$what" 2 "$pattern"
    if [ "$(wc -l <"$work/stderr")" -ne 1 ] || [ -n "$(requests)" ]; then
        fail "$what: one line, no request" "$(cat "$work/stderr"; requests)"
    fi
    no_secret_in "$what: no secret in the message" "$work/stderr"
}
creds=(--s3-endpoint "$endpoint" --s3-key "$key" --s3-secret "$secret")
bad "malformed s3:// URI" "names no bucket" --output "s3://" "${creds[@]}"
bad "missing bucket" "names no bucket" --output "s3:///prefix" "${creds[@]}"
bad "invalid bucket name" "not a valid bucket name" --output "s3://Bad_Bucket/x" "${creds[@]}"
bad "empty path segment" "empty path segment" --output "s3://$bucket/a//b" "${creds[@]}"
bad "missing credentials" "^dataset-generator: no S3 credentials: " --output "s3://$bucket/x" --s3-endpoint "$endpoint"
bad "missing secret" "no S3 credentials" --output "s3://$bucket/x" --s3-endpoint "$endpoint" --s3-key "$key"
bad "contradictory --s3-uri and --output" "contradict each other: they name different buckets" \
    --output "s3://$bucket/x" --s3-uri s3://other-bucket "${creds[@]}"
bad "--output outside the --s3-uri prefix" "not under the --s3-uri prefix" \
    --output "s3://$bucket/x" --s3-uri "s3://$bucket/base" "${creds[@]}"
bad "--s3-uri with a local absolute --output" "is a local path but --s3-uri" \
    --output "$work/local-x" --s3-uri "s3://$bucket" "${creds[@]}"
bad "--s3-uri that is not s3://" "must be an s3://" --s3-uri "http://$bucket" "${creds[@]}"
bad "part size below 5 MiB" "--s3-part-size \(MiB\) must be" --output "s3://$bucket/x" --s3-part-size 4 "${creds[@]}"
bad "malformed endpoint" "is not of the form" --output "s3://$bucket/x" --s3-endpoint "ftp://host/x" \
    --s3-key "$key" --s3-secret "$secret"
bad "unknown S3 option" "unknown option --s3-bogus" --output "s3://$bucket/x" --s3-bogus 1 "${creds[@]}"
[ ! -e "$work/local-x" ] && pass "nothing written locally for a refused --output" ||
    fail "nothing written locally for a refused --output"

# ---- (g) hostile or broken servers, hostile names (issue 14) ----

# A key or prefix with "." or ".." segments would be normalised away by
# HTTP stacks after signing: refused before any request.
bad "'..' segment in the prefix" "'\.' or '\.\.' path segment" --output "s3://$bucket/../other-bucket/x" "${creds[@]}"
bad "trailing '..' segment" "'\.' or '\.\.' path segment" --output "s3://$bucket/victim/x/.." "${creds[@]}"
bad "'.' segment" "'\.' or '\.\.' path segment" --output "s3://$bucket/a/./b" "${creds[@]}"
long_prefix=$(printf 'k%.0s' $(seq 1010))
bad "a key longer than 1024 bytes, before any request" "would have [0-9]+ bytes; S3 allows at most 1024" \
    --output "s3://$bucket/$long_prefix" "${creds[@]}"

# broken WHAT FAULT_JSON PATTERN ARGS...: exit 1 naming the cause, and no
# object under the prefix.
broken() {
    local what=$1 fault=$2 pattern=$3 prefix="broken/$RANDOM"
    shift 3
    ctl reset "$control"
    ctl fault "$control" "$fault"
    local t0=$SECONDS
    s3gen "$@" --output "s3://$bucket/$prefix" --s3-max-retries 1
    expect_exit "$what" 1 "$pattern"
    echo "     ($what: $((SECONDS - t0)) s: $(head -n 1 "$work/stderr"))"
    if [ -z "$(ctl list "$backend" "$bucket" "$prefix/")" ]; then
        pass "$what: no object under the prefix"
    else
        fail "$what: no object under the prefix" "$(ctl list "$backend" "$bucket" "$prefix/")"
    fi
}
broken "an HTML page with 200 instead of a listing" '{"op":"ListObjectsV2","kind":"html","count":1000}' \
    "ListObjectsV2 failed: HTTP 200 without an S3 ListBucketResult document" "${small_args[@]}"
if [ "$(count '^PutObject')" -eq 0 ]; then pass "nothing uploaded after a listing that was not one"; else
    fail "nothing uploaded after a listing that was not one" "$(requests | sort | uniq -c)"; fi
broken "an HTML page with 200 instead of PutObject's answer" '{"op":"PutObject","kind":"html","count":1000}' \
    "PutObject failed: HTTP 200 without an ETag" "${small_args[@]}"
# (the server did store this one: only the answer lacks its ETag)
ctl reset "$control"
ctl fault "$control" '{"op":"PutObject","kind":"no-etag","count":1000}'
s3gen "${small_args[@]}" --output "s3://$bucket/no-etag" --s3-max-retries 1
expect_exit "PutObject answers without an ETag: not taken as success" 1 "PutObject failed: HTTP 200 without an ETag"
broken "an HTML page with 200 instead of CreateMultipartUpload's answer" \
    '{"op":"CreateMultipartUpload","kind":"html","count":1000}' \
    "CreateMultipartUpload failed: HTTP 200 without an S3 InitiateMultipartUploadResult" "${big_s3_args[@]}"
broken "an HTML page with 200 instead of CompleteMultipartUpload's answer" \
    '{"op":"CompleteMultipartUpload","kind":"html","count":1000}' \
    "CompleteMultipartUpload failed: HTTP 200 without an S3 CompleteMultipartUploadResult" "${big_s3_args[@]}"
recovered "one UploadPart answer without an ETag, retried" "$work/local-big" \
    '{"op":"UploadPart","kind":"no-etag","count":1,"skip":1}' "${big_s3_args[@]}"
# A server that trickles a byte every 500 ms never looks idle: the
# request's deadline (3 x --s3-timeout for a small body) and the retry
# budget (4 deadlines) end it.
ctl reset "$control"
ctl fault "$control" '{"op":"PutObject","kind":"trickle","ms":500,"count":1000}'
t0=$SECONDS
s3gen "${small_args[@]}" --output "s3://$bucket/trickle" --s3-timeout 1 --s3-max-retries 30
took=$((SECONDS - t0))
expect_exit "a trickling server: exit 1 past the request deadline" 1 "PutObject failed: the request did not finish within [0-9]+ s"
[ "$took" -le 25 ] && pass "a trickling server: given up after ${took} s, within the retry budget" ||
    fail "a trickling server: given up within the retry budget" "${took} s"

run generate --help
if grep -q -- "--s3-uri" "$work/stdout" && grep -q -- "--s3-secret" "$work/stdout"; then
    pass "--help lists the S3 options"
else
    fail "--help lists the S3 options"
fi

echo
echo "test_s3: $failed failed"
[ "$failed" -eq 0 ]
