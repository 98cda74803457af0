/*
 * ecommerce.c - the ecommerce dataset: customers, products, orders and
 * order_items, with the columns and options of the reference system and
 * without its defects (see DESIGN.md, "The ecommerce dataset").
 *
 * Invariants (tests/unit/test_ecommerce.c checks each of them):
 *
 *  1. Every value is a pure function of (options, table, row index), drawn
 *     from the counter-based generator of common/rng.h. fill() reads only
 *     the plan that prepare() computed and never writes it, so any row range
 *     can be filled by any thread, in any order, in pieces of any size, with
 *     the same bytes.
 *  2. Day d of the range has count(d) orders, a pure function of (seed, date)
 *     and the mode: fixed (--orders-per-day), range (uniform integer in
 *     [min, max]) or normal (round(normal(mean, std)), at least 0); then at
 *     least --orders-floor.
 *  3. order_id = orders row + 1. Orders rows are sorted by (order_date,
 *     order_id): the rows of day d are [day_orders_first[d],
 *     day_orders_first[d + 1]).
 *  4. Order o (0-based) has n(o) = max(1, Poisson(mean)) items, n(o) drawn
 *     from counter o of one stream. Item k of order o has product_id and
 *     qty drawn from counter o * MAX_ITEMS_PER_ORDER + k. order_item_id =
 *     items row + 1; items rows list the items of order 0, then order 1...,
 *     so they too are in (order_date, order_id) order.
 *  5. An order's amount is computed in double as
 *         total = 0.0; for k in 0..n(o)-1: total += (double)qty_k * (price_p * (1.0 - discount_p));
 *         amount = round(total * 100.0) / 100.0;
 *     where price_p and discount_p are the values of the products table and
 *     round() rounds half away from zero (so a reader can recompute it).
 *  6. customer_id is in 1..n-customers and product_id in 1..n-products;
 *     both are chosen with a popularity skew (rank = floor(n * u^power))
 *     through a bijection of the ranks, so every id can occur.
 *  7. customers and products have one partition with the path "". orders
 *     and order_items have one partition per day (ymd) or month (ym,
 *     yearmonth) that has orders; an order and its items have the same
 *     partition path. Partition values are not columns; the levels derive
 *     from order_date (year, month, day or yearmonth), which order_items
 *     also carry (their order's date).
 */
#include "dataset_impl.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>

/* ---- limits ---- */

#define MAX_ENTITIES 10000000000ull      /* n-customers, n-products */
#define MAX_ORDERS_PER_DAY 1000000000ull /* every per-day option */
#define MAX_TOTAL_ORDERS 1000000000000ull
#define MAX_DAYS 100000
#define MAX_ITEMS_MEAN 50.0
/* Items per order are below this; also the stride of the item counters. */
#define MAX_ITEMS_PER_ORDER 256
/* Up to this many products, prepare tabulates each popularity rank's
 * product id and net unit price (12 bytes each, 24 MiB at most); above it,
 * orders and items compute them on the fly, more slowly. */
#define PRODUCT_TABLE_MAX ((uint64_t)1 << 21)
/* The items prefix is recorded every 2^block_log2 orders, with at most
 * MAX_BLOCKS records (16 MiB): fill(items) scans at most one block. */
#define BLOCK_LOG2_MIN 16
#define MAX_BLOCKS ((uint64_t)1 << 21)
/* Customers signed up during the days before --start. */
#define SIGNUP_WINDOW_DAYS 1095
/* Byte bounds of generated strings, for reserving batch buffers. */
#define NAME_PART_MAX 24
#define DOMAIN_MAX 16
#define NAME_BYTES_MAX (2 * NAME_PART_MAX + 1)
#define EMAIL_BYTES_MAX (2 * NAME_PART_MAX + 1 + 20 + 1 + DOMAIN_MAX)
#define SKU_BYTES_MAX (4 + 20)
#define STATUS_BYTES_MAX 9
#define COUNTRY_BYTES 2
#define POISSON_GUIDE_BITS 10

/* ---- tables ---- */

enum { T_CUSTOMERS, T_PRODUCTS, T_ORDERS, T_ITEMS, N_TABLES };
enum { CU_ID, CU_NAME, CU_EMAIL, CU_SIGNUP, CU_COUNTRY, CU_VIP, N_CU };
enum { PR_ID, PR_SKU, PR_CATEGORY, PR_PRICE, PR_DISCOUNT, PR_ACTIVE, N_PR };
enum { OR_ID, OR_CUSTOMER, OR_DATE, OR_HOUR, OR_STATUS, OR_AMOUNT, N_OR };
enum { IT_ID, IT_ORDER, IT_PRODUCT, IT_QTY, IT_DATE, N_IT };

#define ND DSG_FIELD_NO_DICT

static const dsg_field customer_fields[N_CU] = {
    [CU_ID] = {"customer_id", DSG_INT64, ND, 0, 0, NULL, 0},
    [CU_NAME] = {"name", DSG_STRING, 0, 0, 0, NULL, 0},
    [CU_EMAIL] = {"email", DSG_STRING, 0, 0, 0, NULL, 0},
    [CU_SIGNUP] = {"signup_date", DSG_DATE, 0, 0, 0, NULL, 0},
    [CU_COUNTRY] = {"country", DSG_STRING, 0, 0, 0, NULL, 0},
    [CU_VIP] = {"is_vip", DSG_BOOL, 0, 0, 0, NULL, 0},
};
static const dsg_field product_fields[N_PR] = {
    [PR_ID] = {"product_id", DSG_INT64, ND, 0, 0, NULL, 0},
    [PR_SKU] = {"sku", DSG_STRING, ND, 0, 0, NULL, 0},
    [PR_CATEGORY] = {"category", DSG_STRING, 0, 0, 0, NULL, 0},
    [PR_PRICE] = {"price", DSG_DOUBLE, 0, 0, 0, NULL, 0},
    [PR_DISCOUNT] = {"discount", DSG_DOUBLE, 0, 0, 0, NULL, 0},
    [PR_ACTIVE] = {"active", DSG_BOOL, 0, 0, 0, NULL, 0},
};
static const dsg_field order_fields[N_OR] = {
    [OR_ID] = {"order_id", DSG_INT64, ND, 0, 0, NULL, 0},
    [OR_CUSTOMER] = {"customer_id", DSG_INT64, ND, 0, 0, NULL, 0},
    [OR_DATE] = {"order_date", DSG_DATE, 0, 0, 0, NULL, 0},
    [OR_HOUR] = {"hour_of_day", DSG_INT16, 0, 0, 0, NULL, 0},
    [OR_STATUS] = {"status", DSG_STRING, 0, 0, 0, NULL, 0},
    [OR_AMOUNT] = {"amount", DSG_DOUBLE, 0, 0, 0, NULL, 0},
};
/* Keys that take tens of thousands of values in a row group are NO_DICT:
 * orders' customer_id, and items' order_id, which ascends slowly (2.7
 * items an order). PLAIN pages of them compress as well or better than a
 * dictionary and cost far less time (measured on W1: the items table a
 * third faster). */
static const dsg_field item_fields[N_IT] = {
    [IT_ID] = {"order_item_id", DSG_INT64, ND, 0, 0, NULL, 0},
    [IT_ORDER] = {"order_id", DSG_INT64, ND, 0, 0, NULL, 0},
    [IT_PRODUCT] = {"product_id", DSG_INT64, 0, 0, 0, NULL, 0},
    [IT_QTY] = {"qty", DSG_INT16, 0, 0, 0, NULL, 0},
    /* the order's date (an extra column): table formats partition items
     * by a transform of it, as they do orders */
    [IT_DATE] = {"order_date", DSG_DATE, 0, 0, 0, NULL, 0},
};

