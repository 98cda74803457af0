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
enum { PR_ID, PR_SKU, PR_CATEGORY, PR_PRICE, PR_DISCOUNT, PR_ACTIVE, PR_NAME, PR_BRAND, PR_RETIRED };
enum { OR_ID, OR_CUSTOMER, OR_DATE, OR_HOUR, OR_STATUS, OR_AMOUNT, OR_TS };
enum { IT_ID, IT_ORDER, IT_PRODUCT, IT_QTY, IT_DATE, IT_UNIT_PRICE, IT_LINE_AMOUNT };

#define MAX_COLS 9
#define SIGNUP_WINDOW_DAYS 1095
#define RETURN_DELAY_MIN 2

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
    uint8_t *valid;  /* nullable columns: 1 where a value is present */
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
    case DSG_TIMESTAMP:
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
        if (tb->info.fields[c].flags & DSG_FIELD_NULLABLE)
            CHECK((col->valid = calloc(rows + 1, 1)) != NULL);
        if (col->width != 0)
            CHECK((col->values = calloc(rows + 1, col->width)) != NULL);
        else
            CHECK((col->strings = calloc(rows + 1, sizeof(char *))) != NULL);
    }
}

static void table_free(table *tb)
{
    for (size_t c = 0; c < tb->info.n_fields; c++) {
        free(tb->cols[c].valid);
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
        CHECK(a->type == col->type && a->length == n && (a->valid == NULL) == (col->valid == NULL));
        if (col->valid != NULL && n > 0)
            memcpy(col->valid + first, a->valid, n);
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
        if (x->valid != NULL && memcmp(x->valid, y->valid, (size_t)a->info.rows) != 0)
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
         {DSG_FIELD_NO_DICT, DSG_FIELD_NO_DICT, DSG_FIELD_NO_DICT, 0, 0, 0},
         6},
        {"products",
         {"product_id", "sku", "category", "price", "discount", "active", "name", "brand",
          "retired_on"},
         {DSG_INT64, DSG_STRING, DSG_STRING, DSG_DOUBLE, DSG_DOUBLE, DSG_BOOL, DSG_STRING,
          DSG_STRING, DSG_DATE},
         {DSG_FIELD_NO_DICT, DSG_FIELD_NO_DICT, 0, 0, 0, 0, 0, 0, DSG_FIELD_NULLABLE},
         9},
        {"orders",
         {"order_id", "customer_id", "order_date", "hour_of_day", "status", "amount", "order_ts"},
         {DSG_INT64, DSG_INT64, DSG_DATE, DSG_INT16, DSG_STRING, DSG_DOUBLE, DSG_TIMESTAMP},
         {DSG_FIELD_NO_DICT, DSG_FIELD_NO_DICT, 0, 0, 0, 0, DSG_FIELD_NO_DICT},
         7},
        {"order_items",
         {"order_item_id", "order_id", "product_id", "qty", "order_date", "unit_price",
          "line_amount"},
         {DSG_INT64, DSG_INT64, DSG_INT64, DSG_INT16, DSG_DATE, DSG_DOUBLE, DSG_DOUBLE},
         {DSG_FIELD_NO_DICT, DSG_FIELD_NO_DICT, 0, 0, 0, 0, 0},
         7},
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
        "orders-floor", "orders-seasonality", "origin",
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
    const char *origin;        /* NULL: start */
    uint64_t n_customers;      /* the option (signed up before the origin) */
} expect;

static bool is_two_decimals(double x) { return round(x * 100.0) / 100.0 == x; }
static int64_t cents_of(double x) { return (int64_t)llround(x * 100.0); }

/* Lowercase ASCII letters of an ASCII text. */
static size_t letters_of(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = s; *p && n + 1 < cap; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
            out[n++] = (char)(*p | 0x20);
    out[n] = '\0';
    return n;
}

/* Customers: ids dense from the run's first id, in signup order: ids up to
 * n-customers in the window before the origin, later ones from the origin
 * to the end; e-mails made from the name. */
