#!/usr/bin/env bash
# tests/cli/test_hardening.sh - the promises kept under hostile input and
# signals (issue 14): strict numbers and dates, names checked before the
# first byte, --overwrite over deep trees and symbolic links, messages that
# keep their cause, early checks, SIGINT/SIGTERM/SIGXFSZ, clean, secrets
# never echoed, stdout write errors, empty tables.
#
#   DSG_BIN   the program under test
#
# Prints one line per check; exits non-zero if any check fails.
set -u
: "${DSG_BIN:?DSG_BIN must name the program under test}"

work=$(mktemp -d "${TMPDIR:-/tmp}/dsg-test-hard-XXXXXX")
cleanup() {
    [ -n "${bg:-}" ] && kill "$bg" 2>/dev/null
    chmod -R u+w "$work" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
failed=0
pass() { echo "ok   $1"; }
fail() {
    echo "FAIL $1${2:+: $2}"
    failed=$((failed + 1))
}
run() {
    "$DSG_BIN" "$@" >"$work/stdout" 2>"$work/stderr"
    rc=$?
}
# expect WHAT CODE PATTERN: the last run's status and a pattern in stderr.
expect() {
    if [ "$rc" -ne "$2" ]; then
        fail "$1" "exit $rc, not $2: $(head -c 300 "$work/stderr")"
    elif [ -n "$3" ] && ! grep -Eq -- "$3" "$work/stderr"; then
        fail "$1" "stderr does not match /$3/: $(head -c 300 "$work/stderr")"
    else
        pass "$1"
    fi
}
small=(--n-customers 50 --n-products 10 --orders-per-day 20 --start 2024-01-01 --end 2024-01-02)

# ---- item 6: dates are exactly YYYY-MM-DD ----
for d in -001-01-01 +024-01-01 " 2024-01-01" 2024-1-01 2024-01-+1; do
    run generate ecommerce --output "$work/dates" --n-customers 50 --end 2024-01-02 --start "$d"
    expect "--start '$d' is refused" 2 "must be a date as YYYY-MM-DD"
done
[ ! -e "$work/dates" ] && pass "nothing written for bad dates" || fail "nothing written for bad dates"

# ---- item 7: unsigned values take no sign and are bounded ----
run generate ecommerce --output "$work/u" "${small[@]}" --shard 1/-1
expect "--shard 1/-1 is refused" 2 "--shard must be K/N"
run generate ecommerce --output "$work/u" "${small[@]}" --shard +1/2
expect "--shard +1/2 is refused" 2 "--shard must be K/N"
run generate ecommerce --output "$work/u" "${small[@]}" --shard 1/4294967297
expect "--shard 1/2^32+1 is refused" 2 "--shard must be K/N"
run generate ecommerce --output "$work/u" "${small[@]}" --threads +2
expect "--threads +2 is refused" 2 "--threads must be a whole number"
run generate ecommerce --output "$work/u" --n-customers -5
expect "--n-customers -5 is refused" 2 "must be a whole number"
run generate ecommerce --output "$work/u" --seed " 7"
expect "--seed ' 7' is refused" 2 "must be a whole number"
SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_COUNT=-3 run generate ecommerce --output "$work/u" "${small[@]}" --shard auto
[ "$rc" -eq 2 ] && pass "--shard auto with a negative count is refused" ||
    fail "--shard auto with a negative count is refused" "exit $rc"

# ---- item 4: names checked before the first byte ----
long="$work/limits"
mkdir -p "$long"
deep="$long"
while [ ${#deep} -lt 4040 ]; do deep="$deep/$(printf 'p%.0s' $(seq 200))"; done
run generate ecommerce --output "$deep" "${small[@]}"
expect "an output path beyond PATH_MAX is refused" 2 "too long"
[ -z "$(ls -A "$long")" ] && pass "no directory created for the refused run" ||
    fail "no directory created for the refused run" "$(ls -A "$long" | head -c 100)"

# ---- item 5: --overwrite over a tree deeper than PATH_MAX, with links out ----
out="$work/ow"
run generate ecommerce --output "$out" "${small[@]}" --quiet
mkdir -p "$work/outside" && echo precious >"$work/outside/keep.txt"
ln -s "$work/outside" "$out/customers/link-out"
python3 - "$out/customers" <<'EOF'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
for i in range(25):  # 25 x 201 bytes: deeper than PATH_MAX
    os.symlink("../../../../outside", "up", dir_fd=fd)
    os.close(os.open("f", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd))
    os.mkdir("d" * 200, dir_fd=fd)
    nfd = os.open("d" * 200, os.O_RDONLY, dir_fd=fd)
    os.close(fd)
    fd = nfd
os.close(fd)
EOF
run generate ecommerce --output "$out" "${small[@]}" --overwrite --quiet
expect "--overwrite removes a tree deeper than PATH_MAX" 0 ""
[ "$(cat "$work/outside/keep.txt" 2>/dev/null)" = precious ] && pass "links out of the output are not followed" ||
    fail "links out of the output are not followed"
[ -f "$out/customers/customers.parquet" ] && [ ! -e "$out/customers/link-out" ] &&
    pass "the table directory was rewritten" || fail "the table directory was rewritten"

# ---- item 8: a long path does not push the cause out of the message ----
lp="$work/$(printf 'q%.0s' $(seq 200))/$(printf 'r%.0s' $(seq 200))/$(printf 's%.0s' $(seq 200))"
(
    ulimit -f 100
    "$DSG_BIN" generate ecommerce --output "$lp" --n-customers 200000 --n-products 10 --orders-per-day 10 \
        --start 2024-01-01 --end 2024-01-01 --compression none --threads 1 --quiet 2>"$work/stderr"
)
rc=$?
expect "file-size limit without a trap: exit 1 with a message (SIGXFSZ ignored)" 1 "cannot write"
if grep -Eq "File too large$" "$work/stderr" && [ "$(wc -c <"$work/stderr")" -lt 600 ]; then
    pass "a message after a 600-byte path ends with its cause"
else
    fail "a message after a 600-byte path ends with its cause" "$(cat "$work/stderr")"
fi
[ "$(find "$lp" -name '.*tmp*' | wc -l)" -eq 0 ] && pass "no temporary file left after the write error" ||
    fail "no temporary file left after the write error"

# ---- item 9: checks before planning and writing ----
run generate ecommerce --output "$work/s1" "${small[@]}" --summary-json ''
expect "--summary-json '' is refused" 2 "summary-json needs a file name"
run generate ecommerce --output "$work/s1" "${small[@]}" --summary-json "$work/no/such/dir/s.json"
expect "--summary-json in a missing directory is refused" 2 "does not exist"
run generate ecommerce --output "$work/s1" "${small[@]}" --summary-json "$work"
expect "--summary-json naming a directory is refused" 2 "is a directory"
[ ! -e "$work/s1" ] && pass "nothing written for a bad --summary-json" || fail "nothing written for a bad --summary-json"
touch "$work/a-file"
t0=$(date +%s)
run generate ecommerce --output "$work/a-file" --orders-per-day 1000000000 --start 2024-01-01 --end 2024-01-15
t1=$(date +%s)
expect "an output that is a file is refused" 2 "not a directory"
[ $((t1 - t0)) -le 5 ] && pass "... before planning 1.5e10 orders ($((t1 - t0)) s)" ||
    fail "... before planning 1.5e10 orders" "$((t1 - t0)) s"

t0=$(date +%s)
run generate ecommerce --output "$work/only-customers" --orders-per-day 1000000000 --start 2024-01-01 \
    --end 2024-01-15 --n-customers 1000 --tables customers --quiet
t1=$(date +%s)
expect "--tables customers with 1.5e10 orders: exit 0" 0 ""
[ $((t1 - t0)) -le 5 ] && pass "... without planning the order items ($((t1 - t0)) s)" ||
    fail "... without planning the order items" "$((t1 - t0)) s"

"$DSG_BIN" generate ecommerce --output "$work/all-tables" "${small[@]}" --quiet
"$DSG_BIN" generate ecommerce --output "$work/orders-only" "${small[@]}" --tables orders --quiet
diff -r "$work/all-tables/orders" "$work/orders-only/orders" >/dev/null &&
    pass "--tables orders (order items not planned) writes the same orders" ||
    fail "--tables orders (order items not planned) writes the same orders"

# ---- item 10: signals ----
for sig in INT TERM; do
    o="$work/sig-$sig"
    "$DSG_BIN" generate ecommerce --output "$o" --n-customers 2000000 --orders-per-day 200000 --start 2024-01-01 \
        --end 2024-12-31 --compression gzip --threads 2 --quiet 2>"$work/stderr" &
    bg=$!
    for _ in $(seq 100); do
        [ -n "$(find "$o" -name '.*.tmp-*' 2>/dev/null | head -n 1)" ] && break
        sleep 0.1
    done
    kill -s "$sig" "$bg"
    wait "$bg"
    rc=$?
    bg=
    want=$([ "$sig" = INT ] && echo 130 || echo 143)
    expect "SIG$sig: exit $want and says so" "$want" "interrupted by SIG$sig"
    n=$(find "$o" -name '.*.tmp-*' | wc -l)
    [ "$n" -eq 0 ] && pass "SIG$sig: no temporary file left" || fail "SIG$sig: no temporary file left" "$n left"
done

# clean: temporary files of dead processes go, those of live ones stay
c="$work/clean"
mkdir -p "$c/orders/year=2024/month=01"
dead=$( (exit 0) & echo $!)
sleep 0.2
while kill -0 "$dead" 2>/dev/null; do sleep 0.1; done
touch "$c/orders/year=2024/month=01/.part-00000.parquet.tmp-$dead-0" "$c/.x.parquet.tmp-$$-3" "$c/orders/keep.parquet"
run clean "$c"
if [ "$rc" -eq 0 ] && [ ! -e "$c/orders/year=2024/month=01/.part-00000.parquet.tmp-$dead-0" ] &&
    [ -e "$c/.x.parquet.tmp-$$-3" ] && [ -e "$c/orders/keep.parquet" ]; then
    pass "clean removes a dead run's temporary files only"
else
    fail "clean removes a dead run's temporary files only" "exit $rc $(cat "$work/stderr" "$work/stdout")"
fi
run clean "$c" --all
[ "$rc" -eq 0 ] && [ ! -e "$c/.x.parquet.tmp-$$-3" ] && pass "clean --all removes every temporary file" ||
    fail "clean --all removes every temporary file"
run clean "$work/no-such-dir"
expect "clean of a missing directory" 2 "cannot clean"

# ---- item 11: secrets are never echoed ----
run generate alltypes --rows 10 --output s3://bkt/x --s3-key AK --s3-secret= Sup3rSecretValue
expect "--s3-secret= VALUE is refused" 2 "needs a value|not shown"
grep -q Sup3rSecretValue "$work/stderr" && fail "the secret is not echoed" "$(cat "$work/stderr")" ||
    pass "the secret is not echoed"
run generate alltypes --rows 10 --output "$work/cat" --format iceberg --catalog-uri= postgresql://u:Pa55word@h/db
[ "$rc" -eq 2 ] && ! grep -q Pa55word "$work/stderr" && pass "--catalog-uri= VALUE: refused, the password not echoed" ||
    fail "--catalog-uri= VALUE: refused, the password not echoed" "exit $rc: $(cat "$work/stderr")"
run generate alltypes --rows 10 --output s3://bkt/x --s3-key AK --s3-secret Sup3rSecretValue \
    --s3-endpoint http://user:Pa55word@127.0.0.1:9
expect "an endpoint with userinfo is refused" 2 "must not carry credentials"
grep -q Pa55word "$work/stderr" && fail "the endpoint password is not echoed" "$(cat "$work/stderr")" ||
    pass "the endpoint password is not echoed"
run generate alltypes --rows 10 --output s3://user:Pa55word@bkt/x --s3-key AK --s3-secret Sup3rSecretValue
expect "an S3 URI with userinfo is refused" 2 "carries no credentials"
grep -q Pa55word "$work/stderr" && fail "the URI password is not echoed" "$(cat "$work/stderr")" ||
    pass "the URI password is not echoed"

# ---- item 12: usage errors and stdout write errors ----
run info
if [ "$rc" -eq 2 ] && [ ! -s "$work/stdout" ] && grep -q usage "$work/stderr"; then
    pass "info without a dataset: usage on stderr, exit 2"
else
    fail "info without a dataset: usage on stderr, exit 2" "exit $rc"
fi
for cmd in list-datasets "info ecommerce" --help "generate --help"; do
    # shellcheck disable=SC2086
    "$DSG_BIN" $cmd >/dev/full 2>"$work/stderr"
    rc=$?
    expect "$cmd into /dev/full fails" 1 "cannot write to standard output"
done

# ---- item 13: a table without rows is written with its schema ----
run generate ecommerce --output "$work/zero" --n-customers 10 --n-products 5 --orders-mode range --orders-min 0 \
    --orders-max 0 --start 2024-01-01 --end 2024-01-03 --quiet
expect "zero orders: exit 0" 0 ""
for t in orders order_items; do
    f="$work/zero/$t/$t.parquet"
    if [ -f "$f" ] && [ "$(head -c 4 "$f")" = PAR1 ] && [ "$(tail -c 4 "$f")" = PAR1 ]; then
        pass "zero orders: $t/$t.parquet exists"
    else
        fail "zero orders: $t/$t.parquet exists" "$(find "$work/zero" -type f)"
    fi
done
py=${DSG_TESTENV:-$(cd "$(dirname "$0")/../.." && pwd)/build/testenv}/venv/bin/python
if [ -x "$py" ]; then
    if "$py" - "$work/zero" >"$work/py.out" 2>&1 <<'EOF'
import sys, pyarrow.parquet as pq, duckdb
root = sys.argv[1]
t = pq.read_table(f"{root}/orders/orders.parquet")
assert t.num_rows == 0 and t.schema.names[:3] == ["order_id", "customer_id", "order_date"], t.schema
n = duckdb.sql(f"select count(*) from read_parquet('{root}/order_items/**/*.parquet')").fetchone()[0]
assert n == 0, n
EOF
    then pass "zero orders: pyarrow and DuckDB read empty tables with their schema"
    else fail "zero orders: pyarrow and DuckDB read empty tables" "$(tail -n 3 "$work/py.out")"; fi
fi

# ---- item 14: memory does not grow with --threads beyond the cores ----
cores=$(nproc)
if [ -x /usr/bin/time ] && [ "$cores" -lt 16 ]; then
    rss() { # THREADS: peak resident kB of a run with at least 16 files
        rm -rf "$work/mem"
        /usr/bin/time -f %M -o "$work/rss" "$DSG_BIN" generate ecommerce --output "$work/mem" --n-customers 20000 \
            --n-products 2000 --orders-per-day 20000 --start 2024-01-01 --end 2024-01-20 --file-rows-target 40000 \
            --threads "$1" --quiet 2>/dev/null
        cat "$work/rss"
    }
    r_cores=$(rss "$cores")
    r_16=$(rss 16)
    if [ $((r_16 - r_cores)) -lt 16000 ]; then
        pass "peak memory at 16 threads ($r_16 kB) is that at $cores ($r_cores kB)"
    else
        fail "peak memory at 16 threads is that at $cores threads" "$r_16 kB against $r_cores kB"
    fi
fi

echo
echo "test_hardening: $failed failed"
[ "$failed" -eq 0 ]
