"""The ecommerce data looks like retail data, read back by DuckDB.

Statistical properties of a year of generated data (docs/ecommerce-model.md
gives the model and its sources), each of which the previous, uniform model
failed: category price levels, purchase heterogeneity, weekday and December
effects, names that match countries, signups before orders, popularity
without arithmetic patterns in ids, the status mix, returns by category.
Then incremental generation: a later range with the same --origin is the
tail of one longer run, byte for byte, and --mode append adds its files
without touching the earlier ones.
"""
import hashlib
from pathlib import Path

import pytest

from readers import duckdb_connect

YEAR = ["--n-customers", "20000", "--n-products", "3000", "--orders-per-day", "600",
        "--start", "2024-01-01", "--end", "2024-12-31", "--orders-partitioning", "ym", "--quiet"]


@pytest.fixture(scope="module")
def year(run_cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("realism") / "year"
    run_cli("generate", "ecommerce", *YEAR, "--output", out)
    con = duckdb_connect()
    for t in ("customers", "products", "orders", "order_items"):
        con.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{out}/{t}/**/*.parquet', "
                    "hive_partitioning = false)")
    return con


def one(con, sql):
    return con.execute(sql).fetchone()


def test_price_levels_differ_by_category(year):
    medians = dict(year.execute("SELECT category, median(price) FROM products GROUP BY 1").fetchall())
    assert len(medians) == 10
    assert max(medians.values()) > 8 * min(medians.values()), medians
    assert medians["Electronics"] > 5 * medians["Grocery"], medians
    # retail endings and discount steps
    odd, = one(year, "SELECT avg((round(price * 100)::BIGINT % 100 NOT IN (99, 95, 49, 29))::INT) FROM products")
    assert odd == 0
    steps = {r[0] for r in year.execute("SELECT DISTINCT round(discount * 100)::INT FROM products").fetchall()}
    assert steps <= {0, 5, 10, 15, 20, 25, 30, 40, 50} and len(steps) >= 6
    full_price, = one(year, "SELECT avg((discount = 0)::INT) FROM products")
    assert 0.5 < full_price < 0.75
    names, brands = one(year, "SELECT count(DISTINCT name), count(DISTINCT brand) FROM products")
    assert names > 1500 and brands >= 50


def test_purchase_heterogeneity(year):
    year.execute("CREATE OR REPLACE TEMP TABLE per_customer AS SELECT c.customer_id, c.is_vip, count(o.order_id) n "
                 "FROM customers c LEFT JOIN orders o USING (customer_id) GROUP BY ALL")
    n_orders, = one(year, "SELECT count(*) FROM orders")
    buyers, top, top1pct, vip_ratio = one(year, """
        SELECT avg((n > 0)::INT), max(n),
               (SELECT sum(n) FROM (SELECT n FROM per_customer ORDER BY n DESC LIMIT (SELECT count(*) // 100 FROM per_customer))),
               avg(n) FILTER (WHERE is_vip) / avg(n) FILTER (WHERE NOT is_vip)
        FROM per_customer""")
    # about 10 orders per customer a year: most buy, not all; a few buy often
    assert 0.6 < buyers < 0.95, buyers
    assert top / n_orders < 0.002 and top < 365, (top, n_orders)
    assert 0.06 < top1pct / n_orders < 0.3, top1pct / n_orders
    assert vip_ratio > 2, vip_ratio
    median, = one(year, "SELECT median(n) FROM per_customer")
    mean = n_orders / one(year, "SELECT count(*) FROM per_customer")[0]
    assert median < 0.7 * mean, (median, mean)


def test_weekday_and_december(year):
    by_dow = dict(year.execute("SELECT isodow(order_date), count(*) / count(DISTINCT order_date) "
                               "FROM orders GROUP BY 1").fetchall())
    assert by_dow[1] > 1.15 * by_dow[6], by_dow  # Mondays over Saturdays
    by_month = dict(year.execute("SELECT month(order_date), count(*) / count(DISTINCT order_date) "
                                 "FROM orders GROUP BY 1").fetchall())
    assert by_month[12] > 1.15 * by_month[2] and by_month[11] > 1.1 * by_month[2], by_month
    per_day = dict(year.execute("SELECT order_date::VARCHAR, count(*) FROM orders GROUP BY 1").fetchall())
    mean = sum(per_day.values()) / len(per_day)
    assert per_day["2024-11-29"] > 2 * mean and per_day["2024-12-02"] > 2 * mean  # Black Friday, Cyber Monday
    assert per_day["2024-12-25"] < 0.8 * mean
    # a gentle trend, and the yearly mean near --orders-per-day
    assert 600 < mean < 650, mean


