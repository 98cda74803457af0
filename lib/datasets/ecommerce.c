/*
 * ecommerce.c - the ecommerce dataset: customers, products, orders and
 * order_items, with the columns and options of the reference system (plus
 * a few extra columns) and without its defects (see DESIGN.md, "The
 * ecommerce dataset"). docs/ecommerce-model.md describes the model, its
 * parameters and their sources.
 *
 * Invariants (tests/unit/test_ecommerce.c checks each of them):
 *
 *  1. Every value is a pure function of (options, table, row index), drawn
 *     from the counter-based generator of common/rng.h with the
 *     deterministic exp/log of common/dmath.h. fill() reads only the plan
 *     that prepare() computed and never writes it, so any row range can be
 *     filled by any thread, in any order, in pieces of any size, with the
 *     same bytes.
 *  2. History starts at --origin (default --start). Day d has count(d)
 *     orders, a pure function of (seed, date, origin) and the mode: fixed
 *     (--orders-per-day), range (uniform integer in [min, max]) or normal
 *     (normal(mean, std)); with --orders-seasonality on (the default) that
 *     base is multiplied by the calendar factor m(d) (weekday, season,
 *     holidays, trend since the origin; fixed mode also a 4% daily noise)
 *     and rounded; then at least --orders-floor.
 *  3. Orders are numbered from the origin: the global order index g counts
 *     the orders of all days from the origin, order_id = g + 1, and every
 *     draw of order g uses counter g. A run writes the orders of its days
 *     [start, end], sorted by (order_date, order_id).
 *  4. Order g has n(g) = max(1, Poisson(mean)) items; item k of order g is
 *     drawn from counter g * MAX_ITEMS_PER_ORDER + k; order_item_id = global
 *     item index + 1, items listed order after order.
 *  5. Money is computed in integer cents: unit_price = price * (1 -
 *     discount) rounded half up to the cent (discounts are whole percents),
 *     line_amount = qty * unit_price, amount = the sum of the order's
 *     line_amounts, exactly.
 *  6. Customers are numbered in signup order: ids 1..n-customers signed up
 *     in the SIGNUP_WINDOW_DAYS before the origin, later ids on the day
 *     their signup falls (signups(d) a pure function of (seed, date,
 *     origin)). An order of day d only goes to a customer signed up on or
 *     before d. Its customer is drawn with a heterogeneous purchase rate
 *     (rate bins through a keyed permutation of each block of ids), so
 *     every signed-up id can occur.
 *  7. A product sells only before its retired_on date; products.active is
 *     false and retired_on set when the product retired on or before --end.
 *  8. customers and products have one partition with the path "" (none
 *     when the run has no row of them: an increment, i.e. a run with
 *     --start after --origin, writes the customers who signed up in its
 *     days and no products). orders and order_items have one partition per
 *     day (ymd) or month (ym, yearmonth) that has orders; an order and its
 *     items have the same partition path. Partition values are not columns;
 *     the levels derive from order_date (year, month, day or yearmonth),
 *     which order_items also carry (their order's date).
 */
#include "dataset_impl.h"
#include "ecommerce_vocab.h"

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
 * product (16 bytes each, 32 MiB at most); above it, orders and items
 * compute them on the fly, more slowly. */
#define PRODUCT_TABLE_MAX ((uint64_t)1 << 21)
/* The items prefix is recorded every 2^block_log2 orders, with at most
 * MAX_BLOCKS records (16 MiB): fill(items) scans at most one block. */
#define BLOCK_LOG2_MIN 16
#define MAX_BLOCKS ((uint64_t)1 << 21)
#define POISSON_GUIDE_BITS 10

/* ---- model parameters (docs/ecommerce-model.md) ---- */

/* Customers of the base signed up during the days before the origin,
 * more of them recently: offset = floor(window * sqrt(u)). */
#define SIGNUP_WINDOW_DAYS 1095
/* New signups per day: n-customers * rate / 365.25 * m(d). */
#define SIGNUP_GROWTH_PER_YEAR 0.25
/* Orders grow by 8% a year since the origin: exp(TREND * years). */
#define TREND_LOG_PER_YEAR 0.076961041136128394 /* ln 1.08 */
#define DAILY_NOISE 0.04
/* Purchase rates: RATE_BINS bins of equal customer mass, Weibull rates of
 * shape RATE_SHAPE (most customers buy rarely, a few often). */
#define RATE_BINS 256
#define RATE_GUIDE_BITS 10
#define RATE_SHAPE 0.65
#define VIP_PERMILLE 50
#define CUSTOMER_BLOCK_LOG2_MAX 20
#define CUSTOMER_KEYS 64 /* permutation keys of the first blocks, tabulated */
/* Product popularity: density 1/(x + c) over the rank fraction x, with
 * c = POPULARITY_C / n-products. */
#define POPULARITY_C 30.0
#define POPULARITY_TABLE_BITS 12
/* Retirements: RETIRE_PERMILLE of products retire on a day uniform in
 * [origin - 365, origin + 730). */
#define RETIRE_PERMILLE 60
#define RETIRE_FROM_DAYS 365
#define RETIRE_SPAN_DAYS 1095
#define RETIRE_RETRIES 8
/* Status: cancelled 4%; returned 6.2% on average, times the order's
 * category factor, visible RETURN_DELAY_MIN..MAX days after the order. */
#define CANCEL_PERMILLE 40
#define RETURN_RATE 0.062
#define RETURN_DELAY_MIN 2
#define RETURN_DELAY_SPAN 29
/* Middle initials (NAME_INITIAL countries), in permille. */
#define INITIAL_PERMILLE 300
#define SECOND_SURNAME_PERMILLE 550 /* NAME_SOME_TWO */

/* Byte bounds of generated strings, for reserving batch buffers. */
#define DOMAIN_MAX 16
#define SKU_BYTES_MAX (4 + 20)
#define STATUS_BYTES_MAX 9
#define COUNTRY_BYTES 2
#define WORD_MAX 40

/* ---- tables ---- */

enum { T_CUSTOMERS, T_PRODUCTS, T_ORDERS, T_ITEMS, N_TABLES };
enum { CU_ID, CU_NAME, CU_EMAIL, CU_SIGNUP, CU_COUNTRY, CU_VIP, N_CU };
enum {
    PR_ID,
    PR_SKU,
    PR_CATEGORY,
    PR_PRICE,
    PR_DISCOUNT,
    PR_ACTIVE,
    PR_NAME,
    PR_BRAND,
    PR_RETIRED,
    N_PR
};
enum { OR_ID, OR_CUSTOMER, OR_DATE, OR_HOUR, OR_STATUS, OR_AMOUNT, OR_TS, N_OR };
enum { IT_ID, IT_ORDER, IT_PRODUCT, IT_QTY, IT_DATE, IT_UNIT_PRICE, IT_LINE_AMOUNT, N_IT };

#define ND DSG_FIELD_NO_DICT

static const dsg_field customer_fields[N_CU] = {
    [CU_ID] = {"customer_id", DSG_INT64, ND, 0, 0, NULL, 0},
    [CU_NAME] = {"name", DSG_STRING, ND, 0, 0, NULL, 0},
    [CU_EMAIL] = {"email", DSG_STRING, ND, 0, 0, NULL, 0},
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
    [PR_NAME] = {"name", DSG_STRING, 0, 0, 0, NULL, 0},
    [PR_BRAND] = {"brand", DSG_STRING, 0, 0, 0, NULL, 0},
    [PR_RETIRED] = {"retired_on", DSG_DATE, DSG_FIELD_NULLABLE, 0, 0, NULL, 0},
};
static const dsg_field order_fields[N_OR] = {
    [OR_ID] = {"order_id", DSG_INT64, ND, 0, 0, NULL, 0},
    [OR_CUSTOMER] = {"customer_id", DSG_INT64, ND, 0, 0, NULL, 0},
    [OR_DATE] = {"order_date", DSG_DATE, 0, 0, 0, NULL, 0},
    [OR_HOUR] = {"hour_of_day", DSG_INT16, 0, 0, 0, NULL, 0},
    [OR_STATUS] = {"status", DSG_STRING, 0, 0, 0, NULL, 0},
    [OR_AMOUNT] = {"amount", DSG_DOUBLE, 0, 0, 0, NULL, 0},
    [OR_TS] = {"order_ts", DSG_TIMESTAMP, ND, 0, 0, NULL, 0},
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
    [IT_UNIT_PRICE] = {"unit_price", DSG_DOUBLE, 0, 0, 0, NULL, 0},
    [IT_LINE_AMOUNT] = {"line_amount", DSG_DOUBLE, 0, 0, 0, NULL, 0},
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
    {"n-customers", "1000000",
     "customers signed up before --origin (1 to 10^10); more sign up during the order days"},
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
    {"orders-seasonality", "on",
     "on: the mode's counts vary with the weekday, the season, holidays and a growth trend "
     "(fixed mode keeps --orders-per-day as its yearly mean at the origin); off: exactly the "
     "mode's counts"},
    {"origin", "start",
     "first day of the dataset's history, YYYY-MM-DD, at or before --start: ids, signups and "
     "trend count from it, so a run from a later --start (same seed and origin) is the "
     "increment of one longer run: its orders, items and new customers, no products"},
};
#define N_OPTIONS (sizeof options / sizeof options[0])

