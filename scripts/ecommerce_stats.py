#!/usr/bin/env python3
"""Key statistics of an ecommerce output directory, through DuckDB.

    python3 scripts/ecommerce_stats.py OUT [--json]

Prints the figures docs/ecommerce-model.md tabulates: prices by category,
purchase heterogeneity, popularity, names, countries, calendar effects,
signups and statuses. Columns added by later versions (name, brand,
order_ts, ...) are used when present. Needs the Python duckdb package.
"""
import json
import sys

import duckdb


def main():
    out = sys.argv[1]
    as_json = "--json" in sys.argv
    con = duckdb.connect()
    con.execute("SET threads = 2")
    for t in ("customers", "products"):
        con.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{out}/{t}/**/*.parquet')")
    for t in ("orders", "order_items"):
        con.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{out}/{t}/**/*.parquet', "
                    "hive_partitioning = false)")
    one = lambda sql: con.execute(sql).fetchone()
    cols = {t: {r[0] for r in con.execute(f"DESCRIBE {t}").fetchall()}
            for t in ("customers", "products", "orders", "order_items")}
    s = {}
    n_cust, n_prod = one("SELECT count(*) FROM customers")[0], one("SELECT count(*) FROM products")[0]
    n_ord, n_items = one("SELECT count(*) FROM orders")[0], one("SELECT count(*) FROM order_items")[0]
    s["rows customers/products/orders/items"] = f"{n_cust}/{n_prod}/{n_ord}/{n_items}"
    med = con.execute("SELECT category, median(price) m FROM products GROUP BY 1 ORDER BY 2").fetchall()
    s["median price by category (min..max)"] = f"{med[0][1]:.2f} ({med[0][0]}) .. {med[-1][1]:.2f} ({med[-1][0]})"
    s["price median ratio max/min category"] = round(med[-1][1] / med[0][1], 1)
    s["price p1/p50/p99/max"] = "/".join(f"{v:.2f}" for v in one(
        "SELECT quantile_cont(price, 0.01), median(price), quantile_cont(price, 0.99), max(price) FROM products"))
    s["prices ending .99/.49/.95 share"] = round(one(
        "SELECT avg(CASE WHEN round(price * 100)::BIGINT % 100 IN (99, 49, 95) THEN 1 ELSE 0 END) FROM products")[0], 3)
    s["distinct discounts"] = one("SELECT count(DISTINCT discount) FROM products")[0]
    if "name" in cols["products"]:
        s["distinct product names"] = one("SELECT count(DISTINCT name) FROM products")[0]
    if "brand" in cols["products"]:
        s["distinct brands"] = one("SELECT count(DISTINCT brand) FROM products")[0]
    con.execute("CREATE TEMP TABLE per_customer AS SELECT c.customer_id, count(o.order_id) n "
                "FROM customers c LEFT JOIN orders o USING (customer_id) GROUP BY 1")
    s["customers with >= 1 order"] = round(one("SELECT avg((n > 0)::INT) FROM per_customer")[0], 3)
    s["orders per customer median/p99/max"] = "/".join(str(v) for v in one(
        "SELECT median(n), quantile_disc(n, 0.99), max(n) FROM per_customer"))
    s["top customer's share of orders"] = f"{one('SELECT max(n) FROM per_customer')[0] / n_ord:.2e}"
    s["top 1% customers' share of orders"] = round(one(
        f"SELECT sum(n) FROM (SELECT n FROM per_customer ORDER BY n DESC LIMIT {max(1, n_cust // 100)})")[0] / n_ord, 3)
    s["VIP / non-VIP orders per customer"] = round(one(
        "SELECT avg(n) FILTER (WHERE is_vip) / avg(n) FILTER (WHERE NOT is_vip) FROM per_customer JOIN customers USING (customer_id)")[0], 2)
    top = con.execute("SELECT product_id, count(*) c FROM order_items GROUP BY 1 ORDER BY 2 DESC LIMIT 10").fetchall()
    s["top product's share of items"] = round(top[0][1] / n_items, 4)
    diffs = [top[i + 1][0] - top[i][0] for i in range(len(top) - 1)]
    s["top-10 product ids"] = " ".join(str(t[0]) for t in top)
    topc = con.execute("SELECT customer_id FROM orders GROUP BY 1 ORDER BY count(*) DESC LIMIT 10").fetchall()
    s["top-10 customer ids"] = " ".join(str(t[0]) for t in topc)
    s["distinct names"] = one("SELECT count(DISTINCT name) FROM customers")[0]
    s["top-3 countries"] = " ".join(f"{c}:{v:.3f}" for c, v in con.execute(
        "SELECT country, count(*) / sum(count(*)) OVER () FROM customers GROUP BY 1 ORDER BY 2 DESC LIMIT 3").fetchall())
    s["countries"] = one("SELECT count(DISTINCT country) FROM customers")[0]
    jp = con.execute("SELECT name FROM customers WHERE country = 'JP' LIMIT 3").fetchall()
    s["first JP names"] = "; ".join(r[0] for r in jp)
    lo, hi = one("SELECT min(order_date), max(order_date) FROM orders")
    s["orders per day min/max"] = "/".join(str(v) for v in one(
        "SELECT min(c), max(c) FROM (SELECT order_date, count(*) c FROM orders GROUP BY 1)"))
    wk = con.execute("SELECT dayofweek(order_date) d, count(*) / count(DISTINCT order_date) FROM orders GROUP BY 1 ORDER BY 1").fetchall()
    s["weekday max/min mean orders"] = round(max(v for _, v in wk) / min(v for _, v in wk), 2)
    s["signups during the order period"] = round(one(
        f"SELECT avg((signup_date >= DATE '{lo}')::INT) FROM customers")[0], 3)
    s["orders before their customer's signup"] = one(
        "SELECT count(*) FROM orders o JOIN customers c USING (customer_id) WHERE o.order_date < c.signup_date")[0]
    st = dict(con.execute("SELECT status, count(*) / sum(count(*)) OVER () FROM orders GROUP BY 1").fetchall())
    s["status completed/returned/cancelled"] = "/".join(f"{st.get(k, 0):.3f}" for k in ("completed", "returned", "cancelled"))
    s["returned share, last 7 days"] = round(one(
        f"SELECT avg((status = 'returned')::INT) FROM orders WHERE order_date > DATE '{hi}' - 7")[0], 4)
    s["items of inactive products"] = one(
        "SELECT count(*) FROM order_items i JOIN products p USING (product_id) WHERE NOT p.active")[0]
    s["items per order, mean qty"] = f"{n_items / n_ord:.3f}, {one('SELECT avg(qty) FROM order_items')[0]:.3f}"
    s["order amount median/mean/p99"] = "/".join(f"{v:.2f}" for v in one(
        "SELECT median(amount), avg(amount), quantile_cont(amount, 0.99) FROM orders"))
    s["hour-of-day peak hour"] = one("SELECT hour_of_day FROM orders GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")[0]
    if as_json:
        print(json.dumps(s, indent=1, default=str))
    else:
        for k, v in s.items():
            print(f"{k:45s} {v}")


if __name__ == "__main__":
    main()