static const char *const by_ymd[] = {"year", "month", "day"};

static const dsgi_table_def tables[N_TABLES] = {
    [T_CUSTOMERS] = {"customers", customer_fields, N_CU, NULL, 0},
    [T_PRODUCTS] = {"products", product_fields, N_PR, NULL, 0},
    [T_ORDERS] = {"orders", order_fields, N_OR, by_ymd, 3},
    [T_ITEMS] = {"order_items", item_fields, N_IT, by_ymd, 3},
};

static const dsg_option_info options[] = {
    {"seed", "42", "random seed: the same seed and options give the same data"},
    {"n-customers", "1000000", "number of customers (1 to 10^10)"},
    {"n-products", "50000", "number of products (1 to 10^10)"},
    {"orders-per-day", "200000",
     "orders each day in fixed mode; the base of the range and normal defaults (1 to 10^9)"},
    {"order-items-mean", "2.6", "mean items per order: max(1, Poisson(mean)), mean in (0, 50]"},
    {"start", "2023-01-01", "first order date, YYYY-MM-DD"},
    {"end", "2023-03-31", "last order date, YYYY-MM-DD (inclusive)"},
    {"start-date", "2023-01-01", "the same as --start"},
    {"end-date", "2023-03-31", "the same as --end"},
    {"orders-partitioning", "ymd",
     "orders and order_items directories: ymd (year=/month=/day=), ym (year=/month=) or "
     "yearmonth (yearmonth=YYYY-MM)"},
    {"orders-mode", "fixed",
     "orders per day: fixed (--orders-per-day), range (uniform in --orders-min..--orders-max) "
     "or normal (--orders-mean, --orders-std); options of another mode are refused"},
    {"orders-min", "0.7 x orders-per-day", "range mode: fewest orders a day (0 to 10^9)"},
    {"orders-max", "1.3 x orders-per-day", "range mode: most orders a day (0 to 10^9)"},
    {"orders-mean", "orders-per-day", "normal mode: mean orders a day (0 to 10^9)"},
    {"orders-std", "max(1, 10% of orders-mean)",
     "normal mode: standard deviation of orders a day (0 to 10^9)"},
    {"orders-floor", "0", "every day has at least this many orders, whatever the mode (0 to 10^9)"},
};
#define N_OPTIONS (sizeof options / sizeof options[0])

/* ---- vocabularies ---- */

typedef struct name_part {
    const char *display; /* as written in the name column (UTF-8) */
    const char *ascii;   /* lowercase ASCII, for the email */
} name_part;

static const name_part first_names[] = {
    {"Anna", "anna"}, {"Liam", "liam"}, {"Sofia", "sofia"}, {"Noah", "noah"},
    {"Mia", "mia"}, {"Lucas", "lucas"}, {"Emma", "emma"}, {"Olivia", "olivia"},
    {"Hugo", "hugo"}, {"Chloé", "chloe"}, {"Léa", "lea"}, {"Jonas", "jonas"},
    {"Lena", "lena"}, {"Felix", "felix"}, {"Ingrid", "ingrid"}, {"Søren", "soren"},
    {"Astrid", "astrid"}, {"Björn", "bjorn"}, {"Freya", "freya"}, {"Aoife", "aoife"},
    {"Seán", "sean"}, {"Niamh", "niamh"}, {"Ciarán", "ciaran"}, {"Giulia", "giulia"},
    {"Marco", "marco"}, {"Chiara", "chiara"}, {"Luca", "luca"}, {"Lucía", "lucia"},
    {"Javier", "javier"}, {"Carmen", "carmen"}, {"Diego", "diego"}, {"Inês", "ines"},
    {"João", "joao"}, {"Beatriz", "beatriz"}, {"Tiago", "tiago"}, {"Zoë", "zoe"},
    {"Yuki", "yuki"}, {"Haruto", "haruto"}, {"Sakura", "sakura"}, {"Ren", "ren"},
    {"Min-jun", "minjun"}, {"Ji-woo", "jiwoo"}, {"Wei", "wei"}, {"Mei", "mei"},
    {"Jun", "jun"}, {"Xin", "xin"}, {"Priya", "priya"}, {"Arjun", "arjun"},
    {"Ananya", "ananya"}, {"Rohan", "rohan"}, {"Aisha", "aisha"}, {"Omar", "omar"},
    {"Fatima", "fatima"}, {"Youssef", "youssef"}, {"Layla", "layla"}, {"Amir", "amir"},
    {"Zainab", "zainab"}, {"Kwame", "kwame"}, {"Amara", "amara"}, {"Chidi", "chidi"},
    {"Nia", "nia"}, {"Tendai", "tendai"}, {"Olumide", "olumide"}, {"Thandiwe", "thandiwe"},
    {"Olga", "olga"}, {"Dmitri", "dmitri"}, {"Katarzyna", "katarzyna"}, {"Łukasz", "lukasz"},
    {"Agnieszka", "agnieszka"}, {"Tomasz", "tomasz"}, {"Petra", "petra"},
    {"Miroslav", "miroslav"}, {"Elif", "elif"}, {"Emre", "emre"}, {"Selin", "selin"},
    {"Maya", "maya"}, {"Ethan", "ethan"}, {"Grace", "grace"}, {"James", "james"},
    {"Nora", "nora"}, {"Kai", "kai"}, {"Leilani", "leilani"}, {"Tane", "tane"},
    {"Aroha", "aroha"}, {"Santiago", "santiago"}, {"Valentina", "valentina"},
    {"Camila", "camila"}, {"Mateo", "mateo"}, {"Isabella", "isabella"}, {"Ahmed", "ahmed"},
};
#define N_FIRST_NAMES (sizeof first_names / sizeof first_names[0])

