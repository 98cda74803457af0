// readers.mjs - the four independent Parquet readers, each turned into the
// canonical value form of values.mjs.
//
// Each reader is { name, typeName(node), open(file) } and open() resolves to
//   { names, types, rows(cols), close() }
// where names/types are the top-level column names and the reader's own type
// names for them (spelled as typeName spells expected ones), rows(cols) is
// an async iterable of batches of rows, a row holding the normalized values
// of the columns cols = [{ index, node }] in that order, and close() frees
// what the reader holds.
//
// Quirks normalized here (each reader keeps its own decoding; only the way
// values cross into JavaScript is adapted):
//  DuckDB   dates, timestamps, decimals, lists and structs arrive as
//           DuckDBDateValue {days}, DuckDBTimestampTZValue {micros},
//           DuckDBDecimalValue {value, scale}, DuckDBListValue {items},
//           DuckDBStructValue {entries}.
//  Polars   toArray() turns Int64 into lossy numbers, Datetime into
//           millisecond Dates, rejects Decimal, and turns a null struct into
//           an object of null members. So leaves are cast inside Polars first
//           (Int64 -> String, Datetime -> Int64 -> String, Date -> Int32,
//           Decimal -> String), and nested columns are taken apart in Polars:
//           nulls from isNull(), struct members from struct.field(), list
//           elements from lengths() and explode() of the non-empty lists.
//  arrow-rs Arrow JS's get() turns timestamps into float milliseconds and
//           decimals into BigNum words; values are read from the Arrow
//           buffers instead (BigInt64 microseconds, Int32 days, 128-bit
//           two's complement decimals, UTF-8 bytes, offsets, validity).
//  hyparquet  dates and timestamps go through its `parsers` option, made to
//           return the raw days and microseconds. Its DECIMAL conversion is
//           float64 (lossy), so it reads the file with a copy of its own
//           metadata from which the DECIMAL annotations are removed, giving
//           the exact unscaled integers; precision and scale are checked from
//           its unmodified metadata. Null lists and null structs come back
//           as undefined.
import { readFileSync } from 'node:fs';
import { DuckDBDateValue, DuckDBDecimalValue, DuckDBListValue, DuckDBStructValue, DuckDBTimestampTZValue } from '@duckdb/node-api';
import pl from 'nodejs-polars';
import { readParquet } from 'parquet-wasm';
import { DataType, tableFromIPC } from 'apache-arrow';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { openDuckDB, sqlString } from './duckdb.mjs';
import { arrowTypeName, duckdbTypeName, polarsTypeName, schemaFromHyparquet, typeSignature } from './schema.mjs';
import { Unexpected, daysToDate, formatDecimal, normalizeDecimalString } from './values.mjs';

// A leaf value that must already have JavaScript type `type`.
const as = (v, type) => (typeof v === type ? v : new Unexpected(v));

// Leaves whose JavaScript form is the canonical one in every reader.
const PLAIN_JS = { bool: 'boolean', int8: 'number', int16: 'number', int32: 'number', float: 'number', double: 'number', string: 'string' };

// Turns column arrays into row batches.
function* zipColumns(arrays, numRows) {
  const rows = new Array(numRows);
  for (let i = 0; i < numRows; i++) rows[i] = arrays.map((a) => a[i]);
  yield rows;
}

// ---------------------------------------------------------------- DuckDB --

function fromDuckDB(v, node) {
  if (v === null) return null;
  if (node.kind in PLAIN_JS) return as(v, PLAIN_JS[node.kind]);
  switch (node.kind) {
    case 'int64': return typeof v === 'bigint' ? v.toString() : new Unexpected(v);
    case 'date': return v instanceof DuckDBDateValue ? daysToDate(v.days) : new Unexpected(v);
    case 'timestamp': return v instanceof DuckDBTimestampTZValue ? v.micros.toString() : new Unexpected(v);
    case 'decimal': return v instanceof DuckDBDecimalValue ? formatDecimal(v.value, v.scale) : new Unexpected(v);
    case 'struct':
      if (!(v instanceof DuckDBStructValue)) return new Unexpected(v);
      return Object.fromEntries(node.members.map((m) => [m.name, fromDuckDB(v.entries[m.name] ?? null, m)]));
    case 'list':
      return v instanceof DuckDBListValue ? v.items.map((e) => fromDuckDB(e, node.element)) : new Unexpected(v);
  }
  throw new Error(`unknown kind ${node.kind}`);
}

const duckdb = {
  name: 'duckdb',
  typeName: duckdbTypeName,
  async open(file) {
    const db = await openDuckDB();
    const result = await db.conn.stream(`SELECT * FROM read_parquet(${sqlString(file)})`);
    return {
      names: result.columnNames(),
      types: result.columnTypes().map(String),
      async* rows(cols) {
        for await (const chunk of result) {
          yield chunk.getRows().map((r) => cols.map(({ index, node }) => fromDuckDB(r[index], node)));
        }
      },
      close: () => db.close(),
    };
  },
};

