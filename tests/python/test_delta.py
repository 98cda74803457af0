"""Delta Lake tables written by `generate --format delta`, read by readers that
share no code with us: delta-rs (deltalake), DuckDB's delta extension
(delta-kernel-rs) and Spark with delta-spark.

Every dataset's tables are compared value by value with the JSONL output of
the same options (--format jsonl); the log is checked through the readers
(history, files, partition pruning, statistics); delta-rs appends, optimizes
and vacuums our table and we append after it; commits race (processes on
disk, writers on the loopback S3 with If-None-Match); kill -9 never leaves a
torn version; checkpoints are read by all three readers.
"""
import datetime
import json
import math
import os
import random
import signal
import struct
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from readers import duckdb_connect

deltalake = pytest.importorskip("deltalake")
from deltalake import DeltaTable, write_deltalake  # noqa: E402

ECOM = ["--n-customers", "40", "--n-products", "15", "--orders-per-day", "10", "--start", "2024-01-29",
        "--end", "2024-02-03", "--file-rows-target", "4", "--seed", "7"]
ALLTYPES = ["--rows", "300", "--file-rows-target", "120"]
TABLES = ["customers", "products", "orders", "order_items"]
KEYS = {"customers": "customer_id", "products": "product_id", "orders": "order_id",
        "order_items": "order_item_id", "alltypes": "id"}


# ---------------------------------------------------------------- helpers

def generate(run_cli, dataset, out, *opts, fmt="delta", mode=None, check=True, env=None):
    args = ["generate", dataset, "--output", str(out), "--format", fmt, "--quiet", *opts]
    if mode:
        args += ["--mode", mode]
    return run_cli(*args, check=check, env=env)


def jsonl_rows(root, table):
    rows = []
    for p in sorted((Path(root) / table).rglob("*.jsonl")):
        with open(p, encoding="utf-8") as f:
            rows += [json.loads(line) for line in f if line.strip()]
    return rows


def f32(x):
    return struct.unpack("<f", struct.pack("<f", float(x)))[0]


def norm(v, t):
    """A value of Delta type t (delta-rs schema JSON) from either side, in
    one comparable form."""
    if v is None:
        return None
    if isinstance(t, dict):
        kind = t["type"]
        if kind == "struct":
            return {f["name"]: norm(v.get(f["name"]), f["type"]) for f in t["fields"]}
        if kind == "array":
            return [norm(e, t["elementType"]) for e in v]
        if kind == "map":
            items = v.items() if isinstance(v, dict) else v
            return sorted((norm(k, t["keyType"]), norm(x, t["valueType"])) for k, x in items)
    if t in ("long", "integer", "short", "byte"):
        return int(v)
    if t in ("float", "double"):
        x = float(v) if not isinstance(v, str) else float(v.replace("Infinity", "inf"))
        if math.isnan(x):
            return "NaN"
        return f32(x) if t == "float" else x
    if t == "boolean":
        return bool(v)
    if t == "date":
        return v.isoformat() if isinstance(v, datetime.date) else v
    if t == "timestamp":
        if isinstance(v, datetime.datetime):
            return (v - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)) // datetime.timedelta(microseconds=1)
        return int(v)
    if t.startswith("decimal"):
        return Decimal(v) if isinstance(v, str) else v
    return v


def rel_files(dt, root, partition_filters=None):
    """The table's live files relative to its root (delta-rs gives absolute
    paths); partition_filters prune them."""
    uris = dt.file_uris(file_pruning_predicate=partition_filters) if partition_filters else dt.file_uris()
    return [str(Path(u).relative_to(root)) for u in uris]


def delta_schema(dt):
    return json.loads(dt.schema().to_json())


def delta_rows(dt):
    """Rows of a delta-rs table as dicts of normalized values (partition
    columns included)."""
    table = pa.table(dt.to_pyarrow_table())
    schema = delta_schema(dt)
    types = {f["name"]: f["type"] for f in schema["fields"]}
    return [{k: norm(v, types[k]) for k, v in r.items()} for r in table.to_pylist()], types


