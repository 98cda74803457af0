// make_fixture.mjs - writes a Parquet file with DuckDB and the JSONL file of
// the same rows in dataset-generator's JSONL convention, so that the checkers
// can be exercised without dataset-generator itself.
//
//   node make_fixture.mjs --out DIR [--name NAME] [--rows N] [--seed S]
//                         [--codec C] [--row-group-rows R] [--stats-safe]
//
// writes DIR/NAME.parquet and DIR/NAME.jsonl (NAME defaults to "fixture"). The rows are made here in
// JavaScript (deterministically from the seed), already in the JSONL
// convention; DuckDB receives them as SQL literals, so the JSONL does not go
// through DuckDB on its way to the Parquet file.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';

// Fixture schema: kind -> SQL type; nested kinds carry their members.
const prim = (kind, sql, extra = {}) => ({ kind, sql, ...extra });
const T = {
  bool: prim('bool', 'BOOLEAN'),
  int8: prim('int', 'TINYINT', { bits: 8 }),
  int16: prim('int', 'SMALLINT', { bits: 16 }),
  int32: prim('int', 'INTEGER', { bits: 32 }),
  int64: prim('int64', 'BIGINT'),
  float: prim('float', 'FLOAT'),
  double: prim('double', 'DOUBLE'),
  date: prim('date', 'DATE'),
  ts: prim('ts', 'TIMESTAMPTZ'),
  string: prim('string', 'VARCHAR'),
  dec: (p, s) => prim('decimal', `DECIMAL(${p},${s})`, { p, s }),
};
const struct = (members) => ({
  kind: 'struct',
  members,
  sql: `STRUCT(${members.map(([n, t]) => `"${n}" ${t.sql}`).join(', ')})`,
});
const list = (element) => ({ kind: 'list', element, sql: `${element.sql}[]` });

const COLUMNS = [
  ['id', T.int64, { required: true }],
  ['c_bool', T.bool],
  ['c_int8', T.int8],
  ['c_int16', T.int16],
  ['c_int32', T.int32],
  ['c_int64', T.int64],
  ['c_float', T.float],
  ['c_double', T.double],
  ['c_date', T.date],
  ['c_timestamp', T.ts],
  ['c_duration', T.int64],
  ['c_string', T.string],
  ['c_dec_9_2', T.dec(9, 2)],
  ['c_dec_18_6', T.dec(18, 6)],
  ['c_dec_4_0', T.dec(4, 0)],
  ['c_struct', struct([['a', T.int32], ['b', T.string], ['c', T.double]])],
  ['c_list_int', list(T.int32)],
  ['c_list_string', list(T.string)],
  ['c_list_struct', list(struct([['x', T.int64], ['d', T.date], ['f', T.float]]))],
  ['c_struct_list', struct([['tags', list(T.string)], ['n', T.int16]])],
];

// mulberry32: small, deterministic, good enough for test data.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MIN = -719162; // 0001-01-01
const DAY_MAX = 2932896; // 9999-12-31
const US_MIN = BigInt(DAY_MIN) * 86400000000n;
const US_MAX = BigInt(DAY_MAX + 1) * 86400000000n - 1n;
const STRINGS = ['', 'a', 'A', 'z', 'Zürich', 'naïve café', '日本語テキスト', '🦆 duck', '😀😃😄',
  'quote " backslash \\ tab \t newline \n', "it's", '\u007f\u0001', 'x'.repeat(300) + '🎉'];

