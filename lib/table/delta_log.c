/*
 * delta_log.c - reading a Delta table's log into a snapshot.
 *
 * A table's state at version V is the replay, in version order, of every
 * action of _delta_log/<v>.json for v <= V, or of the newest checkpoint
 * C <= V followed by the commits C+1..V (PROTOCOL.md, "Action
 * Reconciliation"): the last protocol and metaData win; an add of a path
 * replaces any earlier add and cancels its tombstone; a remove drops the
 * add and leaves a tombstone; the last txn of an appId wins.
 *
 * Loading: list _delta_log/ once; take the newest complete checkpoint
 * (classic or multi-part; _last_checkpoint names the same one and is only
 * a hint for readers that do not list); replay the JSON commits after it.
 * Versions must be contiguous. Catching up after a lost commit race reads
 * the versions after ours one by one until one is missing, without
 * listing.
 */
#include "table/delta.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int64_t dlt_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void dlt_log_name(char *buf, size_t n, int64_t version, const char *suffix)
{
    snprintf(buf, n, "_delta_log/%020" PRId64 "%s", version, suffix);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *dlt_path_decode(const char *path)
{
    size_t n = strlen(path);
    char *out = dsgi_malloc(n + 1);
    if (out == NULL)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (path[i] == '%' && i + 2 < n && (hi = hex_value(path[i + 1])) >= 0 &&
            (lo = hex_value(path[i + 2])) >= 0) {
            out[k++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[k++] = path[i];
        }
    }
    out[k] = '\0';
    return out;
}

dsg_status dlt_snapshot_init(dlt_snapshot *s, dsg_error *err)
{
    memset(s, 0, sizeof *s);
    s->version = -1;
    s->checkpoint_version = -1;
    s->adds = json_object();
    s->removes = json_object();
    s->txns = json_object();
    if (s->adds == NULL || s->removes == NULL || s->txns == NULL) {
        dlt_snapshot_free(s);
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (Delta snapshot)");
    }
    return DSG_OK;
}

void dlt_snapshot_free(dlt_snapshot *s)
{
    json_decref(s->protocol);
    json_decref(s->metadata);
    json_decref(s->adds);
    json_decref(s->removes);
    json_decref(s->txns);
    memset(s, 0, sizeof *s);
    s->version = -1;
    s->checkpoint_version = -1;
}

static void replace(json_t **slot, json_t *value)
{
    json_incref(value);
    json_decref(*slot);
    *slot = value;
}

/* obj[decoded path] = value; -1 when out of memory. */
static int keyed_set(json_t *obj, const char *path, json_t *value)
{
    char *key = dlt_path_decode(path);
    if (key == NULL)
        return -1;
    int rc = json_object_set(obj, key, value);
    dsgi_free(key);
    return rc;
}

static int keyed_del(json_t *obj, const char *path)
{
    char *key = dlt_path_decode(path);
    if (key == NULL)
        return -1;
    json_object_del(obj, key); /* missing: not an error */
    dsgi_free(key);
    return 0;
}

int dlt_snapshot_apply_action(dlt_snapshot *s, json_t *action)
{
    json_t *v;
    int rc = 0;
    if ((v = json_object_get(action, "protocol")) != NULL && json_is_object(v)) {
        replace(&s->protocol, v);
    } else if ((v = json_object_get(action, "metaData")) != NULL && json_is_object(v)) {
        replace(&s->metadata, v);
    } else if ((v = json_object_get(action, "add")) != NULL && json_is_object(v)) {
        const char *path = json_string_value(json_object_get(v, "path"));
        if (path != NULL)
            rc = keyed_del(s->removes, path) | keyed_set(s->adds, path, v);
    } else if ((v = json_object_get(action, "remove")) != NULL && json_is_object(v)) {
        const char *path = json_string_value(json_object_get(v, "path"));
        if (path != NULL)
            rc = keyed_del(s->adds, path) | keyed_set(s->removes, path, v);
    } else if ((v = json_object_get(action, "txn")) != NULL && json_is_object(v)) {
        const char *app = json_string_value(json_object_get(v, "appId"));
        if (app != NULL)
            rc = json_object_set(s->txns, app, v);
    } else if (json_object_get(action, "domainMetadata") != NULL) {
        s->has_domain_metadata = 1;
    }
    /* commitInfo, cdc, checkpointMetadata and unknown actions change
     * nothing a writer of appends needs */
    return rc;
}

dsg_status dlt_snapshot_apply(dlt_snapshot *s, const char *text, size_t len, int64_t version,
                              const char *name, dsg_error *err)
{
    size_t pos = 0, line = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        line++;
        size_t b = pos, e = end;
        while (b < e && (text[b] == ' ' || text[b] == '\t' || text[b] == '\r'))
            b++;
        if (b < e) {
            json_error_t jerr;
            json_t *action = json_loadb(text + b, e - b, JSON_DISABLE_EOF_CHECK, &jerr);
            DSGI_RETURN_IF(action == NULL, err, DSG_EIO, "%s: line %zu is not JSON (%s)", name, line,
                           jerr.text);
            if (!json_is_object(action)) {
                json_decref(action);
                return dsgi_fail(err, DSG_EIO, "%s: line %zu is not a JSON object", name, line);
            }
            int rc = dlt_snapshot_apply_action(s, action);
            json_decref(action);
            DSGI_RETURN_IF(rc != 0, err, DSG_ENOMEM, "out of memory (reading %s)", name);
        }
        pos = end + 1;
    }
    s->version = version;
    return DSG_OK;
}

