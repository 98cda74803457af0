"""The test environment itself: the readers the other tests rely on load."""
from readers import duckdb_connect


def test_duckdb_extensions_load():
    con = duckdb_connect()
    loaded = {r[0] for r in con.execute(
        "SELECT extension_name FROM duckdb_extensions() WHERE loaded").fetchall()}
    assert {"delta", "iceberg", "ducklake", "sqlite_scanner", "postgres_scanner", "httpfs"} <= loaded


def test_spark_starts(spark):
    assert spark.range(10).count() == 10
