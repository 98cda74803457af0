"""--format iceberg read back by readers that share no code with us.

pyiceberg (SqlCatalog over SQLite and PostgreSQL, StaticTable by path),
DuckDB's iceberg extension (iceberg_scan, iceberg_snapshots), Spark with
Iceberg's JDBC catalog (the same catalog tables), and fastavro for the
Avro manifests themselves. Every table's rows are compared with the JSONL
output of the same options; appends alternate between us, pyiceberg and
Spark; concurrent writers, shards, an S3 warehouse and a kill -9 leave
the catalog at a complete snapshot.
"""
import datetime
import glob
import json
import math
import os
import signal
import struct
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import fastavro
import pyarrow.parquet as pq
import pytest
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.table import StaticTable

from readers import duckdb_connect

SMALL = ["--n-customers", "60", "--n-products", "25", "--orders-per-day", "40", "--orders-seasonality", "off",
         "--start", "2024-01-30", "--end", "2024-02-03", "--file-rows-target", "50", "--quiet"]
KEYS = {"customers": "customer_id", "products": "product_id", "orders": "order_id",
        "order_items": "order_item_id", "alltypes": "id"}
SPEC = {"ymd": "day", "ym": "month", "yearmonth": "month"}


# ---------------------------------------------------------------- helpers

def canon(v):
    """A value as JSONL prints it (64-bit integers, timestamps and
    decimals as strings, NaN as "NaN"), so Arrow and JSON compare."""
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    if isinstance(v, str):
        return v
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        d = v - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
        return str((d.days * 86400 + d.seconds) * 1000000 + d.microseconds)
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, datetime.timedelta):
        return str((v.days * 86400 + v.seconds) * 1000000 + v.microseconds)
    if isinstance(v, dict):
        return {k: canon(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        if v and all(isinstance(x, tuple) and len(x) == 2 for x in v):  # Arrow map
            return {str(k): canon(x) for k, x in v}
        return [canon(x) for x in v]
    if isinstance(v, bytes):
        return v.decode()
    raise TypeError(type(v))


def close(a, b):
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, str) or isinstance(b, str):
            return a == b
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and \
            math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-30)
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, str)) and isinstance(b, (int, str)):
        return str(a) == str(b)
    return a == b


def jsonl_rows(root, table):
    rows = []
    for f in sorted(glob.glob(f"{root}/{table}/**/*.jsonl", recursive=True)):
        with open(f) as fh:
            rows += [json.loads(line) for line in fh]
    return rows


def assert_same_rows(arrow_table, expected, key, quirks=()):
    """Rows of an Arrow table equal JSONL rows, matched by primary key."""
    got = {str(r[key]): r for r in arrow_table.to_pylist()}
    assert len(got) == arrow_table.num_rows == len(expected)
    for e in expected:
        g = got[str(e[key])]
        for col, want in e.items():
            have = canon(g[col])
            if col in quirks and want is None and have == []:
                continue  # pyiceberg reads a null list<struct> as [] (DuckDB and pyarrow do not)
            assert close(have, want), f"{key}={e[key]} {col}: {have!r} != {want!r}"


def catalog(uri, name="default", **props):
    return SqlCatalog(name, uri=uri, **props)


def sa_uri(pg):
    return f"postgresql+psycopg2://{pg['user']}:{pg['password']}@{pg['host']}:{pg['port']}/{pg['dbname']}"


def current_metadata(cat_db, table, ns="default", name="default"):
    import sqlite3
    con = sqlite3.connect(cat_db)
    row = con.execute("SELECT metadata_location FROM iceberg_tables WHERE catalog_name=? AND "
                      "table_namespace=? AND table_name=?", (name, ns, table)).fetchone()
    con.close()
    return row[0] if row else None


def local(uri):
    return uri[len("file://"):] if uri.startswith("file://") else uri


