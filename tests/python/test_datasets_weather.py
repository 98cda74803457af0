"""The weather dataset read back by DuckDB, Polars and pyarrow: schemas,
layout, daily rows = aggregates of the hourly rows, consistent humidity and
conditions, realism of the model, options and errors."""
import math

import polars as pl
import pyarrow.parquet as pq
import pytest

from dsg_series import check_determinism, check_hive_layout, files_of, generate, glob_of
from readers import duckdb_connect

HOURLY_TYPES = {
    "timestamp": "TIMESTAMP WITH TIME ZONE", "location_id": "BIGINT", "temperature_c": "DOUBLE",
    "humidity_pct": "DOUBLE", "wind_kph": "DOUBLE", "pressure_hpa": "DOUBLE", "precip_mm": "DOUBLE",
    "condition": "VARCHAR", "dew_point_c": "DOUBLE",
}
DAILY_TYPES = {
    "date": "DATE", "location_id": "BIGINT", "tmin_c": "DOUBLE", "tmax_c": "DOUBLE",
    "precip_mm": "DOUBLE", "snow_mm": "DOUBLE", "condition": "VARCHAR",
}
WET = ("storm", "snow", "rain", "drizzle")


@pytest.fixture(scope="module")
def default_run(run_cli, tmp_path_factory):
    """The default run (Berlin, Madrid, Helsinki in January 2023)."""
    return generate(run_cli, "weather", tmp_path_factory.mktemp("wx") / "out")


@pytest.fixture(scope="module")
def year_run(run_cli, tmp_path_factory):
    """A year of six places on both hemispheres, one directory per month."""
    return generate(run_cli, "weather", tmp_path_factory.mktemp("wxy") / "out",
                    "--locations", "Berlin,Sydney,Madrid,Singapore,La Paz,Yakutsk,Warsaw",
                    "--start", "2023-01-01", "--end", "2023-12-31", "--hourly-partitioning", "ym")


def test_schema_and_layout(default_run):
    con = duckdb_connect()
    for table, types in (("weather_hourly", HOURLY_TYPES), ("weather_daily", DAILY_TYPES)):
        got = {r[0]: r[1] for r in con.sql(f"DESCRIBE SELECT * FROM read_parquet("
                                           f"'{glob_of(default_run, table)}', hive_partitioning=false)").fetchall()}
        assert got == types, table
    n = check_hive_layout(default_run, "weather_hourly", "timestamp", ("year", "month", "day", "hour"))
    assert n == 31 * 24 + 2  # Berlin and Helsinki start 1 and 2 hours before 2023-01-01 UTC
    check_hive_layout(default_run, "weather_daily", "date", ("year", "month"))
    ts = pq.read_schema(files_of(default_run, "weather_hourly")[0]).field("timestamp").type
    assert str(ts) == "timestamp[us, tz=UTC]"


def test_rows_and_order(default_run):
    frames = [pl.read_parquet(f) for f in files_of(default_run, "weather_hourly")]
    h = pl.concat(frames)
    assert h.height == 3 * 31 * 24
    keys = h.select("timestamp", "location_id")
    assert keys.equals(keys.sort("timestamp", "location_id")), "rows not in (timestamp, location_id) order"
    per = h.group_by("location_id").agg(pl.len(), pl.col("timestamp").min().alias("first"),
                                        pl.col("timestamp").n_unique().alias("hours")).sort("location_id")
    assert per["len"].to_list() == [744, 744, 744] and per["hours"].to_list() == [744, 744, 744]
    # local days in whole-hour zones round(longitude / 15): Berlin +1, Madrid 0, Helsinki +2
    firsts = [t.strftime("%Y-%m-%d %H") for t in per["first"].to_list()]
    assert firsts == ["2022-12-31 23", "2023-01-01 00", "2022-12-31 22"]
    d = pl.read_parquet(glob_of(default_run, "weather_daily"))
    assert d.height == 93 and d["location_id"].to_list()[:3] == [1, 2, 3]


DAILY_FROM_HOURLY = """
WITH h AS (
  SELECT *, CAST(timestamp AT TIME ZONE 'UTC' + INTERVAL (o.off) HOUR AS DATE) AS local_date
  FROM read_parquet('{hourly}') JOIN (VALUES {offsets}) o(id, off) ON o.id = location_id),
agg AS (
  SELECT location_id, local_date, min(temperature_c) tmin, max(temperature_c) tmax,
         sum(precip_mm) p, sum(CASE WHEN temperature_c <= 0.5 THEN precip_mm ELSE 0 END) s,
         bool_or(condition = 'storm') storm, count(*) n,
         count(*) FILTER (condition = 'fog') fog, count(*) FILTER (condition = 'cloudy') cloudy,
         count(*) FILTER (condition = 'partly_cloudy') partly,
         count(*) FILTER (condition IN ('sunny', 'clear')) sunny
  FROM h GROUP BY ALL)
SELECT d.*, agg.* FROM read_parquet('{daily}') d
FULL JOIN agg ON agg.location_id = d.location_id AND agg.local_date = d.date
"""


