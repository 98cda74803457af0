/*
 * test_ecommerce.c - the ecommerce dataset through the public API.
 *
 * Reads whole tables of small configurations (every partitioning and
 * orders mode) and checks the invariants listed at the top of
 * lib/datasets/ecommerce.c: dense primary keys, valid foreign keys, at least
 * one item per order, amounts recomputed from the items and products
 * tables, rows in (order_date, order_id) order, orders and their items in
 * partitions with the same zero-padded path, partitions tiling the tables,
 * per-day counts within the mode's bounds; then determinism (pieces of
 * random sizes in random order, two threads, same and different seeds),
 * option errors, allocation failures and a few realism statistics.
 */
#include "dsg/dsg.h"
#include "test_util.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

enum { CUSTOMERS, PRODUCTS, ORDERS, ITEMS, N_TABLES };
enum { CU_ID, CU_NAME, CU_EMAIL, CU_SIGNUP, CU_COUNTRY, CU_VIP };
enum { PR_ID, PR_SKU, PR_CATEGORY, PR_PRICE, PR_DISCOUNT, PR_ACTIVE };
enum { OR_ID, OR_CUSTOMER, OR_DATE, OR_HOUR, OR_STATUS, OR_AMOUNT };
enum { IT_ID, IT_ORDER, IT_PRODUCT, IT_QTY, IT_DATE };

#define MAX_COLS 6
#define SIGNUP_WINDOW_DAYS 1095

/* ---- helpers: options, dates, a local random source ---- */

typedef struct option {
    const char *name, *value;
} option;

/* A NULL-terminated option list. */
#define OPTS(...) ((const option[]){__VA_ARGS__, {NULL, NULL}})

static dsg_dataset *open_dataset(const option *opts)
{
    dsg_dataset *ds = NULL;
    dsg_error err;
    CHECKF(dsg_dataset_create(&ds, "ecommerce", &err) == DSG_OK, "%s", err.message);
    for (const option *o = opts; o->name != NULL; o++)
        CHECKF(dsg_dataset_set(ds, o->name, o->value, &err) == DSG_OK, "--%s %s: %s", o->name,
               o->value, err.message);
    CHECKF(dsg_dataset_prepare(ds, &err) == DSG_OK, "%s", err.message);
    return ds;
}

static int32_t parse_day(const char *text)
{
    struct tm tm = {0};
    CHECK(sscanf(text, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) == 3);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int32_t)(timegm(&tm) / 86400);
}

static void civil(int32_t day, int *y, int *m, int *d)
{
    time_t t = (time_t)day * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    *y = tm.tm_year + 1900;
    *m = tm.tm_mon + 1;
    *d = tm.tm_mday;
}

/* The partition path of a date under a partitioning scheme. */
static void expected_path(const char *partitioning, int32_t day, char *out, size_t size)
{
    int y, m, d;
    civil(day, &y, &m, &d);
    if (strcmp(partitioning, "ymd") == 0)
        snprintf(out, size, "year=%04d/month=%02d/day=%02d", y, m, d);
    else if (strcmp(partitioning, "ym") == 0)
        snprintf(out, size, "year=%04d/month=%02d", y, m);
    else
        snprintf(out, size, "yearmonth=%04d-%02d", y, m);
}

static uint64_t test_rand(uint64_t *state) /* SplitMix64 */
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* ---- whole tables in memory ---- */

typedef struct column {
    dsg_type type;
    size_t width;    /* bytes per value; 0 for STRING */
    uint8_t *values; /* rows * width */
    char **strings;  /* STRING: a NUL-terminated copy per row */
} column;

typedef struct table {
    dsg_table_info info;
    column cols[MAX_COLS];
} table;

static size_t type_width(dsg_type type)
{
    switch (type) {
    case DSG_BOOL: return 1;
    case DSG_INT16: return 2;
    case DSG_DATE: return 4;
    case DSG_INT64:
    case DSG_DOUBLE: return 8;
    case DSG_STRING: return 0;
    default: CHECKF(0, "unexpected type %d", (int)type); return 0;
    }
}

static void table_init(table *tb, const dsg_dataset *ds, size_t t)
{
    memset(tb, 0, sizeof *tb);
    dsg_error err;
    CHECKF(dsg_dataset_table(ds, t, &tb->info, &err) == DSG_OK, "%s", err.message);
    CHECK(tb->info.n_fields <= MAX_COLS);
    size_t rows = (size_t)tb->info.rows;
    for (size_t c = 0; c < tb->info.n_fields; c++) {
        column *col = &tb->cols[c];
        col->type = tb->info.fields[c].type;
        col->width = type_width(col->type);
        if (col->width != 0)
            CHECK((col->values = calloc(rows + 1, col->width)) != NULL);
        else
            CHECK((col->strings = calloc(rows + 1, sizeof(char *))) != NULL);
    }
}

static void table_free(table *tb)
{
    for (size_t c = 0; c < tb->info.n_fields; c++) {
        free(tb->cols[c].values);
        for (uint64_t r = 0; tb->cols[c].strings != NULL && r < tb->info.rows; r++)
            free(tb->cols[c].strings[r]);
        free(tb->cols[c].strings);
    }
}

/* Copies a filled batch of rows [first, first + n) into place. */
static void table_store(table *tb, uint64_t first, size_t n, const dsg_array *arrays)
{
    for (size_t c = 0; c < tb->info.n_fields; c++) {
        const dsg_array *a = &arrays[c];
        column *col = &tb->cols[c];
        CHECK(a->type == col->type && a->length == n && a->valid == NULL);
        if (col->width != 0) {
            if (n > 0)
                memcpy(col->values + first * col->width, a->values, n * col->width);
            continue;
        }
        CHECK(n == 0 || a->offsets[0] == 0);
        for (size_t i = 0; i < n; i++) {
            CHECK(a->offsets[i] <= a->offsets[i + 1]);
            size_t len = (size_t)(a->offsets[i + 1] - a->offsets[i]);
            char *s = malloc(len + 1);
            CHECK(s != NULL);
            if (len > 0)
                memcpy(s, a->data + a->offsets[i], len);
            s[len] = '\0';
            CHECKF(strlen(s) == len, "NUL byte in a string of column %s", tb->info.fields[c].name);
            free(col->strings[first + i]);
            col->strings[first + i] = s;
        }
    }
}

static void fill_into(const dsg_dataset *ds, size_t t, dsg_batch *b, table *tb, uint64_t first,
                      size_t n)
{
    const dsg_array *arrays = NULL;
    dsg_error err;
    CHECKF(dsg_dataset_fill(ds, t, first, n, b, &arrays, &err) == DSG_OK, "%s", err.message);
    table_store(tb, first, n, arrays);
}

/* The table in one fill. */
static table read_whole(const dsg_dataset *ds, size_t t)
{
    table tb;
    table_init(&tb, ds, t);
    dsg_batch *b = NULL;
    dsg_error err;
    CHECKF(dsg_batch_create(&b, ds, t, &err) == DSG_OK, "%s", err.message);
    fill_into(ds, t, b, &tb, 0, (size_t)tb.info.rows);
    dsg_batch_free(b);
    return tb;
}

typedef struct piece {
    uint64_t first;
    size_t n;
} piece;

