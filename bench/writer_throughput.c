/*
 * writer_throughput - single-thread Parquet write throughput on a dataset's
 * rows, beside libsnappy alone on the same raw column bytes.
 *
 *   build/bench/writer_throughput [DATASET [ROWS [CODEC]]]   (alltypes 1000000 snappy)
 *
 * Rows are generated once into memory (batches of 65,536 rows), then timed:
 *  1. the writer encoding and compressing them into a file (page cache);
 *  2. libsnappy compressing the raw column bytes (Arrow-like layout: fixed
 *     widths, string bytes plus 4-byte offsets, 1 byte per validity slot
 *     when nullable) in 1 MiB blocks, like Parquet pages.
 * Raw bytes count the values as an engine holds them in memory; MB = 10^6.
 */
#include <dsg/dsg.h>

#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 65536

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t width(dsg_type t)
{
    switch (t) {
    case DSG_BOOL: case DSG_INT8: return 1;
    case DSG_INT16: return 2;
    case DSG_INT32: case DSG_DATE: case DSG_FLOAT: return 4;
    case DSG_INT64: case DSG_DOUBLE: case DSG_TIMESTAMP: case DSG_DURATION: case DSG_DECIMAL: return 8;
    default: return 0;
    }
}

/* Appends the raw bytes of a column to buf (grown as needed). */
static void raw_append(const dsg_field *f, const dsg_array *a, size_t n, char **buf, size_t *len, size_t *cap)
{
    size_t need = *len + n * 9 + 64;
    if (f->type == DSG_STRING)
        need += (size_t)a->offsets[n] + n * 4;
    if (need > *cap) {
        *cap = need * 2;
        *buf = realloc(*buf, *cap);
        if (*buf == NULL)
            abort();
    }
    if (f->flags & DSG_FIELD_NULLABLE) {
        if (a->valid)
            memcpy(*buf + *len, a->valid, n);
        else
            memset(*buf + *len, 1, n);
        *len += n;
    }
    size_t w = width(f->type);
    if (w) {
        memcpy(*buf + *len, a->values, n * w);
        *len += n * w;
    } else if (f->type == DSG_STRING || f->type == DSG_LIST) {
        memcpy(*buf + *len, a->offsets + 1, n * 4);
        *len += n * 4;
        if (f->type == DSG_STRING) {
            memcpy(*buf + *len, a->data, (size_t)a->offsets[n]);
            *len += (size_t)a->offsets[n];
        }
    }
    size_t child_n = f->type == DSG_LIST ? (size_t)a->offsets[n] : n;
    for (size_t i = 0; i < f->n_children; i++)
        raw_append(&f->children[i], &a->children[i], child_n, buf, len, cap);
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "alltypes";
    const char *rows_text = argc > 2 ? argv[2] : "1000000";
    const char *codec_name = argc > 3 ? argv[3] : "snappy";
    dsg_error err;
    dsg_dataset *ds;
    if (dsg_dataset_create(&ds, name, &err) || (strcmp(name, "alltypes") == 0 && dsg_dataset_set(ds, "rows", rows_text, &err)) ||
        dsg_dataset_prepare(ds, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }
    dsg_table_info info;
    dsg_dataset_table(ds, 0, &info, &err);
    uint64_t rows = info.rows;
    size_t n_batches = (size_t)((rows + BATCH - 1) / BATCH);
    dsg_batch **batches = calloc(n_batches, sizeof *batches);
    const dsg_array **cols = calloc(n_batches, sizeof *cols);
    char *raw = NULL;
    size_t raw_len = 0, raw_cap = 0;
    for (size_t b = 0; b < n_batches; b++) {
        size_t n = (size_t)(rows - (uint64_t)b * BATCH < BATCH ? rows - (uint64_t)b * BATCH : BATCH);
        if (dsg_batch_create(&batches[b], ds, 0, &err) ||
            dsg_dataset_fill(ds, 0, (uint64_t)b * BATCH, n, batches[b], &cols[b], &err)) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
        for (size_t c = 0; c < info.n_fields; c++)
            raw_append(&info.fields[c], &cols[b][c], n, &raw, &raw_len, &raw_cap);
    }
    dsg_parquet_options po;
    dsg_parquet_options_init(&po);
    if (dsg_codec_parse(codec_name, &po.codec, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }
    const char *path = "/tmp/dsg-writer-throughput.parquet";
    dsg_sink *sink;
    dsg_parquet_writer *w;
    double t0 = now();
    if (dsg_file_sink_open(&sink, path, &err) ||
        dsg_parquet_writer_open(&w, sink, info.fields, info.n_fields, &po, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    for (size_t b = 0; b < n_batches; b++) {
        size_t n = (size_t)(rows - (uint64_t)b * BATCH < BATCH ? rows - (uint64_t)b * BATCH : BATCH);
        if (dsg_parquet_writer_write(w, cols[b], n, &err)) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
    }
    if (dsg_parquet_writer_close(w, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    double t_write = now() - t0;
    uint64_t out_bytes = dsg_parquet_writer_bytes(w);
    dsg_parquet_writer_free(w);
    remove(path);

    size_t block = 1 << 20;
    char *dst = malloc(snappy_max_compressed_length(block));
    size_t snappy_out = 0;
    t0 = now();
    for (size_t off = 0; off < raw_len; off += block) {
        size_t n = raw_len - off < block ? raw_len - off : block;
        size_t len = snappy_max_compressed_length(block);
        snappy_compress(raw + off, n, dst, &len);
        snappy_out += len;
    }
    double t_snappy = now() - t0;
    printf("%s: %llu rows, %.1f MB raw column data\n", name, (unsigned long long)rows, raw_len / 1e6);
    printf("writer (%s, 1 thread): %.3f s, %.0f MB/s, %.1f MB out\n", codec_name, t_write,
           raw_len / 1e6 / t_write, out_bytes / 1e6);
    printf("libsnappy alone on the raw bytes: %.3f s, %.0f MB/s, %.1f MB out\n", t_snappy,
           raw_len / 1e6 / t_snappy, snappy_out / 1e6);
    printf("ratio writer/snappy time: %.2f\n", t_write / t_snappy);
    for (size_t b = 0; b < n_batches; b++)
        dsg_batch_free(batches[b]);
    free(batches);
    free(cols);
    free(raw);
    free(dst);
    dsg_dataset_free(ds);
    return 0;
}
