// values.mjs - the canonical form of values, the JSONL reader, and the
// comparison of a reader's values with the JSONL's.
//
// Canonical form (what the JSONL convention says, with floats as numbers):
//   null                 null
//   bool                 true / false
//   int8 int16 int32     number
//   int64 timestamp      decimal string ("-9223372036854775808", microseconds)
//   float double         number (NaN, Infinity, -0 included); float is Math.fround'ed
//   date                 "YYYY-MM-DD"
//   decimal              string with exactly `scale` fraction digits ("-1.50")
//   string               string
//   struct               object of its members, in schema order
//   list                 array
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const MS_PER_DAY = 86400000;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

// A value a reader produced in a form the normalizer did not expect. It
// never equals anything, so it shows up as a mismatch.
export class Unexpected {
  constructor(value) {
    this.value = value;
  }
}

// Days since 1970-01-01 to "YYYY-MM-DD" (proleptic Gregorian). Years outside
// 0000..9999 come out in ISO's expanded form ("+010000-01-01"), which never
// equals a JSONL date.
export function daysToDate(days) {
  if (!Number.isInteger(days)) return new Unexpected(days);
  return new Date(days * MS_PER_DAY).toISOString().slice(0, 10);
}

// The exact decimal string of unscaled * 10^-scale.
export function formatDecimal(unscaled, scale) {
  const u = BigInt(unscaled);
  const neg = u < 0n;
  const digits = (neg ? -u : u).toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  return (neg ? '-' : '') + int + (scale ? `.${digits.slice(digits.length - scale)}` : '');
}

// A decimal string printed by some reader ("1.5", "-0.50", "12") to the
// canonical form at `scale`; Unexpected if it is not exactly representable.
export function normalizeDecimalString(s, scale) {
  const m = typeof s === 'string' && /^(-?)(\d+)(?:\.(\d*))?$/.exec(s);
  if (!m) return new Unexpected(s);
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > scale) return new Unexpected(s);
  const unscaled = BigInt(m[2] + frac.padEnd(scale, '0'));
  return formatDecimal(m[1] ? -unscaled : unscaled, scale);
}

// ---------------------------------------------------------------- JSONL --

class ConventionError extends Error {}

const SPECIAL_FLOATS = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

// One JSONL value to canonical form; throws ConventionError when the JSONL
// does not follow the convention for the column's type.
function canonical(node, v, where) {
  const bad = (why) => new ConventionError(`${where}: ${why}: ${show(v)}`);
  if (v === null) return null;
  switch (node.kind) {
    case 'bool':
      if (typeof v !== 'boolean') throw bad('not a boolean');
      return v;
    case 'int8': case 'int16': case 'int32': {
      const bits = Number(node.kind.slice(3));
      if (!Number.isInteger(v) || v < -(2 ** (bits - 1)) || v >= 2 ** (bits - 1)) throw bad(`not an ${node.kind} number`);
      return v;
    }
    case 'int64': case 'timestamp':
      if (typeof v !== 'string' || !/^-?(0|[1-9]\d*)$/.test(v) || v === '-0'
          || BigInt(v) < INT64_MIN || BigInt(v) > INT64_MAX) throw bad('not an int64 as a decimal string');
      return v;
    case 'float': case 'double': {
      let x = v;
      if (typeof v === 'string') {
        if (!(v in SPECIAL_FLOATS)) throw bad('not a number nor "NaN"/"Infinity"/"-Infinity"');
        x = SPECIAL_FLOATS[v];
      } else if (typeof v !== 'number') throw bad('not a number');
      return node.kind === 'float' ? Math.fround(x) : x;
    }
    case 'date': {
      const m = typeof v === 'string' && /^(\d{4})-(\d\d)-(\d\d)$/.exec(v);
      if (!m || m[1] === '0000') throw bad('not a YYYY-MM-DD date in 0001..9999');
      const d = new Date(0);
      d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
      if (daysToDate(d.getTime() / MS_PER_DAY) !== v) throw bad('not a valid date');
      return v;
    }
    case 'decimal': {
      const fmt = node.scale ? `-?(0|[1-9]\\d*)\\.\\d{${node.scale}}` : '-?(0|[1-9]\\d*)';
      if (typeof v !== 'string' || !new RegExp(`^${fmt}$`).test(v)) throw bad(`not a decimal string with ${node.scale} fraction digits`);
      if (/^-0\.?0*$/.test(v)) throw bad('negative zero decimal');
      if (v.replace(/[-.]/g, '').replace(/^0+(?=\d)/, '').length > node.precision) throw bad(`more than ${node.precision} digits`);
      return v;
    }
    case 'string':
      if (typeof v !== 'string') throw bad('not a string');
      return v;
    case 'struct': {
      if (typeof v !== 'object' || Array.isArray(v)) throw bad('not an object');
      const names = node.members.map((m) => m.name);
      const keys = Object.keys(v);
      if (keys.length !== names.length || !names.every((n) => Object.hasOwn(v, n))) {
        throw bad(`members are not exactly ${names.join(', ')}`);
      }
      return Object.fromEntries(node.members.map((m) => [m.name, canonical(m, v[m.name], `${where}.${m.name}`)]));
    }
    case 'list':
      if (!Array.isArray(v)) throw bad('not an array');
      return v.map((e, i) => canonical(node.element, e, `${where}[${i}]`));
  }
  throw new Error(`unknown kind ${node.kind}`);
}