/* Cuts [0, rows) into pieces of random sizes (some empty), in random order. */
static piece *random_pieces(uint64_t rows, size_t max_piece, uint64_t seed, size_t *n_pieces)
{
    uint64_t rng = seed;
    size_t cap = 16, n = 0;
    piece *p = malloc(cap * sizeof *p);
    CHECK(p != NULL);
    for (uint64_t at = 0; at <= rows; n++) {
        if (n == cap)
            CHECK((p = realloc(p, (cap *= 2) * sizeof *p)) != NULL);
        size_t size = (size_t)(test_rand(&rng) % (max_piece + 1));
        size = (size_t)(size > rows - at ? rows - at : size);
        p[n] = (piece){at, size};
        if (at == rows)
            at++; /* one (empty) piece at the very end */
        at += size;
    }
    for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
        size_t j = (size_t)(test_rand(&rng) % i);
        piece tmp = p[i - 1];
        p[i - 1] = p[j];
        p[j] = tmp;
    }
    *n_pieces = n;
    return p;
}

static table read_pieces(const dsg_dataset *ds, size_t t, size_t max_piece, uint64_t seed)
{
    table tb;
    table_init(&tb, ds, t);
    size_t n_pieces;
    piece *pieces = random_pieces(tb.info.rows, max_piece, seed, &n_pieces);
    dsg_batch *b = NULL;
    dsg_error err;
    for (size_t i = 0; i < n_pieces; i++) {
        if (i % 7 == 0) { /* fresh buffers now and then */
            dsg_batch_free(b);
            CHECKF(dsg_batch_create(&b, ds, t, &err) == DSG_OK, "%s", err.message);
        }
        fill_into(ds, t, b, &tb, pieces[i].first, pieces[i].n);
    }
    dsg_batch_free(b);
    free(pieces);
    return tb;
}

/* Two threads, each with its own batch, fill alternate pieces. */
typedef struct thread_job {
    const dsg_dataset *ds;
    size_t t;
    table *tb;
    const piece *pieces;
    size_t n_pieces, parity;
} thread_job;

static void *thread_fill(void *arg)
{
    thread_job *job = arg;
    dsg_batch *b = NULL;
    dsg_error err;
    CHECKF(dsg_batch_create(&b, job->ds, job->t, &err) == DSG_OK, "%s", err.message);
    for (size_t i = job->parity; i < job->n_pieces; i += 2)
        fill_into(job->ds, job->t, b, job->tb, job->pieces[i].first, job->pieces[i].n);
    dsg_batch_free(b);
    return NULL;
}

static table read_threads(const dsg_dataset *ds, size_t t, uint64_t seed)
{
    table tb;
    table_init(&tb, ds, t);
    size_t n_pieces;
    piece *pieces = random_pieces(tb.info.rows, 3000, seed, &n_pieces);
    thread_job jobs[2] = {{ds, t, &tb, pieces, n_pieces, 0}, {ds, t, &tb, pieces, n_pieces, 1}};
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, thread_fill, &jobs[1]) == 0);
    thread_fill(&jobs[0]);
    CHECK(pthread_join(thread, NULL) == 0);
    free(pieces);
    return tb;
}

static bool tables_equal(const table *a, const table *b)
{
    if (a->info.rows != b->info.rows || a->info.n_fields != b->info.n_fields)
        return false;
    for (size_t c = 0; c < a->info.n_fields; c++) {
        const column *x = &a->cols[c], *y = &b->cols[c];
        if (x->width != 0 && memcmp(x->values, y->values, (size_t)a->info.rows * x->width) != 0)
            return false;
        for (uint64_t r = 0; x->width == 0 && r < a->info.rows; r++)
            if (strcmp(x->strings[r], y->strings[r]) != 0)
                return false;
    }
    return true;
}

static int64_t i64_at(const table *tb, int c, uint64_t row)
{
    int64_t v;
    memcpy(&v, tb->cols[c].values + row * 8, 8);
    return v;
}
static int32_t i32_at(const table *tb, int c, uint64_t row)
{
    int32_t v;
    memcpy(&v, tb->cols[c].values + row * 4, 4);
    return v;
}
static int16_t i16_at(const table *tb, int c, uint64_t row)
{
    int16_t v;
    memcpy(&v, tb->cols[c].values + row * 2, 2);
    return v;
}
static uint8_t u8_at(const table *tb, int c, uint64_t row) { return tb->cols[c].values[row]; }
static double f64_at(const table *tb, int c, uint64_t row)
{
    double v;
    memcpy(&v, tb->cols[c].values + row * 8, 8);
    return v;
}
static const char *str_at(const table *tb, int c, uint64_t row) { return tb->cols[c].strings[row]; }

/* ---- schema ---- */

static void test_schema(void)
{
    static const struct {
        const char *table;
        const char *columns[MAX_COLS];
        dsg_type types[MAX_COLS];
        unsigned flags[MAX_COLS];
        size_t n;
    } want[N_TABLES] = {
        {"customers",
         {"customer_id", "name", "email", "signup_date", "country", "is_vip"},
         {DSG_INT64, DSG_STRING, DSG_STRING, DSG_DATE, DSG_STRING, DSG_BOOL},
         {DSG_FIELD_NO_DICT, 0, 0, 0, 0, 0},
         6},
        {"products",
         {"product_id", "sku", "category", "price", "discount", "active"},
         {DSG_INT64, DSG_STRING, DSG_STRING, DSG_DOUBLE, DSG_DOUBLE, DSG_BOOL},
         {DSG_FIELD_NO_DICT, DSG_FIELD_NO_DICT, 0, 0, 0, 0},
         6},
        {"orders",
         {"order_id", "customer_id", "order_date", "hour_of_day", "status", "amount"},
         {DSG_INT64, DSG_INT64, DSG_DATE, DSG_INT16, DSG_STRING, DSG_DOUBLE},
         {DSG_FIELD_NO_DICT, DSG_FIELD_NO_DICT, 0, 0, 0, 0},
         6},
        {"order_items",
         {"order_item_id", "order_id", "product_id", "qty", "order_date"},
         {DSG_INT64, DSG_INT64, DSG_INT64, DSG_INT16, DSG_DATE},
         {DSG_FIELD_NO_DICT, DSG_FIELD_NO_DICT, 0, 0, 0},
         5},
    };
    dsg_dataset *ds = NULL;
    dsg_error err;
    CHECK(dsg_dataset_create(&ds, "ecommerce", &err) == DSG_OK);
    CHECK(dsg_dataset_n_tables(ds) == N_TABLES);
    for (size_t t = 0; t < N_TABLES; t++) {
        dsg_table_info info;
        CHECK(dsg_dataset_table(ds, t, &info, &err) == DSG_OK);
        CHECKF(strcmp(info.name, want[t].table) == 0, "table %zu is %s", t, info.name);
        CHECK(info.n_fields == want[t].n);
        CHECK(info.rows == 0 && info.n_partitions == 0); /* before prepare */
        for (size_t c = 0; c < info.n_fields; c++) {
            CHECKF(strcmp(info.fields[c].name, want[t].columns[c]) == 0, "%s.%s", info.name,
                   info.fields[c].name);
            CHECKF(info.fields[c].type == want[t].types[c], "%s.%s", info.name,
                   info.fields[c].name);
            CHECKF(info.fields[c].flags == want[t].flags[c], "%s.%s", info.name,
                   info.fields[c].name);
            CHECK(info.fields[c].n_children == 0);
        }
        if (t == ORDERS || t == ITEMS) { /* the default, ymd */
            CHECK(info.n_partition_by == 3);
            CHECK(strcmp(info.partition_by[0], "year") == 0);
            CHECK(strcmp(info.partition_by[1], "month") == 0);
            CHECK(strcmp(info.partition_by[2], "day") == 0);
            /* the levels derive from order_date: year, month, day */
            CHECK(info.partition_source >= 0 && (size_t)info.partition_source < info.n_fields);
            CHECK(strcmp(info.fields[info.partition_source].name, "order_date") == 0);
            CHECK(info.partition_transforms != NULL && info.partition_transforms[0] == DSG_PART_YEAR &&
                  info.partition_transforms[1] == DSG_PART_MONTH && info.partition_transforms[2] == DSG_PART_DAY);
        } else {
            CHECK(info.n_partition_by == 0 && info.partition_source == -1 && info.partition_transforms == NULL);
        }
    }
    /* the other schemes: ym (year, month) and yearmonth (one string level) */
    static const struct {
        const char *scheme;
        size_t n;
        dsg_partition_transform tr[2];
    } schemes[] = {{"ym", 2, {DSG_PART_YEAR, DSG_PART_MONTH}}, {"yearmonth", 1, {DSG_PART_YEARMONTH}}};
    for (size_t k = 0; k < sizeof schemes / sizeof schemes[0]; k++) {
        dsg_dataset *d2 = NULL;
        CHECK(dsg_dataset_create(&d2, "ecommerce", &err) == DSG_OK);
        CHECK(dsg_dataset_set(d2, "orders-partitioning", schemes[k].scheme, &err) == DSG_OK);
        for (size_t t = ORDERS; t <= ITEMS; t++) {
            dsg_table_info info;
            CHECK(dsg_dataset_table(d2, t, &info, &err) == DSG_OK);
            CHECK(info.n_partition_by == schemes[k].n && info.partition_transforms != NULL);
            CHECK(strcmp(info.fields[info.partition_source].name, "order_date") == 0);
            for (size_t l = 0; l < schemes[k].n; l++)
                CHECKF(info.partition_transforms[l] == schemes[k].tr[l], "%s level %zu", schemes[k].scheme, l);
        }
        dsg_dataset_free(d2);
    }
    size_t n_options;
    const dsg_option_info *options = dsg_dataset_options(ds, &n_options);
    static const char *const names[] = {
        "seed",         "n-customers", "n-products", "orders-per-day", "order-items-mean",
        "start",        "end",         "start-date", "end-date",       "orders-partitioning",
        "orders-mode",  "orders-min",  "orders-max", "orders-mean",    "orders-std",
        "orders-floor",
    };
    CHECK(n_options == sizeof names / sizeof names[0]);
    for (size_t i = 0; i < n_options; i++) {
        CHECKF(strcmp(options[i].name, names[i]) == 0, "option %zu is %s", i, options[i].name);
        CHECK(options[i].default_value[0] != '\0' && options[i].help[0] != '\0');
    }
    dsg_dataset_free(ds);
}

