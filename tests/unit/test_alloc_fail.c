/*
 * test_alloc_fail.c - allocation failure, curl's torture style: a write
 * scenario (sink, writer with flat and nested columns, two writes, close)
 * runs once to count its allocations, then once per allocation with that
 * one failing. Every run must end in DSG_ENOMEM (or success) with a
 * message, free everything it allocated, and leave no file behind: neither
 * the final name nor a temporary file.
 *
 * Fresh allocations are filled with the path of a canary file, as memory
 * that once held a path might be: code that used an uninitialized path
 * (say, unlinked it) would delete the canary.
 */
#include "dsg/dsg.h"
#include "test_util.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

static struct {
    long calls;   /* allocation calls so far */
    long fail_at; /* 1-based call that fails; 0: none */
    long live;    /* blocks allocated and not freed */
    char canary[128];
} g;

static int should_fail(void) { return ++g.calls == g.fail_at; }

static void poison(void *p, size_t size)
{
    size_t n = strlen(g.canary) + 1;
    if (size >= n)
        memcpy(p, g.canary, n);
}

static void *t_malloc(void *opaque, size_t size)
{
    (void)opaque;
    if (should_fail())
        return NULL;
    void *p = malloc(size);
    if (p != NULL) {
        g.live++;
        poison(p, size);
    }
    return p;
}

static void *t_realloc(void *opaque, void *ptr, size_t size)
{
    (void)opaque;
    if (should_fail())
        return NULL;
    void *p = realloc(ptr, size);
    if (p != NULL && ptr == NULL) {
        g.live++;
        poison(p, size);
    }
    return p;
}

static void t_free(void *opaque, void *ptr)
{
    (void)opaque;
    if (ptr != NULL)
        g.live--;
    free(ptr);
}

static char dir[64];

/* The file's bytes; *size receives their count. */
static char *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL && fseek(f, 0, SEEK_END) == 0);
    *size = (size_t)ftell(f);
    rewind(f);
    char *p = malloc(*size + 1);
    CHECK(p != NULL && fread(p, 1, *size, f) == *size);
    fclose(f);
    return p;
}

static size_t dir_entries(char *first, size_t first_size)
{
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || strcmp(e->d_name, "canary") == 0)
            continue;
        if (n++ == 0)
            snprintf(first, first_size, "%s", e->d_name);
    }
    closedir(d);
    return n;
}

/* The scenario: returns the first failing status, or DSG_OK. */
static dsg_status scenario(const char *path, dsg_codec codec, dsg_error *err)
{
    static const dsg_field tag[] = {{"element", DSG_STRING, DSG_FIELD_NULLABLE, 0, 0, NULL, 0}};
    static const dsg_field xy[] = {{"x", DSG_DOUBLE, 0, 0, 0, NULL, 0},
                                   {"y", DSG_INT32, DSG_FIELD_NULLABLE, 0, 0, NULL, 0}};
    static const dsg_field fields[] = {
        {"id", DSG_INT64, DSG_FIELD_NO_DICT, 0, 0, NULL, 0},
        {"name", DSG_STRING, DSG_FIELD_NULLABLE, 0, 0, NULL, 0},
        {"tags", DSG_LIST, DSG_FIELD_NULLABLE, 0, 0, tag, 1},
        {"point", DSG_STRUCT, DSG_FIELD_NULLABLE, 0, 0, xy, 2},
        {"price", DSG_DECIMAL, 0, 12, 2, NULL, 0},
    };
    enum { N = 1200 };
    static int64_t id[N], price[N];
    static int32_t name_off[N + 1], tags_off[N + 1], tag_off[N + 1], y[N];
    static char name_data[N * 8], tag_data[N];
    static uint8_t valid[N];
    static double x[N];
    for (int i = 0; i < N; i++) {
        id[i] = price[i] = i;
        valid[i] = i % 5 != 1;
        int len = snprintf(name_data + name_off[i], 8, "n%d", i % 700); /* dictionary falls back */
        name_off[i + 1] = name_off[i] + len;
        tags_off[i + 1] = tags_off[i] + (valid[i] ? 1 : 0);
        tag_data[i] = (char)('a' + i % 3);
        tag_off[i + 1] = i + 1;
        x[i] = i * 0.5;
        y[i] = -i;
    }
    dsg_array tag_arr = {DSG_STRING, N, valid, NULL, tag_off, tag_data, NULL};
    dsg_array xy_arr[2] = {{DSG_DOUBLE, N, NULL, x, NULL, NULL, NULL}, {DSG_INT32, N, valid, y, NULL, NULL, NULL}};
    dsg_array cols[] = {
        {DSG_INT64, N, NULL, id, NULL, NULL, NULL},
        {DSG_STRING, N, valid, NULL, name_off, name_data, NULL},
        {DSG_LIST, N, valid, NULL, tags_off, NULL, &tag_arr},
        {DSG_STRUCT, N, valid, NULL, NULL, NULL, xy_arr},
        {DSG_DECIMAL, N, NULL, price, NULL, NULL, NULL},
    };
    static const dsg_kv kv[] = {{"k", "v"}};
    dsg_parquet_options opt;
    dsg_parquet_options_init(&opt);
    opt.codec = codec;
    opt.row_group_rows = 500;
    opt.page_bytes = 1024;
    opt.dict_bytes = 2048;
    opt.metadata = kv;
    opt.n_metadata = 1;

    dsg_sink *sink = NULL;
    dsg_parquet_writer *w = NULL;
    dsg_status st = dsg_file_sink_open(&sink, path, err);
    if (st == DSG_OK)
        st = dsg_parquet_writer_open(&w, sink, fields, sizeof fields / sizeof fields[0], &opt, err);
    if (st == DSG_OK)
        st = dsg_parquet_writer_write(w, cols, 700, err);
    if (st == DSG_OK)
        st = dsg_parquet_writer_write(w, cols, N, err);
    if (st == DSG_OK) {
        st = dsg_parquet_writer_close(w, err);
    } else if (w != NULL) {
        /* a writer that failed refuses everything after */
        CHECK(dsg_parquet_writer_write(w, cols, 1, NULL) == DSG_ESTATE);
        CHECK(dsg_parquet_writer_close(w, NULL) == DSG_ESTATE);
    }
    dsg_parquet_writer_free(w);
    return st;
}

