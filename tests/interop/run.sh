#!/usr/bin/env bash
# Interop tests: dataset-generator's Parquet files read by DuckDB, Polars,
# arrow-rs (parquet-wasm) and hyparquet, compared value by value with the
# JSONL output of the same rows; their footers checked through DuckDB and
# their page indexes through hyparquet.
#
#   DSG_BIN=build/dataset-generator bash tests/interop/run.sh
#   bash tests/interop/run.sh --self-test     (the checkers against fixtures)
#
# Matrix: alltypes, 3000 rows in row groups of 1000, for each codec (none
# snappy gzip zstd brotli lz4_raw), checked by all four readers, by
# check_stats and by check_pageindex; then 200000 rows, snappy, default row
# groups, checked by DuckDB and Polars, check_stats and check_pageindex. Installs nothing: the readers come
# from tests/interop/node_modules (npm install --prefix tests/interop --no-save).
# DSG_INTEROP_KEEP=1 keeps the scratch directory.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

command -v node >/dev/null || { echo "interop: node is not installed" >&2; exit 1; }
missing=$(cd "$here" && node -e '
  const fs = require("fs");
  const deps = Object.keys(require("./package.json").dependencies);
  console.log(deps.filter((d) => !fs.existsSync(`node_modules/${d}/package.json`)).join(" "));')
if [ -n "$missing" ]; then
    echo "interop: missing in $here/node_modules: $missing" >&2
    echo "interop: install them with: npm install --prefix tests/interop --no-save" >&2
    exit 1
fi

if [ "${1:-}" = "--self-test" ]; then
    exec node "$here/self_test.mjs"
fi

if [ -z "${DSG_BIN:-}" ] || [ ! -x "${DSG_BIN}" ]; then
    echo "interop: set DSG_BIN to the dataset-generator program (got '${DSG_BIN:-}')" >&2
    exit 1
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/dsg-interop.XXXXXX")
if [ "${DSG_INTEROP_KEEP:-0}" = 1 ]; then
    echo "interop: scratch directory $scratch kept"
else
    trap 'rm -rf "$scratch"' EXIT
fi

passed=0
failed=0
SEED=42

# check NAME COMMAND...: runs one check, shows its output indented, counts
# it; returns its status.
check() {
    local name=$1 status=0
    shift
    "$@" >"$scratch/out" 2>&1 || status=$?
    if [ "$status" = 0 ]; then
        passed=$((passed + 1))
        echo "ok   $name"
    else
        failed=$((failed + 1))
        echo "FAIL $name (exit $status)"
    fi
    sed 's/^/    /' "$scratch/out"
    return "$status"
}

# generate DIR ROWS ARGS...: writes ROWS rows of alltypes as Parquet (with
# the Parquet options ARGS) into DIR/parquet and as JSONL into DIR/jsonl
# (the CLI refuses Parquet-only options with --format jsonl).
generate() {
    local dir=$1 rows=$2
    shift 2
    "$DSG_BIN" generate alltypes --output "$dir/parquet" --seed "$SEED" --rows "$rows" "$@" &&
        "$DSG_BIN" generate alltypes --output "$dir/jsonl" --seed "$SEED" --rows "$rows" --format jsonl
}

# run_case NAME CODEC READERS ROWS [ROW_GROUP_ROWS]
run_case() {
    local name=$1 codec=$2 readers=$3 rows=$4 rg=${5:-}
    local dir="$scratch/$name"
    local pq="$dir/parquet/alltypes/alltypes.parquet" jl="$dir/jsonl/alltypes/alltypes.jsonl"
    local gen_args=(--compression "$codec") stats_args=(--codec "$codec")
    if [ -n "$rg" ]; then
        gen_args+=(--row-group-rows "$rg")
        stats_args+=(--row-group-rows "$rg")
    fi
    check "$name: generate" generate "$dir" "$rows" "${gen_args[@]}" || return
    check "$name: values ($readers)" node "$here/check_values.mjs" "$pq" "$jl" --readers "$readers"
    check "$name: footer" node "$here/check_stats.mjs" "$pq" "$jl" "${stats_args[@]}"
    check "$name: page index" node "$here/check_pageindex.mjs" "$pq" "$jl"
}

for codec in none snappy gzip zstd brotli lz4_raw; do
    run_case "$codec" "$codec" duckdb,polars,parquet-wasm,hyparquet 3000 1000
done
run_case large snappy duckdb,polars 200000

echo "interop: $passed passed, $failed failed"
[ "$failed" = 0 ]