/* ---- the invariants over whole tables ---- */

typedef struct expect {
    const char *partitioning;
    const char *start, *end;
    uint64_t day_min, day_max; /* bounds on every day's order count */
} expect;

static bool is_two_decimals(double x) { return round(x * 100.0) / 100.0 == x; }

static void check_customers(const table *cu, int32_t start)
{
    static const char *const domains[] = {"example.com", "example.net", "example.org",
                                          "mail.example", "shop.example"};
    for (uint64_t r = 0; r < cu->info.rows; r++) {
        CHECKF(i64_at(cu, CU_ID, r) == (int64_t)r + 1, "customer_id at row %llu",
               (unsigned long long)r);
        const char *name = str_at(cu, CU_NAME, r), *email = str_at(cu, CU_EMAIL, r);
        const char *space = strchr(name, ' ');
        CHECKF(space != NULL && space > name && space[1] != '\0', "name '%s'", name);
        /* email: first.last<id>@domain, lowercase ASCII */
        const char *at = strchr(email, '@');
        CHECKF(at != NULL, "email '%s'", email);
        char id_text[24];
        int id_len = snprintf(id_text, sizeof id_text, "%llu", (unsigned long long)r + 1);
        CHECKF(at - email > id_len + 2 && memcmp(at - id_len, id_text, (size_t)id_len) == 0 &&
                   !(at[-id_len - 1] >= '0' && at[-id_len - 1] <= '9'),
               "email '%s' of customer %s", email, id_text);
        int dots = 0;
        for (const char *p = email; p < at - id_len; p++) {
            CHECKF((*p >= 'a' && *p <= 'z') || *p == '.', "email '%s'", email);
            dots += *p == '.';
        }
        CHECKF(dots == 1 && email[0] != '.' && at[-id_len - 1] != '.', "email '%s'", email);
        bool domain_ok = false;
        for (size_t i = 0; i < sizeof domains / sizeof domains[0]; i++)
            domain_ok |= strcmp(at + 1, domains[i]) == 0;
        CHECKF(domain_ok, "email '%s'", email);
        /* An ASCII name gives the email: "Seán" is skipped, "Anna van den
         * Berg" gives anna.vandenberg, "Min-jun O'Brien" minjun.obrien. */
        bool ascii = true;
        for (const char *p = name; *p; p++)
            ascii &= (unsigned char)*p < 0x80;
        if (ascii) {
            char local[128];
            size_t n = 0;
            for (const char *p = name; *p && n + 2 < sizeof local; p++) {
                if (p == space)
                    local[n++] = '.';
                else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
                    local[n++] = (char)(*p | 0x20);
            }
            CHECKF((size_t)(at - id_len - email) == n && memcmp(email, local, n) == 0,
                   "email '%s' of '%s'", email, name);
        }
        int32_t signup = i32_at(cu, CU_SIGNUP, r);
        CHECKF(signup >= start - SIGNUP_WINDOW_DAYS && signup < start, "signup_date %d", signup);
        const char *country = str_at(cu, CU_COUNTRY, r);
        CHECKF(strlen(country) == 2 && country[0] >= 'A' && country[0] <= 'Z' &&
                   country[1] >= 'A' && country[1] <= 'Z',
               "country '%s'", country);
        CHECK(u8_at(cu, CU_VIP, r) <= 1);
    }
}

static void check_products(const table *pr)
{
    for (uint64_t r = 0; r < pr->info.rows; r++) {
        CHECK(i64_at(pr, PR_ID, r) == (int64_t)r + 1);
        char sku[32];
        snprintf(sku, sizeof sku, "SKU-%08llu", (unsigned long long)r + 1);
        CHECKF(strcmp(str_at(pr, PR_SKU, r), sku) == 0, "sku '%s'", str_at(pr, PR_SKU, r));
        CHECK(str_at(pr, PR_CATEGORY, r)[0] != '\0');
        double price = f64_at(pr, PR_PRICE, r), discount = f64_at(pr, PR_DISCOUNT, r);
        CHECKF(price >= 0.01 && is_two_decimals(price), "price %.17g", price);
        CHECKF(discount >= 0.0 && discount <= 0.6 && is_two_decimals(discount), "discount %.17g",
               discount);
        CHECK(u8_at(pr, PR_ACTIVE, r) <= 1);
    }
}