// A random value of type t in the JSONL convention. With statsSafe, values
// that DuckDB's writer gives statistics other than the Parquet rules say are
// left out (see makeFixture).
function gen(r, t, nullRate, statsSafe) {
  if (r() < nullRate) return null;
  const pick = (arr) => arr[Math.floor(r() * arr.length)];
  const edge = r() < 0.15;
  switch (t.kind) {
    case 'bool': return r() < 0.5;
    case 'int': {
      const lo = -(2 ** (t.bits - 1)), hi = 2 ** (t.bits - 1) - 1;
      return edge ? pick([lo, hi, 0, -1]) : Math.floor(lo + r() * (hi - lo + 1));
    }
    case 'int64': {
      if (edge) return pick(['-9223372036854775808', '9223372036854775807', '0', '-1']);
      return (BigInt(Math.floor(r() * 2 ** 32)) * BigInt(Math.floor(r() * 2 ** 31))
        * (r() < 0.5 ? -1n : 1n)).toString();
    }
    case 'float':
      if (edge && statsSafe) return pick([3.4028234663852886e38, 1.401298464324817e-45, -1.1754943508222875e-38]);
      if (edge) return pick(['NaN', 'Infinity', '-Infinity', -0, 0, 3.4028234663852886e38, 1.401298464324817e-45, -1.1754943508222875e-38]);
      return Math.fround((r() - 0.5) * 10 ** Math.floor(r() * 20 - 10));
    case 'double':
      if (edge && statsSafe) return pick([Number.MAX_VALUE, Number.MIN_VALUE, -Number.EPSILON]);
      if (edge) return pick(['NaN', 'Infinity', '-Infinity', -0, 0, Number.MAX_VALUE, Number.MIN_VALUE, -Number.EPSILON]);
      return (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
    case 'date': {
      const d = edge ? pick([DAY_MIN, DAY_MAX, 0, -1]) : Math.floor(DAY_MIN + r() * (DAY_MAX - DAY_MIN));
      return new Date(d * 86400000).toISOString().slice(0, 10);
    }
    case 'ts': {
      if (edge) return pick([US_MIN, US_MAX, 0n, -1n]).toString();
      const span = Number(US_MAX - US_MIN);
      return (US_MIN + BigInt(Math.floor(r() * span))).toString();
    }
    case 'string': return pick(STRINGS);
    case 'decimal': {
      const maxU = 10n ** BigInt(t.p) - 1n;
      let u = edge ? pick([maxU, -maxU, 0n, 1n]) : BigInt(Math.floor(r() * Number(maxU))) * (r() < 0.5 ? -1n : 1n);
      if (u > maxU) u = maxU;
      const neg = u < 0n;
      const digits = (neg ? -u : u).toString().padStart(t.s + 1, '0');
      const int = digits.slice(0, digits.length - t.s);
      return (neg ? '-' : '') + int + (t.s ? '.' + digits.slice(digits.length - t.s) : '');
    }
    case 'struct':
      return Object.fromEntries(t.members.map(([n, m]) => [n, gen(r, m, 0.1, statsSafe)]));
    case 'list': {
      const n = r() < 0.15 ? 0 : Math.floor(r() * 5);
      const elementNulls = statsSafe && t.element.kind === 'struct' ? 0 : 0.15;
      return Array.from({ length: n }, () => gen(r, t.element, elementNulls, statsSafe));
    }
  }
  throw new Error(`unknown kind ${t.kind}`);
}

// JSONL text of a value, as dataset-generator prints it: floats with %.9g,
// doubles with %.17g, negative zero as -0.0, non-finite values as strings.
function toJson(v, t) {
  if (v === null) return 'null';
  switch (t.kind) {
    case 'float': case 'double':
      if (typeof v === 'string') return JSON.stringify(v);
      if (Object.is(v, -0)) return '-0.0';
      return printfG(v, t.kind === 'float' ? 9 : 17);
    case 'struct':
      return '{' + t.members.map(([n, m]) => `${JSON.stringify(n)}:${toJson(v[n], m)}`).join(',') + '}';
    case 'list':
      return '[' + v.map((e) => toJson(e, t.element)).join(',') + ']';
    default:
      return JSON.stringify(v);
  }
}

// C's %.<p>g: p significant digits, trailing zeros removed.
function printfG(x, p) {
  const exp = Number(x.toExponential(p - 1).split('e')[1]);
  const s = exp < -4 || exp >= p ? x.toExponential(p - 1) : x.toFixed(Math.max(0, p - 1 - exp));
  const [mantissa, e] = s.split('e');
  const trimmed = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
  return e === undefined ? trimmed : `${trimmed}e${e[0]}${e.slice(1).padStart(2, '0')}`;
}

function toSql(v, t) {
  if (v === null) return `NULL::${t.sql}`;
  switch (t.kind) {
    case 'struct':
      return `{${t.members.map(([n, m]) => `'${n}': ${toSql(v[n], m)}`).join(', ')}}`;
    case 'list':
      return `[${v.map((e) => toSql(e, t.element)).join(', ')}]::${t.sql}`;
    case 'ts':
      return `make_timestamp(${v}::BIGINT)::TIMESTAMPTZ`;
    case 'float': case 'double':
      return `CAST('${typeof v === 'string' ? v : Object.is(v, -0) ? '-0.0' : printfG(v, 17)}' AS ${t.sql})`;
    default:
      return `CAST('${String(v).replaceAll("'", "''")}' AS ${t.sql})`;
  }
}

// statsSafe leaves out what DuckDB's own writer (v1.5) puts in statistics
// differently from the Parquet rules check_stats.mjs enforces: it writes no
// float min/max when a NaN or an infinity is present, keeps the first zero
// it meets whatever its sign, and counts a null struct inside a list twice
// in its members' null_count. Such fixtures have no NaN, infinite or zero
// floats and no null struct inside a list.
export async function makeFixture({ out, rows = 5000, seed = 1, codec = 'snappy', rowGroupRows = 1000, statsSafe = false, name = 'fixture' }) {
  mkdirSync(out, { recursive: true });
  const r = rng(seed);
  const data = [];
  for (let i = 0; i < rows; i++) {
    data.push(COLUMNS.map(([name, t, opt]) => name === 'id' ? String(i) : gen(r, t, opt?.required ? 0 : 0.1, statsSafe)));
  }
  const jsonl = data.map((row) =>
    '{' + row.map((v, j) => `${JSON.stringify(COLUMNS[j][0])}:${toJson(v, COLUMNS[j][1])}`).join(',') + '}\n');
  const jsonlPath = join(out, `${name}.jsonl`);
  writeFileSync(jsonlPath, jsonl.join(''));

  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run("SET TimeZone = 'UTC'");
  // One thread: row groups then follow ROW_GROUP_SIZE (in whole 2048-row vectors).
  await conn.run('SET threads = 1');
  await conn.run(`CREATE TABLE t (${COLUMNS.map(([n, t, o]) => `"${n}" ${t.sql}${o?.required ? ' NOT NULL' : ''}`).join(', ')})`);
  for (let i = 0; i < data.length; i += 500) {
    const values = data.slice(i, i + 500).map((row) => `(${row.map((v, j) => toSql(v, COLUMNS[j][1])).join(', ')})`);
    await conn.run(`INSERT INTO t VALUES ${values.join(',\n')}`);
  }
  const parquetPath = join(out, `${name}.parquet`);
  const duckCodec = { none: 'uncompressed', lz4_raw: 'lz4_raw' }[codec] ?? codec;
  await conn.run(`COPY t TO '${parquetPath}'
                  (FORMAT parquet, COMPRESSION '${duckCodec}', ROW_GROUP_SIZE ${rowGroupRows})`);
  conn.closeSync();
  db.closeSync();
  return { parquetPath, jsonlPath };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' }, name: { type: 'string', default: 'fixture' },
      rows: { type: 'string', default: '5000' }, seed: { type: 'string', default: '1' },
      codec: { type: 'string', default: 'snappy' }, 'row-group-rows': { type: 'string', default: '1000' },
      'stats-safe': { type: 'boolean', default: false },
    },
  });
  if (!values.out) {
    console.error('usage: node make_fixture.mjs --out DIR [--name NAME] [--rows N] [--seed S] [--codec C] [--row-group-rows R] [--stats-safe]');
    process.exit(2);
  }
  const paths = await makeFixture({
    out: values.out, name: values.name, rows: Number(values.rows), seed: Number(values.seed),
    codec: values.codec, rowGroupRows: Number(values['row-group-rows']), statsSafe: values['stats-safe'],
  });
  console.log(`${paths.parquetPath}\n${paths.jsonlPath}`);
}
