/*
 * alltypes.c - the type-coverage dataset: one table with a column per type
 * the Parquet writer supports, nullable variants at 0%, some and 100% nulls,
 * extremes (integer limits, NaN, signed zeros, infinities, empty and long
 * multi-byte strings, far dates), low- and high-cardinality columns (so that
 * dictionary encoding and its fallback both occur) and nested structs and
 * lists. Engine developers use it to test readers; we use it to prove the
 * writer.
 *
 * Every value is a pure function of (seed, column, row).
 */
#include "dataset_impl.h"

#include <math.h>
#include <stdio.h>

typedef struct alltypes {
    uint64_t seed;
    uint64_t rows;
} alltypes;

#define N DSG_FIELD_NULLABLE
#define ND DSG_FIELD_NO_DICT

static const dsg_field f_struct_members[] = {
    {"a", DSG_INT32, 0, 0, 0, NULL, 0},
    {"b", DSG_STRING, N, 0, 0, NULL, 0},
};
static const dsg_field f_list_i32_elem[] = {{"element", DSG_INT32, N, 0, 0, NULL, 0}};
static const dsg_field f_list_str_elem[] = {{"element", DSG_STRING, 0, 0, 0, NULL, 0}};
static const dsg_field f_point_members[] = {
    {"x", DSG_INT64, 0, 0, 0, NULL, 0},
    {"y", DSG_DOUBLE, N, 0, 0, NULL, 0},
};
static const dsg_field f_list_struct_elem[] = {{"element", DSG_STRUCT, N, 0, 0, f_point_members, 2}};
static const dsg_field f_inner_list[] = {{"element", DSG_INT16, 0, 0, 0, NULL, 0}};
static const dsg_field f_list_list_elem[] = {{"element", DSG_LIST, N, 0, 0, f_inner_list, 1}};
static const dsg_field f_tags_elem[] = {{"element", DSG_STRING, N, 0, 0, NULL, 0}};
static const dsg_field f_swl_members[] = {
    {"tags", DSG_LIST, N, 0, 0, f_tags_elem, 1},
    {"n", DSG_INT16, 0, 0, 0, NULL, 0},
};

enum {
    C_ID, C_BOOL, C_BOOL_NULL, C_I8, C_I8_NULL, C_I16, C_I32, C_I32_ALLNULL, C_I64, C_I64_NULL,
    C_F32, C_F64, C_F64_NULL, C_F64_NAN, C_DATE, C_DATE_NULL, C_TS, C_TS_NULL, C_DUR, C_STR_LOW,
    C_STR_HIGH, C_STR_NULL, C_STR_ALLNULL, C_DEC9, C_DEC18, C_DEC_NULL, C_STRUCT, C_LIST_I32,
    C_LIST_STR, C_LIST_STRUCT, C_LIST_LIST, C_STRUCT_LIST, N_COLS
};

