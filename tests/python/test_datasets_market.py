"""market_ohlcv and market_quotes read back by DuckDB and Polars: schemas and
declared types, trading days, OHLC consistency, every frequency = the
aggregate of the 1m bars, quotes inside their minute's bar, bid < ask,
monotone timestamps and sequences, realism, options and errors."""
import datetime as dt

import polars as pl
import pyarrow.parquet as pq
import pytest

from dsg_series import check_determinism, check_hive_layout, files_of, generate, glob_of
from readers import duckdb_connect

OHLCV = {"timestamp": "TIMESTAMP WITH TIME ZONE", "symbol": "VARCHAR", "open": "DOUBLE", "high": "DOUBLE",
         "low": "DOUBLE", "close": "DOUBLE", "volume": "BIGINT"}
QUOTES = {"timestamp": "TIMESTAMP WITH TIME ZONE", "symbol": "VARCHAR", "bid_price": "DOUBLE",
          "ask_price": "DOUBLE", "bid_size": "INTEGER", "ask_size": "INTEGER", "spread_bps": "FLOAT",
          "sequence": "BIGINT"}
PATH = ("--symbols", "AAA,BBB,CCC,DDD", "--start", "2024-02-26", "--end", "2024-03-06", "--seed", "77",
        "--trading-hours", "09:30-16:00", "--utc-offset", "-5", "--calendar", "nyse")


@pytest.fixture(scope="module")
def bars(run_cli, tmp_path_factory):
    """The same path at every frequency, and its quotes."""
    root = tmp_path_factory.mktemp("mk")
    out = {f: generate(run_cli, "market_ohlcv", root / f, "--freq", f, *PATH) for f in ("1m", "5m", "1h", "1d")}
    out["quotes"] = generate(run_cli, "market_quotes", root / "q", *PATH)
    return out


def describe(con, glob):
    return {r[0]: r[1] for r in con.sql(f"DESCRIBE SELECT * FROM read_parquet('{glob}', hive_partitioning=false)").fetchall()}


def test_schemas_and_layout(bars):
    con = duckdb_connect()
    assert describe(con, glob_of(bars["1m"], "ohlcv")) == OHLCV
    assert describe(con, glob_of(bars["quotes"], "quotes")) == QUOTES
    # declared types are the written types (the reference declares Int32/Float32 and writes 64 bits)
    schema = pq.read_schema(files_of(bars["quotes"], "quotes")[0])
    assert str(schema.field("bid_size").type) == "int32" and str(schema.field("spread_bps").type) == "float"
    assert str(schema.field("timestamp").type) == "timestamp[us, tz=UTC]"
    # 8 trading days x 6.5 h of UTC 14:30-21:00 touch 7 hours each
    assert check_hive_layout(bars["1m"], "ohlcv", "timestamp", ("year", "month", "day", "hour")) == 8 * 7
    assert check_hive_layout(bars["1d"], "ohlcv", "timestamp", ("year", "month")) == 2
    check_hive_layout(bars["quotes"], "quotes", "timestamp", ("year", "month", "day", "hour"))


def test_trading_days_and_bars(bars):
    m1 = pl.read_parquet(glob_of(bars["1m"], "ohlcv"))
    days = sorted({t.date() for t in m1["timestamp"]})
    # 2024-02-26..03-06 minus the weekend of 03-02/03
    assert days == [dt.date(2024, 2, d) for d in (26, 27, 28, 29)] + [dt.date(2024, 3, d) for d in (1, 4, 5, 6)]
    per_day = m1.group_by(m1["timestamp"].dt.date(), "symbol").agg(pl.len(), pl.col("timestamp").min().alias("first"))
    assert (per_day["len"] == 390).all()
    assert {t.strftime("%H:%M") for t in per_day["first"]} == {"14:30"}
    keys = m1.select("timestamp", "symbol")
    assert keys.equals(keys.sort("timestamp", "symbol"))
    for f in ("1m", "5m", "1h", "1d"):
        b = pl.read_parquet(glob_of(bars[f], "ohlcv"))
        ok = b.select((pl.col("high") >= pl.max_horizontal("open", "close")).all()
                      & (pl.col("low") <= pl.min_horizontal("open", "close")).all()).item()
        assert ok, f
        assert (b["low"] > 0).all() and (b["volume"] > 0).all(), f
        for col in ("open", "high", "low", "close"):
            assert ((b[col] * 100 - (b[col] * 100).round()).abs() < 1e-6).all(), (f, col)  # ticks of 0.01
    d1 = pl.read_parquet(glob_of(bars["1d"], "ohlcv"))
    assert {t.strftime("%H:%M") for t in d1["timestamp"]} == {"00:00"} and d1.height == 8 * 4


