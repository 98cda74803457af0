#!/usr/bin/env bash
# The generated values themselves, pinned: SHA-256 of the JSONL output of
# small runs of every dataset against tests/golden/values.sha256.
# JSONL (not Parquet) because Parquet bytes also carry the build in
# created_by and the codec libraries' output. A mismatch means the data
# changed: a bug, a machine that computes differently (see common/dmath.h),
# or a deliberate change of a generator, after which the golden file is
# regenerated with DSG_GOLDEN_UPDATE=1 and the change noted in the commit.
set -u
: "${DSG_BIN:?}"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
golden=$here/../golden/values.sha256
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$DSG_BIN" generate ecommerce --format jsonl --output "$tmp/data/e" --quiet --n-customers 3000 --n-products 500 \
    --orders-per-day 300 --start 2024-02-27 --end 2024-03-02 --file-rows-target 100000 --seed 11 || exit 1
"$DSG_BIN" generate ecommerce --format jsonl --output "$tmp/data/n" --quiet --n-customers 100 --n-products 50 \
    --orders-mode normal --orders-mean 200 --orders-std 60 --start 2024-01-01 --end 2024-01-20 --orders-partitioning ym || exit 1
"$DSG_BIN" generate weather --format jsonl --output "$tmp/data/w" --quiet --locations 6 --start 2024-02-27 --end 2024-03-03 \
    --hourly-partitioning ymd --storm-rate 0.3 || exit 1
"$DSG_BIN" generate sensors --format jsonl --output "$tmp/data/s" --quiet --n-devices 5 --start 2024-02-28 --end 2024-02-29 \
    --partitioning ymd --missing-probability 0.05 --anomaly-probability 0.05 || exit 1
"$DSG_BIN" generate market_ohlcv --format jsonl --output "$tmp/data/o" --quiet --symbols AAA,BBB --freq 5m --start 2024-02-26 \
    --end 2024-03-01 --partitioning ymd || exit 1
"$DSG_BIN" generate market_quotes --format jsonl --output "$tmp/data/q" --quiet --symbols AAA,BBB --start 2024-02-28 \
    --end 2024-02-29 --partitioning ymd --quotes-per-minute 2 || exit 1
"$DSG_BIN" generate alltypes --format jsonl --output "$tmp/data/a" --quiet --rows 5000 --seed 5 || exit 1
(cd "$tmp/data" && find . -type f | sort | xargs sha256sum) >"$tmp/sums"
if [ -n "${DSG_GOLDEN_UPDATE:-}" ]; then
    cp "$tmp/sums" "$golden"
    echo "updated $golden"
    exit 0
fi
if diff "$golden" "$tmp/sums"; then
    echo "golden: $(wc -l <"$golden") files with the pinned values"
else
    echo "FAIL generated values differ from $golden (lines above: < pinned, > now)"
    exit 1
fi