static const dsg_field fields[N_COLS] = {
    [C_ID] = {"id", DSG_INT64, ND, 0, 0, NULL, 0},
    [C_BOOL] = {"bool", DSG_BOOL, 0, 0, 0, NULL, 0},
    [C_BOOL_NULL] = {"bool_null", DSG_BOOL, N, 0, 0, NULL, 0},
    [C_I8] = {"i8", DSG_INT8, 0, 0, 0, NULL, 0},
    [C_I8_NULL] = {"i8_null", DSG_INT8, N, 0, 0, NULL, 0},
    [C_I16] = {"i16", DSG_INT16, 0, 0, 0, NULL, 0},
    [C_I32] = {"i32", DSG_INT32, 0, 0, 0, NULL, 0},
    [C_I32_ALLNULL] = {"i32_allnull", DSG_INT32, N, 0, 0, NULL, 0},
    [C_I64] = {"i64", DSG_INT64, 0, 0, 0, NULL, 0},
    [C_I64_NULL] = {"i64_null", DSG_INT64, N, 0, 0, NULL, 0},
    [C_F32] = {"f32", DSG_FLOAT, 0, 0, 0, NULL, 0},
    [C_F64] = {"f64", DSG_DOUBLE, 0, 0, 0, NULL, 0},
    [C_F64_NULL] = {"f64_null", DSG_DOUBLE, N, 0, 0, NULL, 0},
    [C_F64_NAN] = {"f64_nan", DSG_DOUBLE, N, 0, 0, NULL, 0},
    [C_DATE] = {"date", DSG_DATE, 0, 0, 0, NULL, 0},
    [C_DATE_NULL] = {"date_null", DSG_DATE, N, 0, 0, NULL, 0},
    [C_TS] = {"ts", DSG_TIMESTAMP, 0, 0, 0, NULL, 0},
    [C_TS_NULL] = {"ts_null", DSG_TIMESTAMP, N, 0, 0, NULL, 0},
    [C_DUR] = {"duration", DSG_DURATION, 0, 0, 0, NULL, 0},
    [C_STR_LOW] = {"str_low", DSG_STRING, 0, 0, 0, NULL, 0},
    [C_STR_HIGH] = {"str_high", DSG_STRING, 0, 0, 0, NULL, 0},
    [C_STR_NULL] = {"str_null", DSG_STRING, N, 0, 0, NULL, 0},
    [C_STR_ALLNULL] = {"str_allnull", DSG_STRING, N, 0, 0, NULL, 0},
    [C_DEC9] = {"dec_9_2", DSG_DECIMAL, 0, 9, 2, NULL, 0},
    [C_DEC18] = {"dec_18_4", DSG_DECIMAL, 0, 18, 4, NULL, 0},
    [C_DEC_NULL] = {"dec_5_0_null", DSG_DECIMAL, N, 5, 0, NULL, 0},
    [C_STRUCT] = {"struct", DSG_STRUCT, N, 0, 0, f_struct_members, 2},
    [C_LIST_I32] = {"list_i32", DSG_LIST, N, 0, 0, f_list_i32_elem, 1},
    [C_LIST_STR] = {"list_str", DSG_LIST, 0, 0, 0, f_list_str_elem, 1},
    [C_LIST_STRUCT] = {"list_struct", DSG_LIST, N, 0, 0, f_list_struct_elem, 1},
    [C_LIST_LIST] = {"list_list", DSG_LIST, N, 0, 0, f_list_list_elem, 1},
    [C_STRUCT_LIST] = {"struct_list", DSG_STRUCT, 0, 0, 0, f_swl_members, 2},
};

static const dsgi_table_def tables[] = {{"alltypes", fields, N_COLS, NULL, 0}};

static const dsg_option_info options[] = {
    {"seed", "42", "random seed: the same seed gives the same values"},
    {"rows", "10000", "number of rows"},
};

/* Low-cardinality words: empty, ASCII, multi-byte (2, 3 and 4 bytes). */
static const char *const words[] = {
    "", "a", "apple", "Zebra", "zebra", "naïve", "Größe", "€uro", "日本語", "😀",
    "mañana", "café", "Ελληνικά", "кириллица", "x y z", "tab\there", "quote\"s", "back\\slash",
    "line\nbreak", "~~~",
};
#define N_WORDS (sizeof words / sizeof words[0])

/* Pieces of long strings. */
static const char *const pieces[] = {"ü", "€", "😀", "日本", "abc", " ", "ß", "𝄞", "Ω", "z"};
#define N_PIECES (sizeof pieces / sizeof pieces[0])

static dsg_status at_create(void **state, dsg_error *err)
{
    alltypes *a = dsgi_calloc(1, sizeof *a);
    DSGI_RETURN_IF(a == NULL, err, DSG_ENOMEM, "out of memory");
    a->seed = 42;
    a->rows = 10000;
    *state = a;
    return DSG_OK;
}

static void at_free(void *state) { dsgi_free(state); }

static dsg_status at_set(void *state, const char *name, const char *value, dsg_error *err)
{
    alltypes *a = state;
    if (strcmp(name, "seed") == 0)
        return dsgi_parse_u64(name, value, 0, UINT64_MAX, &a->seed, err);
    if (strcmp(name, "rows") == 0)
        return dsgi_parse_u64(name, value, 1, (uint64_t)1 << 40, &a->rows, err);
    return dsgi_fail(err, DSG_EINVAL, "dataset alltypes has no option --%s", name);
}

static dsg_status at_prepare(void *state, dsg_error *err)
{
    (void)state;
    (void)err;
    return DSG_OK;
}