def spark_catalog(spark, name, jdbc_uri, warehouse, **props):
    spark.conf.set(f"spark.sql.catalog.{name}", "org.apache.iceberg.spark.SparkCatalog")
    spark.conf.set(f"spark.sql.catalog.{name}.type", "jdbc")
    spark.conf.set(f"spark.sql.catalog.{name}.uri", jdbc_uri)
    spark.conf.set(f"spark.sql.catalog.{name}.warehouse", warehouse)
    for k, v in props.items():
        spark.conf.set(f"spark.sql.catalog.{name}.{k}", v)


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def ecommerce(tmp_path_factory, run_cli):
    """The three partitionings as Iceberg in one SQLite catalog (catalog name
    ice_<scheme>, namespace shop) and as JSONL with the same options."""
    base = tmp_path_factory.mktemp("iceberg-ecommerce")
    out = {}
    for scheme in ("ymd", "ym", "yearmonth"):
        db = base / f"{scheme}.db"
        wh = base / f"wh-{scheme}"
        opts = [*SMALL, "--orders-partitioning", scheme]
        run_cli("generate", "ecommerce", "--output", wh, "--format", "iceberg", "--catalog-uri", f"sqlite:///{db}",
                "--catalog-namespace", "shop", "--catalog-name", f"ice_{scheme}", *opts)
        run_cli("generate", "ecommerce", "--output", base / f"jsonl-{scheme}", "--format", "jsonl", *opts)
        out[scheme] = dict(db=db, wh=wh, jsonl=base / f"jsonl-{scheme}", name=f"ice_{scheme}")
    return out


@pytest.fixture(scope="module")
def alltypes(tmp_path_factory, run_cli):
    """alltypes by path (no catalog) and in a SQLite catalog, and as JSONL."""
    base = tmp_path_factory.mktemp("iceberg-alltypes")
    opts = ["--rows", "700", "--file-rows-target", "300", "--quiet"]
    run_cli("generate", "alltypes", "--output", base / "path", "--format", "iceberg", *opts)
    run_cli("generate", "alltypes", "--output", base / "wh", "--format", "iceberg",
            "--catalog-uri", f"sqlite:///{base / 'cat.db'}", "--catalog-name", "ice_all", *opts)
    run_cli("generate", "alltypes", "--output", base / "jsonl", "--format", "jsonl", *opts)
    return dict(base=base, db=base / "cat.db", wh=base / "wh", name="ice_all")


# ---------------------------------------------------------------- pyiceberg

@pytest.mark.parametrize("scheme", ["ymd", "ym", "yearmonth"])
def test_pyiceberg_reads_every_ecommerce_table(ecommerce, scheme):
    e = ecommerce[scheme]
    cat = catalog(f"sqlite:///{e['db']}", e["name"])
    assert sorted(t[1] for t in cat.list_tables("shop")) == ["customers", "order_items", "orders", "products"]
    for table, key in KEYS.items():
        if table == "alltypes":
            continue
        t = cat.load_table(("shop", table))
        assert t.metadata.format_version == 2
        fields = t.spec().fields
        if table in ("orders", "order_items"):
            # one transform of the date column, never year+month+day
            assert [(f.transform.__class__.__name__.lower(), t.schema().find_field(f.source_id).name)
                    for f in fields] == [(SPEC[scheme] + "transform", "order_date")]
        else:
            assert fields == ()
        assert_same_rows(t.scan().to_arrow(), jsonl_rows(e["jsonl"], table), key)
        # per-file statistics are there: value counts of every column
        for task in t.scan().plan_files():
            assert set(task.file.value_counts) == {f.field_id for f in t.schema().fields}
            assert task.file.record_count > 0


@pytest.mark.parametrize("scheme", ["ymd", "ym"])
def test_pyiceberg_date_filter_plans_only_matching_files(ecommerce, scheme):
    e = ecommerce[scheme]
    t = catalog(f"sqlite:///{e['db']}", e["name"]).load_table(("shop", "orders"))
    every = list(t.scan().plan_files())
    if scheme == "ymd":
        day = "day=31"
        planned = list(t.scan(row_filter="order_date = '2024-01-31'").plan_files())
        expected = [f for f in every if day in f.file.file_path]
        rows = t.scan(row_filter="order_date = '2024-01-31'").to_arrow()
        assert rows.num_rows == 40
    else:
        planned = list(t.scan(row_filter="order_date >= '2024-02-01'").plan_files())
        expected = [f for f in every if "month=02" in f.file.file_path]
    assert expected and len(planned) == len(expected) < len(every)
    assert {f.file.file_path for f in planned} == {f.file.file_path for f in expected}