def check_partition_columns(table, rows, scheme):
    """Partition columns are real columns whose values match order_date."""
    for r in rows:
        d = datetime.date.fromisoformat(r["order_date"])
        if scheme == "yearmonth":
            assert r.pop("yearmonth") == f"{d.year:04d}-{d.month:02d}", table
        else:
            assert r.pop("year") == d.year and r.pop("month") == d.month, table
            if scheme == "ymd":
                assert r.pop("day") == d.day, table


def assert_equal_to_jsonl(table_dir, jsonl_root, table, scheme=None):
    dt = DeltaTable(str(table_dir))
    rows, types = delta_rows(dt)
    if scheme is not None and table in ("orders", "order_items"):
        check_partition_columns(table, rows, scheme)
    want = [{k: norm(v, types[k]) for k, v in r.items()} for r in jsonl_rows(jsonl_root, table)]
    key = KEYS[table]
    rows.sort(key=lambda r: r[key])
    want.sort(key=lambda r: r[key])
    assert len(rows) == len(want) > 0, table
    for got, exp in zip(rows, want):
        assert got == exp, (table, got[key])
    return dt, rows


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def ecommerce(run_cli, tmp_path_factory):
    """Each partitioning written as Delta and as JSONL with the same options."""
    base = tmp_path_factory.mktemp("delta-ecom")
    out = {}
    for scheme in ("ymd", "ym", "yearmonth"):
        opts = [*ECOM, "--orders-partitioning", scheme]
        generate(run_cli, "ecommerce", base / f"delta-{scheme}", *opts)
        generate(run_cli, "ecommerce", base / f"jsonl-{scheme}", *opts, fmt="jsonl")
        out[scheme] = (base / f"delta-{scheme}", base / f"jsonl-{scheme}")
    return out


@pytest.fixture(scope="module")
def alltypes(run_cli, tmp_path_factory):
    base = tmp_path_factory.mktemp("delta-alltypes")
    generate(run_cli, "alltypes", base / "delta", *ALLTYPES)
    generate(run_cli, "alltypes", base / "jsonl", *ALLTYPES, fmt="jsonl")
    return base / "delta", base / "jsonl"


# ---------------------------------------------------------------- delta-rs

@pytest.mark.parametrize("scheme", ["ymd", "ym", "yearmonth"])
def test_delta_rs_reads_ecommerce_equal_to_jsonl(ecommerce, scheme):
    delta_root, jsonl_root = ecommerce[scheme]
    for table in TABLES:
        dt, rows = assert_equal_to_jsonl(delta_root / table, jsonl_root, table, scheme)
        assert dt.version() == 0
        hist = dt.history()
        assert len(hist) == 1 and hist[0]["operation"] in ("CREATE TABLE AS SELECT", "WRITE")
        # files(): exactly the Parquet files on disk, relative paths
        on_disk = sorted(str(p.relative_to(delta_root / table)) for p in (delta_root / table).rglob("*.parquet")
                         if "_delta_log" not in p.parts)
        assert sorted(rel_files(dt, delta_root / table)) == on_disk
        meta = dt.metadata()
        if table in ("orders", "order_items"):
            assert list(meta.partition_columns) == (["yearmonth"] if scheme == "yearmonth" else
                                                    ["year", "month"] + (["day"] if scheme == "ymd" else []))
        else:
            assert list(meta.partition_columns) == []


@pytest.mark.parametrize("scheme", ["ymd", "yearmonth"])
def test_partition_filters_prune_files(ecommerce, scheme):
    delta_root, _ = ecommerce[scheme]
    dt = DeltaTable(str(delta_root / "orders"))
    if scheme == "yearmonth":
        flt = [("yearmonth", "=", "2024-02")]
    else:
        flt = [("year", "=", 2024), ("month", "=", 2)]
    files = rel_files(dt, delta_root / "orders", flt)
    assert 0 < len(files) < len(rel_files(dt, delta_root / "orders"))
    assert all(("yearmonth=2024-02" if scheme == "yearmonth" else "month=02") in f for f in files)
    got = pa.table(dt.to_pyarrow_table(filters=flt))
    dates = got.column("order_date").to_pylist()
    assert dates and all(d.month == 2 for d in dates)
    total = pa.table(dt.to_pyarrow_table())
    assert got.num_rows == pc.sum(pc.equal(pc.month(total.column("order_date")), 2)).as_py()