static void check_customers(const table *cu, const expect *x)
{
    static const char *const domains[] = {"example.com", "example.net", "example.org",
                                          "mail.example", "shop.example"};
    int32_t origin = parse_day(x->origin ? x->origin : x->start), end = parse_day(x->end);
    int64_t first_id = cu->info.rows ? i64_at(cu, CU_ID, 0) : 1;
    for (uint64_t r = 0; r < cu->info.rows; r++) {
        int64_t id = i64_at(cu, CU_ID, r);
        CHECKF(id == first_id + (int64_t)r, "customer_id at row %llu", (unsigned long long)r);
        const char *name = str_at(cu, CU_NAME, r), *email = str_at(cu, CU_EMAIL, r);
        const char *space = strchr(name, ' ');
        CHECKF(space != NULL && space > name && space[1] != '\0', "name '%s'", name);
        /* email: given.surname<id>@domain, lowercase ASCII */
        const char *at = strchr(email, '@');
        CHECKF(at != NULL, "email '%s'", email);
        char id_text[24];
        int id_len = snprintf(id_text, sizeof id_text, "%lld", (long long)id);
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
        /* An ASCII name gives the e-mail's letters, less a middle initial:
         * "Anna van den Berg" anna.vandenberg, "James R. O'Brien"
         * james.obrien, "Ana Clara Silva Santos" anaclara.silvasantos. */
        bool ascii = true;
        for (const char *p = name; *p; p++)
            ascii &= (unsigned char)*p < 0x80;
        if (ascii) {
            char plain[160] = "", want[160], got[160];
            size_t n = 0;
            for (const char *p = name; *p;) { /* drop "X. " */
                if (p[0] >= 'A' && p[0] <= 'Z' && p[1] == '.' && p[2] == ' ' &&
                    (p == name || p[-1] == ' ')) {
                    p += 3;
                    continue;
                }
                if (n + 1 < sizeof plain)
                    plain[n++] = *p;
                p++;
            }
            plain[n] = '\0';
            letters_of(plain, want, sizeof want);
            char local[160];
            size_t len = (size_t)(at - id_len - email);
            CHECK(len < sizeof local);
            memcpy(local, email, len);
            local[len] = '\0';
            letters_of(local, got, sizeof got);
            CHECKF(strcmp(want, got) == 0, "email '%s' of '%s'", email, name);
        }
        int32_t signup = i32_at(cu, CU_SIGNUP, r);
        if ((uint64_t)id <= x->n_customers)
            CHECKF(signup >= origin - SIGNUP_WINDOW_DAYS && signup < origin,
                   "signup_date %d of customer %lld", signup, (long long)id);
        else
            CHECKF(signup >= origin && signup <= end, "signup_date %d of new customer %lld",
                   signup, (long long)id);
        CHECKF(r == 0 || signup >= i32_at(cu, CU_SIGNUP, r - 1), "signups not in id order at %lld",
               (long long)id);
        const char *country = str_at(cu, CU_COUNTRY, r);
        CHECKF(strlen(country) == 2 && country[0] >= 'A' && country[0] <= 'Z' &&
                   country[1] >= 'A' && country[1] <= 'Z',
               "country '%s'", country);
        CHECK(u8_at(cu, CU_VIP, r) <= 1);
    }
}

static void check_products(const table *pr, const char *end_text)
{
    int32_t end = parse_day(end_text);
    for (uint64_t r = 0; r < pr->info.rows; r++) {
        CHECK(i64_at(pr, PR_ID, r) == (int64_t)r + 1);
        char sku[32];
        snprintf(sku, sizeof sku, "SKU-%08llu", (unsigned long long)r + 1);
        CHECKF(strcmp(str_at(pr, PR_SKU, r), sku) == 0, "sku '%s'", str_at(pr, PR_SKU, r));
        CHECK(str_at(pr, PR_CATEGORY, r)[0] != '\0');
        double price = f64_at(pr, PR_PRICE, r), discount = f64_at(pr, PR_DISCOUNT, r);
        CHECKF(price >= 0.01 && price < 10000 && is_two_decimals(price), "price %.17g", price);
        int64_t ending = cents_of(price) % 100;
        CHECKF(ending == 99 || ending == 95 || ending == 49 || ending == 29, "price %.2f", price);
        int64_t pct = cents_of(discount);
        CHECKF(pct >= 0 && pct <= 60 && pct % 5 == 0 && discount == (double)pct / 100.0,
               "discount %.17g", discount);
        CHECK(u8_at(pr, PR_ACTIVE, r) <= 1);
        const char *name = str_at(pr, PR_NAME, r), *brand = str_at(pr, PR_BRAND, r);
        CHECKF(brand[0] != '\0' && strncmp(name, brand, strlen(brand)) == 0 &&
                   name[strlen(brand)] == ' ',
               "product name '%s' of brand '%s'", name, brand);
        bool retired = pr->cols[PR_RETIRED].valid[r];
        CHECKF(retired == !u8_at(pr, PR_ACTIVE, r), "product %llu: active and retired_on",
               (unsigned long long)r + 1);
        CHECK(!retired || i32_at(pr, PR_RETIRED, r) <= end);
    }
}

