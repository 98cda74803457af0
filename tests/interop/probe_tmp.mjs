import pl from 'nodejs-polars';
const s = pl.readParquet('/tmp/fx1/fixture.parquet').head(12).getColumn('c_list_int');
console.log(JSON.stringify(s.toArray()));
console.log(s.isNull().toArray(), s.list.lengths().toArray());
const ex = s.explode(); console.log(ex.len(), JSON.stringify(ex.toArray()));
const nulls = s.isNull().toArray(), lens = s.list.lengths().toArray();
const keep = pl.Series('k', lens.map((n, i) => !nulls[i] && n > 0));
const f = s.filter(keep).explode(); console.log(f.len(), JSON.stringify(f.toArray()));
