#!/usr/bin/env bash
# The ecommerce dataset read back by DuckDB and Polars: every invariant,
# the row counts implied by the options, the layout and the per-file row
# bound, for each partitioning scheme and each orders mode.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${DSG_BIN:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
common="--n-customers 3000 --n-products 400 --start 2024-01-30 --end 2024-03-02 --file-rows-target 700 --quiet"
# Exact per-day counts to check: the calendar off, except where a case
# turns it on (the CLI refuses an option given twice with different values).
flat="--orders-seasonality off"
days=33

run() { # name check-args... -- generate-args...
    local name=$1
    shift
    local check=()
    while [ "$1" != -- ]; do check+=("$1"); shift; done
    shift
    local out=$tmp/$name season=$flat
    case " $* " in *" --orders-seasonality "*) season= ;; esac
    "$DSG_BIN" generate ecommerce --output "$out" $common $season "$@"
    local rc=$?
    if [ "$rc" != 0 ]; then
        echo "FAIL $name: generate exited $rc"
        status=1
        return
    fi
    echo "== $name"
    node "$here/check_ecommerce.mjs" "$out" --file-rows-target 700 --n-customers 3000 --n-products 400 "${check[@]}" || status=1
    rm -rf "$out"
}

run fixed-ymd --partitioning ymd --orders $((days * 800)) -- --orders-per-day 800 --orders-partitioning ymd
run fixed-ym --partitioning ym --orders $((days * 800)) -- --orders-per-day 800 --orders-partitioning ym --compression zstd
run fixed-yearmonth --partitioning yearmonth --orders $((days * 800)) -- --orders-per-day 800 --orders-partitioning yearmonth --compression gzip
run range-ymd --partitioning ymd --min-per-day 300 --max-per-day 900 -- --orders-mode range --orders-min 300 --orders-max 900
run normal-ym --partitioning ym --min-per-day 650 --max-per-day 100000 -- --orders-mode normal --orders-mean 700 --orders-std 200 --orders-floor 650 --orders-partitioning ym
# The calendar on: counts vary around the mean (no exact count to check).
run seasonal-ym --partitioning ym --min-per-day 300 --max-per-day 3000 -- --orders-per-day 800 --orders-partitioning ym --orders-seasonality on
exit $status