static uint64_t at_rows(const void *state, size_t t)
{
    (void)t;
    return ((const alltypes *)state)->rows;
}

static size_t at_partitions(const void *state, size_t t)
{
    (void)state;
    (void)t;
    return 1;
}

static dsg_status at_partition(const void *state, size_t t, size_t p, char *path, size_t size,
                               uint64_t *first, uint64_t *rows, dsg_error *err)
{
    (void)p;
    (void)err;
    if (size)
        path[0] = '\0';
    *first = 0;
    *rows = at_rows(state, t);
    return DSG_OK;
}

/* Per-column random draws. */
typedef struct rng_ctx {
    uint64_t seed;
} rng_ctx;

static uint64_t draw(const rng_ctx *r, const char *col, uint64_t row, uint64_t k)
{
    return dsgi_rand(dsgi_sub_key(dsgi_stream_key(r->seed, col), k), row);
}

static int is_null(const rng_ctx *r, const char *col, uint64_t row, unsigned permille)
{
    return dsgi_below(draw(r, col, row, 999), 1000) < permille;
}

static int64_t pick_i64(uint64_t x, int64_t lo, int64_t hi)
{
    switch (dsgi_below(x, 16)) {
    case 0: return lo;
    case 1: return hi;
    case 2: return 0;
    case 3: return -1;
    default: break;
    }
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    uint64_t y = dsgi_mix64(x);
    return span == UINT64_MAX ? (int64_t)y : (int64_t)((uint64_t)lo + dsgi_below(y, span + 1));
}

static double pick_double(uint64_t x)
{
    switch (dsgi_below(x, 24)) {
    case 0: return NAN;
    case 1: return -0.0;
    case 2: return 0.0;
    case 3: return INFINITY;
    case 4: return -INFINITY;
    case 5: return 1.7976931348623157e308;
    case 6: return -1.7976931348623157e308;
    case 7: return 4.9e-324;
    default: break;
    }
    double u = dsgi_unit(dsgi_mix64(x));
    return (u - 0.5) * dsgi_pow10((int)dsgi_below(dsgi_mix64(x + 7), 20) - 10);
}

static float pick_float(uint64_t x)
{
    switch (dsgi_below(x, 24)) {
    case 0: return NAN;
    case 1: return -0.0f;
    case 2: return 0.0f;
    case 3: return INFINITY;
    case 4: return -INFINITY;
    case 5: return 3.4028235e38f;
    case 6: return -3.4028235e38f;
    case 7: return 1.4e-45f;
    default: break;
    }
    double u = dsgi_unit(dsgi_mix64(x));
    return (float)((u - 0.5) * dsgi_pow10((int)dsgi_below(dsgi_mix64(x + 7), 12) - 6));
}

/* 0001-01-01 .. 9999-12-31 */
#define DAY_MIN (-719162)
#define DAY_MAX 2932896

static int32_t pick_date(uint64_t x)
{
    switch (dsgi_below(x, 16)) {
    case 0: return DAY_MIN;
    case 1: return DAY_MAX;
    case 2: return 0;
    default: return 18000 + (int32_t)dsgi_below(dsgi_mix64(x), 3000);
    }
}

static int64_t pick_ts(uint64_t x)
{
    switch (dsgi_below(x, 16)) {
    case 0: return (int64_t)DAY_MIN * 86400000000LL;
    case 1: return (int64_t)DAY_MAX * 86400000000LL + 86399999999LL;
    case 2: return 0;
    case 3: return -1;
    default: return 1600000000000000LL + (int64_t)dsgi_below(dsgi_mix64(x), 300000000000000ULL);
    }
}

static int64_t pow10_i64(int p)
{
    int64_t v = 1;
    while (p-- > 0)
        v *= 10;
    return v;
}

static dsg_status put_long_string(dsgi_col *c, size_t i, uint64_t x, dsg_error *err)
{
    size_t n = (size_t)dsgi_below(x, 120);
    uint64_t y = dsgi_mix64(x);
    for (size_t k = 0; k < n; k++) {
        const char *p = pieces[dsgi_below(dsgi_rand(y, k), N_PIECES)];
        DSGI_FORWARD(dsgi_buf_append(&c->data, p, strlen(p), err));
    }
    c->offsets[i + 1] = (int32_t)c->data.len;
    return DSG_OK;
}