static const name_part last_names[] = {
    {"Smith", "smith"}, {"Johnson", "johnson"}, {"Williams", "williams"}, {"Brown", "brown"},
    {"Jones", "jones"}, {"Taylor", "taylor"}, {"Wilson", "wilson"}, {"Garcia", "garcia"},
    {"Martinez", "martinez"}, {"Hernández", "hernandez"}, {"López", "lopez"},
    {"González", "gonzalez"}, {"Ramírez", "ramirez"}, {"Torres", "torres"}, {"Flores", "flores"},
    {"Müller", "muller"}, {"Schmidt", "schmidt"}, {"Schneider", "schneider"},
    {"Fischer", "fischer"}, {"Weber", "weber"}, {"Wagner", "wagner"}, {"Dubois", "dubois"},
    {"Martin", "martin"}, {"Bernard", "bernard"}, {"Lefèvre", "lefevre"}, {"Moreau", "moreau"},
    {"Rossi", "rossi"}, {"Russo", "russo"}, {"Bianchi", "bianchi"}, {"Esposito", "esposito"},
    {"Romano", "romano"}, {"Fernández", "fernandez"}, {"Silva", "silva"}, {"Santos", "santos"},
    {"Oliveira", "oliveira"}, {"Costa", "costa"}, {"Pereira", "pereira"},
    {"Kowalski", "kowalski"}, {"Nowak", "nowak"}, {"Wiśniewski", "wisniewski"},
    {"Novák", "novak"}, {"Horváth", "horvath"}, {"Nagy", "nagy"}, {"Popescu", "popescu"},
    {"Ivanov", "ivanov"}, {"Petrov", "petrov"}, {"Andersson", "andersson"},
    {"Johansson", "johansson"}, {"Nielsen", "nielsen"}, {"Hansen", "hansen"},
    {"Larsen", "larsen"}, {"Virtanen", "virtanen"}, {"Korhonen", "korhonen"},
    {"O'Brien", "obrien"}, {"Murphy", "murphy"}, {"Kelly", "kelly"}, {"Walsh", "walsh"},
    {"Singh", "singh"}, {"Patel", "patel"}, {"Sharma", "sharma"}, {"Gupta", "gupta"},
    {"Reddy", "reddy"}, {"Khan", "khan"}, {"Rahman", "rahman"}, {"Haddad", "haddad"},
    {"Nasser", "nasser"}, {"Yılmaz", "yilmaz"}, {"Kaya", "kaya"}, {"Demir", "demir"},
    {"Cohen", "cohen"}, {"Levi", "levi"}, {"Tanaka", "tanaka"}, {"Suzuki", "suzuki"},
    {"Sato", "sato"}, {"Watanabe", "watanabe"}, {"Kim", "kim"}, {"Lee", "lee"},
    {"Park", "park"}, {"Choi", "choi"}, {"Nguyen", "nguyen"}, {"Tran", "tran"},
    {"Pham", "pham"}, {"Wang", "wang"}, {"Li", "li"}, {"Zhang", "zhang"}, {"Chen", "chen"},
    {"Liu", "liu"}, {"Okafor", "okafor"}, {"Mensah", "mensah"}, {"Mwangi", "mwangi"},
    {"Diallo", "diallo"}, {"Adeyemi", "adeyemi"}, {"Dlamini", "dlamini"},
    {"van den Berg", "vandenberg"}, {"de Jong", "dejong"}, {"Jansen", "jansen"},
    {"Kovač", "kovac"}, {"Papadopoulos", "papadopoulos"}, {"Georgiou", "georgiou"},
};
#define N_LAST_NAMES (sizeof last_names / sizeof last_names[0])

/* A value with an integer weight; each list's weights sum to its total. */
typedef struct weighted {
    const char *value;
    unsigned weight;
} weighted;

/* Reserved example domains only (RFC 2606), never a real provider. */
static const weighted email_domains[] = {
    {"example.com", 45},  {"example.net", 20}, {"example.org", 15},
    {"mail.example", 12}, {"shop.example", 8},
};
#define N_EMAIL_DOMAINS (sizeof email_domains / sizeof email_domains[0])
#define EMAIL_DOMAINS_TOTAL 100

/* ISO 3166-1 alpha-2 codes; weights in permille. */
static const weighted countries[] = {
    {"US", 300}, {"DE", 90}, {"GB", 90}, {"FR", 70}, {"IN", 70}, {"BR", 60}, {"CA", 50}, {"JP", 50},
    {"ES", 40},  {"IT", 40}, {"NL", 30}, {"MX", 30}, {"AU", 30}, {"PL", 25}, {"SE", 25},
};
#define N_COUNTRIES (sizeof countries / sizeof countries[0])
#define COUNTRIES_TOTAL 1000

static const weighted categories[] = {
    {"Electronics", 14},       {"Books", 16},
    {"Home & Kitchen", 13},    {"Clothing", 12},
    {"Sports & Outdoors", 9},  {"Beauty & Personal Care", 9},
    {"Toys & Games", 8},       {"Grocery", 7},
    {"Health & Household", 7}, {"Automotive", 5},
};
#define N_CATEGORIES (sizeof categories / sizeof categories[0])
#define CATEGORIES_TOTAL 100

/* Orders per hour of the day in permille: few at night, a peak in the evening. */
static const unsigned hour_permille[24] = {
    15, 8, 5, 4, 4, 6, 12, 22, 34, 44, 50, 54, 64, 56, 52, 50, 52, 56, 64, 78, 86, 84, 62, 38,
};

#define VIP_PERCENT 5
#define ACTIVE_PER_50 49 /* p = 0.98 */
/* Status by percent: completed below 90, returned below 96, else cancelled.
 * The texts are padded so that every copy moves STATUS_COPY_BYTES. */
#define STATUS_COMPLETED_BELOW 90
#define STATUS_RETURNED_BELOW 96
#define STATUS_COPY_BYTES 16
static const char status_text[3][STATUS_COPY_BYTES] = {"completed", "returned", "cancelled"};
static const uint8_t status_bytes[3] = {9, 8, 9};
/* Quantity by percent: 1 below 55, 2 below 80, 3 below 90, 4 below 96, else 5. */
#define QTY2_FROM 55
#define QTY3_FROM 80
#define QTY4_FROM 90
#define QTY5_FROM 96

/* ---- state ---- */

typedef enum partitioning { PART_YMD, PART_YM, PART_YEARMONTH } partitioning;
typedef enum orders_mode { MODE_FIXED, MODE_RANGE, MODE_NORMAL } orders_mode;

/* Popular ids: rank = floor(n * u^power) for a uniform u, so low ranks are
 * frequent; the id is the bijection rank -> (rank * stride + offset) mod n,
 * plus 1, so popular ids are spread over 1..n. */
typedef struct popularity {
    uint64_t n;
    uint64_t stride; /* coprime with n */
    uint64_t offset; /* below n */
    double inv_n;
    int power; /* 2 or 3 */
} popularity;

/* Inverse CDF of max(1, Poisson(mean)) over 64-bit draws: a draw r gives
 * the least k with r <= upper[k]; guide[b] is that k for the smallest r of
 * bucket b (the top POISSON_GUIDE_BITS bits of r), a starting point. */
typedef struct poisson_table {
    uint64_t upper[MAX_ITEMS_PER_ORDER];
    uint8_t guide[1u << POISSON_GUIDE_BITS];
} poisson_table;

typedef struct stream_keys {
    uint64_t first_name, last_name, email_domain, signup_date, country, is_vip;
    uint64_t category, price, discount, active;
    uint64_t day_orders, customer_id, hour_status;
    uint64_t items_count, item;
} stream_keys;

/* A partition of orders and order_items: the days [first_day, end_day). */
typedef struct day_span {
    uint32_t first_day, end_day;
} day_span;

typedef struct ecommerce {
    /* options */
    uint64_t seed, n_customers, n_products, orders_per_day;
    double items_mean;
    int32_t start_day, end_day;
    const char *start_option, *end_option; /* the spelling given, for messages */
    partitioning partitioning;
    orders_mode mode;
    uint64_t orders_min, orders_max, orders_floor;
    bool orders_min_set, orders_max_set;
    double orders_mean, orders_std;
    bool orders_mean_set, orders_std_set;

    uint8_t hour_of_permille[1000]; /* hour_permille expanded, by create */

    /* plan: written by prepare, read-only afterwards */
    stream_keys key;
    popularity customer_pop, product_pop;
    poisson_table poisson;
    size_t n_days;
    uint64_t *day_orders_first; /* n_days + 1: orders before day d */
    uint64_t *day_items_first;  /* n_days + 1: items before day d */
    unsigned block_log2;
    uint64_t *block_items_first; /* items before order b << block_log2 */
    size_t n_blocks;
    day_span *parts;
    size_t n_parts;
    /* by popularity rank of a product, when n_products <= PRODUCT_TABLE_MAX,
     * else NULL: its id, and its price * (1 - discount) */
    uint32_t *product_id_of_rank;
    double *net_price_of_rank;
    bool skip_items; /* order_items will not be written: not planned */
} ecommerce;