static void check_orders(const table *od, uint64_t n_customers, const expect *x)
{
    int32_t start = parse_day(x->start), end = parse_day(x->end);
    size_t n_days = (size_t)(end - start + 1);
    uint64_t *per_day = calloc(n_days, sizeof *per_day);
    CHECK(per_day != NULL);
    for (uint64_t r = 0; r < od->info.rows; r++) {
        CHECKF(i64_at(od, OR_ID, r) == (int64_t)r + 1, "order_id at row %llu",
               (unsigned long long)r);
        int64_t customer = i64_at(od, OR_CUSTOMER, r);
        CHECKF(customer >= 1 && (uint64_t)customer <= n_customers, "customer_id %lld",
               (long long)customer);
        int32_t date = i32_at(od, OR_DATE, r);
        CHECKF(date >= start && date <= end, "order_date %d", date);
        CHECKF(r == 0 || date >= i32_at(od, OR_DATE, r - 1), "order_date decreases at row %llu",
               (unsigned long long)r);
        per_day[date - start]++;
        int16_t hour = i16_at(od, OR_HOUR, r);
        CHECK(hour >= 0 && hour <= 23);
        const char *status = str_at(od, OR_STATUS, r);
        CHECKF(strcmp(status, "completed") == 0 || strcmp(status, "returned") == 0 ||
                   strcmp(status, "cancelled") == 0,
               "status '%s'", status);
        CHECK(f64_at(od, OR_AMOUNT, r) > 0.0 && is_two_decimals(f64_at(od, OR_AMOUNT, r)));
    }
    for (size_t d = 0; d < n_days; d++)
        CHECKF(per_day[d] >= x->day_min && per_day[d] <= x->day_max,
               "day %zu has %llu orders, outside [%llu, %llu]", d, (unsigned long long)per_day[d],
               (unsigned long long)x->day_min, (unsigned long long)x->day_max);
    free(per_day);
}

/* Products for the amount check: the whole table, or row by row when it
 * is too large to read. */
typedef struct products {
    const table *whole; /* or NULL */
    const dsg_dataset *ds;
    dsg_batch *batch;
    uint64_t rows;
} products;

static void product_values(products *src, uint64_t id, double *price, double *discount)
{
    if (src->whole != NULL) {
        *price = f64_at(src->whole, PR_PRICE, id - 1);
        *discount = f64_at(src->whole, PR_DISCOUNT, id - 1);
        return;
    }
    const dsg_array *arrays;
    dsg_error err;
    CHECKF(dsg_dataset_fill(src->ds, PRODUCTS, id - 1, 1, src->batch, &arrays, &err) == DSG_OK,
           "%s", err.message);
    CHECK(((const int64_t *)arrays[PR_ID].values)[0] == (int64_t)id);
    *price = ((const double *)arrays[PR_PRICE].values)[0];
    *discount = ((const double *)arrays[PR_DISCOUNT].values)[0];
    CHECK(*price >= 0.01 && is_two_decimals(*price) && *discount >= 0.0 && *discount <= 0.6);
}

/* Items: dense keys, every order has items, in order; amounts recomputed. */
static void check_items(const table *it, const table *od, products *pr)
{
    uint64_t n_orders = od->info.rows, n_products = pr->rows;
    double *total = calloc(n_orders + 1, sizeof *total);
    CHECK(total != NULL);
    CHECK(n_orders == 0 || i64_at(it, IT_ORDER, 0) == 1);
    for (uint64_t r = 0; r < it->info.rows; r++) {
        CHECKF(i64_at(it, IT_ID, r) == (int64_t)r + 1, "order_item_id at row %llu",
               (unsigned long long)r);
        int64_t order = i64_at(it, IT_ORDER, r);
        CHECKF(r == 0 || order == i64_at(it, IT_ORDER, r - 1) ||
                   order == i64_at(it, IT_ORDER, r - 1) + 1,
               "order_id jumps at item row %llu", (unsigned long long)r);
        CHECK(order >= 1 && (uint64_t)order <= n_orders);
        int64_t product = i64_at(it, IT_PRODUCT, r);
        CHECKF(product >= 1 && (uint64_t)product <= n_products, "product_id %lld",
               (long long)product);
        int16_t qty = i16_at(it, IT_QTY, r);
        CHECKF(qty >= 1 && qty <= 5, "qty %d", qty);
        CHECKF(i32_at(it, IT_DATE, r) == i32_at(od, OR_DATE, (uint64_t)order - 1),
               "item row %llu: order_date is not its order's", (unsigned long long)r);
        double price, discount;
        product_values(pr, (uint64_t)product, &price, &discount);
        total[order - 1] += (double)qty * (price * (1.0 - discount));
    }
    CHECK(it->info.rows == 0 ? n_orders == 0
                             : (uint64_t)i64_at(it, IT_ORDER, it->info.rows - 1) == n_orders);
    for (uint64_t o = 0; o < n_orders; o++) {
        double amount = round(total[o] * 100.0) / 100.0;
        CHECKF(f64_at(od, OR_AMOUNT, o) == amount, "order %llu: amount %.17g, items give %.17g",
               (unsigned long long)o + 1, f64_at(od, OR_AMOUNT, o), amount);
    }
    free(total);
}

static void check_partitions(const dsg_dataset *ds, const table *od, const table *it,
                             const expect *x)
{
    dsg_error err;
    char path[128], want[128], prev[128] = "";
    uint64_t first, rows;
    for (size_t t = CUSTOMERS; t <= PRODUCTS; t++) {
        dsg_table_info info;
        CHECK(dsg_dataset_table(ds, t, &info, &err) == DSG_OK && info.n_partitions == 1);
        CHECK(dsg_dataset_partition(ds, t, 0, path, sizeof path, &first, &rows, &err) == DSG_OK);
        CHECK(path[0] == '\0' && first == 0 && rows == info.rows);
    }
    dsg_table_info oi, ii;
    CHECK(dsg_dataset_table(ds, ORDERS, &oi, &err) == DSG_OK);
    CHECK(dsg_dataset_table(ds, ITEMS, &ii, &err) == DSG_OK);
    CHECK(oi.n_partitions == ii.n_partitions);
    uint64_t order_end = 0, item_end = 0;
    for (size_t p = 0; p < oi.n_partitions; p++) {
        CHECK(dsg_dataset_partition(ds, ORDERS, p, path, sizeof path, &first, &rows, &err) ==
              DSG_OK);
        CHECKF(first == order_end && rows > 0, "orders partition %zu: rows %llu..+%llu", p,
               (unsigned long long)first, (unsigned long long)rows);
        order_end = first + rows;
        expected_path(x->partitioning, i32_at(od, OR_DATE, first), want, sizeof want);
        CHECKF(strcmp(path, want) == 0, "orders partition %zu is '%s', want '%s'", p, path, want);
        CHECKF(strcmp(path, prev) > 0, "partition paths not increasing: '%s' after '%s'", path,
               prev);
        for (uint64_t r = first; r < first + rows; r++) {
            expected_path(x->partitioning, i32_at(od, OR_DATE, r), want, sizeof want);
            CHECKF(strcmp(path, want) == 0, "order row %llu of date path %s is in partition %s",
                   (unsigned long long)r, want, path);
        }
        uint64_t order_first = first, order_rows = rows;
        CHECK(dsg_dataset_partition(ds, ITEMS, p, want, sizeof want, &first, &rows, &err) ==
              DSG_OK);
        CHECKF(strcmp(path, want) == 0, "items partition %zu is '%s', orders '%s'", p, want, path);
        CHECK(first == item_end && rows > 0);
        item_end = first + rows;
        CHECK((uint64_t)i64_at(it, IT_ORDER, first) == order_first + 1);
        for (uint64_t r = first; r < first + rows; r++) {
            uint64_t order = (uint64_t)i64_at(it, IT_ORDER, r) - 1;
            CHECKF(order >= order_first && order < order_first + order_rows,
                   "item row %llu (order %llu) is in partition %s", (unsigned long long)r,
                   (unsigned long long)order + 1, path);
        }
        snprintf(prev, sizeof prev, "%s", path);
    }
    CHECK(order_end == oi.rows && item_end == ii.rows);
    /* ymd: one partition per day with orders. */
    if (strcmp(x->partitioning, "ymd") == 0) {
        size_t days_with_orders = 0;
        for (uint64_t r = 0; r < od->info.rows; r++)
            days_with_orders += r == 0 || i32_at(od, OR_DATE, r) != i32_at(od, OR_DATE, r - 1);
        CHECK(days_with_orders == oi.n_partitions);
    }
    /* A small path buffer is refused, never overrun. */
    if (oi.n_partitions > 0) {
        char small[8];
        CHECK(dsg_dataset_partition(ds, ORDERS, 0, small, sizeof small, &first, &rows, &err) ==
              DSG_EINVAL);
    }
}

