/*
 * table_session.c - the commit session of dsg.h (dsg_table_session_*): the
 * part of a table-format write that every format shares.
 *
 * State list:
 *  1. open: the format is found, the store is rooted at <output>/<name>,
 *     format->open checks the mode, the existing table and the catalog.
 *     Nothing is written by the session; a format writes nothing before
 *     its commit either (table.h), so a refused open leaves no trace.
 *  2. add_file (any thread; one at a time under the session's lock): the
 *     file's partition values are read back from its directories and the
 *     format records the file (it copies what it keeps).
 *  3. commit: format->commit makes every added file visible at once, or
 *     none of them. Only one commit per session.
 *  4. free: format->free; without a successful commit the table stays at
 *     its previous version and the data files are unreferenced orphans.
 *
 * The session's name suffix (a random UUID) makes data file names unique,
 * so that appends and concurrent shards never collide; it is in the names
 * only, never in the files' bytes.
 */
#include "table/table.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define MAX_LEVELS 16
#define VALUE_MAX 256

struct dsg_table_session {
    const dsgt_format *format;
    dsgt_store *store;
    dsgt_table *table;
    char *name;
    char *const *partition_by;   /* copies */
    size_t n_partition_by;
    pthread_mutex_t lock;
    uint64_t files;
    int committed;
    char uuid[37];
};

int dsg_table_format_available(const char *name) { return dsgt_format_find(name) != NULL; }

