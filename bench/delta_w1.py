#!/usr/bin/env python3
"""W1 as a Delta Lake table beside W1 as plain Parquet (both ours, end to end:
generate, encode, compress, write, commit) and beside delta-rs writing the
same data from memory (deltalake.write_deltalake, the tables already loaded as
Arrow, so its figure excludes generation). Wall time (median of RUNS) and
bytes on disk. Run by hand, never as a test: timings are noisy.

    DSG_TESTENV=/work/testenv $DSG_TESTENV/venv/bin/python bench/delta_w1.py
    RUNS=1 THREADS=2 BENCH_DIR=/tmp/dsg-bench-delta python bench/delta_w1.py
"""
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

REPO = Path(__file__).resolve().parents[1]
BIN = os.environ.get("DSG_BIN", str(REPO / "build" / "dataset-generator"))
RUNS = int(os.environ.get("RUNS", "3"))
THREADS = os.environ.get("THREADS", "2")
OUT = Path(os.environ.get("BENCH_DIR", "/tmp/dsg-bench-delta"))
W1 = ["--n-customers", "100000", "--n-products", "10000", "--orders-per-day", "20000", "--start", "2024-01-01",
      "--end", "2024-03-31", "--orders-partitioning", "ym", "--file-rows-target", "250000",
      "--compression", "snappy", "--threads", THREADS]
TABLES = ["customers", "products", "orders", "order_items"]


def size(path):
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def timed(fn):
    fn()  # warm-up
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def ours(fmt):
    out = OUT / f"ours_{fmt}"

    def run():
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run([BIN, "generate", "ecommerce", *W1, "--format", fmt, "--output", str(out), "--quiet"],
                       check=True)
    return timed(run), size(out)


def delta_rs():
    from deltalake import WriterProperties, write_deltalake
    # the same rows in memory, with the partition columns as Delta columns
    src = OUT / "ours_parquet"
    tables = {}
    for t in TABLES:
        table = ds.dataset(src / t, format="parquet", partitioning=None).to_table()
        if t in ("orders", "order_items"):
            d = table.column("order_date")
            table = table.append_column("year", pc.year(d).cast(pa.int32()))
            table = table.append_column("month", pc.month(d).cast(pa.int32()))
        tables[t] = table
    out = OUT / "delta_rs"
    props = WriterProperties(compression="SNAPPY")

    def run():
        shutil.rmtree(out, ignore_errors=True)
        for t, table in tables.items():
            write_deltalake(str(out / t), table, partition_by=["year", "month"] if "year" in table.column_names else None,
                            writer_properties=props)
    rows = sum(t.num_rows for t in tables.values())
    return timed(run), size(out), rows


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    if not os.access(BIN, os.X_OK):
        sys.exit(f"{BIN} is not built (make)")
    import deltalake
    results = []
    t, b = ours("parquet")
    results.append((f"ours, plain Parquet ({THREADS} threads)", t, b))
    t, b = ours("delta")
    results.append((f"ours, Delta Lake ({THREADS} threads)", t, b))
    t, b, rows = delta_rs()
    results.append((f"delta-rs {deltalake.__version__} write_deltalake, from memory", t, b))
    print(f"W1 ({rows:,} rows, snappy, {os.cpu_count()} cores, median of {RUNS})")
    print(f"| {'what':<48} | {'wall s':>7} | {'MB on disk':>10} |")
    print(f"|{'-' * 50}|{'-' * 9}|{'-' * 12}|")
    for label, t, b in results:
        print(f"| {label:<48} | {t:7.3f} | {b / 1e6:10.1f} |")
    base = results[0][1]
    print(f"Delta over plain Parquet: {results[1][1] / base:.2f}x the time; "
          f"delta-rs from memory / ours end to end: {results[2][1] / results[1][1]:.2f}x")


if __name__ == "__main__":
    main()
