"""dataset_generator: realistic, reproducible multi-table datasets written as
partitioned Parquet, with Arrow in and out.

A thin binding over libdsg, the C library of the ``dataset-generator``
command. Data crosses the boundary through the Arrow PyCapsule interface
(``__arrow_c_schema__``, ``__arrow_c_array__``, ``__arrow_c_stream__``), so
pyarrow, Polars, pandas (2.2+), DuckDB and any other Arrow producer or
consumer work without being imported here. The GIL is released while the
library generates, encodes, compresses and writes; Ctrl-C stops a long call
cleanly (no partial file is left under a final name).

Example::

    import polars as pl
    from dataset_generator import create_generator, create_writer, write_dataset, WriterOptions

    gen = create_generator("ecommerce", n_customers=1000, n_products=100,
                           orders_per_day=50, start="2024-01-01", end="2024-01-31")
    customers = pl.concat(pl.from_arrow(b) for b in gen.batches_for("customers"))

    writer = create_writer("parquet", "./out", options=WriterOptions(compression="zstd"))
    write_dataset(gen, writer)                      # the C pipeline, all cores
    writer.write("my_table", customers, partition_spec=PartitionSpec(("country",)))
"""
from __future__ import annotations

import datetime as _dt
import os as _os
import sys as _sys
import time as _time
from dataclasses import dataclass as _dataclass
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from . import _core
from ._core import Batch
from ._version import __version__

__all__ = [
    "Batch",
    "CatalogConfig",
    "Generator",
    "ParquetWriter",
    "PartitionSpec",
    "S3Config",
    "TableBatches",
    "WriterOptions",
    "available_generators",
    "available_writers",
    "create_generator",
    "create_writer",
    "register_generator",
    "register_writer",
    "write_dataset",
    "__version__",
]

_MODES = {"create": 0, "append": 1, "overwrite": 2}


# ---------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------

