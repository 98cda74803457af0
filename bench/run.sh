#!/usr/bin/env bash
# W1 benchmark: dataset-generator beside DuckDB (generate in SQL + COPY to
# Parquet, end to end) and Polars (write the same data from memory), in one
# run, on this machine. Prints wall and CPU seconds, peak RSS, output bytes
# and ratios. Never part of the test suite: timings here are noisy.
#
#   bash bench/run.sh                  all codecs, RUNS=3
#   RUNS=1 CODECS=snappy bash bench/run.sh
#   PEERS=/path/to/shared/bench/peers  where the peer scripts live
#   SKIP_PEERS=1                       our figures only
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
BIN=${DSG_BIN:-$repo/build/dataset-generator}
PEERS=${PEERS:-$repo/../shared/bench/peers}
RUNS=${RUNS:-3}
CODECS=${CODECS:-snappy zstd gzip brotli}
OUT=${BENCH_DIR:-/tmp/dsg-bench}
export PEER_TOOLS=${PEER_TOOLS:-$repo/tests/interop}
mkdir -p "$OUT"
RES=$OUT/results.txt
: >"$RES"

W1="--n-customers 100000 --n-products 10000 --orders-per-day 20000 --start 2024-01-01 --end 2024-03-31 --orders-partitioning ym --file-rows-target 250000"
# Ten times W1: ten times the orders per day, customers and products.
W10="--n-customers 1000000 --n-products 100000 --orders-per-day 200000 --start 2024-01-01 --end 2024-03-31 --orders-partitioning ym --file-rows-target 250000"

# measure LABEL CMD...: median of RUNS after one warm-up; sets WALL CPU RSS
measure() {
    local label=$1
    shift
    local tmp
    tmp=$(mktemp)
    "$@" >/dev/null 2>&1
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f '%e %U %S %M' -a -o "$tmp" "$@" >/dev/null 2>&1
    done
    med() { awk "{print $1}" "$tmp" | sort -g | awk '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%.3f", m}'; }
    WALL=$(med '$1')
    CPU=$(med '$2+$3')
    RSS=$(med '$4/1024')
    rm -f "$tmp"
    printf '%-34s wall %7.3f s  cpu %7.3f s  peak RSS %7.1f MiB\n' "$label" "$WALL" "$CPU" "$RSS" | tee -a "$RES"
}

dir_mb() { du -sb "$1" | awk '{printf "%.1f", $1/1e6}'; }

declare -A OURS OURS1 DUCK POL
echo "== dataset-generator, W1 (runs=$RUNS, $(nproc) cores)" | tee -a "$RES"
for c in $CODECS; do
    measure "ours $c 2 threads" "$BIN" generate ecommerce $W1 --compression "$c" --threads 2 --output "$OUT/ours_$c" --overwrite --quiet
    OURS[$c]=$WALL
    [ "$c" = snappy ] && W1_RSS=$RSS
    echo "   output $(dir_mb "$OUT/ours_$c") MB" | tee -a "$RES"
done
measure "ours snappy 1 thread" "$BIN" generate ecommerce $W1 --compression snappy --threads 1 --output "$OUT/ours_t1" --overwrite --quiet
OURS1[snappy]=$WALL
echo "   scaling 1 -> 2 threads: $(awk -v a="$WALL" -v b="${OURS[snappy]:-$WALL}" 'BEGIN{printf "%.2fx", a/b}')" | tee -a "$RES"
measure "ours snappy 10x W1, 2 threads" "$BIN" generate ecommerce $W10 --compression snappy --threads 2 --output "$OUT/ours_w10" --overwrite --quiet
echo "   output $(dir_mb "$OUT/ours_w10") MB; peak RSS, snappy, 2 threads: W1 ${W1_RSS:-?} MiB, 10x W1 $RSS MiB" | tee -a "$RES"
rm -rf "$OUT/ours_w10" "$OUT/ours_t1"

if [ -n "${SKIP_PEERS:-}" ] || [ ! -f "$PEERS/duckdb_w1.mjs" ] || [ ! -d "$PEER_TOOLS/node_modules/@duckdb" ]; then
    echo "(peers skipped: need $PEERS and the npm readers in $PEER_TOOLS/node_modules)" | tee -a "$RES"
    exit 0
fi
echo "== DuckDB end to end (generate + COPY), 2 threads" | tee -a "$RES"
for c in $CODECS; do
    [ "$c" = brotli ] && continue # DuckDB's brotli runs at maximum quality: minutes
    measure "duckdb $c" node "$PEERS/duckdb_w1.mjs" e2e --out "$OUT/duck_$c" --codec "$c" --threads 2
    DUCK[$c]=$WALL
    echo "   output $(dir_mb "$OUT/duck_$c") MB" | tee -a "$RES"
    rm -rf "$OUT/duck_$c"
done
echo "== Polars writer only (data already in memory), 2 threads" | tee -a "$RES"
node "$PEERS/duckdb_w1.mjs" source --out "$OUT/src" >/dev/null
codec_list=$(echo $CODECS | tr ' ' ',')
POLARS_MAX_THREADS=2 node "$PEERS/polars_w1.mjs" --src "$OUT/src" --out "$OUT/pw" --codecs "$codec_list" --reps "$RUNS" \
    | grep SUMMARY >"$OUT/polars.log"
tee -a "$RES" <"$OUT/polars.log"
while read -r _ _ _ codec _ _ med _; do echo "$codec $med"; done <"$OUT/polars.log" >"$OUT/polars.txt"
while read -r codec med; do POL[$codec]=$med; done <"$OUT/polars.txt"
rm -rf "$OUT/src" "$OUT/pw"

echo "== ratios (peer time / our time; above 1 means we are faster)" | tee -a "$RES"
for c in $CODECS; do
    printf '%-8s ours %6.3f s | DuckDB e2e %6s s -> %6s x | Polars write-only %6s s -> %6s x\n' "$c" "${OURS[$c]}" \
        "${DUCK[$c]:--}" "$([ -n "${DUCK[$c]:-}" ] && awk -v a="${DUCK[$c]}" -v b="${OURS[$c]}" 'BEGIN{printf "%.2f", a/b}' || echo -)" \
        "${POL[$c]:--}" "$([ -n "${POL[$c]:-}" ] && awk -v a="${POL[$c]}" -v b="${OURS[$c]}" 'BEGIN{printf "%.2f", a/b}' || echo -)" | tee -a "$RES"
done
echo "results: $RES"
