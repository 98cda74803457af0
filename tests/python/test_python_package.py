"""The Python package dataset_generator (pip install . at the root): the
seed's API, Arrow in and out, read back by readers nobody here wrote
(pyarrow, Polars, pandas, DuckDB, Spark)."""
import decimal
import glob
import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest

import dataset_generator as dg
from python_types import canon, column_values, every_type_table, expected_table
from readers import duckdb_connect

PY = sys.executable

# Columns a reader cannot read at all, whoever wrote the file (pyarrow's own
# files fail the same way): the matrix of the report lists them.
SPARK_CANNOT = {  # Spark 3.5: "Illegal Parquet type" for TIME and TIMESTAMP(NANOS)
    "time32_s", "time32_ms", "time64_us", "time64_ns", "ts_ns", "ts_ns_tz"}
DUCKDB_MICROS = {"time64_ns", "ts_ns_tz"}  # DuckDB's TIME and TIMESTAMPTZ hold microseconds
PANDAS_NUMPY_CANNOT = {"time64_ns"}  # datetime.time has no nanoseconds


def parquet_files(root):
    return sorted(glob.glob(os.path.join(root, "**", "*.parquet"), recursive=True))


def leftovers(root):
    """Temporary files a write left behind (there must be none)."""
    return [p for p in glob.glob(os.path.join(root, "**", ".*"), recursive=True) if os.path.isfile(p)]


# ---------------------------------------------------------------------------
# Generators: the same values as the CLI
# ---------------------------------------------------------------------------

GENERATOR_OPTIONS = {
    "ecommerce": dict(n_customers=700, n_products=90, orders_per_day=40, start="2024-02-27", end="2024-03-02",
                      seed=7),
    "alltypes": dict(rows=3000, seed=11),
    "weather": dict(locations="Berlin,Lima,Tokyo", start="2023-06-01", end="2023-06-03", storm_rate=0.3),
    "sensors": dict(n_devices=6, start="2023-06-01", end="2023-06-01", missing_probability=0.05),
    "market_ohlcv": dict(symbols="AA,BB", start="2023-06-01", end="2023-06-05", freq="5m"),
    "market_quotes": dict(symbols="AA,BB", start="2023-06-01", end="2023-06-01", quotes_per_minute=3),
}


def jsonl_canon(v, ty):
    """Canonical form of a JSON Lines value of Arrow type ty (the CLI writes
    64-bit integers, timestamps and decimals as strings)."""
    if v is None:
        return None
    if pa.types.is_struct(ty):
        return {ty.field(i).name: jsonl_canon(v.get(ty.field(i).name), ty.field(i).type) for i in range(ty.num_fields)}
    if pa.types.is_map(ty):
        if isinstance(v, dict):
            v = [{"key": k, "value": x} for k, x in v.items()]
        return [("kv", jsonl_canon(e["key"], ty.key_type), jsonl_canon(e["value"], ty.item_type)) for e in v]
    if pa.types.is_list(ty):
        return [jsonl_canon(x, ty.value_type) for x in v]
    if pa.types.is_timestamp(ty) or pa.types.is_duration(ty):
        return int(v) * 1000  # microseconds -> canonical nanoseconds
    if pa.types.is_integer(ty):
        return int(v)
    if pa.types.is_floating(ty):
        f = float(v)
        if f != f:
            return "NaN"
        return float(np.float32(f)) if pa.types.is_float32(ty) else f
    if pa.types.is_decimal(ty):
        return decimal.Decimal(v)
    if pa.types.is_date(ty):
        return v
    return v


def arrow_canon(v, ty):
    if v is None:
        return None
    if pa.types.is_date(ty):
        return v.isoformat()
    if pa.types.is_duration(ty):
        return canon(v)
    if pa.types.is_struct(ty):
        return {ty.field(i).name: arrow_canon(v.get(ty.field(i).name), ty.field(i).type) for i in range(ty.num_fields)}
    if pa.types.is_map(ty):
        return [("kv", arrow_canon(k, ty.key_type), arrow_canon(x, ty.item_type)) for k, x in v]
    if pa.types.is_list(ty):
        return [arrow_canon(x, ty.value_type) for x in v]
    return canon(v)


def test_every_generator_is_covered():
    assert set(dg.available_generators()) == set(GENERATOR_OPTIONS)