# Surnames found in one country's list only (see lib/datasets/ecommerce_vocab.c)
MARKERS = {
    "JP": ["Tanaka", "Suzuki", "Takahashi", "Watanabe"],
    "DE": ["Müller", "Schneider", "Schröder"],
    "PL": ["Kowalski", "Wiśniewski", "Wójcik"],
    "SE": ["Andersson", "Johansson", "Karlsson"],
    "IT": ["Rossi", "Esposito", "Colombo"],
    "KR": ["Choi", "Kang", "Yoon"],
    "IN": ["Reddy", "Iyer", "Agarwal"],
    "BR": ["Oliveira", "Souza", "Ferreira"],
    "FR": ["Dubois", "Lefebvre", "Moreau"],
    "NL": ["de Jong", "de Vries", "van den Berg"],
}


def test_names_match_countries(year):
    for country, names in MARKERS.items():
        cond = " OR ".join(f"name LIKE '% {n}' OR name LIKE '% {n} %'" for n in names)
        wrong = year.execute(f"SELECT country, name FROM customers WHERE ({cond}) AND country <> '{country}' LIMIT 3").fetchall()
        assert not wrong, (country, wrong)
        share, = one(year, f"SELECT avg(({cond})::INT) FROM customers WHERE country = '{country}'")
        assert share > 0.05, (country, share)
    # Spanish and Mexican customers carry two surnames; Japanese no Western given names
    two, = one(year, "SELECT avg((len(string_split(name, ' ')) >= 3)::INT) FROM customers WHERE country IN ('ES', 'MX')")
    assert two > 0.95
    western, = one(year, "SELECT count(*) FROM customers WHERE country = 'JP' AND split_part(name, ' ', 1) IN ('James', 'Emma', 'Olivia', 'Liam')")
    assert western == 0
    distinct, total = one(year, "SELECT count(DISTINCT name), count(*) FROM customers")
    assert distinct > 0.6 * total, (distinct, total)
    shares = dict(year.execute("SELECT country, count(*) / sum(count(*)) OVER () FROM customers GROUP BY 1").fetchall())
    assert len(shares) == 16 and 0.44 < shares["US"] < 0.54, shares


def test_no_order_before_signup(year):
    early, = one(year, "SELECT count(*) FROM orders o JOIN customers c USING (customer_id) WHERE o.order_date < c.signup_date")
    assert early == 0
    during, = one(year, "SELECT avg((signup_date >= DATE '2024-01-01')::INT) FROM customers")
    assert 0.12 < during < 0.3, during  # 25% growth a year
    new_buyers, = one(year, "SELECT count(DISTINCT customer_id) FROM orders o JOIN customers c USING (customer_id) "
                            "WHERE c.signup_date >= DATE '2024-01-01'")
    assert new_buyers > 1000


def test_popularity_has_no_arithmetic_pattern(year):
    for table, key, n in (("order_items", "product_id", 3000), ("orders", "customer_id", None)):
        ids = [r[0] for r in year.execute(f"SELECT {key} FROM {table} GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 12").fetchall()]
        modulus = n or one(year, "SELECT count(*) FROM customers")[0]
        steps = [(b - a) % modulus for a, b in zip(ids, ids[1:])]
        assert len(set(steps)) >= len(steps) - 1, (table, ids)
    top, = one(year, "SELECT max(c) / sum(c) FROM (SELECT count(*) c FROM order_items GROUP BY product_id)")
    assert top < 0.01, top


def test_status_mix_and_returns(year):
    mix = dict(year.execute("SELECT status, count(*) / sum(count(*)) OVER () FROM orders GROUP BY 1").fetchall())
    assert abs(mix["completed"] - 0.90) < 0.01 and abs(mix["returned"] - 0.06) < 0.006 and abs(mix["cancelled"] - 0.04) < 0.005, mix
    last_days, = one(year, "SELECT count(*) FROM orders WHERE status = 'returned' AND order_date > DATE '2024-12-29'")
    assert last_days == 0
    # clothing comes back far more often than groceries
    rates = dict(year.execute("""
        SELECT p.category, avg((o.status = 'returned')::INT) FROM orders o JOIN order_items i USING (order_id)
        JOIN products p USING (product_id) WHERE o.order_date < DATE '2024-12-01'
          AND o.order_id IN (SELECT order_id FROM order_items GROUP BY 1 HAVING count(*) = 1)
        GROUP BY 1""").fetchall())
    assert rates["Clothing"] > 3 * rates["Grocery"], rates
    # quantities by category, retired products unsold after retirement
    qty = dict(year.execute("SELECT p.category, avg(qty) FROM order_items i JOIN products p USING (product_id) GROUP BY 1").fetchall())
    assert qty["Grocery"] > qty["Electronics"] + 0.5, qty
    late, = one(year, "SELECT count(*) FROM order_items i JOIN products p USING (product_id) WHERE i.order_date >= p.retired_on")
    assert late == 0
    sold_before, = one(year, "SELECT count(*) FROM order_items i JOIN products p USING (product_id) WHERE NOT p.active")
    assert sold_before > 0


