/*
 * dataset.c - the dataset registry, the public dataset API, batch buffers
 * and option parsing shared by the generators.
 */
#include "dataset_impl.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const dsgi_dataset_class *const classes[] = {
    &dsgi_ecommerce_class, &dsgi_weather_class,       &dsgi_sensors_class,
    &dsgi_market_ohlcv_class, &dsgi_market_quotes_class, &dsgi_alltypes_class,
};
#define N_CLASSES (sizeof classes / sizeof classes[0])

/* Limit on string bytes in one batch column (offsets are int32). */
#define BATCH_STRING_MAX ((size_t)INT32_MAX)

struct dsg_dataset {
    const dsgi_dataset_class *cls;
    void *state;
    int prepared;
    unsigned char *wanted; /* dsg_dataset_select_tables; NULL: every table */
};

const char *const *dsg_dataset_names(void)
{
    static const char *names[N_CLASSES + 1];
    for (size_t i = 0; i < N_CLASSES; i++)
        names[i] = classes[i]->name;
    names[N_CLASSES] = NULL;
    return names;
}

dsg_status dsg_dataset_create(dsg_dataset **out, const char *name, dsg_error *err)
{
    const dsgi_dataset_class *cls = NULL;
    for (size_t i = 0; i < N_CLASSES; i++)
        if (name != NULL && strcmp(name, classes[i]->name) == 0)
            cls = classes[i];
    if (cls == NULL) {
        char list[256] = "";
        for (size_t i = 0; i < N_CLASSES; i++) {
            if (i)
                strncat(list, ", ", sizeof list - strlen(list) - 1);
            strncat(list, classes[i]->name, sizeof list - strlen(list) - 1);
        }
        return dsgi_fail(err, DSG_EINVAL, "unknown dataset '%s' (available: %s)",
                         name ? name : "", list);
    }
    dsg_dataset *ds = dsgi_calloc(1, sizeof *ds);
    DSGI_RETURN_IF(ds == NULL, err, DSG_ENOMEM, "out of memory (creating dataset %s)", name);
    ds->cls = cls;
    dsg_status st = cls->create(&ds->state, err);
    if (st != DSG_OK) {
        dsgi_free(ds);
        return st;
    }
    *out = ds;
    return DSG_OK;
}

void dsg_dataset_free(dsg_dataset *ds)
{
    if (ds == NULL)
        return;
    ds->cls->free(ds->state);
    dsgi_free(ds->wanted);
    dsgi_free(ds);
}

dsg_status dsg_dataset_set(dsg_dataset *ds, const char *name, const char *value, dsg_error *err)
{
    DSGI_RETURN_IF(ds->prepared, err, DSG_ESTATE,
                   "option --%s set after the dataset was prepared", name);
    int known = 0;
    for (size_t i = 0; i < ds->cls->n_options; i++)
        known |= strcmp(ds->cls->options[i].name, name) == 0;
    DSGI_RETURN_IF(!known, err, DSG_EINVAL, "dataset %s has no option --%s", ds->cls->name, name);
    return ds->cls->set(ds->state, name, value, err);
}

const dsg_option_info *dsg_dataset_options(const dsg_dataset *ds, size_t *n)
{
    *n = ds->cls->n_options;
    return ds->cls->options;
}

dsg_status dsg_dataset_select_tables(dsg_dataset *ds, const char *const *names, size_t n, dsg_error *err)
{
    DSGI_RETURN_IF(ds->prepared, err, DSG_ESTATE, "tables selected after dataset %s was prepared",
                   ds->cls->name);
    unsigned char *wanted = dsgi_calloc(ds->cls->n_tables, 1);
    DSGI_RETURN_IF(wanted == NULL, err, DSG_ENOMEM, "out of memory (selecting tables)");
    for (size_t i = 0; i < n; i++) {
        size_t t = 0;
        while (t < ds->cls->n_tables && strcmp(ds->cls->tables[t].name, names[i]) != 0)
            t++;
        if (t == ds->cls->n_tables) {
            dsgi_free(wanted);
            return dsgi_fail(err, DSG_EINVAL, "--tables: the dataset has no table '%s'", names[i]);
        }
        wanted[t] = 1;
    }
    dsgi_free(ds->wanted);
    ds->wanted = wanted;
    if (ds->cls->select != NULL)
        ds->cls->select(ds->state, wanted);
    return DSG_OK;
}