static void check_dataset(const dsg_dataset *ds, const expect *x)
{
    table cu = read_whole(ds, CUSTOMERS), pr = read_whole(ds, PRODUCTS);
    table od = read_whole(ds, ORDERS), it = read_whole(ds, ITEMS);
    check_customers(&cu, parse_day(x->start));
    check_products(&pr);
    check_orders(&od, cu.info.rows, x);
    products source = {&pr, ds, NULL, pr.info.rows};
    check_items(&it, &od, &source);
    check_partitions(ds, &od, &it, x);
    table_free(&cu);
    table_free(&pr);
    table_free(&od);
    table_free(&it);
}

/* The same without reading customers and products whole: for tables too
 * large to read (products then come row by row). */
static void check_facts(const dsg_dataset *ds, const expect *x)
{
    dsg_table_info cu, pr;
    CHECK(dsg_dataset_table(ds, CUSTOMERS, &cu, NULL) == DSG_OK);
    CHECK(dsg_dataset_table(ds, PRODUCTS, &pr, NULL) == DSG_OK);
    table od = read_whole(ds, ORDERS), it = read_whole(ds, ITEMS);
    check_orders(&od, cu.rows, x);
    products source = {NULL, ds, NULL, pr.rows};
    dsg_error err;
    CHECKF(dsg_batch_create(&source.batch, ds, PRODUCTS, &err) == DSG_OK, "%s", err.message);
    check_items(&it, &od, &source);
    dsg_batch_free(source.batch);
    check_partitions(ds, &od, &it, x);
    table_free(&od);
    table_free(&it);
}

static void test_invariants(void)
{
    static const char *const partitionings[] = {"ymd", "ym", "yearmonth"};
    for (size_t i = 0; i < 3; i++) {
        const char *part = partitionings[i];
        /* Crosses months and the leap day. */
        expect fixed = {part, "2024-01-27", "2024-03-02", 37, 37};
        dsg_dataset *ds = open_dataset(OPTS({"n-customers", "60"}, {"n-products", "40"},
                                            {"orders-per-day", "37"}, {"start", "2024-01-27"},
                                            {"end", "2024-03-02"}, {"orders-partitioning", part}));
        check_dataset(ds, &fixed);
        dsg_dataset_free(ds);

        /* Range with days of zero orders, which get no partition. */
        expect range = {part, "2023-12-20", "2024-02-10", 0, 3};
        ds = open_dataset(OPTS({"n-customers", "25"}, {"n-products", "9"},
                               {"start-date", "2023-12-20"}, {"end-date", "2024-02-10"},
                               {"orders-partitioning", part}, {"orders-mode", "range"},
                               {"orders-min", "0"}, {"orders-max", "3"}));
        check_dataset(ds, &range);
        dsg_dataset_free(ds);

        /* Normal, with a floor above many samples. */
        expect normal = {part, "2024-02-01", "2024-04-30", 12, 200};
        ds =
            open_dataset(OPTS({"n-customers", "1"}, {"n-products", "1"}, {"start", "2024-02-01"},
                              {"end", "2024-04-30"}, {"orders-partitioning", part},
                              {"orders-mode", "normal"}, {"orders-mean", "10"}, {"orders-std", "8"},
                              {"orders-floor", "12"}, {"order-items-mean", "50"}));
        check_dataset(ds, &normal);
        dsg_dataset_free(ds);
    }
    /* Few items per order, a single day. */
    expect one_day = {"ymd", "2030-12-31", "2030-12-31", 500, 500};
    dsg_dataset *ds = open_dataset(OPTS({"n-customers", "3"}, {"n-products", "2"},
                                        {"orders-per-day", "500"}, {"start", "2030-12-31"},
                                        {"end", "2030-12-31"}, {"order-items-mean", "0.05"}));
    check_dataset(ds, &one_day);
    dsg_dataset_free(ds);

    /* The largest ids (whose popularity bijection needs 128-bit products),
     * and product counts on both sides of the price table's limit. */
    static const char *const n_products[] = {"10000000000", "2097152", "2097153"};
    for (size_t i = 0; i < 3; i++) {
        expect large = {"ym", "2024-01-30", "2024-02-01", 3000, 3000};
        ds = open_dataset(OPTS({"n-customers", "10000000000"}, {"n-products", n_products[i]},
                               {"orders-per-day", "3000"}, {"start", "2024-01-30"},
                               {"end", "2024-02-01"}, {"orders-partitioning", "ym"}));
        check_facts(ds, &large);
        dsg_dataset_free(ds);
    }
}

/* Per-day counts of the modes and their defaults. */
static void day_counts(const dsg_dataset *ds, uint64_t *min, uint64_t *max,
                       size_t *n_days_with_orders)
{
    table od = read_whole(ds, ORDERS);
    *min = UINT64_MAX;
    *max = 0;
    *n_days_with_orders = 0;
    for (uint64_t r = 0, run = 1; r < od.info.rows; r++, run++) {
        if (r + 1 == od.info.rows || i32_at(&od, OR_DATE, r + 1) != i32_at(&od, OR_DATE, r)) {
            *min = run < *min ? run : *min;
            *max = run > *max ? run : *max;
            ++*n_days_with_orders;
            run = 0;
        }
    }
    table_free(&od);
}

