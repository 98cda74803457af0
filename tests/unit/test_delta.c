/*
 * test_delta.c - the Delta Lake format (lib/table/delta*.c) on a local
 * store, without the run engine: real Parquet files written by our writer,
 * their statistics handed to the format, commits checked in the log.
 * Independent readers (delta-rs, DuckDB, Spark) check the same tables in
 * tests/python/test_delta.py; here: the log's contents, modes, refusals,
 * races between processes, checkpoints read back.
 *
 *   test_delta              every check, in a temporary directory
 *   test_delta --write DIR  leaves one table with every type, 12 commits
 *                           (a checkpoint at 10) and an overwrite in DIR,
 *                           for the Python tests' readers
 */
#include "table/delta.h"
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define N DSG_FIELD_NULLABLE
static const dsg_field s_members[] = {{"a", DSG_INT32, N, 0, 0, NULL, 0}, {"b", DSG_STRING, N, 0, 0, NULL, 0}};
static const dsg_field l_elem[] = {{"element", DSG_STRING, N, 0, 0, NULL, 0}};
static const dsg_field m_kv[] = {{"key", DSG_STRING, 0, 0, 0, NULL, 0}, {"value", DSG_INT64, N, 0, 0, NULL, 0}};
static const dsg_field fields[] = {
    {"id", DSG_INT64, 0, 0, 0, NULL, 0},
    {"i8", DSG_INT8, N, 0, 0, NULL, 0},
    {"i16", DSG_INT16, N, 0, 0, NULL, 0},
    {"i32", DSG_INT32, N, 0, 0, NULL, 0},
    {"f", DSG_FLOAT, N, 0, 0, NULL, 0},
    {"price", DSG_DOUBLE, N, 0, 0, NULL, 0},
    {"flag", DSG_BOOL, N, 0, 0, NULL, 0},
    {"name", DSG_STRING, N, 0, 0, NULL, 0},
    {"d", DSG_DATE, 0, 0, 0, NULL, 0},
    {"ts", DSG_TIMESTAMP, N, 0, 0, NULL, 0},
    {"dur", DSG_DURATION, N, 0, 0, NULL, 0},
    {"dec", DSG_DECIMAL, N, 9, 2, NULL, 0},
    {"s", DSG_STRUCT, N, 0, 0, s_members, 2},
    {"tags", DSG_LIST, N, 0, 0, l_elem, 1},
    {"m", DSG_MAP, N, 0, 0, m_kv, 2},
};
#define NF (sizeof fields / sizeof fields[0])
static const char *const part_by[] = {"year", "month"};
static const dsg_partition_transform part_tr[] = {DSG_PART_YEAR, DSG_PART_MONTH};

static char root[512];

static dsgt_store *open_store(void)
{
    dsgt_store *s = NULL;
    dsg_error err;
    dsg_error_clear(&err);
    CHECKF(dsgt_store_open(&s, root, NULL, &err) == DSG_OK, "%s", err.message);
    return s;
}

static dsgt_table_args table_args(dsgt_store *s, dsg_table_mode mode)
{
    dsgt_table_args a;
    memset(&a, 0, sizeof a);
    a.store = s;
    a.table_name = "t";
    a.fields = fields;
    a.n_fields = NF;
    a.partition_by = part_by;
    a.n_partition_by = 2;
    a.partition_source = 8;
    a.partition_transforms = part_tr;
    a.mode = mode;
    a.engine_info = "dataset-generator test";
    return a;
}

/* Writes ROWS rows with ids from 'first' into <root>/year=Y/month=MM/<name>
 * and adds the file to t. Row 1 of each file has NaN price when nan is set;
 * nulls in every nullable column on rows divisible by 5. */