int dsgi_dataset_table_planned(const dsg_dataset *ds, size_t t)
{
    return ds->wanted == NULL || (t < ds->cls->n_tables && ds->wanted[t]);
}

dsg_status dsg_dataset_prepare(dsg_dataset *ds, dsg_error *err)
{
    DSGI_RETURN_IF(ds->prepared, err, DSG_ESTATE, "dataset %s is already prepared", ds->cls->name);
    DSGI_FORWARD(ds->cls->prepare(ds->state, err));
    ds->prepared = 1;
    return DSG_OK;
}

size_t dsg_dataset_n_tables(const dsg_dataset *ds) { return ds->cls->n_tables; }

dsg_status dsg_dataset_table(const dsg_dataset *ds, size_t i, dsg_table_info *out, dsg_error *err)
{
    DSGI_RETURN_IF(i >= ds->cls->n_tables, err, DSG_EINVAL, "dataset %s has no table %zu",
                   ds->cls->name, i);
    const dsgi_table_def *t = &ds->cls->tables[i];
    dsg_table_info info;
    memset(&info, 0, sizeof info);
    info.name = t->name;
    info.fields = t->fields;
    info.n_fields = t->n_fields;
    info.partition_by = t->partition_by;
    info.n_partition_by = t->n_partition_by;
    info.partition_source = -1;
    if (ds->cls->partition_by != NULL)
        info.partition_by = ds->cls->partition_by(ds->state, i, &info.n_partition_by);
    if (ds->cls->partition_transforms != NULL && info.n_partition_by > 0) {
        int source = -1;
        const dsg_partition_transform *tr = ds->cls->partition_transforms(ds->state, i, &source);
        if (tr != NULL && source >= 0 && (size_t)source < info.n_fields) {
            info.partition_transforms = tr;
            info.partition_source = source;
        }
    }
    if (ds->prepared) {
        info.rows = ds->cls->table_rows(ds->state, i);
        info.n_partitions = ds->cls->n_partitions(ds->state, i);
        if (ds->cls->file_suffix != NULL)
            info.file_suffix = ds->cls->file_suffix(ds->state, i);
    }
    *out = info;
    return DSG_OK;
}

dsg_status dsg_dataset_partition(const dsg_dataset *ds, size_t t, size_t p, char *path,
                                 size_t path_size, uint64_t *first_row, uint64_t *rows,
                                 dsg_error *err)
{
    DSGI_RETURN_IF(!ds->prepared, err, DSG_ESTATE, "dataset %s is not prepared", ds->cls->name);
    DSGI_RETURN_IF(t >= ds->cls->n_tables || p >= ds->cls->n_partitions(ds->state, t), err,
                   DSG_EINVAL, "no partition %zu in table %zu", p, t);
    return ds->cls->partition(ds->state, t, p, path, path_size, first_row, rows, err);
}

/* ---- batches ---- */

static size_t value_width(dsg_type type)
{
    switch (type) {
    case DSG_BOOL:
    case DSG_INT8: return 1;
    case DSG_INT16: return 2;
    case DSG_INT32:
    case DSG_DATE:
    case DSG_FLOAT: return 4;
    case DSG_INT64:
    case DSG_DOUBLE:
    case DSG_TIMESTAMP:
    case DSG_DURATION:
    case DSG_DECIMAL: return 8;
    default: return 0;
    }
}

static void col_free(dsgi_col *c)
{
    for (size_t i = 0; i < c->n_children; i++)
        col_free(&c->children[i]);
    dsgi_free(c->children);
    dsgi_free(c->child_arrays);
    dsgi_free(c->valid);
    dsgi_free(c->values);
    dsgi_free(c->offsets);
    dsgi_buf_free(&c->data);
}

static dsg_status col_init(dsgi_col *c, const dsg_field *f, dsg_error *err)
{
    memset(c, 0, sizeof *c);
    c->field = f;
    dsgi_buf_init(&c->data, BATCH_STRING_MAX);
    if (f->n_children == 0)
        return DSG_OK;
    c->children = dsgi_calloc(f->n_children, sizeof *c->children);
    c->child_arrays = dsgi_calloc(f->n_children, sizeof *c->child_arrays);
    DSGI_RETURN_IF(c->children == NULL || c->child_arrays == NULL, err, DSG_ENOMEM,
                   "out of memory (batch buffers)");
    c->n_children = f->n_children;
    for (size_t i = 0; i < f->n_children; i++)
        DSGI_FORWARD(col_init(&c->children[i], &f->children[i], err));
    return DSG_OK;
}