static void test_modes(void)
{
    uint64_t min, max;
    size_t days;
    /* range defaults: 0.7x and 1.3x of orders-per-day, over 200 days */
    dsg_dataset *ds = open_dataset(OPTS({"orders-per-day", "100"}, {"orders-mode", "range"},
                                        {"start", "2024-01-01"}, {"end", "2024-07-18"},
                                        {"n-customers", "10"}, {"n-products", "10"}));
    day_counts(ds, &min, &max, &days);
    CHECKF(days == 200 && min >= 70 && max <= 130 && min < 80 && max > 120, "range %llu..%llu",
           (unsigned long long)min, (unsigned long long)max);
    dsg_dataset_free(ds);
    /* range with a floor: every day at least the floor */
    ds = open_dataset(OPTS({"orders-mode", "range"}, {"orders-min", "5"}, {"orders-max", "20"},
                           {"orders-floor", "15"}, {"start", "2024-01-01"}, {"end", "2024-03-31"},
                           {"n-customers", "10"}, {"n-products", "10"}));
    day_counts(ds, &min, &max, &days);
    CHECKF(days == 91 && min == 15 && max <= 20 && max > 15, "range+floor %llu..%llu",
           (unsigned long long)min, (unsigned long long)max);
    dsg_dataset_free(ds);
    /* normal defaults: mean orders-per-day, std 10% of it */
    ds = open_dataset(OPTS({"orders-per-day", "1000"}, {"orders-mode", "normal"},
                           {"start", "2024-01-01"}, {"end", "2024-04-09"}, {"n-customers", "10"},
                           {"n-products", "10"}));
    day_counts(ds, &min, &max, &days);
    CHECKF(days == 100 && min > 600 && max < 1400 && max - min > 200, "normal %llu..%llu",
           (unsigned long long)min, (unsigned long long)max);
    dsg_dataset_free(ds);
    /* normal, mostly negative samples: zero days have no partition */
    ds = open_dataset(OPTS({"orders-mode", "normal"}, {"orders-mean", "0"}, {"orders-std", "2"},
                           {"start", "2024-01-01"}, {"end", "2024-03-31"}, {"n-customers", "10"},
                           {"n-products", "10"}));
    day_counts(ds, &min, &max, &days);
    dsg_table_info info;
    CHECK(dsg_dataset_table(ds, ORDERS, &info, NULL) == DSG_OK);
    CHECKF(days > 10 && days < 80 && info.n_partitions == days,
           "%zu days with orders, %zu partitions", days, info.n_partitions);
    dsg_dataset_free(ds);
    /* Options of another mode are accepted and ignored. */
    ds = open_dataset(OPTS({"orders-per-day", "7"}, {"orders-min", "9"}, {"orders-max", "1"},
                           {"orders-mean", "100"}, {"start", "2024-01-01"}, {"end", "2024-01-10"},
                           {"n-customers", "10"}, {"n-products", "10"}));
    day_counts(ds, &min, &max, &days);
    CHECK(days == 10 && min == 7 && max == 7);
    dsg_dataset_free(ds);
    /* Nothing at all: zero rows and no partitions, yet fills of 0 rows work. */
    ds = open_dataset(OPTS({"orders-mode", "range"}, {"orders-min", "0"}, {"orders-max", "0"},
                           {"n-customers", "10"}, {"n-products", "10"}));
    for (size_t t = ORDERS; t <= ITEMS; t++) {
        CHECK(dsg_dataset_table(ds, t, &info, NULL) == DSG_OK && info.rows == 0 &&
              info.n_partitions == 0);
        table tb = read_whole(ds, t);
        table_free(&tb);
    }
    dsg_dataset_free(ds);
}

/* The reference workload W1 and the defaults: row counts and layout. */
static void test_sizes(void)
{
    dsg_dataset *ds = open_dataset(OPTS({"n-customers", "100000"}, {"n-products", "10000"},
                                        {"orders-per-day", "20000"}, {"start", "2024-01-01"},
                                        {"end", "2024-03-31"}, {"orders-partitioning", "ym"}));
    dsg_table_info info[N_TABLES];
    for (size_t t = 0; t < N_TABLES; t++)
        CHECK(dsg_dataset_table(ds, t, &info[t], NULL) == DSG_OK);
    CHECK(info[CUSTOMERS].rows == 100000 && info[PRODUCTS].rows == 10000);
    CHECK(info[ORDERS].rows == 1820000);
    /* E[max(1, Poisson(2.6))] = 2.6 + exp(-2.6) */
    double per_order = (double)info[ITEMS].rows / (double)info[ORDERS].rows;
    CHECKF(fabs(per_order - (2.6 + exp(-2.6))) < 0.01, "%.4f items per order", per_order);
    CHECK(info[ORDERS].n_partitions == 3 && info[ITEMS].n_partitions == 3);
    char path[64];
    uint64_t first, rows;
    CHECK(dsg_dataset_partition(ds, ITEMS, 1, path, sizeof path, &first, &rows, NULL) == DSG_OK);
    CHECK(strcmp(path, "year=2024/month=02") == 0);
    CHECK(dsg_dataset_partition(ds, ORDERS, 2, path, sizeof path, &first, &rows, NULL) == DSG_OK);
    CHECK(strcmp(path, "year=2024/month=03") == 0 && first == 1820000 - 31 * 20000 &&
          rows == 31 * 20000);
    dsg_dataset_free(ds);

    ds = open_dataset(OPTS({"orders-partitioning", "yearmonth"}));
    for (size_t t = 0; t < N_TABLES; t++)
        CHECK(dsg_dataset_table(ds, t, &info[t], NULL) == DSG_OK);
    CHECK(info[CUSTOMERS].rows == 1000000 && info[PRODUCTS].rows == 50000);
    CHECK(info[ORDERS].rows == 90 * 200000ull && info[ORDERS].n_partitions == 3);
    CHECK(dsg_dataset_partition(ds, ORDERS, 0, path, sizeof path, &first, &rows, NULL) == DSG_OK);
    CHECK(strcmp(path, "yearmonth=2023-01") == 0 && first == 0 && rows == 31 * 200000ull);
    dsg_dataset_free(ds);
}

/* ---- determinism ---- */

static void test_determinism(void)
{
    /* 4 x 16384 orders: exactly one 65536-order block of the items index. */
    static const char *const per_day[] = {"16384", "16500"};
    for (size_t i = 0; i < 2; i++) {
        const option *opts =
            OPTS({"n-customers", "5000"}, {"n-products", "700"}, {"orders-per-day", per_day[i]},
                 {"start", "2024-02-27"}, {"end", i == 0 ? "2024-03-01" : "2024-03-05"},
                 {"orders-mode", i == 0 ? "fixed" : "normal"}, {"seed", "7"});
        dsg_dataset *ds = open_dataset(opts);
        dsg_dataset *twin = open_dataset(opts);
        expect x = {"ymd", "2024-02-27", i == 0 ? "2024-03-01" : "2024-03-05", i == 0 ? 16384 : 1,
                    100000};
        check_dataset(ds, &x);
        for (size_t t = 0; t < N_TABLES; t++) {
            table whole = read_whole(ds, t);
            table pieces = read_pieces(ds, t, t == ITEMS ? 9000 : 700, 100 + t);
            CHECKF(tables_equal(&whole, &pieces), "table %s: pieces differ from one fill",
                   whole.info.name);
            table_free(&pieces);
            table threads = read_threads(ds, t, 200 + t);
            CHECKF(tables_equal(&whole, &threads), "table %s: threads differ from one fill",
                   whole.info.name);
            table_free(&threads);
            table again = read_whole(twin, t);
            CHECKF(tables_equal(&whole, &again), "table %s: same seed, other values",
                   whole.info.name);
            table_free(&again);
            table_free(&whole);
        }
        dsg_dataset_free(twin);
        dsg_dataset_free(ds);
    }

    /* Another seed changes every table (and the per-day counts in range mode). */
    dsg_dataset *a = open_dataset(OPTS({"n-customers", "300"}, {"n-products", "200"},
                                       {"orders-mode", "range"}, {"orders-per-day", "50"},
                                       {"start", "2024-01-01"}, {"end", "2024-01-20"}));
    dsg_dataset *b = open_dataset(OPTS(
        {"n-customers", "300"}, {"n-products", "200"}, {"orders-mode", "range"},
        {"orders-per-day", "50"}, {"start", "2024-01-01"}, {"end", "2024-01-20"}, {"seed", "43"}));
    for (size_t t = 0; t < N_TABLES; t++) {
        table x = read_whole(a, t), y = read_whole(b, t);
        CHECKF(!tables_equal(&x, &y), "table %s is the same under seeds 42 and 43", x.info.name);
        table_free(&x);
        table_free(&y);
    }
    dsg_table_info ia, ib;
    CHECK(dsg_dataset_table(a, ORDERS, &ia, NULL) == DSG_OK &&
          dsg_dataset_table(b, ORDERS, &ib, NULL) == DSG_OK);
    CHECK(ia.rows != ib.rows);
    dsg_dataset_free(a);
    dsg_dataset_free(b);
}