/* ---- small helpers ---- */

/* floor(x * n) for x in [0, 1) and n < 2^53, kept below n despite
 * rounding. (Signed conversions: they are single instructions.) */
static inline uint64_t scale_below(double x, uint64_t n)
{
    uint64_t v = (uint64_t)(int64_t)(x * (double)(int64_t)n);
    return v < n ? v : n - 1;
}

/* (a * b) mod n for a, b < n <= MAX_ENTITIES: the quotient is estimated in
 * double (off by at most one, since a * b / n < 2^34 and the relative error
 * is below 2^-50), the remainder fixed in wrapping 64-bit arithmetic, where
 * the true remainder candidate lies in (-n, 2n). */
static inline uint64_t mul_mod(uint64_t a, uint64_t b, uint64_t n, double inv_n)
{
    uint64_t q = (uint64_t)(int64_t)((double)(int64_t)a * (double)(int64_t)b * inv_n);
    int64_t r = (int64_t)(a * b - q * n);
    if (r < 0)
        r += (int64_t)n;
    else if ((uint64_t)r >= n)
        r -= (int64_t)n;
    return (uint64_t)r;
}

static inline uint64_t popular_rank(const popularity *pop, uint64_t r)
{
    double u = dsgi_unit(r);
    double x = u * u;
    if (pop->power == 3)
        x *= u;
    return scale_below(x, pop->n);
}

static inline uint64_t id_of_rank(const popularity *pop, uint64_t rank)
{
    uint64_t slot = mul_mod(rank, pop->stride, pop->n, pop->inv_n) + pop->offset;
    return (slot >= pop->n ? slot - pop->n : slot) + 1;
}

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
    while (b != 0) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static popularity popularity_make(uint64_t n, int power, uint64_t key)
{
    popularity pop = {n, 0, 0, 1.0 / (double)n, power};
    if (n > 1) {
        pop.stride = 1 + dsgi_below(dsgi_rand(key, 0), n - 1);
        while (gcd_u64(pop.stride, n) != 1)
            pop.stride = pop.stride + 1 < n ? pop.stride + 1 : 1;
        pop.offset = dsgi_below(dsgi_rand(key, 1), n);
    }
    return pop;
}

static const char *pick_weighted(const weighted *list, size_t n, unsigned total, uint64_t r)
{
    unsigned x = (unsigned)dsgi_below(r, total);
    size_t i = 0;
    while (x >= list[i].weight) {
        x -= list[i].weight;
        i++;
    }
    assert(i < n);
    (void)n;
    return list[i].value;
}

/* Writes v in decimal with at least min_digits digits (zero-padded);
 * returns the number of bytes written (at most 20). */
static inline size_t put_decimal(char *out, uint64_t v, size_t min_digits)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n < min_digits)
        tmp[n++] = '0';
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

static inline char *put_text(char *out, const char *s)
{
    size_t n = strlen(s);
    memcpy(out, s, n);
    return out + n;
}

static void format_date(char out[16], int32_t day)
{
    int64_t y;
    unsigned m, d;
    dsgi_civil_from_days(day, &y, &m, &d);
    snprintf(out, 16, "%04lld-%02u-%02u", (long long)y, m, d);
}

/* ---- the pure functions of the data ---- */

static inline unsigned order_n_items(const ecommerce *e, uint64_t order)
{
    uint64_t r = dsgi_rand(e->key.items_count, order);
    unsigned k = e->poisson.guide[r >> (64 - POISSON_GUIDE_BITS)];
    while (r > e->poisson.upper[k])
        k++;
    return k ? k : 1;
}

typedef struct order_item {
    uint64_t product_rank; /* popularity rank of the product */
    int16_t qty;
} order_item;

/* Item k of order o (invariant 4): one draw gives the product (from its top
 * 53 bits, through dsgi_unit) and the quantity (from its low 32 bits). */
static inline order_item item_of(const ecommerce *e, uint64_t order, unsigned k)
{
    uint64_t r = dsgi_rand(e->key.item, order * MAX_ITEMS_PER_ORDER + k);
    unsigned percent = (unsigned)(((r & 0xFFFFFFFFu) * 100) >> 32);
    order_item item = {popular_rank(&e->product_pop, r),
                       (int16_t)(1 + (percent >= QTY2_FROM) + (percent >= QTY3_FROM) +
                                 (percent >= QTY4_FROM) + (percent >= QTY5_FROM))};
    return item;
}

/* round(x * 100.0) / 100.0, with C's round() (half away from zero) done
 * inline: for |y| < 2^52, y - trunc(y) is exact, so this is round(y). */
static inline double round_cents(double x)
{
    double y = x * 100.0;
    assert(fabs(y) < 0x1p52);
    double t = (double)(int64_t)y;
    double fraction = y - t;
    t += (double)((fraction >= 0.5) - (fraction <= -0.5));
    return t / 100.0;
}

static double product_price(const ecommerce *e, uint64_t product_id)
{
    double z = dsgi_normal(dsgi_rand(e->key.price, 2 * product_id),
                           dsgi_rand(e->key.price, 2 * product_id + 1));
    return DSGI_MAX(0.01, round_cents(dsgi_exp(3.0 + 0.5 * z)));
}

static double product_discount(const ecommerce *e, uint64_t product_id)
{
    double z = dsgi_normal(dsgi_rand(e->key.discount, 2 * product_id),
                           dsgi_rand(e->key.discount, 2 * product_id + 1));
    double d = 0.05 + 0.08 * z;
    return round_cents(d < 0.0 ? 0.0 : d > 0.6 ? 0.6 : d);
}

static double product_net_price(const ecommerce *e, uint64_t product_id)
{
    return product_price(e, product_id) * (1.0 - product_discount(e, product_id));
}

static inline uint64_t product_id_of_rank(const ecommerce *e, uint64_t rank)
{
    if (e->product_id_of_rank != NULL)
        return e->product_id_of_rank[rank];
    return id_of_rank(&e->product_pop, rank);
}

static inline double net_price_of_rank(const ecommerce *e, uint64_t rank)
{
    if (e->net_price_of_rank != NULL)
        return e->net_price_of_rank[rank];
    return product_net_price(e, id_of_rank(&e->product_pop, rank));
}

/* Invariant 5. */
static double order_amount(const ecommerce *e, uint64_t order)
{
    unsigned n_items = order_n_items(e, order);
    double total = 0.0;
    for (unsigned k = 0; k < n_items; k++) {
        order_item item = item_of(e, order, k);
        total += (double)item.qty * net_price_of_rank(e, item.product_rank);
    }
    return round_cents(total);
}

/* Invariant 2; 'day' is days since 1970-01-01. */
static uint64_t day_order_count(const ecommerce *e, int32_t day)
{
    uint64_t counter = (uint64_t)(int64_t)day;
    uint64_t count = e->orders_per_day;
    if (e->mode == MODE_RANGE) {
        count = e->orders_min + dsgi_below(dsgi_rand(e->key.day_orders, counter),
                                           e->orders_max - e->orders_min + 1);
    } else if (e->mode == MODE_NORMAL) {
        double z = dsgi_normal(dsgi_rand(e->key.day_orders, 2 * counter),
                               dsgi_rand(e->key.day_orders, 2 * counter + 1));
        double x = round(e->orders_mean + e->orders_std * z);
        count = x > 0.0 ? (uint64_t)x : 0;
    }
    return DSGI_MAX(count, e->orders_floor);
}