def test_stats_parsed_by_delta_rs(ecommerce):
    import pyarrow.parquet as pq
    delta_root, _ = ecommerce["ymd"]
    dt = DeltaTable(str(delta_root / "orders"))
    adds = pa.table(dt.get_add_actions(flatten=True)).to_pylist()
    data = pa.table(dt.to_pyarrow_table())
    assert sum(a["num_records"] for a in adds) == data.num_rows
    for a in adds:
        # delta-rs parsed our bounds; they equal the file's own values
        f = pq.read_table(delta_root / "orders" / a["path"])
        assert a["num_records"] == f.num_rows
        assert a["min.order_id"] == pc.min(f.column("order_id")).as_py()
        assert a["max.order_id"] == pc.max(f.column("order_id")).as_py()
        assert a["min.amount"] == pc.min(f.column("amount")).as_py()
        assert a["min.status"] == pc.min(f.column("status")).as_py()
        assert a["min.order_date"] == a["max.order_date"] == f.column("order_date")[0].as_py()
        assert a["null_count.order_id"] == 0
        assert "order_date" not in str(a.get("partition.year"))
    # a predicate on a statistics column: delta-rs skips the other files
    first = pc.min(data.column("order_id")).as_py()
    one = pa.table(dt.to_pyarrow_dataset().to_table(filter=pc.field("order_id") == first))
    assert one.num_rows == 1
    assert sum(1 for a in adds if a["min.order_id"] <= first <= a["max.order_id"]) == 1


def test_delta_rs_reads_alltypes_equal_to_jsonl(alltypes):
    delta_root, jsonl_root = alltypes
    dt, _ = assert_equal_to_jsonl(delta_root / "alltypes", jsonl_root, "alltypes")
    types = {f["name"]: f["type"] for f in delta_schema(dt)["fields"]}
    assert types["duration"] == "long" and types["ts"] == "timestamp" and types["dec_9_2"] == "decimal(9,2)"
    assert types["i8"] == "byte" and types["i16"] == "short" and types["f32"] == "float"
    adds = pa.table(dt.get_add_actions(flatten=True)).to_pylist()
    for a in adds:
        assert a.get("min.f64_nan") is None  # NaN: no bounds
        assert a["null_count.i32_allnull"] == a["num_records"] and a.get("min.i32_allnull") is None


# ---------------------------------------------------------------- DuckDB

def test_duckdb_delta_scan(ecommerce, alltypes):
    con = duckdb_connect("delta")
    for scheme, (delta_root, jsonl_root) in ecommerce.items():
        for table in TABLES:
            want = jsonl_rows(jsonl_root, table)
            key = KEYS[table]
            n, s = con.execute(f"SELECT count(*), sum({key}) FROM delta_scan('{delta_root / table}')").fetchone()
            assert n == len(want) and s == sum(int(r[key]) for r in want), (scheme, table)
        amount = con.execute(f"SELECT sum(amount) FROM delta_scan('{delta_root / 'orders'}')").fetchone()[0]
        want_amount = sum(r["amount"] for r in jsonl_rows(jsonl_root, "orders"))
        assert abs(amount - want_amount) < 1e-6
        pcol = "yearmonth" if scheme == "yearmonth" else "month"
        pval = "'2024-02'" if scheme == "yearmonth" else "2"
        n2 = con.execute(f"SELECT count(*) FROM delta_scan('{delta_root / 'orders'}') WHERE {pcol} = {pval}").fetchone()[0]
        assert n2 == sum(1 for r in jsonl_rows(jsonl_root, "orders") if r["order_date"].startswith("2024-02"))
    delta_root, jsonl_root = alltypes
    n, s, d = con.execute(f"SELECT count(*), sum(i64), sum(dec_9_2) FROM delta_scan('{delta_root / 'alltypes'}')").fetchone()
    want = jsonl_rows(jsonl_root, "alltypes")
    assert n == len(want) and s == sum(int(r["i64"]) for r in want)
    assert d == sum(Decimal(r["dec_9_2"]) for r in want)


# ---------------------------------------------------------------- Spark

def spark_small_logs(spark):
    # our logs are tiny: Spark's default 50 partitions per log replay only
    # cost time on this 2-core machine
    spark.conf.set("spark.databricks.delta.snapshotPartitions", "2")
    # alltypes has timestamps before 1900: Parquet's are proleptic
    # Gregorian, which Spark calls CORRECTED (it asks for files not
    # written by Spark itself)
    spark.conf.set("spark.sql.parquet.datetimeRebaseModeInRead", "CORRECTED")


