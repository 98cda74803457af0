"""Shared fixtures of the Python test suite (tests/python).

One pytest run serves every Python test, so the expensive things exist once:
  - spark: one local SparkSession for the whole run, with Delta Lake and
    Iceberg loaded from the jars that scripts/install-test-env.sh fetched
    (Iceberg JDBC catalogs are registered per test with spark.conf.set);
  - postgres: one PostgreSQL 15 server on loopback in a temporary directory;
  - s3: one loopback S3 (tests/s3/server.mjs) with a bucket and credentials.
Each fixture skips nothing: a missing tool is a failure, not a skip.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTENV = Path(os.environ.get("DSG_TESTENV", ROOT / "build" / "testenv"))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def dsg_bin():
    """The CLI under test (DSG_BIN, else build/dataset-generator)."""
    path = os.environ.get("DSG_BIN", str(ROOT / "build" / "dataset-generator"))
    assert os.access(path, os.X_OK), f"{path} is not built"
    return path


@pytest.fixture(scope="session")
def run_cli(dsg_bin):
    """run_cli(*args, check=True) -> CompletedProcess of the CLI."""
    def run(*args, check=True, env=None, timeout=900):
        e = dict(os.environ)
        if env:
            e.update(env)
        p = subprocess.run([dsg_bin, *map(str, args)], capture_output=True, text=True,
                           env=e, timeout=timeout)
        if check and p.returncode != 0:
            raise AssertionError(f"{' '.join(map(str, args))} exited {p.returncode}: {p.stderr}")
        return p
    return run


@pytest.fixture(scope="session")
def spark():
    """One local Spark session with Delta and Iceberg for the whole run."""
    from pyspark.sql import SparkSession
    jars = sorted(str(p) for p in (TESTENV / "jars").glob("*.jar"))
    assert jars, f"no jars in {TESTENV / 'jars'}: run scripts/install-test-env.sh"
    warehouse = tempfile.mkdtemp(prefix="dsg-spark-")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("dsg-tests")
        .config("spark.jars", ",".join(jars))
        .config("spark.sql.extensions",
                "io.delta.sql.DeltaSparkSessionExtension,"
                "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.warehouse.dir", warehouse)
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "2g")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    shutil.rmtree(warehouse, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL 15 server on loopback: dict(host, port, user, password, dbname, uri)."""
    bindir = Path("/usr/lib/postgresql/15/bin")
    assert (bindir / "initdb").exists(), "postgresql-15 is not installed (scripts/install-deps.sh --test)"
    base = Path(tempfile.mkdtemp(prefix="dsg-pg-"))
    data = base / "data"
    pw = base / "pw"
    pw.write_text("dsgpass\n")
    run_as = []
    if os.geteuid() == 0:  # initdb refuses root: run the server as nobody
        shutil.chown(base, "nobody")
        os.chmod(pw, 0o644)
        run_as = ["runuser", "-u", "nobody", "--"]
    subprocess.run([*run_as, str(bindir / "initdb"), "-D", str(data), "-U", "dsg", "--pwfile", str(pw),
                    "-A", "scram-sha-256"], check=True, capture_output=True)
    port = _free_port()
    log = base / "log"
    subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "start",
                    "-o", f"-h 127.0.0.1 -p {port} -k {base} -c fsync=off"], check=True, capture_output=True)
    subprocess.run(["psql", f"postgresql://dsg:dsgpass@127.0.0.1:{port}/postgres", "-qc", "CREATE DATABASE dsg"],
                   check=True, capture_output=True)
    info = dict(host="127.0.0.1", port=port, user="dsg", password="dsgpass", dbname="dsg",
                uri=f"postgresql://dsg:dsgpass@127.0.0.1:{port}/dsg")
    yield info
    subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], capture_output=True)
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def s3():
    """The loopback S3 of tests/s3 (SigV4 checked): dict(endpoint, backend, control,
    bucket, key, secret, region, env) where env holds the AWS_* variables."""
    node = shutil.which("node")
    assert node, "node is not installed"
    work = tempfile.mkdtemp(prefix="dsg-s3-")
    bucket, key, secret = "dsg-test", "AKIDDSGTEST", "dsg-test-secret"
    proc = subprocess.Popen([node, str(ROOT / "tests" / "s3" / "server.mjs"), "--dir", work, "--bucket", bucket,
                             "--key", key, "--secret", secret, "--lifetime", "3600"],
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line, "tests/s3/server.mjs did not start"
    ready = json.loads(line)
    env = {"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret, "AWS_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": ready["endpoint"]}
    yield dict(ready, bucket=bucket, key=key, secret=secret, region="us-east-1", env=env)
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    shutil.rmtree(work, ignore_errors=True)
