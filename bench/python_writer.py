#!/usr/bin/env python3
"""The Python writer beside the peers, run by hand (not a test):

    pip install .            # the package under test
    python bench/python_writer.py [--repeat 3] [--out /tmp/dsg-pybench]

1. W1's four tables (100k customers, 10k products, 20k orders a day over
   2024-01-01..2024-03-31: about 6.8 million rows), already in memory as a
   pyarrow Table and as a Polars DataFrame, written as one Parquet file per
   table with 131,072-row row groups, snappy and zstd, by:
     ours (pyarrow input), ours (Polars input), pyarrow.parquet.write_table,
     polars.DataFrame.write_parquet, DuckDB COPY ... TO (from the Arrow table).
   Each (writer, codec) runs in a fresh process: wall time (median of
   --repeat), peak RSS added by the write (MiB), output bytes.
2. write_dataset(create_generator("ecommerce", W1), create_writer("parquet"))
   against the CLI with the same options (median wall time).
Prints a Markdown table with ratios against ours.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

W1 = dict(n_customers=100_000, n_products=10_000, orders_per_day=20_000, start="2024-01-01", end="2024-03-31",
          orders_partitioning="ym")

CHILD = r'''
import json, os, resource, shutil, statistics, sys, time
import pyarrow as pa
import dataset_generator as dg
method, codec, out, repeat = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
W1 = json.loads(sys.argv[5])
gen = dg.create_generator("ecommerce", **W1)
tables = {t: pa.Table.from_batches([pa.record_batch(b) for b in gen.batches_for(t, 131072)]) for t in gen.tables()}
if method in ("ours-polars", "polars"):
    import polars as pl
    frames = {t: pl.from_arrow(tb) for t, tb in tables.items()}
if method == "duckdb":
    import duckdb
    con = duckdb.connect()
    con.execute("SET threads = %d" % (os.cpu_count() or 1))
    for t, tb in tables.items():
        con.register(t, tb)
import gc; gc.collect()

def rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

def write(dst):
    if method == "ours-arrow" or method == "ours-polars":
        w = dg.create_writer("parquet", dst, options=dg.WriterOptions(compression=codec, file_rows_target=10**9,
                                                                     row_group_rows=131072))
        src = tables if method == "ours-arrow" else frames
        for t, x in src.items():
            w.write(t, x)
    elif method == "pyarrow":
        import pyarrow.parquet as pq
        for t, tb in tables.items():
            os.makedirs(os.path.join(dst, t), exist_ok=True)
            pq.write_table(tb, os.path.join(dst, t, "part-00000.parquet"), compression=codec, row_group_size=131072)
    elif method == "polars":
        for t, df in frames.items():
            os.makedirs(os.path.join(dst, t), exist_ok=True)
            df.write_parquet(os.path.join(dst, t, "part-00000.parquet"), compression=codec, row_group_size=131072)
    elif method == "duckdb":
        for t in tables:
            os.makedirs(os.path.join(dst, t), exist_ok=True)
            con.execute("COPY (SELECT * FROM %s) TO '%s' (FORMAT parquet, COMPRESSION %s, ROW_GROUP_SIZE 131072)"
                        % (t, os.path.join(dst, t, "part-00000.parquet"), codec))

base = rss_mib()
peak0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
times = []
cpus = []
size = 0
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
for i in range(repeat):
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    c0 = cpu()
    t0 = time.perf_counter()
    write(out)
    times.append(time.perf_counter() - t0)
    cpus.append(cpu() - c0)
    size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(out) for f in fs)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
shutil.rmtree(out, ignore_errors=True)
print(json.dumps({"seconds": statistics.median(times), "cpu": statistics.median(cpus), "rss_added": max(0.0, peak - max(base, peak0)),
                  "bytes": size, "rows": sum(tb.num_rows for tb in tables.values())}))
'''


def run_child(method, codec, out, repeat):
    p = subprocess.run([sys.executable, "-c", CHILD, method, codec, out, str(repeat), json.dumps(W1)],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("%s %s failed:\n%s" % (method, codec, p.stderr))
    return json.loads(p.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "dsg-pybench"))
    a = ap.parse_args()
    methods = ["ours-arrow", "ours-polars", "pyarrow", "polars", "duckdb"]
    print("## Writing W1 already in memory (%d cores, median of %d)\n" % (os.cpu_count() or 1, a.repeat))
    print("| codec | writer | wall s | wall vs ours | CPU s | CPU vs ours | peak RSS added (MiB) | MB written | size vs ours |")
    print("|---|---|---|---|---|---|---|---|---|")
    for codec in ("snappy", "zstd"):
        ours = None
        for m in methods:
            r = run_child(m, codec, os.path.join(a.out, m), a.repeat)
            if m == "ours-arrow":
                ours = r
            print("| %s | %s | %.3f | %.2fx | %.3f | %.2fx | %.0f | %.1f | %.3f |" % (
                codec, m, r["seconds"], r["seconds"] / ours["seconds"], r["cpu"], r["cpu"] / ours["cpu"],
                r["rss_added"], r["bytes"] / 1e6, r["bytes"] / ours["bytes"]), flush=True)

    print("\n## write_dataset against the CLI (W1, snappy, median of %d)\n" % a.repeat)
    import dataset_generator as dg
    exe = os.path.join(os.path.dirname(sys.executable), "dataset-generator")
    args = []
    for k, v in W1.items():
        args += ["--" + k.replace("_", "-"), str(v)]
    import resource
    def cpu(who):
        r = resource.getrusage(who)
        return r.ru_utime + r.ru_stime
    py_t, cli_t, py_c, cli_c = [], [], [], []
    for _ in range(a.repeat):
        out = os.path.join(a.out, "wd")
        shutil.rmtree(out, ignore_errors=True)
        c0 = cpu(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        dg.write_dataset(dg.create_generator("ecommerce", **W1), dg.create_writer("parquet", out))
        py_t.append(time.perf_counter() - t0)
        py_c.append(cpu(resource.RUSAGE_SELF) - c0)
        shutil.rmtree(out, ignore_errors=True)
        c0 = cpu(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([exe, "generate", "ecommerce", "--output", out, "--quiet", *args], check=True)
        cli_t.append(time.perf_counter() - t0)
        cli_c.append(cpu(resource.RUSAGE_CHILDREN) - c0)
    shutil.rmtree(a.out, ignore_errors=True)
    med = statistics.median
    print("| what | wall s | CPU s |")
    print("|---|---|---|")
    print("| write_dataset (Python) | %.3f | %.3f |" % (med(py_t), med(py_c)))
    print("| dataset-generator CLI | %.3f | %.3f |" % (med(cli_t), med(cli_c)))
    print("| ratio Python / CLI | %.2f | %.2f |" % (med(py_t) / med(cli_t), med(py_c) / med(cli_c)))


if __name__ == "__main__":
    main()