def test_spark_reads_every_table(spark, ecommerce, alltypes):
    spark_small_logs(spark)
    for scheme, (delta_root, jsonl_root) in ecommerce.items():
        for table in TABLES:
            df = spark.read.format("delta").load(str(delta_root / table))
            want = jsonl_rows(jsonl_root, table)
            key = KEYS[table]
            n, s = df.selectExpr("count(*)", f"sum({key})").first()
            assert n == len(want) and s == sum(int(r[key]) for r in want), (scheme, table)
        df = spark.read.format("delta").load(str(delta_root / "orders"))
        amount = df.selectExpr("sum(amount)").first()[0]
        assert abs(amount - sum(r["amount"] for r in jsonl_rows(jsonl_root, "orders"))) < 1e-6
        hist = spark.sql(f"DESCRIBE HISTORY delta.`{delta_root / 'orders'}`").collect()
        assert [h.version for h in hist] == [0] and "dataset-generator" in (hist[0].engineInfo or "")
    delta_root, jsonl_root = alltypes
    df = spark.read.format("delta").load(str(delta_root / "alltypes"))
    want = jsonl_rows(jsonl_root, "alltypes")
    n, s = df.selectExpr("count(*)", "sum(i32)").first()  # (Spark's long sum of i64 wraps)
    assert n == len(want) and s == sum(int(r["i32"]) for r in want)
    row = df.where("id = 1").select("ts", "dec_18_4", "struct_list").first()
    exp = [r for r in want if r["id"] == "1"][0]
    assert Decimal(exp["dec_18_4"]) == row.dec_18_4
    assert row.struct_list.n == exp["struct_list"]["n"]


# ---------------------------------------------------------------- modes and history

def small(run_cli, out, mode=None, check=True, seed="7", env=None, tables="customers,orders"):
    return generate(run_cli, "ecommerce", out, *ECOM[:-2], "--seed", seed, "--tables", tables,
                    mode=mode, check=check, env=env)


def test_append_twice_time_travel_and_overwrite(run_cli, tmp_path, spark):
    spark_small_logs(spark)
    out = tmp_path / "t"
    small(run_cli, out)
    n0 = DeltaTable(str(out / "orders")).to_pyarrow_table().num_rows
    refused = small(run_cli, out, check=False)
    assert refused.returncode == 2 and "exists" in refused.stderr
    small(run_cli, out, mode="append")  # the same rows again: counts add up exactly
    small(run_cli, out, mode="append")
    dt = DeltaTable(str(out / "orders"))
    assert dt.version() == 2
    assert [DeltaTable(str(out / "orders"), version=v).to_pyarrow_table().num_rows for v in range(3)] == \
        [n0, 2 * n0, 3 * n0]
    assert spark.read.format("delta").option("versionAsOf", 1).load(str(out / "orders")).count() == 2 * n0
    hist = spark.sql(f"DESCRIBE HISTORY delta.`{out / 'orders'}`").collect()
    assert sorted(h.version for h in hist) == [0, 1, 2]
    # overwrite: one version removing every file; the old ones stay for time travel
    files_before = set(p for p in (out / "orders").rglob("*.parquet"))
    small(run_cli, out, mode="overwrite")
    dt = DeltaTable(str(out / "orders"))
    assert dt.version() == 3 and dt.to_pyarrow_table().num_rows == n0
    assert all(p.exists() for p in files_before)
    assert DeltaTable(str(out / "orders"), version=2).to_pyarrow_table().num_rows == 3 * n0
    con = duckdb_connect("delta")
    assert con.execute(f"SELECT count(*) FROM delta_scan('{out / 'orders'}')").fetchone()[0] == n0