static dsg_status grow(void **p, size_t n, size_t width, dsg_error *err)
{
    void *q = dsgi_realloc(*p, n * width);
    DSGI_RETURN_IF(q == NULL, err, DSG_ENOMEM, "out of memory (batch of %zu values)", n);
    *p = q;
    return DSG_OK;
}

dsg_status dsgi_col_reserve(dsgi_col *c, size_t slots, dsg_error *err)
{
    if (slots <= c->cap && c->cap != 0)
        return DSG_OK;
    size_t cap = c->cap ? c->cap : 1024;
    while (cap < slots)
        cap *= 2;
    const dsg_field *f = c->field;
    if (f->flags & DSG_FIELD_NULLABLE)
        DSGI_FORWARD(grow((void **)&c->valid, cap, 1, err));
    size_t w = value_width(f->type);
    if (w)
        DSGI_FORWARD(grow(&c->values, cap, w, err));
    if (f->type == DSG_STRING || f->type == DSG_LIST || f->type == DSG_MAP) {
        DSGI_FORWARD(grow((void **)&c->offsets, cap + 1, sizeof(int32_t), err));
        if (c->cap == 0)
            c->offsets[0] = 0;
    }
    c->cap = cap;
    return DSG_OK;
}

dsg_status dsg_batch_create(dsg_batch **out, const dsg_dataset *ds, size_t table, dsg_error *err)
{
    DSGI_RETURN_IF(table >= ds->cls->n_tables, err, DSG_EINVAL, "dataset %s has no table %zu",
                   ds->cls->name, table);
    const dsgi_table_def *t = &ds->cls->tables[table];
    dsg_batch *b = dsgi_calloc(1, sizeof *b);
    DSGI_RETURN_IF(b == NULL, err, DSG_ENOMEM, "out of memory (batch)");
    b->cols = dsgi_calloc(t->n_fields, sizeof *b->cols);
    b->arrays = dsgi_calloc(t->n_fields, sizeof *b->arrays);
    if (b->cols == NULL || b->arrays == NULL) {
        dsg_batch_free(b);
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (batch)");
    }
    b->n_cols = t->n_fields;
    for (size_t i = 0; i < t->n_fields; i++) {
        dsg_status st = col_init(&b->cols[i], &t->fields[i], err);
        if (st != DSG_OK) {
            dsg_batch_free(b);
            return st;
        }
    }
    *out = b;
    return DSG_OK;
}

void dsg_batch_free(dsg_batch *b)
{
    if (b == NULL)
        return;
    for (size_t i = 0; b->cols && i < b->n_cols; i++)
        col_free(&b->cols[i]);
    dsgi_free(b->cols);
    dsgi_free(b->arrays);
    dsgi_free(b);
}

static void col_restart(dsgi_col *c)
{
    dsgi_buf_reset(&c->data);
    if (c->offsets)
        c->offsets[0] = 0;
    for (size_t i = 0; i < c->n_children; i++)
        col_restart(&c->children[i]);
}

dsg_status dsgi_batch_begin(dsg_batch *b, size_t n_rows, dsg_error *err)
{
    for (size_t i = 0; i < b->n_cols; i++) {
        DSGI_FORWARD(dsgi_col_reserve(&b->cols[i], n_rows, err));
        col_restart(&b->cols[i]);
    }
    return DSG_OK;
}

static void publish(dsgi_col *c, size_t length, dsg_array *a)
{
    a->type = c->field->type;
    a->length = length;
    a->valid = c->valid;
    a->values = c->values;
    a->offsets = c->offsets;
    a->data = (const char *)c->data.data;
    a->children = c->child_arrays;
    size_t child_len = c->field->type == DSG_LIST || c->field->type == DSG_MAP ? (size_t)c->offsets[length] : length;
    for (size_t i = 0; i < c->n_children; i++)
        publish(&c->children[i], child_len, &c->child_arrays[i]);
}

const dsg_array *dsgi_batch_publish(dsg_batch *b, size_t n_rows)
{
    for (size_t i = 0; i < b->n_cols; i++)
        publish(&b->cols[i], n_rows, &b->arrays[i]);
    return b->arrays;
}