static dsg_status put_word(dsgi_col *c, size_t i, uint64_t x, dsg_error *err)
{
    const char *w = words[dsgi_below(x, N_WORDS)];
    return dsgi_col_put_str(c, i, w, strlen(w), err);
}

static dsg_status put_high(dsgi_col *c, size_t i, uint64_t row, uint64_t x, dsg_error *err)
{
    if (dsgi_below(x, 8) == 0)
        return put_long_string(c, i, dsgi_mix64(x), err);
    char tmp[48];
    int n = snprintf(tmp, sizeof tmp, "id-%llu-%016llx", (unsigned long long)row,
                     (unsigned long long)dsgi_mix64(x));
    return dsgi_col_put_str(c, i, tmp, (size_t)n, err);
}

/* Fills LIST column c for rows [first, first+n): offsets, validity and the
 * element through 'elem'. */
typedef dsg_status (*elem_fn)(const rng_ctx *r, dsgi_col *elem, size_t at, uint64_t row, uint64_t k,
                              dsg_error *err);

static dsg_status fill_list(const rng_ctx *r, dsgi_col *c, const char *name, uint64_t first, size_t n,
                            unsigned null_permille, uint64_t max_len, elem_fn fn, dsg_error *err)
{
    int32_t end = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t row = first + i;
        int null = c->valid && is_null(r, name, row, null_permille);
        if (c->valid)
            c->valid[i] = !null;
        size_t len = null ? 0 : (size_t)dsgi_below(draw(r, name, row, 1), max_len + 1);
        DSGI_RETURN_IF((size_t)end + len > INT32_MAX, err, DSG_ENOMEM, "list column %s too large", name);
        DSGI_FORWARD(dsgi_col_reserve(&c->children[0], (size_t)end + len + 1, err));
        for (size_t k = 0; k < len; k++)
            DSGI_FORWARD(fn(r, &c->children[0], (size_t)end + k, row, k, err));
        end += (int32_t)len;
        c->offsets[i + 1] = end;
    }
    return DSG_OK;
}

static dsg_status elem_i32(const rng_ctx *r, dsgi_col *e, size_t at, uint64_t row, uint64_t k,
                           dsg_error *err)
{
    (void)err;
    uint64_t x = draw(r, "list_i32.element", row, k + 10);
    e->valid[at] = dsgi_below(x, 10) != 0;
    ((int32_t *)e->values)[at] = (int32_t)pick_i64(dsgi_mix64(x), INT32_MIN, INT32_MAX);
    return DSG_OK;
}

static dsg_status elem_str(const rng_ctx *r, dsgi_col *e, size_t at, uint64_t row, uint64_t k,
                           dsg_error *err)
{
    return put_word(e, at, draw(r, "list_str.element", row, k + 10), err);
}

static dsg_status elem_point(const rng_ctx *r, dsgi_col *e, size_t at, uint64_t row, uint64_t k,
                             dsg_error *err)
{
    uint64_t x = draw(r, "list_struct.element", row, k + 10);
    e->valid[at] = dsgi_below(x, 7) != 0;
    DSGI_FORWARD(dsgi_col_reserve(&e->children[0], at + 1, err));
    DSGI_FORWARD(dsgi_col_reserve(&e->children[1], at + 1, err));
    ((int64_t *)e->children[0].values)[at] = pick_i64(dsgi_mix64(x), INT64_MIN, INT64_MAX);
    e->children[1].valid[at] = dsgi_below(dsgi_mix64(x + 8), 5) != 0;
    ((double *)e->children[1].values)[at] = pick_double(dsgi_mix64(x + 1));
    return DSG_OK;
}

static dsg_status elem_inner(const rng_ctx *r, dsgi_col *e, size_t at, uint64_t row, uint64_t k,
                             dsg_error *err)
{
    uint64_t x = draw(r, "list_list.element", row, k + 10);
    e->valid[at] = dsgi_below(x, 6) != 0;
    size_t len = e->valid[at] ? (size_t)dsgi_below(dsgi_mix64(x + 8), 4) : 0;
    int32_t start = e->offsets[at];
    DSGI_FORWARD(dsgi_col_reserve(&e->children[0], (size_t)start + len + 1, err));
    for (size_t j = 0; j < len; j++)
        ((int16_t *)e->children[0].values)[(size_t)start + j] =
            (int16_t)pick_i64(dsgi_rand(x, j), INT16_MIN, INT16_MAX);
    e->offsets[at + 1] = start + (int32_t)len;
    return DSG_OK;
}