/* ---- realism ---- */

/* The sum of the largest 1% of counts[0..n). */
static uint64_t top_percent(const uint64_t *counts, uint64_t n)
{
    uint64_t *sorted = malloc(n * sizeof *sorted);
    CHECK(sorted != NULL);
    memcpy(sorted, counts, n * sizeof *sorted);
    uint64_t sum = 0;
    for (uint64_t k = 0; k < n / 100; k++) { /* partial selection sort */
        uint64_t best = k;
        for (uint64_t j = k + 1; j < n; j++)
            best = sorted[j] > sorted[best] ? j : best;
        uint64_t tmp = sorted[k];
        sorted[k] = sorted[best];
        sorted[best] = tmp;
        sum += sorted[k];
    }
    free(sorted);
    return sum;
}

static void test_realism(void)
{
    dsg_dataset *ds = open_dataset(OPTS({"n-customers", "20000"}, {"n-products", "2000"},
                                        {"orders-per-day", "2000"}, {"start", "2024-05-01"},
                                        {"end", "2024-05-30"}));
    table cu = read_whole(ds, CUSTOMERS), pr = read_whole(ds, PRODUCTS);
    table od = read_whole(ds, ORDERS), it = read_whole(ds, ITEMS);
    double n_orders = (double)od.info.rows;

    uint64_t completed = 0, returned = 0, evening = 0, night = 0;
    uint64_t *customer_orders = calloc(cu.info.rows, sizeof *customer_orders);
    CHECK(customer_orders != NULL);
    for (uint64_t r = 0; r < od.info.rows; r++) {
        completed += strcmp(str_at(&od, OR_STATUS, r), "completed") == 0;
        returned += strcmp(str_at(&od, OR_STATUS, r), "returned") == 0;
        int hour = i16_at(&od, OR_HOUR, r);
        evening += hour >= 18 && hour <= 22;
        night += hour >= 1 && hour <= 5;
        customer_orders[i64_at(&od, OR_CUSTOMER, r) - 1]++;
    }
    CHECKF(fabs(completed / n_orders - 0.90) < 0.01, "completed %.4f", completed / n_orders);
    CHECKF(fabs(returned / n_orders - 0.06) < 0.005, "returned %.4f", returned / n_orders);
    CHECKF(evening > 10 * night, "evening %llu, night %llu", (unsigned long long)evening,
           (unsigned long long)night);

    /* Popularity: the busiest 1% of customers place far more than 1% of
     * orders, and the busiest customers are not simply the lowest ids. */
    uint64_t top_share = top_percent(customer_orders, cu.info.rows), low_ids = 0;
    for (uint64_t k = 0; k < cu.info.rows / 100; k++)
        low_ids += customer_orders[k];
    CHECKF(top_share > 0.05 * n_orders, "top 1%% of customers: %llu orders",
           (unsigned long long)top_share);
    CHECKF(low_ids < 0.03 * n_orders, "lowest 1%% of ids: %llu orders",
           (unsigned long long)low_ids);
    free(customer_orders);

    check_customers(&cu, parse_day("2024-05-01"));
    uint64_t vip = 0, us = 0;
    int32_t signup_min = INT32_MAX, signup_max = INT32_MIN;
    for (uint64_t r = 0; r < cu.info.rows; r++) {
        vip += u8_at(&cu, CU_VIP, r);
        us += strcmp(str_at(&cu, CU_COUNTRY, r), "US") == 0;
        int32_t signup = i32_at(&cu, CU_SIGNUP, r);
        signup_min = signup < signup_min ? signup : signup_min;
        signup_max = signup > signup_max ? signup : signup_max;
    }
    /* Signups spread over the three years before --start. */
    CHECKF(signup_max == parse_day("2024-04-30") && signup_min < parse_day("2024-05-01") - 1000,
           "signups %d..%d", signup_min, signup_max);
    CHECKF(fabs((double)vip / (double)cu.info.rows - 0.05) < 0.01, "vip %llu",
           (unsigned long long)vip);
    CHECKF(us > cu.info.rows / 4 && us < cu.info.rows / 3, "US %llu", (unsigned long long)us);

    uint64_t active = 0;
    size_t n_categories = 0;
    const char *categories[32];
    double log_price_sum = 0;
    for (uint64_t r = 0; r < pr.info.rows; r++) {
        active += u8_at(&pr, PR_ACTIVE, r);
        log_price_sum += log(f64_at(&pr, PR_PRICE, r));
        const char *category = str_at(&pr, PR_CATEGORY, r);
        size_t i = 0;
        while (i < n_categories && strcmp(categories[i], category) != 0)
            i++;
        if (i == n_categories) {
            CHECK(n_categories < 32);
            categories[n_categories++] = category;
        }
    }
    CHECKF(fabs((double)active / (double)pr.info.rows - 0.98) < 0.01, "active %llu",
           (unsigned long long)active);
    CHECKF(n_categories == 10, "%zu categories", n_categories);
    double mu = log_price_sum / (double)pr.info.rows;
    CHECKF(fabs(mu - 3.0) < 0.05, "mean log price %.3f", mu);

    /* Products are more skewed than customers: the top 1% sell > 15%. */
    uint64_t *product_items = calloc(pr.info.rows, sizeof *product_items);
    CHECK(product_items != NULL);
    uint64_t qty_one = 0;
    for (uint64_t r = 0; r < it.info.rows; r++) {
        qty_one += i16_at(&it, IT_QTY, r) == 1;
        product_items[i64_at(&it, IT_PRODUCT, r) - 1]++;
    }
    CHECKF(top_percent(product_items, pr.info.rows) > 0.15 * (double)it.info.rows,
           "top 1%% of products: %llu items",
           (unsigned long long)top_percent(product_items, pr.info.rows));
    free(product_items);
    CHECKF(qty_one > it.info.rows / 2 && qty_one < it.info.rows * 6 / 10, "qty 1: %llu",
           (unsigned long long)qty_one);

    table_free(&cu);
    table_free(&pr);
    table_free(&od);
    table_free(&it);
    dsg_dataset_free(ds);

    /* Every id occurs, skew or not. */
    ds = open_dataset(OPTS({"n-customers", "40"}, {"n-products", "30"}, {"orders-per-day", "400"},
                           {"start", "2024-01-01"}, {"end", "2024-01-10"}));
    od = read_whole(ds, ORDERS);
    it = read_whole(ds, ITEMS);
    bool seen_customer[41] = {false}, seen_product[31] = {false};
    for (uint64_t r = 0; r < od.info.rows; r++)
        seen_customer[i64_at(&od, OR_CUSTOMER, r)] = true;
    for (uint64_t r = 0; r < it.info.rows; r++)
        seen_product[i64_at(&it, IT_PRODUCT, r)] = true;
    for (int id = 1; id <= 40; id++)
        CHECKF(seen_customer[id], "customer %d never orders", id);
    for (int id = 1; id <= 30; id++)
        CHECKF(seen_product[id], "product %d never sold", id);
    table_free(&od);
    table_free(&it);
    dsg_dataset_free(ds);
}

