"""The every-type Arrow table of the Python package tests, what each reader
should read back, and value canonicalization for comparisons."""
import datetime as dt
import decimal
import math

import numpy as np
import pyarrow as pa

N = 9


def every_type_table():
    """A pyarrow table with one column per Arrow type the writer takes:
    nulls, extremes, NaN, empty and long strings, nested values."""
    D = decimal.Decimal
    return pa.table({
        "i8": pa.array([1, -128, 127, None, 0, 5, 6, 7, 8], pa.int8()),
        "i16": pa.array([1, -32768, 32767, None, 0, 5, 6, 7, 8], pa.int16()),
        "i32": pa.array([1, -2**31, 2**31 - 1, None, 0, 5, 6, 7, 8], pa.int32()),
        "i64": pa.array([0, -2**63, 2**63 - 1, None, 2, 3, 4, 5, 6], pa.int64()),
        "u8": pa.array([0, 255, 1, None, 2, 3, 4, 128, 127], pa.uint8()),
        "u16": pa.array([0, 65535, 1, None, 2, 3, 4, 32768, 5], pa.uint16()),
        "u32": pa.array([0, 2**32 - 1, 1, None, 2, 3, 4, 2**31, 5], pa.uint32()),
        "u64": pa.array([0, 2**64 - 1, 1, None, 2, 3, 2**63, 2**63 - 1, 5], pa.uint64()),
        "f16": pa.array(np.array([1.5, -2, 65504, np.nan, 0, 0.25, 1e-5, -0.0, 3], dtype=np.float16), pa.float16()),
        "f32": pa.array([1.5, float("nan"), float("inf"), None, -0.0, 3, 4, -float("inf"), 1e-38], pa.float32()),
        "f64": pa.array([1.5, float("nan"), 1e308, None, -0.0, -1e-308, 4, 5, 6], pa.float64()),
        "bool": pa.array([True, False, None, True, True, False, True, False, True], pa.bool_()),
        "utf8": pa.array(["a", "", None, "x" * 5000, "ü日本😀", "zz", "é", "\x00nul", "z"], pa.string()),
        "large_utf8": pa.array(["a", "", None, "x", "y", "zz", "é", "b", "c"], pa.large_string()),
        "utf8_view": pa.array(["short", "a string longer than twelve bytes", None, "", "x", "y" * 30, "z", "12bytes_abcd",
                               "13bytes_abcde"], pa.string_view()),
        "binary": pa.array([b"\x00\xff", b"", None, b"x", b"\xff" * 100, b"z", b"w", b"\x80", b"a"], pa.binary()),
        "large_binary": pa.array([b"\x00\xff", b"", None, b"x", b"y", b"z", b"w", b"v", b"u"], pa.large_binary()),
        "fixed_binary": pa.array([b"ab", b"cd", None, b"ef", b"\x00\x00", b"\xff\xff", b"zz", b"\x80\x00", b"\x7f\xff"],
                                 pa.binary(2)),
        "date32": pa.array([dt.date(2024, 1, 1), dt.date(1, 1, 1), None, dt.date(9999, 12, 31), dt.date(1970, 1, 1),
                            dt.date(2000, 2, 29), dt.date(1969, 12, 31), dt.date(1900, 3, 1), dt.date(2024, 12, 31)],
                           pa.date32()),
        "date64": pa.array([dt.date(2024, 1, 1), dt.date(1900, 1, 1), None, dt.date(2999, 12, 31), dt.date(1970, 1, 1),
                            dt.date(2000, 2, 29), dt.date(1969, 12, 31), dt.date(1900, 3, 1), dt.date(2024, 12, 31)],
                           pa.date64()),
        "time32_s": pa.array([0, 86399, None, 1, 2, 3, 4, 5, 43200], pa.time32("s")),
        "time32_ms": pa.array([0, 86399999, None, 1, 2, 3, 4, 5, 6], pa.time32("ms")),
        "time64_us": pa.array([0, 86399999999, None, 1, 2, 3, 4, 5, 6], pa.time64("us")),
        "time64_ns": pa.array([0, 86399999999999, None, 1, 2, 3, 4, 5, 6], pa.time64("ns")),
        "ts_s": pa.array([0, 1, None, -1, 2, 3, 4, 253402300799, -62135596800], pa.timestamp("s")),
        "ts_ms_utc": pa.array([0, 1, None, -1, 2, 3, 4, 1700000000123, 6], pa.timestamp("ms", tz="UTC")),
        "ts_us": pa.array([0, 1, None, -1, 2, 3, 4, 1700000000123456, 6], pa.timestamp("us")),
        "ts_us_tz": pa.array([0, 1, None, -1, 2, 3, 4, 1700000000123456, 6], pa.timestamp("us", tz="America/New_York")),
        "ts_ns": pa.array([0, 1000, None, -1000, 2000, 3000, 4000, 1700000000123456000, 6000], pa.timestamp("ns")),
        "ts_ns_tz": pa.array([0, 1, None, -1, 2, 3, 4, 1700000000123456789, 6], pa.timestamp("ns", tz="Europe/Berlin")),
        "duration_s": pa.array([0, 1, None, -1, 2, 3, 4, 5, 6], pa.duration("s")),
        "duration_ns": pa.array([0, 1, None, -1, 2, 3, 4, 5, 2**62], pa.duration("ns")),
        "dec_9_2": pa.array([D("1.23"), D("-9999999.99"), None, D("0"), D("9999999.99"), D("-0.01"), D("2"), D("3"),
                             D("4")], pa.decimal128(9, 2)),
        "dec_18_4": pa.array([D("1.2345"), D("-99999999999999.9999"), None, D("0"), D("99999999999999.9999"),
                              D("-0.0001"), D("2"), D("3"), D("4")], pa.decimal128(18, 4)),
        "dec_19_0": pa.array([D("1"), D("-" + "9" * 19), None, D("0"), D("9" * 19), D("-1"), D(2**63), D(-2**63 - 1),
                              D("4")], pa.decimal128(19, 0)),
        "dec_38_10": pa.array([D("1.5"), D("-" + "9" * 28 + "." + "9" * 10), None, D("0"), D("9" * 28 + "." + "9" * 10),
                               D("-0.0000000001"), D("2"), D("3"), D("4")], pa.decimal128(38, 10)),
        "list_i32": pa.array([[1, 2], [], None, [None, 4], [5] * 100, [6], [7], [], [-1]], pa.list_(pa.int32())),
        "large_list_utf8": pa.array([["a"], [], None, [None], ["b", ""], ["c"], ["d"], ["e"], ["f"]],
                                    pa.large_list(pa.string())),
        "fixed_list_i64": pa.array([[1, 2], [3, 4], None, [5, None], [7, 8], [9, 10], [11, 12], [0, 0], [-1, -2]],
                                   pa.list_(pa.int64(), 2)),
        "struct": pa.array([{"x": 1, "y": "a"}, None, {"x": None, "y": None}, {"x": 2, "y": "b"}, {"x": 3, "y": ""},
                            {"x": 4, "y": "d"}, {"x": 5, "y": "e"}, {"x": 6, "y": "f"}, {"x": 7, "y": "g"}],
                           pa.struct([("x", pa.int32()), ("y", pa.string())])),
        "list_struct": pa.array([[{"a": 1.5, "b": [1]}], [], None, [None, {"a": None, "b": None}], [{"a": 2.0, "b": []}],
                                 [], [{"a": 3.0, "b": [2, 3]}], [], []],
                                pa.list_(pa.struct([("a", pa.float64()), ("b", pa.list_(pa.int16()))]))),
        "map": pa.array([[("a", 1)], [], None, [("b", 2), ("c", None)], [("d", 4)], [], [("e", 5)], [("f", 6)], []],
                        pa.map_(pa.string(), pa.int32())),
        "dict_utf8": pa.array(["x", "y", None, "x", "z", "y", "x", "", "x"]).dictionary_encode(),
        "dict_i64": pa.array([10, 20, None, 10, 30, 20, 10, 0, 10], pa.int64()).dictionary_encode(),
        "null": pa.nulls(N),
    })