// ---------------------------------------------------------------- Polars --

function polarsName(dt) {
  switch (dt.variant) {
    case 'Datetime': return `Datetime(${dt.inner[0]},${dt.inner[1]})`;
    case 'Decimal': return `Decimal(${dt.inner[0]},${dt.inner[1]})`;
    case 'List': return `List(${polarsName(dt.inner[0])})`;
    case 'Struct': return `Struct(${dt.inner.map((f) => `${f.name}: ${polarsName(f.dtype)}`).join(', ')})`;
    default: return dt.variant;
  }
}

// The normalized values of a Series, as an array.
function fromPolars(s, node) {
  const mapNonNull = (arr, f) => arr.map((v) => (v === null ? null : f(v)));
  if (node.kind in PLAIN_JS) return mapNonNull(s.toArray(), (v) => as(v, PLAIN_JS[node.kind]));
  switch (node.kind) {
    case 'int64': return mapNonNull(s.cast(pl.String).toArray(), (v) => as(v, 'string'));
    case 'timestamp': return mapNonNull(s.cast(pl.Int64).cast(pl.String).toArray(), (v) => as(v, 'string'));
    case 'date': return mapNonNull(s.cast(pl.Int32).toArray(), daysToDate);
    case 'decimal': return mapNonNull(s.cast(pl.String).toArray(), (v) => normalizeDecimalString(v, node.scale));
    case 'struct': {
      const nulls = s.isNull().toArray();
      const members = node.members.map((m) => fromPolars(s.struct.field(m.name), m));
      return nulls.map((isNull, i) => (isNull ? null
        : Object.fromEntries(node.members.map((m, j) => [m.name, members[j][i]]))));
    }
    case 'list': {
      const nulls = s.isNull().toArray();
      const lengths = s.list.lengths().toArray();
      // explode() gives a null row for an empty list: explode only the others.
      const keep = lengths.map((n, i) => !nulls[i] && n > 0);
      const elements = fromPolars(s.filter(pl.Series('keep', keep)).explode(), node.element);
      const out = [];
      let at = 0;
      for (let i = 0; i < nulls.length; i++) {
        out.push(nulls[i] ? null : elements.slice(at, at + lengths[i]));
        if (!nulls[i]) at += lengths[i];
      }
      if (at !== elements.length) throw new Error(`polars: ${s.name}: list lengths add up to ${at}, explode() gave ${elements.length}`);
      return out;
    }
  }
  throw new Error(`unknown kind ${node.kind}`);
}

const polars = {
  name: 'polars',
  typeName: polarsTypeName,
  async open(file) {
    const df = pl.readParquet(file);
    return {
      names: df.columns,
      types: df.getColumns().map((s) => polarsName(s.dtype)),
      async* rows(cols) {
        yield* zipColumns(cols.map(({ index, node }) => fromPolars(df.getColumn(df.columns[index]), node)), df.height);
      },
      close() {},
    };
  },
};

// ------------------------------------------------- arrow-rs (parquet-wasm) --