@pytest.mark.parametrize("name", sorted(GENERATOR_OPTIONS))
def test_generator_batches_equal_cli_jsonl(name, run_cli, tmp_path):
    assert name in dg.available_generators()
    opts = GENERATOR_OPTIONS[name]
    gen = dg.create_generator(name, **opts)
    args = []
    for k, v in opts.items():
        args += ["--" + k.replace("_", "-"), str(v)]
    run_cli("generate", name, "--format", "jsonl", "--output", tmp_path / "j", "--quiet", *args)
    for table in gen.tables():
        schema = pa.schema(gen.schema_for(table))
        batches = list(gen.batches_for(table, batch_rows=1000))
        assert all(b.num_rows <= 1000 for b in batches)
        got = pa.Table.from_batches([pa.record_batch(b) for b in batches], schema=schema)
        assert got.num_rows == gen.rows(table)
        lines = []
        for f in sorted(glob.glob(str(tmp_path / "j" / table / "**" / "*.jsonl"), recursive=True)):
            lines += [json.loads(x) for x in open(f, encoding="utf-8")]
        # JSONL files are per partition; rows are in table order within and across them
        assert len(lines) == got.num_rows, table
        for field in schema:
            want = [jsonl_canon(row.get(field.name), field.type) for row in lines]
            have = [arrow_canon(v, field.type) for v in got[field.name].to_pylist()]
            assert have == want, (table, field.name)


def test_batches_are_arrow_for_every_consumer():
    import polars as pl
    gen = dg.create_generator("ecommerce", n_customers=500, n_products=50, orders_per_day=30, start="2024-01-01",
                              end="2024-01-05")
    reader = pa.RecordBatchReader.from_stream(gen.batches_for("orders", 100))
    t = reader.read_all()
    assert t.num_rows == gen.rows("orders")
    df = pl.DataFrame(gen.batches_for("orders", 100))
    assert df.shape == (t.num_rows, t.num_columns)
    b = next(iter(gen.batches_for("customers", 64)))
    assert pl.from_arrow(pa.record_batch(b)).height == 64
    assert pa.RecordBatchReader.from_stream(b).read_all().num_rows == 64
    assert pa.schema(gen.schema_for("orders")).names == t.schema.names
    assert gen.partition_spec_for("orders").columns == ("year", "month", "day")
    assert gen.partition_spec_for("customers") is None
    # a batch outlives its generator and its capsules are independent
    batches = list(gen.batches_for("products", 10))
    del gen
    assert sum(pa.record_batch(b).num_rows for b in batches) == 50


def test_create_generator_errors():
    with pytest.raises(ValueError, match="unknown dataset"):
        dg.create_generator("nope")
    with pytest.raises(ValueError, match="n-customers"):
        dg.create_generator("ecommerce", n_customers="many")
    with pytest.raises(ValueError):
        dg.create_generator("ecommerce", no_such_option=1)


# ---------------------------------------------------------------------------
# The every-type table, read back by five readers
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def every_type(tmp_path_factory):
    root = tmp_path_factory.mktemp("every")
    t = every_type_table()
    w = dg.create_writer("parquet", str(root))
    stats = w.write("all", t)
    assert stats == {"files": 1, "rows": t.num_rows, "bytes": os.path.getsize(parquet_files(root)[0])}
    return t, expected_table(t), parquet_files(root)[0]


def compare(reader_values, t, exp, skip=()):
    bad = {}
    for name in t.column_names:
        if name in skip:
            continue
        try:
            got = reader_values(name)
        except Exception as e:  # noqa: BLE001 - a reader's failure is a mismatch
            bad[name] = "error: %s" % str(e)[:200]
            continue
        want = column_values(exp, name)
        if got != want:
            bad[name] = (str(got)[:300], str(want)[:300])
    return bad


def test_every_type_pyarrow(every_type):
    t, exp, f = every_type
    got = pq.read_table(f)
    assert compare(lambda c: column_values(got, c), t, exp) == {}
    # the types are Parquet's (unsigned stays unsigned, decimals keep precision)
    assert got.schema.field("u64").type == pa.uint64()
    assert got.schema.field("dec_38_10").type == pa.decimal128(38, 10)
    assert got.schema.field("ts_ns_tz").type == pa.timestamp("ns", tz="UTC")
    assert got.schema.field("ts_us").type == pa.timestamp("us")
    assert pa.types.is_map(got.schema.field("map").type)


def test_every_type_polars(every_type):
    import polars as pl
    t, exp, f = every_type
    got = pl.read_parquet(f)
    assert compare(lambda c: column_values(got.select(c).to_arrow(), c), t, exp) == {}


def test_every_type_pandas(every_type):
    import pandas as pd
    t, exp, f = every_type
    got = pd.read_parquet(f, dtype_backend="pyarrow")
    assert compare(lambda c: column_values(pa.table({c: got[c].array._pa_array}), c), t, exp) == {}
    # numpy-backed frames: equal to the input converted the same way by pandas
    cols = [c for c in t.column_names if c not in PANDAS_NUMPY_CANNOT | {"ts_s"}]
    got_np = pd.read_parquet(f, columns=cols)
    want_np = exp.select(cols).to_pandas()
    bad = {c: 1 for c in cols if [canon(x) for x in got_np[c].tolist()] != [canon(x) for x in want_np[c].tolist()]}
    assert bad == {}