#define ROWS 20
static void write_file(dsgt_table *t, int year, int month, const char *name, int64_t first, int nan)
{
    char dir[700], path[800], rel[200];
    snprintf(rel, sizeof rel, "year=%d/month=%02d/%s", year, month, name);
    snprintf(dir, sizeof dir, "%s/year=%d", root, year);
    mkdir(dir, 0755);
    snprintf(dir, sizeof dir, "%s/year=%d/month=%02d", root, year, month);
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/%s", root, rel);
    static int64_t id[ROWS], ts[ROWS], dur[ROWS], dec[ROWS], mv[ROWS * 2];
    static int8_t i8[ROWS];
    static int16_t i16[ROWS];
    static int32_t i32[ROWS], d[ROWS], sa[ROWS], name_off[ROWS + 1], sb_off[ROWS + 1], t_off[ROWS + 1],
        te_off[ROWS * 2 + 1], m_off[ROWS + 1], mk_off[ROWS * 2 + 1];
    static float f[ROWS];
    static double price[ROWS];
    static uint8_t flag[ROWS], valid[ROWS], all_valid[ROWS * 2];
    static char names[ROWS * 64], sb[ROWS * 8], te[ROWS * 16], mk[ROWS * 8];
    size_t nl = 0, sbl = 0, tel = 0, ne = 0, mkl = 0, nm = 0;
    int32_t day0 = dsgi_days_from_civil(year, (unsigned)month, 1);
    for (int i = 0; i < ROWS; i++) {
        int64_t k = first + i;
        id[i] = k;
        valid[i] = i % 5 != 0;
        i8[i] = (int8_t)(k % 100 - 50);
        i16[i] = (int16_t)(k * 7 % 30000);
        i32[i] = (int32_t)(k * 1000 - 5);
        f[i] = (float)k / 4.0f;
        price[i] = nan && i == 1 ? NAN : (double)k * 1.25;
        flag[i] = (uint8_t)(k & 1);
        /* names: one longer than 32 characters to exercise truncation */
        nl += (size_t)snprintf(names + nl, 64, i == 19 ? "%sname-%03lld-with-a-rather-long-suffix-éé" : "%sname-%03lld",
                               "", (long long)k);
        name_off[i + 1] = (int32_t)nl;
        d[i] = day0 + i % 28;
        ts[i] = ((int64_t)d[i] * 86400 + i * 3600) * 1000000 + 123457; /* micros not on a millisecond */
        dur[i] = k * 1000;
        dec[i] = k * 100 + 99 - (k % 2) * 2 * (k * 100 + 99); /* negatives too */
        sa[i] = (int32_t)k;
        sbl += (size_t)snprintf(sb + sbl, 8, "b%d", i % 10);
        sb_off[i + 1] = (int32_t)sbl;
        for (int e = 0; e < i % 3; e++, ne++) {
            tel += (size_t)snprintf(te + tel, 16, "t%d", e);
            te_off[ne + 1] = (int32_t)tel;
        }
        t_off[i + 1] = (int32_t)ne;
        for (int e = 0; e < i % 2 + 1; e++, nm++) {
            mkl += (size_t)snprintf(mk + mkl, 8, "k%d", e);
            mk_off[nm + 1] = (int32_t)mkl;
            mv[nm] = k + e;
        }
        m_off[i + 1] = (int32_t)nm;
    }
    memset(all_valid, 1, sizeof all_valid);
    dsg_array s_kids[2] = {{DSG_INT32, ROWS, valid, sa, NULL, NULL, NULL},
                           {DSG_STRING, ROWS, NULL, NULL, sb_off, sb, NULL}};
    dsg_array t_kid = {DSG_STRING, ne, NULL, NULL, te_off, te, NULL};
    dsg_array m_kids[2] = {{DSG_STRING, nm, NULL, NULL, mk_off, mk, NULL}, {DSG_INT64, nm, NULL, mv, NULL, NULL, NULL}};
    dsg_array cols[NF] = {
        {DSG_INT64, ROWS, NULL, id, NULL, NULL, NULL},
        {DSG_INT8, ROWS, valid, i8, NULL, NULL, NULL},
        {DSG_INT16, ROWS, valid, i16, NULL, NULL, NULL},
        {DSG_INT32, ROWS, valid, i32, NULL, NULL, NULL},
        {DSG_FLOAT, ROWS, valid, f, NULL, NULL, NULL},
        {DSG_DOUBLE, ROWS, valid, price, NULL, NULL, NULL},
        {DSG_BOOL, ROWS, valid, flag, NULL, NULL, NULL},
        {DSG_STRING, ROWS, valid, NULL, name_off, names, NULL},
        {DSG_DATE, ROWS, NULL, d, NULL, NULL, NULL},
        {DSG_TIMESTAMP, ROWS, valid, ts, NULL, NULL, NULL},
        {DSG_DURATION, ROWS, valid, dur, NULL, NULL, NULL},
        {DSG_DECIMAL, ROWS, valid, dec, NULL, NULL, NULL},
        {DSG_STRUCT, ROWS, valid, NULL, NULL, NULL, s_kids},
        {DSG_LIST, ROWS, valid, NULL, t_off, NULL, &t_kid},
        {DSG_MAP, ROWS, valid, NULL, m_off, NULL, m_kids},
    };
    dsg_error err;
    dsg_error_clear(&err);
    dsg_sink *sink;
    dsg_parquet_writer *w;
    CHECKF(dsg_file_sink_open(&sink, path, &err) == DSG_OK, "%s", err.message);
    CHECKF(dsg_parquet_writer_open(&w, sink, fields, NF, NULL, &err) == DSG_OK, "%s", err.message);
    CHECKF(dsg_parquet_writer_write(w, cols, ROWS, &err) == DSG_OK, "%s", err.message);
    CHECKF(dsg_parquet_writer_close(w, &err) == DSG_OK, "%s", err.message);
    const dsg_column_stats *st;
    size_t n_st;
    CHECK(dsg_parquet_writer_column_stats(w, &st, &n_st, &err) == DSG_OK);
    char y[8], m[8];
    snprintf(y, sizeof y, "%d", year);
    snprintf(m, sizeof m, "%02d", month);
    const char *pv[2] = {y, m};
    dsgt_file file = {rel, ROWS, dsg_parquet_writer_bytes(w), pv, st, n_st};
    CHECKF(dsgt_delta_format.add_file(t, &file, &err) == DSG_OK, "%s", err.message);
    dsg_parquet_writer_free(w);
}