def test_pyiceberg_reads_alltypes_by_path_and_catalog(alltypes):
    expected = jsonl_rows(alltypes["base"] / "jsonl", "alltypes")
    hint = alltypes["base"] / "path" / "alltypes" / "metadata" / "version-hint.text"
    assert hint.read_text() == "1"
    t = StaticTable.from_metadata(str(alltypes["base"] / "path" / "alltypes" / "metadata" / "v1.metadata.json"))
    assert_same_rows(t.scan().to_arrow(), expected, "id", quirks=("list_struct",))
    t = catalog(f"sqlite:///{alltypes['db']}", alltypes["name"]).load_table(("default", "alltypes"))
    assert_same_rows(t.scan().to_arrow(), expected, "id", quirks=("list_struct",))
    types = {f.name: str(f.field_type) for f in t.schema().fields}
    assert types["ts"] == "timestamptz" and types["duration"] == "long" and types["i8"] == "int"
    assert types["dec_9_2"] == "decimal(9, 2)"


def test_manifests_read_by_fastavro(ecommerce):
    """Our Avro files, read by an independent reader: header keys, field ids,
    partition tuples and bounds that match the data files."""
    e = ecommerce["ymd"]
    meta = json.loads(Path(local(current_metadata(e["db"], "orders", "shop", e["name"]))).read_text())
    snap = next(s for s in meta["snapshots"] if s["snapshot-id"] == meta["current-snapshot-id"])
    with open(local(snap["manifest-list"]), "rb") as fh:
        r = fastavro.reader(fh)
        entries = list(r)
        schema = json.loads(r.metadata["avro.schema"])
        assert r.metadata["format-version"] == "2"
        assert r.metadata["snapshot-id"] == str(snap["snapshot-id"])
        assert r.metadata["avro.codec"] in ("null", "deflate")
    ids = {f["name"]: f["field-id"] for f in schema["fields"]}
    assert ids["manifest_path"] == 500 and ids["added_snapshot_id"] == 503 and ids["partitions"] == 507
    assert len(entries) == 1 and entries[0]["sequence_number"] == snap["sequence-number"]
    days = []
    with open(local(entries[0]["manifest_path"]), "rb") as fh:
        r = fastavro.reader(fh)
        assert r.metadata["content"] == "data" and r.metadata["partition-spec-id"] == "0"
        assert json.loads(r.metadata["partition-spec"])[0]["transform"] == "day"
        assert json.loads(r.metadata["schema"])["fields"][2]["name"] == "order_date"
        mschema = json.loads(r.metadata["avro.schema"])
        df = next(f for f in mschema["fields"] if f["name"] == "data_file")
        assert df["field-id"] == 2
        assert {f["name"]: f["field-id"] for f in df["type"]["fields"]}["content"] == 134
        for entry in r:
            f = entry["data_file"]
            assert entry["status"] == 1 and f["content"] == 0
            table = pq.read_table(local(f["file_path"]))
            assert f["record_count"] == table.num_rows
            assert f["file_size_in_bytes"] == os.path.getsize(local(f["file_path"]))
            lower = dict((x["key"], x["value"]) for x in f["lower_bounds"])
            upper = dict((x["key"], x["value"]) for x in f["upper_bounds"])
            epoch = datetime.date(1970, 1, 1)
            lo = epoch + datetime.timedelta(days=struct.unpack("<i", lower[3])[0])
            hi = epoch + datetime.timedelta(days=struct.unpack("<i", upper[3])[0])
            dates = table.column("order_date").to_pylist()
            assert lo == min(dates) and hi == max(dates)
            assert f["partition"]["order_date_day"] == lo == hi
            assert struct.unpack("<d", lower[6])[0] == min(table.column("amount").to_pylist())
            assert lower[5] == min(table.column("status").to_pylist()).encode()
            days.append(lo)
    summary = entries[0]["partitions"][0]
    assert struct.unpack("<i", summary["lower_bound"])[0] == (min(days) - datetime.date(1970, 1, 1)).days
    assert struct.unpack("<i", summary["upper_bound"])[0] == (max(days) - datetime.date(1970, 1, 1)).days


# ---------------------------------------------------------------- DuckDB