static void check_orders(const table *od, uint64_t n_customers, const expect *x,
                         uint64_t first_order)
{
    int32_t start = parse_day(x->start), end = parse_day(x->end);
    size_t n_days = (size_t)(end - start + 1);
    uint64_t *per_day = calloc(n_days, sizeof *per_day);
    CHECK(per_day != NULL);
    for (uint64_t r = 0; r < od->info.rows; r++) {
        CHECKF(i64_at(od, OR_ID, r) == (int64_t)(first_order + r), "order_id at row %llu",
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
        /* order_ts (UTC) is the local date and hour less a zone offset
         * between UTC-8 and UTC+10 */
        int64_t ts = i64_at(od, OR_TS, r);
        CHECKF(ts % 1000000 == 0, "order_ts %lld", (long long)ts);
        int64_t shift = ts / 1000000 - ((int64_t)date * 86400 + hour * 3600);
        CHECKF(shift > -10 * 3600 - 3600 && shift < 8 * 3600 + 3600, "order_ts %lld, date %d hour %d",
               (long long)ts, date, hour);
        const char *status = str_at(od, OR_STATUS, r);
        CHECKF(strcmp(status, "completed") == 0 || strcmp(status, "returned") == 0 ||
                   strcmp(status, "cancelled") == 0,
               "status '%s'", status);
        CHECKF(strcmp(status, "returned") != 0 || date + RETURN_DELAY_MIN <= end,
               "order %lld of day %d already returned", (long long)i64_at(od, OR_ID, r), date);
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

typedef struct product_row {
    double price, discount;
    bool retired;
    int32_t retired_on;
} product_row;

static product_row product_values(products *src, uint64_t id)
{
    product_row p;
    if (src->whole != NULL) {
        p.price = f64_at(src->whole, PR_PRICE, id - 1);
        p.discount = f64_at(src->whole, PR_DISCOUNT, id - 1);
        p.retired = src->whole->cols[PR_RETIRED].valid[id - 1];
        p.retired_on = i32_at(src->whole, PR_RETIRED, id - 1);
        return p;
    }
    const dsg_array *arrays;
    dsg_error err;
    CHECKF(dsg_dataset_fill(src->ds, PRODUCTS, id - 1, 1, src->batch, &arrays, &err) == DSG_OK,
           "%s", err.message);
    CHECK(((const int64_t *)arrays[PR_ID].values)[0] == (int64_t)id);
    p.price = ((const double *)arrays[PR_PRICE].values)[0];
    p.discount = ((const double *)arrays[PR_DISCOUNT].values)[0];
    p.retired = arrays[PR_RETIRED].valid[0];
    p.retired_on = ((const int32_t *)arrays[PR_RETIRED].values)[0];
    CHECK(p.price >= 0.01 && is_two_decimals(p.price) && p.discount >= 0.0 && p.discount <= 0.6);
    return p;
}

/* Items: dense keys, every order has items, in order; unit prices, line
 * amounts and order amounts recomputed in cents; no sale of a product on or
 * after its retirement. */
static void check_items(const table *it, const table *od, products *pr)
{
    uint64_t n_orders = od->info.rows, n_products = pr->rows;
    int64_t *total = calloc(n_orders + 1, sizeof *total);
    CHECK(total != NULL);
    int64_t order_base = n_orders ? i64_at(od, OR_ID, 0) : 1; /* first order_id */
    int64_t item_base = it->info.rows ? i64_at(it, IT_ID, 0) : 1;
    CHECK(n_orders == 0 || i64_at(it, IT_ORDER, 0) == order_base);
    for (uint64_t r = 0; r < it->info.rows; r++) {
        CHECKF(i64_at(it, IT_ID, r) == item_base + (int64_t)r, "order_item_id at row %llu",
               (unsigned long long)r);
        int64_t order = i64_at(it, IT_ORDER, r);
        CHECKF(r == 0 || order == i64_at(it, IT_ORDER, r - 1) ||
                   order == i64_at(it, IT_ORDER, r - 1) + 1,
               "order_id jumps at item row %llu", (unsigned long long)r);
        CHECK(order >= order_base && (uint64_t)(order - order_base) < n_orders);
        int64_t product = i64_at(it, IT_PRODUCT, r);
        CHECKF(product >= 1 && (n_products == 0 || (uint64_t)product <= n_products),
               "product_id %lld", (long long)product);
        int16_t qty = i16_at(it, IT_QTY, r);
        CHECKF(qty >= 1 && qty <= 5, "qty %d", qty);
        CHECKF(i32_at(it, IT_DATE, r) == i32_at(od, OR_DATE, (uint64_t)(order - order_base)),
               "item row %llu: order_date is not its order's", (unsigned long long)r);
        /* an increment has no products table: its unit prices are taken as
         * they are (test_increment compares them with the whole run's) */
        product_row p = {0, 0, false, 0};
        int64_t unit = cents_of(f64_at(it, IT_UNIT_PRICE, r));
        if (n_products > 0) {
            p = product_values(pr, (uint64_t)product);
            unit = (cents_of(p.price) * (100 - cents_of(p.discount)) + 50) / 100;
        }
        CHECKF(f64_at(it, IT_UNIT_PRICE, r) == (double)unit / 100.0,
               "item %llu: unit_price %.17g, product gives %lld cents", (unsigned long long)r,
               f64_at(it, IT_UNIT_PRICE, r), (long long)unit);
        CHECKF(f64_at(it, IT_LINE_AMOUNT, r) == (double)(unit * qty) / 100.0,
               "item %llu: line_amount %.17g", (unsigned long long)r, f64_at(it, IT_LINE_AMOUNT, r));
        total[order - order_base] += unit * qty;
        int32_t date = i32_at(od, OR_DATE, (uint64_t)(order - order_base));
        CHECKF(!p.retired || date < p.retired_on, "product %lld sold on day %d, retired on %d",
               (long long)product, date, p.retired_on);
    }
    CHECK(it->info.rows == 0
              ? n_orders == 0
              : i64_at(it, IT_ORDER, it->info.rows - 1) == order_base + (int64_t)n_orders - 1);
    for (uint64_t o = 0; o < n_orders; o++)
        CHECKF(f64_at(od, OR_AMOUNT, o) == (double)total[o] / 100.0,
               "order %llu: amount %.17g, items give %lld cents", (unsigned long long)o + 1,
               f64_at(od, OR_AMOUNT, o), (long long)total[o]);
    free(total);
}

/* No order before its customer's signup (customers of this run, by id). */
static void check_signups(const table *cu, const table *od)
{
    if (cu->info.rows == 0)
        return;
    int64_t first_id = i64_at(cu, CU_ID, 0);
    for (uint64_t r = 0; r < od->info.rows; r++) {
        int64_t customer = i64_at(od, OR_CUSTOMER, r);
        if (customer < first_id)
            continue; /* an earlier run's customer, signed up before this run */
        CHECK((uint64_t)(customer - first_id) < cu->info.rows);
        int32_t signup = i32_at(cu, CU_SIGNUP, (uint64_t)(customer - first_id));
        CHECKF(signup <= i32_at(od, OR_DATE, r), "order %lld of day %d before signup %d",
               (long long)i64_at(od, OR_ID, r), i32_at(od, OR_DATE, r), signup);
    }
}

static void check_partitions(const dsg_dataset *ds, const table *od, const table *it,
                             const expect *x)
{
    dsg_error err;
    char path[128], want[128], prev[128] = "";
    uint64_t first, rows;
    for (size_t t = CUSTOMERS; t <= PRODUCTS; t++) {
        dsg_table_info info;
        CHECK(dsg_dataset_table(ds, t, &info, &err) == DSG_OK);
        CHECK(info.n_partitions == (info.rows > 0));
        if (info.rows == 0)
            continue;
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
        CHECK(i64_at(it, IT_ORDER, first) == i64_at(od, OR_ID, order_first));
        for (uint64_t r = first; r < first + rows; r++) {
            uint64_t order = (uint64_t)(i64_at(it, IT_ORDER, r) - i64_at(od, OR_ID, 0));
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

static uint64_t first_order_id(const dsg_dataset *ds)
{
    dsg_table_info info;
    CHECK(dsg_dataset_table(ds, ORDERS, &info, NULL) == DSG_OK);
    if (info.rows == 0)
        return 1;
    dsg_batch *b = NULL;
    const dsg_array *arrays;
    CHECK(dsg_batch_create(&b, ds, ORDERS, NULL) == DSG_OK);
    CHECK(dsg_dataset_fill(ds, ORDERS, 0, 1, b, &arrays, NULL) == DSG_OK);
    uint64_t id = (uint64_t)((const int64_t *)arrays[OR_ID].values)[0];
    dsg_batch_free(b);
    return id;
}

static void check_dataset(const dsg_dataset *ds, const expect *x)
{
    table cu = read_whole(ds, CUSTOMERS), pr = read_whole(ds, PRODUCTS);
    table od = read_whole(ds, ORDERS), it = read_whole(ds, ITEMS);
    check_customers(&cu, x);
    check_products(&pr, x->end);
    /* the highest customer id; an increment without signups: a loose bound */
    uint64_t last_customer =
        cu.info.rows ? (uint64_t)i64_at(&cu, CU_ID, cu.info.rows - 1) : 2 * x->n_customers;
    check_orders(&od, last_customer, x, x->origin ? first_order_id(ds) : 1);
    check_signups(&cu, &od);
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
    check_orders(&od, cu.rows, x, 1);
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
        expect fixed = {part, "2024-01-27", "2024-03-02", 37, 37, NULL, 60};
        dsg_dataset *ds = open_dataset(
            OPTS({"n-customers", "60"}, {"n-products", "40"}, {"orders-per-day", "37"},
                 {"start", "2024-01-27"}, {"end", "2024-03-02"}, {"orders-partitioning", part},
                 {"orders-seasonality", "off"}));
        check_dataset(ds, &fixed);
        dsg_dataset_free(ds);

        /* The same with the calendar: counts around the mean. */
        expect seasonal = {part, "2024-01-27", "2024-03-02", 20, 60, NULL, 60};
        ds = open_dataset(OPTS({"n-customers", "60"}, {"n-products", "40"},
                               {"orders-per-day", "37"}, {"start", "2024-01-27"},
                               {"end", "2024-03-02"}, {"orders-partitioning", part}));
        check_dataset(ds, &seasonal);
        dsg_dataset_free(ds);

        /* An increment: history from an earlier origin, around Black Friday. */
        expect increment = {part, "2024-11-20", "2024-12-03", 40, 600, "2024-09-01", 90};
        ds = open_dataset(OPTS({"n-customers", "90"}, {"n-products", "60"},
                               {"orders-per-day", "100"}, {"origin", "2024-09-01"},
                               {"start", "2024-11-20"}, {"end", "2024-12-03"},
                               {"orders-partitioning", part}));
        check_dataset(ds, &increment);
        dsg_dataset_free(ds);

        /* Range with days of zero orders, which get no partition. */
        expect range = {part, "2023-12-20", "2024-02-10", 0, 3, NULL, 25};
        ds = open_dataset(OPTS({"n-customers", "25"}, {"n-products", "9"},
                               {"start-date", "2023-12-20"}, {"end-date", "2024-02-10"},
                               {"orders-partitioning", part}, {"orders-mode", "range"},
                               {"orders-min", "0"}, {"orders-max", "3"},
                               {"orders-seasonality", "off"}));
        check_dataset(ds, &range);
        dsg_dataset_free(ds);

        /* Normal, with a floor above many samples. */
        expect normal = {part, "2024-02-01", "2024-04-30", 12, 200, NULL, 1};
        ds = open_dataset(OPTS({"n-customers", "1"}, {"n-products", "1"}, {"start", "2024-02-01"},
                               {"end", "2024-04-30"}, {"orders-partitioning", part},
                               {"orders-mode", "normal"}, {"orders-mean", "10"},
                               {"orders-std", "8"}, {"orders-floor", "12"},
                               {"order-items-mean", "50"}));
        check_dataset(ds, &normal);
        dsg_dataset_free(ds);
    }
    /* Few items per order, a single day. */
    expect one_day = {"ymd", "2030-12-31", "2030-12-31", 500, 500, NULL, 3};
    dsg_dataset *ds = open_dataset(OPTS({"n-customers", "3"}, {"n-products", "2"},
                                        {"orders-per-day", "500"}, {"start", "2030-12-31"},
                                        {"end", "2030-12-31"}, {"order-items-mean", "0.05"},
                                        {"orders-seasonality", "off"}));
    check_dataset(ds, &one_day);
    dsg_dataset_free(ds);

    /* The largest ids, and product counts on both sides of the price
     * table's limit. */
    static const char *const n_products[] = {"10000000000", "2097152", "2097153"};
    for (size_t i = 0; i < 3; i++) {
        expect large = {"ym", "2024-01-30", "2024-02-01", 3000, 3000, NULL, 10000000000ull};
        ds = open_dataset(OPTS({"n-customers", "10000000000"}, {"n-products", n_products[i]},
                               {"orders-per-day", "3000"}, {"start", "2024-01-30"},
                               {"end", "2024-02-01"}, {"orders-partitioning", "ym"},
                               {"orders-seasonality", "off"}));
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
    dsg_dataset *ds = open_dataset(OPTS({"orders-seasonality", "off"}, {"orders-per-day", "100"}, {"orders-mode", "range"},
                                        {"start", "2024-01-01"}, {"end", "2024-07-18"},
                                        {"n-customers", "10"}, {"n-products", "10"}));
    day_counts(ds, &min, &max, &days);
    CHECKF(days == 200 && min >= 70 && max <= 130 && min < 80 && max > 120, "range %llu..%llu",
           (unsigned long long)min, (unsigned long long)max);
    dsg_dataset_free(ds);
    /* range with a floor: every day at least the floor */
    ds = open_dataset(OPTS({"orders-seasonality", "off"}, {"orders-mode", "range"}, {"orders-min", "5"}, {"orders-max", "20"},
                           {"orders-floor", "15"}, {"start", "2024-01-01"}, {"end", "2024-03-31"},
                           {"n-customers", "10"}, {"n-products", "10"}));
    day_counts(ds, &min, &max, &days);
    CHECKF(days == 91 && min == 15 && max <= 20 && max > 15, "range+floor %llu..%llu",
           (unsigned long long)min, (unsigned long long)max);
    dsg_dataset_free(ds);
    /* normal defaults: mean orders-per-day, std 10% of it */
    ds = open_dataset(OPTS({"orders-seasonality", "off"}, {"orders-per-day", "1000"}, {"orders-mode", "normal"},
                           {"start", "2024-01-01"}, {"end", "2024-04-09"}, {"n-customers", "10"},
                           {"n-products", "10"}));
    day_counts(ds, &min, &max, &days);
    CHECKF(days == 100 && min > 600 && max < 1400 && max - min > 200, "normal %llu..%llu",
           (unsigned long long)min, (unsigned long long)max);
    dsg_dataset_free(ds);
    /* normal, mostly negative samples: zero days have no partition */
    ds = open_dataset(OPTS({"orders-seasonality", "off"}, {"orders-mode", "normal"}, {"orders-mean", "0"}, {"orders-std", "2"},
                           {"start", "2024-01-01"}, {"end", "2024-03-31"}, {"n-customers", "10"},
                           {"n-products", "10"}));
    day_counts(ds, &min, &max, &days);
    dsg_table_info info;
    CHECK(dsg_dataset_table(ds, ORDERS, &info, NULL) == DSG_OK);
    CHECKF(days > 10 && days < 80 && info.n_partitions == days,
           "%zu days with orders, %zu partitions", days, info.n_partitions);
    dsg_dataset_free(ds);
    /* Options of another mode would be silently ignored: refused (issue 14). */
    {
        static const char *const other_mode[][3] = {{"fixed", "orders-min", "9"},  {"fixed", "orders-mean", "100"},
                                                    {"range", "orders-std", "3"},  {"normal", "orders-max", "1"}};
        for (size_t k = 0; k < sizeof other_mode / sizeof other_mode[0]; k++) {
            dsg_error e2;
            CHECK(dsg_dataset_create(&ds, "ecommerce", &e2) == DSG_OK);
            CHECK(dsg_dataset_set(ds, "orders-mode", other_mode[k][0], &e2) == DSG_OK);
            CHECK(dsg_dataset_set(ds, other_mode[k][1], other_mode[k][2], &e2) == DSG_OK);
            CHECKF(dsg_dataset_prepare(ds, &e2) == DSG_EINVAL && strstr(e2.message, other_mode[k][1]) != NULL,
                   "%s with mode %s: %s", other_mode[k][1], other_mode[k][0], e2.message);
            dsg_dataset_free(ds);
        }
    }
    /* Nothing at all: zero rows and no partitions, yet fills of 0 rows work. */
    ds = open_dataset(OPTS({"orders-seasonality", "off"}, {"orders-mode", "range"}, {"orders-min", "0"}, {"orders-max", "0"},
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
    dsg_dataset *ds = open_dataset(OPTS({"orders-seasonality", "off"}, {"n-customers", "100000"}, {"n-products", "10000"},
                                        {"orders-per-day", "20000"}, {"start", "2024-01-01"},
                                        {"end", "2024-03-31"}, {"orders-partitioning", "ym"}));
    dsg_table_info info[N_TABLES];
    for (size_t t = 0; t < N_TABLES; t++)
        CHECK(dsg_dataset_table(ds, t, &info[t], NULL) == DSG_OK);
    /* 100000 signed up before the start, about 25% a year more during */
    CHECKF(info[CUSTOMERS].rows > 105000 && info[CUSTOMERS].rows < 107500 &&
               info[PRODUCTS].rows == 10000,
           "%llu customers", (unsigned long long)info[CUSTOMERS].rows);
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

    ds = open_dataset(OPTS({"orders-seasonality", "off"}, {"orders-partitioning", "yearmonth"}));
    for (size_t t = 0; t < N_TABLES; t++)
        CHECK(dsg_dataset_table(ds, t, &info[t], NULL) == DSG_OK);
    CHECK(info[CUSTOMERS].rows > 1050000 && info[CUSTOMERS].rows < 1075000 &&
          info[PRODUCTS].rows == 50000);
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
                 {"orders-mode", i == 0 ? "fixed" : "normal"}, {"seed", "7"},
                 {"orders-seasonality", i == 0 ? "off" : "on"});
        dsg_dataset *ds = open_dataset(opts);
        dsg_dataset *twin = open_dataset(opts);
        expect x = {"ymd", "2024-02-27", i == 0 ? "2024-03-01" : "2024-03-05", i == 0 ? 16384 : 1,
                    100000, NULL, 5000};
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

static double median_of(double *v, size_t n)
{
    for (size_t i = 1; i < n; i++) /* insertion sort: small lists */
        for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return n ? v[n / 2] : 0;
}

static void test_realism(void)
{
    dsg_dataset *ds = open_dataset(OPTS({"n-customers", "20000"}, {"n-products", "2000"},
                                        {"orders-per-day", "2000"}, {"start", "2024-05-01"},
                                        {"end", "2024-05-30"}));
    table cu = read_whole(ds, CUSTOMERS), pr = read_whole(ds, PRODUCTS);
    table od = read_whole(ds, ORDERS), it = read_whole(ds, ITEMS);
    double n_orders = (double)od.info.rows;
    int32_t start = parse_day("2024-05-01");

    uint64_t evening = 0, night = 0, cancelled = 0;
    uint64_t *customer_orders = calloc(cu.info.rows, sizeof *customer_orders);
    CHECK(customer_orders != NULL);
    for (uint64_t r = 0; r < od.info.rows; r++) {
        cancelled += strcmp(str_at(&od, OR_STATUS, r), "cancelled") == 0;
        int hour = i16_at(&od, OR_HOUR, r);
        evening += hour >= 18 && hour <= 22;
        night += hour >= 1 && hour <= 5;
        customer_orders[i64_at(&od, OR_CUSTOMER, r) - 1]++;
    }
    CHECKF(fabs(cancelled / n_orders - 0.04) < 0.005, "cancelled %.4f", cancelled / n_orders);
    CHECKF(evening > 10 * night, "evening %llu, night %llu", (unsigned long long)evening,
           (unsigned long long)night);

    /* Purchase rates: the busiest 1% of customers place far more than 1%
     * of orders, yet no one absurdly many; many customers order nothing in
     * a month; the busiest are not the lowest ids; VIPs buy more. */
    uint64_t top_share = top_percent(customer_orders, cu.info.rows), low_ids = 0, max = 0;
    uint64_t with_orders = 0, vip = 0, vip_orders = 0, us = 0, new_customers = 0;
    for (uint64_t k = 0; k < cu.info.rows; k++) {
        low_ids += k < cu.info.rows / 100 ? customer_orders[k] : 0;
        max = customer_orders[k] > max ? customer_orders[k] : max;
        with_orders += customer_orders[k] > 0;
        vip += u8_at(&cu, CU_VIP, k);
        vip_orders += u8_at(&cu, CU_VIP, k) ? customer_orders[k] : 0;
        us += strcmp(str_at(&cu, CU_COUNTRY, k), "US") == 0;
        new_customers += i32_at(&cu, CU_SIGNUP, k) >= start;
    }
    CHECKF(top_share > 0.05 * n_orders, "top 1%% of customers: %llu orders",
           (unsigned long long)top_share);
    CHECKF(max < 0.002 * n_orders && max < 200, "the busiest customer: %llu orders",
           (unsigned long long)max);
    CHECKF(with_orders > cu.info.rows / 2 && with_orders < cu.info.rows * 95 / 100,
           "%llu of %llu customers order", (unsigned long long)with_orders,
           (unsigned long long)cu.info.rows);
    CHECKF(low_ids < 0.03 * n_orders, "lowest 1%% of ids: %llu orders",
           (unsigned long long)low_ids);
    CHECKF(fabs((double)vip / (double)cu.info.rows - 0.05) < 0.01, "vip %llu",
           (unsigned long long)vip);
    double vip_rate = (double)vip_orders / (double)vip;
    double other_rate = (n_orders - (double)vip_orders) / (double)(cu.info.rows - vip);
    CHECKF(vip_rate > 2 * other_rate, "orders per VIP %.2f, per other customer %.2f", vip_rate,
           other_rate);
    CHECKF(us > cu.info.rows * 45 / 100 && us < cu.info.rows * 53 / 100, "US %llu",
           (unsigned long long)us);
    /* 25% growth a year: about 400 signups in these 30 days */
    CHECKF(cu.info.rows == 20000 + new_customers && new_customers > 250 && new_customers < 600,
           "%llu customers, %llu new", (unsigned long long)cu.info.rows,
           (unsigned long long)new_customers);
    free(customer_orders);
    expect x = {"ymd", "2024-05-01", "2024-05-30", 1000, 4000, NULL, 20000};
    check_customers(&cu, &x);
    CHECKF(i32_at(&cu, CU_SIGNUP, 0) < start - 1000, "first signup %d",
           i32_at(&cu, CU_SIGNUP, 0));

    /* Products: prices by category, retirements, names. */
    uint64_t active = 0;
    size_t n_categories = 0;
    const char *categories[32];
    double *prices[32];
    size_t n_prices[32] = {0};
    for (uint64_t r = 0; r < pr.info.rows; r++) {
        active += u8_at(&pr, PR_ACTIVE, r);
        const char *category = str_at(&pr, PR_CATEGORY, r);
        size_t i = 0;
        while (i < n_categories && strcmp(categories[i], category) != 0)
            i++;
        if (i == n_categories) {
            CHECK(n_categories < 32);
            categories[n_categories] = category;
            CHECK((prices[n_categories] = calloc(pr.info.rows, sizeof(double))) != NULL);
            n_categories++;
        }
        prices[i][n_prices[i]++] = f64_at(&pr, PR_PRICE, r);
    }
    CHECKF(active > pr.info.rows * 96 / 100 && active < pr.info.rows * 995 / 1000, "active %llu",
           (unsigned long long)active);
    CHECKF(n_categories == 10, "%zu categories", n_categories);
    double lowest = 1e9, highest = 0;
    for (size_t i = 0; i < n_categories; i++) {
        double m = median_of(prices[i], n_prices[i]);
        lowest = m < lowest ? m : lowest;
        highest = m > highest ? m : highest;
        free(prices[i]);
    }
    CHECKF(highest > 8 * lowest, "category medians %.2f .. %.2f", lowest, highest);

    /* Items: skewed product popularity, yet no product dominates. */
    uint64_t *product_items = calloc(pr.info.rows, sizeof *product_items);
    CHECK(product_items != NULL);
    uint64_t qty_one = 0, top = 0;
    for (uint64_t r = 0; r < it.info.rows; r++) {
        qty_one += i16_at(&it, IT_QTY, r) == 1;
        uint64_t p = (uint64_t)i64_at(&it, IT_PRODUCT, r) - 1;
        product_items[p]++;
        top = product_items[p] > top ? product_items[p] : top;
    }
    uint64_t top_products = top_percent(product_items, pr.info.rows);
    CHECKF(top_products > 0.08 * (double)it.info.rows, "top 1%% of products: %llu items",
           (unsigned long long)top_products);
    CHECKF(top < 0.02 * (double)it.info.rows, "top product: %llu items", (unsigned long long)top);
    free(product_items);
    CHECKF(qty_one > it.info.rows / 2 && qty_one < it.info.rows * 85 / 100, "qty 1: %llu",
           (unsigned long long)qty_one);

    table_free(&cu);
    table_free(&pr);
    table_free(&od);
    table_free(&it);
    dsg_dataset_free(ds);

    /* Nearly every customer occurs, and every product that is not retired. */
    ds = open_dataset(OPTS({"n-customers", "40"}, {"n-products", "30"}, {"orders-per-day", "400"},
                           {"start", "2024-01-01"}, {"end", "2024-03-31"}));
    od = read_whole(ds, ORDERS);
    it = read_whole(ds, ITEMS);
    pr = read_whole(ds, PRODUCTS);
    bool seen_customer[64] = {false}, seen_product[31] = {false};
    for (uint64_t r = 0; r < od.info.rows; r++) {
        CHECK(i64_at(&od, OR_CUSTOMER, r) < 64);
        seen_customer[i64_at(&od, OR_CUSTOMER, r)] = true;
    }
    for (uint64_t r = 0; r < it.info.rows; r++)
        seen_product[i64_at(&it, IT_PRODUCT, r)] = true;
    int customers_seen = 0;
    for (int id = 1; id <= 40; id++)
        customers_seen += seen_customer[id];
    CHECKF(customers_seen >= 36, "%d of the first 40 customers order", customers_seen);
    for (int id = 1; id <= 30; id++)
        CHECKF(seen_product[id] || pr.cols[PR_RETIRED].valid[id - 1], "product %d never sold",
               id);
    table_free(&od);
    table_free(&it);
    table_free(&pr);
    dsg_dataset_free(ds);
}

/* The calendar over a year: weekday and December effects, the yearly mean
 * of fixed mode, and the status mix. */
static void test_calendar(void)
{
    dsg_dataset *ds = open_dataset(OPTS({"n-customers", "3000"}, {"n-products", "300"},
                                        {"orders-per-day", "300"}, {"start", "2025-01-01"},
                                        {"end", "2025-12-31"}, {"order-items-mean", "0.5"}));
    table od = read_whole(ds, ORDERS);
    double per_weekday[7] = {0}, per_month[13] = {0}, black_friday = 0, status[3] = {0};
    for (uint64_t r = 0; r < od.info.rows; r++) {
        int32_t day = i32_at(&od, OR_DATE, r);
        per_weekday[((day % 7) + 10) % 7]++;
        int y, m, d;
        civil(day, &y, &m, &d);
        per_month[m]++;
        black_friday += m == 11 && d == 28;
        const char *st = str_at(&od, OR_STATUS, r);
        status[st[0] == 'c' ? (st[1] == 'o' ? 0 : 2) : 1]++;
    }
    double n = (double)od.info.rows;
    /* 8% growth a year: the first year averages about 4% above the level */
    CHECKF(n > 365 * 300 * 1.0 && n < 365 * 300 * 1.08, "%.0f orders in 2025", n);
    CHECKF(per_weekday[0] > 1.15 * per_weekday[5], "Mondays %.0f, Saturdays %.0f", per_weekday[0],
           per_weekday[5]);
    CHECKF(per_month[12] / 31 > 1.15 * per_month[2] / 28, "December %.0f, February %.0f",
           per_month[12], per_month[2]);
    CHECKF(black_friday > 2 * n / 365, "Black Friday 2025: %.0f orders", black_friday);
    CHECKF(fabs(status[0] / n - 0.90) < 0.01 && fabs(status[1] / n - 0.06) < 0.006 &&
               fabs(status[2] / n - 0.04) < 0.005,
           "status %.4f/%.4f/%.4f", status[0] / n, status[1] / n, status[2] / n);
    table_free(&od);
    dsg_dataset_free(ds);
}

/* Columns c of row ra of a and row rb of b are equal (all columns but
 * 'skip' when skip >= 0). */
static bool rows_equal(const table *a, uint64_t ra, const table *b, uint64_t rb, int skip)
{
    for (size_t c = 0; c < a->info.n_fields; c++) {
        const column *x = &a->cols[c], *y = &b->cols[c];
        if ((int)c == skip)
            continue;
        if (x->width != 0 &&
            memcmp(x->values + ra * x->width, y->values + rb * y->width, x->width) != 0)
            return false;
        if (x->width == 0 && strcmp(x->strings[ra], y->strings[rb]) != 0)
            return false;
        if (x->valid != NULL && x->valid[ra] != y->valid[rb])
            return false;
    }
    return true;
}

/* A run over a longer range equals an earlier run plus an increment with
 * the same origin: orders, items and new customers of the increment row for
 * row; statuses of the earlier part as of its own end. */
static void test_increment(void)
{
#define COMMON {"n-customers", "400"}, {"n-products", "150"}, {"orders-per-day", "300"}
    dsg_dataset *whole = open_dataset(OPTS(COMMON, {"start", "2024-01-01"}, {"end", "2024-03-10"}));
    dsg_dataset *first = open_dataset(OPTS(COMMON, {"start", "2024-01-01"}, {"end", "2024-01-31"}));
    dsg_dataset *next = open_dataset(
        OPTS(COMMON, {"origin", "2024-01-01"}, {"start", "2024-02-01"}, {"end", "2024-03-10"}));
#undef COMMON
    expect x = {"ymd", "2024-02-01", "2024-03-10", 100, 1000, "2024-01-01", 400};
    check_dataset(next, &x);
    for (size_t t = 0; t < N_TABLES; t++) {
        table w = read_whole(whole, t), f = read_whole(first, t), n = read_whole(next, t);
        int status_col = t == ORDERS ? OR_STATUS : -1;
        if (t == PRODUCTS) {
            CHECK(n.info.rows == 0 && f.info.rows == w.info.rows);
            for (uint64_t r = 0; r < w.info.rows; r++) /* active as of each run's end */
                CHECK(rows_equal(&w, r, &f, r, -1) ||
                      (f.cols[PR_ACTIVE].values[r] && !w.cols[PR_ACTIVE].values[r]));
        } else {
            CHECKF(f.info.rows + n.info.rows == w.info.rows, "table %s: %llu + %llu rows of %llu",
                   w.info.name, (unsigned long long)f.info.rows, (unsigned long long)n.info.rows,
                   (unsigned long long)w.info.rows);
            for (uint64_t r = 0; r < n.info.rows; r++)
                CHECKF(rows_equal(&w, f.info.rows + r, &n, r, -1),
                       "table %s: row %llu of the increment differs", w.info.name,
                       (unsigned long long)r);
            uint64_t status_changed = 0;
            for (uint64_t r = 0; r < f.info.rows; r++) {
                CHECKF(rows_equal(&w, r, &f, r, status_col), "table %s: row %llu differs",
                       w.info.name, (unsigned long long)r);
                if (!rows_equal(&w, r, &f, r, -1)) { /* returned after January */
                    CHECK(strcmp(str_at(&f, OR_STATUS, r), "completed") == 0 &&
                          strcmp(str_at(&w, OR_STATUS, r), "returned") == 0);
                    status_changed++;
                }
            }
            if (t == ORDERS)
                CHECKF(status_changed > 0 && status_changed < f.info.rows / 20,
                       "%llu late returns", (unsigned long long)status_changed);
        }
        table_free(&w);
        table_free(&f);
        table_free(&n);
    }
    dsg_table_info info;
    CHECK(dsg_dataset_table(next, CUSTOMERS, &info, NULL) == DSG_OK);
    CHECK(info.file_suffix != NULL && strcmp(info.file_suffix, "-2024-02-01") == 0);
    CHECK(dsg_dataset_table(next, ORDERS, &info, NULL) == DSG_OK && info.file_suffix == NULL);
    CHECK(dsg_dataset_table(whole, CUSTOMERS, &info, NULL) == DSG_OK && info.file_suffix == NULL);
    dsg_dataset_free(whole);
    dsg_dataset_free(first);
    dsg_dataset_free(next);
    /* Starting inside a month partition: order files get the suffix too. */
    dsg_dataset *mid = open_dataset(OPTS({"origin", "2024-01-01"}, {"start", "2024-01-15"},
                                         {"end", "2024-01-20"}, {"orders-partitioning", "ym"},
                                         {"n-customers", "50"}, {"orders-per-day", "10"}));
    CHECK(dsg_dataset_table(mid, ITEMS, &info, NULL) == DSG_OK && info.file_suffix != NULL &&
          strcmp(info.file_suffix, "-2024-01-15") == 0);
    dsg_dataset_free(mid);
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
        {"orders-seasonality", "yes"},
        {"orders-seasonality", ""},
        {"origin", "2024-02-30"},
        {"origin", "today"},
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
    expect_prepare_error(OPTS({"orders-per-day", "1000000000"}, {"start", "2024-01-01"},
                              {"end", "2026-09-27"}, {"orders-seasonality", "off"}),
                         "10^12");
    expect_prepare_error(OPTS({"origin", "2024-02-02"}, {"start", "2024-02-01"}, {"end", "2024-03-01"}),
                         "--origin 2024-02-02 is after --start 2024-02-01");
    expect_prepare_error(OPTS({"origin", "1700-01-01"}, {"start", "2024-02-01"}, {"end", "2024-03-01"}),
                         "at most 100000");
    /* The longest range accepted: 100000 days. */
    ds = open_dataset(OPTS({"orders-per-day", "1"}, {"start", "2000-01-01"}, {"end", "2273-10-15"},
                           {"orders-seasonality", "off"}));
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
    test_calendar();
    test_increment();
    test_errors();
    test_allocation_failures();
    printf("test_ecommerce: all checks passed\n");
    return 0;
}
