#!/usr/bin/env node
// check_values.mjs - reads a Parquet file with independent readers and
// compares every value of every row with the JSONL file of the same rows.
//
//   node check_values.mjs PARQUET_FILE JSONL_FILE [--readers duckdb,polars,parquet-wasm,hyparquet]
//                         [--max-report N]
//
// The expected schema comes from DuckDB's parquet_schema(); the JSONL is
// checked against the JSONL convention (lib/values.mjs) while it is read.
// For each reader: the column names and order, the reader's type for each
// column (lib/schema.mjs says what it should be), the row count, and each
// value (floats exactly: -0.0 differs from 0.0, NaN equals NaN, FLOAT as
// float32). Prints one PASS or FAIL line per reader and, after a FAIL, the
// first N (default 8) mismatches; exits 1 if any reader fails, 2 on bad
// usage.
import { parseArgs } from 'node:util';
import { openDuckDB } from './lib/duckdb.mjs';
import { READERS, knownLimitation } from './lib/readers.mjs';
import { leaves, schemaFromDuckDB, typeSignature } from './lib/schema.mjs';
import { compareValue, forEachLeafEntry, readJsonl, show } from './lib/values.mjs';

async function checkReader(reader, file, columns, expected, maxReport) {
  const r = await reader.open(file);
  try {
    return await compareReader(reader, r, columns, expected, maxReport);
  } finally {
    r.close();
  }
}

async function compareReader(reader, r, columns, expected, maxReport) {
  const problems = [];
  const notes = [];

  const expNames = columns.map((c) => c.name);
  if (r.names.join('\0') !== expNames.join('\0')) {
    problems.push(`columns are [${r.names.join(', ')}], expected [${expNames.join(', ')}]`);
    return { problems, notes, rows: 0 };
  }

  const cols = [];
  columns.forEach((node, index) => {
    const limit = knownLimitation(reader.name, node);
    if (limit) {
      notes.push(`KNOWN-LIMITATION ${reader.name} ${node.name} (${typeSignature(node)}): ${limit.reason}`);
      return;
    }
    const want = reader.typeName(node);
    if (r.types[index] !== want) problems.push(`column ${node.name}: type ${r.types[index]}, expected ${want}`);
    else cols.push({ index, node });
  });

  let row = 0;
  let mismatches = 0;
  for await (const batch of r.rows(cols)) {
    for (const got of batch) {
      if (row < expected.length) {
        const diffs = [];
        cols.forEach(({ index, node }, k) => compareValue(node, expected[row][index], got[k], node.name, diffs));
        for (const d of diffs) {
          if (mismatches++ < maxReport) {
            problems.push(`row ${row} ${d.path}: expected ${show(d.expected)}, got ${show(d.got)}`);
          }
        }
      }
      row++;
    }
  }
  if (mismatches > maxReport) problems.push(`... ${mismatches} value mismatches in all`);
  if (row !== expected.length) problems.push(`${row} rows, expected ${expected.length}`);
  return { problems, notes, rows: row };
}

async function main() {
  const { values: opts, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      readers: { type: 'string', default: Object.keys(READERS).join(',') },
      'max-report': { type: 'string', default: '8' },
    },
  });
  const readers = opts.readers.split(',').map((n) => n.trim());
  const unknown = readers.filter((n) => !READERS[n]);
  if (positionals.length !== 2 || unknown.length) {
    if (unknown.length) console.error(`unknown reader(s): ${unknown.join(', ')}`);
    console.error(`usage: node check_values.mjs PARQUET_FILE JSONL_FILE [--readers ${Object.keys(READERS).join(',')}] [--max-report N]`);
    return 2;
  }
  const [file, jsonl] = positionals;

  let columns, expected;
  const db = await openDuckDB();
  try {
    columns = await schemaFromDuckDB(db, file);
    expected = await readJsonl(jsonl, columns);
  } catch (e) {
    console.log(`FAIL schema/jsonl ${file}: ${e.message}`);
    return 1;
  } finally {
    db.close();
  }

  // Leaves the data never fills compare nothing but nulls: say so.
  for (const leaf of leaves(columns)) {
    const col = columns.indexOf(leaf.chain[0]);
    let filled = false;
    for (let i = 0; i < expected.length && !filled; i++) {
      forEachLeafEntry(leaf.chain, expected[i][col], (v) => { filled ||= v !== null; });
    }
    if (!filled) console.log(`NOTE ${leaf.path.join('.')}: no non-null value in the file, only nulls and list shapes are compared`);
  }

  let failed = 0;
  for (const name of readers) {
    let result;
    try {
      result = await checkReader(READERS[name], file, columns, expected, Number(opts['max-report']));
    } catch (e) {
      result = { problems: [`reader error: ${e.stack ?? e}`], notes: [], rows: 0 };
    }
    for (const n of result.notes) console.log(n);
    if (result.problems.length) {
      failed++;
      console.log(`FAIL ${name} ${file}`);
      for (const p of result.problems) console.log(`  ${p}`);
    } else {
      console.log(`PASS ${name} ${file} (${result.rows} rows, ${columns.length} columns)`);
    }
  }
  return failed ? 1 : 0;
}

process.exitCode = await main();
