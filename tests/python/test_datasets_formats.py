"""The time-series datasets through every table format: Delta Lake read by
delta-rs, Iceberg by pyiceberg, DuckLake by DuckDB, each holding the same
rows as the plain Parquet run of the same options, with partition specs
from the datasets' transforms."""
import glob

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from dsg_series import generate, glob_of
from readers import duckdb_connect

CASES = {
    "weather": ("weather_hourly", ("--locations", "4", "--start", "2023-03-01", "--end", "2023-03-02",
                                   "--hourly-partitioning", "ymd")),
    "sensors": ("sensor_readings", ("--n-devices", "4", "--start", "2023-03-01", "--end", "2023-03-01")),
    "market_ohlcv": ("ohlcv", ("--symbols", "AA,BB", "--start", "2023-03-01", "--end", "2023-03-02", "--freq", "15m")),
    "market_quotes": ("quotes", ("--symbols", "AA,BB", "--start", "2023-03-01", "--end", "2023-03-01",
                                 "--quotes-per-minute", "1")),
}


def canonical(table, key):
    """Rows sorted by their key columns, as Python values."""
    t = table.sort_by([(k, "ascending") for k in key])
    return t.select(sorted(t.column_names)).to_pylist()


KEYS = {"weather_hourly": ("timestamp", "location_id"), "sensor_readings": ("timestamp", "device_id", "metric"),
        "ohlcv": ("timestamp", "symbol"), "quotes": ("sequence",)}


@pytest.mark.parametrize("dataset", sorted(CASES))
def test_table_formats_hold_the_parquet_rows(run_cli, tmp_path, dataset):
    table, args = CASES[dataset]
    plain = generate(run_cli, dataset, tmp_path / "plain", "--tables", table, *args)
    con = duckdb_connect("avro", "iceberg", "ducklake", "sqlite_scanner")
    want = canonical(con.sql(f"SELECT * FROM read_parquet('{glob_of(plain, table)}', hive_partitioning=false)").to_arrow_table(),
                     KEYS[table])
    assert len(want) > 10

    from deltalake import DeltaTable
    delta = generate(run_cli, dataset, tmp_path / "delta", "--format", "delta", "--tables", table, *args)
    dt = DeltaTable(str(delta / table))
    assert dt.metadata().partition_columns, "Delta table without partition columns"
    got = dt.to_pyarrow_table()
    got = got.drop_columns([c for c in dt.metadata().partition_columns if c in got.column_names])
    assert canonical(got, KEYS[table]) == want

    from pyiceberg.table import StaticTable
    ice = generate(run_cli, dataset, tmp_path / "ice", "--format", "iceberg", "--tables", table, *args)
    meta = sorted(glob.glob(str(ice / table / "metadata" / "*.metadata.json")))[-1]
    it = StaticTable.from_metadata(meta)
    assert it.spec().fields, "Iceberg table without a partition spec"
    assert canonical(it.scan().to_arrow(), KEYS[table]) == want

    (tmp_path / "lake").mkdir()
    lake = generate(run_cli, dataset, tmp_path / "lake" / "data", "--format", "ducklake", "--tables", table,
                    "--catalog-uri", f"sqlite:///{tmp_path / 'lake' / 'cat.db'}", *args)
    con.execute(f"ATTACH 'ducklake:sqlite:{tmp_path / 'lake' / 'cat.db'}' AS lake (DATA_PATH '{lake}')")
    assert canonical(con.sql(f"SELECT * FROM lake.{table}").to_arrow_table(), KEYS[table]) == want