def _drop_dictionaries(arr):
    if pa.types.is_dictionary(arr.type):
        return arr.cast(arr.type.value_type)
    return arr


def expected_table(t):
    """What a reader that keeps Parquet's types should see: the documented
    conversions of the writer (README "Types")."""
    cols = {}
    for name in t.column_names:
        a = _drop_dictionaries(t[name].combine_chunks())
        ty = a.type
        if pa.types.is_float16(ty):
            a = pa.array([None if v is None else float(v) for v in a.to_pylist()], pa.float32())
        elif pa.types.is_date64(ty):
            a = a.cast(pa.date32())
        elif pa.types.is_time32(ty) and ty.unit == "s":
            a = a.cast(pa.time32("ms"))
        elif pa.types.is_timestamp(ty):
            unit = "ms" if ty.unit == "s" else ty.unit
            a = a.cast(pa.timestamp(unit, tz="UTC" if ty.tz else None))
        elif pa.types.is_duration(ty):
            a = a.cast(pa.int64())
        elif pa.types.is_large_string(ty) or pa.types.is_string_view(ty):
            a = a.cast(pa.string())
        elif pa.types.is_large_binary(ty):
            a = a.cast(pa.binary())
        elif pa.types.is_large_list(ty) or pa.types.is_fixed_size_list(ty):
            a = a.cast(pa.list_(ty.value_type))
        cols[name] = a
    return pa.table(cols)