const TIME_UNITS = ['s', 'ms', 'us', 'ns'];
function arrowName(t) {
  if (DataType.isBool(t)) return 'Bool';
  if (DataType.isInt(t)) return `${t.isSigned ? 'Int' : 'UInt'}${t.bitWidth}`;
  if (DataType.isFloat(t)) return ['Float16', 'Float32', 'Float64'][t.precision];
  if (DataType.isUtf8(t)) return 'Utf8';
  if (DataType.isDate(t)) return t.unit === 0 ? 'Date32' : 'Date64';
  if (DataType.isTimestamp(t)) {
    const tz = t.timezone === 'UTC' || t.timezone === '+00:00' ? 'UTC' : t.timezone ?? 'none';
    return `Timestamp(${TIME_UNITS[t.unit]},${tz})`;
  }
  if (DataType.isDecimal(t)) return `Decimal${t.bitWidth}(${t.precision},${t.scale})`;
  if (DataType.isList(t)) return `List<${arrowName(t.children[0].type)}>`;
  if (DataType.isStruct(t)) return `Struct<${t.children.map((f) => `${f.name}: ${arrowName(f.type)}`).join(', ')}>`;
  return String(t);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

// Value i of an Arrow Data, read from its buffers with Arrow JS's own
// conventions: fixed-width values and offsets are already sliced to the
// Data, bits are not (Data.offset applies), list children are indexed
// through the offsets, struct children are sliced like their parent.
function fromArrow(data, i, node) {
  if (!data.getValid(i)) return null;
  const { values } = data;
  switch (node.kind) {
    case 'bool': {
      const bit = data.offset + i;
      return (values[bit >> 3] & (1 << (bit & 7))) !== 0;
    }
    case 'int8': case 'int16': case 'int32': case 'float': case 'double':
      return values[i];
    case 'int64': case 'timestamp':
      return values[i].toString();
    case 'date':
      return daysToDate(values[i]);
    case 'decimal': {
      let u = 0n;
      for (let w = 3; w >= 0; w--) u = (u << 32n) | BigInt(values[4 * i + w]);
      return formatDecimal(BigInt.asIntN(128, u), node.scale);
    }
    case 'string':
      return utf8.decode(values.subarray(data.valueOffsets[i], data.valueOffsets[i + 1]));
    case 'struct':
      return Object.fromEntries(node.members.map((m, j) => [m.name, fromArrow(data.children[j], i, m)]));
    case 'list': {
      const out = [];
      for (let k = data.valueOffsets[i]; k < data.valueOffsets[i + 1]; k++) out.push(fromArrow(data.children[0], k, node.element));
      return out;
    }
  }
  throw new Error(`unknown kind ${node.kind}`);
}

const parquetWasm = {
  name: 'parquet-wasm',
  typeName: arrowTypeName,
  async open(file) {
    const table = tableFromIPC(readParquet(new Uint8Array(readFileSync(file))).intoIPCStream());
    const fields = table.schema.fields;
    return {
      names: fields.map((f) => f.name),
      types: fields.map((f) => arrowName(f.type)),
      async* rows(cols) {
        const arrays = cols.map(({ index, node }) => {
          const out = [];
          for (const data of table.getChildAt(index).data) {
            for (let i = 0; i < data.length; i++) out.push(fromArrow(data, i, node));
          }
          return out;
        });
        yield* zipColumns(arrays, table.numRows);
      },
      close() {},
    };
  },
};

// ------------------------------------------------------------- hyparquet --

class HyDate {
  constructor(days) { this.days = days; }
}
class HyTimestamp {
  constructor(micros) { this.micros = micros; }
}
const HY_PARSERS = {
  dateFromDays: (days) => new HyDate(days),
  timestampFromMicroseconds: (micros) => new HyTimestamp(micros),
};

function fromHyparquet(v, node) {
  // hyparquet gives null lists and null structs as undefined.
  if (v === null || (v === undefined && (node.kind === 'struct' || node.kind === 'list'))) return null;
  if (node.kind in PLAIN_JS) return as(v, PLAIN_JS[node.kind]);
  switch (node.kind) {
    case 'int64': return typeof v === 'bigint' ? v.toString() : new Unexpected(v);
    case 'date': return v instanceof HyDate ? daysToDate(v.days) : new Unexpected(v);
    case 'timestamp': return v instanceof HyTimestamp && typeof v.micros === 'bigint' ? v.micros.toString() : new Unexpected(v);
    case 'decimal': // the unscaled integer: a number for INT32, a BigInt for INT64
      return (node.physical === 'INT32' ? Number.isInteger(v) : typeof v === 'bigint')
        ? formatDecimal(BigInt(v), node.scale) : new Unexpected(v);
    case 'struct':
      if (typeof v !== 'object' || Array.isArray(v)) return new Unexpected(v);
      return Object.fromEntries(node.members.map((m) => [m.name, fromHyparquet(v[m.name], m)]));
    case 'list':
      return Array.isArray(v) ? v.map((e) => fromHyparquet(e, node.element)) : new Unexpected(v);
  }
  throw new Error(`unknown kind ${node.kind}`);
}

const hyparquet = {
  name: 'hyparquet',
  typeName: typeSignature,
  async open(file) {
    const bytes = readFileSync(file);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const metadata = parquetMetadata(buffer);
    const columns = schemaFromHyparquet(metadata.schema);
    return {
      names: columns.map((c) => c.name),
      types: columns.map(typeSignature),
      async* rows(cols) {
        const exact = structuredClone(metadata);
        for (const e of exact.schema) {
          if (e.converted_type === 'DECIMAL' || e.logical_type?.type === 'DECIMAL') {
            delete e.converted_type;
            delete e.logical_type;
          }
        }
        const rows = await parquetReadObjects({ file: buffer, metadata: exact, compressors, parsers: HY_PARSERS });
        const names = columns.map((c) => c.name);
        yield rows.map((r) => cols.map(({ index, node }) => fromHyparquet(r[names[index]], node)));
      },
      close() {},
    };
  },
};

export const READERS = Object.fromEntries([duckdb, polars, parquetWasm, hyparquet].map((r) => [r.name, r]));

// Shapes a reader cannot represent, keyed by reader and by a pattern on the
// column's type signature (schema.mjs typeSignature, e.g. "list<struct<...>>"):
//   { reader: 'polars', type: /^list<list</, reason: '...' }
// Such columns are reported as KNOWN-LIMITATION and not compared for that
// reader. Every entry needs a reason that is true of the pinned version.
// Empty: with the normalizations above, the pinned readers represent every
// type this harness knows (schema.mjs), nested shapes included.
const KNOWN_LIMITATIONS = [];

export function knownLimitation(reader, node) {
  const sig = typeSignature(node);
  return KNOWN_LIMITATIONS.find((k) => k.reader === reader && k.type.test(sig));
}