def test_duckdb_iceberg_scan(ecommerce, alltypes):
    con = duckdb_connect("avro", "iceberg")
    for scheme, e in ecommerce.items():
        for table in ("customers", "products", "orders", "order_items"):
            m = current_metadata(e["db"], table, "shop", e["name"])
            rows = jsonl_rows(e["jsonl"], table)
            n, = con.execute(f"SELECT count(*) FROM iceberg_scan('{m}')").fetchone()
            assert n == len(rows)
        m = current_metadata(e["db"], "orders", "shop", e["name"])
        total, days = con.execute(f"SELECT round(sum(amount), 2), count(DISTINCT order_date) "
                                  f"FROM iceberg_scan('{m}')").fetchone()
        want = round(sum(float(r["amount"]) for r in jsonl_rows(e["jsonl"], "orders")), 2)
        assert abs(total - want) < 0.01 and days == 5
        snaps = con.execute(f"SELECT snapshot_id, sequence_number FROM iceberg_snapshots('{m}')").fetchall()
        meta = json.loads(Path(local(m)).read_text())
        assert snaps == [(meta["current-snapshot-id"], 1)]
    # by path: the table directory with its version hint
    root = alltypes["base"] / "path" / "alltypes"
    n, nulls = con.execute(f"SELECT count(*), count(*) - count(i64_null) FROM iceberg_scan('{root}')").fetchone()
    rows = jsonl_rows(alltypes["base"] / "jsonl", "alltypes")
    assert n == len(rows) and nulls == sum(r["i64_null"] is None for r in rows)
    got = con.execute(f"SELECT id, list_struct FROM iceberg_scan('{root}') ORDER BY id").fetchall()
    assert [canon(g[1]) for g in got] == [canon(r["list_struct"]) for r in sorted(rows, key=lambda r: int(r["id"]))] \
        or all(close(canon(g[1]), r["list_struct"]) for g, r in zip(got, sorted(rows, key=lambda r: int(r["id"]))))


# ---------------------------------------------------------------- Spark

def test_spark_jdbc_catalog_reads_every_table(spark, ecommerce, alltypes):
    for scheme, e in ecommerce.items():
        spark_catalog(spark, e["name"], f"jdbc:sqlite:{e['db']}", f"file://{e['wh']}")
        for table in ("customers", "products", "orders", "order_items"):
            n = spark.sql(f"SELECT count(*) FROM {e['name']}.shop.{table}").collect()[0][0]
            assert n == len(jsonl_rows(e["jsonl"], table)), (scheme, table)
        snaps = spark.sql(f"SELECT snapshot_id, operation FROM {e['name']}.shop.orders.snapshots").collect()
        meta = json.loads(Path(local(current_metadata(e["db"], "orders", "shop", e["name"]))).read_text())
        assert [(s.snapshot_id, s.operation) for s in snaps] == [(meta["current-snapshot-id"], "append")]
        # a predicate on the date: pruned by the day/month transform, right answer
        n = spark.sql(f"SELECT count(*) FROM {e['name']}.shop.orders WHERE order_date = DATE'2024-02-01'").collect()
        assert n[0][0] == 40
    spark_catalog(spark, alltypes["name"], f"jdbc:sqlite:{alltypes['db']}", f"file://{alltypes['wh']}")
    # (dates of year 0 exist in alltypes: Python cannot hold them, so Spark
    # hands over timestamps as microseconds and decimals as text)
    rows = spark.sql(f"SELECT id, i64, str_high, CAST(dec_18_4 AS STRING) AS dec_18_4, f64_nan, "
                     f"unix_micros(ts) AS ts, struct, list_list, struct_list "
                     f"FROM {alltypes['name']}.default.alltypes").collect()
    expected = {r["id"]: r for r in jsonl_rows(alltypes["base"] / "jsonl", "alltypes")}
    assert len(rows) == len(expected)
    for r in rows:
        e = expected[str(r["id"])]
        for col in ("i64", "str_high", "dec_18_4", "f64_nan", "ts", "struct", "list_list", "struct_list"):
            v = r[col].asDict(recursive=True) if hasattr(r[col], "asDict") else r[col]
            assert close(canon(v), e[col]), (r["id"], col, v, e[col])


# ---------------------------------------------------------------- writers taking turns