def test_every_type_duckdb(every_type):
    t, exp, f = every_type
    con = duckdb_connect()
    con.execute("SET TimeZone = 'UTC'")
    got = con.execute(f"SELECT * FROM read_parquet('{f}')").to_arrow_table()
    assert compare(lambda c: column_values(got, c), t, exp, skip=DUCKDB_MICROS) == {}
    for c in DUCKDB_MICROS:  # exact to the microsecond
        have, want = column_values(got, c), column_values(exp, c)
        assert [None if x is None else int(x / 1000) for x in want] == [None if x is None else x // 1000 for x in have]
    # statistics as DuckDB reads them: unsigned and wide decimals ordered right
    stats = dict(con.execute(f"SELECT path_in_schema, stats_max_value FROM parquet_metadata('{f}')").fetchall())
    assert stats["u64"] == str(2**64 - 1)
    assert stats["dec_38_10"] == "9" * 28 + "." + "9" * 10


def test_every_type_spark(spark, tmp_path):
    """Spark reads every column but TIME and TIMESTAMP(NANOS), which it
    refuses whoever wrote the file ("Illegal Parquet type"); dates before
    1582 need the CORRECTED calendar (proleptic Gregorian), as for any
    writer but Spark itself."""
    t = every_type_table()
    exp = expected_table(t)
    w = dg.create_writer("parquet", str(tmp_path))
    readable = [c for c in t.column_names if c not in SPARK_CANNOT]
    w.write("readable", t.select(readable))
    rows = spark.read.option("datetimeRebaseMode", "CORRECTED").parquet(str(tmp_path / "readable")).collect()
    bad = {}
    for i, c in enumerate(readable):
        got = [r[i] for r in rows]
        if c == "map":  # Spark's MapType comes back as a dict
            got = [None if v is None else [("kv", k, x) for k, x in v.items()] for v in got]
        got = [canon(v) for v in got]
        if got != column_values(exp, c):
            bad[c] = (str(got)[:200], str(column_values(exp, c))[:200])
    assert bad == {}
    for c in sorted(SPARK_CANNOT):
        w.write(c, t.select([c]))
        with pytest.raises(Exception, match="Illegal Parquet type"):
            spark.read.parquet(str(tmp_path / c)).collect()


def test_statistics_per_row_group(tmp_path):
    """Every row group's statistics (pyarrow's reading of the footer) equal
    the true min, max and null count of its rows."""
    rng = np.random.default_rng(5)
    n = 5000
    def with_nulls(a):
        mask = rng.random(n) < 0.1
        return pa.array(a, mask=mask)
    t = pa.table({
        "u8": with_nulls(rng.integers(0, 256, n).astype(np.uint8)),
        "u32": with_nulls(rng.integers(0, 2**32, n, dtype=np.uint64).astype(np.uint32)),
        "u64": with_nulls(rng.integers(0, 2**64 - 1, n, dtype=np.uint64)),
        "i16": with_nulls(rng.integers(-2**15, 2**15, n).astype(np.int16)),
        "f32": with_nulls(rng.normal(size=n).astype(np.float32)),
        "f64": pa.array(np.where(rng.random(n) < 0.05, np.nan, rng.normal(size=n))),
        "s": with_nulls(np.array(["v%05d" % x for x in rng.integers(0, 99999, n)])),
        "bin": pa.array([bytes(rng.integers(0, 256, 3, dtype=np.uint8)) for _ in range(n)], pa.binary()),
        "fsb": pa.array([bytes(rng.integers(0, 256, 4, dtype=np.uint8)) for _ in range(n)], pa.binary(4)),
        "d": with_nulls(rng.integers(-100000, 100000, n).astype(np.int32)).cast(pa.date32()),
        "ts": pa.array(rng.integers(-2**40, 2**40, n), pa.timestamp("ns")),
        "t": pa.array(rng.integers(0, 86400 * 10**6, n), pa.time64("us")),
        "dec12": pa.array([decimal.Decimal(int(x)).scaleb(-2) for x in rng.integers(-10**11, 10**11, n)],
                          pa.decimal128(12, 2)),
        "dec30": pa.array([decimal.Decimal(int(x) * 10**12 + 7).scaleb(-5) for x in rng.integers(-10**17, 10**17, n)],
                          pa.decimal128(30, 5)),
    })
    w = dg.create_writer("parquet", str(tmp_path), options=dg.WriterOptions(row_group_rows=1000))
    w.write("s", t)
    f = pq.ParquetFile(parquet_files(tmp_path)[0])
    md = f.metadata
    assert md.num_row_groups == 5
    assert md.created_by.startswith("dataset-generator version")
    for g in range(md.num_row_groups):
        part = t.slice(g * 1000, 1000)
        for j, name in enumerate(t.column_names):
            st = md.row_group(g).column(j).statistics
            col = part[name]
            assert st.null_count == col.null_count, (g, name)
            values = pc.drop_null(col)
            if pa.types.is_floating(col.type):
                values = pc.filter(values, pc.invert(pc.is_nan(values)))
            if pa.types.is_binary(col.type) or pa.types.is_fixed_size_binary(col.type):
                vs = sorted(values.to_pylist())
                lo, hi = vs[0], vs[-1]
            else:
                mm = pc.min_max(values)
                lo, hi = mm["min"].as_py(), mm["max"].as_py()
            assert st.has_min_max, (g, name)
            assert (st.min, st.max) == (lo, hi), (g, name, st.min, st.max, lo, hi)


# ---------------------------------------------------------------------------
# Partitioned writes of data frames
# ---------------------------------------------------------------------------

def frame_rows(n=20000, seed=3):
    rng = np.random.default_rng(seed)
    return {
        "year": rng.choice([2023, 2024], n).astype(np.int32),
        "month": rng.integers(1, 13, n).astype(np.int8),
        "country": rng.choice(["DE", "FR", "a/b=c%", "x y"], n),
        "id": np.arange(n, dtype=np.int64),
        "amount": rng.normal(size=n),
    }


def check_layout(root, table, parts, cap, n):
    files = parquet_files(os.path.join(root, table))
    assert leftovers(root) == []
    total = 0
    for f in files:
        rel = os.path.relpath(f, os.path.join(root, table)).split(os.sep)
        assert [p.split("=")[0] for p in rel[:-1]] == list(parts), rel
        assert rel[-1].startswith("part-") and rel[-1].endswith(".parquet")
        pf = pq.ParquetFile(f)
        assert pf.metadata.num_rows <= cap
        assert not set(parts) & set(pf.schema_arrow.names), "partition columns must stay out of the files"
        total += pf.metadata.num_rows
    assert total == n
    return files


def test_partitioned_polars_frame(tmp_path, spark):
    import pandas as pd
    import polars as pl
    df = pl.DataFrame(frame_rows())
    w = dg.create_writer("parquet", str(tmp_path), options=dg.WriterOptions(file_rows_target=700))
    stats = w.write("sales", df, partition_spec=dg.PartitionSpec(("year", "month")))
    files = check_layout(tmp_path, "sales", ("year", "month"), 700, df.height)
    assert stats["files"] == len(files) and stats["rows"] == df.height
    # pyarrow's hive discovery: one type per partition column, no clash
    d = pads.dataset(str(tmp_path / "sales"), partitioning="hive")
    t = d.to_table()
    assert t.num_rows == df.height
    assert pa.types.is_integer(t.schema.field("year").type) and pa.types.is_integer(t.schema.field("month").type)
    got = pl.from_arrow(t).select(df.columns).sort("id").with_columns(pl.col("year").cast(pl.Int32),
                                                                       pl.col("month").cast(pl.Int8))
    assert got.equals(df.sort("id"))
    # Polars hive scan
    lz = pl.scan_parquet(str(tmp_path / "sales" / "**" / "*.parquet"), hive_partitioning=True)
    assert lz.filter(pl.col("year") == 2024).select(pl.len()).collect().item() == int((df["year"] == 2024).sum())
    # pandas filters
    p = pd.read_parquet(str(tmp_path / "sales"), filters=[("year", "=", 2024), ("month", "=", 3)])
    assert len(p) == df.filter((pl.col("year") == 2024) & (pl.col("month") == 3)).height
    # Spark partition pruning
    sdf = spark.read.parquet(str(tmp_path / "sales")).where("year = 2023 AND month = 7")
    plan = sdf._jdf.queryExecution().executedPlan().toString()
    assert "PartitionFilters" in plan and "year" in plan
    assert sdf.count() == df.filter((pl.col("year") == 2023) & (pl.col("month") == 7)).height
    assert dict(spark.read.parquet(str(tmp_path / "sales")).dtypes)["year"] == "int"


def test_partitioned_pandas_frame_with_escaping(tmp_path):
    import pandas as pd
    pdf = pd.DataFrame(frame_rows(5000, seed=9))
    pdf.loc[::50, "country"] = None
    w = dg.create_writer("parquet", str(tmp_path), options=dg.WriterOptions(file_rows_target=400))
    w.write("by_country", pdf, partition_spec=["country"])
    check_layout(tmp_path, "by_country", ("country",), 400, len(pdf))
    dirs = sorted(os.listdir(tmp_path / "by_country"))
    assert dirs == ["country=DE", "country=FR", "country=__HIVE_DEFAULT_PARTITION__", "country=a%2Fb%3Dc%25",
                    "country=x y"]
    t = pads.dataset(str(tmp_path / "by_country"), partitioning="hive").to_table()
    vals = pc.value_counts(t["country"]).to_pylist()
    counts = {v["values"]: v["counts"] for v in vals}
    assert counts["a/b=c%"] == int((pdf["country"] == "a/b=c%").sum())
    assert counts[None] == int(pdf["country"].isna().sum())
    back = pd.read_parquet(str(tmp_path / "by_country"), filters=[("country", "=", "x y")])
    assert len(back) == int((pdf["country"] == "x y").sum())


def test_other_producers_and_iterables(tmp_path):
    import polars as pl
    con = duckdb_connect()
    rel = con.sql("SELECT range AS x, range % 7 AS k FROM range(2500)")
    w = dg.create_writer("parquet", str(tmp_path), None, None, dg.WriterOptions(file_rows_target=1000))
    assert w.write("duck", rel)["rows"] == 2500
    assert [pq.ParquetFile(f).metadata.num_rows for f in parquet_files(tmp_path / "duck")] == [1000, 1000, 500]
    frames = [pl.DataFrame({"a": [i] * 300, "b": list(range(300))}) for i in range(5)]
    stats = w.write("frames", frames, partition_spec=["a"])
    assert stats["rows"] == 1500 and stats["files"] == 5
    reader = pa.RecordBatchReader.from_batches(pa.schema([("v", pa.int64())]),
                                               (pa.record_batch([pa.array(range(i, i + 10))], names=["v"])
                                                for i in range(0, 100, 10)))
    assert w.write("reader", reader)["rows"] == 100
    rb = pa.record_batch([pa.array([1, 2, 3])], names=["v"])
    assert w.write("one_batch", rb)["rows"] == 3
    with pytest.raises(TypeError, match="not Arrow data"):
        w.write("bad", 42)
    with pytest.raises(TypeError, match="do not have the columns"):
        w.write("mixed", [pa.table({"a": [1]}), pa.table({"a": ["x"]})])


def test_context_manager_and_modes(tmp_path):
    t = pa.table({"a": [1, 2, 3]})
    with dg.create_writer("parquet", str(tmp_path)) as w:
        w.write("t", t)
    with pytest.raises(ValueError, match="closed"):
        w.write("t2", t)
    w = dg.create_writer("parquet", str(tmp_path))
    with pytest.raises(ValueError, match="not empty"):
        w.write("t", t)
    dg.create_writer("parquet", str(tmp_path), options=dg.WriterOptions(mode="append")).write("t", t)
    assert [os.path.basename(f) for f in parquet_files(tmp_path / "t")] == ["part-00000.parquet", "part-00001.parquet"]
    dg.create_writer("parquet", str(tmp_path), options=dg.WriterOptions(mode="overwrite")).write("t", t)
    assert pq.read_table(str(tmp_path / "t")).num_rows == 3


# ---------------------------------------------------------------------------
# write_dataset
# ---------------------------------------------------------------------------

W_SMALL = dict(n_customers=2000, n_products=300, orders_per_day=300, start="2024-01-01", end="2024-02-15",
               orders_partitioning="ym")


def tree_hashes(root):
    """sha256 of every file; the build named in created_by is masked (the
    shared test venv may be reinstalled from another checkout meanwhile)."""
    import re
    out = {}
    for f in parquet_files(root):
        data = re.sub(rb"\(build [0-9a-z]+\)", b"(build x)", open(f, "rb").read())
        out[os.path.relpath(f, root)] = hashlib.sha256(data).hexdigest()
    return out


def test_write_dataset_same_bytes_as_cli(tmp_path):
    """The same bytes as the CLI built from the same sources (the console
    command of the package: created_by names the build)."""
    gen = dg.create_generator("ecommerce", **W_SMALL)
    w = dg.create_writer("parquet", str(tmp_path / "py"), options=dg.WriterOptions(file_rows_target=5000,
                                                                                 compression="zstd"))
    stats = dg.write_dataset(gen, w)
    args = []
    for k, v in W_SMALL.items():
        args += ["--" + k.replace("_", "-"), str(v)]
    exe = os.path.join(os.path.dirname(PY), "dataset-generator")
    subprocess.run([exe, "generate", "ecommerce", "--output", str(tmp_path / "cli"), "--file-rows-target", "5000",
                    "--compression", "zstd", "--quiet", *args], check=True)
    py, cli = tree_hashes(tmp_path / "py"), tree_hashes(tmp_path / "cli")
    assert py == cli and len(py) == stats["files"]
    only = dg.write_dataset(gen, dg.create_writer("parquet", str(tmp_path / "some")), tables=["products"])
    assert only["tables"] == 1 and os.listdir(tmp_path / "some") == ["products"]


class TinyGenerator:
    """The reference's GeneratorBase protocol, with Polars frames."""
    name = "tiny"

    def tables(self):
        return ["events"]

    def schema_for(self, table):
        return None

    def partition_spec_for(self, table):
        return dg.PartitionSpec(("year", "month"))

    def batches_for(self, table):
        import polars as pl
        for k in range(4):
            yield pl.DataFrame({"year": [2024] * 250, "month": [k % 2 + 1] * 250, "v": list(range(250))})


def test_write_dataset_python_generator(tmp_path):
    w = dg.create_writer("parquet", str(tmp_path), options=dg.WriterOptions(file_rows_target=300))
    stats = dg.write_dataset(TinyGenerator(), w)
    assert stats["rows"] == 1000 and stats["tables"] == 1
    check_layout(tmp_path, "events", ("year", "month"), 300, 1000)
    assert sorted(os.listdir(tmp_path / "events" / "year=2024")) == ["month=1", "month=2"]


def test_console_command_is_the_cli(dsg_bin):
    exe = os.path.join(os.path.dirname(PY), "dataset-generator")
    for args in (["list-datasets"], ["list-formats"], ["info", "ecommerce"]):
        a = subprocess.run([exe, *args], capture_output=True, text=True)
        b = subprocess.run([dsg_bin, *args], capture_output=True, text=True)
        assert (a.returncode, a.stdout) == (b.returncode, b.stdout)
    bad = subprocess.run([exe, "generate", "nope", "--output", "/tmp/x"], capture_output=True, text=True)
    assert bad.returncode == 2 and "nope" in bad.stderr


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

def test_errors(tmp_path):
    w = dg.create_writer("parquet", str(tmp_path))
    t = pa.table({"ok": [1, 2], "iv": pa.array([pa.MonthDayNano([1, 2, 3]), None], pa.month_day_nano_interval())})
    with pytest.raises(TypeError, match="column iv has the Arrow type 'tin'"):
        w.write("t", t)
    u = pa.table({"u": pa.UnionArray.from_sparse(pa.array([0, 1], pa.int8()), [pa.array([1, 2]), pa.array(["a", "b"])])})
    with pytest.raises(TypeError, match="column u"):
        w.write("u", u)
    assert parquet_files(tmp_path) == []
    with pytest.raises(ValueError, match="unknown compression 'lzo'"):
        dg.WriterOptions(compression="lzo")
    with pytest.raises(ValueError, match="level"):
        dg.WriterOptions(compression="zstd", compression_level=99)
    with pytest.raises(ValueError, match="unknown format"):
        dg.create_writer("orc", str(tmp_path))
    with pytest.raises(ValueError, match="partition column nope"):
        w.write("p", pa.table({"a": [1]}), partition_spec=["nope"])
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OSError) as e:
        dg.create_writer("parquet", str(blocker / "sub")).write("t", pa.table({"a": [1]}))
    assert e.value.errno == 20 and str(blocker) in e.value.filename


