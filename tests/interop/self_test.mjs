#!/usr/bin/env node
// self_test.mjs - shows that the checkers pass on correct files and fail on
// wrong ones, without dataset-generator: fixtures are written by DuckDB
// (make_fixture.mjs) and by arrow-rs (parquet-wasm), then the JSONL or the
// file is altered and each checker must notice, in every reader.
//
//   node self_test.mjs [--keep]     (--keep leaves the scratch directory)
//
// Prints "ok"/"not ok" per case and "self-test: N passed, M failed".
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Float32, Float64, Table, tableToIPC, vectorFromArray } from 'apache-arrow';
import { Compression, Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm';
import { openDuckDB, sqlString } from './lib/duckdb.mjs';
import { makeFixture } from './make_fixture.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const READERS = ['duckdb', 'polars', 'parquet-wasm', 'hyparquet'];
const DUCKDB_WRITER = ['--created-by', '^DuckDB version ', '--dictionary-encoding', 'PLAIN_DICTIONARY'];

let passed = 0;
let failed = 0;
function report(ok, name, detail) {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok' : 'not ok'} - ${name}`);
  if (!ok && detail) console.log(detail.replace(/^/gm, '    '));
}

// Runs a checker; resolves to { code, out }.
async function run(script, args) {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', [join(here, script), ...args], { maxBuffer: 64 << 20 });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    return { code: e.code, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

async function expectPass(name, script, args) {
  const r = await run(script, args);
  report(r.code === 0 && !/FAIL/.test(r.out), name, r.out);
}

// Expects exit 1 and every pattern in the output.
async function expectFail(name, script, args, patterns) {
  const r = await run(script, args);
  const missing = patterns.filter((p) => !(typeof p === 'string' ? r.out.includes(p) : p.test(r.out)));
  report(r.code === 1 && missing.length === 0, name,
    `exit ${r.code}; missing ${missing.map(String).join(' | ')}\n${r.out}`);
}

// JSONL text in the convention: -0 as -0.0; other numbers as JavaScript
// prints them (which reads back to the same double).
function toJson(v) {
  if (v === null) return 'null';
  if (typeof v === 'number') return Object.is(v, -0) ? '-0.0' : String(v);
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`;
  if (typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`).join(',')}}`;
  return JSON.stringify(v);
}
const readRows = (file) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const writeRows = (file, rows) => writeFileSync(file, rows.map((r) => `${toJson(r)}\n`).join(''));

// The next float32 above a finite float32 value.
function nextFloat32(x) {
  const f = new Float32Array([x]);
  const u = new Int32Array(f.buffer);
  u[0] += x >= 0 ? 1 : -1;
  return f[0];
}

// Value mutations: each picks a row (not yet used) where it applies, changes
// one value and says where check_values must report it.
const MUTATIONS = [
  ['int64 +1', (r) => r.c_int64 !== null && r.c_int64 !== '9223372036854775807', (r) => { r.c_int64 = (BigInt(r.c_int64) + 1n).toString(); return 'c_int64'; }],
  ['duration +1', (r) => r.c_duration !== null && r.c_duration !== '9223372036854775807', (r) => { r.c_duration = (BigInt(r.c_duration) + 1n).toString(); return 'c_duration'; }],
  ['int64 in a list of structs +1', (r) => r.c_list_struct?.[0]?.x != null && r.c_list_struct[0].x !== '9223372036854775807',
    (r) => { r.c_list_struct[0].x = (BigInt(r.c_list_struct[0].x) + 1n).toString(); return 'c_list_struct[0].x'; }],
  ['double -0.0 to 0.0', (r) => Object.is(r.c_double, -0), (r) => { r.c_double = 0; return 'c_double'; }],
  ['double NaN to Infinity', (r) => r.c_double === 'NaN', (r) => { r.c_double = 'Infinity'; return 'c_double'; }],
  ['float to the next float32', (r) => typeof r.c_float === 'number' && r.c_float !== 0 && Math.abs(r.c_float) < 1e38,
    (r) => { r.c_float = nextFloat32(Math.fround(r.c_float)); return 'c_float'; }],
  ['float in a list of structs 0.0 to -0.0', (r) => r.c_list_struct?.[0]?.f === 0 && !Object.is(r.c_list_struct[0].f, -0),
    (r) => { r.c_list_struct[0].f = -0; return 'c_list_struct[0].f'; }],
  ['bool flipped', (r) => r.c_bool !== null, (r) => { r.c_bool = !r.c_bool; return 'c_bool'; }],
  ['int8 changed', (r) => r.c_int8 !== null && r.c_int8 < 127, (r) => { r.c_int8 += 1; return 'c_int8'; }],
  ['date +1 day', (r) => r.c_date !== null && r.c_date < '9999-12-31',
    (r) => { r.c_date = new Date(Date.parse(`${r.c_date}T00:00:00Z`) + 86400000).toISOString().slice(0, 10); return 'c_date'; }],
  ['timestamp +1 us', (r) => r.c_timestamp !== null, (r) => { r.c_timestamp = (BigInt(r.c_timestamp) + 1n).toString(); return 'c_timestamp'; }],
  ['decimal(18,6) last digit', (r) => r.c_dec_18_6 !== null && r.c_dec_18_6 !== '0.000000',
    (r) => { r.c_dec_18_6 = r.c_dec_18_6.replace(/\d$/, (d) => String((Number(d) + 1) % 10)); return 'c_dec_18_6'; }],
  ['decimal(9,2) sign', (r) => r.c_dec_9_2 !== null && r.c_dec_9_2 !== '0.00',
    (r) => { r.c_dec_9_2 = r.c_dec_9_2.startsWith('-') ? r.c_dec_9_2.slice(1) : `-${r.c_dec_9_2}`; return 'c_dec_9_2'; }],
  ['emoji string cut', (r) => r.c_string === '🦆 duck', (r) => { r.c_string = '🦆 duc'; return 'c_string'; }],
  ['null struct member to a value', (r) => r.c_struct !== null && r.c_struct.a === null, (r) => { r.c_struct.a = 7; return 'c_struct.a'; }],
  ['null struct to a struct of nulls', (r) => r.c_struct === null, (r) => { r.c_struct = { a: null, b: null, c: null }; return 'c_struct'; }],
  ['null struct in a list to a struct of nulls', (r) => r.c_list_struct?.[0] === null,
    (r) => { r.c_list_struct[0] = { x: null, d: null, f: null }; return 'c_list_struct[0]'; }],
  ['list element to null', (r) => r.c_list_int?.[0] != null, (r) => { r.c_list_int[0] = null; return 'c_list_int[0]'; }],
  ['list element dropped', (r) => r.c_list_string?.length > 0, (r) => { r.c_list_string.pop(); return 'c_list_string'; }],
  ['empty list to null', (r) => r.c_struct_list?.tags?.length === 0, (r) => { r.c_struct_list.tags = null; return 'c_struct_list.tags'; }],
  ['null list to empty', (r) => r.c_list_int === null, (r) => { r.c_list_int = []; return 'c_list_int'; }],
];

async function main() {
  const keep = process.argv.includes('--keep');
  const dir = mkdtempSync(join(tmpdir(), 'dsg-interop-self-test-'));
  try {
    // Fixtures.
    const full = await makeFixture({ out: dir, name: 'full', rows: 5000, seed: 7, codec: 'zstd', rowGroupRows: 1000 });
    const safe = await makeFixture({ out: dir, name: 'safe', rows: 5000, seed: 8, codec: 'gzip', rowGroupRows: 1000, statsSafe: true });
    const floats = writeFloatFixture(dir);
    const zeroMin = await writeZeroMinFixture(dir);

    // Correct files pass.
    await expectPass('check_values passes a DuckDB-written file (all readers)', 'check_values.mjs', [full.parquetPath, full.jsonlPath]);
    await expectPass('check_values passes an arrow-rs-written file (all readers)', 'check_values.mjs', [floats.parquetPath, floats.jsonlPath]);
    await expectPass('check_stats passes a DuckDB-written file', 'check_stats.mjs',
      [safe.parquetPath, safe.jsonlPath, '--codec', 'gzip', ...DUCKDB_WRITER]);
    await expectPass('check_stats passes an arrow-rs-written file (zeros, NaN, infinities)', 'check_stats.mjs',
      [floats.parquetPath, floats.jsonlPath, '--codec', 'none', '--row-group-rows', '4']);
    await expectPass('check_pageindex passes an arrow-rs-written file (pages of 1 row)', 'check_pageindex.mjs',
      [floats.parquetPath, floats.jsonlPath]);

    // Every value mutation is reported by every reader.
    const rows = readRows(full.jsonlPath);
    const used = new Set();
    const expected = [];
    for (const [name, applies, mutate] of MUTATIONS) {
      const i = rows.findIndex((r, k) => !used.has(k) && applies(r));
      if (i < 0) {
        report(false, `fixture has a row for mutation "${name}"`);
        continue;
      }
      used.add(i);
      expected.push([name, `row ${i} ${mutate(rows[i])}:`]);
    }
    const mutated = join(dir, 'full-mutated.jsonl');
    writeRows(mutated, rows);
    const r = await run('check_values.mjs', [full.parquetPath, mutated, '--max-report', '1000']);
    const sections = Object.fromEntries(r.out.split(/^(?=PASS|FAIL)/m).map((s) => [s.split(' ')[1], s]));
    for (const reader of READERS) {
      const out = sections[reader] ?? '';
      for (const [name, where] of expected) report(out.startsWith('FAIL') && out.includes(where), `${reader} detects: ${name} (${where})`, out);
      const count = (out.match(/^ {2}row /gm) ?? []).length;
      report(count === expected.length, `${reader} reports exactly the ${expected.length} mutations`, `${count} reported:\n${out}`);
    }
    report(r.code === 1, 'check_values exits 1 on mismatches', r.out);

    // Row count, JSONL convention, column order.
    const short = join(dir, 'short.jsonl');
    writeRows(short, readRows(full.jsonlPath).slice(0, -1));
    await expectFail('a missing JSONL row fails every reader', 'check_values.mjs', [full.parquetPath, short],
      READERS.map((n) => new RegExp(`FAIL ${n} [^\\n]*\\n(  .*\\n)*  5000 rows, expected 4999`)));
    const asNumber = join(dir, 'int64-as-number.jsonl');
    writeFileSync(asNumber, readFileSync(full.jsonlPath, 'utf8').replace(/"c_int64":"(-?\d+)"/, '"c_int64":$1'));
    await expectFail('an INT64 written as a JSON number breaks the convention', 'check_values.mjs',
      [full.parquetPath, asNumber], ['FAIL schema/jsonl', 'not an int64 as a decimal string']);
    const reordered = join(dir, 'reordered.jsonl');
    writeRows(reordered, readRows(full.jsonlPath).map(({ c_bool: b, c_int8: i, ...rest }) => ({ c_int8: i, c_bool: b, ...rest })));
    await expectFail('JSONL keys out of schema order break the convention', 'check_values.mjs',
      [full.parquetPath, reordered], ['FAIL schema/jsonl', 'are not the columns']);

    // Statistics.
    const stats = readRows(safe.jsonlPath);
    const firstRg = stats.findIndex((x) => x.c_int32 !== null);
    stats[firstRg].c_int32 = null;
    const maxRow = stats.findIndex((x) => x.c_list_string?.length > 0);
    stats[maxRow].c_list_string[0] = '\u{10FFFF}';
    const statsMutated = join(dir, 'safe-mutated.jsonl');
    writeRows(statsMutated, stats);
    await expectFail('check_stats detects a changed null count and a new string maximum', 'check_stats.mjs',
      [safe.parquetPath, statsMutated, '--codec', 'gzip', ...DUCKDB_WRITER],
      ['column c_int32: null_count', 'c_list_string.list.element: max "🦆 duck"']);
    await expectFail('check_stats detects the wrong codec', 'check_stats.mjs',
      [safe.parquetPath, safe.jsonlPath, '--codec', 'snappy', ...DUCKDB_WRITER], ['compression GZIP, expected SNAPPY']);
    await expectFail("check_stats rejects another writer's created_by and encodings by default", 'check_stats.mjs',
      [safe.parquetPath, safe.jsonlPath], ['does not match', 'unexpected encodings PLAIN_DICTIONARY']);
    await expectFail('check_stats detects row groups not of --row-group-rows', 'check_stats.mjs',
      [safe.parquetPath, safe.jsonlPath, '--row-group-rows', '1000', ...DUCKDB_WRITER], ['rows with --row-group-rows 1000']);
    const fl = readRows(floats.jsonlPath);
    fl[17].d = 6; // row group 4: max 5 -> 6
    fl[10].f = 3; // row group 2: max Infinity (read from the raw footer) -> 3
    fl[22].f = 4; // row group 5, page 2: max Infinity -> 4
    const floatsMutated = join(dir, 'floats-mutated.jsonl');
    writeRows(floatsMutated, fl);
    await expectFail('check_stats detects float maxima, infinite ones included', 'check_stats.mjs',
      [floats.parquetPath, floatsMutated],
      ['row group 4 column d: max 5', 'row group 2 column f: max Infinity']);
    await expectFail('check_pageindex detects page maxima, infinite ones included', 'check_pageindex.mjs',
      [floats.parquetPath, floatsMutated],
      ['row group 4 column d page 1: max 5, expected 6', 'row group 5 column f page 2: max Infinity, expected 4']);
    const nulled = readRows(floats.jsonlPath);
    nulled[18].f = null; // row group 4, page 2: one more null
    const floatsNulled = join(dir, 'floats-nulled.jsonl');
    writeRows(floatsNulled, nulled);
    await expectFail('check_pageindex detects a page null count', 'check_pageindex.mjs',
      [floats.parquetPath, floatsNulled], ['row group 4 column f page 2: null_count 0, expected 1']);
    await expectFail('check_pageindex requires a page index', 'check_pageindex.mjs',
      [safe.parquetPath, safe.jsonlPath], ['row group 0 column id: no OffsetIndex']);
    await expectFail('check_stats enforces a -0.0 minimum and +0.0 maximum for floats', 'check_stats.mjs',
      [zeroMin.parquetPath, zeroMin.jsonlPath, ...DUCKDB_WRITER], ['column d: min 0 (DuckDB: "0.0"), expected -0']);
  } finally {
    if (keep) console.log(`fixtures kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