/* ---- create, free, set ---- */

static void plan_free(ecommerce *e)
{
    dsgi_free(e->day_orders_first);
    dsgi_free(e->day_items_first);
    dsgi_free(e->block_items_first);
    dsgi_free(e->parts);
    dsgi_free(e->product_id_of_rank);
    dsgi_free(e->net_price_of_rank);
    e->day_orders_first = e->day_items_first = e->block_items_first = NULL;
    e->parts = NULL;
    e->product_id_of_rank = NULL;
    e->net_price_of_rank = NULL;
}

static inline unsigned weights_total(const weighted *list, size_t n)
{
    unsigned total = 0;
    for (size_t i = 0; i < n; i++)
        total += list[i].weight;
    return total;
}

static dsg_status ec_create(void **state, dsg_error *err)
{
    for (size_t i = 0; i < N_FIRST_NAMES; i++)
        assert(strlen(first_names[i].display) <= NAME_PART_MAX &&
               strlen(first_names[i].ascii) <= NAME_PART_MAX);
    for (size_t i = 0; i < N_LAST_NAMES; i++)
        assert(strlen(last_names[i].display) <= NAME_PART_MAX &&
               strlen(last_names[i].ascii) <= NAME_PART_MAX);
    for (size_t i = 0; i < N_EMAIL_DOMAINS; i++)
        assert(strlen(email_domains[i].value) <= DOMAIN_MAX);
    for (size_t i = 0; i < N_COUNTRIES; i++)
        assert(strlen(countries[i].value) == COUNTRY_BYTES);
    assert(weights_total(email_domains, N_EMAIL_DOMAINS) == EMAIL_DOMAINS_TOTAL);
    assert(weights_total(countries, N_COUNTRIES) == COUNTRIES_TOTAL);
    assert(weights_total(categories, N_CATEGORIES) == CATEGORIES_TOTAL);
    ecommerce *e = dsgi_calloc(1, sizeof *e);
    DSGI_RETURN_IF(e == NULL, err, DSG_ENOMEM, "out of memory (creating dataset ecommerce)");
    unsigned at = 0;
    for (unsigned h = 0; h < 24; h++)
        for (unsigned i = 0; i < hour_permille[h]; i++) {
            assert(at < sizeof e->hour_of_permille);
            e->hour_of_permille[at++] = (uint8_t)h;
        }
    assert(at == sizeof e->hour_of_permille);
    e->seed = 42;
    e->n_customers = 1000000;
    e->n_products = 50000;
    e->orders_per_day = 200000;
    e->items_mean = 2.6;
    e->start_day = dsgi_days_from_civil(2023, 1, 1);
    e->end_day = dsgi_days_from_civil(2023, 3, 31);
    e->start_option = "start";
    e->end_option = "end";
    e->partitioning = PART_YMD;
    e->mode = MODE_FIXED;
    *state = e;
    return DSG_OK;
}

static void ec_free(void *state)
{
    ecommerce *e = state;
    if (e == NULL)
        return;
    plan_free(e);
    dsgi_free(e);
}

static dsg_status parse_choice(const char *option, const char *value, const char *const choices[3],
                               int *out, dsg_error *err)
{
    for (int i = 0; i < 3; i++) {
        if (strcmp(value, choices[i]) == 0) {
            *out = i;
            return DSG_OK;
        }
    }
    return dsgi_fail(err, DSG_EINVAL, "--%s must be one of %s, %s or %s, not '%s'", option,
                     choices[0], choices[1], choices[2], value);
}

static dsg_status ec_set(void *state, const char *name, const char *value, dsg_error *err)
{
    ecommerce *e = state;
    if (strcmp(name, "seed") == 0)
        return dsgi_parse_u64(name, value, 0, UINT64_MAX, &e->seed, err);
    if (strcmp(name, "n-customers") == 0)
        return dsgi_parse_u64(name, value, 1, MAX_ENTITIES, &e->n_customers, err);
    if (strcmp(name, "n-products") == 0)
        return dsgi_parse_u64(name, value, 1, MAX_ENTITIES, &e->n_products, err);
    if (strcmp(name, "orders-per-day") == 0)
        return dsgi_parse_u64(name, value, 1, MAX_ORDERS_PER_DAY, &e->orders_per_day, err);
    if (strcmp(name, "order-items-mean") == 0) {
        double mean;
        DSGI_FORWARD(dsgi_parse_double(name, value, 0.0, MAX_ITEMS_MEAN, &mean, err));
        DSGI_RETURN_IF(!(mean > 0.0), err, DSG_EINVAL,
                       "--%s must be above 0 and at most %g, not %s", name, MAX_ITEMS_MEAN, value);
        e->items_mean = mean;
        return DSG_OK;
    }
    if (strcmp(name, "start") == 0 || strcmp(name, "start-date") == 0) {
        DSGI_FORWARD(dsgi_parse_date(name, value, &e->start_day, err));
        e->start_option = strcmp(name, "start") == 0 ? "start" : "start-date";
        return DSG_OK;
    }
    if (strcmp(name, "end") == 0 || strcmp(name, "end-date") == 0) {
        DSGI_FORWARD(dsgi_parse_date(name, value, &e->end_day, err));
        e->end_option = strcmp(name, "end") == 0 ? "end" : "end-date";
        return DSG_OK;
    }
    if (strcmp(name, "orders-partitioning") == 0) {
        static const char *const choices[] = {"ymd", "ym", "yearmonth"};
        int choice;
        DSGI_FORWARD(parse_choice(name, value, choices, &choice, err));
        e->partitioning = (partitioning)choice;
        return DSG_OK;
    }
    if (strcmp(name, "orders-mode") == 0) {
        static const char *const choices[] = {"fixed", "range", "normal"};
        int choice;
        DSGI_FORWARD(parse_choice(name, value, choices, &choice, err));
        e->mode = (orders_mode)choice;
        return DSG_OK;
    }
    if (strcmp(name, "orders-min") == 0) {
        DSGI_FORWARD(dsgi_parse_u64(name, value, 0, MAX_ORDERS_PER_DAY, &e->orders_min, err));
        e->orders_min_set = true;
        return DSG_OK;
    }
    if (strcmp(name, "orders-max") == 0) {
        DSGI_FORWARD(dsgi_parse_u64(name, value, 0, MAX_ORDERS_PER_DAY, &e->orders_max, err));
        e->orders_max_set = true;
        return DSG_OK;
    }
    if (strcmp(name, "orders-mean") == 0) {
        DSGI_FORWARD(
            dsgi_parse_double(name, value, 0.0, (double)MAX_ORDERS_PER_DAY, &e->orders_mean, err));
        e->orders_mean_set = true;
        return DSG_OK;
    }
    if (strcmp(name, "orders-std") == 0) {
        DSGI_FORWARD(
            dsgi_parse_double(name, value, 0.0, (double)MAX_ORDERS_PER_DAY, &e->orders_std, err));
        e->orders_std_set = true;
        return DSG_OK;
    }
    if (strcmp(name, "orders-floor") == 0)
        return dsgi_parse_u64(name, value, 0, MAX_ORDERS_PER_DAY, &e->orders_floor, err);
    return dsgi_fail(err, DSG_EINVAL, "dataset ecommerce has no option --%s", name);
}

