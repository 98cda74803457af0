"""W1 as Iceberg beside plain Parquet and beside pyiceberg, in one run.

  python bench/iceberg_w1.py [--bin build/dataset-generator] [--runs 5] [--out /tmp/dsg-bench-iceberg]

1. dataset-generator, W1 as plain Parquet (snappy, 2 threads);
2. dataset-generator, W1 as Iceberg tables committed to a SQLite catalog;
3. pyiceberg appending the same rows, already in memory as Arrow tables
   (read from run 1 before timing), to tables of the same schema and
   partitioning (month(order_date)) in a SQLite catalog, snappy Parquet.

Prints wall time (median of --runs), peak RSS of our runs, output size.
Needs the test environment's Python (pyiceberg, pyarrow): run it with
$DSG_TESTENV/venv/bin/python. Never part of the test suite.
"""
import argparse
import warnings
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

W1 = ["--n-customers", "100000", "--n-products", "10000", "--orders-per-day", "20000", "--start", "2024-01-01",
      "--end", "2024-03-31", "--orders-partitioning", "ym", "--file-rows-target", "250000",
      "--compression", "snappy", "--threads", "2", "--quiet"]
TABLES = ("customers", "products", "orders", "order_items")


def du(path):
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def timed(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {p.stderr}")
    return wall, int(p.stderr.strip().splitlines()[-1]) / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=str(Path(__file__).resolve().parents[1] / "build" / "dataset-generator"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", default="/tmp/dsg-bench-iceberg")
    a = ap.parse_args()
    warnings.filterwarnings("ignore")
    out = Path(a.out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    results = []

    # our two runs alternate (parquet, iceberg, parquet, ...) so that the
    # load of a shared machine weighs on both alike
    variants = [("dataset-generator parquet", lambda d: []),
                ("dataset-generator iceberg+sqlite",
                 lambda d: ["--format", "iceberg", "--catalog-uri", f"sqlite:///{d / 'catalog.db'}"])]
    walls = {v[0]: [] for v in variants}
    rss = {v[0]: [] for v in variants}
    last = {}
    for i in range(a.runs + 1):  # the first round warms up
        for k, (label, extra) in enumerate(variants):
            d = out / f"ours{k}-{i}"
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir()
            w, r = timed([a.bin, "generate", "ecommerce", "--output", str(d / "data"), *W1, *extra(d)])
            if i:
                walls[label].append(w)
                rss[label].append(r)
            last[label] = d
    for label, _ in variants:
        results.append((label, statistics.median(walls[label]), statistics.median(rss[label]),
                        du(last[label] / "data")))
    parquet = last[variants[0][0]]

    # pyiceberg: the same rows from memory
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyiceberg.catalog.sql import SqlCatalog
    from pyiceberg.transforms import MonthTransform
    data = {}
    for t in TABLES:
        files = sorted((parquet / "data" / t).rglob("*.parquet"))
        # file by file: no hive partition columns added, exactly the files' columns
        data[t] = pa.concat_tables([pq.ParquetFile(f).read() for f in files])
    walls = []
    for i in range(a.runs + 1):
        d = out / f"pyiceberg-{i}"
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir()
        cat = SqlCatalog("bench", uri=f"sqlite:///{d / 'catalog.db'}", warehouse=f"file://{d / 'wh'}")
        cat.create_namespace("default")
        t0 = time.perf_counter()
        for t in TABLES:
            schema = data[t].schema
            tab = cat.create_table(("default", t), schema=schema,
                                   properties={"write.parquet.compression-codec": "snappy",
                                               "write.target-file-size-bytes": str(512 << 20)})
            if "order_date" in schema.names:
                with tab.update_spec() as u:
                    u.add_field("order_date", MonthTransform(), "order_date_month")
            tab.append(data[t])
        w = time.perf_counter() - t0
        if i:
            walls.append(w)
        last = d
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.append(("pyiceberg append from memory", statistics.median(walls), rss, du(last / "wh")))

    print(f"W1 ({sum(data[t].num_rows for t in TABLES):,} rows), runs={a.runs}, {os.cpu_count()} cores")
    base = results[0][1]
    for label, wall, r, size in results:
        print(f"{label:36s} wall {wall:7.3f} s  ({wall / base:5.2f}x parquet)  peak RSS {r:7.1f} MiB  "
              f"output {size / 1e6:7.1f} MB")
    print("(pyiceberg's RSS is the whole Python process, data in memory included)")


if __name__ == "__main__":
    main()