static dsg_status open_table(dsgt_store *s, dsg_table_mode mode, dsgt_table **t, dsg_error *err)
{
    dsgt_table_args a = table_args(s, mode);
    dsg_error_clear(err);
    return dsgt_delta_format.open(t, &a, err);
}

/* One commit of 'files' files (ids from first), returns its version. */
static int64_t commit_files(dsg_table_mode mode, int files, int64_t first, const char *tag)
{
    dsgt_store *s = open_store();
    dsgt_table *t;
    dsg_error err;
    CHECKF(open_table(s, mode, &t, &err) == DSG_OK, "%s", err.message);
    for (int i = 0; i < files; i++) {
        char name[64];
        snprintf(name, sizeof name, "part-%s-%05d.parquet", tag, i);
        write_file(t, 2024, 1 + (i % 3), name, first + (int64_t)i * ROWS, i == 0);
    }
    int64_t v = -1;
    CHECKF(dsgt_delta_format.commit(t, &v, &err) == DSG_OK, "%s", err.message);
    dsgt_delta_format.free(t);
    dsgt_store_free(s);
    return v;
}

static json_t *read_commit(int64_t v)
{
    char path[700];
    snprintf(path, sizeof path, "%s/_delta_log/%020lld.json", root, (long long)v);
    FILE *f = fopen(path, "rb");
    CHECKF(f != NULL, "%s missing", path);
    json_t *arr = json_array();
    char line[1 << 16];
    while (fgets(line, sizeof line, f)) {
        json_error_t je;
        json_t *j = json_loads(line, 0, &je);
        CHECKF(j != NULL, "%s: %s", path, je.text);
        json_array_append_new(arr, j);
    }
    fclose(f);
    return arr;
}

