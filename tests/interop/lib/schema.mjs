// schema.mjs - the expected schema: a tree of typed nodes derived from the
// Parquet schema elements of a file, and what each reader should call them.
//
// A node is { name, kind, required, ... }:
//   kind 'bool' 'int8' 'int16' 'int32' 'int64' 'float' 'double' 'date'
//        'timestamp' (INT64 TIMESTAMP(MICROS, UTC)) 'string'
//        'decimal' (+ precision, scale; INT32 or INT64 physical)
//        'struct' (+ members: [node])
//        'list'   (+ element: node; standard 3-level LIST/list/element)
//   leaves also carry `physical` (INT32, BYTE_ARRAY, ...).
// A DURATION column is plain INT64 in Parquet, so it is an 'int64' node.
// Anything else (unsigned, binary, maps, other time units...) is rejected
// with an explanation: the harness does not guess.
import { sqlString } from './duckdb.mjs';

class SchemaError extends Error {}

// Top-level nodes from DuckDB's parquet_schema(file).
export async function schemaFromDuckDB(db, file) {
  const rows = await db.rows(`SELECT name, type, repetition_type, num_children, converted_type,
                                     scale, precision, logical_type
                              FROM parquet_schema(${sqlString(file)})`);
  const elements = rows.map((r) => ({
    name: r.name,
    physical: r.type ?? undefined,
    repetition: r.repetition_type,
    numChildren: Number(r.num_children ?? 0),
    converted: r.converted_type ?? undefined,
    scale: r.scale == null ? undefined : Number(r.scale),
    precision: r.precision == null ? undefined : Number(r.precision),
    logical: parseDuckDBLogicalType(r.logical_type),
  }));
  return buildTree(elements);
}

// Top-level nodes from hyparquet's parsed FileMetaData.schema.
export function schemaFromHyparquet(schemaElements) {
  return buildTree(schemaElements.map((e) => ({
    name: e.name,
    physical: e.type,
    repetition: e.repetition_type,
    numChildren: e.num_children ?? 0,
    converted: e.converted_type,
    scale: e.scale,
    precision: e.precision,
    logical: e.logical_type,
  })));
}

// DuckDB prints the Thrift LogicalType union, e.g.
//   "IntType(bitWidth=\b, isSigned=1)"   (bitWidth is an i8 printed as a raw
//                                         character: "\b" is 8, "@" is 64)
//   "TimestampType(isAdjustedToUTC=1, unit=TimeUnit(MILLIS=<null>, MICROS=MicroSeconds(), NANOS=<null>))"
//   "DecimalType(scale=2, precision=9)", "StringType()", "DateType()", "ListType()".
// Returns the shape hyparquet uses: { type: 'INTEGER', bitWidth, isSigned }...
function parseDuckDBLogicalType(s) {
  if (s == null) return undefined;
  const m = /^(\w+?)Type\((.*)\)$/s.exec(s);
  if (!m) throw new SchemaError(`cannot parse DuckDB's logical_type ${JSON.stringify(s)}`);
  const type = { Int: 'INTEGER' }[m[1]] ?? m[1].toUpperCase();
  const params = m[2];
  const field = (name, re) => {
    const f = new RegExp(`${name}=(${re})`, 's').exec(params);
    if (!f) throw new SchemaError(`no ${name} in DuckDB's logical_type ${JSON.stringify(s)}`);
    return f[1];
  };
  switch (type) {
    case 'INTEGER': {
      const w = field('bitWidth', '\\d+|.');
      return { type, bitWidth: /^\d+$/.test(w) ? Number(w) : w.charCodeAt(0), isSigned: field('isSigned', '\\d') === '1' };
    }
    case 'TIMESTAMP': {
      const unit = /(MILLIS|MICROS|NANOS)=(?!<null>)/.exec(params)?.[1];
      return { type, isAdjustedToUTC: field('isAdjustedToUTC', '\\d') === '1', unit };
    }
    case 'DECIMAL':
      return { type, scale: Number(field('scale', '\\d+')), precision: Number(field('precision', '\\d+')) };
    default:
      return { type };
  }
}