AGG = """
SELECT symbol, {bucket} AS ts, first(open ORDER BY timestamp) o, max(high) h, min(low) l,
       last(close ORDER BY timestamp) c, sum(volume) v
FROM read_parquet('{m1}') GROUP BY ALL
"""


@pytest.mark.parametrize("freq, bucket", [
    ("5m", "time_bucket(INTERVAL 5 MINUTE, timestamp, TIMESTAMPTZ '2024-01-01 14:30:00+00')"),
    ("1h", "time_bucket(INTERVAL 1 HOUR, timestamp, TIMESTAMPTZ '2024-01-01 14:30:00+00')"),
    ("1d", "CAST(CAST(timestamp AS DATE) AS TIMESTAMPTZ)"),
])
def test_every_frequency_aggregates_the_1m_bars(bars, freq, bucket):
    con = duckdb_connect()
    con.execute("SET TimeZone = 'UTC'")
    diff = con.sql(f"""
        WITH a AS ({AGG.format(bucket=bucket, m1=glob_of(bars['1m'], 'ohlcv'))}),
             b AS (SELECT * FROM read_parquet('{glob_of(bars[freq], 'ohlcv')}'))
        SELECT count(*) total, count(*) FILTER (a.o IS DISTINCT FROM b.open OR a.h IS DISTINCT FROM b.high
               OR a.l IS DISTINCT FROM b.low OR a.c IS DISTINCT FROM b.close OR a.v IS DISTINCT FROM b.volume) bad
        FROM a FULL JOIN b ON a.symbol = b.symbol AND a.ts = b.timestamp""").fetchone()
    assert diff[0] > 0 and diff[1] == 0, diff


def test_quotes(bars):
    con = duckdb_connect()
    con.execute("SET TimeZone = 'UTC'")
    q = glob_of(bars["quotes"], "quotes")
    n, bad_spread, bad_seq, nonmono, bad_bps = con.sql(f"""
        WITH x AS (SELECT *, lag(timestamp) OVER (PARTITION BY symbol ORDER BY sequence) prev_ts,
                              row_number() OVER (ORDER BY timestamp, sequence) rn
                   FROM read_parquet('{q}'))
        SELECT count(*), count(*) FILTER (bid_price >= ask_price),
               count(*) FILTER (sequence <> rn), count(*) FILTER (timestamp <= prev_ts),
               count(*) FILTER (abs(spread_bps - (ask_price - bid_price) / ((ask_price + bid_price) / 2) * 1e4)
                                > 1e-5 * spread_bps)
        FROM x""").fetchone()
    assert n == 8 * 390 * 4 * 5 and bad_spread == 0 and bad_seq == 0 and nonmono == 0 and bad_bps == 0
    # same seed and symbols: every quote's mid lies within its minute's 1m bar
    outside, joined = con.sql(f"""
        SELECT count(*) FILTER ((bid_price + ask_price) / 2 < b.low - 1e-9 OR (bid_price + ask_price) / 2 > b.high + 1e-9),
               count(b.symbol)
        FROM read_parquet('{q}') q LEFT JOIN read_parquet('{glob_of(bars['1m'], 'ohlcv')}') b
        ON b.symbol = q.symbol AND b.timestamp = date_trunc('minute', q.timestamp)""").fetchone()
    assert joined == n and outside == 0
    # spreads are wider at the open and close than at midday
    open_, mid, close = con.sql(f"""
        SELECT avg(spread_bps) FILTER (strftime(timestamp, '%H:%M') < '14:40'),
               avg(spread_bps) FILTER (strftime(timestamp, '%H') IN ('17', '18')),
               avg(spread_bps) FILTER (strftime(timestamp, '%H:%M') >= '20:50') FROM read_parquet('{q}')""").fetchone()
    assert open_ > 1.5 * mid and close > 1.2 * mid, (open_, mid, close)


