#!/usr/bin/env node
// check_pageindex.mjs - checks the page index (OffsetIndex and ColumnIndex)
// of every column chunk against the JSONL file of the same rows. The index
// is read with hyparquet; its min/max bytes are decoded here by physical
// type, so no reader conversion stands between them and the comparison.
//
//   node check_pageindex.mjs PARQUET_FILE JSONL_FILE
//
// OffsetIndex: present; pages in order, the first at data_page_offset, each
// starting where the previous ends, the last ending at the end of the
// chunk; first_row_index 0 for the first page, then strictly increasing
// and below the row group's row count.
// ColumnIndex: per page (its rows are those from its first_row_index to the
// next page's), null_counts, null_pages and min/max equal the true ones
// (same rules as check_stats.mjs: Dremel nulls, NaN ignored, -0.0 minimum,
// +0.0 maximum, UTF-8 byte order), and boundary_order holds. It may be
// absent only where a page's values are all NaN, which leaves no honest
// min/max. Exits 1 on any mismatch, 2 on bad usage.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parquetMetadata, readColumnIndex, readOffsetIndex } from 'hyparquet';
import { openDuckDB } from './lib/duckdb.mjs';
import { leaves, schemaFromDuckDB } from './lib/schema.mjs';
import { Unexpected, comparator, daysToDate, formatDecimal, leafStats, readJsonl, show } from './lib/values.mjs';

const MAX_REPORTED = 20;

// A min/max value as hyparquet decodes it for a bare physical type (INT32
// number, INT64 BigInt, FLOAT/DOUBLE number, BOOLEAN, BYTE_ARRAY as UTF-8
// text), to the canonical form of the leaf's kind.
function fromRaw(v, node) {
  const is = (type) => typeof v === type;
  switch (node.kind) {
    case 'bool': return is('boolean') ? v : new Unexpected(v);
    case 'int8': case 'int16': case 'int32': return is('number') ? v : new Unexpected(v);
    case 'int64': case 'timestamp': return is('bigint') ? v.toString() : new Unexpected(v);
    case 'date': return is('number') ? daysToDate(v) : new Unexpected(v);
    case 'decimal': return is('number') || is('bigint') ? formatDecimal(BigInt(v), node.scale) : new Unexpected(v);
    case 'float': return is('number') ? Math.fround(v) : new Unexpected(v);
    case 'double': case 'string': return is(node.kind === 'double' ? 'number' : 'string') ? v : new Unexpected(v);
  }
  throw new Error(`no statistics for kind ${node.kind}`);
}

const same = (node, a, b) => (node.kind === 'float' || node.kind === 'double' ? Object.is(a, b) : a === b);