static void make_uuid(char out[37])
{
    uint8_t b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        /* no entropy source: time, pid and an address still differ between runs */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ ((uint64_t)getpid() << 48) ^
                     (uint64_t)(uintptr_t)&ts;
        for (int i = 0; i < 16; i++) {
            x += 0x9E3779B97F4A7C15ull;
            uint64_t z = x;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            b[i] = (uint8_t)(z ^ (z >> 31));
        }
    }
    b[6] = (uint8_t)((b[6] & 0x0F) | 0x40); /* version 4 */
    b[8] = (uint8_t)((b[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
             b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

void dsg_table_session_free(dsg_table_session *s)
{
    if (s == NULL)
        return;
    if (s->table != NULL)
        s->format->free(s->table);
    dsgt_store_free(s->store);
    for (size_t i = 0; i < s->n_partition_by; i++)
        dsgi_free(s->partition_by[i]);
    dsgi_free((void *)s->partition_by);
    dsgi_free(s->name);
    pthread_mutex_destroy(&s->lock);
    dsgi_free(s);
}

static dsg_status check_options(const dsg_table_options *o, dsg_error *err)
{
    DSGI_RETURN_IF(o == NULL, err, DSG_EINVAL, "no table options given");
    DSGI_RETURN_IF(o->name == NULL || *o->name == '\0' || strchr(o->name, '/') != NULL, err, DSG_EINVAL,
                   "a table needs a name without '/'");
    DSGI_RETURN_IF(o->output == NULL || *o->output == '\0', err, DSG_EINVAL, "no output location given for table %s",
                   o->name);
    DSGI_RETURN_IF(o->fields == NULL || o->n_fields == 0, err, DSG_EINVAL, "table %s has no columns", o->name);
    DSGI_RETURN_IF(o->mode != DSG_MODE_CREATE && o->mode != DSG_MODE_APPEND && o->mode != DSG_MODE_OVERWRITE, err,
                   DSG_EINVAL, "unknown table mode %d", (int)o->mode);
    DSGI_RETURN_IF(o->n_partition_by > MAX_LEVELS, err, DSG_EINVAL, "table %s has too many partition levels",
                   o->name);
    DSGI_RETURN_IF(o->n_partition_by > 0 && o->partition_by == NULL, err, DSG_EINVAL,
                   "table %s: partition columns missing", o->name);
    DSGI_RETURN_IF(o->partition_source >= (int)o->n_fields, err, DSG_EINVAL,
                   "table %s: partition source column %d does not exist", o->name, o->partition_source);
    DSGI_RETURN_IF(o->partition_source >= 0 && o->n_partition_by > 0 && o->partition_transforms == NULL, err,
                   DSG_EINVAL, "table %s: partition transforms missing", o->name);
    return DSG_OK;
}

dsg_status dsg_table_session_open(dsg_table_session **out, const dsg_table_options *opt, dsg_error *err)
{
    DSGI_FORWARD(check_options(opt, err));
    const dsgt_format *fmt = dsgt_format_find(opt->format);
    if (fmt == NULL) {
        DSGI_RETURN_IF(dsgt_format_known(opt->format), err, DSG_EINVAL, "format '%s' is not available in this build",
                       opt->format);
        return dsgi_fail(err, DSG_EINVAL, "unknown table format '%s'", opt->format ? opt->format : "(none)");
    }
    dsg_table_session *s = dsgi_calloc(1, sizeof *s);
    DSGI_RETURN_IF(s == NULL, err, DSG_ENOMEM, "out of memory (table session)");
    pthread_mutex_init(&s->lock, NULL);
    s->format = fmt;
    make_uuid(s->uuid);
    dsg_status st = DSG_OK;
    s->name = dsgi_strdup(opt->name);
    s->partition_by = dsgi_calloc(opt->n_partition_by + 1, sizeof *s->partition_by);
    if (s->name == NULL || s->partition_by == NULL)
        st = dsgi_fail(err, DSG_ENOMEM, "out of memory (table session)");
    for (size_t i = 0; st == DSG_OK && i < opt->n_partition_by; i++) {
        char *copy = dsgi_strdup(opt->partition_by[i]);
        ((char **)s->partition_by)[i] = copy;
        s->n_partition_by = i + 1;
        if (copy == NULL)
            st = dsgi_fail(err, DSG_ENOMEM, "out of memory (table session)");
    }
    char root[4400];
    if (st == DSG_OK) {
        size_t n = strlen(opt->output);
        while (n > 1 && opt->output[n - 1] == '/')
            n--;
        int len = snprintf(root, sizeof root, "%.*s/%s", (int)n, opt->output, opt->name);
        if (len < 0 || (size_t)len >= sizeof root)
            st = dsgi_fail(err, DSG_EINVAL, "output location too long: %s", opt->output);
    }
    if (st == DSG_OK)
        st = dsgt_store_open(&s->store, root, opt->s3, err);
    if (st == DSG_OK) {
        char engine[64];
        snprintf(engine, sizeof engine, "dataset-generator %s", dsg_version());
        dsgt_table_args a = {
            .store = s->store,
            .table_name = s->name,
            .fields = opt->fields,
            .n_fields = opt->n_fields,
            .partition_by = (const char *const *)s->partition_by,
            .n_partition_by = s->n_partition_by,
            .partition_source = opt->n_partition_by > 0 ? opt->partition_source : -1,
            .partition_transforms = opt->n_partition_by > 0 ? opt->partition_transforms : NULL,
            .mode = opt->mode,
            .catalog = opt->catalog,
            .engine_info = engine,
            .partition_fields = opt->n_partition_by > 0 ? opt->partition_fields : NULL,
        };
        st = fmt->open(&s->table, &a, err);
        if (st != DSG_OK)
            s->table = NULL;
    }
    if (st != DSG_OK) {
        dsg_table_session_free(s);
        return st;
    }
    *out = s;
    return DSG_OK;
}

int dsg_table_session_needs_field_ids(const dsg_table_session *s) { return s->format->needs_field_ids; }
const char *dsg_table_session_uri(const dsg_table_session *s) { return dsgt_store_uri(s->store); }
uint64_t dsg_table_session_files(const dsg_table_session *s) { return s->files; }

dsg_status dsg_table_session_file_name(const dsg_table_session *s, const char *partition_path, uint64_t k,
                                       char *out, size_t size, dsg_error *err)
{
    const char *dir = partition_path ? partition_path : "";
    int n = snprintf(out, size, "%s%spart-%05llu-%s.parquet", dir, *dir ? "/" : "", (unsigned long long)k, s->uuid);
    DSGI_RETURN_IF(n < 0 || (size_t)n >= size, err, DSG_EINVAL, "data file name too long in %s", dir);
    return DSG_OK;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The partition values of rel_path: its directories are "name=value" in
 * partition_by order; values are unescaped (%XX). */
static dsg_status partition_values(const dsg_table_session *s, const char *rel_path,
                                   char values[][VALUE_MAX], dsg_error *err)
{
    const char *p = rel_path;
    for (size_t level = 0; level < s->n_partition_by; level++) {
        const char *slash = strchr(p, '/');
        const char *eq = memchr(p, '=', slash ? (size_t)(slash - p) : 0);
        size_t name_len = eq ? (size_t)(eq - p) : 0;
        DSGI_RETURN_IF(slash == NULL || eq == NULL || name_len != strlen(s->partition_by[level]) ||
                           memcmp(p, s->partition_by[level], name_len) != 0,
                       err, DSG_EINVAL, "data file %s of table %s is not under a %s=... directory", rel_path, s->name,
                       s->partition_by[level]);
        size_t out = 0;
        for (const char *q = eq + 1; q < slash; q++) {
            char c = *q;
            if (c == '%' && slash - q >= 3 && hex_digit(q[1]) >= 0 && hex_digit(q[2]) >= 0) {
                c = (char)(hex_digit(q[1]) * 16 + hex_digit(q[2]));
                q += 2;
            }
            DSGI_RETURN_IF(out + 1 >= VALUE_MAX, err, DSG_EINVAL, "partition value too long in %s", rel_path);
            values[level][out++] = c;
        }
        values[level][out] = '\0';
        p = slash + 1;
    }
    DSGI_RETURN_IF(strchr(p, '/') != NULL || *p == '\0', err, DSG_EINVAL,
                   "data file %s of table %s is not in a partition directory of the table (%zu levels)", rel_path,
                   s->name, s->n_partition_by);
    return DSG_OK;
}

dsg_status dsg_table_session_add_file(dsg_table_session *s, const char *rel_path, uint64_t rows, uint64_t bytes,
                                      const dsg_column_stats *columns, size_t n_columns, dsg_error *err)
{
    DSGI_RETURN_IF(s == NULL || rel_path == NULL || *rel_path == '\0' || *rel_path == '/', err, DSG_EINVAL,
                   "a data file needs a path relative to the table");
    DSGI_RETURN_IF(n_columns > 0 && columns == NULL, err, DSG_EINVAL, "no column statistics for %s", rel_path);
    char values[MAX_LEVELS][VALUE_MAX];
    const char *value_ptrs[MAX_LEVELS];
    DSGI_FORWARD(partition_values(s, rel_path, values, err));
    for (size_t i = 0; i < s->n_partition_by; i++)
        value_ptrs[i] = values[i];
    dsgt_file f = {rel_path, rows, bytes, s->n_partition_by ? value_ptrs : NULL, columns, n_columns};
    pthread_mutex_lock(&s->lock);
    dsg_status st = DSG_OK;
    if (s->committed)
        st = dsgi_fail(err, DSG_ESTATE, "table %s: file added after the commit", s->name);
    else
        st = s->format->add_file(s->table, &f, err);
    if (st == DSG_OK)
        s->files++;
    pthread_mutex_unlock(&s->lock);
    return st;
}

dsg_status dsg_table_session_commit(dsg_table_session *s, int64_t *version, dsg_error *err)
{
    DSGI_RETURN_IF(s == NULL, err, DSG_EINVAL, "no table session given");
    pthread_mutex_lock(&s->lock);
    dsg_status st = DSG_OK;
    int64_t v = 0;
    if (s->committed)
        st = dsgi_fail(err, DSG_ESTATE, "table %s committed twice", s->name);
    else
        st = s->format->commit(s->table, &v, err);
    if (st == DSG_OK)
        s->committed = 1;
    pthread_mutex_unlock(&s->lock);
    if (st == DSG_OK && version != NULL)
        *version = v;
    return st;
}

dsg_status dsgt_sessions_commit(dsg_table_session *const *sessions, size_t n, int64_t *versions,
                                dsg_error *err)
{
    if (n == 0)
        return DSG_OK;
    const dsgt_format *fmt = sessions[0]->format;
    if (fmt->commit_many == NULL || n == 1) {
        for (size_t i = 0; i < n; i++)
            DSGI_FORWARD(dsg_table_session_commit(sessions[i], &versions[i], err));
        return DSG_OK;
    }
    dsgt_table **tables = dsgi_calloc(n, sizeof *tables);
    if (tables == NULL)
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (committing %zu tables)", n);
    dsg_status st = DSG_OK;
    size_t locked = 0;
    for (; locked < n && st == DSG_OK; locked++) {
        dsg_table_session *s = sessions[locked];
        pthread_mutex_lock(&s->lock);
        tables[locked] = s->table;
        if (s->format != fmt)
            st = dsgi_fail(err, DSG_EINTERNAL, "tables of one run in different formats");
        else if (s->committed)
            st = dsgi_fail(err, DSG_ESTATE, "table %s committed twice", s->name);
    }
    int64_t v = 0;
    if (st == DSG_OK)
        st = fmt->commit_many(tables, n, &v, err);
    for (size_t i = 0; i < locked; i++) {
        if (st == DSG_OK) {
            sessions[i]->committed = 1;
            versions[i] = v;
        }
        pthread_mutex_unlock(&sessions[i]->lock);
    }
    dsgi_free(tables);
    return st;
}