dsg_status dsg_dataset_fill(const dsg_dataset *ds, size_t table, uint64_t first_row, size_t n_rows,
                            dsg_batch *b, const dsg_array **columns, dsg_error *err)
{
    DSGI_RETURN_IF(!ds->prepared, err, DSG_ESTATE, "dataset %s is not prepared", ds->cls->name);
    DSGI_RETURN_IF(table >= ds->cls->n_tables || b->n_cols != ds->cls->tables[table].n_fields, err,
                   DSG_EINVAL, "batch does not belong to table %zu", table);
    uint64_t rows = ds->cls->table_rows(ds->state, table);
    DSGI_RETURN_IF(first_row > rows || n_rows > rows - first_row, err, DSG_EINVAL,
                   "rows %llu..%llu are outside table %s (%llu rows)",
                   (unsigned long long)first_row, (unsigned long long)(first_row + n_rows),
                   ds->cls->tables[table].name, (unsigned long long)rows);
    DSGI_FORWARD(ds->cls->fill(ds->state, table, first_row, n_rows, b, err));
    *columns = dsgi_batch_publish(b, n_rows);
    return DSG_OK;
}

/* ---- option parsing ---- */

dsg_status dsgi_parse_u64(const char *option, const char *value, uint64_t min, uint64_t max,
                          uint64_t *out, dsg_error *err)
{
    /* Digits only: no sign, no spaces (strtoull would take "-1" as
     * 2^64 - 1 and skip leading blanks). */
    size_t n = strspn(value, "0123456789");
    int ok = n > 0 && value[n] == '\0';
    char *end = NULL;
    errno = 0;
    unsigned long long v = ok ? strtoull(value, &end, 10) : 0;
    ok = ok && errno == 0 && *end == '\0';
    DSGI_RETURN_IF(!ok && n > 0 && value[n] == '\0', err, DSG_EINVAL,
                   "--%s must be between %llu and %llu, not %s", option, (unsigned long long)min,
                   (unsigned long long)max, value);
    DSGI_RETURN_IF(!ok, err, DSG_EINVAL, "--%s must be a whole number, not '%s'", option, value);
    DSGI_RETURN_IF(v < min || v > max, err, DSG_EINVAL, "--%s must be between %llu and %llu, not %s",
                   option, (unsigned long long)min, (unsigned long long)max, value);
    *out = v;
    return DSG_OK;
}

dsg_status dsgi_parse_double(const char *option, const char *value, double min, double max,
                             double *out, dsg_error *err)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(value, &end);
    int ok = *value != '\0' && strchr(" \t\n\v\f\r", *value) == NULL && errno == 0 && *end == '\0' && isfinite(v);
    DSGI_RETURN_IF(!ok, err, DSG_EINVAL, "--%s must be a number, not '%s'", option, value);
    DSGI_RETURN_IF(v < min || v > max, err, DSG_EINVAL, "--%s must be between %g and %g, not %s",
                   option, min, max, value);
    *out = v;
    return DSG_OK;
}

dsg_status dsgi_parse_date(const char *option, const char *value, int32_t *days, dsg_error *err)
{
    /* Exactly YYYY-MM-DD: four, two and two digits (no sign, no spaces). */
    int ok = strlen(value) == 10 && value[4] == '-' && value[7] == '-';
    for (int i = 0; ok && i < 10; i++)
        ok = i == 4 || i == 7 || (value[i] >= '0' && value[i] <= '9');
    DSGI_RETURN_IF(!ok, err, DSG_EINVAL, "--%s must be a date as YYYY-MM-DD, not '%s'", option, value);
    unsigned y = (unsigned)(value[0] - '0') * 1000 + (unsigned)(value[1] - '0') * 100 +
                 (unsigned)(value[2] - '0') * 10 + (unsigned)(value[3] - '0');
    unsigned m = (unsigned)(value[5] - '0') * 10 + (unsigned)(value[6] - '0');
    unsigned d = (unsigned)(value[8] - '0') * 10 + (unsigned)(value[9] - '0');
    static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    ok = y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= mdays[m - 1] && !(m == 2 && d == 29 && !leap);
    DSGI_RETURN_IF(!ok, err, DSG_EINVAL, "--%s: %s is not a real date", option, value);
    *days = dsgi_days_from_civil(y, m, d);
    return DSG_OK;
}