static void torture(dsg_codec codec)
{
    static const dsg_allocator counting = {t_malloc, t_realloc, t_free, NULL};
    char path[128], first[256];
    snprintf(path, sizeof path, "%s/out.parquet", dir);
    dsg_set_allocator(&counting);

    g.calls = g.fail_at = g.live = 0;
    dsg_error err;
    dsg_error_clear(&err);
    CHECKF(scenario(path, codec, &err) == DSG_OK, "%s: scenario fails: %s", dsg_codec_name(codec), err.message);
    long n = g.calls;
    CHECKF(g.live == 0, "%s: %ld blocks leaked", dsg_codec_name(codec), g.live);
    size_t want_size;
    char *want = slurp(path, &want_size);
    CHECK(n > 50 && unlink(path) == 0);

    for (long k = 1; k <= n; k++) {
        g.calls = g.live = 0;
        g.fail_at = k;
        dsg_error_clear(&err);
        dsg_status st = scenario(path, codec, &err);
        CHECKF(st == DSG_OK || (st == DSG_ENOMEM && err.status == DSG_ENOMEM && err.message[0] != '\0'),
               "%s, allocation %ld of %ld failing: status %d (%s)", dsg_codec_name(codec), k, n, st,
               err.message);
        CHECKF(g.live == 0, "%s, allocation %ld failing: %ld blocks leaked", dsg_codec_name(codec), k, g.live);
        CHECKF(access(g.canary, F_OK) == 0, "%s, allocation %ld failing: an uninitialized path was unlinked",
               dsg_codec_name(codec), k);
        if (st == DSG_OK) { /* the failure was absorbed: the file must be whole */
            size_t size;
            char *got = slurp(path, &size);
            CHECKF(size == want_size && memcmp(got, want, size) == 0,
                   "%s, allocation %ld failing: success, but the file differs", dsg_codec_name(codec), k);
            free(got);
            CHECK(unlink(path) == 0);
            continue;
        }
        size_t left = dir_entries(first, sizeof first);
        CHECKF(left == 0, "%s, allocation %ld failing: %s left behind", dsg_codec_name(codec), k, first);
    }
    free(want);
    dsg_set_allocator(NULL);
    printf("%s: %ld allocations, each failed once\n", dsg_codec_name(codec), n);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s", "/tmp/dsg-test-alloc-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    snprintf(g.canary, sizeof g.canary, "%s/canary", dir);
    FILE *c = fopen(g.canary, "w");
    CHECK(c != NULL && fclose(c) == 0);

    torture(DSG_CODEC_SNAPPY);
    torture(DSG_CODEC_LZ4_RAW);

    CHECK(unlink(g.canary) == 0 && rmdir(dir) == 0);
    printf("test_alloc_fail: ok\n");
    return 0;
}