// arrow-rs writes float statistics the way the Parquet rules say (zeros,
// NaN, infinities); row groups of 4 rows, data pages of 1 row with a page
// index (none for the chunks where a page holds only NaN), created_by as
// dataset-generator's.
function writeFloatFixture(dir) {
  const values = [NaN, -0, 1, null, 0, -0, 0, null, -Infinity, 2, Infinity, NaN, NaN, NaN, null, null, 0, 5, -3, 0,
    -Infinity, 1, Infinity, null];
  const table = new Table({ f: vectorFromArray(values, new Float32()), d: vectorFromArray(values, new Float64()) });
  const props = new WriterPropertiesBuilder().setMaxRowGroupSize(4).setCompression(Compression.UNCOMPRESSED)
    .setDictionaryEnabled(false).setWriteBatchSize(1).setDataPageSizeLimit(1)
    .setCreatedBy('dataset-generator version 0.0.0 (build selftest)').build();
  const parquetPath = join(dir, 'floats.parquet');
  const jsonlPath = join(dir, 'floats.jsonl');
  writeFileSync(parquetPath, writeParquet(WasmTable.fromIPCStream(tableToIPC(table, 'stream')), props));
  const j = (x) => (Number.isNaN(x) ? 'NaN' : Math.abs(x) === Infinity ? String(x) : x);
  writeRows(jsonlPath, values.map((x) => ({ f: j(x), d: j(x) })));
  return { parquetPath, jsonlPath };
}

// DuckDB keeps a +0.0 minimum, which the Parquet rules forbid.
async function writeZeroMinFixture(dir) {
  const parquetPath = join(dir, 'zero-min.parquet');
  const jsonlPath = join(dir, 'zero-min.jsonl');
  const db = await openDuckDB();
  await db.conn.run(`COPY (SELECT * FROM (VALUES (0.0::DOUBLE), (1.0::DOUBLE)) t(d)) TO ${sqlString(parquetPath)} (FORMAT parquet)`);
  db.close();
  writeRows(jsonlPath, [{ d: 0 }, { d: 1 }]);
  return { parquetPath, jsonlPath };
}

await main();
console.log(`self-test: ${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
