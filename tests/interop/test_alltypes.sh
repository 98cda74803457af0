#!/usr/bin/env bash
# The alltypes codec matrix read by DuckDB, Polars, parquet-wasm and
# hyparquet (see run.sh), and the checkers' own self-test.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bash "$here/run.sh" --self-test && bash "$here/run.sh"