def test_checkpoint_after_ten_commits_read_by_all(run_cli, tmp_path, spark):
    spark_small_logs(spark)
    out = tmp_path / "cp"
    for i in range(12):
        small(run_cli, out, mode="append", tables="customers")
    log = out / "customers" / "_delta_log"
    assert (log / "00000000000000000010.checkpoint.parquet").exists()
    assert json.loads((log / "_last_checkpoint").read_text())["version"] == 10
    dt = DeltaTable(str(out / "customers"))
    assert dt.version() == 11
    n = dt.to_pyarrow_table().num_rows
    one = DeltaTable(str(out / "customers"), version=0).to_pyarrow_table().num_rows
    assert n == 12 * one
    con = duckdb_connect("delta")
    assert con.execute(f"SELECT count(*) FROM delta_scan('{out / 'customers'}')").fetchone()[0] == n
    assert spark.read.format("delta").load(str(out / "customers")).count() == n
    # the checkpoint itself, read by pyarrow: one add per live file
    import pyarrow.parquet as pq
    cp = pq.read_table(log / "00000000000000000010.checkpoint.parquet")
    adds = [a for a in cp.column("add").to_pylist() if a]
    assert len(adds) == len(pa.table(DeltaTable(str(out / "customers"), version=10).get_add_actions()))
    # delete the JSON commits the checkpoint covers: we (and the readers)
    # must now start from the checkpoint
    for v in range(10):
        (log / f"{v:020d}.json").unlink()
    small(run_cli, out, mode="append", tables="customers")
    assert DeltaTable(str(out / "customers")).to_pyarrow_table().num_rows == n + one


def test_delta_rs_append_optimize_vacuum_then_we_append(run_cli, tmp_path):
    out = tmp_path / "rs"
    small(run_cli, out, tables="customers")
    path = str(out / "customers")
    dt = DeltaTable(path)
    first = pa.table(dt.to_pyarrow_table())
    write_deltalake(path, first.slice(0, 5), mode="append")
    dt = DeltaTable(path)
    dt.optimize.compact()
    dt = DeltaTable(path)
    dt.vacuum(retention_hours=0, enforce_retention_duration=False, dry_run=False)
    dt = DeltaTable(path)
    assert dt.to_pyarrow_table().num_rows == first.num_rows + 5
    small(run_cli, out, mode="append", tables="customers")
    dt = DeltaTable(path)
    assert dt.to_pyarrow_table().num_rows == 2 * first.num_rows + 5
    ops = [h["operation"] for h in dt.history()]
    assert ops[0] in ("WRITE",) and "OPTIMIZE" in ops and "VACUUM END" in ops


def test_refuses_other_schema_and_unknown_features(run_cli, tmp_path):
    out = tmp_path / "x"
    (out).mkdir()
    write_deltalake(str(out / "customers"), pa.table({"customer_id": [1], "other": ["a"]}))
    p = small(run_cli, out, mode="append", check=False, tables="customers")
    assert p.returncode == 2 and "schema" in p.stderr
    out2 = tmp_path / "y"
    small(run_cli, out2, tables="customers")
    schema = DeltaTable(str(out2 / "customers")).to_pyarrow_table().schema
    write_deltalake(str(tmp_path / "dv"), pa.table({f.name: pa.array([], f.type) for f in schema}),
                    configuration={"delta.enableDeletionVectors": "true"})
    os.rename(tmp_path / "dv", out2 / "dvtable")
    (out2 / "customers").rename(out2 / "old")
    (out2 / "dvtable").rename(out2 / "customers")
    before = sorted(p.name for p in (out2 / "customers" / "_delta_log").iterdir())
    p = small(run_cli, out2, mode="append", check=False, tables="customers")
    assert p.returncode == 2 and "deletionVectors" in p.stderr
    assert sorted(p.name for p in (out2 / "customers" / "_delta_log").iterdir()) == before


# ---------------------------------------------------------------- concurrency and faults

def rows_of(path):
    t = pa.table(DeltaTable(str(path)).to_pyarrow_table())
    return sorted(tuple(r.values()) for r in t.drop_columns([c for c in t.column_names if c in ("year", "month", "day")]).to_pylist())


def test_four_shards_append_concurrently_equal_one_run(run_cli, dsg_bin, tmp_path):
    single = tmp_path / "single"
    small(run_cli, single)
    sharded = tmp_path / "sharded"
    args = lambda k: [dsg_bin, "generate", "ecommerce", "--output", str(sharded), "--format", "delta", "--quiet",
                      *ECOM[:-2], "--seed", "7", "--tables", "customers,orders", "--mode", "append",
                      "--shard", f"{k}/4"]
    procs = [subprocess.Popen(args(k), stderr=subprocess.PIPE, text=True) for k in range(1, 5)]
    for p in procs:
        assert p.wait(300) == 0, p.stderr.read()
    for table in ("customers", "orders"):
        dt = DeltaTable(str(sharded / table))
        assert dt.version() == 3  # four commits: versions 0..3, none lost
        assert rows_of(sharded / table) == rows_of(single / table)


