/*
 * test_column_stats.c - file-level column statistics and field ids of the
 * Parquet writer, for independent readers.
 *
 *   test_column_stats                      writes alltypes with field ids in
 *                                          several row groups and checks the
 *                                          shape of the statistics (leaf count,
 *                                          ids in pre-order, counts add up)
 *   test_column_stats --dump PATH ROWS     writes alltypes (ROWS rows, field
 *                                          ids on, small row groups) to PATH
 *                                          and prints its statistics as JSON
 *                                          for tests/python/test_parquet_field_ids.py
 *
 * The exact values are checked against the file's own bytes in
 * test_writer.c and against pyarrow in the Python test.
 */
#include "dsg/dsg.h"
#include "test_util.h"

#include <stdint.h>
#include <unistd.h>

static void hex(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
}

static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            putchar('\\');
        putchar(*s);
    }
    putchar('"');
}

/* Writes alltypes rows to path; returns the closed writer. */
static dsg_parquet_writer *write_alltypes(const char *path, uint64_t rows, dsg_dataset **ds_out)
{
    dsg_error err;
    dsg_error_clear(&err);
    dsg_dataset *ds = NULL;
    char text[32];
    snprintf(text, sizeof text, "%llu", (unsigned long long)rows);
    CHECKF(dsg_dataset_create(&ds, "alltypes", &err) == DSG_OK, "%s", err.message);
    CHECKF(dsg_dataset_set(ds, "rows", text, &err) == DSG_OK && dsg_dataset_prepare(ds, &err) == DSG_OK, "%s",
           err.message);
    dsg_table_info info;
    CHECK(dsg_dataset_table(ds, 0, &info, &err) == DSG_OK);
    dsg_batch *batch = NULL;
    CHECK(dsg_batch_create(&batch, ds, 0, &err) == DSG_OK);
    dsg_parquet_options opt;
    dsg_parquet_options_init(&opt);
    opt.row_group_rows = rows / 3 + 1;
    opt.field_ids = 1;
    dsg_sink *sink = NULL;
    CHECKF(dsg_file_sink_open(&sink, path, &err) == DSG_OK, "%s", err.message);
    dsg_parquet_writer *w = NULL;
    CHECKF(dsg_parquet_writer_open(&w, sink, info.fields, info.n_fields, &opt, &err) == DSG_OK, "%s", err.message);
    for (uint64_t row = 0; row < rows; row += 1000) {
        size_t n = (size_t)(rows - row < 1000 ? rows - row : 1000);
        const dsg_array *cols = NULL;
        CHECKF(dsg_dataset_fill(ds, 0, row, n, batch, &cols, &err) == DSG_OK, "%s", err.message);
        CHECKF(dsg_parquet_writer_write(w, cols, n, &err) == DSG_OK, "%s", err.message);
    }
    CHECKF(dsg_parquet_writer_close(w, &err) == DSG_OK, "%s", err.message);
    dsg_batch_free(batch);
    *ds_out = ds; /* the stats' field pointers live in the dataset's schema */
    return w;
}

static void dump(const char *path, uint64_t rows)
{
    dsg_dataset *ds = NULL;
    dsg_parquet_writer *w = write_alltypes(path, rows, &ds);
    const dsg_column_stats *cs = NULL;
    size_t n = 0;
    dsg_error err;
    CHECK(dsg_parquet_writer_column_stats(w, &cs, &n, &err) == DSG_OK);
    printf("[");
    for (size_t i = 0; i < n; i++) {
        const dsg_column_stats *c = &cs[i];
        printf("%s\n{\"path\": [", i ? "," : "");
        for (size_t k = 0; k < c->path_len; k++) {
            if (k)
                putchar(',');
            json_string(c->path[k]);
        }
        printf("], \"field\": ");
        json_string(c->field->name);
        printf(", \"type\": %d, \"field_id\": %d, \"values\": %llu, \"nulls\": %llu, \"nans\": %llu", (int)c->field->type,
               (int)c->field_id, (unsigned long long)c->values, (unsigned long long)c->nulls,
               (unsigned long long)c->nans);
        if (c->has_minmax) {
            printf(", \"min\": \"");
            hex(c->min, c->min_len);
            printf("\", \"max\": \"");
            hex(c->max, c->max_len);
            printf("\"");
        }
        printf("}");
    }
    printf("]\n");
    dsg_parquet_writer_free(w);
    dsg_dataset_free(ds);
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--dump") == 0) {
        dump(argv[2], strtoull(argv[3], NULL, 10));
        return 0;
    }
    char dir[] = "/tmp/dsg-test-colstats-XXXXXX", path[64];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/a.parquet", dir);
    dsg_dataset *ds = NULL;
    dsg_parquet_writer *w = write_alltypes(path, 5000, &ds);
    const dsg_column_stats *cs = NULL;
    size_t n = 0;
    dsg_error err;
    CHECK(dsg_parquet_writer_column_stats(w, &cs, &n, &err) == DSG_OK && n > 30);
    int32_t last = 0;
    for (size_t i = 0; i < n; i++) {
        /* leaves come in pre-order, so their ids increase (groups take the
         * ids in between) */
        CHECKF(cs[i].field_id > last, "leaf %zu has id %d after %d", i, (int)cs[i].field_id, (int)last);
        last = cs[i].field_id;
        CHECK(cs[i].nulls <= cs[i].values);
        if (cs[i].path_len == 1) /* top-level leaves: one value per row */
            CHECKF(cs[i].values == 5000, "%s: %llu values", cs[i].path[0], (unsigned long long)cs[i].values);
        CHECK(cs[i].field->type != DSG_FLOAT && cs[i].field->type != DSG_DOUBLE ? cs[i].nans == 0 : 1);
    }
    dsg_parquet_writer_free(w);
    dsg_dataset_free(ds);
    CHECK(unlink(path) == 0 && rmdir(dir) == 0);
    printf("test_column_stats: ok\n");
    return 0;
}