@_dataclass(frozen=True)
class WriterOptions:
    """How files are written.

    file_rows_target: at most this many rows per file (every file, partitioned or not).
    compression: "snappy" (default), "zstd", "gzip", "brotli", "lz4_raw" or "none".
    compression_level: the codec's level (gzip 1-12, zstd -7-22, brotli 0-11); None: its default.
    row_group_rows: rows per Parquet row group.
    threads: worker threads of write_dataset's C pipeline; None: every core.
    mode: "create" (refuse a table directory that is not empty), "append" or "overwrite".

    >>> WriterOptions(file_rows_target=500_000, compression="zstd")
    WriterOptions(file_rows_target=500000, compression='zstd', compression_level=None, row_group_rows=131072, threads=None, mode='create')
    """

    file_rows_target: int = 250_000
    compression: str = "snappy"
    compression_level: Optional[int] = None
    row_group_rows: int = 131_072
    threads: Optional[int] = None
    mode: str = "create"

    def __post_init__(self) -> None:
        for name in ("file_rows_target", "row_group_rows"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError("%s must be a whole number of at least 1, not %r" % (name, v))
        if self.threads is not None and (not isinstance(self.threads, int) or self.threads < 0):
            raise ValueError("threads must be None or a whole number, not %r" % (self.threads,))
        if not isinstance(self.compression, str):
            raise TypeError("compression must be a string, not %r" % (self.compression,))
        level = self.compression_level
        if level is not None and (not isinstance(level, int) or isinstance(level, bool)):
            raise TypeError("compression_level must be None or an int, not %r" % (level,))
        _core.check_codec(self.compression, -1000 if level is None else level)
        if self.mode not in _MODES:
            raise ValueError("mode must be 'create', 'append' or 'overwrite', not %r" % (self.mode,))

    def _to_dict(self) -> Dict[str, Any]:
        return {
            "file_rows_target": self.file_rows_target,
            "compression": self.compression,
            "compression_level": self.compression_level,
            "row_group_rows": self.row_group_rows,
            "mode": _MODES[self.mode],
        }


@_dataclass(frozen=True)
class S3Config:
    """S3-compatible storage (AWS S3, MinIO, Ceph, R2, ...).

    uri: "s3://bucket[/prefix]"; an output_uri that is not s3:// is placed under it.
    key, secret, session_token: credentials; None falls back to AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, like the CLI.
    endpoint_url: "http(s)://host:port" (path-style requests); None: AWS_ENDPOINT_URL_S3,
    AWS_ENDPOINT_URL, else AWS.
    region: signing region ("us-east-1").
    use_ssl: None follows the endpoint's scheme; True/False forces it.

    Secrets never appear in reprs or error messages.
    """

    uri: str
    key: Optional[str] = None
    secret: Optional[str] = None
    endpoint_url: Optional[str] = None
    region: str = "us-east-1"
    use_ssl: Optional[bool] = None
    session_token: Optional[str] = None

    def __repr__(self) -> str:
        return "S3Config(uri=%r, key=%s, secret=%s, endpoint_url=%r, region=%r, use_ssl=%r)" % (
            self.uri, "'***'" if self.key else None, "'***'" if self.secret else None,
            self.endpoint_url, self.region, self.use_ssl)

    def _to_dict(self) -> Dict[str, Any]:
        env = _os.environ
        key = self.key if self.key is not None else env.get("AWS_ACCESS_KEY_ID")
        token = self.session_token
        if token is None and self.key is None:
            token = env.get("AWS_SESSION_TOKEN")
        return {
            "key": key,
            "secret": self.secret if self.secret is not None else env.get("AWS_SECRET_ACCESS_KEY"),
            "session_token": token,
            "endpoint_url": self.endpoint_url or env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL"),
            "region": self.region,
            "use_ssl": None if self.use_ssl is None else int(bool(self.use_ssl)),
        }


@_dataclass(frozen=True)
class PartitionSpec:
    """Partition columns: rows are split by their values into hive directories
    ``col=value/...``; the columns are left out of the files.

    >>> PartitionSpec(("year", "month")).columns
    ('year', 'month')
    """

    columns: Tuple[str, ...] = ("year", "month", "day")

    def __post_init__(self) -> None:
        cols = self.columns
        if isinstance(cols, str):
            cols = (cols,)
        object.__setattr__(self, "columns", tuple(cols))
        for c in self.columns:
            if not isinstance(c, str) or not c:
                raise ValueError("partition columns must be non-empty strings, not %r" % (c,))


@_dataclass(frozen=True)
class CatalogConfig:
    """A table catalog for Iceberg and DuckLake: kind "sql", "sqlite" or "postgres";
    uri "sqlite:///path/file.db" or "postgresql://user:pass@host:port/db"."""

    kind: str
    uri: str
    namespace: Optional[str] = None

    def __repr__(self) -> str:
        uri = self.uri
        if "@" in uri and "://" in uri:  # hide a password
            scheme, rest = uri.split("://", 1)
            uri = scheme + "://***@" + rest.split("@", 1)[1]
        return "CatalogConfig(kind=%r, uri=%r, namespace=%r)" % (self.kind, uri, self.namespace)

    def _to_dict(self) -> Dict[str, Any]:
        return {"kind": self.kind, "uri": self.uri, "namespace": self.namespace}


# ---------------------------------------------------------------------------
# Generators
# ---------------------------------------------------------------------------

class _SchemaHolder:
    """An Arrow schema (``__arrow_c_schema__``): pyarrow.schema(s), ..."""

    def __init__(self, ds: "_core.Dataset", index: int, fields: Sequence[Any]):
        self._ds = ds
        self._index = index
        self.names = [f[0] for f in fields]

    def __arrow_c_schema__(self) -> Any:
        return self._ds.schema(self._index)

    def __repr__(self) -> str:
        return "<Arrow schema: %s>" % ", ".join(self.names)


class TableBatches:
    """The batches of one generated table: iterate for :class:`Batch` objects
    (each an Arrow record batch through ``__arrow_c_array__``), or hand the
    whole object to any consumer of ``__arrow_c_stream__``
    (``pyarrow.RecordBatchReader.from_stream``, ``polars.from_arrow``...)."""

    def __init__(self, ds: "_core.Dataset", index: int, batch_rows: int):
        self._ds = ds
        self._index = index
        self._batch_rows = batch_rows

    def __iter__(self) -> Iterator[Batch]:
        return _core.iter_stream(self._ds.stream(self._index, self._batch_rows))

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        return self._ds.stream(self._index, self._batch_rows)


def _option_text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return ",".join(_option_text(x) for x in v)
    return str(v)


class Generator:
    """A built-in dataset (see :func:`create_generator`). Values are a pure
    function of the options: the same as every other output of the same
    options (the CLI's Parquet and JSON Lines)."""

    def __init__(self, name: str, **options: Any):
        self._ds = _core.Dataset(name)
        self.name = name
        self.options = dict(options)
        for key, value in options.items():
            self._ds.set(key.replace("_", "-"), _option_text(value))
        self._ds.prepare()
        self._info = [self._ds.table_info(i) for i in range(self._ds.n_tables())]

    def __repr__(self) -> str:
        return "Generator(%r, %s)" % (self.name, ", ".join("%s=%r" % kv for kv in self.options.items()))

    def _index(self, table: str) -> int:
        for i, info in enumerate(self._info):
            if info["name"] == table:
                return i
        raise ValueError("dataset %s has no table '%s' (tables: %s)" % (self.name, table, ", ".join(self.tables())))

    def tables(self) -> List[str]:
        """The table names, in generation order."""
        return [i["name"] for i in self._info]

    def rows(self, table: str) -> int:
        """The number of rows the table will have."""
        return int(self._info[self._index(table)]["rows"])

    def schema_for(self, table: str) -> _SchemaHolder:
        """The table's Arrow schema (an object with ``__arrow_c_schema__``)."""
        i = self._index(table)
        return _SchemaHolder(self._ds, i, self._info[i]["fields"])

    def partition_spec_for(self, table: str) -> Optional[PartitionSpec]:
        """The table's hive partition levels (derived from its date), or None."""
        cols = self._info[self._index(table)]["partition_by"]
        return PartitionSpec(tuple(cols)) if cols else None

    def batches_for(self, table: str, batch_rows: int = 65_536) -> TableBatches:
        """The table's rows in order, as Arrow record batches of at most batch_rows rows."""
        if not isinstance(batch_rows, int) or batch_rows < 1:
            raise ValueError("batch_rows must be a whole number of at least 1, not %r" % (batch_rows,))
        return TableBatches(self._ds, self._index(table), batch_rows)


_PY_GENERATORS: Dict[str, Any] = {}
_PY_WRITERS: Dict[str, Any] = {}


def register_generator(name: str, factory: Any) -> None:
    """Registers a Python generator factory under ``name`` for create_generator."""
    _PY_GENERATORS[name] = factory


def register_writer(name: str, factory: Any) -> None:
    """Registers a Python writer factory under ``name`` for create_writer."""
    _PY_WRITERS[name] = factory


def available_generators() -> List[str]:
    """Names of the datasets create_generator knows."""
    return sorted(set(_core.dataset_names()) | set(_PY_GENERATORS))


def create_generator(name: str, **options: Any) -> Any:
    """Creates the built-in dataset ``name`` with the CLI's options and defaults
    (``n_customers=1000`` is ``--n-customers 1000``). Bad options raise
    ValueError with the library's sentence.

    >>> gen = create_generator("ecommerce", n_customers=10, n_products=5, orders_per_day=3,
    ...                        start="2024-01-01", end="2024-01-02")
    >>> gen.tables()
    ['customers', 'products', 'orders', 'order_items']
    """
    if name in _PY_GENERATORS:
        return _PY_GENERATORS[name](**options)
    return Generator(name, **options)


# ---------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------

_TABLE_FORMATS: Tuple[str, ...] = tuple(_core.table_formats())  # delta, iceberg, ducklake of this build


def available_writers() -> List[str]:
    """Names of the formats create_writer knows."""
    return sorted({"parquet", *_TABLE_FORMATS} | set(_PY_WRITERS))


def _write_arrow(tw: "_core.TableWriter", data: Any, schema: Any, depth: int = 0) -> int:
    requested = schema.__arrow_c_schema__() if schema is not None and hasattr(schema, "__arrow_c_schema__") else None
    if hasattr(data, "__arrow_c_stream__"):
        cap = data.__arrow_c_stream__(requested) if requested is not None else data.__arrow_c_stream__()
        return tw.write_stream(cap)
    if hasattr(data, "__arrow_c_array__"):
        s, a = data.__arrow_c_array__(requested) if requested is not None else data.__arrow_c_array__()
        return tw.write_array(s, a)
    if depth == 0 and isinstance(data, Iterable) and not isinstance(data, (str, bytes, Mapping)):
        return sum(_write_arrow(tw, item, schema, 1) for item in data)
    raise TypeError("cannot write %s: not Arrow data (it has neither __arrow_c_stream__ nor __arrow_c_array__)"
                    % type(data).__name__)


class ParquetWriter:
    """Writes tables under ``output_uri`` (a directory or s3://bucket/prefix) as
    ``<table>/[col=value/...]part-NNNNN.parquet`` (see :func:`create_writer`).
    Each file appears under its final name only when complete. With a table
    format ("delta", "iceberg", "ducklake") the same files are committed to
    the table in one atomic commit per write() call. Usable as a context
    manager."""

    def __init__(self, format: str, output_uri: Union[str, "_os.PathLike[str]"], s3: Optional[S3Config] = None,
                 catalog: Optional[CatalogConfig] = None, options: Optional[WriterOptions] = None):
        self.format_name = format
        output = _os.fspath(output_uri)
        if not isinstance(output, str) or not output:
            raise ValueError("output_uri must be a directory or an s3:// URI, not %r" % (output_uri,))
        if s3 is not None and not isinstance(s3, S3Config):
            raise TypeError("s3 must be an S3Config, not %s" % type(s3).__name__)
        if catalog is not None and not isinstance(catalog, CatalogConfig):
            raise TypeError("catalog must be a CatalogConfig, not %s" % type(catalog).__name__)
        if options is not None and not isinstance(options, WriterOptions):
            raise TypeError("options must be a WriterOptions, not %s" % type(options).__name__)
        if not output.startswith("s3://") and s3 is not None:
            output = s3.uri.rstrip("/") + "/" + output.lstrip("./").lstrip("/")
        if output.startswith("s3://") and s3 is None:
            s3 = S3Config(uri=output)
        self.output_uri = output
        self.s3 = s3
        self.catalog = catalog
        self.options = options or WriterOptions()
        self.closed = False

    def __repr__(self) -> str:
        return "ParquetWriter(format=%r, output_uri=%r, options=%r)" % (self.format_name, self.output_uri, self.options)

    def __enter__(self) -> "ParquetWriter":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Marks the writer closed (each write() call has already committed its files)."""
        self.closed = True

    def _common(self) -> Dict[str, Any]:
        d = self.options._to_dict()
        d["output"] = self.output_uri
        d["format"] = self.format_name
        d["s3"] = self.s3._to_dict() if self.s3 is not None else None
        d["catalog"] = self.catalog._to_dict() if self.catalog is not None else None
        return d

    def write(self, table: str, batches: Any, *, schema: Any = None,
              partition_spec: Union[PartitionSpec, Sequence[str], None] = None) -> Dict[str, int]:
        """Writes ``batches`` as table ``table``.

        batches: one Arrow-compatible object or an iterable of them (a Polars or
        pandas DataFrame, a pyarrow Table/RecordBatch/RecordBatchReader, a DuckDB
        relation, generated batches...). schema: an optional Arrow schema
        (``__arrow_c_schema__``) the producer is asked to cast to. partition_spec:
        columns whose values split rows into hive directories (left out of the
        files). Returns {"files", "rows", "bytes"}. Unsupported column types raise
        TypeError naming the column; I/O failures OSError with errno and path; a
        failed write leaves no partial file.
        """
        if self.closed:
            raise ValueError("write to a closed writer")
        if not isinstance(table, str) or not table:
            raise ValueError("table must be a non-empty string, not %r" % (table,))
        if partition_spec is None:
            cols: Tuple[str, ...] = ()
        elif isinstance(partition_spec, PartitionSpec):
            cols = partition_spec.columns
        else:
            cols = PartitionSpec(tuple(partition_spec)).columns
        d = self._common()
        d["table"] = table
        d["partition_by"] = list(cols)
        tw = _core.TableWriter(d)
        try:
            _write_arrow(tw, batches, schema)
        except BaseException:
            tw.abort()
            raise
        return tw.close()


def create_writer(format: str, output_uri: Union[str, "_os.PathLike[str]"], s3: Optional[S3Config] = None,
                  catalog: Optional[CatalogConfig] = None, options: Optional[WriterOptions] = None) -> Any:
    """A writer of ``format`` ("parquet"; see available_writers()) into
    ``output_uri``: a directory, or s3://bucket/prefix (credentials from ``s3``
    or the environment). s3 and catalog may be given positionally, as in the
    reference system, or left out.

    >>> w = create_writer("parquet", "/tmp/out", options=WriterOptions(compression="zstd"))
    """
    if format in _PY_WRITERS:
        return _PY_WRITERS[format](output_uri, s3, catalog, options)
    if format not in available_writers():
        raise ValueError("unknown format '%s' (available: %s)" % (format, ", ".join(available_writers())))
    return ParquetWriter(format, output_uri, s3, catalog, options)


class _Progress:
    """The CLI's progress line on stderr: rows, rate, MB, ETA."""

    def __init__(self) -> None:
        self.t0 = _time.monotonic()
        self.last = 0.0

    def __call__(self, done: int, total: int, nbytes: int) -> None:
        t = _time.monotonic()
        if t - self.last < 0.2 and done < total:
            return
        self.last = t
        el = t - self.t0
        rate = done / el if el > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else 0.0
        _sys.stderr.write("\r%d / %d rows  %.2f M rows/s  %.1f MB  ETA %.0f s   " % (
            done, total, rate / 1e6, nbytes / 1e6, eta))
        _sys.stderr.flush()