// Elements are in depth-first order, the root first; each group says how
// many children follow.
function buildTree(elements) {
  let i = 1;
  const raw = () => {
    const e = elements[i++];
    if (!e) throw new SchemaError('the schema ends before its groups are complete');
    const children = [];
    for (let k = 0; k < e.numChildren; k++) children.push(raw());
    return { e, children };
  };
  const top = [];
  for (let k = 0; k < elements[0].numChildren; k++) top.push(raw());
  if (i !== elements.length) throw new SchemaError("the schema has elements beyond its root's children");
  return top.map((r) => nodeOf(r, []));
}

function nodeOf({ e, children }, path) {
  const p = [...path, e.name];
  const where = p.join('.');
  if (e.repetition === 'REPEATED') throw new SchemaError(`${where}: repeated field outside a standard LIST`);
  const required = e.repetition === 'REQUIRED';
  if (children.length === 0) return { name: e.name, required, physical: e.physical, ...leafKind(e, where) };

  if (e.converted !== 'LIST' && e.logical?.type !== 'LIST') {
    if (e.converted || e.logical) throw new SchemaError(`${where}: unsupported group annotation ${e.converted ?? e.logical.type}`);
    return { name: e.name, kind: 'struct', required, members: children.map((c) => nodeOf(c, p)) };
  }
  // The standard 3-level list: <name> (LIST) { repeated group list { <element> } }.
  const rep = children[0];
  if (children.length !== 1 || rep.e.repetition !== 'REPEATED' || rep.e.name !== 'list'
      || rep.e.converted || rep.e.logical || rep.children.length !== 1 || rep.children[0].e.name !== 'element') {
    throw new SchemaError(`${where}: LIST is not the standard LIST / list / element layout`);
  }
  return { name: e.name, kind: 'list', required, element: nodeOf(rep.children[0], [...p, 'list']) };
}

// The kind of a leaf, from its logical type and its converted type (which
// must agree when both are present), else from its physical type.
function leafKind(e, where) {
  const fromLogical = e.logical && kindFromLogical(e, where);
  const fromConverted = e.converted && kindFromConverted(e, where);
  if (fromLogical && fromConverted && typeSignature(fromLogical) !== typeSignature(fromConverted)) {
    throw new SchemaError(`${where}: logical type says ${typeSignature(fromLogical)}, converted type ${e.converted} says ${typeSignature(fromConverted)}`);
  }
  const k = fromLogical ?? fromConverted ?? kindFromPhysical(e, where);
  if (k.kind === 'decimal') {
    if (e.physical !== 'INT32' && e.physical !== 'INT64') throw new SchemaError(`${where}: DECIMAL on ${e.physical}`);
    if (!(k.precision >= 1 && k.precision <= (e.physical === 'INT32' ? 9 : 18) && k.scale >= 0 && k.scale <= k.precision)) {
      throw new SchemaError(`${where}: DECIMAL(${k.precision},${k.scale}) invalid on ${e.physical}`);
    }
    if (e.precision !== undefined && (e.precision !== k.precision || e.scale !== k.scale)) {
      throw new SchemaError(`${where}: element precision/scale ${e.precision}/${e.scale} differ from its logical type's`);
    }
  }
  return k;
}

function unsupported(e, where, what) {
  return new SchemaError(`${where}: ${e.physical} ${what} is not a type this harness knows`);
}

function kindFromLogical(e, where) {
  const L = e.logical, P = e.physical;
  switch (L.type) {
    case 'INTEGER':
      if (L.isSigned && P === 'INT32' && [8, 16, 32].includes(L.bitWidth)) return { kind: `int${L.bitWidth}` };
      if (L.isSigned && P === 'INT64' && L.bitWidth === 64) return { kind: 'int64' };
      break;
    case 'DATE':
      if (P === 'INT32') return { kind: 'date' };
      break;
    case 'TIMESTAMP':
      if (P === 'INT64' && L.unit === 'MICROS' && L.isAdjustedToUTC) return { kind: 'timestamp' };
      break;
    case 'DECIMAL':
      return { kind: 'decimal', precision: L.precision, scale: L.scale };
    case 'STRING':
      if (P === 'BYTE_ARRAY') return { kind: 'string' };
      break;
  }
  throw unsupported(e, where, `with logical type ${JSON.stringify(L)}`);
}

