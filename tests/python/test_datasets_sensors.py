"""The sensors dataset read back by DuckDB and Polars: schema, layout, order,
missing and anomaly labels consistent with the values, outages and episodes
spanning consecutive readings, realism, options and errors."""
import polars as pl
import pytest

from dsg_series import check_determinism, check_hive_layout, files_of, generate, glob_of
from readers import duckdb_connect

TYPES = {
    "timestamp": "TIMESTAMP WITH TIME ZONE", "device_id": "BIGINT", "metric": "VARCHAR",
    "value": "DOUBLE", "is_anomaly": "BOOLEAN", "is_missing": "BOOLEAN", "device_type": "VARCHAR",
    "anomaly_type": "VARCHAR",
}


@pytest.fixture(scope="module")
def run(run_cli, tmp_path_factory):
    """30 devices over 4 days with more outages and anomalies than the default."""
    return generate(run_cli, "sensors", tmp_path_factory.mktemp("sn") / "out", "--n-devices", "30",
                    "--metrics", "temperature,vibration,pressure,humidity", "--start", "2023-05-01",
                    "--end", "2023-05-04", "--missing-probability", "0.03", "--anomaly-probability", "0.02")


@pytest.fixture(scope="module")
def frame(run):
    return pl.concat([pl.read_parquet(f) for f in files_of(run, "sensor_readings")])


def test_schema_layout_order(run, frame):
    con = duckdb_connect()
    got = {r[0]: r[1] for r in con.sql(f"DESCRIBE SELECT * FROM read_parquet('{glob_of(run, 'sensor_readings')}', "
                                       "hive_partitioning=false)").fetchall()}
    assert got == TYPES
    assert check_hive_layout(run, "sensor_readings", "timestamp", ("year", "month", "day", "hour")) == 96
    assert frame.height == 4 * 288 * 30 * 4
    metric_rank = {"temperature": 0, "vibration": 1, "pressure": 2, "humidity": 3}
    keys = frame.select("timestamp", "device_id", pl.col("metric").replace_strict(metric_rank).alias("m"))
    assert keys.equals(keys.sort("timestamp", "device_id", "m"))
    steps = frame["timestamp"].unique().sort()
    assert steps.len() == 4 * 288 and (steps.diff().drop_nulls().dt.total_minutes() == 5).all()


def test_labels_consistent_with_values(frame):
    assert (frame["value"].is_null() == frame["is_missing"]).all()
    assert not (frame["is_missing"] & frame["is_anomaly"]).any()
    assert (frame["anomaly_type"].is_null() == ~frame["is_anomaly"]).all()
    assert set(frame["anomaly_type"].drop_nulls().unique()) == {"spike", "level_shift", "stuck"}
    miss, anom = frame["is_missing"].mean(), frame["is_anomaly"].mean()
    assert 0.015 < miss < 0.05 and 0.01 < anom < 0.03, (miss, anom)


def runs(flags):
    """Lengths of the runs of True in a list of booleans."""
    out, n = [], 0
    for f in flags + [False]:
        if f:
            n += 1
        elif n:
            out.append(n)
            n = 0
    return out


def test_episodes(frame):
    series = frame.sort("device_id", "metric", "timestamp").group_by(["device_id", "metric"], maintain_order=True)
    outage_runs, shift_runs, stuck_ok, stuck_n = [], [], True, 0
    for (_dev, _metric), g in series:
        outage_runs += runs(g["is_missing"].to_list())
        kinds = g["anomaly_type"].to_list()
        shift_runs += runs([k == "level_shift" for k in kinds])
        values = g["value"].to_list()
        # a stuck episode repeats the reading just before it
        for i, k in enumerate(kinds):
            if k == "stuck":
                stuck_n += 1
                j = i
                while j > 0 and kinds[j - 1] == "stuck":
                    j -= 1
                if j > 0 and kinds[j - 1] is None and values[j - 1] is not None:
                    stuck_ok &= values[i] == values[j - 1]
    assert sum(outage_runs) / len(outage_runs) > 4, "outages do not span consecutive readings"
    assert sum(shift_runs) / len(shift_runs) > 4
    assert stuck_n > 20 and stuck_ok
    # outages take the whole device offline: all its metrics at once
    per = frame.group_by("timestamp", "device_id").agg(pl.col("is_missing").sum())
    assert set(per["is_missing"].unique()) <= {0, 4}


def test_realism(frame):
    clean = frame.filter(~pl.col("is_anomaly") & ~pl.col("is_missing"))
    # device types set the level: freezers are cold, compressors hot
    t = clean.filter(pl.col("metric") == "temperature").group_by("device_type").agg(pl.col("value").mean())
    t = dict(zip(t["device_type"], t["value"]))
    assert t["freezer"] < -10 < 15 < t["hvac"] < 30 < t["compressor"]
    # each device has its own calibration offset: device means differ more than noise explains
    hv = clean.filter((pl.col("metric") == "temperature") & (pl.col("device_type") == "hvac"))
    spread = hv.group_by("device_id").agg(pl.col("value").mean())["value"].std()
    assert spread > 0.5
    # a daily cycle: hvac rooms warmer in the afternoon than at night
    by_hour = hv.group_by(pl.col("timestamp").dt.hour().alias("h")).agg(pl.col("value").mean())
    by_hour = dict(zip(by_hour["h"], by_hour["value"]))
    assert by_hour[15] > by_hour[3] + 1.5
    # spikes stand out from their neighbours
    spikes = frame.filter(pl.col("anomaly_type") == "spike")
    assert spikes.height > 20


def test_default_run_is_the_reference_size(run_cli, tmp_path):
    out = generate(run_cli, "sensors", tmp_path / "d", "--tables", "sensor_readings")
    n = duckdb_connect().sql(f"SELECT count(*), count(DISTINCT device_id), count(DISTINCT metric) "
                             f"FROM read_parquet('{glob_of(out, 'sensor_readings')}')").fetchone()
    assert n == (7 * 288 * 100 * 3, 100, 3)


@pytest.mark.parametrize("args, words", [
    (("--n-devices", "0"), "--n-devices"),
    (("--metrics", "temperature,,pressure"), "--metrics"),
    (("--metrics", "temp erature"), "temp erature"),
    (("--missing-probability", "0.9"), "--missing-probability"),
    (("--sampling-interval-minutes", "0"), "--sampling-interval-minutes"),
    (("--partitioning", "hourly"), "--partitioning"),
])
def test_bad_options(run_cli, tmp_path, args, words):
    p = run_cli("generate", "sensors", "--output", tmp_path / "o", *args, check=False)
    assert p.returncode == 2 and words in p.stderr and p.stderr.count("\n") == 1, p.stderr
    assert not (tmp_path / "o").exists()


def test_determinism(run_cli, tmp_path):
    check_determinism(run_cli, tmp_path, "sensors", "--n-devices", "7", "--start", "2023-01-01", "--end",
                      "2023-01-01", "--file-rows-target", "300", "--partitioning", "ymd",
                      "--sampling-interval-minutes", "7", "--missing-probability", "0.05")