dsg_status dlt_snapshot_catch_up(dlt_snapshot *s, dsgt_store *store, const char *what,
                                 int64_t *advanced, dsg_error *err)
{
    dsgi_buf b;
    dsgi_buf_init(&b, (size_t)1 << 31);
    int64_t n = 0;
    dsg_status st = DSG_OK;
    for (;;) {
        char name[64];
        dlt_log_name(name, sizeof name, s->version + 1, ".json");
        dsg_error e2;
        st = dsgt_store_get(store, name, &b, &e2);
        if (st == DSGT_NOT_FOUND) {
            st = DSG_OK;
            break;
        }
        if (st != DSG_OK) {
            if (err)
                *err = e2;
            break;
        }
        char full[512];
        snprintf(full, sizeof full, "%s/%s", what, name);
        st = dlt_snapshot_apply(s, (const char *)b.data, b.len, s->version + 1, full, err);
        if (st != DSG_OK)
            break;
        n++;
    }
    dsgi_buf_free(&b);
    if (st == DSG_OK)
        *advanced = n;
    return st;
}

/* ---- listing ---- */

typedef struct log_listing {
    int64_t *json;      /* versions of commit files */
    size_t n_json, cap_json;
    int64_t best_cp;    /* newest complete checkpoint, -1 */
    int best_cp_parts;  /* 0: classic single file */
    /* multi-part candidates: (version, parts, seen) */
    struct { int64_t v; int parts, seen; } mp[16];
    size_t n_mp;
    int oom;
} log_listing;

static int parse_digits(const char *p, size_t n, int64_t *out)
{
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
        if (v > (INT64_MAX - 9) / 10)
            return 0;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return 1;
}