def test_appends_alternate_with_pyiceberg_then_overwrite(tmp_path, run_cli):
    db, wh = tmp_path / "cat.db", tmp_path / "wh"
    args = ["generate", "ecommerce", "--output", wh, "--format", "iceberg", "--catalog-uri", f"sqlite:///{db}",
            "--catalog-name", "ice_turns", "--tables", "orders", *SMALL]
    run_cli(*args)
    cat = catalog(f"sqlite:///{db}", "ice_turns")
    t = cat.load_table(("default", "orders"))
    first = t.scan().to_arrow()
    t.append(first.slice(0, 7))                      # pyiceberg appends to our table
    run_cli(*args, "--mode", "append")               # we append after pyiceberg
    t = cat.load_table(("default", "orders"))
    t.append(first.slice(0, 3))
    run_cli(*args, "--mode", "append")
    t = cat.load_table(("default", "orders"))
    n = first.num_rows
    assert t.scan().to_arrow().num_rows == 3 * n + 7 + 3
    assert [s.summary.operation.value for s in t.snapshots()] == ["append"] * 5
    assert [s.sequence_number for s in t.snapshots()] == [1, 2, 3, 4, 5]
    assert t.current_snapshot().summary["total-records"] == str(3 * n + 10)
    # an overwrite snapshot deletes every current file
    run_cli(*args, "--mode", "overwrite")
    t = cat.load_table(("default", "orders"))
    assert t.current_snapshot().summary.operation.value == "overwrite"
    assert t.current_snapshot().summary["deleted-records"] == str(3 * n + 10)
    assert_same_rows(t.scan().to_arrow(), [canon_row(r) for r in first.to_pylist()], "order_id")
    con = duckdb_connect("avro", "iceberg")
    m = current_metadata(db, "orders", name="ice_turns")
    assert con.execute(f"SELECT count(*) FROM iceberg_scan('{m}')").fetchone()[0] == n
    # create on an existing table: the user's error, nothing changes
    p = run_cli(*args, check=False)
    assert p.returncode == 2 and "already exists" in p.stderr
    assert current_metadata(db, "orders", name="ice_turns") == m
    # pyiceberg appends after our overwrite
    t.append(first.slice(0, 1))
    assert cat.load_table(("default", "orders")).scan().to_arrow().num_rows == n + 1


def canon_row(r):
    return {k: canon(v) for k, v in r.items()}


def test_by_path_append_and_overwrite(tmp_path, run_cli):
    out = tmp_path / "out"
    args = ["generate", "ecommerce", "--output", out, "--format", "iceberg", "--tables", "orders", *SMALL]
    run_cli(*args)
    run_cli(*args, "--mode", "append")
    meta = out / "orders" / "metadata"
    assert (meta / "version-hint.text").read_text() == "2"
    t = StaticTable.from_metadata(str(meta / "v2.metadata.json"))
    assert t.scan().to_arrow().num_rows == 400 and len(t.snapshots()) == 2
    run_cli(*args, "--mode", "overwrite")
    t = StaticTable.from_metadata(str(meta / "v3.metadata.json"))
    assert t.scan().to_arrow().num_rows == 200
    con = duckdb_connect("avro", "iceberg")
    assert con.execute(f"SELECT count(*) FROM iceberg_scan('{out / 'orders'}')").fetchone()[0] == 200
    assert len(con.execute(f"SELECT * FROM iceberg_snapshots('{out / 'orders'}')").fetchall()) == 3


# ---------------------------------------------------------------- PostgreSQL, races, shards