async function main() {
  const { positionals } = parseArgs({ allowPositionals: true, options: {} });
  if (positionals.length !== 2) {
    console.error('usage: node check_pageindex.mjs PARQUET_FILE JSONL_FILE');
    return 2;
  }
  const [file, jsonl] = positionals;
  const problems = [];
  let reported = 0;
  const fail = (msg) => {
    if (reported++ < MAX_REPORTED) problems.push(msg);
  };

  const db = await openDuckDB();
  let columns, rows;
  try {
    columns = await schemaFromDuckDB(db, file);
    rows = await readJsonl(jsonl, columns);
  } catch (e) {
    console.log(`FAIL pageindex ${file}: ${e.message}`);
    return 1;
  } finally {
    db.close();
  }
  const bytes = readFileSync(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const metadata = parquetMetadata(buffer);
  const reader = (offset, length) => ({ view: new DataView(buffer, Number(offset), length), offset: 0 });

  const leafList = leaves(columns);
  let start = 0;
  let pages = 0;
  metadata.row_groups.forEach((rg, g) => {
    const n = Number(rg.num_rows);
    const groupRows = rows.slice(start, start + n);
    start += n;
    rg.columns.forEach((chunk, k) => {
      const leaf = leafList[k];
      const node = leaf.node;
      const col = columns.indexOf(leaf.chain[0]);
      const where = `row group ${g} column ${leaf.path.join('.')}`;
      const meta = chunk.meta_data;
      if (chunk.offset_index_offset === undefined) {
        fail(`${where}: no OffsetIndex`);
        return;
      }
      const locations = readOffsetIndex(reader(chunk.offset_index_offset, chunk.offset_index_length)).page_locations;
      const chunkEnd = Number(meta.dictionary_page_offset ?? meta.data_page_offset) + Number(meta.total_compressed_size);
      locations.forEach((loc, p) => {
        const first = Number(loc.first_row_index);
        const offset = Number(loc.offset);
        const prev = locations[p - 1];
        if (p === 0 && first !== 0) fail(`${where}: first page starts at row ${first}`);
        if (p === 0 && offset !== Number(meta.data_page_offset)) fail(`${where}: first page at ${offset}, data_page_offset ${meta.data_page_offset}`);
        if (prev && !(first > Number(prev.first_row_index) && first < n)) fail(`${where}: page ${p} first_row_index ${first} after ${prev.first_row_index}, ${n} rows`);
        if (prev && offset !== Number(prev.offset) + prev.compressed_page_size) fail(`${where}: page ${p} at ${offset}, previous ends at ${Number(prev.offset) + prev.compressed_page_size}`);
      });
      const last = locations[locations.length - 1];
      if (!last) {
        fail(`${where}: OffsetIndex without pages`);
        return;
      }
      if (Number(last.offset) + last.compressed_page_size !== chunkEnd) fail(`${where}: last page ends at ${Number(last.offset) + last.compressed_page_size}, the chunk at ${chunkEnd}`);
      pages += locations.length;

      const truth = locations.map((loc, p) => leafStats(leaf, groupRows.slice(Number(loc.first_row_index),
        p + 1 < locations.length ? Number(locations[p + 1].first_row_index) : n), col));
      const nanOnlyPage = truth.some((t) => t.min === undefined && t.nulls < t.levels);
      if (chunk.column_index_offset === undefined) {
        if (!nanOnlyPage) fail(`${where}: no ColumnIndex`);
        return;
      }
      if (nanOnlyPage) fail(`${where}: ColumnIndex although a page has only NaN values`);
      const ci = readColumnIndex(reader(chunk.column_index_offset, chunk.column_index_length), { type: meta.type });
      if (ci.null_pages.length !== locations.length) {
        fail(`${where}: ColumnIndex has ${ci.null_pages.length} pages, OffsetIndex ${locations.length}`);
        return;
      }
      truth.forEach((t, p) => {
        const at = `${where} page ${p}`;
        if (ci.null_counts && Number(ci.null_counts[p]) !== t.nulls) fail(`${at}: null_count ${ci.null_counts[p]}, expected ${t.nulls}`);
        if (ci.null_pages[p] !== (t.nulls === t.levels)) fail(`${at}: null_page ${ci.null_pages[p]} with ${t.levels - t.nulls} non-null values`);
        if (ci.null_pages[p]) return;
        for (const [which, got, want] of [['min', ci.min_values[p], t.min], ['max', ci.max_values[p], t.max]]) {
          const v = fromRaw(got, node);
          if (!same(node, v, want)) fail(`${at}: ${which} ${show(v)}, expected ${show(want)}`);
        }
      });
      const order = { ASCENDING: 1, DESCENDING: -1 }[ci.boundary_order];
      if (order) {
        const cmp = comparator(node);
        const filled = truth.filter((t, p) => !ci.null_pages[p]);
        for (let p = 1; p < filled.length; p++) {
          if (cmp(filled[p - 1].min, filled[p].min) * order > 0 || cmp(filled[p - 1].max, filled[p].max) * order > 0) {
            fail(`${where}: boundary_order ${ci.boundary_order} does not hold at non-null page ${p}`);
            break;
          }
        }
      }
    });
  });
  if (start !== rows.length) fail(`row groups hold ${start} rows, JSONL has ${rows.length}`);

  if (reported) {
    console.log(`FAIL pageindex ${file}`);
    for (const p of problems) console.log(`  ${p}`);
    if (reported > MAX_REPORTED) console.log(`  ... ${reported} problems in all`);
    return 1;
  }
  console.log(`PASS pageindex ${file} (${metadata.row_groups.length} row groups, ${leafList.length} leaf columns, ${pages} pages)`);
  return 0;
}

process.exitCode = await main();