static int on_log_entry(void *ctx, const char *rel, uint64_t size)
{
    (void)size;
    log_listing *l = ctx;
    const char *name = rel + strlen("_delta_log/");
    if (strchr(name, '/') != NULL) /* _sidecars/, _staged_commits/ */
        return 0;
    int64_t v;
    if (strlen(name) < 21 || !parse_digits(name, 20, &v) || name[20] != '.')
        return 0;
    const char *rest = name + 21;
    if (strcmp(rest, "json") == 0) {
        if (l->n_json == l->cap_json) {
            size_t cap = l->cap_json ? l->cap_json * 2 : 64;
            int64_t *p = dsgi_realloc(l->json, cap * sizeof *p);
            if (p == NULL) {
                l->oom = 1;
                return 1;
            }
            l->json = p;
            l->cap_json = cap;
        }
        l->json[l->n_json++] = v;
    } else if (strcmp(rest, "checkpoint.parquet") == 0) {
        if (v >= l->best_cp) {
            l->best_cp = v;
            l->best_cp_parts = 0;
        }
    } else if (strncmp(rest, "checkpoint.", 11) == 0 && strlen(rest) == 11 + 10 + 1 + 10 + 8 &&
               strcmp(rest + 32, ".parquet") == 0 && rest[21] == '.') {
        int64_t part, parts;
        if (!parse_digits(rest + 11, 10, &part) || !parse_digits(rest + 22, 10, &parts) || parts < 1 ||
            parts > 100000 || part < 1 || part > parts)
            return 0;
        size_t i;
        for (i = 0; i < l->n_mp; i++)
            if (l->mp[i].v == v && l->mp[i].parts == (int)parts)
                break;
        if (i == l->n_mp) {
            if (l->n_mp == sizeof l->mp / sizeof l->mp[0])
                return 0;
            l->mp[l->n_mp].v = v;
            l->mp[l->n_mp].parts = (int)parts;
            l->mp[l->n_mp].seen = 0;
            l->n_mp++;
        }
        if (++l->mp[i].seen == l->mp[i].parts && v > l->best_cp) {
            l->best_cp = v;
            l->best_cp_parts = l->mp[i].parts;
        }
    }
    /* UUID-named (v2) checkpoints, .crc and compacted files are not used:
     * tables that need v2 checkpoints are refused by their protocol */
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

dsg_status dlt_snapshot_load(dlt_snapshot *s, dsgt_store *store, const char *what, dsg_error *err)
{
    log_listing l;
    memset(&l, 0, sizeof l);
    l.best_cp = -1;
    dsg_status st = dsgt_store_list(store, "_delta_log/", on_log_entry, &l, err);
    if (st == DSG_OK && l.oom)
        st = dsgi_fail(err, DSG_ENOMEM, "out of memory (listing the Delta log of %s)", what);
    if (st != DSG_OK) {
        dsgi_free(l.json);
        return st;
    }
    if (l.n_json > 1)
        qsort(l.json, l.n_json, sizeof *l.json, cmp_i64);
    int64_t last = l.n_json ? l.json[l.n_json - 1] : -1;
    if (l.best_cp > last)
        last = l.best_cp;
    if (last < 0) { /* no table */
        dsgi_free(l.json);
        return DSG_OK;
    }
    /* start from the checkpoint when there is one; otherwise from version 0 */
    int64_t start = 0;
    if (l.best_cp >= 0) {
        st = dlt_checkpoint_read(s, store, l.best_cp, l.best_cp_parts, what, err);
        if (st != DSG_OK) {
            dsgi_free(l.json);
            return st;
        }
        s->version = l.best_cp;
        s->checkpoint_version = l.best_cp;
        start = l.best_cp + 1;
    }
    /* the commits after the start must all be there, contiguous */
    size_t i = 0;
    while (i < l.n_json && l.json[i] < start)
        i++;
    for (int64_t v = start; v <= last; v++, i++) {
        if (i >= l.n_json || l.json[i] != v) {
            dsgi_free(l.json);
            return dsgi_fail(err, DSG_EIO,
                             "the Delta log of %s misses version %" PRId64 " (it has versions up to %" PRId64 ")",
                             what, v, last);
        }
    }
    dsgi_free(l.json);
    dsgi_buf b;
    dsgi_buf_init(&b, (size_t)1 << 31);
    for (int64_t v = start; v <= last && st == DSG_OK; v++) {
        char name[64], full[512];
        dlt_log_name(name, sizeof name, v, ".json");
        snprintf(full, sizeof full, "%s/%s", what, name);
        st = dsgt_store_get(store, name, &b, err);
        if (st == DSGT_NOT_FOUND)
            st = dsgi_fail(err, DSG_EIO, "%s disappeared while the log was read", full);
        if (st == DSG_OK)
            st = dlt_snapshot_apply(s, (const char *)b.data, b.len, v, full, err);
    }
    dsgi_buf_free(&b);
    return st;
}