static const json_t *find_action(const json_t *actions, const char *kind, size_t nth)
{
    for (size_t i = 0; i < json_array_size(actions); i++) {
        const json_t *a = json_object_get(json_array_get(actions, i), kind);
        if (a && nth-- == 0)
            return a;
    }
    return NULL;
}

static void check_first_commit(void)
{
    json_t *c = read_commit(0);
    CHECK(json_object_get(json_array_get(c, 0), "commitInfo") != NULL); /* first */
    const json_t *p = find_action(c, "protocol", 0);
    CHECK(json_integer_value(json_object_get(p, "minReaderVersion")) == 1);
    CHECK(json_integer_value(json_object_get(p, "minWriterVersion")) == 2);
    const json_t *m = find_action(c, "metaData", 0);
    CHECK(json_object_get(m, "createdTime") && json_string_length(json_object_get(m, "id")) == 36);
    json_t *schema = json_loads(json_string_value(json_object_get(m, "schemaString")), 0, NULL);
    CHECK(schema != NULL);
    const json_t *sf = json_object_get(schema, "fields");
    CHECK(json_array_size(sf) == NF + 2);
    static const char *const want[] = {"long", "byte", "short", "integer", "float", "double", "boolean",
                                       "string", "date", "timestamp", "long", "decimal(9,2)"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        CHECKF(strcmp(json_string_value(json_object_get(json_array_get(sf, i), "type")), want[i]) == 0,
               "type of column %zu", i);
    CHECK(strcmp(json_string_value(json_object_get(json_object_get(json_array_get(sf, 13), "type"), "type")),
                 "array") == 0);
    CHECK(strcmp(json_string_value(json_object_get(json_object_get(json_array_get(sf, 14), "type"), "type")),
                 "map") == 0);
    CHECK(strcmp(json_string_value(json_object_get(json_array_get(sf, NF), "name")), "year") == 0);
    CHECK(strcmp(json_string_value(json_object_get(json_array_get(sf, NF + 1), "type")), "integer") == 0);
    json_decref(schema);
    const json_t *add = find_action(c, "add", 0);
    CHECK(add != NULL);
    CHECK(strcmp(json_string_value(json_object_get(add, "path")), "year=2024/month=01/part-a-00000.parquet") == 0);
    const json_t *pv = json_object_get(add, "partitionValues");
    CHECK(strcmp(json_string_value(json_object_get(pv, "year")), "2024") == 0);
    CHECK(strcmp(json_string_value(json_object_get(pv, "month")), "1") == 0); /* no leading zero */
    json_t *st = json_loads(json_string_value(json_object_get(add, "stats")), 0, NULL);
    CHECK(st != NULL);
    CHECK(json_integer_value(json_object_get(st, "numRecords")) == ROWS);
    const json_t *mn = json_object_get(st, "minValues"), *mx = json_object_get(st, "maxValues"),
                 *nc = json_object_get(st, "nullCount");
    CHECK(json_integer_value(json_object_get(mn, "id")) == 1000 && json_integer_value(json_object_get(mx, "id")) == 1019);
    CHECK(json_integer_value(json_object_get(nc, "id")) == 0 && json_integer_value(json_object_get(nc, "name")) == 4);
    CHECK(json_object_get(mn, "price") == NULL && json_object_get(mx, "price") == NULL); /* NaN in file 0 */
    CHECK(json_object_get(mn, "flag") == NULL && json_integer_value(json_object_get(nc, "flag")) == 4);
    CHECK(json_object_get(mn, "tags") == NULL && json_object_get(nc, "tags") == NULL);
    CHECK(json_integer_value(json_object_get(json_object_get(mn, "s"), "a")) == 1001);
    CHECK(json_integer_value(json_object_get(json_object_get(nc, "s"), "b")) == 4); /* struct nulls */
    CHECKF(strcmp(json_string_value(json_object_get(mn, "d")), "2024-01-01") == 0, "%s",
           json_string_value(json_object_get(mn, "d")));
    /* ts of row 1: day 1 01:00:00.123457 -> min floor .123, max (row 19) ceil .124 */
    CHECKF(strcmp(json_string_value(json_object_get(mn, "ts")), "2024-01-02T01:00:00.123Z") == 0, "%s",
           json_string_value(json_object_get(mn, "ts")));
    CHECKF(strcmp(json_string_value(json_object_get(mx, "ts")), "2024-01-20T19:00:00.124Z") == 0, "%s",
           json_string_value(json_object_get(mx, "ts")));
    /* the long name: max truncated to 32 characters plus U+10FFFF */
    const char *maxname = json_string_value(json_object_get(mx, "name"));
    CHECKF(strcmp(maxname, "name-1019-with-a-rather-long-suf\xF4\x8F\xBF\xBF") == 0, "%s", maxname);
    CHECKF(strcmp(json_string_value(json_object_get(mn, "name")), "name-1001") == 0, "%s",
           json_string_value(json_object_get(mn, "name")));
    CHECK(json_real_value(json_object_get(mx, "dec")) > 0 || json_integer_value(json_object_get(mx, "dec")) > 0);
    json_decref(st);
    json_decref(c);
}

static void check_refusals(void)
{
    dsgt_store *s = open_store();
    dsgt_table *t = NULL;
    dsg_error err;
    CHECK(open_table(s, DSG_MODE_CREATE, &t, &err) == DSG_EINVAL && strstr(err.message, "already exists"));
    /* another schema */
    dsgt_table_args a = table_args(s, DSG_MODE_APPEND);
    a.n_fields = NF - 1;
    dsg_error_clear(&err);
    CHECK(dsgt_delta_format.open(&t, &a, &err) == DSG_EINVAL && strstr(err.message, "another schema"));
    /* other partition columns */
    a = table_args(s, DSG_MODE_APPEND);
    a.n_partition_by = 1;
    dsg_error_clear(&err);
    CHECK(dsgt_delta_format.open(&t, &a, &err) == DSG_EINVAL);
    dsgt_store_free(s);
}

/* A table written by someone else with a feature we do not implement. */
static void check_features(void)
{
    char saved[512];
    snprintf(saved, sizeof saved, "%s", root);
    snprintf(root, sizeof root, "%.400s/features", saved);
    mkdir(root, 0755);
    char dir[700];
    snprintf(dir, sizeof dir, "%s/_delta_log", root);
    mkdir(dir, 0755);
    snprintf(dir, sizeof dir, "%s/_delta_log/00000000000000000000.json", root);
    FILE *f = fopen(dir, "w");
    CHECK(f != NULL);
    fprintf(f, "{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,\"readerFeatures\":[\"deletionVectors\"],"
               "\"writerFeatures\":[\"deletionVectors\"]}}\n"
               "{\"metaData\":{\"id\":\"x\",\"format\":{\"provider\":\"parquet\",\"options\":{}},\"schemaString\":"
               "\"{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[]}\",\"partitionColumns\":[],\"configuration\":{},"
               "\"createdTime\":0}}\n");
    fclose(f);
    dsgt_store *s = open_store();
    dsgt_table *t = NULL;
    dsg_error err;
    CHECK(open_table(s, DSG_MODE_APPEND, &t, &err) == DSG_EINVAL && strstr(err.message, "deletionVectors"));
    dsgt_store_free(s);
    snprintf(root, sizeof root, "%s", saved);
}

/* Writers in separate processes append at once: every commit lands at its
 * own version, none is lost. */
static void check_race(int writers)
{
    dsgt_store *s = open_store();
    dlt_snapshot before;
    dsg_error err;
    CHECK(dlt_snapshot_init(&before, &err) == DSG_OK);
    CHECKF(dlt_snapshot_load(&before, s, root, &err) == DSG_OK, "%s", err.message);
    for (int i = 0; i < writers; i++) {
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            char tag[16];
            snprintf(tag, sizeof tag, "race%d", i);
            commit_files(DSG_MODE_APPEND, 2, 100000 + i * 1000, tag);
            _exit(0);
        }
    }
    for (int i = 0; i < writers; i++) {
        int status;
        CHECK(wait(&status) > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    dlt_snapshot after;
    CHECK(dlt_snapshot_init(&after, &err) == DSG_OK);
    CHECKF(dlt_snapshot_load(&after, s, root, &err) == DSG_OK, "%s", err.message);
    CHECKF(after.version == before.version + writers, "version %lld after %lld", (long long)after.version,
           (long long)before.version);
    CHECK(json_object_size(after.adds) == json_object_size(before.adds) + (size_t)writers * 2);
    dlt_snapshot_free(&before);
    dlt_snapshot_free(&after);
    dsgt_store_free(s);
}

/* An overwrite racing appends: whatever the order the store settles, the
 * live files are exactly those of the overwrite's version and of the
 * versions after it (the overwrite removed everything before it, including
 * commits it lost races to). */
static void check_overwrite_race(void)
{
    dsgt_store *s = open_store();
    dlt_snapshot before;
    dsg_error err;
    CHECK(dlt_snapshot_init(&before, &err) == DSG_OK && dlt_snapshot_load(&before, s, root, &err) == DSG_OK);
    for (int i = 0; i < 4; i++) {
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            char tag[16];
            snprintf(tag, sizeof tag, "owr%d", i);
            commit_files(i == 0 ? DSG_MODE_OVERWRITE : DSG_MODE_APPEND, 2, 200000 + i * 1000, tag);
            _exit(0);
        }
    }
    for (int i = 0; i < 4; i++) {
        int status;
        CHECK(wait(&status) > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    dlt_snapshot after;
    CHECK(dlt_snapshot_init(&after, &err) == DSG_OK && dlt_snapshot_load(&after, s, root, &err) == DSG_OK);
    CHECK(after.version == before.version + 4);
    json_t *want = json_object();
    int64_t ow = -1;
    for (int64_t v = before.version + 1; v <= after.version; v++) {
        json_t *c = read_commit(v);
        if (find_action(c, "remove", 0) != NULL) {
            CHECK(ow < 0);
            ow = v;
            json_object_clear(want);
        }
        for (size_t i = 0; find_action(c, "add", i) != NULL; i++)
            json_object_set_new(want, json_string_value(json_object_get(find_action(c, "add", i), "path")),
                                json_true());
        json_decref(c);
    }
    CHECK(ow > before.version);
    CHECK(json_object_size(after.adds) == json_object_size(want));
    const char *key;
    json_t *v;
    json_object_foreach(want, key, v) CHECKF(json_object_get(after.adds, key) != NULL, "%s is not live", key);
    json_decref(want);
    dlt_snapshot_free(&before);
    dlt_snapshot_free(&after);
    dsgt_store_free(s);
}

static void check_checkpoint_reload(void)
{
    /* the snapshot from the checkpoint + later commits equals a replay of
     * every JSON commit */
    dsgt_store *s = open_store();
    dsg_error err;
    dlt_snapshot a, b;
    CHECK(dlt_snapshot_init(&a, &err) == DSG_OK && dlt_snapshot_init(&b, &err) == DSG_OK);
    CHECKF(dlt_snapshot_load(&a, s, root, &err) == DSG_OK, "%s", err.message);
    CHECK(a.checkpoint_version == 10);
    for (int64_t v = 0; v <= a.version; v++) {
        char name[64];
        dlt_log_name(name, sizeof name, v, ".json");
        dsgi_buf buf;
        dsgi_buf_init(&buf, 1 << 30);
        CHECK(dsgt_store_get(s, name, &buf, &err) == DSG_OK);
        CHECK(dlt_snapshot_apply(&b, (const char *)buf.data, buf.len, v, name, &err) == DSG_OK);
        dsgi_buf_free(&buf);
    }
    CHECK(a.version == b.version);
    CHECK(json_object_size(a.adds) == json_object_size(b.adds) && json_object_size(a.adds) > 0);
    const char *key;
    json_t *v;
    json_object_foreach(b.adds, key, v) {
        json_t *o = json_object_get(a.adds, key);
        CHECKF(o != NULL, "%s missing after the checkpoint", key);
        static const char *const same[] = {"path", "partitionValues", "size", "modificationTime", "stats"};
        for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
            CHECKF(json_equal(json_object_get(o, same[i]), json_object_get(v, same[i])), "%s: %s differs", key,
                   same[i]);
    }
    CHECK(json_object_size(a.removes) == json_object_size(b.removes));
    CHECK(json_equal(a.protocol, b.protocol));
    CHECK(json_equal(json_object_get(a.metadata, "schemaString"), json_object_get(b.metadata, "schemaString")));
    CHECK(json_equal(json_object_get(a.metadata, "partitionColumns"), json_object_get(b.metadata, "partitionColumns")));
    dlt_snapshot_free(&a);
    dlt_snapshot_free(&b);
    dsgt_store_free(s);
}

static void build_table(void)
{
    CHECK(commit_files(DSG_MODE_CREATE, 3, 1000, "a") == 0);
    for (int i = 1; i <= 11; i++) {
        char tag[16];
        snprintf(tag, sizeof tag, "v%d", i);
        CHECK(commit_files(DSG_MODE_APPEND, 1, 2000 + i * 100, tag) == i);
    }
    char cp[700];
    snprintf(cp, sizeof cp, "%s/_delta_log/00000000000000000010.checkpoint.parquet", root);
    CHECKF(access(cp, F_OK) == 0, "no checkpoint at version 10");
    snprintf(cp, sizeof cp, "%s/_delta_log/_last_checkpoint", root);
    CHECK(access(cp, F_OK) == 0);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write") == 0) {
        snprintf(root, sizeof root, "%s", argv[2]);
        mkdir(root, 0755);
        build_table();
        check_checkpoint_reload();
        CHECK(commit_files(DSG_MODE_OVERWRITE, 2, 5000, "ow") == 12);
        return 0;
    }
    snprintf(root, sizeof root, "%s", "/tmp/dsg-test-delta-XXXXXX");
    CHECK(mkdtemp(root) != NULL);
    build_table();
    check_first_commit();
    check_refusals();
    check_checkpoint_reload();
    check_race(4);
    check_overwrite_race();
    /* overwrite: one commit removing every current file */
    dsgt_store *s = open_store();
    dlt_snapshot snap;
    dsg_error err;
    CHECK(dlt_snapshot_init(&snap, &err) == DSG_OK && dlt_snapshot_load(&snap, s, root, &err) == DSG_OK);
    size_t live = json_object_size(snap.adds);
    int64_t v = commit_files(DSG_MODE_OVERWRITE, 2, 9000, "ow");
    CHECK(v == snap.version + 1);
    json_t *c = read_commit(v);
    size_t removes = 0, adds = 0;
    for (size_t i = 0; i < json_array_size(c); i++) {
        removes += json_object_get(json_array_get(c, i), "remove") != NULL;
        adds += json_object_get(json_array_get(c, i), "add") != NULL;
    }
    CHECK(removes == live && adds == 2);
    json_decref(c);
    dlt_snapshot_free(&snap);
    dsgt_store_free(s);
    check_features();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    CHECK(system(cmd) == 0);
    printf("test_delta: ok\n");
    return 0;
}