def expected_condition(r):
    if r["storm"]:
        return "storm"
    if r["s"] >= 1 - 1e-9:
        return "snow"
    if r["p"] >= 1 - 1e-9:
        return "rain"
    if r["p"] > 1e-9:
        return "drizzle"
    best = max(("fog", "cloudy", "partly", "sunny"), key=lambda k: (r[k], -["fog", "cloudy", "partly", "sunny"].index(k)))
    return {"partly": "partly_cloudy"}.get(best, best)


def check_daily_aggregates(root, offsets):
    con = duckdb_connect()
    values = ", ".join(f"({i}, {o})" for i, o in offsets.items())
    rows = con.sql(DAILY_FROM_HOURLY.format(hourly=glob_of(root, "weather_hourly"),
                                            daily=glob_of(root, "weather_daily"), offsets=values)).pl()
    assert rows.height > 0
    assert rows["date"].null_count() == 0 and rows["local_date"].null_count() == 0, "unmatched days"
    for r in rows.iter_rows(named=True):
        assert r["n"] == 24
        assert r["tmin_c"] == r["tmin"] and r["tmax_c"] == r["tmax"], r
        assert abs(r["precip_mm"] - r["p"]) < 1e-9 and round(r["p"], 1) == r["precip_mm"], r
        assert abs(r["snow_mm"] - r["s"]) < 1e-9, r
        assert r["snow_mm"] <= r["precip_mm"]
        assert r["condition"] == expected_condition(r), r
    return rows.height


def test_daily_is_the_aggregate_of_hourly(default_run):
    assert check_daily_aggregates(default_run, {1: 1, 2: 0, 3: 2}) == 93


def test_hourly_consistency(default_run):
    h = pl.read_parquet(glob_of(default_run, "weather_hourly"))
    for r in h.iter_rows(named=True):
        t, td = r["temperature_c"], r["dew_point_c"]
        assert td <= t
        rh = 100 * math.exp(17.625 * td / (243.04 + td) - 17.625 * t / (243.04 + t))
        assert abs(r["humidity_pct"] - min(100.0, rh)) <= 0.05 + 1e-6, r
        assert (r["precip_mm"] > 0) == (r["condition"] in WET), r
        if r["condition"] == "snow":
            assert t <= 0.5
        for col in ("temperature_c", "humidity_pct", "wind_kph", "pressure_hpa", "precip_mm"):
            assert abs(r[col] * 10 - round(r[col] * 10)) < 1e-6  # tenths
        assert 0 <= r["humidity_pct"] <= 100 and r["wind_kph"] >= 0 and 940 < r["pressure_hpa"] < 1070


def test_realism_over_a_year(year_run):
    con = duckdb_connect()
    hourly = glob_of(year_run, "weather_hourly")
    # a place, its id in the built-in list, its UTC offset
    ids = dict(con.sql(f"SELECT DISTINCT location_id, 0 FROM read_parquet('{hourly}')").fetchall())
    assert len(ids) == 7
    berlin, sydney, singapore = 1, 80, 62
    m = dict(((loc, mon), t) for loc, mon, t in con.sql(
        f"SELECT location_id, month(timestamp AT TIME ZONE 'UTC'), avg(temperature_c) "
        f"FROM read_parquet('{hourly}') GROUP BY ALL").fetchall())
    assert m[(berlin, 7)] > m[(berlin, 1)] + 10, "Berlin: summer not warmer than winter"
    assert m[(sydney, 1)] > m[(sydney, 7)] + 5, "Sydney: southern seasons"
    assert abs(m[(singapore, 1)] - m[(singapore, 7)]) < 3, "Singapore: no seasons"
    assert sum(m[(singapore, k)] for k in range(1, 13)) / 12 > sum(m[(berlin, k)] for k in range(1, 13)) / 12 + 10
    # diurnal cycle in local solar time: afternoons warmer than nights
    afternoon, night = con.sql(
        f"SELECT avg(temperature_c) FILTER (hour(timestamp AT TIME ZONE 'UTC') = 14), "
        f"avg(temperature_c) FILTER (hour(timestamp AT TIME ZONE 'UTC') = 4) FROM read_parquet('{hourly}') "
        f"WHERE location_id = {berlin}").fetchone()
    assert afternoon > night + 2
    # persistence: hour-to-hour changes are small, weather comes in spells
    stats = con.sql(f"""
        WITH x AS (SELECT location_id, temperature_c t, pressure_hpa p, precip_mm > 0 wet,
          lag(temperature_c) OVER w lt, lag(pressure_hpa) OVER w lp, lag(precip_mm > 0) OVER w lwet
          FROM read_parquet('{hourly}') WINDOW w AS (PARTITION BY location_id ORDER BY timestamp))
        SELECT corr(t, lt), avg(abs(p - lp)), avg(wet::int), avg(wet::int) FILTER (lwet)
        FROM x WHERE lt IS NOT NULL""").fetchone()
    corr_t, dp, p_wet, p_wet_after_wet = stats
    assert corr_t > 0.95 and dp < 1.0
    assert 0.03 < p_wet < 0.4 and p_wet_after_wet > 3 * p_wet, stats
    # elevation: La Paz (3640 m) is colder than Lima's latitude would say; Singapore's air is humid
    lapaz = con.sql(f"SELECT avg(temperature_c) FROM read_parquet('{hourly}') WHERE location_id = 118").fetchone()[0]
    assert lapaz < m[(singapore, 1)] - 12
    hum = con.sql(f"SELECT avg(humidity_pct) FILTER (location_id = {singapore}), "
                  f"avg(humidity_pct) FILTER (location_id = 2 AND month(timestamp AT TIME ZONE 'UTC') = 7) "
                  f"FROM read_parquet('{hourly}')").fetchone()
    assert hum[0] > hum[1] + 10, hum
    # slowly moving pressure systems: Warsaw, east of Berlin, sees Berlin's pressure about 15 h later
    def corr_at(lag_h):
        return con.sql(f"""
            WITH b AS (SELECT timestamp ts, pressure_hpa p FROM read_parquet('{hourly}') WHERE location_id = 1),
                 w AS (SELECT timestamp ts, pressure_hpa p FROM read_parquet('{hourly}') WHERE location_id = 8)
            SELECT corr(b.p, w.p) FROM b JOIN w ON w.ts = b.ts + INTERVAL ({lag_h}) HOUR""").fetchone()[0]
    later, same, earlier = corr_at(15), corr_at(0), corr_at(-15)
    assert later > 0.9 and later > same > earlier, (later, same, earlier)
    days = con.sql(f"SELECT count(*) FROM read_parquet('{glob_of(year_run, 'weather_daily')}')").fetchone()[0]
    assert days == 7 * 365
    offsets = {1: 1, 80: 10, 2: 0, 62: 7, 118: -5, 78: 9, 8: 1}
    assert set(ids) == set(offsets)
    check_daily_aggregates(year_run, offsets)