/* ---- vocabularies ---- */

/* Reserved example domains only (RFC 2606), never a real provider. */
typedef struct weighted {
    const char *value;
    unsigned weight;
} weighted;
static const weighted email_domains[] = {
    {"example.com", 45},  {"example.net", 20}, {"example.org", 15},
    {"mail.example", 12}, {"shop.example", 8},
};
#define N_EMAIL_DOMAINS (sizeof email_domains / sizeof email_domains[0])
#define EMAIL_DOMAINS_TOTAL 100

/* Orders per local hour of the day in permille: few at night, a peak in
 * the evening. */
static const unsigned hour_permille[24] = {
    15, 8, 5, 4, 4, 6, 12, 22, 34, 44, 50, 54, 64, 56, 52, 50, 52, 56, 64, 78, 86, 84, 62, 38,
};
/* Monday..Sunday, mean 1. */
static const double weekday_factor[7] = {1.09, 1.08, 1.05, 1.02, 0.97, 0.84, 0.95};
/* Mid-month levels, January..December, before the yearly normalization. */
static const double month_level[12] = {0.92, 0.88, 0.96, 0.94, 0.97, 0.96,
                                       1.00, 0.98, 0.94, 0.99, 1.15, 1.25};
/* Discounts in whole percent, by percent of products. */
static const struct {
    uint8_t percent, share;
} discount_steps[] = {{0, 62}, {5, 8},  {10, 11}, {15, 5}, {20, 7},
                      {25, 3}, {30, 2}, {40, 1},  {50, 1}};
#define N_DISCOUNT_STEPS (sizeof discount_steps / sizeof discount_steps[0])
static const char middle_initials[] = "AAAJJJMMMLLEERRDDSSCCKKTTBBPGNWHFIV";
#define STATUS_COPY_BYTES 16
static const char status_text[3][STATUS_COPY_BYTES] = {"completed", "returned", "cancelled"};
static const uint8_t status_bytes[3] = {9, 8, 9};

/* ---- state ---- */

typedef enum partitioning { PART_YMD, PART_YM, PART_YEARMONTH } partitioning;
typedef enum orders_mode { MODE_FIXED, MODE_RANGE, MODE_NORMAL } orders_mode;

/* Inverse CDF of max(1, Poisson(mean)) over 64-bit draws: a draw r gives
 * the least k with r <= upper[k]; guide[b] is that k for the smallest r of
 * bucket b (the top POISSON_GUIDE_BITS bits of r), a starting point. */
typedef struct poisson_table {
    uint64_t upper[MAX_ITEMS_PER_ORDER];
    uint8_t guide[1u << POISSON_GUIDE_BITS];
} poisson_table;

typedef struct stream_keys {
    uint64_t gender, given, surname, surname2, initial, email_domain, signup_date, country;
    uint64_t is_vip, customer_perm, signups;
    uint64_t category, price, price_ending, discount, retire, brand, adjective, noun;
    uint64_t product_perm;
    uint64_t day_orders, day_noise, customer_id, order_time, status;
    uint64_t items_count, item;
} stream_keys;

/* A partition of orders and order_items: the days [first_day, end_day). */
typedef struct day_span {
    uint32_t first_day, end_day;
} day_span;

/* A word list parsed from a vocabulary string: words[i] (UTF-8, '_' made a
 * space), ascii[i] (lowercase letters, for e-mails), and cumulative Zipf
 * weights 1 / (i + 3) in 32-bit fixed point for picking. */
typedef struct word_list {
    unsigned n;
    const char **words, **ascii;
    uint32_t *cum;
} word_list;

typedef struct country_model {
    word_list given[2], surnames;
    int16_t zone_offset[100]; /* minutes, by percent of customers */
} country_model;

typedef struct category_model {
    word_list brands, adjectives, nouns;
} category_model;

/* What orders and items need of a category, packed (hot loops). */
typedef struct category_sale {
    uint8_t qty_from[4]; /* qty = 1 + #(percent >= qty_from[i]) */
    uint32_t return_q16; /* return factor, mean 1 over products, * 2^16 */
} category_sale;

/* A product as orders and items see it. */
typedef struct product_sale {
    uint64_t id;         /* 1-based */
    uint32_t unit_cents; /* price * (1 - discount), in cents */
    int32_t retired;     /* first day it no longer sells; INT32_MAX: never */
    uint8_t category;
} product_sale;

/* The same packed in 8 bytes for the table by rank (cache-friendly): id
 * (21 bits), category (4), unit cents (20: prices are below $9,000), and
 * the retirement day as an offset from origin - RETIRE_FROM_DAYS (11 bits,
 * PACKED_NEVER: never); the id is stored minus 1. */
#define PACKED_NEVER 2047u
static inline uint64_t sale_pack(product_sale s, int32_t origin)
{
    uint64_t retired =
        s.retired == INT32_MAX ? PACKED_NEVER : (uint64_t)(s.retired - (origin - RETIRE_FROM_DAYS));
    return (s.id - 1) | (uint64_t)s.category << 21 | (uint64_t)s.unit_cents << 25 | retired << 45;
}

typedef struct ecommerce {
    /* options */
    uint64_t seed, n_customers, n_products, orders_per_day;
    double items_mean;
    int32_t start_day, end_day, origin_day;
    bool origin_set, seasonality;
    const char *start_option, *end_option; /* the spelling given, for messages */
    partitioning partitioning;
    orders_mode mode;
    uint64_t orders_min, orders_max, orders_floor;
    bool orders_min_set, orders_max_set;
    double orders_mean, orders_std;
    bool orders_mean_set, orders_std_set;

    /* vocabularies, by create */
    char *vocab_pool;
    country_model countries[32];
    category_model categories[16];
    category_sale category_sales[16];
    uint8_t country_of[4096]; /* by dsgi_below(draw, country_total) */
    unsigned country_total;
    uint8_t category_of[100];
    uint8_t discount_of[100];
    uint8_t hour_of_permille[1000];
    size_t name_bytes_max, email_bytes_max, product_name_max, brand_max;

    /* plan: written by prepare, read-only afterwards */
    stream_keys key;
    poisson_table poisson;
    size_t n_days;          /* of the run: start..end */
    size_t n_history;       /* origin..end */
    uint64_t *signed_up;    /* n_history + 1: customers signed up before day origin + i */
    uint64_t *day_orders_first; /* n_days + 1: global order index of day d's first order */
    uint64_t *day_items_first;  /* n_days + 1: global item index of day d's first item */
    uint64_t order_base, item_base; /* day_*_first[0] */
    uint64_t customer_first;    /* the run's first customer id */
    unsigned block_log2;
    uint64_t *block_items_first; /* global items before order order_base + (b << block_log2) */
    size_t n_blocks;
    day_span *parts;
    size_t n_parts;
    char file_suffix[24]; /* "-YYYY-MM-DD" of an increment's start */
    bool orders_suffix;   /* an increment that starts inside a partition */
    /* customers' purchase rates */
    unsigned cust_log2; /* customer blocks of 2^cust_log2 ids */
    uint32_t rate_cum[RATE_BINS];
    uint16_t rate_guide[1u << RATE_GUIDE_BITS];
    uint32_t vip_below[RATE_BINS]; /* is_vip when the draw's top 32 bits are below */
    uint64_t customer_keys[CUSTOMER_KEYS]; /* the permutation key of each early block */
    /* products */
    unsigned prod_log2;
    double popularity[(1u << POPULARITY_TABLE_BITS) + 1];
    uint64_t *sale_of_rank; /* sale_pack() by rank when n_products <= PRODUCT_TABLE_MAX, else NULL */
    uint64_t immortal_id;       /* the most popular product never retires */
    product_sale fallback;      /* that product */
    uint64_t return_base32;     /* RETURN_RATE * 2^32 */
    bool skip_items; /* order_items will not be written: not planned */
} ecommerce;