def test_postgres_catalog_races_and_shards(tmp_path, run_cli, dsg_bin, postgres, spark):
    uri = postgres["uri"]
    wh = tmp_path / "wh"
    base = ["generate", "ecommerce", "--format", "iceberg", "--catalog-uri", uri, "--catalog-namespace", "pg",
            "--catalog-name", "ice_pg", *SMALL]
    # 4 shards at once into a fresh table set: they create the tables together
    procs = [subprocess.Popen([dsg_bin, *map(str, base), "--output", str(wh), "--shard", f"{k}/4"],
                              stderr=subprocess.PIPE, text=True) for k in range(1, 5)]
    for p in procs:
        assert p.wait(300) == 0, p.stderr.read()
    cat = catalog(sa_uri(postgres), "ice_pg")
    jsonl = tmp_path / "jsonl"
    run_cli("generate", "ecommerce", "--output", jsonl, "--format", "jsonl", *SMALL)
    for table, key in KEYS.items():
        if table == "alltypes":
            continue
        t = cat.load_table(("pg", table))
        assert_same_rows(t.scan().to_arrow(), jsonl_rows(jsonl, table), key)
    snaps = len(cat.load_table(("pg", "orders")).snapshots())
    assert 1 <= snaps <= 4
    # two writers racing on one table: both commits land, one after the other
    race = ["generate", "ecommerce", "--format", "iceberg", "--catalog-uri", uri, "--catalog-namespace", "pg",
            "--catalog-name", "ice_pg", "--tables", "orders", "--mode", "append", *SMALL, "--output", str(wh)]
    before = cat.load_table(("pg", "orders")).scan().to_arrow().num_rows
    with ThreadPoolExecutor(2) as ex:
        results = list(ex.map(lambda _: run_cli(*race, check=False), range(2)))
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    t = cat.load_table(("pg", "orders"))
    assert t.scan().to_arrow().num_rows == before + 2 * 200
    assert len(t.snapshots()) == snaps + 2
    seqs = [s.sequence_number for s in t.snapshots()]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    # Spark over the same PostgreSQL catalog
    spark_catalog(spark, "ice_pg", f"jdbc:postgresql://{postgres['host']}:{postgres['port']}/{postgres['dbname']}",
                  f"file://{wh}", **{"jdbc.user": postgres["user"], "jdbc.password": postgres["password"]})
    assert spark.sql("SELECT count(*) FROM ice_pg.pg.orders").collect()[0][0] == before + 400
    assert spark.sql("SELECT count(*) FROM ice_pg.pg.orders.snapshots").collect()[0][0] == snaps + 2
    # Spark appends, we append after Spark, Spark sees both
    spark.sql("INSERT INTO ice_pg.pg.orders SELECT * FROM ice_pg.pg.orders LIMIT 3")
    run_cli(*race)
    spark.sql("REFRESH TABLE ice_pg.pg.orders")
    assert spark.sql("SELECT count(*) FROM ice_pg.pg.orders").collect()[0][0] == before + 603
    t = cat.load_table(("pg", "orders"))
    assert t.scan().to_arrow().num_rows == before + 603
    assert [s.summary.operation.value for s in t.snapshots()][-2:] == ["append", "append"]
    # our overwrite (manifests of deleted entries), read by Spark and pyiceberg
    over = [a if a != "append" else "overwrite" for a in race]
    run_cli(*over)
    spark.sql("REFRESH TABLE ice_pg.pg.orders")
    assert spark.sql("SELECT count(*) FROM ice_pg.pg.orders").collect()[0][0] == 200
    ops = spark.sql("SELECT operation, summary['deleted-records'] FROM ice_pg.pg.orders.snapshots "
                    "ORDER BY committed_at DESC LIMIT 1").collect()[0]
    assert ops[0] == "overwrite" and ops[1] == str(before + 603)
    assert cat.load_table(("pg", "orders")).scan().to_arrow().num_rows == 200


def test_catalog_errors(tmp_path, run_cli, postgres):
    args = ["generate", "ecommerce", "--output", tmp_path / "o", "--format", "iceberg", *SMALL]
    p = run_cli(*args, "--catalog-uri", "mysql://x/y", check=False)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").rglob("*.parquet"))
    # a server that is not there: exit 1, the catalog named, the password never
    dead = f"postgresql://dsg:s3cretpw@127.0.0.1:{_closed_port()}/dsg"
    p = run_cli(*args, "--catalog-uri", dead, check=False)
    assert p.returncode == 1 and "127.0.0.1" in p.stderr and "s3cretpw" not in p.stderr
    # credentials refused
    bad = f"postgresql://dsg:wrongpw@{postgres['host']}:{postgres['port']}/dsg"
    p = run_cli(*args, "--catalog-uri", bad, check=False)
    assert p.returncode == 1 and "wrongpw" not in p.stderr and str(postgres["port"]) in p.stderr


def _closed_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- S3 warehouse