def test_realism(run_cli, tmp_path, bars):
    con = duckdb_connect()
    con.execute("SET TimeZone = 'UTC'")
    # U-shaped intraday volume
    first, middle, last = con.sql(f"""
        SELECT avg(volume) FILTER (strftime(timestamp, '%H:%M') < '14:45'),
               avg(volume) FILTER (strftime(timestamp, '%H') = '17'),
               avg(volume) FILTER (strftime(timestamp, '%H:%M') >= '20:45')
        FROM read_parquet('{glob_of(bars['1m'], 'ohlcv')}')""").fetchone()
    assert first > 1.8 * middle and last > 1.8 * middle, (first, middle, last)
    # a year of daily bars: correlated moves, per-symbol volatility, a calendar
    out = generate(run_cli, "market_ohlcv", tmp_path / "y", "--freq", "1d", "--start", "2023-01-01",
                   "--end", "2023-12-31", "--calendar", "nyse")
    d = pl.read_parquet(glob_of(out, "ohlcv"))
    days = sorted({t.date() for t in d["timestamp"]})
    assert len(days) == 250  # NYSE 2023: 260 weekdays, 10 holidays
    for holiday in ("2023-01-02", "2023-01-16", "2023-02-20", "2023-04-07", "2023-05-29", "2023-06-19",
                    "2023-07-04", "2023-09-04", "2023-11-23", "2023-12-25"):
        assert dt.date.fromisoformat(holiday) not in days
    wide = d.pivot(on="symbol", index="timestamp", values="close").sort("timestamp")
    rets = wide.select((pl.all().exclude("timestamp").log().diff()).drop_nulls())
    corr = rets.corr()
    k = corr.width
    mean_corr = (corr.to_numpy().sum() - k) / (k * k - k)
    assert 0.2 < mean_corr < 0.7, mean_corr
    vols = sorted(rets.std().row(0))
    assert vols[-1] > 1.3 * vols[0] and 0.008 < vols[len(vols) // 2] < 0.04, vols


def test_holidays_and_defaults(run_cli, tmp_path):
    out = generate(run_cli, "market_ohlcv", tmp_path / "d", "--freq", "1h", "--holidays", "2023-01-04,2023-01-05")
    d = pl.read_parquet(glob_of(out, "ohlcv"))
    days = {t.date() for t in d["timestamp"]}
    assert dt.date(2023, 1, 4) not in days and dt.date(2023, 1, 3) in days and len(days) == 22 - 2
    assert d["symbol"].n_unique() == 8
    assert {t.strftime("%H") for t in d["timestamp"]} == {f"{h:02d}" for h in range(9, 17)}


def test_path_is_per_symbol(run_cli, tmp_path):
    """A symbol's path depends on the seed and its name, not on the other symbols."""
    a = generate(run_cli, "market_ohlcv", tmp_path / "a", "--symbols", "AAA,BBB", "--freq", "15m")
    b = generate(run_cli, "market_ohlcv", tmp_path / "b", "--symbols", "ZZZ,AAA", "--freq", "15m")
    pa = pl.read_parquet(glob_of(a, "ohlcv")).filter(pl.col("symbol") == "AAA")
    pb = pl.read_parquet(glob_of(b, "ohlcv")).filter(pl.col("symbol") == "AAA")
    assert pa.height > 0 and pa.equals(pb)


@pytest.mark.parametrize("dataset, args, words", [
    ("market_ohlcv", ("--freq", "2m"), "--freq"),
    ("market_ohlcv", ("--symbols", "A,,B"), "--symbols"),
    ("market_ohlcv", ("--symbols", "AAA,AAA"), "twice"),
    ("market_ohlcv", ("--trading-hours", "17-9"), "--trading-hours"),
    ("market_ohlcv", ("--start", "2023-01-07", "--end", "2023-01-08"), "no trading day"),
    ("market_ohlcv", ("--calendar", "lse"), "--calendar"),
    ("market_quotes", ("--quotes-per-minute", "0"), "--quotes-per-minute"),
    ("market_quotes", ("--base-prices", "AAA"), "--base-prices"),
    ("market_quotes", ("--holidays", "2023-02-30"), "2023-02-30"),
])
def test_bad_options(run_cli, tmp_path, dataset, args, words):
    p = run_cli("generate", dataset, "--output", tmp_path / "o", *args, check=False)
    assert p.returncode == 2 and words in p.stderr and p.stderr.count("\n") == 1, p.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("dataset", ["market_ohlcv", "market_quotes"])
def test_determinism(run_cli, tmp_path, dataset):
    check_determinism(run_cli, tmp_path, dataset, "--symbols", "X1,X2,X3", "--start", "2023-03-01",
                      "--end", "2023-03-02", "--file-rows-target", "700", "--partitioning", "ymd")
