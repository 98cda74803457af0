#!/usr/bin/env node
// check_stats.mjs - checks the footer of a Parquet file against the JSONL
// file of the same rows, through DuckDB's parquet_metadata() and
// parquet_file_metadata().
//
//   node check_stats.mjs PARQUET_FILE JSONL_FILE [--codec NAME] [--row-group-rows R]
//        [--created-by REGEX] [--dictionary-encoding NAME]
//
// For every row group and leaf column: statistics min_value, max_value and
// null_count equal the true ones computed from the JSONL rows of that row
// group; num_values is the number of level entries; path_in_schema and the
// physical type match the schema; the codec is the one asked for; the
// encodings agree with the presence of a dictionary page; sizes and row
// counts are sane; created_by is dataset-generator's.
//
// The true statistics follow the Dremel model: a leaf has one level entry
// per value and one per null at any level above it (a null or empty list, a
// null struct, a null element); null_count counts the entries whose
// definition level is below the maximum, i.e. every entry that is not a
// value. min/max ignore NaN; a zero minimum must be written -0.0 and a zero
// maximum +0.0; strings compare as unsigned UTF-8 bytes; false < true.
// Statistics with min/max are required unless every value is null or NaN,
// in which case min/max must be absent.
//
// How DuckDB renders statistics (normalized below): integers and decimals
// as plain decimal text ("-123.45" at the column's scale), dates as
// YYYY-MM-DD, timestamps with time zone in the session time zone (set to
// UTC) as "YYYY-MM-DD HH:MM:SS[.ffffff]+00", floats as the shortest text
// that reads back to the same float32/double ("1e-45", "-0.0"), booleans
// as true/false. It shows NULL for an infinite float or double min/max; those
// are read from the raw footer with hyparquet's metadata parser instead.
//
// --created-by and --dictionary-encoding exist for the self-test, whose
// fixtures DuckDB writes; the defaults are dataset-generator's. Exits 1 on
// any mismatch, 2 on bad usage.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parquetMetadata } from 'hyparquet';
import { openDuckDB, sqlString } from './lib/duckdb.mjs';
import { leaves, schemaFromDuckDB } from './lib/schema.mjs';
import { leafStats, normalizeDecimalString, readJsonl, show } from './lib/values.mjs';

const CREATED_BY = '^dataset-generator version \\d+\\.\\d+\\.\\d+ \\(build [0-9a-z]+\\)$';
const CODECS = { none: 'UNCOMPRESSED', uncompressed: 'UNCOMPRESSED', snappy: 'SNAPPY', gzip: 'GZIP',
  zstd: 'ZSTD', brotli: 'BROTLI', lz4_raw: 'LZ4_RAW', lz4: 'LZ4_RAW' };
const MAX_REPORTED = 20;

// ------------------------------------------------ DuckDB's rendered stats --

const MICROS_PER_DAY = 86400000000n;

// "YYYY-MM-DD HH:MM:SS[.ffffff]+00" to microseconds since the epoch.
function parseTimestamp(text) {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?\+00$/.exec(text);
  if (!m) return undefined;
  const d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const seconds = Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6]);
  return (BigInt(d.getTime() / 86400000) * MICROS_PER_DAY + BigInt(seconds) * 1000000n
    + BigInt((m[7] ?? '').padEnd(6, '0'))).toString();
}

// A statistic as DuckDB renders it, to the canonical form of the leaf's
// kind; undefined when the text is not what DuckDB prints for that kind.
function fromDuckDBStat(text, node) {
  switch (node.kind) {
    case 'bool': return { true: true, false: false }[text];
    case 'int8': case 'int16': case 'int32': return /^-?\d+$/.test(text) ? Number(text) : undefined;
    case 'int64': return /^-?\d+$/.test(text) ? BigInt(text).toString() : undefined;
    case 'float': return Math.fround(Number(text));
    case 'double': return Number(text);
    case 'date': return /^\d{4}-\d\d-\d\d$/.test(text) ? text : undefined;
    case 'timestamp': return parseTimestamp(text);
    case 'decimal': { const d = normalizeDecimalString(text, node.scale); return typeof d === 'string' ? d : undefined; }
    case 'string': return text;
  }
  throw new Error(`no statistics for kind ${node.kind}`);
}