def test_kill_9_leaves_a_consistent_table(run_cli, dsg_bin, tmp_path):
    out = tmp_path / "k"
    small(run_cli, out, tables="orders")
    n = DeltaTable(str(out / "orders")).to_pyarrow_table().num_rows
    rng = random.Random(1234)
    args = [dsg_bin, "generate", "ecommerce", "--output", str(out), "--format", "delta", "--quiet", *ECOM[:-2],
            "--tables", "orders", "--mode", "append", "--threads", "2"]
    for i in range(6):
        p = subprocess.Popen([*args, "--seed", "7"], stderr=subprocess.DEVNULL)  # n rows per run
        time.sleep(rng.uniform(0.0, 0.4))
        p.send_signal(signal.SIGKILL)
        p.wait()
        # every log entry is complete JSON; every reader opens the table at
        # a version holding whole runs only
        for entry in (out / "orders" / "_delta_log").glob("*.json"):
            for line in entry.read_text().splitlines():
                json.loads(line)
        dt = DeltaTable(str(out / "orders"))
        rows = dt.to_pyarrow_table().num_rows
        assert rows % n == 0 and rows // n == dt.version() + 1
        con = duckdb_connect("delta")
        assert con.execute(f"SELECT count(*) FROM delta_scan('{out / 'orders'}')").fetchone()[0] == rows
    # and the table still takes appends
    small(run_cli, out, mode="append", tables="orders")
    dt = DeltaTable(str(out / "orders"))
    assert dt.to_pyarrow_table().num_rows == (dt.version() + 1) * n


# ---------------------------------------------------------------- S3

def s3_options(s3):
    return {"AWS_ENDPOINT_URL": s3["endpoint"], "AWS_ACCESS_KEY_ID": s3["key"], "AWS_SECRET_ACCESS_KEY": s3["secret"],
            "AWS_REGION": s3["region"], "AWS_ALLOW_HTTP": "true"}


def test_s3_tables_read_by_delta_rs(run_cli, s3, ecommerce):
    uri = f"s3://{s3['bucket']}/delta-ecom"
    generate(run_cli, "ecommerce", uri, *ECOM, "--orders-partitioning", "ymd", env=s3["env"])
    delta_root, _ = ecommerce["ymd"]
    for table in TABLES:
        remote = DeltaTable(f"{uri}/{table}", storage_options=s3_options(s3))
        local = DeltaTable(str(delta_root / table))
        assert remote.version() == 0
        a, b = pa.table(remote.to_pyarrow_table()), pa.table(local.to_pyarrow_table())
        key = KEYS[table]
        assert a.sort_by(key).equals(b.sort_by(key)), table


def test_s3_writers_race_for_versions(dsg_bin, s3):
    uri = f"s3://{s3['bucket']}/delta-race"
    env = dict(os.environ, **s3["env"])
    def start(seed):
        return subprocess.Popen([dsg_bin, "generate", "ecommerce", "--output", uri, "--format", "delta", "--quiet",
                                 *ECOM[:-2], "--seed", str(seed), "--tables", "customers", "--mode", "append"],
                                env=env, stderr=subprocess.PIPE, text=True)
    procs = [start(7) for _ in range(3)]  # the same rows: each version adds as many
    for p in procs:
        assert p.wait(300) == 0, p.stderr.read()
    dt = DeltaTable(f"{uri}/customers", storage_options=s3_options(s3))
    assert dt.version() == 2  # three writers, three versions: each lost race was retried
    one = DeltaTable(f"{uri}/customers", version=0, storage_options=s3_options(s3)).to_pyarrow_table().num_rows
    assert dt.to_pyarrow_table().num_rows == 3 * one
    adds_per_version = []
    for v in range(3):
        files = set(DeltaTable(f"{uri}/customers", version=v, storage_options=s3_options(s3)).file_uris())
        adds_per_version.append(files)
    assert adds_per_version[0] < adds_per_version[1] < adds_per_version[2]


