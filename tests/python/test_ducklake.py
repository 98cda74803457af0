"""--format ducklake read back by DuckDB 1.5 (ducklake, sqlite_scanner,
postgres_scanner and httpfs extensions), which shares no code with us.

Every ecommerce table (ymd, ym, yearmonth) and alltypes equals the JSONL of
the same options; snapshots, table info, time travel, file pruning by a date
filter; DuckDB writes into our lake (an insert, a new table, a compaction)
and we append after it; overwrite; PostgreSQL catalogs with concurrent
writers and 4 shards; an S3 data path; a kill -9 leaves the previous
snapshot; a catalog of a newer specification is refused.
"""
import datetime
import glob
import json
import math
import os
import signal
import sqlite3
import subprocess
import time
import uuid
from decimal import Decimal

import pytest

from readers import duckdb_connect

SMALL = ["--n-customers", "60", "--n-products", "25", "--orders-per-day", "40",
         "--start", "2024-01-30", "--end", "2024-02-03", "--file-rows-target", "50", "--quiet"]
TABLES = ["customers", "products", "orders", "order_items"]
KEYS = {"customers": "customer_id", "products": "product_id", "orders": "order_id",
        "order_items": "order_item_id", "alltypes": "id"}
TRANSFORMS = {"ymd": ["year", "month", "day"], "ym": ["year", "month"], "yearmonth": ["year", "month"]}


# ---------------------------------------------------------------- helpers

def canon(v):
    """A DuckDB value as our JSONL prints it: 64-bit integers, timestamps
    (microseconds), durations and decimals as strings, NaN as "NaN"."""
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return "NaN" if math.isnan(v) else v
    if isinstance(v, (str, Decimal)):
        return str(v)
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        d = v - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
        return str((d.days * 86400 + d.seconds) * 1000000 + d.microseconds)
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, dict):
        return {str(k): canon(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        if v and all(isinstance(x, tuple) and len(x) == 2 for x in v):  # Arrow map
            return {str(k): canon(x) for k, x in v}
        return [canon(x) for x in v]
    raise TypeError(type(v))


def same(a, b):
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, str) and isinstance(b, int) and not isinstance(b, bool):
        return a == str(b)  # JSONL prints 8- to 32-bit integers as numbers
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-30)
    if isinstance(a, str) and isinstance(b, str) and a != b:
        try:  # integers and decimals printed differently, e.g. "80" and "80.0"
            return Decimal(a) == Decimal(b)
        except Exception:
            return False
    return a == b


def jsonl_rows(root, table):
    rows = []
    for f in sorted(glob.glob(f"{root}/{table}/**/*.jsonl", recursive=True)):
        with open(f) as fh:
            rows += [json.loads(line) for line in fh]
    return rows


def assert_table_equals_jsonl(con, table, expected, key):
    cur = con.execute(f"SELECT * FROM lake.{table}")
    names = [d[0] for d in cur.description]
    got = {}
    for row in cur.fetchall():
        r = dict(zip(names, row))
        got[str(r[key])] = r
    assert len(got) == len(expected), f"{table}: {len(got)} rows, JSONL has {len(expected)}"
    for e in expected:
        g = got[str(e[key])]
        assert set(g) == set(e), f"{table}: columns {sorted(g)} != {sorted(e)}"
        for col, want in e.items():
            have = canon(g[col])
            assert same(have, want), f"{table} {key}={e[key]} {col}: {have!r} != {want!r}"


def attach(con, catalog, data_path=None, name="lake", extra=""):
    """ATTACH our catalog: catalog is 'sqlite:/path' or a PostgreSQL URI."""
    if catalog.startswith("postgresql://"):
        target = "postgres:" + pg_dsn(catalog)
    else:
        target = catalog
    opts = []
    if data_path:
        opts.append(f"DATA_PATH '{data_path}'")
    if extra:
        opts.append(extra)
    o = f" ({', '.join(opts)})" if opts else ""
    con.execute(f"ATTACH 'ducklake:{target}' AS {name}{o}")


def pg_dsn(uri):
    # postgresql://user:pass@host:port/db -> libpq key/value string
    rest = uri.split("://", 1)[1]
    cred, hostdb = rest.split("@", 1)
    user, pw = cred.split(":", 1)
    hostport, db = hostdb.split("/", 1)
    host, port = hostport.split(":")
    return f"dbname={db} host={host} port={port} user={user} password={pw}"