const isFloat = (node) => node.kind === 'float' || node.kind === 'double';

// ------------------------------------------------------------------ main --

async function main() {
  const { values: opts, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      codec: { type: 'string' },
      'row-group-rows': { type: 'string' },
      'created-by': { type: 'string', default: CREATED_BY },
      'dictionary-encoding': { type: 'string', default: 'RLE_DICTIONARY' },
    },
  });
  if (positionals.length !== 2 || (opts.codec && !CODECS[opts.codec.toLowerCase()])) {
    console.error('usage: node check_stats.mjs PARQUET_FILE JSONL_FILE [--codec none|snappy|gzip|zstd|brotli|lz4_raw]'
      + ' [--row-group-rows R] [--created-by REGEX] [--dictionary-encoding NAME]');
    return 2;
  }
  const [file, jsonl] = positionals;
  const problems = [];
  let reported = 0;
  const fail = (msg) => {
    if (reported++ < MAX_REPORTED) problems.push(msg);
  };

  const db = await openDuckDB();
  let columns, rows, meta, fileMeta;
  try {
    columns = await schemaFromDuckDB(db, file);
    rows = await readJsonl(jsonl, columns);
    meta = await db.rows(`SELECT row_group_id, row_group_num_rows, column_id, num_values, path_in_schema, type,
                                 stats_null_count, stats_min_value, stats_max_value, compression, encodings,
                                 dictionary_page_offset, data_page_offset, total_compressed_size
                          FROM parquet_metadata(${sqlString(file)}) ORDER BY row_group_id, column_id`);
    [fileMeta] = await db.rows(`SELECT created_by, num_rows, num_row_groups FROM parquet_file_metadata(${sqlString(file)})`);
  } catch (e) {
    console.log(`FAIL stats ${file}: ${e.message}`);
    return 1;
  } finally {
    db.close();
  }
  const bytes = readFileSync(file);
  const raw = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));

  if (!new RegExp(opts['created-by']).test(fileMeta.created_by ?? '')) {
    fail(`created_by ${show(fileMeta.created_by)} does not match /${opts['created-by']}/`);
  }
  if (Number(fileMeta.num_rows) !== rows.length) fail(`file num_rows ${fileMeta.num_rows}, JSONL has ${rows.length} rows`);

  const leafList = leaves(columns);
  const colIndex = new Map(columns.map((c, i) => [c, i]));
  const groups = new Map();
  for (const m of meta) {
    if (!groups.has(m.row_group_id)) groups.set(m.row_group_id, []);
    groups.get(m.row_group_id).push(m);
  }
  if (groups.size !== Number(fileMeta.num_row_groups)) fail(`${groups.size} row groups listed, footer says ${fileMeta.num_row_groups}`);
  const rgRows = opts['row-group-rows'] && Number(opts['row-group-rows']);
  const wantCodec = opts.codec && CODECS[opts.codec.toLowerCase()];

  let start = 0;
  let g = 0;
  for (const [rgId, chunks] of groups) {
    const n = Number(chunks[0].row_group_num_rows);
    const last = g === groups.size - 1;
    if (!(n > 0)) fail(`row group ${rgId}: ${n} rows`);
    if (rgRows && (last ? n > rgRows : n !== rgRows)) fail(`row group ${rgId}: ${n} rows with --row-group-rows ${rgRows}`);
    const groupRows = rows.slice(start, start + n);
    start += n;
    if (chunks.length !== leafList.length) {
      fail(`row group ${rgId}: ${chunks.length} column chunks, the schema has ${leafList.length} leaves`);
      continue;
    }
    chunks.forEach((c, k) => {
      const leaf = leafList[k];
      const where = `row group ${rgId} column ${leaf.path.join('.')}`;
      const node = leaf.node;
      if (c.path_in_schema !== leaf.path.join(', ')) fail(`${where}: path_in_schema ${show(c.path_in_schema)}`);
      if (c.type !== node.physical) fail(`${where}: physical type ${c.type}, schema says ${node.physical}`);
      if (wantCodec && c.compression !== wantCodec) fail(`${where}: compression ${c.compression}, expected ${wantCodec}`);
      if (!(Number(c.total_compressed_size) > 0)) fail(`${where}: total_compressed_size ${c.total_compressed_size}`);

      // Encodings: a dictionary page if and only if the dictionary encoding
      // is listed; PLAIN values otherwise; nothing but PLAIN, RLE (levels,
      // booleans) and the dictionary encoding.
      const enc = (c.encodings ?? '').split(', ');
      const dictEnc = opts['dictionary-encoding'];
      const hasDictPage = c.dictionary_page_offset !== null;
      if (hasDictPage !== enc.includes(dictEnc)) fail(`${where}: encodings ${c.encodings} but dictionary page ${hasDictPage ? 'present' : 'absent'}`);
      if (!hasDictPage && !enc.includes('PLAIN')) fail(`${where}: encodings ${c.encodings} without a dictionary page nor PLAIN`);
      const foreign = enc.filter((e) => !['PLAIN', 'RLE', dictEnc].includes(e));
      if (foreign.length) fail(`${where}: unexpected encodings ${foreign.join(', ')}`);
      if (hasDictPage && !(Number(c.dictionary_page_offset) < Number(c.data_page_offset))) {
        fail(`${where}: dictionary page at ${c.dictionary_page_offset} is not before the data pages at ${c.data_page_offset}`);
      }

      const t = leafStats(leaf, groupRows, colIndex.get(leaf.chain[0]));
      if (Number(c.num_values) !== t.levels) fail(`${where}: num_values ${c.num_values}, expected ${t.levels} level entries`);
      if (c.stats_null_count === null) fail(`${where}: no null_count`);
      else if (Number(c.stats_null_count) !== t.nulls) fail(`${where}: null_count ${c.stats_null_count}, expected ${t.nulls}`);

      const rawStats = raw.row_groups[g].columns[k].meta_data.statistics;
      for (const [which, text, want] of [['min', c.stats_min_value, t.min], ['max', c.stats_max_value, t.max]]) {
        let got;
        if (text !== null) got = fromDuckDBStat(text, node);
        else if (isFloat(node) && Math.abs(rawStats?.[`${which}_value`]) === Infinity) got = rawStats[`${which}_value`];
        if (want === undefined) {
          if (text !== null || got !== undefined) fail(`${where}: ${which} ${show(text ?? got)} but every value is null or NaN`);
        } else if (got === undefined) {
          fail(`${where}: ${text === null ? 'no' : `unreadable ${show(text)} as`} ${which} statistic, expected ${show(want)}`);
        } else if (isFloat(node) ? !Object.is(got, want) : got !== want) {
          fail(`${where}: ${which} ${show(got)} (DuckDB: ${show(text)}), expected ${show(want)}`);
        }
      }
    });
    g++;
  }
  if (start !== rows.length) fail(`row groups hold ${start} rows, JSONL has ${rows.length}`);

  if (reported) {
    console.log(`FAIL stats ${file}`);
    for (const p of problems) console.log(`  ${p}`);
    if (reported > MAX_REPORTED) console.log(`  ... ${reported} problems in all`);
    return 1;
  }
  console.log(`PASS stats ${file} (${groups.size} row groups, ${leafList.length} leaf columns, ${rows.length} rows)`);
  return 0;
}

process.exitCode = await main();
