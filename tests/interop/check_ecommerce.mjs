// Checks an ecommerce output directory with DuckDB (hive partitioning) and
// Polars, against every invariant of the dataset (../shared/DESIGN.md):
//
//   node check_ecommerce.mjs DIR --partitioning ymd|ym|yearmonth --file-rows-target N
//        --n-customers N --n-products N [--orders N] [--days N --orders-per-day N]
//        [--min-per-day N --max-per-day N]
//
// Exit 1 with the failed checks listed; prints one line per check.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { DuckDBInstance } = require('@duckdb/node-api');
const pl = require('nodejs-polars');

const args = { _: [] };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a.startsWith('--')) args[a.slice(2)] = process.argv[++i];
  else args._.push(a);
}
const dir = args._[0];
const scheme = args.partitioning;
const target = Number(args['file-rows-target']);
const nCustomers = Number(args['n-customers']);
const nProducts = Number(args['n-products']);
const failures = [];
const check = (name, ok, detail = '') => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ': ' + detail : ''}`);
  if (!ok) failures.push(name);
};

const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
const q = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJson();
const one = async (sql) => Object.values((await q(sql))[0])[0];

const partCols = { ymd: ['year', 'month', 'day'], ym: ['year', 'month'], yearmonth: ['yearmonth'] }[scheme];
const glob = (t) => `'${dir}/${t}/**/*.parquet'`;
const hive = `hive_partitioning = true, hive_types_autocast = false, hive_types = {${partCols.map((c) => `'${c}': VARCHAR`).join(', ')}}`;
await con.run(`CREATE VIEW customers AS SELECT * FROM read_parquet(${glob('customers')})`);
await con.run(`CREATE VIEW products AS SELECT * FROM read_parquet(${glob('products')})`);
await con.run(`CREATE VIEW orders AS SELECT * FROM read_parquet(${glob('orders')}, ${hive}, filename = true, file_row_number = true)`);
await con.run(`CREATE VIEW items AS SELECT * FROM read_parquet(${glob('order_items')}, ${hive}, filename = true, file_row_number = true)`);

// ---- layout ----
const files = [];
const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); e.isDirectory() ? walk(p) : files.push(path.relative(dir, p)); } };
walk(dir);
check('no temporary or foreign files', files.every((f) => f.endsWith('.parquet') && !path.basename(f).startsWith('.')), files.filter((f) => !f.endsWith('.parquet')).join(' '));
const dirRe = { ymd: /^year=\d{4}\/month=\d{2}\/day=\d{2}$/, ym: /^year=\d{4}\/month=\d{2}$/, yearmonth: /^yearmonth=\d{4}-\d{2}$/ }[scheme];
for (const t of ['orders', 'order_items']) {
  const byDir = new Map();
  for (const f of files.filter((f) => f.startsWith(t + '/'))) {
    const rel = path.dirname(f.slice(t.length + 1));
    if (!byDir.has(rel)) byDir.set(rel, []);
    byDir.get(rel).push(path.basename(f));
  }
  check(`${t}: partition directories are ${scheme}, zero-padded`, [...byDir.keys()].every((d) => dirRe.test(d)), [...byDir.keys()].filter((d) => !dirRe.test(d)).join(' '));
  check(`${t}: parts numbered from part-00000 without gaps`, [...byDir.values()].every((names) => names.sort().every((n, i) => n === `part-${String(i).padStart(5, '0')}.parquet`)));
}
for (const t of ['customers', 'products']) {
  const own = files.filter((f) => f.startsWith(t + '/'));
  const rows = Number(await one(`SELECT count(*) FROM ${t}`));
  const expect = rows <= target ? [`${t}/${t}.parquet`] : own.sort().map((_, i) => `${t}/part-${String(i).padStart(5, '0')}.parquet`);
  check(`${t}: file names`, JSON.stringify(own.sort()) === JSON.stringify(expect), own.join(' '));
}
const meta = await q(`SELECT file_name, max(row_group_num_rows) rg, sum(row_group_num_rows) FILTER (WHERE column_id = 0) n FROM parquet_metadata(${glob('*')}) GROUP BY file_name`);
const maxRows = Math.max(...meta.map((m) => Number(m.n)));
check(`every file holds at most ${target} rows`, maxRows <= target, `max ${maxRows}`);
const partitioned = (await q(`SELECT DISTINCT name FROM parquet_schema(${glob('*')})`)).map((r) => r.name);
check('partition columns are not inside the files', partCols.every((c) => !partitioned.includes(c)));

// ---- types ----
const types = async (t) => Object.fromEntries((await q(`DESCRIBE SELECT * FROM read_parquet(${glob(t)}, hive_partitioning = false)`)).map((r) => [r.column_name, r.column_type]));
const expectTypes = {
  customers: { customer_id: 'BIGINT', name: 'VARCHAR', email: 'VARCHAR', signup_date: 'DATE', country: 'VARCHAR', is_vip: 'BOOLEAN' },
  products: { product_id: 'BIGINT', sku: 'VARCHAR', category: 'VARCHAR', price: 'DOUBLE', discount: 'DOUBLE', active: 'BOOLEAN', name: 'VARCHAR', brand: 'VARCHAR', retired_on: 'DATE' },
  orders: { order_id: 'BIGINT', customer_id: 'BIGINT', order_date: 'DATE', hour_of_day: 'SMALLINT', status: 'VARCHAR', amount: 'DOUBLE', order_ts: 'TIMESTAMP WITH TIME ZONE' },
  order_items: { order_item_id: 'BIGINT', order_id: 'BIGINT', product_id: 'BIGINT', qty: 'SMALLINT', order_date: 'DATE', unit_price: 'DOUBLE', line_amount: 'DOUBLE' },
};
for (const [t, want] of Object.entries(expectTypes)) {
  const got = await types(t);
  check(`${t}: columns and types`, JSON.stringify(got) === JSON.stringify(want), JSON.stringify(got));
}

// ---- counts and keys ----
// n-customers signed up before the start; a quarter more a year during it
const nCust = Number(await one('SELECT count(*) FROM customers'));
check('customers: count (n-customers, then signups during the days)', nCust >= nCustomers && nCust < nCustomers * 1.1 + 10, `${nCust}`);
check('customers: signed up before the start up to n-customers, then during the days',
  Number(await one(`SELECT count(*) FROM customers WHERE (customer_id <= ${nCustomers}) <> (signup_date < (SELECT min(order_date) FROM orders))`)) === 0);
check('no order before its customer\'s signup', Number(await one('SELECT count(*) FROM orders o JOIN customers c USING (customer_id) WHERE o.order_date < c.signup_date')) === 0);
check('no sale of a product on or after its retirement', Number(await one('SELECT count(*) FROM items i JOIN products p USING (product_id) WHERE i.order_date >= p.retired_on')) === 0);
check('active exactly when not retired', Number(await one('SELECT count(*) FROM products WHERE active = (retired_on IS NOT NULL)')) === 0);
check('products: count', Number(await one('SELECT count(*) FROM products')) === nProducts);
for (const [t, key] of [['customers', 'customer_id'], ['products', 'product_id'], ['orders', 'order_id'], ['items', 'order_item_id']]) {
  const r = (await q(`SELECT count(*) n, count(DISTINCT ${key}) d, min(${key}) lo, max(${key}) hi FROM ${t}`))[0];
  check(`${t}: ${key} unique and dense 1..n`, r.n === r.d && Number(r.lo) === 1 && r.hi === r.n, JSON.stringify(r));
}
const nOrders = Number(await one('SELECT count(*) FROM orders'));
if (args.orders) check('orders: count implied by the options', nOrders === Number(args.orders), `${nOrders} vs ${args.orders}`);
if (args['min-per-day']) {
  const r = (await q('SELECT count(DISTINCT order_date) n_days, min(c) lo, max(c) hi FROM (SELECT order_date, count(*) c FROM orders GROUP BY 1)'))[0];
  check('orders per day within the mode bounds', Number(r.lo) >= Number(args['min-per-day']) && Number(r.hi) <= Number(args['max-per-day']), JSON.stringify(r));
}
const s = (await q("SELECT count(*) FILTER (WHERE status = 'completed') c, count(*) FILTER (WHERE status = 'returned') r, count(*) FILTER (WHERE status = 'cancelled') x, count(*) n FROM orders"))[0];
check('status only completed/returned/cancelled', Number(s.c) + Number(s.r) + Number(s.x) === Number(s.n));
// returns show up days after the order, so a short range has fewer of them
if (Number(s.n) >= 20000) check('status weights near 90/6/4 (fewer returns so far)', Math.abs(s.x / s.n - 0.04) < 0.01 && s.r / s.n < 0.07 && s.c / s.n > 0.88, JSON.stringify(s));
check('orders: customer_id references customers', Number(await one('SELECT count(*) FROM orders o ANTI JOIN customers c USING (customer_id)')) === 0);
check('items: order_id references orders', Number(await one('SELECT count(*) FROM items i ANTI JOIN orders o USING (order_id)')) === 0);
check('items: product_id references products', Number(await one('SELECT count(*) FROM items i ANTI JOIN products p USING (product_id)')) === 0);
check('every order has at least one item', Number(await one('SELECT count(*) FROM orders o ANTI JOIN items i USING (order_id)')) === 0);
check('order_ts: the local date and hour less a zone offset (UTC-8 to UTC+10)', Number(await one(`SELECT count(*) FROM orders
  WHERE epoch(order_ts) - (epoch(order_date::TIMESTAMP) + hour_of_day::BIGINT * 3600) NOT BETWEEN -11 * 3600 AND 9 * 3600`)) === 0);
check('qty in 1..5, hour in 0..23', Number(await one('SELECT count(*) FROM items WHERE qty NOT BETWEEN 1 AND 5')) === 0 &&
  Number(await one('SELECT count(*) FROM orders WHERE hour_of_day NOT BETWEEN 0 AND 23')) === 0);
// Money in cents: unit_price = price * (1 - discount) rounded half up to the
// cent, line_amount = qty * unit_price, amount = the sum of line_amounts.
const badUnit = await q(`SELECT i.order_item_id, i.unit_price, p.price, p.discount FROM items i JOIN products p USING (product_id)
  WHERE round(i.unit_price * 100)::BIGINT <> (round(p.price * 100)::BIGINT * (100 - round(p.discount * 100)::BIGINT) + 50) // 100
     OR round(i.line_amount * 100)::BIGINT <> i.qty * round(i.unit_price * 100)::BIGINT
     OR i.unit_price <> round(i.unit_price, 2) OR i.line_amount <> round(i.line_amount, 2) LIMIT 3`);
check('unit_price = price * (1 - discount) in cents, line_amount = qty * unit_price', badUnit.length === 0, JSON.stringify(badUnit));
const bad = await q(`SELECT o.order_id, o.amount, sum(round(i.line_amount * 100)::BIGINT) cents
  FROM orders o JOIN items i USING (order_id) GROUP BY o.order_id, o.amount
  HAVING round(o.amount * 100)::BIGINT <> sum(round(i.line_amount * 100)::BIGINT) OR o.amount <> round(o.amount, 2) LIMIT 3`);
check('amount = sum of its items\' line_amount, exactly in cents', bad.length === 0, JSON.stringify(bad));
// The partition path computed from a date, and the one read from the hive
// columns of a table alias.
const partOf = (date) => ({ ymd: `strftime(${date}, 'year=%Y/month=%m/day=%d')`, ym: `strftime(${date}, 'year=%Y/month=%m')`, yearmonth: `strftime(${date}, 'yearmonth=%Y-%m')` }[scheme]);
const hiveOf = (t) => partCols.map((c) => `'${c}=' || ${t}.${c}`).join(" || '/' || ");
check('orders lie in the partition of their order_date', Number(await one(`SELECT count(*) FROM orders o WHERE ${partOf('o.order_date')} <> ${hiveOf('o')}`)) === 0);
check('items carry their order\'s order_date', Number(await one('SELECT count(*) FROM items i JOIN orders o USING (order_id) WHERE i.order_date <> o.order_date')) === 0);
check('items lie in the partition of their order', Number(await one(`SELECT count(*) FROM items i JOIN orders o USING (order_id) WHERE ${hiveOf('i')} <> ${partOf('o.order_date')}`)) === 0);
// (order_date, order_id) order: within each file, and file after file in part order
const orderViolations = await one(`SELECT count(*) FROM (
  SELECT order_id, order_date, lag(order_id) OVER w prev_id, lag(order_date) OVER w prev_date
  FROM orders WINDOW w AS (ORDER BY ${partCols.join(', ')}, filename, file_row_number)) WHERE order_id <> prev_id + 1 OR order_date < prev_date`);
check('orders are in (order_date, order_id) order, dense across files', Number(orderViolations) === 0);
const itemViolations = await one(`SELECT count(*) FROM (
  SELECT order_item_id, order_id, lag(order_item_id) OVER w prev_id, lag(order_id) OVER w prev_order
  FROM items WINDOW w AS (ORDER BY ${partCols.join(', ')}, filename, file_row_number)) WHERE order_item_id <> prev_id + 1 OR order_id < prev_order`);
check('items are in (order_date, order_id) order, dense across files', Number(itemViolations) === 0);
const emailBad = Number(await one("SELECT count(*) FROM customers WHERE email NOT SIMILAR TO '[a-z0-9._-]+@[a-z0-9.-]+\\.[a-z]+'"));
check('emails look like e-mail addresses', emailBad === 0);
check('sku is SKU-%08d of product_id', Number(await one("SELECT count(*) FROM products WHERE sku <> 'SKU-' || lpad(product_id::VARCHAR, 8, '0')")) === 0);
check('prices positive with 2 decimals, discount in [0, 0.6]', Number(await one('SELECT count(*) FROM products WHERE price <= 0 OR round(price, 2) <> price OR discount NOT BETWEEN 0 AND 0.6')) === 0);
check('retail price endings, discounts in 5% steps', Number(await one('SELECT count(*) FROM products WHERE round(price * 100)::BIGINT % 100 NOT IN (99, 95, 49, 29) OR round(discount * 100)::BIGINT % 5 <> 0')) === 0);

// ---- Polars reads the same ----
for (const [t, key] of [['customers', 'customer_id'], ['products', 'product_id'], ['orders', 'order_id'], ['order_items', 'order_item_id']]) {
  const own = files.filter((f) => f.startsWith(t + '/')).map((f) => path.join(dir, f));
  let rows = 0, sum = 0n;
  for (const f of own) {
    const df = pl.readParquet(f);
    rows += df.height;
    sum += BigInt(df.getColumn(key).sum());
  }
  const duck = (await q(`SELECT count(*) n, sum(${key})::VARCHAR s FROM read_parquet(${glob(t)})`))[0];
  check(`polars: ${t} rows and key sum match DuckDB`, String(rows) === String(duck.n) && String(sum) === duck.s, `${rows}/${sum} vs ${duck.n}/${duck.s}`);
}
const dtypeName = (d) => String(d).replace(/^DataType\((.*)\)$/, '$1');
const dfo = pl.readParquet(files.filter((f) => f.startsWith('orders/')).map((f) => path.join(dir, f))[0]);
check('polars: orders dtypes', JSON.stringify(dfo.dtypes.map(dtypeName)) === JSON.stringify(['Int64', 'Int64', 'Date', 'Int16', 'String', 'Float64', 'Datetime(us,UTC)']), JSON.stringify(dfo.dtypes.map(dtypeName)));

console.log(failures.length ? `ecommerce check: ${failures.length} FAILED` : 'ecommerce check: all passed');
process.exit(failures.length ? 1 : 0);
