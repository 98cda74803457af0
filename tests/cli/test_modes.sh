#!/usr/bin/env bash
# tests/cli/test_modes.sh - --mode create|append|overwrite of plain Parquet
# (and JSONL), --overwrite as its alias, and the validation of the mode and
# catalog options: bad input exits 2 with one line and leaves the output
# exactly as it was.
#
#   DSG_BIN   the program under test
set -u
: "${DSG_BIN:?DSG_BIN must name the program under test}"
work=$(mktemp -d "${TMPDIR:-/tmp}/dsg-test-modes-XXXXXX")
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
out=$work/out
# the state of the output: every file with its size, mode and content hash
state() { (cd "$out" 2>/dev/null && find . -type f -printf '%p %s %m\n' | sort && find . -type f -exec sha256sum {} + | sort); }
small=(--n-customers 200 --n-products 50 --orders-per-day 40 --file-rows-target 30 --quiet)

expect_bad() { # WHAT PATTERN ARGS...: exit 2, one line matching, output unchanged
    local what=$1 pattern=$2
    shift 2
    local before
    before=$(state)
    run "$@"
    if [ "$rc" -ne 2 ]; then
        fail "$what" "exit $rc, not 2: $(head -n 3 "$work/stderr")"
    elif [ "$(wc -l <"$work/stderr")" -ne 1 ] || ! grep -Eq -- "$pattern" "$work/stderr"; then
        fail "$what" "stderr: $(head -n 3 "$work/stderr")"
    elif [ "$(state)" != "$before" ]; then
        fail "$what" "the output changed"
    else
        pass "$what ($(cat "$work/stderr"))"
    fi
}

count_orders() { find "$out/orders" -name '*.parquet' | wc -l; }

# ---- create ----
run generate ecommerce --output "$out" "${small[@]}" --start 2024-01-30 --end 2024-02-02
[ "$rc" -eq 0 ] && pass "create into a new directory" || fail "create into a new directory" "exit $rc: $(cat "$work/stderr")"
first=$(state)
expect_bad "create refuses a non-empty directory" 'not empty' generate ecommerce --output "$out" "${small[@]}"
expect_bad "--mode create refuses it too" 'not empty' generate ecommerce --output "$out" --mode create "${small[@]}"

# ---- validation ----
expect_bad "unknown mode" '--mode must be create, append or overwrite' generate ecommerce --output "$out" --mode merge "${small[@]}"
expect_bad "--overwrite contradicts --mode append" 'contradicts' generate ecommerce --output "$out" --overwrite --mode append "${small[@]}"
expect_bad "a catalog without a table format" 'needs a table format' generate ecommerce --output "$out" --mode append --catalog-uri sqlite:///tmp/x.db "${small[@]}"
expect_bad "catalog options without --catalog-uri" 'need --catalog-uri' generate ecommerce --output "$out" --catalog-namespace ns "${small[@]}"
for f in delta iceberg ducklake; do
    if ! "$DSG_BIN" list-formats | grep -qx "$f"; then
        expect_bad "--format $f is not in this build" "format '$f' is not available in this build" \
            generate ecommerce --output "$out" --format "$f" "${small[@]}"
    fi
done
expect_bad "unknown format" "unknown format 'csv'" generate ecommerce --output "$out" --format csv "${small[@]}"

# ---- append ----
expect_bad "append refuses to replace an existing file (same options)" 'never replaces a file.*already exists' \
    generate ecommerce --output "$out" --mode append "${small[@]}" --start 2024-01-30 --end 2024-02-02
expect_bad "append refuses when only one planned file exists (customers)" 'customers/part-00000.parquet already exists' \
    generate ecommerce --output "$out" --mode append "${small[@]}" --start 2024-02-03 --end 2024-02-04
before_orders=$(count_orders)
run generate ecommerce --output "$out" --mode append "${small[@]}" --start 2024-02-03 --end 2024-02-04 --tables orders,order_items
if [ "$rc" -ne 0 ]; then
    fail "append new days of orders and items" "exit $rc: $(cat "$work/stderr")"
else
    # every file of the first run is still there, unchanged
    missing=$(comm -23 <(echo "$first" | sort) <(state | sort))
    if [ -n "$missing" ]; then
        fail "append leaves every existing file as it was" "$missing"
    elif [ "$(count_orders)" -le "$before_orders" ] || [ ! -d "$out/orders/year=2024/month=02/day=04" ]; then
        fail "append adds the new partitions" "$(count_orders) order files"
    else
        pass "append adds new partitions and never touches existing files"
    fi
fi
# append into an empty place works like create
run generate alltypes --output "$work/fresh" --mode append --rows 100 --quiet
[ "$rc" -eq 0 ] && [ -f "$work/fresh/alltypes/alltypes.parquet" ] && pass "append into a new directory" ||
    fail "append into a new directory" "exit $rc: $(cat "$work/stderr")"
