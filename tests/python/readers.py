"""Helpers to open the independent readers the tests compare against."""
import importlib
from pathlib import Path

DUCKDB_EXTENSIONS = ("avro", "delta", "iceberg", "ducklake", "sqlite_scanner", "postgres_scanner", "httpfs")


def duckdb_extension_path(name):
    """The extension file shipped by the PyPI package duckdb-extension-<name>."""
    pkg = importlib.import_module("duckdb_extension_" + name)
    found = sorted(Path(pkg.__file__).parent.glob("extensions/*/*.duckdb_extension"))
    assert found, f"duckdb-extension-{name} holds no extension file"
    return str(found[-1])


def duckdb_connect(*extensions):
    """A DuckDB connection with the given extensions (default: all of ours)
    loaded from their PyPI packages (DuckDB cannot download them here)."""
    import duckdb
    con = duckdb.connect()
    con.execute("SET autoinstall_known_extensions = false")
    for name in extensions or DUCKDB_EXTENSIONS:
        con.execute(f"LOAD '{duckdb_extension_path(name)}'")
    return con