/* ---- prepare ---- */

static void poisson_init(poisson_table *pt, double mean)
{
    double p = dsgi_exp(-mean), cdf = 0.0;
    for (unsigned k = 0; k < MAX_ITEMS_PER_ORDER; k++) {
        cdf += p;
        pt->upper[k] = cdf >= 1.0 ? UINT64_MAX : (uint64_t)(cdf * 0x1p64);
        p = p * mean / (double)(k + 1);
    }
    pt->upper[MAX_ITEMS_PER_ORDER - 1] = UINT64_MAX;
    unsigned k = 0;
    for (uint64_t b = 0; b < (1u << POISSON_GUIDE_BITS); b++) {
        uint64_t bucket_start = b << (64 - POISSON_GUIDE_BITS);
        while (bucket_start > pt->upper[k])
            k++;
        pt->guide[b] = (uint8_t)k;
    }
}

static void keys_init(stream_keys *k, uint64_t seed)
{
    k->first_name = dsgi_stream_key(seed, "customers.name.first");
    k->last_name = dsgi_stream_key(seed, "customers.name.last");
    k->email_domain = dsgi_stream_key(seed, "customers.email.domain");
    k->signup_date = dsgi_stream_key(seed, "customers.signup_date");
    k->country = dsgi_stream_key(seed, "customers.country");
    k->is_vip = dsgi_stream_key(seed, "customers.is_vip");
    k->category = dsgi_stream_key(seed, "products.category");
    k->price = dsgi_stream_key(seed, "products.price");
    k->discount = dsgi_stream_key(seed, "products.discount");
    k->active = dsgi_stream_key(seed, "products.active");
    k->day_orders = dsgi_stream_key(seed, "orders.per_day");
    k->customer_id = dsgi_stream_key(seed, "orders.customer_id");
    k->hour_status = dsgi_stream_key(seed, "orders.hour_of_day.status");
    k->items_count = dsgi_stream_key(seed, "order_items.count");
    k->item = dsgi_stream_key(seed, "order_items.item");
}

/* Checks the options together and settles the defaults of the modes. */
static dsg_status validate(ecommerce *e, dsg_error *err)
{
    char start[16], end[16];
    format_date(start, e->start_day);
    format_date(end, e->end_day);
    DSGI_RETURN_IF(e->start_day > e->end_day, err, DSG_EINVAL, "--%s %s is after --%s %s",
                   e->start_option, start, e->end_option, end);
    int64_t n_days = (int64_t)e->end_day - e->start_day + 1;
    DSGI_RETURN_IF(n_days > MAX_DAYS, err, DSG_EINVAL,
                   "--%s %s to --%s %s spans %lld days; at most %d are supported", e->start_option,
                   start, e->end_option, end, (long long)n_days, MAX_DAYS);
    /* an option of another mode would be silently ignored: refused */
    DSGI_RETURN_IF(e->mode != MODE_RANGE && (e->orders_min_set || e->orders_max_set), err, DSG_EINVAL,
                   "--%s applies to --orders-mode range only", e->orders_min_set ? "orders-min" : "orders-max");
    DSGI_RETURN_IF(e->mode != MODE_NORMAL && (e->orders_mean_set || e->orders_std_set), err, DSG_EINVAL,
                   "--%s applies to --orders-mode normal only", e->orders_mean_set ? "orders-mean" : "orders-std");
    if (e->mode == MODE_RANGE) {
        if (!e->orders_min_set)
            e->orders_min = (uint64_t)llround(0.7 * (double)e->orders_per_day);
        if (!e->orders_max_set)
            e->orders_max = (uint64_t)llround(1.3 * (double)e->orders_per_day);
        DSGI_RETURN_IF(e->orders_min > e->orders_max, err, DSG_EINVAL,
                       "--orders-min %llu is above --orders-max %llu%s",
                       (unsigned long long)e->orders_min, (unsigned long long)e->orders_max,
                       e->orders_min_set && e->orders_max_set ? ""
                       : e->orders_max_set
                           ? " (the --orders-min default is 0.7 x --orders-per-day)"
                           : " (the --orders-max default is 1.3 x --orders-per-day)");
    } else if (e->mode == MODE_NORMAL) {
        if (!e->orders_mean_set)
            e->orders_mean = (double)e->orders_per_day;
        if (!e->orders_std_set)
            e->orders_std = DSGI_MAX(1.0, 0.1 * e->orders_mean);
    }
    return DSG_OK;
}

/* Groups the days with orders into partitions (invariant 7). */
static void plan_partitions(ecommerce *e)
{
    int64_t last_key = -1;
    e->n_parts = 0;
    for (size_t d = 0; d < e->n_days; d++) {
        if (e->day_orders_first[d + 1] == e->day_orders_first[d])
            continue;
        int64_t key = (int64_t)d;
        if (e->partitioning != PART_YMD) {
            int64_t y;
            unsigned m, day_of_month;
            dsgi_civil_from_days(e->start_day + (int64_t)d, &y, &m, &day_of_month);
            key = y * 12 + (int64_t)m;
        }
        if (e->n_parts > 0 && key == last_key) {
            e->parts[e->n_parts - 1].end_day = (uint32_t)(d + 1);
        } else {
            e->parts[e->n_parts++] = (day_span){(uint32_t)d, (uint32_t)(d + 1)};
            last_key = key;
        }
    }
}

/* One pass over all orders: items before each day and each block. */
static void plan_items(ecommerce *e)
{
    const uint64_t block_mask = ((uint64_t)1 << e->block_log2) - 1;
    uint64_t items = 0, order = 0;
    for (size_t d = 0; d < e->n_days; d++) {
        e->day_items_first[d] = items;
        for (uint64_t end = e->day_orders_first[d + 1]; order < end; order++) {
            if ((order & block_mask) == 0)
                e->block_items_first[order >> e->block_log2] = items;
            items += order_n_items(e, order);
        }
    }
    e->day_items_first[e->n_days] = items;
}