def write_dataset(generator: Any, writer: Any, tables: Optional[Sequence[str]] = None,
                  progress: bool = False) -> Dict[str, Any]:
    """Writes a dataset's tables through ``writer``.

    For a built-in generator (create_generator) this runs the C pipeline: every
    core (WriterOptions.threads), the GIL released, the same bytes as the CLI
    with the same options. For a Python generator object following the
    reference's protocol (name, tables(), batches_for(table), schema_for(table),
    partition_spec_for(table)), each table's batches are streamed through
    writer.write. progress=True shows the CLI's progress line on stderr.
    Returns the run's statistics.
    """
    if isinstance(generator, Generator) and isinstance(writer, ParquetWriter):
        d = writer._common()
        opts = writer.options
        d["threads"] = opts.threads or 0
        d["overwrite"] = 1 if opts.mode == "overwrite" else 0
        if tables is not None:
            names = list(tables)
            for t in names:
                generator._index(t)
            d["tables"] = names
        cb = _Progress() if progress else None
        try:
            stats = generator._ds.run(d, cb)
        finally:
            if cb is not None:
                _sys.stderr.write("\n")
        return stats
    names = list(tables) if tables is not None else list(generator.tables())
    result: Dict[str, Any] = {"tables": 0, "files": 0, "rows": 0, "bytes": 0}
    for t in names:
        schema = generator.schema_for(t) if hasattr(generator, "schema_for") else None
        spec = generator.partition_spec_for(t) if hasattr(generator, "partition_spec_for") else None
        if spec is not None and not isinstance(spec, PartitionSpec) and hasattr(spec, "columns"):
            spec = PartitionSpec(tuple(spec.columns))
        stats = writer.write(t, generator.batches_for(t), schema=schema, partition_spec=spec)
        result["tables"] += 1
        if isinstance(stats, Mapping):
            for k in ("files", "rows", "bytes"):
                result[k] += int(stats.get(k, 0))
        if progress:
            _sys.stderr.write("%s: %d rows\n" % (t, result["rows"]))
    return result