run generate alltypes --output "$work/fresh" --mode append --rows 100 --quiet --format jsonl
[ "$rc" -eq 0 ] && [ -f "$work/fresh/alltypes/alltypes.jsonl" ] && pass "append JSONL beside Parquet (other names)" ||
    fail "append JSONL beside Parquet" "exit $rc: $(cat "$work/stderr")"

# ---- overwrite ----
echo keep >"$out/README.keep"
run generate ecommerce --output "$out" --mode overwrite "${small[@]}" --start 2024-03-01 --end 2024-03-01
if [ "$rc" -eq 0 ] && [ ! -d "$out/orders/year=2024/month=01" ] && [ -d "$out/orders/year=2024/month=03" ] &&
    [ -f "$out/README.keep" ]; then
    pass "--mode overwrite replaces the tables and keeps other files"
else
    fail "--mode overwrite replaces the tables" "exit $rc: $(cat "$work/stderr")"
fi
run generate ecommerce --output "$out" --overwrite "${small[@]}" --start 2024-03-02 --end 2024-03-02
if [ "$rc" -eq 0 ] && [ ! -d "$out/orders/year=2024/month=03/day=01" ] && [ -d "$out/orders/year=2024/month=03/day=02" ]; then
    pass "--overwrite is --mode overwrite"
else
    fail "--overwrite is --mode overwrite" "exit $rc: $(cat "$work/stderr")"
fi
expect_bad "overwrite with --shard is refused" 'cannot be combined with --shard' \
    generate ecommerce --output "$out" --mode overwrite --shard 1/2 "${small[@]}"

# ---- table formats of this build: versions reported, modes, shards ----
for f in $("$DSG_BIN" list-formats | grep -Ev '^(parquet|jsonl)$'); do
    lake=$work/lake-$f
    cat=() shcat=() # DuckLake needs a catalog database
    if [ "$f" = ducklake ]; then
        cat=(--catalog-uri "sqlite:///$work/lake.sqlite")
        shcat=(--catalog-uri "sqlite:///$work/shards.sqlite")
    fi
    run generate ecommerce --output "$lake" --format "$f" "${cat[@]}" "${small[@]}" --summary-json "$work/s-$f.json"
    n=$(grep -o '"version":-\{0,1\}[0-9]*' "$work/s-$f.json" 2>/dev/null | wc -l)
    if [ "$rc" -eq 0 ] && grep -q "\"format\":\"$f\"" "$work/s-$f.json" && [ "$n" -eq 4 ]; then
        pass "$f: --summary-json reports the version of each of the 4 tables"
    else
        fail "$f: --summary-json reports versions" "exit $rc, $n versions: $(head -c 300 "$work/s-$f.json")"
    fi
    if find "$lake/orders" -name 'part-*.parquet' | grep -Evq '/part-[0-9]{5}-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.parquet$'; then
        fail "$f: data files are named part-NNNNN-<uuid>.parquet"
    else
        pass "$f: data files are named part-NNNNN-<uuid>.parquet"
    fi
    before=$(find "$lake" -type f | sort)
    run generate ecommerce --output "$lake" --format "$f" "${cat[@]}" "${small[@]}"
    if [ "$rc" -eq 2 ] && [ "$(find "$lake" -type f | sort)" = "$before" ]; then
        pass "$f: create on an existing table is refused, nothing written ($(cat "$work/stderr"))"
    else
        fail "$f: create on an existing table is refused" "exit $rc: $(cat "$work/stderr")"
    fi
    run generate ecommerce --output "$lake" --format "$f" "${cat[@]}" --mode append "${small[@]}"
    files2=$(find "$lake/orders" -name 'part-*.parquet' | wc -l)
    [ "$rc" -eq 0 ] && [ "$files2" -eq $(($(echo "$before" | grep -c '/orders/.*part-.*\.parquet$') * 2)) ] &&
        pass "$f: --mode append adds files beside the old ones" ||
        fail "$f: --mode append" "exit $rc, $files2 order files: $(cat "$work/stderr")"
    # two shards at once under --mode create: both commit (create-if-absent-else-append)
    "$DSG_BIN" generate ecommerce --output "$work/shards-$f" --format "$f" "${shcat[@]}" "${small[@]}" --shard 1/2 2>"$work/sh1" &
    p1=$!
    "$DSG_BIN" generate ecommerce --output "$work/shards-$f" --format "$f" "${shcat[@]}" "${small[@]}" --shard 2/2 2>"$work/sh2"
    r2=$?
    wait "$p1"
    r1=$?
    nsh=$(find "$work/shards-$f" -name 'part-*.parquet' | wc -l)
    nall=$(find "$lake" -name 'part-*.parquet' | wc -l)
    if [ "$r1" -eq 0 ] && [ "$r2" -eq 0 ] && [ $((nsh * 2)) -eq "$nall" ]; then
        pass "$f: two concurrent shards under --mode create both commit their files"
    else
        fail "$f: two concurrent shards" "exits $r1 $r2, $nsh files (single run: $((nall / 2))): $(cat "$work/sh1" "$work/sh2")"
    fi
done

[ "$failed" -eq 0 ] || exit 1
echo "mode checks passed"