static dsg_status ec_prepare(void *state, dsg_error *err)
{
    ecommerce *e = state;
    plan_free(e);
    DSGI_FORWARD(validate(e, err));
    keys_init(&e->key, e->seed);
    e->customer_pop =
        popularity_make(e->n_customers, 2, dsgi_stream_key(e->seed, "popularity.customers"));
    e->product_pop =
        popularity_make(e->n_products, 3, dsgi_stream_key(e->seed, "popularity.products"));
    poisson_init(&e->poisson, e->items_mean);

    e->n_days = (size_t)(e->end_day - e->start_day + 1);
    e->day_orders_first = dsgi_calloc(e->n_days + 1, sizeof(uint64_t));
    e->day_items_first = dsgi_calloc(e->n_days + 1, sizeof(uint64_t));
    e->parts = dsgi_calloc(e->n_days, sizeof(day_span));
    if (e->day_orders_first == NULL || e->day_items_first == NULL || e->parts == NULL) {
        plan_free(e);
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (planning %zu days)", e->n_days);
    }
    uint64_t total_orders = 0;
    for (size_t d = 0; d < e->n_days; d++) {
        total_orders += day_order_count(e, e->start_day + (int32_t)d);
        e->day_orders_first[d + 1] = total_orders;
    }
    if (total_orders > MAX_TOTAL_ORDERS) {
        plan_free(e);
        return dsgi_fail(err, DSG_EINVAL,
                         "the options give %llu orders over %zu days; at most 10^12 are supported",
                         (unsigned long long)total_orders, e->n_days);
    }
    plan_partitions(e);

    e->block_log2 = BLOCK_LOG2_MIN;
    while ((total_orders >> e->block_log2) >= MAX_BLOCKS)
        e->block_log2++;
    e->n_blocks = (size_t)((total_orders + ((uint64_t)1 << e->block_log2) - 1) >> e->block_log2);
    e->block_items_first = dsgi_calloc(e->n_blocks, sizeof(uint64_t));
    bool product_table = e->n_products <= PRODUCT_TABLE_MAX;
    if (product_table) {
        e->product_id_of_rank = dsgi_calloc((size_t)e->n_products, sizeof(uint32_t));
        e->net_price_of_rank = dsgi_calloc((size_t)e->n_products, sizeof(double));
    }
    if (e->block_items_first == NULL ||
        (product_table && (e->product_id_of_rank == NULL || e->net_price_of_rank == NULL))) {
        plan_free(e);
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (planning %llu orders)",
                         (unsigned long long)total_orders);
    }
    for (uint64_t rank = 0; product_table && rank < e->n_products; rank++) {
        uint64_t id = id_of_rank(&e->product_pop, rank);
        e->product_id_of_rank[rank] = (uint32_t)id;
        e->net_price_of_rank[rank] = product_net_price(e, id);
    }
    if (!e->skip_items) /* one pass over every order: only for order_items */
        plan_items(e);
    return DSG_OK;
}

/* ---- plan queries ---- */

static uint64_t ec_rows(const void *state, size_t t)
{
    const ecommerce *e = state;
    switch (t) {
    case T_CUSTOMERS: return e->n_customers;
    case T_PRODUCTS: return e->n_products;
    case T_ORDERS: return e->day_orders_first[e->n_days];
    default: return e->day_items_first[e->n_days];
    }
}

static size_t ec_partitions(const void *state, size_t t)
{
    const ecommerce *e = state;
    return t == T_ORDERS || t == T_ITEMS ? e->n_parts : 1;
}

static dsg_status ec_partition(const void *state, size_t t, size_t p, char *path, size_t path_size,
                               uint64_t *first_row, uint64_t *rows, dsg_error *err)
{
    const ecommerce *e = state;
    char dir[64] = "";
    uint64_t first = 0, n = ec_rows(state, t);
    if (t == T_ORDERS || t == T_ITEMS) {
        assert(p < e->n_parts);
        const day_span *span = &e->parts[p];
        const uint64_t *prefix = t == T_ORDERS ? e->day_orders_first : e->day_items_first;
        first = prefix[span->first_day];
        n = prefix[span->end_day] - first;
        int64_t y;
        unsigned m, d;
        dsgi_civil_from_days(e->start_day + (int64_t)span->first_day, &y, &m, &d);
        if (e->partitioning == PART_YMD)
            snprintf(dir, sizeof dir, "year=%04lld/month=%02u/day=%02u", (long long)y, m, d);
        else if (e->partitioning == PART_YM)
            snprintf(dir, sizeof dir, "year=%04lld/month=%02u", (long long)y, m);
        else
            snprintf(dir, sizeof dir, "yearmonth=%04lld-%02u", (long long)y, m);
    }
    size_t len = strlen(dir);
    DSGI_RETURN_IF(len >= path_size, err, DSG_EINVAL, "partition path %s does not fit in %zu bytes",
                   dir, path_size);
    memcpy(path, dir, len + 1);
    *first_row = first;
    *rows = n;
    return DSG_OK;
}

/* ---- fill ---- */

/* Index of the last entry of the nondecreasing prefix[0..n) that is <= row. */
static size_t prefix_search(const uint64_t *prefix, size_t n, uint64_t row)
{
    size_t lo = 0, hi = n; /* prefix[lo] <= row; the answer is below hi */
    assert(n > 0 && prefix[0] <= row);
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (prefix[mid] <= row)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static dsg_status fill_customers(const ecommerce *e, uint64_t first_row, size_t n, dsgi_col *c,
                                 dsg_error *err)
{
    DSGI_FORWARD(dsgi_buf_reserve(&c[CU_NAME].data, n * NAME_BYTES_MAX, err));
    DSGI_FORWARD(dsgi_buf_reserve(&c[CU_EMAIL].data, n * EMAIL_BYTES_MAX, err));
    DSGI_FORWARD(dsgi_buf_reserve(&c[CU_COUNTRY].data, n * COUNTRY_BYTES, err));
    int64_t *ids = c[CU_ID].values;
    int32_t *signup = c[CU_SIGNUP].values;
    uint8_t *vip = c[CU_VIP].values;
    char *name = (char *)c[CU_NAME].data.data, *email = (char *)c[CU_EMAIL].data.data;
    char *country = (char *)c[CU_COUNTRY].data.data;
    size_t name_len = 0, email_len = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t id = first_row + i + 1;
        ids[i] = (int64_t)id;
        const name_part *fn =
            &first_names[dsgi_below(dsgi_rand(e->key.first_name, id), N_FIRST_NAMES)];
        const name_part *ln =
            &last_names[dsgi_below(dsgi_rand(e->key.last_name, id), N_LAST_NAMES)];

        char *p = put_text(name + name_len, fn->display);
        *p++ = ' ';
        p = put_text(p, ln->display);
        name_len = (size_t)(p - name);
        c[CU_NAME].offsets[i + 1] = (int32_t)name_len;

        p = put_text(email + email_len, fn->ascii);
        *p++ = '.';
        p = put_text(p, ln->ascii);
        p += put_decimal(p, id, 1);
        *p++ = '@';
        p = put_text(p, pick_weighted(email_domains, N_EMAIL_DOMAINS, EMAIL_DOMAINS_TOTAL,
                                      dsgi_rand(e->key.email_domain, id)));
        email_len = (size_t)(p - email);
        c[CU_EMAIL].offsets[i + 1] = (int32_t)email_len;

        /* Density grows toward --start: offset = floor(window * sqrt(u)). */
        double u = dsgi_unit(dsgi_rand(e->key.signup_date, id));
        signup[i] =
            e->start_day - SIGNUP_WINDOW_DAYS + (int32_t)scale_below(sqrt(u), SIGNUP_WINDOW_DAYS);

        const char *code =
            pick_weighted(countries, N_COUNTRIES, COUNTRIES_TOTAL, dsgi_rand(e->key.country, id));
        memcpy(country + COUNTRY_BYTES * i, code, COUNTRY_BYTES);
        c[CU_COUNTRY].offsets[i + 1] = (int32_t)(COUNTRY_BYTES * (i + 1));

        vip[i] = dsgi_below(dsgi_rand(e->key.is_vip, id), 100) < VIP_PERCENT;
    }
    c[CU_NAME].data.len = name_len;
    c[CU_EMAIL].data.len = email_len;
    c[CU_COUNTRY].data.len = COUNTRY_BYTES * n;
    return DSG_OK;
}