def test_s3_writes_and_misconfiguration(s3, tmp_path, monkeypatch):
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL",
              "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(k, raising=False)
    t = pa.table({"k": ["a", "b", "a", "c"] * 250, "v": list(range(1000))})
    uri = "s3://%s/py" % s3["bucket"]
    with pytest.raises(ValueError, match="credentials"):
        dg.create_writer("parquet", uri, s3=dg.S3Config(uri=uri, endpoint_url=s3["endpoint"])).write("t", t)
    bad = dg.S3Config(uri=uri, key=s3["key"], secret="wrong", endpoint_url=s3["endpoint"])
    with pytest.raises(OSError, match="s3://"):
        dg.create_writer("parquet", uri, s3=bad).write("t", t)
    assert "wrong" not in repr(bad)
    good = dg.S3Config(uri="s3://%s" % s3["bucket"], key=s3["key"], secret=s3["secret"], endpoint_url=s3["endpoint"])
    w = dg.create_writer("parquet", "py", s3=good, options=dg.WriterOptions(file_rows_target=300))
    stats = w.write("t", t, partition_spec=["k"])
    assert stats["rows"] == 1000 and stats["files"] == 4  # a: 500 rows in 2, b and c 1 each
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3["key"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3["secret"])
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3["endpoint"])
    got = dg.create_writer("parquet", uri).write("env", t)
    assert got["rows"] == 1000
    import pyarrow.fs as pafs
    fs = pafs.S3FileSystem(access_key=s3["key"], secret_key=s3["secret"], endpoint_override=s3["endpoint"],
                           scheme="http", region="us-east-1")
    back = pads.dataset("%s/py/t" % s3["bucket"], filesystem=fs, partitioning="hive").to_table()
    assert back.num_rows == 1000 and sorted(set(back["k"].to_pylist())) == ["a", "b", "c"]


