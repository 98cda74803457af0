"""Parquet field ids and file-level column statistics of our writer, read by pyarrow.

tests/unit/test_column_stats --dump writes alltypes with field ids on (several
row groups) and prints the statistics that dsg_parquet_writer_column_stats
returns; pyarrow, which shares no code with us, must see the same field ids
(field metadata b"PARQUET:field_id", depth-first pre-order from 1, a list's
element one after its list) and pyarrow.compute must find the same min, max,
null and NaN counts over the whole file.
"""
import datetime
import json
import math
import os
import struct
import subprocess
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("DSG_TEST_BIN_DIR", ROOT / "build" / "san" / "tests"))

# dsg_type values (include/dsg/dsg.h)
BOOL, INT8, INT16, INT32, INT64, FLOAT, DOUBLE, DATE, TIMESTAMP, DURATION, STRING, DECIMAL = range(1, 13)


@pytest.fixture(scope="module")
def dumped(tmp_path_factory):
    exe = BIN_DIR / "test_column_stats"
    assert exe.exists(), f"{exe} is not built (make unit-bins)"
    path = tmp_path_factory.mktemp("fieldids") / "alltypes.parquet"
    out = subprocess.run([str(exe), "--dump", str(path), "7000"], check=True, capture_output=True, text=True)
    return path, json.loads(out.stdout)


def field_id(field):
    md = field.metadata or {}
    assert b"PARQUET:field_id" in md, f"{field.name} has no field id"
    return int(md[b"PARQUET:field_id"])


def preorder(fields, parent=()):
    """(arrow path, field) in depth-first pre-order; list elements as children."""
    for f in fields:
        path = parent + (f.name,)
        yield path, f
        t = f.type
        if pa.types.is_list(t) or pa.types.is_large_list(t):
            yield from preorder([t.value_field], path)
        elif pa.types.is_struct(t):
            yield from preorder([t.field(i) for i in range(t.num_fields)], path)


def test_field_ids_preorder(dumped):
    path, _ = dumped
    schema = pq.read_schema(path)
    ids = [field_id(f) for _, f in preorder(schema)]
    assert ids == list(range(1, len(ids) + 1))
    # the nested ones really are there (lists of structs, lists of lists)
    assert len(ids) > len(schema)


def arrow_path(parquet_path):
    """Our leaf path (with the list's middle 'list' group) as pyarrow's."""
    return tuple(p for i, p in enumerate(parquet_path)
                 if not (p == "list" and i + 1 < len(parquet_path) and parquet_path[i + 1] == "element"))


def leaf_values(table, apath):
    """The leaf's values over the whole file: lists flattened, struct members taken."""
    arr = table.column(apath[0]).combine_chunks()
    for name in apath[1:]:
        if pa.types.is_list(arr.type):
            arr = pc.list_flatten(arr)
            if name == "element":
                continue
        if pa.types.is_struct(arr.type):
            # a null struct's members count as null
            arr = pc.struct_field(arr, [name])
    return arr


def decode(kind, hexbytes, scale=0):
    b = bytes.fromhex(hexbytes)
    if kind == BOOL:
        return bool(b[0])
    if kind in (INT8, INT16, INT32):
        return struct.unpack("<i", b)[0]
    if kind in (INT64, DURATION, TIMESTAMP):
        return struct.unpack("<q", b)[0]
    if kind == FLOAT:
        return struct.unpack("<f", b)[0]
    if kind == DOUBLE:
        return struct.unpack("<d", b)[0]
    if kind == DATE:
        return datetime.date(1970, 1, 1) + datetime.timedelta(days=struct.unpack("<i", b)[0])
    if kind == STRING:
        return b.decode("utf-8")
    if kind == DECIMAL:
        unscaled = struct.unpack("<i" if len(b) == 4 else "<q", b)[0]
        return Decimal(unscaled).scaleb(-scale)
    raise AssertionError(kind)


def comparable(kind, arr):
    if kind in (TIMESTAMP, DURATION):
        return arr.cast(pa.int64()) if not pa.types.is_int64(arr.type) else arr
    return arr


def test_stats_equal_pyarrow(dumped):
    path, stats = dumped
    table = pq.read_table(path)
    meta = pq.ParquetFile(path).metadata
    schema = pq.read_schema(path)
    ids = {p: field_id(f) for p, f in preorder(schema)}
    assert len(stats) == meta.num_columns
    checked_minmax = 0
    for col, s in enumerate(stats):
        apath = arrow_path(s["path"])
        assert s["field_id"] == ids[apath], apath
        # our counts against the footer as pyarrow reads it, summed over row groups
        assert s["values"] == sum(meta.row_group(g).column(col).num_values for g in range(meta.num_row_groups))
        assert s["nulls"] == sum(meta.row_group(g).column(col).statistics.null_count
                                 for g in range(meta.num_row_groups))
        arr = leaf_values(table, apath)
        if len(apath) == 1:
            assert s["values"] == table.num_rows
            assert s["nulls"] == arr.null_count, apath
        kind = s["type"]
        if kind in (FLOAT, DOUBLE):
            nans = pc.sum(pc.is_nan(arr).cast(pa.int64())).as_py() or 0
            assert s["nans"] == nans, apath
            arr = pc.filter(arr, pc.invert(pc.is_nan(arr)))
        else:
            assert s["nans"] == 0
        arr = comparable(kind, arr)
        mm = pc.min_max(arr).as_py()
        if mm["min"] is None:
            assert "min" not in s, apath
            continue
        scale = arr.type.scale if pa.types.is_decimal(arr.type) else 0
        got_min, got_max = decode(kind, s["min"], scale), decode(kind, s["max"], scale)
        if kind in (FLOAT, DOUBLE):
            assert not math.isnan(got_min) and not math.isnan(got_max)
        assert got_min == mm["min"], (apath, got_min, mm["min"])
        assert got_max == mm["max"], (apath, got_max, mm["max"])
        if kind == STRING:  # never truncated: the full bytes of the extreme value
            assert len(bytes.fromhex(s["max"])) == len(mm["max"].encode())
        checked_minmax += 1
    assert checked_minmax >= 25