/* ---- small helpers ---- */

#if defined(__GNUC__)
#define EC_ALWAYS_INLINE __attribute__((always_inline))
#else
#define EC_ALWAYS_INLINE
#endif

/* floor(x * n) for x in [0, 1) and n < 2^53, kept below n despite
 * rounding. (Signed conversions: they are single instructions.) */
static inline uint64_t scale_below(double x, uint64_t n)
{
    uint64_t v = (uint64_t)(int64_t)(x * (double)(int64_t)n);
    return v < n ? v : n - 1;
}

/* A keyed bijection of [0, 2^bits): rounds of xor, odd multiply and
 * xorshift, all invertible modulo 2^bits. */
#define PERM_M1 0x9E3779B97F4A7C15ull
#define PERM_M2 0xD6E8FEB86659FD93ull
static inline uint64_t perm_fwd(uint64_t x, uint64_t key, unsigned bits)
{
    uint64_t mask = bits >= 64 ? ~0ull : ((uint64_t)1 << bits) - 1;
    unsigned s = bits / 2 + 1;
    x = (x ^ key) & mask;
    x = (x * ((key >> 32) | 1)) & mask;
    x ^= x >> s;
    x = (x * PERM_M1) & mask;
    x ^= x >> s;
    x = (x * PERM_M2) & mask;
    x ^= x >> s;
    return x;
}

static inline uint64_t odd_inverse(uint64_t a)
{
    uint64_t inv = a; /* Newton: each step doubles the correct low bits */
    for (int i = 0; i < 5; i++)
        inv *= 2 - a * inv;
    return inv;
}

static inline uint64_t unxorshift(uint64_t y, unsigned s, unsigned bits)
{
    uint64_t x = y;
    for (unsigned done = s; done < bits; done += s)
        x = y ^ (x >> s);
    return x;
}

