"""The SQL catalog connection (lib/table/sqlcat.c) against a real PostgreSQL:
the unit test binary test_sqlcat runs its engine checks (parameters, NULLs,
transactions, a serialization failure and a unique violation reported as
conflicts) on the server of the `postgres` fixture; psql then checks what
it left behind independently."""
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def unit_bin(name):
    for d in (os.environ.get("DSG_TEST_BIN_DIR"), ROOT / "build" / "san" / "tests", ROOT / "build" / "tests"):
        if d and (Path(d) / name).exists():
            return str(Path(d) / name)
    raise AssertionError(f"{name} is not built (make unit-bins)")


def test_sqlcat_on_postgres(postgres):
    env = dict(os.environ, DSG_TEST_PG_URI=postgres["uri"])
    p = subprocess.run([unit_bin("test_sqlcat")], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "SQLite and PostgreSQL passed" in p.stdout
    assert postgres["password"] not in p.stdout + p.stderr
    # the test dropped its tables: nothing left in the database
    left = subprocess.run(["psql", postgres["uri"], "-tAc",
                           "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'dsg\\_%'"],
                          capture_output=True, text=True, check=True).stdout.strip()
    assert left == "0"


def test_sqlcat_wrong_password(postgres):
    """A refused login is reported as such, naming the catalog without the password."""
    uri = f"postgresql://dsg:wrong-secret@127.0.0.1:{postgres['port']}/dsg"
    env = dict(os.environ, DSG_TEST_PG_URI=uri)
    p = subprocess.run([unit_bin("test_sqlcat")], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode != 0
    assert "wrong-secret" not in p.stdout + p.stderr
    assert f"postgresql://dsg@127.0.0.1:{postgres['port']}/dsg" in p.stderr
    assert "authentication failed" in p.stderr
