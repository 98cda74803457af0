#!/usr/bin/env python3
"""W1 as a DuckLake (ours, SQLite catalog) beside W1 as plain Parquet (ours),
both end to end (generate, encode, compress, write, commit), and beside DuckDB
writing the same rows into a DuckLake itself: the four tables already loaded
into DuckDB's memory from our Parquet output (not timed), then
CREATE TABLE lake.t + INSERT (orders and order_items partitioned by
year/month of order_date, as ours) into a fresh SQLite-catalog lake, with the
same thread count. Medians of RUNS rounds, each round running the three in
turn. Run by hand, never as a test: timings are noisy.

    DSG_TESTENV=/work/testenv $DSG_TESTENV/venv/bin/python bench/ducklake_w1.py
    RUNS=1 THREADS=2 BENCH_DIR=/tmp/dsg-bench-ducklake python bench/ducklake_w1.py
"""
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "python"))
BIN = os.environ.get("DSG_BIN", str(REPO / "build" / "dataset-generator"))
RUNS = int(os.environ.get("RUNS", "3"))
THREADS = os.environ.get("THREADS", "2")
OUT = Path(os.environ.get("BENCH_DIR", "/tmp/dsg-bench-ducklake"))
W1 = ["--n-customers", "100000", "--n-products", "10000", "--orders-per-day", "20000", "--start", "2024-01-01",
      "--end", "2024-03-31", "--orders-partitioning", "ym", "--file-rows-target", "250000",
      "--compression", "snappy", "--threads", THREADS]
TABLES = ["customers", "products", "orders", "order_items"]


def size(path):
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def measure(fn):
    """(wall s, CPU s): children's CPU for our CLI, this process's for DuckDB."""
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p0, t0 = time.process_time(), time.perf_counter()
    fn()
    wall = time.perf_counter() - t0
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, time.process_time() - p0 + (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)


def ours(fmt):
    out = OUT / f"ours_{fmt}"

    def run():
        shutil.rmtree(out, ignore_errors=True)
        extra = ["--catalog-uri", f"sqlite:///{out}/lake.sqlite"] if fmt == "ducklake" else []
        subprocess.run([BIN, "generate", "ecommerce", *W1, "--format", fmt, "--output", str(out / "data"),
                        *extra, "--quiet"], check=True)
    return run, out


def duckdb_lake():
    from readers import duckdb_connect
    con = duckdb_connect("ducklake", "sqlite_scanner")
    con.execute(f"SET threads = {THREADS}")
    src = OUT / "ours_parquet" / "data"
    rows = 0
    for t in TABLES:
        con.execute(f"CREATE TABLE mem_{t} AS SELECT * FROM read_parquet('{src}/{t}/**/*.parquet', "
                    "hive_partitioning = false)")
        rows += con.execute(f"SELECT count(*) FROM mem_{t}").fetchone()[0]
    out = OUT / "duckdb"

    def run():
        con.execute("DETACH DATABASE IF EXISTS lake")
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        con.execute(f"ATTACH 'ducklake:sqlite:{out}/lake.sqlite' AS lake (DATA_PATH '{out}/data/')")
        con.execute("BEGIN")
        for t in TABLES:
            con.execute(f"CREATE TABLE lake.{t} AS SELECT * FROM mem_{t} LIMIT 0")
            if t in ("orders", "order_items"):
                con.execute(f"ALTER TABLE lake.{t} SET PARTITIONED BY (year(order_date), month(order_date))")
            con.execute(f"INSERT INTO lake.{t} SELECT * FROM mem_{t}")
        con.execute("COMMIT")
    return run, out, rows


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    if not os.access(BIN, os.X_OK):
        sys.exit(f"{BIN} is not built (make)")
    import duckdb
    parquet_run, parquet_out = ours("parquet")
    parquet_run()  # warm-up, and the rows DuckDB gets in memory
    lake_run, lake_out = ours("ducklake")
    duck_run, duck_out, rows = duckdb_lake()
    lake_run()
    duck_run()
    cases = [(f"ours, plain Parquet ({THREADS} threads)", parquet_run, parquet_out),
             (f"ours, DuckLake, SQLite catalog ({THREADS} threads)", lake_run, lake_out),
             (f"DuckDB {duckdb.__version__} into a DuckLake, from memory", duck_run, duck_out)]
    samples = [[] for _ in cases]
    for _ in range(RUNS):
        for i, (_, fn, _) in enumerate(cases):
            samples[i].append(measure(fn))
    print(f"W1 ({rows:,} rows, snappy, {os.cpu_count()} cores, medians of {RUNS} rounds, "
          f"load average {os.getloadavg()[0]:.1f})")
    print(f"| {'what':<50} | {'wall s':>7} | {'CPU s':>7} | {'MB on disk':>10} |")
    print(f"|{'-' * 52}|{'-' * 9}|{'-' * 9}|{'-' * 12}|")
    res = []
    for (label, _, out), smp in zip(cases, samples):
        wall = statistics.median(w for w, _ in smp)
        cpu = statistics.median(c for _, c in smp)
        res.append((wall, cpu))
        print(f"| {label:<50} | {wall:7.3f} | {cpu:7.3f} | {size(out) / 1e6:10.1f} |")
    print(f"DuckLake / plain Parquet: {res[1][0] / res[0][0]:.2f}x wall; "
          f"DuckDB from memory / ours end to end: {res[2][0] / res[1][0]:.2f}x wall, "
          f"{res[2][1] / res[1][1]:.2f}x CPU")


if __name__ == "__main__":
    main()
