#!/usr/bin/env bash
# Same seed and options, same bytes: for 1, 2 and 8 threads, and for one run
# against the union of 4 shards run concurrently into one directory, for
# every partitioning scheme; a different seed gives different bytes.
set -u
: "${DSG_BIN:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }
small="--n-customers 2500 --n-products 300 --orders-per-day 400 --start 2024-02-20 --end 2024-03-10 --file-rows-target 900 --quiet"

for scheme in ymd ym yearmonth; do
    "$DSG_BIN" generate ecommerce --output "$tmp/t1" $small --orders-partitioning "$scheme" --threads 1 || bad "$scheme: run failed"
    for t in 2 8; do
        "$DSG_BIN" generate ecommerce --output "$tmp/t$t" $small --orders-partitioning "$scheme" --threads "$t" || bad "$scheme: run failed"
        if diff -r "$tmp/t1" "$tmp/t$t" >/dev/null; then ok "$scheme: --threads 1 and $t write identical files"; else bad "$scheme: --threads $t differs"; fi
    done
    pids=()
    for k in 1 2 3 4; do
        "$DSG_BIN" generate ecommerce --output "$tmp/shards" $small --orders-partitioning "$scheme" --shard "$k/4" --threads 2 &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || bad "$scheme: a shard failed"; done
    if diff -r "$tmp/t1" "$tmp/shards" >/dev/null; then ok "$scheme: 4 concurrent shards = one run"; else bad "$scheme: shards differ from one run"; fi
    n1=$(find "$tmp/t1" -type f | wc -l)
    [ "$n1" -gt 8 ] && ok "$scheme: $n1 files compared" || bad "$scheme: too few files ($n1) to prove anything"
    rm -rf "$tmp/t1" "$tmp/t2" "$tmp/t8" "$tmp/shards"
done

# each shard writes only its own files
for k in 1 2; do
    "$DSG_BIN" generate ecommerce --output "$tmp/s$k" $small --shard "$k/2"
done
both=$(comm -12 <(cd "$tmp/s1" && find . -type f | sort) <(cd "$tmp/s2" && find . -type f | sort) | wc -l)
[ "$both" -eq 0 ] && ok "shards write disjoint files" || bad "$both files written by both shards"

SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=2 "$DSG_BIN" generate ecommerce --output "$tmp/auto" $small --shard auto
if diff -r "$tmp/s2" "$tmp/auto" >/dev/null; then ok "--shard auto reads Slurm's variables"; else bad "--shard auto differs from --shard 2/2"; fi
JOB_COMPLETION_INDEX=0 DSG_SHARD_COUNT=2 "$DSG_BIN" generate ecommerce --output "$tmp/k8s" $small --shard auto
if diff -r "$tmp/s1" "$tmp/k8s" >/dev/null; then ok "--shard auto reads Kubernetes' index"; else bad "--shard auto (Kubernetes) differs from --shard 1/2"; fi

"$DSG_BIN" generate ecommerce --output "$tmp/a" $small --seed 7
"$DSG_BIN" generate ecommerce --output "$tmp/b" $small --seed 7
"$DSG_BIN" generate ecommerce --output "$tmp/c" $small --seed 8
if diff -r "$tmp/a" "$tmp/b" >/dev/null; then ok "same seed, same bytes"; else bad "same seed gave different bytes"; fi
if ! cmp -s "$tmp/a/orders/year=2024/month=03/day=01/part-00000.parquet" "$tmp/c/orders/year=2024/month=03/day=01/part-00000.parquet"; then
    ok "different seed, different bytes"
else
    bad "different seeds gave identical orders"
fi
mkdir -p "$tmp/keep" && echo keep >"$tmp/keep/other.txt"
"$DSG_BIN" generate ecommerce --output "$tmp/keep" $small --shard 1/2 --overwrite 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ "$(ls "$tmp/keep")" = other.txt ] &&
    ok "--overwrite with --shard refused, nothing touched" || bad "--overwrite with --shard: exit $rc"

echo "determinism: $fails failed"
[ "$fails" -eq 0 ]
