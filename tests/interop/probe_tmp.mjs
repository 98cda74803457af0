import * as pw from 'parquet-wasm';
import { tableFromArrays, tableToIPC, vectorFromArray, Float32, Float64, Table } from 'apache-arrow';
import { writeFileSync } from 'node:fs';
const f = [NaN, -0, 1, null, 0, -0, 0, null, -Infinity, 2, Infinity, NaN, NaN, NaN, null, null, 0, 5, -3, 0];
const t = new Table({ f: vectorFromArray(f, new Float32()), d: vectorFromArray(f, new Float64()) });
const props = new pw.WriterPropertiesBuilder().setMaxRowGroupSize(4).setCreatedBy('dataset-generator version 0.0.0 (build selftest)').setCompression(pw.Compression.UNCOMPRESSED).build();
writeFileSync('/tmp/fl.parquet', pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(t, 'stream')), props));
const j = (x) => x === null ? 'null' : Number.isNaN(x) ? '"NaN"' : x === Infinity ? '"Infinity"' : x === -Infinity ? '"-Infinity"' : Object.is(x, -0) ? '-0.0' : String(x);
writeFileSync('/tmp/fl.jsonl', f.map((x) => `{"f":${j(x)},"d":${j(x)}}\n`).join(''));