# ---- canonical values: what "equal, value for value" means across readers ----

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def canon(v):
    """A comparable form: NaN as the string 'NaN', instants as integer
    nanoseconds since the epoch in UTC (naive values taken as UTC), times as
    nanoseconds since midnight, numpy and pandas scalars as Python values,
    maps as lists of (key, value) pairs."""
    if v is None:
        return None
    try:
        import pandas as pd
        if v is pd.NaT:
            return None
        if isinstance(v, pd.Timestamp):
            if v.tzinfo is None:
                v = v.tz_localize("UTC")
            return int(v.value)
    except ImportError:
        pass
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        return "NaN" if math.isnan(v) else v
    if isinstance(v, dt.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=dt.timezone.utc)
        d = v - _EPOCH
        return (d.days * 86400 + d.seconds) * 10**9 + d.microseconds * 1000
    if isinstance(v, dt.time):
        return ((v.hour * 60 + v.minute) * 60 + v.second) * 10**9 + v.microsecond * 1000
    if isinstance(v, dt.timedelta):
        return (v.days * 86400 + v.seconds) * 10**9 + v.microseconds * 1000
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v)
    if hasattr(v, "asDict"):  # pyspark Row (a tuple)
        return canon(v.asDict(recursive=True))
    if isinstance(v, dict):
        if set(v) == {"key", "value"}:
            return ("kv", canon(v["key"]), canon(v["value"]))
        return {k: canon(x) for k, x in v.items()}
    if isinstance(v, tuple) and len(v) == 2:
        return ("kv", canon(v[0]), canon(v[1]))
    if isinstance(v, (list, np.ndarray)):
        return [canon(x) for x in v]
    return v


def column_values(table, name):
    """Canonical values of a pyarrow column (timestamps exact to the ns)."""
    col = table[name].combine_chunks()
    ty = col.type
    if pa.types.is_timestamp(ty):
        mult = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}[ty.unit]
        return [None if x is None else x * mult for x in col.cast(pa.int64()).to_pylist()]
    if pa.types.is_time(ty):
        mult = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}[ty.unit]
        ints = col.cast(pa.int32() if pa.types.is_time32(ty) else pa.int64()).to_pylist()
        return [None if x is None else x * mult for x in ints]
    return [canon(x) for x in col.to_pylist()]