static dsg_status fill_products(const ecommerce *e, uint64_t first_row, size_t n, dsgi_col *c,
                                dsg_error *err)
{
    DSGI_FORWARD(dsgi_buf_reserve(&c[PR_SKU].data, n * SKU_BYTES_MAX, err));
    int64_t *ids = c[PR_ID].values;
    double *price = c[PR_PRICE].values, *discount = c[PR_DISCOUNT].values;
    uint8_t *active = c[PR_ACTIVE].values;
    char *sku = (char *)c[PR_SKU].data.data;
    size_t sku_len = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t id = first_row + i + 1;
        ids[i] = (int64_t)id;
        memcpy(sku + sku_len, "SKU-", 4);
        sku_len += 4 + put_decimal(sku + sku_len + 4, id, 8);
        c[PR_SKU].offsets[i + 1] = (int32_t)sku_len;
        const char *category = pick_weighted(categories, N_CATEGORIES, CATEGORIES_TOTAL,
                                             dsgi_rand(e->key.category, id));
        DSGI_FORWARD(dsgi_col_put_str(&c[PR_CATEGORY], i, category, strlen(category), err));
        price[i] = product_price(e, id);
        discount[i] = product_discount(e, id);
        active[i] = dsgi_below(dsgi_rand(e->key.active, id), 50) < ACTIVE_PER_50;
    }
    c[PR_SKU].data.len = sku_len;
    return DSG_OK;
}

static dsg_status fill_orders(const ecommerce *e, uint64_t first_row, size_t n, dsgi_col *c,
                              dsg_error *err)
{
    DSGI_FORWARD(
        dsgi_buf_reserve(&c[OR_STATUS].data, n * STATUS_BYTES_MAX + STATUS_COPY_BYTES, err));
    int64_t *ids = c[OR_ID].values, *customer = c[OR_CUSTOMER].values;
    int32_t *date = c[OR_DATE].values;
    int16_t *hour = c[OR_HOUR].values;
    double *amount = c[OR_AMOUNT].values;
    char *status = (char *)c[OR_STATUS].data.data;
    int32_t *status_end = c[OR_STATUS].offsets + 1;
    size_t status_len = 0;
    size_t day = prefix_search(e->day_orders_first, e->n_days, first_row);
    for (size_t i = 0; i < n; i++) {
        uint64_t order = first_row + i;
        while (order >= e->day_orders_first[day + 1])
            day++;
        ids[i] = (int64_t)order + 1;
        uint64_t customer_rank =
            popular_rank(&e->customer_pop, dsgi_rand(e->key.customer_id, order));
        customer[i] = (int64_t)id_of_rank(&e->customer_pop, customer_rank);
        date[i] = e->start_day + (int32_t)day;
        /* One draw: the hour from its high bits, the status from its low 32. */
        uint64_t r = dsgi_rand(e->key.hour_status, order);
        hour[i] = e->hour_of_permille[dsgi_below(r, 1000)];
        unsigned percent = (unsigned)(((r & 0xFFFFFFFFu) * 100) >> 32);
        unsigned s = (percent >= STATUS_COMPLETED_BELOW) + (percent >= STATUS_RETURNED_BELOW);
        memcpy(status + status_len, status_text[s], STATUS_COPY_BYTES);
        status_len += status_bytes[s];
        status_end[i] = (int32_t)status_len;
        amount[i] = order_amount(e, order);
    }
    c[OR_STATUS].data.len = status_len;
    return DSG_OK;
}

static dsg_status fill_items(const ecommerce *e, uint64_t first_row, size_t n, dsgi_col *c)
{
    if (n == 0)
        return DSG_OK;
    /* Find the order and item index of first_row: a block, then a scan. */
    size_t block = prefix_search(e->block_items_first, e->n_blocks, first_row);
    uint64_t order = (uint64_t)block << e->block_log2;
    uint64_t before = e->block_items_first[block];
    unsigned n_items = order_n_items(e, order);
    while (before + n_items <= first_row) {
        before += n_items;
        n_items = order_n_items(e, ++order);
    }
    unsigned k = (unsigned)(first_row - before);

    int64_t *ids = c[IT_ID].values, *order_id = c[IT_ORDER].values, *product = c[IT_PRODUCT].values;
    int16_t *qty = c[IT_QTY].values;
    int32_t *date = c[IT_DATE].values;
    size_t day = prefix_search(e->day_orders_first, e->n_days, order);
    for (size_t i = 0; i < n; i++) {
        if (k == n_items) {
            n_items = order_n_items(e, ++order);
            k = 0;
        }
        while (order >= e->day_orders_first[day + 1])
            day++;
        date[i] = e->start_day + (int32_t)day;
        order_item item = item_of(e, order, k);
        ids[i] = (int64_t)(first_row + i) + 1;
        order_id[i] = (int64_t)order + 1;
        product[i] = (int64_t)product_id_of_rank(e, item.product_rank);
        qty[i] = item.qty;
        k++;
    }
    return DSG_OK;
}

static dsg_status ec_fill(const void *state, size_t t, uint64_t first_row, size_t n_rows,
                          dsg_batch *b, dsg_error *err)
{
    const ecommerce *e = state;
    DSGI_FORWARD(dsgi_batch_begin(b, n_rows, err));
    switch (t) {
    case T_CUSTOMERS: return fill_customers(e, first_row, n_rows, b->cols, err);
    case T_PRODUCTS: return fill_products(e, first_row, n_rows, b->cols, err);
    case T_ORDERS: return fill_orders(e, first_row, n_rows, b->cols, err);
    default: return fill_items(e, first_row, n_rows, b->cols);
    }
}

static const char *const by_ym[] = {"year", "month"};
static const char *const by_yearmonth[] = {"yearmonth"};

static const char *const *ec_partition_by(const void *state, size_t t, size_t *n)
{
    const ecommerce *e = state;
    if (t != T_ORDERS && t != T_ITEMS) {
        *n = 0;
        return NULL;
    }
    switch (e->partitioning) {
    case PART_YM: *n = 2; return by_ym;
    case PART_YEARMONTH: *n = 1; return by_yearmonth;
    default: *n = 3; return by_ymd;
    }
}

/* orders and order_items: the partition levels derive from order_date */
static const dsg_partition_transform tr_ymd[] = {DSG_PART_YEAR, DSG_PART_MONTH, DSG_PART_DAY};
static const dsg_partition_transform tr_ym[] = {DSG_PART_YEAR, DSG_PART_MONTH};
static const dsg_partition_transform tr_yearmonth[] = {DSG_PART_YEARMONTH};

static const dsg_partition_transform *ec_partition_transforms(const void *state, size_t t, int *source)
{
    const ecommerce *e = state;
    if (t != T_ORDERS && t != T_ITEMS)
        return NULL;
    *source = t == T_ORDERS ? OR_DATE : IT_DATE;
    return e->partitioning == PART_YM ? tr_ym : e->partitioning == PART_YEARMONTH ? tr_yearmonth : tr_ymd;
}

static void ec_select(void *state, const unsigned char *wanted)
{
    ((ecommerce *)state)->skip_items = !wanted[T_ITEMS];
}

const dsgi_dataset_class dsgi_ecommerce_class = {
    .name = "ecommerce",
    .description = "customers, products, orders and their items, partitioned by order date",
    .options = options,
    .n_options = N_OPTIONS,
    .tables = tables,
    .n_tables = N_TABLES,
    .create = ec_create,
    .free = ec_free,
    .set = ec_set,
    .prepare = ec_prepare,
    .table_rows = ec_rows,
    .n_partitions = ec_partitions,
    .partition = ec_partition,
    .partition_by = ec_partition_by,
    .partition_transforms = ec_partition_transforms,
    .fill = ec_fill,
    .select = ec_select,
};