/* ---- option errors ---- */

static void expect_set_error(const char *name, const char *value)
{
    dsg_dataset *ds = NULL;
    dsg_error err;
    CHECK(dsg_dataset_create(&ds, "ecommerce", &err) == DSG_OK);
    dsg_error_clear(&err);
    dsg_status st = dsg_dataset_set(ds, name, value, &err);
    char needle[64];
    snprintf(needle, sizeof needle, "--%s", name);
    CHECKF(st == DSG_EINVAL && err.status == DSG_EINVAL, "--%s %s gave status %d", name, value, st);
    CHECKF(strstr(err.message, needle) != NULL, "--%s %s: message '%s'", name, value, err.message);
    dsg_dataset_free(ds);
}

static void expect_prepare_error(const option *opts, const char *needle)
{
    dsg_dataset *ds = NULL;
    dsg_error err;
    CHECK(dsg_dataset_create(&ds, "ecommerce", &err) == DSG_OK);
    for (const option *o = opts; o->name != NULL; o++)
        CHECKF(dsg_dataset_set(ds, o->name, o->value, &err) == DSG_OK, "%s", err.message);
    dsg_error_clear(&err);
    dsg_status st = dsg_dataset_prepare(ds, &err);
    CHECKF(st == DSG_EINVAL, "prepare gave status %d, want DSG_EINVAL ('%s')", st, needle);
    CHECKF(strstr(err.message, needle) != NULL, "message '%s' lacks '%s'", err.message, needle);
    dsg_dataset_free(ds);
}

static void test_errors(void)
{
    static const option bad[] = {
        {"seed", "-1"},
        {"seed", "abc"},
        {"seed", "18446744073709551616"},
        {"n-customers", "0"},
        {"n-customers", "10000000001"},
        {"n-customers", "12x"},
        {"n-products", "0"},
        {"n-products", "-5"},
        {"n-products", "99999999999"},
        {"orders-per-day", "0"},
        {"orders-per-day", "1000000001"},
        {"orders-per-day", ""},
        {"order-items-mean", "0"},
        {"order-items-mean", "-1"},
        {"order-items-mean", "50.5"},
        {"order-items-mean", "nan"},
        {"order-items-mean", "2.6x"},
        {"start", "2023-02-29"},
        {"start", "2024-13-01"},
        {"start", "2024-1-01"},
        {"start", "yesterday"},
        {"end", "2024-04-31"},
        {"start-date", "2024-00-10"},
        {"end-date", "20240101"},
        {"orders-partitioning", "ymdh"},
        {"orders-partitioning", "YMD"},
        {"orders-partitioning", ""},
        {"orders-mode", "poisson"},
        {"orders-min", "-1"},
        {"orders-max", "1000000001"},
        {"orders-mean", "-3"},
        {"orders-mean", "1e10"},
        {"orders-std", "-0.5"},
        {"orders-std", "x"},
        {"orders-floor", "1000000001"},
        {"orders-floor", "1.5"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_set_error(bad[i].name, bad[i].value);

    dsg_dataset *ds = NULL;
    dsg_error err;
    CHECK(dsg_dataset_create(&ds, "ecommerce", &err) == DSG_OK);
    CHECK(dsg_dataset_set(ds, "rows", "10", &err) == DSG_EINVAL &&
          strstr(err.message, "--rows") != NULL);
    dsg_dataset_free(ds);

    expect_prepare_error(OPTS({"start", "2024-02-01"}, {"end", "2024-01-01"}),
                         "--start 2024-02-01 is after --end 2024-01-01");
    expect_prepare_error(OPTS({"start-date", "2024-02-01"}, {"end", "2024-01-31"}),
                         "--start-date 2024-02-01 is after --end 2024-01-31");
    expect_prepare_error(OPTS({"start", "2000-01-01"}, {"end", "2273-10-16"}), "at most 100000");
    expect_prepare_error(OPTS({"orders-mode", "range"}, {"orders-min", "10"}, {"orders-max", "9"}),
                         "--orders-min 10 is above --orders-max 9");
    expect_prepare_error(OPTS({"orders-mode", "range"}, {"orders-min", "300000"}),
                         "--orders-max 260000");
    expect_prepare_error(
        OPTS({"orders-per-day", "1000000000"}, {"start", "2024-01-01"}, {"end", "2026-09-27"}),
        "10^12");
    /* The longest range accepted: 100000 days. */
    ds =
        open_dataset(OPTS({"orders-per-day", "1"}, {"start", "2000-01-01"}, {"end", "2273-10-15"}));
    dsg_table_info info;
    CHECK(dsg_dataset_table(ds, ORDERS, &info, NULL) == DSG_OK && info.rows == 100000);
    dsg_dataset_free(ds);
}

/* ---- allocation failures ---- */

static long allocations_left = -1; /* < 0: no limit */

static void *counting_malloc(void *opaque, size_t size)
{
    (void)opaque;
    if (allocations_left == 0)
        return NULL;
    if (allocations_left > 0)
        allocations_left--;
    return malloc(size);
}
static void *counting_realloc(void *opaque, void *ptr, size_t size)
{
    (void)opaque;
    if (allocations_left == 0)
        return NULL;
    if (allocations_left > 0)
        allocations_left--;
    return realloc(ptr, size);
}
static void counting_free(void *opaque, void *ptr)
{
    (void)opaque;
    free(ptr);
}

static dsg_status run_all(void)
{
    dsg_dataset *ds = NULL;
    dsg_error err;
    dsg_status st = dsg_dataset_create(&ds, "ecommerce", &err);
    static const option opts[] = {{"n-customers", "100"},
                                  {"n-products", "50"},
                                  {"orders-per-day", "30"},
                                  {"start", "2024-01-30"},
                                  {"end", "2024-02-02"}};
    for (size_t i = 0; st == DSG_OK && i < sizeof opts / sizeof opts[0]; i++)
        st = dsg_dataset_set(ds, opts[i].name, opts[i].value, &err);
    if (st == DSG_OK)
        st = dsg_dataset_prepare(ds, &err);
    for (size_t t = 0; st == DSG_OK && t < N_TABLES; t++) {
        dsg_batch *b = NULL;
        const dsg_array *arrays;
        dsg_table_info info;
        st = dsg_batch_create(&b, ds, t, &err);
        if (st == DSG_OK)
            st = dsg_dataset_table(ds, t, &info, &err);
        if (st == DSG_OK)
            st = dsg_dataset_fill(ds, t, 0, (size_t)info.rows, b, &arrays, &err);
        dsg_batch_free(b);
    }
    dsg_dataset_free(ds);
    CHECKF(st == DSG_OK || st == DSG_ENOMEM, "status %d: %s", st, err.message);
    return st;
}

static void test_allocation_failures(void)
{
    dsg_allocator counting = {counting_malloc, counting_realloc, counting_free, NULL};
    dsg_set_allocator(&counting);
    long n = 0;
    for (;; n++) {
        allocations_left = n;
        if (run_all() == DSG_OK)
            break;
        CHECK(n < 1000);
    }
    allocations_left = -1;
    dsg_set_allocator(NULL);
    CHECKF(n > 5, "only %ld allocations", n);
}

int main(void)
{
    test_schema();
    test_invariants();
    test_modes();
    test_sizes();
    test_determinism();
    test_realism();
    test_errors();
    test_allocation_failures();
    printf("test_ecommerce: all checks passed\n");
    return 0;
}
