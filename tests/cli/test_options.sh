#!/usr/bin/env bash
# tests/cli/test_options.sh - the command line as a user meets it (issue 14,
# "The command line"): did-you-mean over the options of generate and of the
# dataset, short forms, flags, help, options that would be silently
# ignored, --dry-run, --summary-json - with resolved options and no secret,
# thousands separators and plurals.
#
#   DSG_BIN   the program under test
set -u
: "${DSG_BIN:?DSG_BIN must name the program under test}"
work=$(mktemp -d "${TMPDIR:-/tmp}/dsg-test-opt-XXXXXX")
trap 'rm -rf "$work"' EXIT
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
expect() { # WHAT CODE PATTERN (in stderr)
    if [ "$rc" -ne "$2" ]; then
        fail "$1" "exit $rc, not $2: $(head -c 300 "$work/stderr")"
    elif [ -n "$3" ] && ! grep -Eq -- "$3" "$work/stderr"; then
        fail "$1" "stderr does not match /$3/: $(head -c 300 "$work/stderr")"
    else
        pass "$1"
    fi
}
small=(--n-customers 50 --n-products 10 --orders-per-day 20 --start 2024-01-01 --end 2024-01-02)

# did you mean: general options, dataset options, S3 options
run generate ecommerce --ouput "$work/x" "${small[@]}"
expect "--ouput: did you mean --output?" 2 "unknown option --ouput; did you mean --output\?"
run generate ecommerce --output "$work/x" --n-customer 5
expect "--n-customer: did you mean --n-customers?" 2 "did you mean --n-customers\?"
run generate alltypes --output "$work/x" --rwos 5
expect "--rwos: did you mean --rows? (alltypes' own option)" 2 "did you mean --rows\?"
run generate ecommerce --output "$work/x" --s3-secert x
expect "--s3-secert: did you mean --s3-secret?" 2 "did you mean --s3-secret\?"
run generate ecommerce --output "$work/x" --zzzzzz 1
expect "an option like no other: no suggestion" 2 "unknown option --zzzzzz \(see generate --help\)"
[ ! -e "$work/x" ] && pass "nothing written for unknown options" || fail "nothing written for unknown options"

# flags and short forms
run generate ecommerce --output "$work/x" --quiet=yes
expect "a flag with a value is refused" 2 "--quiet is a flag and takes no value"
run generate ecommerce -o "$work/short" -q -j 2 "${small[@]}"
if [ "$rc" -eq 0 ] && [ ! -s "$work/stderr" ] && [ -f "$work/short/customers/customers.parquet" ]; then
    pass "-o DIR -q -j 2"
else
    fail "-o DIR -q -j 2" "exit $rc: $(head -c 200 "$work/stderr")"
fi
run generate ecommerce -x
expect "an unknown short option" 2 "unknown option '-x'"
run -V
[ "$rc" -eq 0 ] && grep -q "^dataset-generator [0-9]" "$work/stdout" && pass "-V prints the version" || fail "-V prints the version"
run -h
[ "$rc" -eq 0 ] && grep -q "help COMMAND" "$work/stdout" && pass "-h prints the usage" || fail "-h prints the usage"

# repeated options
run generate ecommerce --output "$work/r" --output "$work/r2" "${small[@]}"
expect "--output twice with different values" 2 "--output is given twice with different values"
run generate ecommerce --output "$work/r" "${small[@]}" --seed 1 --seed 2
expect "a dataset option twice with different values" 2 "--seed is given twice"
run generate alltypes --output s3://bkt/x --s3-key AK --s3-secret S3cretOne --s3-secret S3cretTwo
expect "a secret twice: refused" 2 "--s3-secret is given twice with different values$"
grep -q S3cret "$work/stderr" && fail "the repeated secret is not echoed" || pass "the repeated secret is not echoed"
run generate ecommerce --output "$work/same" "${small[@]}" --quiet --seed 3 --seed 3
expect "the same option twice with the same value is fine" 0 ""

# options that would be silently ignored
run generate ecommerce --output "$work/j" "${small[@]}" --format jsonl --compression zstd
expect "--compression with jsonl" 2 "--compression does not apply to --format jsonl"
run generate ecommerce --output "$work/j" "${small[@]}" --s3-region eu-west-1
expect "an S3 option with a local output" 2 "--s3-region applies to s3:// output only"
run generate ecommerce --output "$work/j" "${small[@]}" --orders-min 3
expect "--orders-min without --orders-mode range" 2 "--orders-min applies to --orders-mode range only"
run generate ecommerce --output "$work/j" "${small[@]}" --orders-mode range --orders-std 3
expect "--orders-std with --orders-mode range" 2 "--orders-std applies to --orders-mode normal only"
[ ! -e "$work/j" ] && pass "nothing written for ignored options" || fail "nothing written for ignored options"