# ---------------------------------------------------------------- Python writer

def test_python_writer_user_data_to_delta(tmp_path):
    """A user's Arrow data through create_writer("delta"): binary, decimal128
    beyond 18 digits (exact statistics), maps, identity partitions (an
    unsigned one as the next wider signed type), then an append."""
    import dataset_generator as dg
    t = pa.table({"id": pa.array([1, 2, 3], pa.int64()),
                  "b": pa.array([b"x", None, b"zz"]),
                  "d": pa.array([Decimal("12345678901234567.891"), None, Decimal("-1.500")], pa.decimal128(20, 3)),
                  "m": pa.array([[("a", 1)], None, [("b", 2), ("c", None)]], pa.map_(pa.string(), pa.int32())),
                  "country": ["de", "fr", "de"],
                  "u": pa.array([1, 2, 200], pa.uint8())})
    out = tmp_path / "py"
    with dg.create_writer("delta", str(out)) as w:
        assert w.write("t", t, partition_spec=["country", "u"])["rows"] == 3
    with dg.create_writer("delta", str(out), options=dg.WriterOptions(mode="append")) as w:
        w.write("t", t.slice(0, 1), partition_spec=["country", "u"])
    dt = DeltaTable(str(out / "t"))
    assert dt.version() == 1
    types = {f["name"]: f["type"] for f in delta_schema(dt)["fields"]}
    assert types["b"] == "binary" and types["d"] == "decimal(20,3)" and types["u"] == "short"
    assert types["m"]["type"] == "map" and list(dt.metadata().partition_columns) == ["country", "u"]
    got = sorted(pa.table(dt.to_pyarrow_table()).to_pylist(), key=lambda r: (r["id"], r["country"]))
    assert [r["id"] for r in got] == [1, 1, 2, 3]
    assert got[3]["d"] == Decimal("-1.500") and got[3]["u"] == 200 and got[3]["b"] == b"zz"
    assert dict(got[3]["m"]) == {"b": 2, "c": None}
    adds = pa.table(dt.get_add_actions(flatten=True)).to_pylist()
    big = [a for a in adds if a["partition.u"] == 1]
    assert big and all(a["min.d"] == a["max.d"] == Decimal("12345678901234567.891") for a in big)
    con = duckdb_connect("delta")
    assert con.execute(f"SELECT count(*), sum(u) FROM delta_scan('{out / 't'}')").fetchone() == (4, 204)


# ---------------------------------------------------------------- checkpoints written by others

def test_we_append_after_checkpoints_of_delta_rs_and_spark(run_cli, tmp_path, spark):
    """Our log reader starts from checkpoints that delta-rs and Spark wrote
    (their Parquet, read by our small reader: the JSON commits before them
    are deleted), then we append."""
    spark_small_logs(spark)
    out = tmp_path / "rs"
    small(run_cli, out, tables="customers")
    one = DeltaTable(str(out / "customers")).to_pyarrow_table().num_rows
    small(run_cli, out, mode="append", tables="customers")
    dt = DeltaTable(str(out / "customers"))
    dt.create_checkpoint()
    log = out / "customers" / "_delta_log"
    (log / f"{0:020d}.json").unlink()  # only the checkpoint can tell version 0 now
    small(run_cli, out, mode="append", tables="customers")
    assert DeltaTable(str(out / "customers")).to_pyarrow_table().num_rows == 3 * one
    # Spark: a table it creates with a checkpoint every version (its first
    # at version 1)
    src = spark.read.format("delta").load(str(out / "customers")).limit(5).cache()
    sp = tmp_path / "spark" / "customers"
    spark.conf.set("spark.databricks.delta.properties.defaults.checkpointInterval", "1")
    try:
        for _ in range(2):
            src.write.format("delta").mode("append").save(str(sp))
    finally:
        spark.conf.unset("spark.databricks.delta.properties.defaults.checkpointInterval")
    slog = sp / "_delta_log"
    assert (slog / f"{1:020d}.checkpoint.parquet").exists()
    for v in range(2):
        (slog / f"{v:020d}.json").unlink()
    small(run_cli, tmp_path / "spark", mode="append", tables="customers")
    assert spark.read.format("delta").load(str(sp)).count() == 10 + one
    assert DeltaTable(str(sp)).version() == 2
