"""The time-series datasets from Python (create_generator) hold the same
values as the CLI's Parquet files of the same options, read by pyarrow."""
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import dataset_generator as dg
from dsg_series import files_of, generate

OPTIONS = {
    "weather": dict(locations="Berlin,Lima,Tokyo", start="2023-06-01", end="2023-06-03", storm_rate=0.3),
    "sensors": dict(n_devices=6, start="2023-06-01", end="2023-06-01", missing_probability=0.05,
                    metrics="temperature,co2"),
    "market_ohlcv": dict(symbols="AA,BB", start="2023-06-01", end="2023-06-05", freq="5m", calendar="nyse"),
    "market_quotes": dict(symbols="AA,BB", start="2023-06-01", end="2023-06-01", quotes_per_minute=3),
}


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_python_equals_cli(name, run_cli, tmp_path):
    opts = OPTIONS[name]
    gen = dg.create_generator(name, **opts)
    args = [x for k, v in opts.items() for x in ("--" + k.replace("_", "-"), str(v))]
    out = generate(run_cli, name, tmp_path / "cli", *args)
    for table in gen.tables():
        schema = pa.schema(gen.schema_for(table))
        got = pa.Table.from_batches([pa.record_batch(b) for b in gen.batches_for(table)], schema=schema)
        want = pa.concat_tables([pq.ParquetFile(f).read() for f in files_of(out, table)])
        assert got.num_rows == want.num_rows > 0, table
        assert got.schema.names == want.schema.names
        for col in got.schema.names:
            assert got[col].to_pylist() == want[col].to_pylist(), (table, col)