def test_locations_options(run_cli, tmp_path):
    out = generate(run_cli, "weather", tmp_path / "n", "--locations", "20", "--start", "2024-06-01",
                   "--end", "2024-06-02", "--hourly-partitioning", "none")
    h = pl.read_parquet(glob_of(out, "weather_hourly"))
    assert sorted(h["location_id"].unique().to_list()) == list(range(1, 21))
    assert h.height == 20 * 48
    assert [p.name for p in (out / "weather_hourly").iterdir()] == ["weather_hourly.parquet"]
    csv = tmp_path / "st.csv"
    csv.write_text("location_id,name,latitude,longitude,elevation_m,utc_offset\n"
                   "101,\"Camp, North\",78.9,11.9,8,1\n7,Oasis,23.1,5.5,,\n55,Peak,45.83,6.86,4800,1\n")
    out = generate(run_cli, "weather", tmp_path / "f", "--locations-file", csv, "--start", "2024-01-01",
                   "--end", "2024-01-03")
    h = pl.read_parquet(glob_of(out, "weather_hourly"))
    assert sorted(h["location_id"].unique().to_list()) == [7, 55, 101]
    peak = h.filter(pl.col("location_id") == 55)["temperature_c"].mean()
    oasis = h.filter(pl.col("location_id") == 7)["temperature_c"].mean()
    assert peak < oasis - 15
    check_daily_aggregates(out, {101: 1, 7: 0, 55: 1})


@pytest.mark.parametrize("args, words", [
    (("--locations", "Atlantis"), "Atlantis"),
    (("--locations", "0"), "--locations"),
    (("--locations", "Berlin,Berlin"), "twice"),
    (("--locations-file", "/nonexistent.csv"), "/nonexistent.csv"),
    (("--storm-rate", "2"), "--storm-rate"),
    (("--start", "2023-02-01", "--end", "2023-01-01"), "after"),
    (("--hourly-partitioning", "weekly"), "--hourly-partitioning"),
])
def test_bad_options(run_cli, tmp_path, args, words):
    p = run_cli("generate", "weather", "--output", tmp_path / "o", *args, check=False)
    assert p.returncode == 2 and words in p.stderr and p.stderr.count("\n") == 1, p.stderr
    assert not (tmp_path / "o").exists()


def test_bad_locations_file(run_cli, tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("name,latitude,longitude\nX,95,10\n")
    p = run_cli("generate", "weather", "--output", tmp_path / "o", "--locations-file", csv, check=False)
    assert p.returncode == 2 and "line 2" in p.stderr and "latitude" in p.stderr


def test_determinism(run_cli, tmp_path):
    check_determinism(run_cli, tmp_path, "weather", "--locations", "7", "--start", "2023-03-01",
                      "--end", "2023-03-03", "--file-rows-target", "50", "--hourly-partitioning", "ymd")