# help
run help generate ecommerce
if [ "$rc" -eq 0 ] && grep -q -- "--output DIR" "$work/stdout" && grep -q -- "--start YYYY-MM-DD" "$work/stdout" &&
    grep -q -- "--n-customers N" "$work/stdout" && grep -q "(default 1000000)" "$work/stdout"; then
    pass "help generate ecommerce: options with placeholders and defaults"
else
    fail "help generate ecommerce" "$(head -c 300 "$work/stdout")"
fi
run generate weather --help
[ "$rc" -eq 0 ] && grep -q "options of dataset weather" "$work/stdout" && pass "generate DATASET --help" ||
    fail "generate DATASET --help"
run help clean
[ "$rc" -eq 0 ] && grep -q "clean DIR" "$work/stdout" && pass "help clean" || fail "help clean"
run help nosuch
expect "help of an unknown command" 2 "unknown command 'nosuch'"

# --dry-run: the plan, nothing written
run generate ecommerce --output "$work/dry" --n-customers 100000 --n-products 10000 --orders-per-day 20000 \
    --start 2024-01-01 --end 2024-03-31 --orders-partitioning ym --dry-run
if [ "$rc" -eq 0 ] && [ ! -e "$work/dry" ] &&
    grep -Eq "^  orders +3 partitions, [0-9]+ files, 1,[0-9]{3},[0-9]{3} rows, about [0-9.]+ MB" "$work/stdout" &&
    grep -Eq "^  customers +1 partition, 1 file, [0-9]{3},[0-9]{3} rows" "$work/stdout" &&
    grep -Eq "^total: 4 tables, [0-9]+ files, 6,[0-9]{3},[0-9]{3} rows" "$work/stdout"; then
    pass "--dry-run prints the W1 plan and writes nothing"
else
    fail "--dry-run prints the W1 plan and writes nothing" "exit $rc: $(cat "$work/stdout" "$work/stderr" | head -c 400)"
fi
# the plan's files are the files a run writes
"$DSG_BIN" generate ecommerce --output "$work/real" "${small[@]}" --file-rows-target 7 --quiet --summary-json "$work/real.json"
run generate ecommerce --output "$work/plan" "${small[@]}" --file-rows-target 7 --dry-run --summary-json "$work/plan.json"
extract() { tr ',' '\n' <"$1" | sed -n 's/.*"path":"\([^"]*\)".*/\1/p'; }
if [ "$rc" -eq 0 ] && [ -n "$(extract "$work/real.json")" ] && [ "$(extract "$work/real.json")" = "$(extract "$work/plan.json")" ]; then
    pass "--dry-run lists exactly the files a run writes"
else
    fail "--dry-run lists exactly the files a run writes"
fi

# summary line: thousands separators and plurals
run generate ecommerce --output "$work/line" --n-customers 1 --n-products 3 --orders-per-day 2 --start 2024-01-01 \
    --end 2024-01-01 --tables customers
expect "summary line in the singular" 0 "ecommerce: 1 table, 1 file, 1 row, "
run generate alltypes --output "$work/line2" --rows 12345
expect "summary line with a thousands separator" 0 "alltypes: 1 table, 1 file, 12,345 rows, "

# --summary-json - : stdout, with version, resolved options, per-table
# figures, the file list sorted by path; never a secret
run generate ecommerce --output "$work/sj" "${small[@]}" --quiet --summary-json - --file-rows-target 9
py=$(command -v python3)
if [ "$rc" -eq 0 ] && "$py" - "$work/stdout" <<'EOF'; then
import json, sys
s = json.load(open(sys.argv[1]))
assert s["generator"].startswith("dataset-generator ") and s["dataset"] == "ecommerce", s
o = s["options"]
assert o["format"] == "parquet" and o["compression"] == "snappy" and o["file-rows-target"] == 9, o
assert o["n-customers"] == "50" and o["seed"] == "42" and o["threads"] >= 1, o
paths = [f["path"] for f in s["file_list"]]
assert paths == sorted(paths) and len(paths) == s["files"], paths
t = s["table_stats"]
assert sum(v["rows"] for v in t.values()) == s["rows"] and t["customers"]["rows"] >= 50, t
EOF
    pass "--summary-json - on stdout: version, options, per-table figures, sorted files"
else
    fail "--summary-json - on stdout" "exit $rc: $(head -c 300 "$work/stdout")"
fi
run generate alltypes --rows 10 --output s3://bkt/x --s3-key AK --s3-secret Sup3rSecret --s3-endpoint http://127.0.0.1:1 \
    --dry-run --summary-json -
if [ "$rc" -eq 0 ] && grep -q '"s3-endpoint"' "$work/stdout" && ! grep -q -e Sup3rSecret -e '"AK"' "$work/stdout"; then
    pass "the summary of an S3 run names the endpoint, never the credentials"
else
    fail "the summary of an S3 run names the endpoint, never the credentials" "exit $rc: $(head -c 300 "$work/stdout" "$work/stderr")"
fi

echo
echo "test_options: $failed failed"
[ "$failed" -eq 0 ]