def sqlite_uri(path):
    return f"sqlite:///{str(path).lstrip('/')}"


def duck_sqlite(path):
    return f"sqlite:{path}"


def new_pg_database(postgres):
    name = "dl_" + uuid.uuid4().hex[:10]
    base = f"postgresql://{postgres['user']}:{postgres['password']}@{postgres['host']}:{postgres['port']}"
    subprocess.run(["psql", f"{base}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True,
                   capture_output=True)
    return f"{base}/{name}"


def connect(*ext):
    return duckdb_connect(*(ext or ("ducklake", "sqlite_scanner", "postgres_scanner")))


# ---------------------------------------------------------------- lakes

@pytest.fixture(scope="module")
def ecommerce(tmp_path_factory, run_cli):
    """One SQLite DuckLake per orders partitioning, and the JSONL of the same options."""
    base = tmp_path_factory.mktemp("dl-ecommerce")
    lakes = {}
    for part in ("ymd", "ym", "yearmonth"):
        opts = [*SMALL, "--orders-partitioning", part]
        run_cli("generate", "ecommerce", "--format", "ducklake", "--output", base / part / "data",
                "--catalog-uri", sqlite_uri(base / part / "lake.sqlite"), *opts)
        run_cli("generate", "ecommerce", "--format", "jsonl", "--output", base / part / "jsonl", *opts)
        lakes[part] = base / part
    return lakes


@pytest.fixture(scope="module")
def alltypes(tmp_path_factory, run_cli):
    base = tmp_path_factory.mktemp("dl-alltypes")
    opts = ["--rows", "700", "--file-rows-target", "300", "--quiet"]
    run_cli("generate", "alltypes", "--format", "ducklake", "--output", base / "data",
            "--catalog-uri", sqlite_uri(base / "lake.sqlite"), *opts)
    run_cli("generate", "alltypes", "--format", "jsonl", "--output", base / "jsonl", *opts)
    return base


# ---------------------------------------------------------------- reading

@pytest.mark.parametrize("part", ["ymd", "ym", "yearmonth"])
def test_every_ecommerce_table_equals_jsonl(ecommerce, part):
    root = ecommerce[part]
    con = connect()
    attach(con, duck_sqlite(root / "lake.sqlite"), f"{root / 'data'}/")
    tables = sorted(r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'lake'").fetchall())
    assert tables == sorted(TABLES)
    for t in TABLES:
        assert_table_equals_jsonl(con, t, jsonl_rows(root / "jsonl", t), KEYS[t])
    # one snapshot for the whole run, after snapshot 0
    snaps = con.execute("SELECT snapshot_id, changes FROM ducklake_snapshots('lake') ORDER BY 1").fetchall()
    assert [s[0] for s in snaps] == [0, 1]
    assert sorted(snaps[1][1]["tables_created"]) == sorted(f"main.{t}" for t in TABLES)
    # orders and order_items partitioned by transforms of order_date
    db = sqlite3.connect(root / "lake.sqlite")
    for t in ("orders", "order_items"):
        rows = db.execute(
            "SELECT pc.transform, c.column_name FROM ducklake_partition_column pc JOIN ducklake_table t "
            "USING (table_id) JOIN ducklake_column c ON c.table_id = pc.table_id AND c.column_id = pc.column_id "
            "WHERE t.table_name = ? ORDER BY pc.partition_key_index", (t,)).fetchall()
        assert rows == [(tr, "order_date") for tr in TRANSFORMS[part]]


def test_alltypes_equals_jsonl(alltypes):
    con = connect()
    attach(con, duck_sqlite(alltypes / "lake.sqlite"))
    assert_table_equals_jsonl(con, "alltypes", jsonl_rows(alltypes / "jsonl", "alltypes"), "id")
    info = con.execute("SELECT table_name, file_count FROM ducklake_table_info('lake')").fetchall()
    assert info == [("alltypes", 3)]


def test_statistics_prune_files(ecommerce):
    """A date filter reads only the files of that day (ymd: one file per day)."""
    root = ecommerce["ymd"]
    con = connect()
    attach(con, duck_sqlite(root / "lake.sqlite"))
    plan = con.execute("EXPLAIN ANALYZE SELECT count(*) FROM lake.orders "
                       "WHERE order_date = DATE '2024-02-01'").fetchall()[0][1]
    total = con.execute("SELECT file_count FROM ducklake_table_info('lake') "
                        "WHERE table_name = 'orders'").fetchone()[0]
    day_files = len(glob.glob(str(root / "data" / "orders" / "year=2024" / "month=02" / "day=01" / "*.parquet")))
    assert total > day_files >= 1
    assert f"Total Files Read: {day_files}" in plan
    n = con.execute("SELECT count(*) FROM lake.orders WHERE order_date = DATE '2024-02-01'").fetchone()[0]
    assert n == sum(1 for r in jsonl_rows(root / "jsonl", "orders") if r["order_date"] == "2024-02-01")
    # the catalog's statistics of the file agree with its rows
    stats = con.execute(
        "SELECT min(order_id), max(order_id) FROM lake.orders WHERE order_date = DATE '2024-02-01'").fetchone()
    db = sqlite3.connect(root / "lake.sqlite")
    mm = db.execute(
        "SELECT min(CAST(s.min_value AS INTEGER)), max(CAST(s.max_value AS INTEGER)) FROM ducklake_file_column_stats s "
        "JOIN ducklake_data_file d USING (data_file_id) JOIN ducklake_table t ON t.table_id = d.table_id "
        "JOIN ducklake_column c ON c.table_id = t.table_id AND c.column_id = s.column_id "
        "WHERE t.table_name = 'orders' AND c.column_name = 'order_id' AND d.path LIKE 'year=2024/month=02/day=01/%'"
    ).fetchone()
    assert tuple(stats) == mm


# ---------------------------------------------------------------- writing after and before DuckDB

def test_append_time_travel_duckdb_writes_and_compaction(tmp_path, run_cli):
    cat = tmp_path / "lake.sqlite"
    data = tmp_path / "data"
    opts = [*SMALL, "--tables", "orders,order_items"]
    run_cli("generate", "ecommerce", "--format", "ducklake", "--output", data, "--catalog-uri", sqlite_uri(cat), *opts)
    # the same run again: mode create refuses, nothing changes
    p = run_cli("generate", "ecommerce", "--format", "ducklake", "--output", data, "--catalog-uri",
                sqlite_uri(cat), *opts, check=False)
    assert p.returncode == 2 and "already exists" in p.stderr
    run_cli("generate", "ecommerce", "--format", "ducklake", "--output", data, "--catalog-uri", sqlite_uri(cat),
            "--mode", "append", *opts)
    con = connect()
    attach(con, duck_sqlite(cat))
    n1 = con.execute("SELECT count(*) FROM lake.orders AT (VERSION => 1)").fetchone()[0]
    n2 = con.execute("SELECT count(*) FROM lake.orders").fetchone()[0]
    assert n1 > 0 and n2 == 2 * n1  # the same rows again
    snaps = con.execute("SELECT snapshot_id, changes FROM ducklake_snapshots('lake') ORDER BY 1").fetchall()
    assert [s[0] for s in snaps] == [0, 1, 2]
    assert "tables_inserted_into" in snaps[2][1] and "tables_created" not in snaps[2][1]
    info = dict(con.execute("SELECT table_name, file_count FROM ducklake_table_info('lake')").fetchall())
    assert info["orders"] == len(glob.glob(str(data / "orders" / "**" / "*.parquet"), recursive=True))
    # DuckDB writes into our lake: rows into our table, a table of its own
    con.execute("INSERT INTO lake.orders SELECT * FROM lake.orders AT (VERSION => 1) WHERE order_date = '2024-01-30'")
    added = con.execute("SELECT count(*) FROM lake.orders AT (VERSION => 1) "
                        "WHERE order_date = '2024-01-30'").fetchone()[0]
    con.execute("CREATE TABLE lake.notes AS SELECT 1 AS k, 'duckdb' AS who")
    con.execute("DETACH lake")
    # we append after DuckDB
    run_cli("generate", "ecommerce", "--format", "ducklake", "--output", data, "--catalog-uri", sqlite_uri(cat),
            "--mode", "append", *opts)
    con = connect()
    attach(con, duck_sqlite(cat))
    assert con.execute("SELECT count(*) FROM lake.orders").fetchone()[0] == 3 * n1 + added
    assert con.execute("SELECT * FROM lake.notes").fetchall() == [(1, "duckdb")]
    ids = con.execute("SELECT count(DISTINCT rowid), count(*) FROM lake.orders").fetchone()
    assert ids[0] == ids[1]  # row ids stay unique across DuckDB's and our writes
    # DuckDB compacts our files
    before = con.execute("SELECT * FROM lake.orders ORDER BY ALL").fetchall()
    files_before = con.execute("SELECT count(*) FROM ducklake_list_files('lake', 'orders')").fetchone()[0]
    con.execute("CALL ducklake_merge_adjacent_files('lake')")
    files_after = con.execute("SELECT count(*) FROM ducklake_list_files('lake', 'orders')").fetchone()[0]
    assert files_after < files_before
    assert con.execute("SELECT * FROM lake.orders ORDER BY ALL").fetchall() == before
    # rows DuckDB inlines into the catalog (a small insert) are ended by our overwrite too
    con.execute("INSERT INTO lake.orders SELECT * FROM lake.orders LIMIT 2")
    inlined = sqlite3.connect(cat).execute(
        "SELECT count(*) FROM ducklake_inlined_data_tables i JOIN ducklake_table t USING (table_id) "
        "WHERE t.table_name = 'orders'").fetchone()[0]
    assert inlined >= 1
    added += 2
    con.execute("DETACH lake")
    # and we append after the compaction; then overwrite
    run_cli("generate", "ecommerce", "--format", "ducklake", "--output", data, "--catalog-uri", sqlite_uri(cat),
            "--mode", "append", *opts)
    run_cli("generate", "ecommerce", "--format", "ducklake", "--output", data, "--catalog-uri", sqlite_uri(cat),
            "--mode", "overwrite", *opts)
    con = connect()
    attach(con, duck_sqlite(cat))
    assert con.execute("SELECT count(*) FROM lake.orders").fetchone()[0] == n1
    last = con.execute("SELECT max(snapshot_id) FROM ducklake_snapshots('lake')").fetchone()[0]
    assert con.execute(f"SELECT count(*) FROM lake.orders AT (VERSION => {last - 1})").fetchone()[0] == 4 * n1 + added
    assert con.execute("SELECT * FROM lake.notes").fetchall() == [(1, "duckdb")]


def test_concurrent_writers_on_sqlite(tmp_path, run_cli, dsg_bin):
    """Three runs at once append to one SQLite catalog: each commits its own snapshot."""
    cat = tmp_path / "lake.sqlite"
    base = ["generate", "ecommerce", "--format", "ducklake", "--output", str(tmp_path / "data"), "--catalog-uri",
            sqlite_uri(cat), *SMALL, "--mode", "append", "--threads", "1"]
    procs = [subprocess.Popen([dsg_bin, *base], stderr=subprocess.PIPE, text=True) for _ in range(3)]
    for p in procs:
        _, e = p.communicate(timeout=300)
        assert p.returncode == 0, e
    con = connect()
    attach(con, duck_sqlite(cat))
    one = con.execute("SELECT count(*) FROM lake.orders AT (VERSION => 1)").fetchone()[0]
    assert one > 0 and con.execute("SELECT count(*) FROM lake.orders").fetchone()[0] == 3 * one
    assert con.execute("SELECT count(*) FROM ducklake_snapshots('lake')").fetchone()[0] == 4
    tables = con.execute("SELECT count(*) FROM ducklake_table_info('lake')").fetchone()[0]
    assert tables == len(TABLES)  # created once, appended twice


def test_lake_created_by_duckdb(tmp_path, run_cli):
    """A catalog DuckDB made (schema path main/, its data path): our tables join it."""
    cat = tmp_path / "lake.sqlite"
    con = connect()
    attach(con, duck_sqlite(cat), f"{tmp_path / 'duck'}/")
    con.execute("CREATE TABLE lake.t AS SELECT range AS x FROM range(5)")
    con.execute("DETACH lake")
    run_cli("generate", "ecommerce", "--format", "ducklake", "--output", tmp_path / "ours", "--catalog-uri",
            sqlite_uri(cat), *SMALL, "--tables", "customers")
    con = connect()
    attach(con, duck_sqlite(cat))
    assert con.execute("SELECT count(*) FROM lake.t").fetchone()[0] == 5
    ours = con.execute(f"SELECT count(*) FROM read_parquet('{tmp_path / 'ours' / 'customers'}/*.parquet')").fetchone()[0]
    assert ours > 0 and con.execute("SELECT count(*) FROM lake.customers").fetchone()[0] == ours
    path, rel = sqlite3.connect(cat).execute(
        "SELECT path, path_is_relative FROM ducklake_table WHERE table_name = 'customers'").fetchone()
    assert rel == 0 and path == f"{tmp_path / 'ours' / 'customers'}/"


# ---------------------------------------------------------------- refusals

def test_refusals(tmp_path, run_cli):
    cat = tmp_path / "lake.sqlite"
    p = run_cli("generate", "ecommerce", "--format", "ducklake", "--output", tmp_path / "d", *SMALL, check=False)
    assert p.returncode == 2 and "--catalog-uri" in p.stderr
    assert not (tmp_path / "d").exists()
    p = run_cli("generate", "ecommerce", "--format", "ducklake", "--output", tmp_path / "d", "--catalog-uri",
                sqlite_uri(cat), "--catalog-kind", "postgres", *SMALL, check=False)
    assert p.returncode == 2 and not cat.exists()
    run_cli("generate", "ecommerce", "--format", "ducklake", "--output", tmp_path / "d", "--catalog-uri",
            sqlite_uri(cat), *SMALL, "--tables", "products")
    db = sqlite3.connect(cat)
    db.execute("UPDATE ducklake_metadata SET value = '1.1' WHERE key = 'version'")
    db.commit()
    snaps = db.execute("SELECT count(*) FROM ducklake_snapshot").fetchone()[0]
    p = run_cli("generate", "ecommerce", "--format", "ducklake", "--output", tmp_path / "d", "--catalog-uri",
                sqlite_uri(cat), "--mode", "append", *SMALL, "--tables", "products", check=False)
    assert p.returncode == 2 and "1.1" in p.stderr and "newer" in p.stderr
    assert db.execute("SELECT count(*) FROM ducklake_snapshot").fetchone()[0] == snaps


# ---------------------------------------------------------------- PostgreSQL, races, shards

def test_postgres_catalog_concurrent_writers_and_shards(tmp_path, run_cli, dsg_bin, postgres):
    uri = new_pg_database(postgres)
    jsonl = tmp_path / "jsonl"
    run_cli("generate", "ecommerce", "--format", "jsonl", "--output", jsonl, *SMALL)
    # 4 shards at once create the tables together
    base = ["generate", "ecommerce", "--format", "ducklake", "--output", tmp_path / "data", "--catalog-uri", uri,
            *SMALL]
    procs = [subprocess.Popen([dsg_bin, *map(str, base), "--shard", f"{k}/4"], stderr=subprocess.PIPE, text=True)
             for k in range(1, 5)]
    for p in procs:
        _, e = p.communicate(timeout=300)
        assert p.returncode == 0, e
        assert postgres["password"] not in e
    con = connect()
    attach(con, uri)
    for t in TABLES:
        assert_table_equals_jsonl(con, t, jsonl_rows(jsonl, t), KEYS[t])
    snaps = con.execute("SELECT count(*) FROM ducklake_snapshots('lake')").fetchone()[0]
    assert 2 <= snaps <= 5  # snapshot 0, then one per shard that had files
    con.execute("DETACH lake")
    # two whole runs at once append; both commit
    procs = [subprocess.Popen([dsg_bin, *map(str, base), "--mode", "append"], stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    for p in procs:
        _, e = p.communicate(timeout=300)
        assert p.returncode == 0, e
    con = connect()
    attach(con, uri)
    for t in TABLES:
        n = con.execute(f"SELECT count(*) FROM lake.{t}").fetchone()[0]
        assert n == 3 * len(jsonl_rows(jsonl, t))
    assert con.execute("SELECT count(*) FROM ducklake_snapshots('lake')").fetchone()[0] == snaps + 2
    # DuckDB inserts through the PostgreSQL catalog, then we append after it
    con.execute("INSERT INTO lake.products SELECT * FROM lake.products LIMIT 3")
    con.execute("DETACH lake")
    run_cli(*base, "--mode", "append", "--tables", "products")
    con = connect()
    attach(con, uri)
    assert con.execute("SELECT count(*) FROM lake.products").fetchone()[0] == 4 * len(jsonl_rows(jsonl, "products")) + 3


def test_postgres_errors_name_the_catalog_without_password(tmp_path, run_cli, postgres):
    bad = f"postgresql://{postgres['user']}:wrong-pass@{postgres['host']}:{postgres['port']}/{postgres['dbname']}"
    p = run_cli("generate", "ecommerce", "--format", "ducklake", "--output", tmp_path / "d", "--catalog-uri", bad,
                *SMALL, check=False)
    assert p.returncode == 1
    assert "wrong-pass" not in p.stderr and f"@{postgres['host']}:{postgres['port']}" in p.stderr
    assert not (tmp_path / "d").exists()


# ---------------------------------------------------------------- S3

def test_s3_data_path(tmp_path, run_cli, s3):
    cat = tmp_path / "lake.sqlite"
    jsonl = tmp_path / "jsonl"
    run_cli("generate", "ecommerce", "--format", "jsonl", "--output", jsonl, *SMALL)
    run_cli("generate", "ecommerce", "--format", "ducklake", "--output", f"s3://{s3['bucket']}/lakes/one",
            "--catalog-uri", sqlite_uri(cat), *SMALL, env=s3["env"])
    data_path = sqlite3.connect(cat).execute(
        "SELECT value FROM ducklake_metadata WHERE key = 'data_path'").fetchone()[0]
    assert data_path == f"s3://{s3['bucket']}/lakes/one/"
    con = connect("ducklake", "sqlite_scanner", "httpfs")
    endpoint = s3["endpoint"].split("://", 1)[1]
    con.execute(f"""CREATE SECRET lake_s3 (TYPE S3, KEY_ID '{s3['key']}', SECRET '{s3['secret']}',
                    REGION '{s3['region']}', ENDPOINT '{endpoint}', URL_STYLE 'path', USE_SSL false)""")
    attach(con, duck_sqlite(cat))
    for t in TABLES:
        assert_table_equals_jsonl(con, t, jsonl_rows(jsonl, t), KEYS[t])


# ---------------------------------------------------------------- kill -9

def test_kill_9_leaves_the_previous_snapshot(tmp_path, run_cli, dsg_bin):
    cat = tmp_path / "lake.sqlite"
    data = tmp_path / "data"
    run_cli("generate", "ecommerce", "--format", "ducklake", "--output", data, "--catalog-uri", sqlite_uri(cat),
            *SMALL)
    big = ["generate", "ecommerce", "--format", "ducklake", "--output", str(data), "--catalog-uri",
           sqlite_uri(cat), "--mode", "append", "--n-customers", "200000", "--orders-per-day", "20000",
           "--start", "2024-01-01", "--end", "2024-12-31", "--threads", "1", "--quiet"]
    p = subprocess.Popen([dsg_bin, *big], stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline and p.poll() is None:
        if len(glob.glob(str(data / "**" / "*.parquet"), recursive=True)) > 25:
            break
        time.sleep(0.05)
    assert p.poll() is None, "the big run ended before it could be killed"
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    con = connect()
    attach(con, duck_sqlite(cat))
    assert con.execute("SELECT max(snapshot_id) FROM ducklake_snapshots('lake')").fetchone()[0] == 1
    customers = con.execute("SELECT count(*) FROM lake.customers AT (VERSION => 1)").fetchone()[0]
    assert customers > 0 and con.execute("SELECT count(*) FROM lake.customers").fetchone()[0] == customers
    con.close()
    # the next run commits normally beside the orphans
    run_cli("generate", "ecommerce", "--format", "ducklake", "--output", data, "--catalog-uri", sqlite_uri(cat),
            "--mode", "append", *SMALL, "--tables", "customers")
    con = connect()
    attach(con, duck_sqlite(cat))
    assert con.execute("SELECT count(*) FROM lake.customers").fetchone()[0] == 2 * customers