def test_local_hours_and_utc_timestamps(year):
    # the same evening peak in local time, hours apart in UTC
    peaks = dict(year.execute("""
        SELECT c.country, mode(hour(o.order_ts AT TIME ZONE 'UTC')) FROM orders o JOIN customers c USING (customer_id)
        WHERE c.country IN ('JP', 'GB') GROUP BY 1""").fetchall())
    local = dict(year.execute("""SELECT c.country, mode(o.hour_of_day) FROM orders o JOIN customers c USING (customer_id)
        WHERE c.country IN ('JP', 'GB') GROUP BY 1""").fetchall())
    assert local["JP"] == local["GB"] == 20, local
    assert peaks["GB"] == 20 and peaks["JP"] == 11, peaks
    amounts, = one(year, """SELECT count(*) FROM orders o JOIN (SELECT order_id, sum(round(line_amount * 100)::BIGINT) c
        FROM order_items GROUP BY 1) s USING (order_id) WHERE round(o.amount * 100)::BIGINT <> s.c""")
    assert amounts == 0


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def files(root):
    return {str(p.relative_to(root)): sha256(p) for p in sorted(Path(root).rglob("*")) if p.is_file()}


@pytest.mark.parametrize("scheme", ["ym", "ymd"])
def test_increment_is_the_tail_of_one_run(run_cli, tmp_path, scheme):
    opts = ["--n-customers", "3000", "--n-products", "400", "--orders-per-day", "300",
            "--orders-partitioning", scheme, "--quiet", "--file-rows-target", "4000"]
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    run_cli("generate", "ecommerce", *opts, "--start", "2024-01-01", "--end", "2024-04-30", "--output", whole)
    run_cli("generate", "ecommerce", *opts, "--start", "2024-01-01", "--end", "2024-03-31", "--output", parts)
    before = files(parts)
    run_cli("generate", "ecommerce", *opts, "--origin", "2024-01-01", "--start", "2024-04-01",
            "--end", "2024-04-30", "--output", parts, "--mode", "append")
    after = files(parts)
    # the earlier files untouched, April's added
    assert all(after[f] == h for f, h in before.items())
    added = {f: h for f, h in after.items() if f not in before}
    april = {f: h for f, h in files(whole).items() if "month=04" in f}
    assert april and all(added.get(f) == h for f, h in april.items()), sorted(added)
    # April's new customers in a file of their own, the rows of the long run
    new = [f for f in added if f.startswith("customers/")]
    assert new == ["customers/customers-2024-04-01.parquet"], sorted(added)
    # no products in an increment (the run writes the empty table apart)
    assert [f for f in added if f.startswith("products/")] in ([], ["products/products-2024-04-01.parquet"])
    n_products, = duckdb_connect().execute(f"SELECT count(*) FROM read_parquet('{parts}/products/*.parquet')").fetchone()
    assert n_products == 400
    con = duckdb_connect()
    q = "SELECT hash(list(c ORDER BY customer_id)) FROM read_parquet('{}') c{}"
    got, = con.execute(q.format(parts / new[0], "")).fetchone()
    want, = con.execute(q.format(f"{whole}/customers/*.parquet", " WHERE signup_date >= DATE '2024-04-01'")).fetchone()
    assert got == want
    n_new, = con.execute(f"SELECT count(*) FROM read_parquet('{parts / new[0]}')").fetchone()
    assert n_new > 30
    # the union reads as one table; orders and items of April equal the long run's
    for t, key in (("orders", "order_id"), ("order_items", "order_item_id")):
        q = "SELECT count(*), count(DISTINCT {k}), hash(list({k} ORDER BY {k})) FROM read_parquet('{d}/{t}/**/*.parquet', hive_partitioning = false)"
        assert con.execute(q.format(k=key, d=parts, t=t)).fetchone() == con.execute(q.format(k=key, d=whole, t=t)).fetchone()
    # appending the same increment again is refused: nothing is replaced
    p = run_cli("generate", "ecommerce", *opts, "--origin", "2024-01-01", "--start", "2024-04-01",
                "--end", "2024-04-30", "--output", parts, "--mode", "append", check=False)
    assert p.returncode != 0 and files(parts) == after


def test_increment_inside_a_month(run_cli, tmp_path):
    """An increment that starts mid-month adds suffixed files beside the month's."""
    opts = ["--n-customers", "2000", "--n-products", "300", "--orders-per-day", "200",
            "--orders-partitioning", "ym", "--quiet"]
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    run_cli("generate", "ecommerce", *opts, "--start", "2024-03-01", "--end", "2024-03-31", "--output", whole)
    run_cli("generate", "ecommerce", *opts, "--start", "2024-03-01", "--end", "2024-03-15", "--output", parts)
    run_cli("generate", "ecommerce", *opts, "--origin", "2024-03-01", "--start", "2024-03-16",
            "--end", "2024-03-31", "--output", parts, "--mode", "append")
    assert (parts / "orders/year=2024/month=03/part-00000-2024-03-16.parquet").exists()
    con = duckdb_connect()
    q = ("SELECT count(*), hash(list(o ORDER BY order_id)) FROM read_parquet('{}/orders/**/*.parquet', "
         "hive_partitioning = false) o WHERE order_date >= DATE '2024-03-16'")
    assert con.execute(q.format(parts)).fetchone() == con.execute(q.format(whole)).fetchone()