# ---------------------------------------------------------------------------
# Memory and interruption
# ---------------------------------------------------------------------------

def run_py(code, **kw):
    return subprocess.run([PY, "-c", textwrap.dedent(code)], capture_output=True, text=True, **kw)


def test_streaming_keeps_memory_bounded(tmp_path):
    """80 M values (640 MB of int64) streamed from a RecordBatchReader: the
    process never holds them (peak RSS well under the data size)."""
    code = f"""
        import resource, numpy as np, pyarrow as pa, dataset_generator as dg
        schema = pa.schema([("a", pa.int64()), ("b", pa.int64()), ("c", pa.float64()), ("d", pa.int64())])
        def batches():
            for i in range(200):
                base = np.arange(i * 100_000, (i + 1) * 100_000, dtype=np.int64)
                yield pa.record_batch([base, base % 97, base * 0.5, base // 1000], schema=schema)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        r = pa.RecordBatchReader.from_batches(schema, batches())
        s = dg.create_writer("parquet", {str(tmp_path)!r}).write("big", r)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(s["rows"], before // 1024, after // 1024)
    """
    p = run_py(code, timeout=600)
    assert p.returncode == 0, p.stderr
    rows, before, after = map(int, p.stdout.split())
    assert rows == 20_000_000
    assert after - before < 300, (before, after)  # MiB; the data is 640 MB