static dsg_status elem_tag(const rng_ctx *r, dsgi_col *e, size_t at, uint64_t row, uint64_t k,
                           dsg_error *err)
{
    uint64_t x = draw(r, "struct_list.tags.element", row, k + 10);
    e->valid[at] = dsgi_below(x, 9) != 0;
    if (!e->valid[at]) {
        e->offsets[at + 1] = e->offsets[at];
        return DSG_OK;
    }
    return put_word(e, at, dsgi_mix64(x), err);
}

static dsg_status at_fill(const void *state, size_t t, uint64_t first, size_t n, dsg_batch *b,
                          dsg_error *err)
{
    (void)t;
    const alltypes *a = state;
    const rng_ctx r = {a->seed};
    DSGI_FORWARD(dsgi_batch_begin(b, n, err));
    dsgi_col *c = b->cols;
    for (size_t i = 0; i < n; i++) {
        uint64_t row = first + i;
#define X(col) draw(&r, fields[col].name, row, 0)
#define NUL(col, pm) is_null(&r, fields[col].name, row, pm)
        ((int64_t *)c[C_ID].values)[i] = (int64_t)row;
        ((uint8_t *)c[C_BOOL].values)[i] = X(C_BOOL) >> 63;
        c[C_BOOL_NULL].valid[i] = !NUL(C_BOOL_NULL, 200);
        ((uint8_t *)c[C_BOOL_NULL].values)[i] = c[C_BOOL_NULL].valid[i] ? X(C_BOOL_NULL) >> 63 : 0;
        ((int8_t *)c[C_I8].values)[i] = (int8_t)pick_i64(X(C_I8), INT8_MIN, INT8_MAX);
        c[C_I8_NULL].valid[i] = !NUL(C_I8_NULL, 100);
        ((int8_t *)c[C_I8_NULL].values)[i] = (int8_t)pick_i64(X(C_I8_NULL), INT8_MIN, INT8_MAX);
        ((int16_t *)c[C_I16].values)[i] = (int16_t)pick_i64(X(C_I16), INT16_MIN, INT16_MAX);
        ((int32_t *)c[C_I32].values)[i] = (int32_t)pick_i64(X(C_I32), INT32_MIN, INT32_MAX);
        c[C_I32_ALLNULL].valid[i] = 0;
        ((int32_t *)c[C_I32_ALLNULL].values)[i] = 0;
        ((int64_t *)c[C_I64].values)[i] = pick_i64(X(C_I64), INT64_MIN, INT64_MAX);
        c[C_I64_NULL].valid[i] = !NUL(C_I64_NULL, 500);
        ((int64_t *)c[C_I64_NULL].values)[i] = (int64_t)dsgi_below(X(C_I64_NULL), 50); /* low cardinality */
        ((float *)c[C_F32].values)[i] = pick_float(X(C_F32));
        ((double *)c[C_F64].values)[i] = pick_double(X(C_F64));
        c[C_F64_NULL].valid[i] = !NUL(C_F64_NULL, 300);
        ((double *)c[C_F64_NULL].values)[i] = (double)dsgi_below(X(C_F64_NULL), 1000) / 8.0;
        c[C_F64_NAN].valid[i] = !NUL(C_F64_NAN, 100);
        ((double *)c[C_F64_NAN].values)[i] = NAN;
        ((int32_t *)c[C_DATE].values)[i] = pick_date(X(C_DATE));
        c[C_DATE_NULL].valid[i] = !NUL(C_DATE_NULL, 150);
        ((int32_t *)c[C_DATE_NULL].values)[i] = pick_date(X(C_DATE_NULL));
        ((int64_t *)c[C_TS].values)[i] = pick_ts(X(C_TS));
        c[C_TS_NULL].valid[i] = !NUL(C_TS_NULL, 150);
        ((int64_t *)c[C_TS_NULL].values)[i] = pick_ts(X(C_TS_NULL));
        ((int64_t *)c[C_DUR].values)[i] = pick_i64(X(C_DUR), -86400000000LL * 3650, 86400000000LL * 3650);
        DSGI_FORWARD(put_word(&c[C_STR_LOW], i, X(C_STR_LOW), err));
        DSGI_FORWARD(put_high(&c[C_STR_HIGH], i, row, X(C_STR_HIGH), err));
        c[C_STR_NULL].valid[i] = !NUL(C_STR_NULL, 300);
        if (c[C_STR_NULL].valid[i])
            DSGI_FORWARD(put_high(&c[C_STR_NULL], i, row, X(C_STR_NULL), err));
        else
            c[C_STR_NULL].offsets[i + 1] = c[C_STR_NULL].offsets[i];
        c[C_STR_ALLNULL].valid[i] = 0;
        c[C_STR_ALLNULL].offsets[i + 1] = c[C_STR_ALLNULL].offsets[i];
        ((int64_t *)c[C_DEC9].values)[i] = pick_i64(X(C_DEC9), -(pow10_i64(9) - 1), pow10_i64(9) - 1);
        ((int64_t *)c[C_DEC18].values)[i] = pick_i64(X(C_DEC18), -(pow10_i64(18) - 1), pow10_i64(18) - 1);
        c[C_DEC_NULL].valid[i] = !NUL(C_DEC_NULL, 250);
        ((int64_t *)c[C_DEC_NULL].values)[i] = pick_i64(X(C_DEC_NULL), -99999, 99999);

        dsgi_col *s = &c[C_STRUCT];
        s->valid[i] = !NUL(C_STRUCT, 150);
        DSGI_FORWARD(dsgi_col_reserve(&s->children[0], n, err));
        DSGI_FORWARD(dsgi_col_reserve(&s->children[1], n, err));
        if (i == 0)
            s->children[1].offsets[0] = 0;
        ((int32_t *)s->children[0].values)[i] = (int32_t)pick_i64(X(C_STRUCT), INT32_MIN, INT32_MAX);
        s->children[1].valid[i] = dsgi_below(dsgi_mix64(X(C_STRUCT) + 9), 4) != 0;
        if (s->children[1].valid[i])
            DSGI_FORWARD(put_word(&s->children[1], i, dsgi_mix64(X(C_STRUCT)), err));
        else
            s->children[1].offsets[i + 1] = s->children[1].offsets[i];

        dsgi_col *sl = &c[C_STRUCT_LIST];
        DSGI_FORWARD(dsgi_col_reserve(&sl->children[0], n, err));
        DSGI_FORWARD(dsgi_col_reserve(&sl->children[1], n, err));
        ((int16_t *)sl->children[1].values)[i] = (int16_t)pick_i64(X(C_STRUCT_LIST), INT16_MIN, INT16_MAX);
#undef X
#undef NUL
    }
    DSGI_FORWARD(fill_list(&r, &c[C_LIST_I32], "list_i32", first, n, 120, 5, elem_i32, err));
    DSGI_FORWARD(fill_list(&r, &c[C_LIST_STR], "list_str", first, n, 0, 4, elem_str, err));
    DSGI_FORWARD(fill_list(&r, &c[C_LIST_STRUCT], "list_struct", first, n, 100, 3, elem_point, err));
    DSGI_FORWARD(fill_list(&r, &c[C_LIST_LIST], "list_list", first, n, 100, 3, elem_inner, err));
    DSGI_FORWARD(fill_list(&r, &c[C_STRUCT_LIST].children[0], "struct_list.tags", first, n, 150, 3,
                           elem_tag, err));
    return DSG_OK;
}

const dsgi_dataset_class dsgi_alltypes_class = {
    "alltypes",
    "one column per supported type, with nulls, extremes and nesting, to test readers",
    options,
    sizeof options / sizeof options[0],
    tables,
    1,
    at_create,
    at_free,
    at_set,
    at_prepare,
    at_rows,
    at_partitions,
    at_partition,
    NULL,
    at_fill,
    NULL, /* unpartitioned */
    NULL, /* no file suffix */
    NULL, /* one table: nothing to select */
};
