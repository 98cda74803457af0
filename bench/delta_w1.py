#!/usr/bin/env python3
"""W1 as a Delta Lake table beside W1 as plain Parquet (both ours, end to end:
generate, encode, compress, write, commit) and beside delta-rs writing the
same data from memory (deltalake.write_deltalake, the tables already loaded as
Arrow, so its figure excludes generation). Wall and CPU time (medians of RUNS
rounds; each round runs the three in turn, so that a busy machine slows them
alike) and bytes on disk. Run by hand, never as a test: timings are noisy.

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


def measure(fn):
    """(wall s, CPU s) of one call: our CLI's CPU through RUSAGE_CHILDREN,
    delta-rs's (threads included) through this process's CPU time."""
    import resource
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p0, t0 = time.process_time(), time.perf_counter()
    fn()
    wall = time.perf_counter() - t0
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - p0 + (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
    return wall, cpu


def ours(fmt):
    out = OUT / f"ours_{fmt}"

    def run():
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run([BIN, "generate", "ecommerce", *W1, "--format", fmt, "--output", str(out), "--quiet"],
                       check=True)
    return run, out


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
    return run, out, sum(t.num_rows for t in tables.values())


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    if not os.access(BIN, os.X_OK):
        sys.exit(f"{BIN} is not built (make)")
    import deltalake
    parquet_run, parquet_out = ours("parquet")
    parquet_run()  # warm-up, and the rows delta-rs gets in memory
    delta_run, delta_out = ours("delta")
    rs_run, rs_out, rows = delta_rs()
    delta_run()
    rs_run()
    cases = [(f"ours, plain Parquet ({THREADS} threads)", parquet_run, parquet_out),
             (f"ours, Delta Lake ({THREADS} threads)", delta_run, delta_out),
             (f"delta-rs {deltalake.__version__} write_deltalake, from memory", rs_run, rs_out)]
    samples = [[] for _ in cases]
    for _ in range(RUNS):
        for i, (_, fn, _) in enumerate(cases):
            samples[i].append(measure(fn))
    print(f"W1 ({rows:,} rows, snappy, {os.cpu_count()} cores, medians of {RUNS} rounds, "
          f"load average {os.getloadavg()[0]:.1f})")
    print(f"| {'what':<48} | {'wall s':>7} | {'CPU s':>7} | {'MB on disk':>10} |")
    print(f"|{'-' * 50}|{'-' * 9}|{'-' * 9}|{'-' * 12}|")
    res = []
    for (label, _, out), smp in zip(cases, samples):
        wall = statistics.median(w for w, _ in smp)
        cpu = statistics.median(c for _, c in smp)
        res.append((wall, cpu))
        print(f"| {label:<48} | {wall:7.3f} | {cpu:7.3f} | {size(out) / 1e6:10.1f} |")
    print(f"Delta / plain Parquet: {res[1][0] / res[0][0]:.2f}x wall, {res[1][1] / res[0][1]:.2f}x CPU; "
          f"delta-rs from memory / ours end to end: {res[2][0] / res[1][0]:.2f}x wall, "
          f"{res[2][1] / res[1][1]:.2f}x CPU")


if __name__ == "__main__":
    main()