// Reads the JSONL file into canonical rows (arrays in schema order).
// Throws an Error listing the first convention violations.
export async function readJsonl(file, columns) {
  const names = columns.map((c) => c.name);
  const rows = [];
  const errors = [];
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    line++;
    if (errors.length >= 10) break;
    try {
      let obj;
      try {
        obj = JSON.parse(text);
      } catch (e) {
        throw new ConventionError(`line ${line}: not JSON (${e.message})`);
      }
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new ConventionError(`line ${line}: not an object`);
      const keys = Object.keys(obj);
      if (keys.join('\0') !== names.join('\0')) {
        throw new ConventionError(`line ${line}: keys ${keys.join(',')} are not the columns ${names.join(',')} in order`);
      }
      rows.push(columns.map((c) => canonical(c, obj[c.name], `row ${line - 1} ${c.name}`)));
    } catch (e) {
      if (!(e instanceof ConventionError)) throw e;
      errors.push(e.message);
    }
  }
  if (errors.length) throw new Error(`${file} does not follow the JSONL convention:\n  ${errors.join('\n  ')}`);
  return rows;
}

// The level entries of one leaf in one top-level value, in the Dremel model:
// calls entry(v) with the leaf's value, or with null for every entry whose
// definition level is below the maximum (a null at any level above or at
// the leaf, or an empty list). chain is the leaf's chain from leaves().
export function forEachLeafEntry(chain, value, entry, depth = 0) {
  const node = chain[depth];
  if (value === null || (node.kind === 'list' && value.length === 0)) entry(null);
  else if (node.kind === 'struct') forEachLeafEntry(chain, value[chain[depth + 1].name], entry, depth + 1);
  else if (node.kind === 'list') for (const e of value) forEachLeafEntry(chain, e, entry, depth + 1);
  else entry(value);
}

// Orders canonical values of a kind; returns <0, 0, >0. Zeros of either
// sign are equal, as Parquet orders floats.
export function comparator(node) {
  switch (node.kind) {
    case 'int64': case 'timestamp': return (a, b) => { const x = BigInt(a), y = BigInt(b); return x < y ? -1 : x > y ? 1 : 0; };
    case 'decimal': return (a, b) => { const x = BigInt(a.replace('.', '')), y = BigInt(b.replace('.', '')); return x < y ? -1 : x > y ? 1 : 0; };
    case 'string': return (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
    case 'date': return (a, b) => (a < b ? -1 : a > b ? 1 : 0); // fixed-width YYYY-MM-DD
    default: return (a, b) => (a < b ? -1 : a > b ? 1 : 0); // booleans, numbers
  }
}

// The true statistics of one leaf over some rows (canonical values):
// { levels, nulls, min, max }. min/max ignore NaN and are undefined when no
// value is left; a zero minimum is -0 and a zero maximum +0, as Parquet
// writes them.
export function leafStats(leaf, rows, colIndex) {
  const cmp = comparator(leaf.node);
  const s = { levels: 0, nulls: 0, min: undefined, max: undefined };
  const entry = (v) => {
    s.levels++;
    if (v === null) s.nulls++;
    else if (!Number.isNaN(v)) {
      if (s.min === undefined || cmp(v, s.min) < 0) s.min = v;
      if (s.max === undefined || cmp(v, s.max) > 0) s.max = v;
    }
  };
  for (const row of rows) forEachLeafEntry(leaf.chain, row[colIndex], entry);
  if (s.min === 0) s.min = -0;
  if (s.max === 0) s.max = 0;
  return s;
}

// ----------------------------------------------------------- comparison --

// Compares a reader's normalized value with the expected canonical one;
// pushes { path, expected, got } for each difference. Lists of different
// lengths count as one difference.
export function compareValue(node, exp, got, path, out) {
  if (exp === null || got === null || got === undefined || got instanceof Unexpected) {
    if (!(exp === null && got === null)) out.push({ path, expected: exp, got });
    return;
  }
  switch (node.kind) {
    case 'float':
      if (typeof got !== 'number' || !Object.is(Math.fround(got), exp)) out.push({ path, expected: exp, got });
      return;
    case 'double':
      if (!Object.is(got, exp)) out.push({ path, expected: exp, got });
      return;
    case 'struct':
      if (typeof got !== 'object' || Array.isArray(got)) {
        out.push({ path, expected: exp, got });
        return;
      }
      for (const m of node.members) compareValue(m, exp[m.name], got[m.name], `${path}.${m.name}`, out);
      return;
    case 'list':
      if (!Array.isArray(got) || got.length !== exp.length) {
        out.push({ path, expected: exp, got });
        return;
      }
      for (let i = 0; i < exp.length; i++) compareValue(node.element, exp[i], got[i], `${path}[${i}]`, out);
      return;
    default:
      if (got !== exp) out.push({ path, expected: exp, got });
  }
}

// A short, unambiguous rendering: BigInt with n, -0 as -0, strings quoted,
// objects other than plain ones named by their class, long output cut.
export function show(v, max = 120) {
  const text = render(v);
  return text.length > max ? `${text.slice(0, max)}...(${text.length} chars)` : text;
}

function render(v) {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'bigint': return `${v}n`;
    case 'number': return Object.is(v, -0) ? '-0' : String(v);
    case 'string': return JSON.stringify(v);
    case 'object': break;
    default: return String(v);
  }
  if (v instanceof Unexpected) return `<unexpected ${v.value?.constructor?.name ?? typeof v.value}: ${render(v.value)}>`;
  if (v instanceof Date) return `Date(${Number.isNaN(v.getTime()) ? 'invalid' : v.toISOString()})`;
  if (Array.isArray(v) || ArrayBuffer.isView(v)) {
    const name = Array.isArray(v) ? '' : v.constructor.name;
    return `${name}[${Array.from(v, render).join(', ')}]`;
  }
  const name = v.constructor && v.constructor !== Object ? `${v.constructor.name} ` : '';
  return `${name}{${Object.entries(v).map(([k, x]) => `${k}: ${render(x)}`).join(', ')}}`;
}