def test_ctrl_c_interrupts_cleanly(tmp_path):
    code = f"""
        import dataset_generator as dg, sys
        gen = dg.create_generator("ecommerce", n_customers=100000, n_products=10000, orders_per_day=200000,
                                  start="2024-01-01", end="2024-12-31")
        w = dg.create_writer("parquet", {str(tmp_path)!r}, options=dg.WriterOptions(threads=1))
        print("start", flush=True)
        try:
            dg.write_dataset(gen, w)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(3)
    """
    p = subprocess.Popen([PY, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "start"
    time.sleep(1.5)
    t0 = time.monotonic()
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 3, (out, err)
    assert "interrupted" in out
    assert time.monotonic() - t0 < 10
    assert leftovers(tmp_path) == []
    for f in parquet_files(tmp_path):  # whatever was committed is complete
        pq.ParquetFile(f).metadata


# ---------------------------------------------------------------------------
# Table formats: user data committed to Delta, Iceberg and DuckLake
# ---------------------------------------------------------------------------

def test_user_data_into_table_formats(tmp_path, spark):
    import deltalake
    import polars as pl
    from pyiceberg.catalog.sql import SqlCatalog
    assert {"delta", "iceberg", "ducklake"} <= set(dg.available_writers())
    df = pl.DataFrame({"k": ["a", "b", "a/x", None] * 250, "y": [2023, 2024] * 500, "v": list(range(1000)),
                       "s": ["s%d" % i for i in range(1000)]})
    w = dg.create_writer("delta", str(tmp_path), options=dg.WriterOptions(file_rows_target=200))
    stats = w.write("d", df, partition_spec=["k", "y"])
    assert stats["files"] == 8 and stats["rows"] == 1000  # 4 partitions of 250 rows, 200 per file
    assert stats["bytes"] == sum(os.path.getsize(f) for f in parquet_files(tmp_path / "d"))
    t = deltalake.DeltaTable(str(tmp_path / "d")).to_pyarrow_table().sort_by("v")
    assert t.column("k").to_pylist() == df["k"].to_list() and t.column("y").to_pylist() == df["y"].to_list()
    assert t.column("s").to_pylist() == df["s"].to_list()
    sdf = spark.read.format("delta").load(str(tmp_path / "d")).where("y = 2024")
    assert sdf.count() == 500
    # append is a second commit
    dg.create_writer("delta", str(tmp_path), options=dg.WriterOptions(mode="append")).write("d", df.head(10),
                                                                                           partition_spec=["k", "y"])
    dt = deltalake.DeltaTable(str(tmp_path / "d"))
    assert dt.version() == 1 and dt.to_pyarrow_table().num_rows == 1010
    with pytest.raises(ValueError):  # create refuses an existing table, nothing written
        dg.create_writer("delta", str(tmp_path)).write("d", df, partition_spec=["k", "y"])
    # Iceberg (SQL catalog on SQLite) and DuckLake (SQLite catalog)
    t = pa.table({"id": pa.array(range(1000), pa.int64()), "s": ["v%d" % i for i in range(1000)],
                  "x": [i * 0.5 for i in range(1000)]})
    db = str(tmp_path / "ice.db")
    dg.create_writer("iceberg", str(tmp_path), catalog=dg.CatalogConfig("sql", "sqlite:///" + db)).write("ice", t)
    ice = SqlCatalog("default", uri="sqlite:///" + db).load_table(("default", "ice"))
    assert ice.scan().to_arrow().sort_by("id").equals(t)
    ldb = str(tmp_path / "lake.db")
    dg.create_writer("ducklake", str(tmp_path), catalog=dg.CatalogConfig("sqlite", "sqlite:///" + ldb)).write("lk", t)
    con = duckdb_connect()
    con.execute(f"ATTACH 'ducklake:sqlite:{ldb}' AS lake (READ_ONLY)")
    assert con.sql("SELECT count(*), sum(id), min(s), max(x) FROM lake.main.lk").fetchall() == [(1000, 499500, "v0",
                                                                                                  499.5)]


def test_user_writer_passes_the_interop_checks(tmp_path, run_cli):
    """The alltypes rows, taken as Arrow batches and written through the
    user-data writer, pass tests/interop's footer statistics, page index and
    value checks against the CLI's JSON Lines of the same rows."""
    root = Path(__file__).resolve().parents[1] / "interop"
    gen = dg.create_generator("alltypes", rows=6000, seed=5)
    w = dg.create_writer("parquet", str(tmp_path / "pq"), options=dg.WriterOptions(row_group_rows=1500,
                                                                                 compression="zstd"))
    w.write("alltypes", gen.batches_for("alltypes", 1000))
    pqf = parquet_files(tmp_path / "pq")
    assert len(pqf) == 1
    run_cli("generate", "alltypes", "--rows", 6000, "--seed", 5, "--format", "jsonl", "--output", tmp_path / "j",
            "--quiet")
    jl = str(tmp_path / "j" / "alltypes" / "alltypes.jsonl")
    for script, extra in (("check_stats.mjs", ["--codec", "zstd", "--row-group-rows", "1500"]),
                          ("check_pageindex.mjs", []),
                          ("check_values.mjs", ["--readers", "duckdb,polars,parquet-wasm,hyparquet"])):
        p = subprocess.run(["node", str(root / script), pqf[0], jl, *extra], capture_output=True, text=True,
                           timeout=300)
        assert p.returncode == 0, (script, p.stdout[-2000:], p.stderr[-2000:])


def test_write_releases_the_gil_and_stops_on_ctrl_c(tmp_path):
    """A Python thread keeps running while writer.write encodes (the GIL is
    released), and SIGINT stops a long write: KeyboardInterrupt, no file
    left under a temporary or incomplete name."""
    code = f"""
        import sys, threading, time, numpy as np, pyarrow as pa, dataset_generator as dg
        t = pa.table({{"a": np.arange(3_000_000), "b": np.arange(3_000_000) * 0.5}})
        ticks = [0]
        stop = threading.Event()
        def tick():
            while not stop.is_set():
                ticks[0] += 1
                time.sleep(0.001)
        th = threading.Thread(target=tick); th.start()
        t0 = time.monotonic()
        dg.create_writer("parquet", {str(tmp_path / 'gil')!r}, options=dg.WriterOptions(compression="gzip",
                         compression_level=9)).write("t", t)
        took = time.monotonic() - t0
        stop.set(); th.join()
        print("gil", ticks[0], took, flush=True)
        schema = t.schema
        def forever():
            while True:
                yield from t.to_batches(100_000)
        r = pa.RecordBatchReader.from_batches(schema, forever())
        print("start", flush=True)
        try:
            dg.create_writer("parquet", {str(tmp_path / 'int')!r},
                             options=dg.WriterOptions(file_rows_target=10**9)).write("t", r)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(3)
    """
    p = subprocess.Popen([PY, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    gil = p.stdout.readline().split()
    assert gil and gil[0] == "gil", p.stderr.read()
    ticks, took = int(gil[1]), float(gil[2])
    assert took > 0.2 and ticks > took * 100, (ticks, took)  # the ticker ran while we wrote
    assert p.stdout.readline().strip() == "start"
    time.sleep(1.5)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 3 and "interrupted" in out, (out, err)
    assert parquet_files(tmp_path / "int") == [] and leftovers(tmp_path) == []
