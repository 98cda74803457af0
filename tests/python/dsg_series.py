"""Helpers shared by the time-series dataset tests (test_datasets_*.py)."""
import hashlib
import re
from pathlib import Path

import pyarrow.parquet as pq


def generate(run_cli, dataset, out, *args):
    run_cli("generate", dataset, "--output", out, "--quiet", *args)
    return Path(out)


def files_of(root, table):
    """The table's parquet files in path order (the order of the rows)."""
    return sorted((Path(root) / table).rglob("*.parquet"))


def glob_of(root, table):
    return str(Path(root) / table / "**" / "*.parquet")


def tree_digest(root):
    """{relative path: sha256} of every file under root."""
    root = Path(root)
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def check_hive_layout(root, table, column, levels):
    """Every file sits under year=/month=/... directories that match the
    timestamp (or date) column of each of its rows, and the partition
    columns are not inside the files. Returns the number of files."""
    files = files_of(root, table)
    assert files, f"no files for {table}"
    for f in files:
        rel = f.relative_to(Path(root) / table).parent
        parts = dict(p.split("=", 1) for p in rel.parts)
        assert list(parts) == list(levels), (f, levels)
        for name, value in parts.items():
            width = 4 if name == "year" else 2
            assert re.fullmatch(r"\d{%d}" % width, value), (f, name, value)
        t = pq.ParquetFile(f).read()
        assert not set(levels) & set(t.column_names), f"partition columns inside {f}"
        col = t.column(column).to_pylist()
        for v in (col[0], col[-1]):
            got = {"year": f"{v.year:04d}", "month": f"{v.month:02d}"}
            if "day" in levels:
                got["day"] = f"{v.day:02d}"
            if "hour" in levels:
                got["hour"] = f"{v.hour:02d}"
            assert {k: got[k] for k in parts} == parts, (f, v)
    return len(files)


def check_determinism(run_cli, tmp_path, dataset, *args):
    """Byte-identical trees for 1 and 2 threads and for 3 shards together."""
    one = generate(run_cli, dataset, tmp_path / "t1", "--threads", "1", *args)
    two = generate(run_cli, dataset, tmp_path / "t2", "--threads", "2", *args)
    for k in (1, 2, 3):
        generate(run_cli, dataset, tmp_path / "sh", "--shard", f"{k}/3", "--threads", "1", *args)
    a = tree_digest(one)
    assert len(a) >= 3, "too few files to prove anything"
    assert a == tree_digest(two)
    assert a == tree_digest(tmp_path / "sh")