function kindFromConverted(e, where) {
  const C = e.converted, P = e.physical;
  const k = {
    INT32: { INT_8: 'int8', INT_16: 'int16', INT_32: 'int32', DATE: 'date', DECIMAL: 'decimal' },
    INT64: { INT_64: 'int64', TIMESTAMP_MICROS: 'timestamp', DECIMAL: 'decimal' },
    BYTE_ARRAY: { UTF8: 'string' },
  }[P]?.[C];
  if (!k) throw unsupported(e, where, `with converted type ${C}`);
  return k === 'decimal' ? { kind: k, precision: e.precision, scale: e.scale ?? 0 } : { kind: k };
}

function kindFromPhysical(e, where) {
  const k = { BOOLEAN: 'bool', INT32: 'int32', INT64: 'int64', FLOAT: 'float', DOUBLE: 'double' }[e.physical];
  if (!k) throw unsupported(e, where, 'without annotation');
  return { kind: k };
}

// A compact, reader-neutral spelling: decimal(9,2), list<struct<a:int32>>.
export function typeSignature(n) {
  switch (n.kind) {
    case 'decimal': return `decimal(${n.precision},${n.scale})`;
    case 'struct': return `struct<${n.members.map((m) => `${m.name}:${typeSignature(m)}`).join(',')}>`;
    case 'list': return `list<${typeSignature(n.element)}>`;
    default: return n.kind;
  }
}

// Every leaf: its Parquet path (as in path_in_schema) and the chain of nodes
// from the top-level column down to it (list nodes are followed by their
// element node).
export function leaves(columns) {
  const out = [];
  const walk = (node, path, chain) => {
    const p = [...path, node.name];
    const c = [...chain, node];
    if (node.kind === 'struct') node.members.forEach((m) => walk(m, p, c));
    else if (node.kind === 'list') walk(node.element, [...p, 'list'], c);
    else out.push({ path: p, chain: c, node });
  };
  columns.forEach((col) => walk(col, [], []));
  return out;
}

// The type names each reader should report for a node.
const DUCKDB = { bool: 'BOOLEAN', int8: 'TINYINT', int16: 'SMALLINT', int32: 'INTEGER', int64: 'BIGINT',
  float: 'FLOAT', double: 'DOUBLE', date: 'DATE', timestamp: 'TIMESTAMP WITH TIME ZONE', string: 'VARCHAR' };
export function duckdbTypeName(n) {
  switch (n.kind) {
    case 'decimal': return `DECIMAL(${n.precision},${n.scale})`;
    case 'struct': return `STRUCT(${n.members.map((m) => `"${m.name.replaceAll('"', '""')}" ${duckdbTypeName(m)}`).join(', ')})`;
    case 'list': return `${duckdbTypeName(n.element)}[]`;
    default: return DUCKDB[n.kind];
  }
}

const POLARS = { bool: 'Bool', int8: 'Int8', int16: 'Int16', int32: 'Int32', int64: 'Int64', float: 'Float32',
  double: 'Float64', date: 'Date', timestamp: 'Datetime(us,UTC)', string: 'String' };
export function polarsTypeName(n) {
  switch (n.kind) {
    case 'decimal': return `Decimal(${n.precision},${n.scale})`;
    case 'struct': return `Struct(${n.members.map((m) => `${m.name}: ${polarsTypeName(m)}`).join(', ')})`;
    case 'list': return `List(${polarsTypeName(n.element)})`;
    default: return POLARS[n.kind];
  }
}

// arrow-rs maps isAdjustedToUTC=true to the time zone "+00:00" or, when the
// file carries no Arrow schema, "UTC"; both are spelled UTC here.
const ARROW = { bool: 'Bool', int8: 'Int8', int16: 'Int16', int32: 'Int32', int64: 'Int64', float: 'Float32',
  double: 'Float64', date: 'Date32', timestamp: 'Timestamp(us,UTC)', string: 'Utf8' };
export function arrowTypeName(n) {
  switch (n.kind) {
    case 'decimal': return `Decimal128(${n.precision},${n.scale})`;
    case 'struct': return `Struct<${n.members.map((m) => `${m.name}: ${arrowTypeName(m)}`).join(', ')}>`;
    case 'list': return `List<${arrowTypeName(n.element)}>`;
    default: return ARROW[n.kind];
  }
}