def test_s3_warehouse_read_by_pyiceberg(tmp_path, run_cli, s3):
    db = tmp_path / "cat.db"
    wh = f"s3://{s3['bucket']}/warehouse"
    run_cli("generate", "ecommerce", "--output", wh, "--format", "iceberg", "--catalog-uri", f"sqlite:///{db}",
            "--catalog-name", "ice_s3", "--tables", "orders,customers", *SMALL, env=s3["env"])
    run_cli("generate", "ecommerce", "--output", wh, "--format", "iceberg", "--catalog-uri", f"sqlite:///{db}",
            "--catalog-name", "ice_s3", "--tables", "orders", "--mode", "append", *SMALL, env=s3["env"])
    cat = catalog(f"sqlite:///{db}", "ice_s3", **{"s3.endpoint": s3["endpoint"], "s3.access-key-id": s3["key"],
                                                  "s3.secret-access-key": s3["secret"], "s3.region": s3["region"]})
    t = cat.load_table(("default", "orders"))
    assert t.metadata_location.startswith(f"{wh}/orders/metadata/00002-")
    assert t.scan().to_arrow().num_rows == 400
    run_cli("generate", "ecommerce", "--output", tmp_path / "jsonl", "--format", "jsonl", "--tables", "customers", *SMALL)
    assert_same_rows(cat.load_table(("default", "customers")).scan().to_arrow(),
                     jsonl_rows(tmp_path / "jsonl", "customers"), "customer_id")


# ---------------------------------------------------------------- kill -9

def test_kill_9_leaves_a_complete_snapshot(tmp_path, run_cli, dsg_bin):
    db, wh = tmp_path / "cat.db", tmp_path / "wh"
    args = ["generate", "ecommerce", "--output", str(wh), "--format", "iceberg", "--catalog-uri", f"sqlite:///{db}",
            "--tables", "order_items", "--quiet"]
    small = ["--n-customers", "100", "--n-products", "50", "--orders-per-day", "50", "--start", "2024-01-01",
             "--end", "2024-01-10"]
    run_cli(*args, *small)
    committed = current_metadata(db, "order_items")
    rows = catalog(f"sqlite:///{db}").load_table(("default", "order_items")).scan().to_arrow().num_rows
    # a large append, killed while it writes
    p = subprocess.Popen([dsg_bin, *args, "--mode", "append", "--orders-per-day", "200000", "--start", "2024-01-01",
                          "--end", "2024-12-31", "--threads", "1"], stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and len(list(wh.rglob("*.parquet"))) < 12:
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL)
    assert p.wait() == -signal.SIGKILL  # killed while writing, not finished
    assert current_metadata(db, "order_items") == committed
    t = catalog(f"sqlite:///{db}").load_table(("default", "order_items"))
    assert t.scan().to_arrow().num_rows == rows
    con = duckdb_connect("avro", "iceberg")
    assert con.execute(f"SELECT count(*) FROM iceberg_scan('{committed}')").fetchone()[0] == rows
    # and the next append commits on top of it
    run_cli(*args, *small, "--mode", "append")
    assert catalog(f"sqlite:///{db}").load_table(("default", "order_items")).scan().to_arrow().num_rows == 2 * rows


# ---------------------------------------------------------------- hour partitions

def test_weather_hour_and_month_partitions(tmp_path, run_cli):
    db = tmp_path / "cat.db"
    opts = ["--start", "2023-01-01", "--end", "2023-01-02", "--quiet"]
    run_cli("generate", "weather", "--output", tmp_path / "wh", "--format", "iceberg",
            "--catalog-uri", f"sqlite:///{db}", *opts)
    run_cli("generate", "weather", "--output", tmp_path / "jsonl", "--format", "jsonl", *opts)
    cat = catalog(f"sqlite:///{db}")
    hourly = cat.load_table(("default", "weather_hourly"))
    assert [(f.name, str(f.transform)) for f in hourly.spec().fields] == [("timestamp_hour", "hour")]
    assert [(f.name, str(f.transform)) for f in cat.load_table(("default", "weather_daily")).spec().fields] == \
        [("date_month", "month")]
    rows = jsonl_rows(tmp_path / "jsonl", "weather_hourly")
    got = hourly.scan().to_arrow()
    assert got.num_rows == len(rows)
    assert sorted(canon(v) for v in got.column("timestamp").to_pylist()) == sorted(r["timestamp"] for r in rows)
    # one hour of one day: only that hour's files are planned
    every = list(hourly.scan().plan_files())
    one = list(hourly.scan(row_filter="timestamp >= '2023-01-01T05:00:00+00:00' and "
                                      "timestamp < '2023-01-01T06:00:00+00:00'").plan_files())
    assert 0 < len(one) < len(every)
    assert all("day=01/hour=05" in f.file.file_path for f in one)