static uint64_t perm_inv(uint64_t y, uint64_t key, unsigned bits)
{
    uint64_t mask = bits >= 64 ? ~0ull : ((uint64_t)1 << bits) - 1;
    unsigned s = bits / 2 + 1;
    y = unxorshift(y, s, bits) & mask;
    y = (y * odd_inverse(PERM_M2)) & mask;
    y = unxorshift(y, s, bits) & mask;
    y = (y * odd_inverse(PERM_M1)) & mask;
    y = unxorshift(y, s, bits) & mask;
    y = (y * odd_inverse((key >> 32) | 1)) & mask;
    return (y ^ key) & mask;
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

/* Index into a word list by its Zipf weights. */
static inline unsigned pick_word(const word_list *w, uint64_t r)
{
    uint32_t x = (uint32_t)(r >> 32);
    unsigned lo = 0, hi = w->n - 1; /* the least i with x < cum[i]; cum[n-1] = 2^32 - 1 */
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (x < w->cum[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
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

/* 0 = Monday; 1970-01-01 was a Thursday. */
static inline unsigned weekday_of(int32_t day) { return (unsigned)(((int64_t)day % 7 + 10) % 7); }

/* ---- the calendar factor m(d) (invariant 2) ---- */

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : n[m - 1];
}

/* Holidays: Thanksgiving week-end to Cyber Monday, Christmas, New Year. */
static double holiday_factor(int32_t day, int64_t y, unsigned m, unsigned d)
{
    if (m == 11 || (m == 12 && d <= 3)) {
        int32_t nov1 = dsgi_days_from_civil(y, 11, 1);
        int32_t thanksgiving = nov1 + (int32_t)((3 + 7 - weekday_of(nov1)) % 7) + 21;
        /* Thu..Tue, against an ordinary November day (Adobe, US 2023: $5.6B,
         * $9.8B, $10.3B for the week-end, $12.4B, with $4.05B a day Nov 1-27) */
        static const double around[6] = {1.4, 2.4, 1.3, 1.3, 3.0, 1.2};
        int32_t k = day - thanksgiving;
        if (k >= 0 && k < 6)
            return around[k];
        return 1.0;
    }
    if (m == 12) {
        if (d >= 18 && d <= 23)
            return 0.9;
        if (d == 24)
            return 0.6;
        if (d == 25)
            return 0.5;
        if (d == 26)
            return 1.1;
        return d > 26 ? 0.9 : 1.0;
    }
    if (m == 1 && d == 1)
        return 0.6;
    return 1.0;
}

/* Weekday x season x holiday, before normalization. */
static double calendar_shape(int32_t day)
{
    int64_t y;
    unsigned m, d;
    dsgi_civil_from_days(day, &y, &m, &d);
    double t = ((double)d - 0.5) / (double)days_in_month(y, m) - 0.5; /* (-0.5, 0.5) */
    double here = month_level[m - 1];
    double there = t >= 0 ? month_level[m % 12] : month_level[(m + 10) % 12];
    double season = here + (t >= 0 ? there - here : here - there) * t;
    return weekday_factor[weekday_of(day)] * season * holiday_factor(day, y, m, d);
}

/* The mean shape over calendar year y: m(d) is shape / mean, so that a
 * full year averages 1 before the trend. */
static double year_mean_shape(int64_t y)
{
    int32_t first = dsgi_days_from_civil(y, 1, 1), end = dsgi_days_from_civil(y + 1, 1, 1);
    double sum = 0;
    for (int32_t day = first; day < end; day++)
        sum += calendar_shape(day);
    return sum / (double)(end - first);
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

typedef struct product_values {
    uint8_t category, discount_percent;
    uint32_t price_cents, unit_cents;
    int32_t retired;
} product_values;

/* A retail price from a continuous draw p (US$): .99/.49/.29 endings
 * below $10, .99/.95/.49 below $100, x4.99/x9.99 below $1000, then
 * x49.99/x99.99. */
static uint32_t retail_cents(double p, uint64_t r)
{
    unsigned percent = (unsigned)dsgi_below(r, 100);
    if (p < 10.0) {
        uint32_t d = (uint32_t)p;
        return d * 100 + (percent < 60 ? 99 : percent < 85 ? 49 : 29);
    }
    if (p < 100.0) {
        uint32_t d = (uint32_t)p;
        return d * 100 + (percent < 70 ? 99 : percent < 85 ? 95 : 49);
    }
    if (p < 1000.0)
        return (uint32_t)(p / 5.0) * 500 - 1;
    return (uint32_t)(p / 50.0) * 5000 - 1;
}

static product_values product_of(const ecommerce *e, uint64_t id)
{
    product_values v;
    v.category = e->category_of[dsgi_below(dsgi_rand(e->key.category, id), 100)];
    const ec_category *c = &ec_categories[v.category];
    double z = dsgi_normal(dsgi_rand(e->key.price, 2 * id), dsgi_rand(e->key.price, 2 * id + 1));
    double p = c->price_median * dsgi_exp(c->price_sigma * z);
    p = p < 0.5 ? 0.5 : p > 9000.0 ? 9000.0 : p;
    v.price_cents = retail_cents(p, dsgi_rand(e->key.price_ending, id));
    v.discount_percent = e->discount_of[dsgi_below(dsgi_rand(e->key.discount, id), 100)];
    v.unit_cents =
        (uint32_t)(((uint64_t)v.price_cents * (100u - v.discount_percent) + 50) / 100);
    uint64_t r = dsgi_rand(e->key.retire, id);
    v.retired = INT32_MAX;
    if (dsgi_below(r, 1000) < RETIRE_PERMILLE && id != e->immortal_id)
        v.retired = e->origin_day - RETIRE_FROM_DAYS +
                    (int32_t)dsgi_below(dsgi_mix64(r), RETIRE_SPAN_DAYS);
    return v;
}

/* Product id of a popularity rank: a keyed bijection of [0, n), by cycle
 * walking over the enclosing power of two. */
static inline uint64_t product_id_of_rank(const ecommerce *e, uint64_t rank)
{
    uint64_t x = rank;
    do
        x = perm_fwd(x, e->key.product_perm, e->prod_log2);
    while (x >= e->n_products);
    return x + 1;
}

static product_sale sale_of_id(const ecommerce *e, uint64_t id)
{
    product_values v = product_of(e, id);
    product_sale s = {id, v.unit_cents, v.retired, v.category};
    return s;
}

static inline uint64_t product_rank(const ecommerce *e, uint64_t r)
{
    unsigned i = (unsigned)(r >> (64 - POPULARITY_TABLE_BITS));
    double frac = (double)((r >> 32) & 0xFFFFF) * 0x1.0p-20;
    double x = e->popularity[i] + (e->popularity[i + 1] - e->popularity[i]) * frac;
    return scale_below(x, e->n_products);
}

static inline product_sale sale_of_rank(const ecommerce *e, uint64_t rank)
{
    if (DSGI_LIKELY(e->sale_of_rank != NULL)) {
        uint64_t v = e->sale_of_rank[rank];
        unsigned retired = (unsigned)(v >> 45);
        product_sale s = {(v & 0x1FFFFF) + 1, (uint32_t)(v >> 25) & 0xFFFFF,
                          retired == PACKED_NEVER
                              ? INT32_MAX
                              : e->origin_day - RETIRE_FROM_DAYS + (int32_t)retired,
                          (uint8_t)((v >> 21) & 15)};
        return s;
    }
    return sale_of_id(e, product_id_of_rank(e, rank));
}

typedef struct order_item {
    product_sale p;
    int16_t qty;
} order_item;

/* Item k of order g on day 'day' (invariant 4): the product from the top
 * bits of one draw, the quantity (by category) from its low 32 bits; a
 * product retired by that day is drawn again (then a fallback). */
static inline EC_ALWAYS_INLINE order_item item_of(const ecommerce *e, uint64_t order,
                                                                unsigned k, int32_t day)
{
    uint64_t r = dsgi_rand(e->key.item, order * MAX_ITEMS_PER_ORDER + k);
    order_item item;
    item.p = sale_of_rank(e, product_rank(e, r));
    for (int t = 0; DSGI_UNLIKELY(item.p.retired <= day); t++) {
        if (t == RETIRE_RETRIES) {
            item.p = e->fallback;
            break;
        }
        r = dsgi_mix64(r ^ DSGI_GOLDEN);
        item.p = sale_of_rank(e, product_rank(e, r));
    }
    unsigned percent = (unsigned)(((r & 0xFFFFFFFFu) * 100) >> 32);
    const uint8_t *from = e->category_sales[item.p.category].qty_from;
    item.qty = (int16_t)(1 + (percent >= from[0]) + (percent >= from[1]) + (percent >= from[2]) +
                         (percent >= from[3]));
    return item;
}

/* The customer of order g, among the 'eligible' first ids (invariant 6):
 * a block of 2^cust_log2 ids uniformly, a rate bin by its weight, a slot
 * in the bin, the slot's id through the block's permutation; an id not yet
 * signed up is drawn again. */
static inline uint64_t customer_of(const ecommerce *e, uint64_t order, uint64_t eligible)
{
    uint64_t n_blocks = ((eligible - 1) >> e->cust_log2) + 1;
    uint64_t r = dsgi_rand(e->key.customer_id, order);
    for (int t = 0; t < 64; t++) {
        uint64_t block = dsgi_below(r, n_blocks);
        uint64_t r2 = dsgi_mix64(r ^ PERM_M2);
        uint32_t top = (uint32_t)(r2 >> 32);
        unsigned bin = e->rate_guide[r2 >> (64 - RATE_GUIDE_BITS)];
        while (top > e->rate_cum[bin])
            bin++;
        uint64_t x32 = ((uint64_t)bin << 24) | (r2 & 0xFFFFFF);
        uint64_t slot = (x32 << e->cust_log2) >> 32;
        uint64_t key = block < CUSTOMER_KEYS ? e->customer_keys[block]
                                             : dsgi_rand(e->key.customer_perm, block);
        uint64_t id = (block << e->cust_log2) + perm_fwd(slot, key, e->cust_log2) + 1;
        if (id <= eligible)
            return id;
        r = dsgi_mix64(r + DSGI_GOLDEN);
    }
    return 1 + dsgi_below(r, eligible);
}

/* The rate bin of customer id (the inverse of customer_of's mapping). */
static unsigned customer_bin(const ecommerce *e, uint64_t id)
{
    uint64_t block = (id - 1) >> e->cust_log2;
    uint64_t local = (id - 1) & ((((uint64_t)1) << e->cust_log2) - 1);
    uint64_t slot = perm_inv(local, dsgi_rand(e->key.customer_perm, block), e->cust_log2);
    return (unsigned)((slot << 8) >> e->cust_log2);
}

static inline unsigned country_index(const ecommerce *e, uint64_t r)
{
    return e->country_of[dsgi_below(r, e->country_total)];
}

/* ---- create, free, set ---- */

static void plan_free(ecommerce *e)
{
    dsgi_free(e->signed_up);
    dsgi_free(e->day_orders_first);
    dsgi_free(e->day_items_first);
    dsgi_free(e->block_items_first);
    dsgi_free(e->parts);
    dsgi_free(e->sale_of_rank);
    e->signed_up = e->day_orders_first = e->day_items_first = e->block_items_first = NULL;
    e->parts = NULL;
    e->sale_of_rank = NULL;
}

/* Counts the words of a vocabulary string. */
static unsigned count_words(const char *s)
{
    unsigned n = 0;
    for (const char *p = s; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        n++;
        while (*p && *p != ' ')
            p++;
    }
    return n;
}

/* Bytes a word list needs in the pool: the words, their ASCII folds,
 * pointers and weights. */
static size_t list_bytes(const char *s)
{
    unsigned n = count_words(s);
    return 2 * (strlen(s) + 1) + n * (2 * sizeof(char *) + sizeof(uint32_t)) + 16;
}

/* Parses a vocabulary string into w, carving memory from *pool. */
static void parse_list(const char *s, word_list *w, char **pool, size_t *max_len)
{
    unsigned n = count_words(s);
    char *at = *pool;
    at += (size_t)(-(uintptr_t)at & 7u);
    w->n = n;
    w->words = (const char **)(void *)at;
    at += n * sizeof(char *);
    w->ascii = (const char **)(void *)at;
    at += n * sizeof(char *);
    w->cum = (uint32_t *)(void *)at;
    at += n * sizeof(uint32_t);
    double total = 0;
    for (unsigned i = 0; i < n; i++)
        total += 1.0 / (double)(i + 3);
    double sum = 0;
    unsigned i = 0;
    for (const char *p = s; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *word = p;
        while (*p && *p != ' ')
            p++;
        size_t len = (size_t)(p - word);
        char *dst = at;
        for (size_t k = 0; k < len; k++)
            dst[k] = word[k] == '_' ? ' ' : word[k];
        dst[len] = '\0';
        at += len + 1;
        w->words[i] = dst;
        w->ascii[i] = at;
        unsigned alen = ec_ascii_fold(dst, at, (unsigned)len);
        at += alen + 1;
        if (max_len != NULL && len > *max_len)
            *max_len = len;
        sum += 1.0 / (double)(i + 3);
        w->cum[i] = i + 1 == n ? UINT32_MAX : (uint32_t)(sum / total * 4294967295.0);
        i++;
    }
    *pool = at;
}

static dsg_status ec_create(void **state, dsg_error *err)
{
    ecommerce *e = dsgi_calloc(1, sizeof *e);
    DSGI_RETURN_IF(e == NULL, err, DSG_ENOMEM, "out of memory (creating dataset ecommerce)");
    assert(ec_n_countries <= 32 && ec_n_categories <= 16);
    size_t pool_size = 64;
    for (unsigned c = 0; c < ec_n_countries; c++)
        pool_size += list_bytes(ec_countries[c].female) + list_bytes(ec_countries[c].male) +
                     list_bytes(ec_countries[c].surnames);
    for (unsigned c = 0; c < ec_n_categories; c++)
        pool_size += list_bytes(ec_categories[c].brands) +
                     list_bytes(ec_categories[c].adjectives) + list_bytes(ec_categories[c].nouns);
    e->vocab_pool = dsgi_malloc(pool_size);
    if (e->vocab_pool == NULL) {
        dsgi_free(e);
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (creating dataset ecommerce)");
    }
    char *pool = e->vocab_pool;
    size_t given_max = 0, surname_max = 0, brand_max = 0, adjective_max = 0, noun_max = 0;
    unsigned at = 0;
    for (unsigned c = 0; c < ec_n_countries; c++) {
        const ec_country *src = &ec_countries[c];
        country_model *cm = &e->countries[c];
        parse_list(src->female, &cm->given[0], &pool, &given_max);
        parse_list(src->male, &cm->given[1], &pool, &given_max);
        parse_list(src->surnames, &cm->surnames, &pool, &surname_max);
        unsigned z = 0;
        for (unsigned k = 0; k < EC_MAX_ZONES && src->zones[k].percent; k++)
            for (unsigned i = 0; i < src->zones[k].percent; i++)
                cm->zone_offset[z++] = src->zones[k].utc_offset_min;
        assert(z == 100);
        for (unsigned i = 0; i < src->weight; i++) {
            assert(at < sizeof e->country_of);
            e->country_of[at++] = (uint8_t)c;
        }
    }
    e->country_total = at;
    double return_mean = 0;
    at = 0;
    for (unsigned c = 0; c < ec_n_categories; c++) {
        const ec_category *src = &ec_categories[c];
        category_model *cm = &e->categories[c];
        parse_list(src->brands, &cm->brands, &pool, &brand_max);
        parse_list(src->adjectives, &cm->adjectives, &pool, &adjective_max);
        parse_list(src->nouns, &cm->nouns, &pool, &noun_max);
        unsigned from = 0;
        for (unsigned q = 0; q < 4; q++) {
            from += src->qty_percent[q];
            e->category_sales[c].qty_from[q] = (uint8_t)from;
        }
        assert(from + src->qty_percent[4] == 100);
        for (unsigned i = 0; i < src->product_share; i++)
            e->category_of[at++] = (uint8_t)c;
        return_mean += src->product_share / 100.0 * src->return_factor;
    }
    assert(at == 100 && (size_t)(pool - e->vocab_pool) <= pool_size);
    for (unsigned c = 0; c < ec_n_categories; c++)
        e->category_sales[c].return_q16 =
            (uint32_t)(ec_categories[c].return_factor / return_mean * 65536.0 + 0.5);
    at = 0;
    for (size_t k = 0; k < N_DISCOUNT_STEPS; k++)
        for (unsigned i = 0; i < discount_steps[k].share; i++)
            e->discount_of[at++] = discount_steps[k].percent;
    assert(at == 100);
    at = 0;
    for (unsigned h = 0; h < 24; h++)
        for (unsigned i = 0; i < hour_permille[h]; i++)
            e->hour_of_permille[at++] = (uint8_t)h;
    assert(at == sizeof e->hour_of_permille);
    /* "Given X. Surname Surname", "given.surnamesurname<id>@domain" */
    e->name_bytes_max = given_max + 3 + 2 * surname_max + 2;
    e->email_bytes_max = 2 * (given_max + 2 * surname_max) + 1 + 20 + 1 + DOMAIN_MAX;
    e->product_name_max = brand_max + adjective_max + noun_max + 2;
    e->brand_max = brand_max;
    for (size_t i = 0; i < N_EMAIL_DOMAINS; i++)
        assert(strlen(email_domains[i].value) <= DOMAIN_MAX);

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
    e->seasonality = true;
    *state = e;
    return DSG_OK;
}

static void ec_free(void *state)
{
    ecommerce *e = state;
    if (e == NULL)
        return;
    plan_free(e);
    dsgi_free(e->vocab_pool);
    dsgi_free(e);
}

static dsg_status parse_choice(const char *option, const char *value, const char *const *choices,
                               int n, int *out, dsg_error *err)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(value, choices[i]) == 0) {
            *out = i;
            return DSG_OK;
        }
    }
    if (n == 2)
        return dsgi_fail(err, DSG_EINVAL, "--%s must be %s or %s, not '%s'", option, choices[0],
                         choices[1], value);
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
    if (strcmp(name, "origin") == 0) {
        DSGI_FORWARD(dsgi_parse_date(name, value, &e->origin_day, err));
        e->origin_set = true;
        return DSG_OK;
    }
    if (strcmp(name, "orders-partitioning") == 0) {
        static const char *const choices[] = {"ymd", "ym", "yearmonth"};
        int choice = 0;
        DSGI_FORWARD(parse_choice(name, value, choices, 3, &choice, err));
        e->partitioning = (partitioning)choice;
        return DSG_OK;
    }
    if (strcmp(name, "orders-mode") == 0) {
        static const char *const choices[] = {"fixed", "range", "normal"};
        int choice = 0;
        DSGI_FORWARD(parse_choice(name, value, choices, 3, &choice, err));
        e->mode = (orders_mode)choice;
        return DSG_OK;
    }
    if (strcmp(name, "orders-seasonality") == 0) {
        static const char *const choices[] = {"off", "on"};
        int choice = 0;
        DSGI_FORWARD(parse_choice(name, value, choices, 2, &choice, err));
        e->seasonality = choice == 1;
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
    k->gender = dsgi_stream_key(seed, "customers.gender");
    k->given = dsgi_stream_key(seed, "customers.name.given");
    k->surname = dsgi_stream_key(seed, "customers.name.surname");
    k->surname2 = dsgi_stream_key(seed, "customers.name.surname2");
    k->initial = dsgi_stream_key(seed, "customers.name.initial");
    k->email_domain = dsgi_stream_key(seed, "customers.email.domain");
    k->signup_date = dsgi_stream_key(seed, "customers.signup_date");
    k->country = dsgi_stream_key(seed, "customers.country");
    k->is_vip = dsgi_stream_key(seed, "customers.is_vip");
    k->customer_perm = dsgi_stream_key(seed, "customers.rate_permutation");
    k->signups = dsgi_stream_key(seed, "customers.signups_per_day");
    k->category = dsgi_stream_key(seed, "products.category");
    k->price = dsgi_stream_key(seed, "products.price");
    k->price_ending = dsgi_stream_key(seed, "products.price.ending");
    k->discount = dsgi_stream_key(seed, "products.discount");
    k->retire = dsgi_stream_key(seed, "products.retired_on");
    k->brand = dsgi_stream_key(seed, "products.brand");
    k->adjective = dsgi_stream_key(seed, "products.name.adjective");
    k->noun = dsgi_stream_key(seed, "products.name.noun");
    k->product_perm = dsgi_stream_key(seed, "products.popularity_permutation");
    k->day_orders = dsgi_stream_key(seed, "orders.per_day");
    k->day_noise = dsgi_stream_key(seed, "orders.per_day.noise");
    k->customer_id = dsgi_stream_key(seed, "orders.customer_id");
    k->order_time = dsgi_stream_key(seed, "orders.time");
    k->status = dsgi_stream_key(seed, "orders.status");
    k->items_count = dsgi_stream_key(seed, "order_items.count");
    k->item = dsgi_stream_key(seed, "order_items.item");
}

/* Checks the options together and settles the defaults of the modes. */
static dsg_status validate(ecommerce *e, dsg_error *err)
{
    char start[16], end[16], origin[16];
    format_date(start, e->start_day);
    format_date(end, e->end_day);
    if (!e->origin_set)
        e->origin_day = e->start_day;
    format_date(origin, e->origin_day);
    DSGI_RETURN_IF(e->start_day > e->end_day, err, DSG_EINVAL, "--%s %s is after --%s %s",
                   e->start_option, start, e->end_option, end);
    DSGI_RETURN_IF(e->origin_day > e->start_day, err, DSG_EINVAL,
                   "--origin %s is after --%s %s: the origin is the first day of the history",
                   origin, e->start_option, start);
    int64_t n_days = (int64_t)e->end_day - e->start_day + 1;
    DSGI_RETURN_IF(n_days > MAX_DAYS, err, DSG_EINVAL,
                   "--%s %s to --%s %s spans %lld days; at most %d are supported", e->start_option,
                   start, e->end_option, end, (long long)n_days, MAX_DAYS);
    int64_t n_history = (int64_t)e->end_day - e->origin_day + 1;
    DSGI_RETURN_IF(n_history > MAX_DAYS, err, DSG_EINVAL,
                   "--origin %s to --%s %s spans %lld days; at most %d are supported", origin,
                   e->end_option, end, (long long)n_history, MAX_DAYS);
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

/* Invariant 2; 'day' is days since 1970-01-01, factor its m(d). */
static uint64_t day_order_count(const ecommerce *e, int32_t day, double factor)
{
    uint64_t counter = (uint64_t)(int64_t)day;
    double x = (double)e->orders_per_day;
    if (e->mode == MODE_RANGE) {
        x = (double)(e->orders_min + dsgi_below(dsgi_rand(e->key.day_orders, counter),
                                                 e->orders_max - e->orders_min + 1));
    } else if (e->mode == MODE_NORMAL) {
        double z = dsgi_normal(dsgi_rand(e->key.day_orders, 2 * counter),
                               dsgi_rand(e->key.day_orders, 2 * counter + 1));
        x = round(e->orders_mean + e->orders_std * z);
    }
    if (e->seasonality) {
        x *= factor;
        if (e->mode == MODE_FIXED) {
            double z = dsgi_normal(dsgi_rand(e->key.day_noise, 2 * counter),
                                   dsgi_rand(e->key.day_noise, 2 * counter + 1));
            x *= 1.0 + DAILY_NOISE * (z < -5.0 ? -5.0 : z > 5.0 ? 5.0 : z);
        }
        x = floor(x + 0.5);
    }
    uint64_t count = x > 0.0 ? (uint64_t)x : 0;
    return DSGI_MAX(count, e->orders_floor);
}

/* m(d) for the days origin..end, into factor[]. */
static void plan_calendar(const ecommerce *e, double *factor)
{
    int64_t year = INT64_MIN;
    double mean = 1.0;
    for (size_t i = 0; i < e->n_history; i++) {
        int32_t day = e->origin_day + (int32_t)i;
        if (!e->seasonality) {
            factor[i] = 1.0;
            continue;
        }
        int64_t y;
        unsigned m, d;
        dsgi_civil_from_days(day, &y, &m, &d);
        if (y != year) {
            year = y;
            mean = year_mean_shape(y);
        }
        double years = (double)i / 365.25;
        factor[i] = calendar_shape(day) / mean * dsgi_exp(TREND_LOG_PER_YEAR * years);
    }
}

/* Groups the days with orders into partitions (invariant 8). */
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

/* One pass over the orders: items before the run, each day and each block. */
static void plan_items(ecommerce *e)
{
    const uint64_t block_mask = ((uint64_t)1 << e->block_log2) - 1;
    uint64_t items = 0, order = 0;
    for (; order < e->order_base; order++)
        items += order_n_items(e, order);
    for (size_t d = 0; d < e->n_days; d++) {
        e->day_items_first[d] = items;
        for (uint64_t end = e->day_orders_first[d + 1]; order < end; order++) {
            uint64_t rel = order - e->order_base;
            if ((rel & block_mask) == 0)
                e->block_items_first[rel >> e->block_log2] = items;
            items += order_n_items(e, order);
        }
    }
    e->day_items_first[e->n_days] = items;
    e->item_base = e->day_items_first[0];
}

/* Purchase-rate bins: Weibull quantiles of equal customer mass; the VIP
 * share of each bin grows with its rate (5% overall). */
static void plan_rates(ecommerce *e)
{
    double rate[RATE_BINS], total = 0, vip_weight[RATE_BINS], vip_total = 0;
    for (unsigned i = 0; i < RATE_BINS; i++) {
        double tail = ((double)i + 0.5) / RATE_BINS; /* bin 0: the most frequent buyers */
        rate[i] = dsgi_exp(dsgi_log(-dsgi_log(tail)) / RATE_SHAPE);
        total += rate[i];
        vip_weight[i] = dsgi_exp(0.8 * dsgi_log(rate[i]));
        vip_total += vip_weight[i];
    }
    double sum = 0;
    for (unsigned i = 0; i < RATE_BINS; i++) {
        sum += rate[i];
        e->rate_cum[i] = i + 1 == RATE_BINS ? UINT32_MAX : (uint32_t)(sum / total * 4294967295.0);
        double p = vip_weight[i] / vip_total * RATE_BINS * (VIP_PERMILLE / 1000.0);
        e->vip_below[i] = p >= 1.0 ? UINT32_MAX : (uint32_t)(p * 4294967296.0);
    }
    unsigned bin = 0;
    for (uint64_t g = 0; g < (1u << RATE_GUIDE_BITS); g++) {
        uint32_t lowest = (uint32_t)(g << (32 - RATE_GUIDE_BITS));
        while (lowest > e->rate_cum[bin])
            bin++;
        e->rate_guide[g] = (uint16_t)bin;
    }
    unsigned log2 = 0;
    while (log2 < CUSTOMER_BLOCK_LOG2_MAX && ((uint64_t)2 << log2) <= e->n_customers)
        log2++;
    e->cust_log2 = log2; /* 2^log2 <= n-customers: block 0 is signed up at the origin */
    for (uint64_t b = 0; b < CUSTOMER_KEYS; b++)
        e->customer_keys[b] = dsgi_rand(e->key.customer_perm, b);
}

static void plan_popularity(ecommerce *e)
{
    double c = POPULARITY_C / (double)e->n_products;
    double span = dsgi_log((1.0 + c) / c);
    unsigned n = 1u << POPULARITY_TABLE_BITS;
    for (unsigned i = 0; i < n; i++)
        e->popularity[i] = c * (dsgi_exp(span * (double)i / (double)n) - 1.0);
    e->popularity[n] = 1.0;
    unsigned log2 = 0;
    while (log2 < 64 && ((uint64_t)1 << log2) < e->n_products)
        log2++;
    e->prod_log2 = log2;
}

static dsg_status ec_prepare(void *state, dsg_error *err)
{
    ecommerce *e = state;
    plan_free(e);
    DSGI_FORWARD(validate(e, err));
    keys_init(&e->key, e->seed);
    poisson_init(&e->poisson, e->items_mean);
    plan_rates(e);
    plan_popularity(e);
    e->return_base32 = (uint64_t)(RETURN_RATE * 4294967296.0);

    e->n_days = (size_t)(e->end_day - e->start_day + 1);
    e->n_history = (size_t)(e->end_day - e->origin_day + 1);
    size_t pre = (size_t)(e->start_day - e->origin_day);
    double *factor = dsgi_calloc(e->n_history, sizeof(double));
    e->signed_up = dsgi_calloc(e->n_history + 1, sizeof(uint64_t));
    e->day_orders_first = dsgi_calloc(e->n_days + 1, sizeof(uint64_t));
    e->day_items_first = dsgi_calloc(e->n_days + 1, sizeof(uint64_t));
    e->parts = dsgi_calloc(e->n_days, sizeof(day_span));
    if (factor == NULL || e->signed_up == NULL || e->day_orders_first == NULL ||
        e->day_items_first == NULL || e->parts == NULL) {
        dsgi_free(factor);
        plan_free(e);
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (planning %zu days)", e->n_history);
    }
    plan_calendar(e, factor);
    uint64_t total_orders = 0;
    e->signed_up[0] = e->n_customers;
    double signup_rate = (double)e->n_customers * SIGNUP_GROWTH_PER_YEAR / 365.25;
    for (size_t i = 0; i < e->n_history; i++) {
        int32_t day = e->origin_day + (int32_t)i;
        if (i >= pre)
            e->day_orders_first[i - pre] = total_orders;
        total_orders += day_order_count(e, day, factor[i]);
        if (total_orders > MAX_TOTAL_ORDERS)
            break;
        double u = dsgi_unit(dsgi_rand(e->key.signups, (uint64_t)(int64_t)day));
        e->signed_up[i + 1] = e->signed_up[i] + (uint64_t)floor(signup_rate * factor[i] + u);
    }
    dsgi_free(factor);
    if (total_orders > MAX_TOTAL_ORDERS) {
        plan_free(e);
        return dsgi_fail(err, DSG_EINVAL,
                         "the options give more than 10^12 orders over %zu days; at most 10^12 "
                         "are supported",
                         e->n_history);
    }
    e->day_orders_first[e->n_days] = total_orders;
    e->order_base = e->day_orders_first[0];
    e->customer_first = pre == 0 ? 1 : e->signed_up[pre] + 1;
    plan_partitions(e);
    e->file_suffix[0] = '\0';
    e->orders_suffix = false;
    if (pre > 0) {
        char date[16];
        format_date(date, e->start_day);
        snprintf(e->file_suffix, sizeof e->file_suffix, "-%s", date);
        int64_t y;
        unsigned m, d;
        dsgi_civil_from_days(e->start_day, &y, &m, &d);
        e->orders_suffix = e->partitioning != PART_YMD && d != 1;
    }

    uint64_t run_orders = total_orders - e->order_base;
    e->block_log2 = BLOCK_LOG2_MIN;
    while ((run_orders >> e->block_log2) >= MAX_BLOCKS)
        e->block_log2++;
    e->n_blocks = (size_t)((run_orders + ((uint64_t)1 << e->block_log2) - 1) >> e->block_log2);
    e->block_items_first = dsgi_calloc(e->n_blocks ? e->n_blocks : 1, sizeof(uint64_t));
    bool product_table = e->n_products <= PRODUCT_TABLE_MAX;
    if (product_table)
        e->sale_of_rank = dsgi_calloc((size_t)e->n_products, sizeof(uint64_t));
    if (e->block_items_first == NULL || (product_table && e->sale_of_rank == NULL)) {
        plan_free(e);
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (planning %llu orders)",
                         (unsigned long long)run_orders);
    }
    e->immortal_id = product_id_of_rank(e, 0);
    e->fallback = sale_of_id(e, e->immortal_id);
    for (uint64_t rank = 0; product_table && rank < e->n_products; rank++)
        e->sale_of_rank[rank] = sale_pack(sale_of_id(e, product_id_of_rank(e, rank)), e->origin_day);
    if (!e->skip_items) /* one pass over every order: only for order_items */
        plan_items(e);
    return DSG_OK;
}

/* ---- plan queries ---- */

static uint64_t ec_rows(const void *state, size_t t)
{
    const ecommerce *e = state;
    switch (t) {
    case T_CUSTOMERS: return e->signed_up[e->n_history] - e->customer_first + 1;
    case T_PRODUCTS: return e->start_day == e->origin_day ? e->n_products : 0;
    case T_ORDERS: return e->day_orders_first[e->n_days] - e->order_base;
    default: return e->day_items_first[e->n_days] - e->item_base;
    }
}

static size_t ec_partitions(const void *state, size_t t)
{
    const ecommerce *e = state;
    if (t == T_ORDERS || t == T_ITEMS)
        return e->n_parts;
    return ec_rows(state, t) > 0 ? 1 : 0;
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
        uint64_t base = t == T_ORDERS ? e->order_base : e->item_base;
        first = prefix[span->first_day] - base;
        n = prefix[span->end_day] - prefix[span->first_day];
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

/* Increments name their files apart from earlier runs': customers and
 * products (whose increment is empty, but the run writes a table without
 * rows as one empty file) always, orders and items when the increment
 * starts inside a month partition or has no orders. */
static const char *ec_file_suffix(const void *state, size_t t)
{
    const ecommerce *e = state;
    if (!e->file_suffix[0])
        return NULL;
    if (t == T_CUSTOMERS || t == T_PRODUCTS || e->orders_suffix || ec_rows(state, t) == 0)
        return e->file_suffix;
    return NULL;
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
    DSGI_FORWARD(dsgi_buf_reserve(&c[CU_NAME].data, n * e->name_bytes_max, err));
    DSGI_FORWARD(dsgi_buf_reserve(&c[CU_EMAIL].data, n * e->email_bytes_max, err));
    DSGI_FORWARD(dsgi_buf_reserve(&c[CU_COUNTRY].data, n * COUNTRY_BYTES, err));
    int64_t *ids = c[CU_ID].values;
    int32_t *signup = c[CU_SIGNUP].values;
    uint8_t *vip = c[CU_VIP].values;
    char *name = (char *)c[CU_NAME].data.data, *email = (char *)c[CU_EMAIL].data.data;
    char *country = (char *)c[CU_COUNTRY].data.data;
    size_t name_len = 0, email_len = 0;
    uint64_t first_id = e->customer_first + first_row;
    /* new customers: the history day of their signup */
    size_t day = first_id > e->n_customers
                     ? prefix_search(e->signed_up, e->n_history + 1, first_id - 1)
                     : 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t id = first_id + i;
        ids[i] = (int64_t)id;
        unsigned ci = country_index(e, dsgi_rand(e->key.country, id));
        const country_model *cm = &e->countries[ci];
        const ec_country *src = &ec_countries[ci];
        const word_list *given = &cm->given[dsgi_rand(e->key.gender, id) >> 63];
        unsigned gi = pick_word(given, dsgi_rand(e->key.given, id));
        unsigned si = pick_word(&cm->surnames, dsgi_rand(e->key.surname, id));
        uint64_t extra = dsgi_rand(e->key.surname2, id);
        unsigned permille = (unsigned)dsgi_below(extra, 1000);
        bool two = src->name_style == NAME_TWO_SURNAMES ||
                   (src->name_style == NAME_SOME_TWO && permille < SECOND_SURNAME_PERMILLE);
        unsigned s2 = pick_word(&cm->surnames, dsgi_mix64(extra));
        if (two && s2 == si)
            s2 = (si + 1) % cm->surnames.n;
        char *p = put_text(name + name_len, given->words[gi]);
        *p++ = ' ';
        if (src->name_style == NAME_INITIAL && permille < INITIAL_PERMILLE) {
            *p++ = middle_initials[dsgi_below(dsgi_rand(e->key.initial, id),
                                              sizeof middle_initials - 1)];
            *p++ = '.';
            *p++ = ' ';
        }
        p = put_text(p, cm->surnames.words[si]);
        if (two) {
            *p++ = ' ';
            p = put_text(p, cm->surnames.words[s2]);
        }
        name_len = (size_t)(p - name);
        c[CU_NAME].offsets[i + 1] = (int32_t)name_len;

        p = put_text(email + email_len, given->ascii[gi]);
        *p++ = '.';
        p = put_text(p, cm->surnames.ascii[si]);
        if (two)
            p = put_text(p, cm->surnames.ascii[s2]);
        p += put_decimal(p, id, 1);
        *p++ = '@';
        p = put_text(p, pick_weighted(email_domains, N_EMAIL_DOMAINS, EMAIL_DOMAINS_TOTAL,
                                      dsgi_rand(e->key.email_domain, id)));
        email_len = (size_t)(p - email);
        c[CU_EMAIL].offsets[i + 1] = (int32_t)email_len;

        if (id <= e->n_customers) {
            /* ids in signup order, density growing toward the origin */
            double u = ((double)(id - 1) + dsgi_unit(dsgi_rand(e->key.signup_date, id))) /
                       (double)e->n_customers;
            signup[i] = e->origin_day - SIGNUP_WINDOW_DAYS +
                        (int32_t)scale_below(sqrt(u), SIGNUP_WINDOW_DAYS);
        } else {
            while (id > e->signed_up[day + 1])
                day++;
            signup[i] = e->origin_day + (int32_t)day;
        }
        memcpy(country + COUNTRY_BYTES * i, src->code, COUNTRY_BYTES);
        c[CU_COUNTRY].offsets[i + 1] = (int32_t)(COUNTRY_BYTES * (i + 1));
        vip[i] = (uint32_t)(dsgi_rand(e->key.is_vip, id) >> 32) < e->vip_below[customer_bin(e, id)];
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
    DSGI_FORWARD(dsgi_buf_reserve(&c[PR_NAME].data, n * e->product_name_max, err));
    DSGI_FORWARD(dsgi_buf_reserve(&c[PR_BRAND].data, n * e->brand_max, err));
    int64_t *ids = c[PR_ID].values;
    double *price = c[PR_PRICE].values, *discount = c[PR_DISCOUNT].values;
    uint8_t *active = c[PR_ACTIVE].values, *retired_valid = c[PR_RETIRED].valid;
    int32_t *retired = c[PR_RETIRED].values;
    char *sku = (char *)c[PR_SKU].data.data, *pname = (char *)c[PR_NAME].data.data;
    char *brand = (char *)c[PR_BRAND].data.data;
    size_t sku_len = 0, name_len = 0, brand_len = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t id = first_row + i + 1;
        ids[i] = (int64_t)id;
        memcpy(sku + sku_len, "SKU-", 4);
        sku_len += 4 + put_decimal(sku + sku_len + 4, id, 8);
        c[PR_SKU].offsets[i + 1] = (int32_t)sku_len;
        product_values v = product_of(e, id);
        const ec_category *src = &ec_categories[v.category];
        const category_model *cm = &e->categories[v.category];
        DSGI_FORWARD(dsgi_col_put_str(&c[PR_CATEGORY], i, src->name, strlen(src->name), err));
        price[i] = (double)v.price_cents / 100.0;
        discount[i] = (double)v.discount_percent / 100.0;
        bool gone = v.retired <= e->end_day;
        active[i] = !gone;
        retired_valid[i] = gone;
        retired[i] = gone ? v.retired : 0;
        const char *b = cm->brands.words[pick_word(&cm->brands, dsgi_rand(e->key.brand, id))];
        char *p = put_text(brand + brand_len, b);
        brand_len = (size_t)(p - brand);
        c[PR_BRAND].offsets[i + 1] = (int32_t)brand_len;
        p = put_text(pname + name_len, b);
        *p++ = ' ';
        p = put_text(p, cm->adjectives.words[pick_word(&cm->adjectives,
                                                       dsgi_rand(e->key.adjective, id))]);
        *p++ = ' ';
        p = put_text(p, cm->nouns.words[pick_word(&cm->nouns, dsgi_rand(e->key.noun, id))]);
        name_len = (size_t)(p - pname);
        c[PR_NAME].offsets[i + 1] = (int32_t)name_len;
    }
    c[PR_SKU].data.len = sku_len;
    c[PR_NAME].data.len = name_len;
    c[PR_BRAND].data.len = brand_len;
    return DSG_OK;
}

static dsg_status fill_orders(const ecommerce *e, uint64_t first_row, size_t n, dsgi_col *c,
                              dsg_error *err)
{
    DSGI_FORWARD(
        dsgi_buf_reserve(&c[OR_STATUS].data, n * STATUS_BYTES_MAX + STATUS_COPY_BYTES, err));
    int64_t *ids = c[OR_ID].values, *customer = c[OR_CUSTOMER].values, *ts = c[OR_TS].values;
    int32_t *date = c[OR_DATE].values;
    int16_t *hour = c[OR_HOUR].values;
    double *amount = c[OR_AMOUNT].values;
    char *status = (char *)c[OR_STATUS].data.data;
    int32_t *status_end = c[OR_STATUS].offsets + 1;
    size_t status_len = 0;
    uint64_t first = e->order_base + first_row;
    size_t day = prefix_search(e->day_orders_first, e->n_days, first);
    size_t pre = (size_t)(e->start_day - e->origin_day);
    uint64_t eligible = e->signed_up[pre + day + 1];
    const uint32_t cancel_below = (uint32_t)(CANCEL_PERMILLE / 1000.0 * 4294967296.0);
    for (size_t i = 0; i < n; i++) {
        uint64_t order = first + i;
        while (order >= e->day_orders_first[day + 1]) {
            day++;
            eligible = e->signed_up[pre + day + 1];
        }
        int32_t today = e->start_day + (int32_t)day;
        ids[i] = (int64_t)order + 1;
        uint64_t cust = customer_of(e, order, eligible);
        customer[i] = (int64_t)cust;
        date[i] = today;
        /* local time: the hour from the high bits, the second of the hour
         * from the low 32; the zone from the customer's country */
        uint64_t r = dsgi_rand(e->key.order_time, order);
        unsigned h = e->hour_of_permille[dsgi_below(r, 1000)];
        hour[i] = (int16_t)h;
        uint64_t rc = dsgi_rand(e->key.country, cust);
        int offset = e->countries[country_index(e, rc)]
                         .zone_offset[((rc & 0xFFFFFFFFu) * 100) >> 32];
        int64_t local = (int64_t)today * 86400 + h * 3600 + (int64_t)(((r & 0xFFFFFFFFu) * 3600) >> 32);
        ts[i] = (local - offset * 60) * 1000000;

        unsigned n_items = order_n_items(e, order);
        uint64_t cents = 0, return_q16 = 0;
        for (unsigned k = 0; k < n_items; k++) {
            order_item item = item_of(e, order, k, today);
            cents += (uint64_t)item.qty * item.p.unit_cents;
            return_q16 += e->category_sales[item.p.category].return_q16;
        }
        amount[i] = (double)cents / 100.0;

        uint64_t rs = dsgi_rand(e->key.status, order);
        uint32_t u = (uint32_t)(rs >> 32);
        /* returned when (u - cancel) < base * mean factor, without dividing */
        unsigned s = 0;
        if (u < cancel_below) {
            s = 2;
        } else if ((uint64_t)(u - cancel_below) * n_items < (e->return_base32 * return_q16) >> 16) {
            int32_t delay = RETURN_DELAY_MIN + (int32_t)(((rs & 0xFFFFFFFFu) * RETURN_DELAY_SPAN) >> 32);
            s = today + delay <= e->end_day ? 1 : 0;
        }
        memcpy(status + status_len, status_text[s], STATUS_COPY_BYTES);
        status_len += status_bytes[s];
        status_end[i] = (int32_t)status_len;
    }
    c[OR_STATUS].data.len = status_len;
    return DSG_OK;
}

static dsg_status fill_items(const ecommerce *e, uint64_t first_row, size_t n, dsgi_col *c)
{
    if (n == 0)
        return DSG_OK;
    /* Find the order and item index of the first item: a block, then a scan. */
    uint64_t first = e->item_base + first_row;
    size_t block = prefix_search(e->block_items_first, e->n_blocks, first);
    uint64_t order = e->order_base + ((uint64_t)block << e->block_log2);
    uint64_t before = e->block_items_first[block];
    unsigned n_items = order_n_items(e, order);
    while (before + n_items <= first) {
        before += n_items;
        n_items = order_n_items(e, ++order);
    }
    unsigned k = (unsigned)(first - before);
    size_t day = prefix_search(e->day_orders_first, e->n_days, order);
    int32_t today = e->start_day + (int32_t)day;

    int64_t *ids = c[IT_ID].values, *order_id = c[IT_ORDER].values, *product = c[IT_PRODUCT].values;
    int16_t *qty = c[IT_QTY].values;
    int32_t *date = c[IT_DATE].values;
    double *unit = c[IT_UNIT_PRICE].values, *line = c[IT_LINE_AMOUNT].values;
    for (size_t i = 0; i < n; i++) {
        if (k == n_items) {
            n_items = order_n_items(e, ++order);
            k = 0;
            while (order >= e->day_orders_first[day + 1]) {
                day++;
                today++;
            }
        }
        order_item item = item_of(e, order, k, today);
        ids[i] = (int64_t)(first + i) + 1;
        order_id[i] = (int64_t)order + 1;
        product[i] = (int64_t)item.p.id;
        qty[i] = item.qty;
        date[i] = today;
        unit[i] = (double)item.p.unit_cents / 100.0;
        line[i] = (double)((uint64_t)item.qty * item.p.unit_cents) / 100.0;
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

static const dsg_partition_transform *ec_partition_transforms(const void *state, size_t t,
                                                              int *source)
{
    const ecommerce *e = state;
    if (t != T_ORDERS && t != T_ITEMS)
        return NULL;
    *source = t == T_ORDERS ? OR_DATE : IT_DATE;
    return e->partitioning == PART_YM          ? tr_ym
           : e->partitioning == PART_YEARMONTH ? tr_yearmonth
                                               : tr_ymd;
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
    .file_suffix = ec_file_suffix,
};
