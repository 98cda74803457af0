/*
 * store.c - a table's root on local disk or under an S3 prefix: the small
 * metadata objects that table formats read and write (table.h).
 *
 * Invariants:
 *  1. put writes completely or not at all. Locally the bytes go to a
 *     temporary dot-file ".<name>.tmp-<pid>-<n>" in the final directory,
 *     are flushed (fsync), then:
 *       - plain put: rename(2) over the final name (atomic replace);
 *       - DSGT_PUT_IF_ABSENT: link(2) to the final name, which fails with
 *         EEXIST if it exists, so exactly one of any number of concurrent
 *         writers wins (where the file system has no hard links:
 *         renameat2(RENAME_NOREPLACE), the same guarantee); the temporary
 *         file is then unlinked and the directory synced.
 *     A crash leaves at most a temporary dot-file, never a partial object,
 *     and list() never shows temporary files.
 *  2. On S3 put is one PutObject (the object appears whole or not at all).
 *     DSGT_PUT_IF_ABSENT sends "If-None-Match: *": 412 PreconditionFailed
 *     means another writer's object is there (DSGT_EXISTS); 409
 *     ConditionalRequestConflict (a concurrent conditional write in
 *     flight) is retried after a pause. When the PUT had to be resent
 *     (a lost answer) and then meets 412, the object is read back: if it
 *     holds exactly our bytes the earlier attempt won and put succeeds.
 *  3. get of a missing object fails with DSGT_NOT_FOUND (S3: 404), list
 *     returns relative paths in lexicographic byte order (S3's order),
 *     delete of a missing object succeeds.
 *
 * table/ -> sinks/ (the S3 client), common/.
 */
#include "table/table.h"

#include "sinks/s3_client.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PATH_MAX_BYTES 4096
#define GET_MAX ((size_t)1 << 30)
#define CONFLICT_RETRIES 8

struct dsgt_store {
    char *uri;        /* file:///abs/path or s3://bucket/prefix */
    char *local;      /* absolute local root, or NULL */
    dsgi_s3_client *s3;
    char *prefix;     /* S3 key prefix, no '/' at either end; may be "" */
};

static atomic_uint tmp_counter;

/* ---- helpers ---- */

static dsg_status check_rel(const char *rel, dsg_error *err)
{
    DSGI_RETURN_IF(rel == NULL || *rel == '\0' || *rel == '/', err, DSG_EINVAL,
                   "a table object needs a relative path, not '%s'", rel ? rel : "(null)");
    for (const char *p = rel; *p; p++) {
        const char *seg = p == rel || p[-1] == '/' ? p : NULL;
        if (seg && (strncmp(seg, "../", 3) == 0 || strcmp(seg, "..") == 0))
            return dsgi_fail(err, DSG_EINVAL, "a table object path may not contain '..': %s", rel);
    }
    return DSG_OK;
}

static dsg_status join(char *out, size_t size, const char *a, const char *b, dsg_error *err)
{
    int n = snprintf(out, size, "%s%s%s", a, *a && *b ? "/" : "", b);
    DSGI_RETURN_IF(n < 0 || (size_t)n >= size, err, DSG_EINVAL, "path too long: %s/%s", a, b);
    return DSG_OK;
}

/* mkdir -p of the directory part of path (up to its last '/'). */
static dsg_status make_parent_dirs(const char *path, dsg_error *err)
{
    char buf[PATH_MAX_BYTES];
    size_t n = strlen(path);
    DSGI_RETURN_IF(n >= sizeof buf, err, DSG_EINVAL, "path too long: %s", path);
    memcpy(buf, path, n + 1);
    char *slash = strrchr(buf, '/');
    if (slash == NULL || slash == buf)
        return DSG_OK;
    *slash = '\0';
    return dsgi_make_dirs(buf, err);
}

/* ---- open / free ---- */

dsg_status dsgt_store_open(dsgt_store **out, const char *root, const dsg_s3_config *s3, dsg_error *err)
{
    DSGI_RETURN_IF(root == NULL || *root == '\0', err, DSG_EINVAL, "no table location given");
    dsgt_store *s = dsgi_calloc(1, sizeof *s);
    DSGI_RETURN_IF(s == NULL, err, DSG_ENOMEM, "out of memory (store)");
    dsg_status st = DSG_OK;
    char buf[PATH_MAX_BYTES + 80];
    if (strncmp(root, "s3://", 5) == 0) {
        char bucket[64], prefix[PATH_MAX_BYTES];
        st = dsgi_s3_uri_parse(root, bucket, sizeof bucket, prefix, sizeof prefix, err);
        if (st == DSG_OK && s3 == NULL)
            st = dsgi_fail(err, DSG_EINVAL, "no S3 credentials: %s needs an S3 configuration", root);
        if (st == DSG_OK)
            st = dsgi_s3_client_create(&s->s3, s3, bucket, err);
        if (st == DSG_OK) {
            snprintf(buf, sizeof buf, "s3://%s%s%s", bucket, *prefix ? "/" : "", prefix);
            s->prefix = dsgi_strdup(prefix);
            s->uri = dsgi_strdup(buf);
        }
    } else {
        char abs[PATH_MAX_BYTES];
        if (root[0] == '/') {
            snprintf(abs, sizeof abs, "%s", root);
        } else {
            char cwd[PATH_MAX_BYTES];
            if (getcwd(cwd, sizeof cwd) == NULL)
                st = dsgi_fail(err, errno, "cannot resolve %s: %s", root, strerror(errno));
            else if (strcmp(root, ".") == 0)
                snprintf(abs, sizeof abs, "%s", cwd);
            else
                st = join(abs, sizeof abs, cwd, strncmp(root, "./", 2) == 0 ? root + 2 : root, err);
        }
        if (st == DSG_OK) {
            size_t n = strlen(abs);
            while (n > 1 && abs[n - 1] == '/')
                abs[--n] = '\0';
            snprintf(buf, sizeof buf, "file://%s", abs);
            s->local = dsgi_strdup(abs);
            s->uri = dsgi_strdup(buf);
        }
    }
    if (st == DSG_OK && (s->uri == NULL || (s->local == NULL && s->prefix == NULL)))
        st = dsgi_fail(err, DSG_ENOMEM, "out of memory (store)");
    if (st != DSG_OK) {
        dsgt_store_free(s);
        return st;
    }
    *out = s;
    return DSG_OK;
}

void dsgt_store_free(dsgt_store *s)
{
    if (s == NULL)
        return;
    dsgi_s3_client_free(s->s3);
    dsgi_free(s->uri);
    dsgi_free(s->local);
    dsgi_free(s->prefix);
    dsgi_free(s);
}

const char *dsgt_store_uri(const dsgt_store *s) { return s->uri; }
const char *dsgt_store_local_path(const dsgt_store *s) { return s->local; }

/* ---- get ---- */

static dsg_status local_get(dsgt_store *s, const char *rel, dsgi_buf *out, dsg_error *err)
{
    char path[PATH_MAX_BYTES];
    DSGI_FORWARD(join(path, sizeof path, s->local, rel, err));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT || e == ENOTDIR)
            return dsgi_fail(err, DSGT_NOT_FOUND, "%s does not exist", path);
        return dsgi_fail(err, e, "cannot open %s: %s", path, strerror(e));
    }
    dsg_status st = DSG_OK;
    struct stat sb;
    if (fstat(fd, &sb) == 0 && sb.st_size > 0)
        st = dsgi_buf_reserve(out, (size_t)sb.st_size + 1, err); /* one read, and one more for EOF */
    while (st == DSG_OK) {
        if (out->len == out->cap)
            st = dsgi_buf_reserve(out, DSGI_MIN((size_t)65536, out->max > out->len ? out->max - out->len : 1), err);
        if (st != DSG_OK)
            break;
        ssize_t n = read(fd, out->data + out->len, out->cap - out->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            st = dsgi_fail(err, e, "cannot read %s: %s", path, strerror(e));
            break;
        }
        if (n == 0)
            break;
        out->len += (size_t)n;
    }
    close(fd);
    return st;
}

static void key_of(const dsgt_store *s, const char *rel, char *key, size_t size)
{
    snprintf(key, size, "%s%s%s", s->prefix, *s->prefix ? "/" : "", rel);
}

static dsg_status s3_get(dsgt_store *s, const char *rel, dsgi_buf *out, dsg_error *err)
{
    char key[PATH_MAX_BYTES];
    key_of(s, rel, key, sizeof key);
    dsgi_s3_call call = {"GetObject", "GET", key, NULL, NULL, 0, NULL, 0, NULL, 0};
    dsgi_s3_reply reply;
    dsgi_s3_reply_init(&reply);
    dsg_status st = dsgi_s3_perform(s->s3, &call, NULL, &reply, err);
    if (st != DSG_OK && reply.status == 404)
        st = dsgi_fail(err, DSGT_NOT_FOUND, "s3://%s/%s does not exist", dsgi_s3_client_bucket(s->s3), key);
    if (st == DSG_OK)
        st = dsgi_buf_append(out, reply.body.data, reply.body.len, err);
    dsgi_s3_reply_free(&reply);
    return st;
}

dsg_status dsgt_store_get(dsgt_store *s, const char *rel, dsgi_buf *out, dsg_error *err)
{
    DSGI_FORWARD(check_rel(rel, err));
    dsgi_buf_reset(out);
    if (out->max == 0)
        out->max = GET_MAX;
    return s->local ? local_get(s, rel, out, err) : s3_get(s, rel, out, err);
}

/* ---- put ---- */

static dsg_status write_file(int fd, const char *path, const void *data, size_t len, dsg_error *err)
{
    const uint8_t *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            return dsgi_fail(err, e, "cannot write %s: %s", path, strerror(e));
        }
        p += n;
        len -= (size_t)n;
    }
    if (fsync(fd) != 0) {
        int e = errno;
        return dsgi_fail(err, e, "cannot write %s: %s", path, strerror(e));
    }
    return DSG_OK;
}

static void sync_dir_of(const char *path)
{
    char dir[PATH_MAX_BYTES];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        return;
    *slash = '\0';
    int fd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

/* Creates 'path' from 'tmp' unless it exists (invariant 1). */
static dsg_status publish_if_absent(const char *tmp, const char *path, dsg_error *err)
{
    if (link(tmp, path) == 0)
        return DSG_OK;
    int e = errno;
    if (e == EEXIST)
        return dsgi_fail(err, DSGT_EXISTS, "%s already exists", path);
    if (e == EPERM || e == ENOTSUP || e == EOPNOTSUPP || e == ENOSYS) {
        /* no hard links here: rename that refuses to replace */
        if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
            return DSG_OK;
        e = errno;
        if (e == EEXIST)
            return dsgi_fail(err, DSGT_EXISTS, "%s already exists", path);
    }
    return dsgi_fail(err, e, "cannot create %s: %s", path, strerror(e));
}

static dsg_status local_put(dsgt_store *s, const char *rel, const void *data, size_t len, unsigned flags,
                            dsg_error *err)
{
    char path[PATH_MAX_BYTES], tmp[PATH_MAX_BYTES + 64];
    DSGI_FORWARD(join(path, sizeof path, s->local, rel, err));
    DSGI_FORWARD(make_parent_dirs(path, err));
    const char *slash = strrchr(path, '/');
    int n = snprintf(tmp, sizeof tmp, "%.*s/.%s.tmp-%ld-%u", (int)(slash - path), path, slash + 1, (long)getpid(),
                     atomic_fetch_add(&tmp_counter, 1));
    DSGI_RETURN_IF(n < 0 || (size_t)n >= sizeof tmp, err, DSG_EINVAL, "path too long: %s", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        int e = errno;
        return dsgi_fail(err, e, "cannot create %s: %s", tmp, strerror(e));
    }
    dsg_status st = write_file(fd, tmp, data, len, err);
    if (close(fd) != 0 && st == DSG_OK) {
        int e = errno;
        st = dsgi_fail(err, e, "cannot write %s: %s", tmp, strerror(e));
    }
    if (st == DSG_OK) {
        if (flags & DSGT_PUT_IF_ABSENT) {
            st = publish_if_absent(tmp, path, err);
        } else if (rename(tmp, path) != 0) {
            int e = errno;
            st = dsgi_fail(err, e, "cannot rename %s to %s: %s", tmp, path, strerror(e));
        }
    }
    unlink(tmp); /* after link, or on failure; after rename it is gone */
    if (st == DSG_OK)
        sync_dir_of(path);
    return st;
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static dsg_status s3_put(dsgt_store *s, const char *rel, const void *data, size_t len, unsigned flags,
                         dsg_error *err)
{
    char key[PATH_MAX_BYTES];
    key_of(s, rel, key, sizeof key);
    const dsgi_sigv4_pair cond[] = {{"If-None-Match", "*"}};
    int if_absent = (flags & DSGT_PUT_IF_ABSENT) != 0;
    /* an empty body still needs a body pointer: it makes the request a PUT upload */
    dsgi_s3_call call = {"PutObject", "PUT", key, NULL, NULL, 0, len ? data : "", len,
                         if_absent ? cond : NULL, if_absent ? 1u : 0u};
    dsgi_s3_reply reply;
    dsgi_s3_reply_init(&reply);
    dsg_status st = DSG_OK;
    int resent = 0;
    for (int conflicts = 0;; conflicts++) {
        const dsgi_s3_expect expect = {NULL, 1}; /* a 200 without an ETag is not S3's */
        st = dsgi_s3_perform_checked(s->s3, &call, &expect, NULL, &reply, err);
        resent |= reply.attempts > 1;
        if (st == DSG_OK || reply.status != 409 || !if_absent || conflicts >= CONFLICT_RETRIES)
            break;
        pause_ms(50L << (conflicts < 5 ? conflicts : 5)); /* ConditionalRequestConflict */
        resent = 1;
    }
    if (st != DSG_OK && if_absent && reply.status == 412) {
        st = dsgi_fail(err, DSGT_EXISTS, "s3://%s/%s already exists", dsgi_s3_client_bucket(s->s3), key);
        if (resent) { /* did an earlier attempt of ours create it? */
            dsgi_buf have;
            dsgi_buf_init(&have, GET_MAX);
            dsg_error e2;
            if (s3_get(s, rel, &have, &e2) == DSG_OK && have.len == len && (len == 0 || memcmp(have.data, data, len) == 0))
                st = DSG_OK;
            dsgi_buf_free(&have);
        }
    }
    dsgi_s3_reply_free(&reply);
    return st;
}

dsg_status dsgt_store_put(dsgt_store *s, const char *rel, const void *data, size_t len, unsigned flags,
                          dsg_error *err)
{
    DSGI_FORWARD(check_rel(rel, err));
    DSGI_RETURN_IF(flags & ~DSGT_PUT_IF_ABSENT, err, DSG_EINVAL, "unknown store put flags %#x", flags);
    DSGI_RETURN_IF(len > 0 && data == NULL, err, DSG_EINVAL, "no data for %s", rel);
    return s->local ? local_put(s, rel, data, len, flags, err) : s3_put(s, rel, data, len, flags, err);
}

/* ---- list ---- */

typedef struct entry {
    char *rel;
    uint64_t size;
} entry;

typedef struct entries {
    entry *v;
    size_t n, cap;
} entries;

static dsg_status entries_add(entries *e, const char *rel, uint64_t size, dsg_error *err)
{
    if (e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 64;
        entry *v = dsgi_realloc(e->v, cap * sizeof *v);
        DSGI_RETURN_IF(v == NULL, err, DSG_ENOMEM, "out of memory (listing)");
        e->v = v;
        e->cap = cap;
    }
    e->v[e->n].rel = dsgi_strdup(rel);
    DSGI_RETURN_IF(e->v[e->n].rel == NULL, err, DSG_ENOMEM, "out of memory (listing)");
    e->v[e->n++].size = size;
    return DSG_OK;
}

static void entries_free(entries *e)
{
    for (size_t i = 0; i < e->n; i++)
        dsgi_free(e->v[i].rel);
    dsgi_free(e->v);
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->rel, ((const entry *)b)->rel); /* unsigned bytes, as S3 */
}

static int is_temporary(const char *name) { return name[0] == '.' && strstr(name, ".tmp-") != NULL; }

/* Walks dir (relative 'rel' to the root), adding files whose relative path
 * starts with prefix. */
static dsg_status walk(const char *root, const char *rel, const char *prefix, entries *out, dsg_error *err)
{
    char dir[PATH_MAX_BYTES];
    DSGI_FORWARD(join(dir, sizeof dir, root, rel, err));
    DIR *d = opendir(dir);
    if (d == NULL) {
        int e = errno;
        return e == ENOENT || e == ENOTDIR ? DSG_OK : dsgi_fail(err, e, "cannot list %s: %s", dir, strerror(e));
    }
    dsg_status st = DSG_OK;
    struct dirent *de;
    while (st == DSG_OK && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 || is_temporary(de->d_name))
            continue;
        char child[PATH_MAX_BYTES], full[PATH_MAX_BYTES];
        st = join(child, sizeof child, rel, de->d_name, err);
        if (st == DSG_OK)
            st = join(full, sizeof full, root, child, err);
        struct stat sb;
        if (st != DSG_OK || lstat(full, &sb) != 0)
            continue;
        size_t cl = strlen(child), pl = strlen(prefix);
        if (S_ISDIR(sb.st_mode)) {
            /* descend only where the prefix can still match */
            if (strncmp(child, prefix, DSGI_MIN(cl, pl)) == 0)
                st = walk(root, child, prefix, out, err);
        } else if (S_ISREG(sb.st_mode) && strncmp(child, prefix, pl) == 0) {
            st = entries_add(out, child, (uint64_t)sb.st_size, err);
        }
    }
    closedir(d);
    return st;
}

static dsg_status s3_list(dsgt_store *s, const char *prefix, entries *out, dsg_error *err)
{
    char key_prefix[PATH_MAX_BYTES], token[1100] = "";
    snprintf(key_prefix, sizeof key_prefix, "%s%s%s", s->prefix, *s->prefix ? "/" : "", prefix);
    size_t strip = strlen(s->prefix) + (*s->prefix ? 1 : 0);
    dsgi_s3_reply reply;
    dsgi_s3_reply_init(&reply);
    dsg_status st;
    do {
        dsgi_sigv4_pair q[4] = {{"list-type", "2"}, {"prefix", key_prefix}, {"max-keys", "1000"},
                                {"continuation-token", token}};
        dsgi_s3_call call = {"ListObjectsV2", "GET", "", key_prefix, q, *token ? 4u : 3u, NULL, 0, NULL, 0};
        const dsgi_s3_expect expect = {"ListBucketResult", 0};
        st = dsgi_s3_perform_checked(s->s3, &call, &expect, NULL, &reply, err);
        if (st != DSG_OK)
            break;
        const char *xml = (const char *)reply.body.data;
        size_t pos = 0;
        char key[PATH_MAX_BYTES], size[32];
        while (st == DSG_OK && dsgi_xml_next(xml, &pos, "Key", key, sizeof key)) {
            size_t at = pos;
            uint64_t bytes = 0;
            if (dsgi_xml_next(xml, &at, "Size", size, sizeof size))
                bytes = strtoull(size, NULL, 10);
            if (strlen(key) > strip)
                st = entries_add(out, key + strip, bytes, err);
        }
        char truncated[8] = "";
        pos = 0;
        dsgi_xml_next(xml, &pos, "IsTruncated", truncated, sizeof truncated);
        pos = 0;
        if (strcmp(truncated, "true") != 0 || !dsgi_xml_next(xml, &pos, "NextContinuationToken", token, sizeof token))
            token[0] = '\0';
    } while (st == DSG_OK && token[0] != '\0');
    dsgi_s3_reply_free(&reply);
    return st;
}

dsg_status dsgt_store_list(dsgt_store *s, const char *prefix, dsgt_list_fn fn, void *ctx, dsg_error *err)
{
    if (prefix == NULL)
        prefix = "";
    entries e = {0};
    dsg_status st;
    if (s->local) {
        /* start at the deepest directory the prefix names */
        char start[PATH_MAX_BYTES];
        snprintf(start, sizeof start, "%s", prefix);
        char *slash = strrchr(start, '/');
        if (slash)
            *slash = '\0';
        else
            start[0] = '\0';
        st = walk(s->local, start, prefix, &e, err);
    } else {
        st = s3_list(s, prefix, &e, err);
    }
    if (st == DSG_OK) {
        if (e.n > 1)
            qsort(e.v, e.n, sizeof *e.v, entry_cmp);
        for (size_t i = 0; i < e.n; i++)
            if (fn(ctx, e.v[i].rel, e.v[i].size) != 0)
                break;
    }
    entries_free(&e);
    return st;
}

/* ---- delete ---- */

dsg_status dsgt_store_delete(dsgt_store *s, const char *rel, dsg_error *err)
{
    DSGI_FORWARD(check_rel(rel, err));
    if (s->local) {
        char path[PATH_MAX_BYTES];
        DSGI_FORWARD(join(path, sizeof path, s->local, rel, err));
        if (unlink(path) != 0 && errno != ENOENT) {
            int e = errno;
            return dsgi_fail(err, e, "cannot delete %s: %s", path, strerror(e));
        }
        return DSG_OK;
    }
    char key[PATH_MAX_BYTES];
    key_of(s, rel, key, sizeof key);
    dsgi_s3_call call = {"DeleteObject", "DELETE", key, NULL, NULL, 0, NULL, 0, NULL, 0};
    dsgi_s3_reply reply;
    dsgi_s3_reply_init(&reply);
    dsg_status st = dsgi_s3_perform(s->s3, &call, NULL, &reply, err);
    if (st != DSG_OK && reply.status == 404)
        st = DSG_OK;
    dsgi_s3_reply_free(&reply);
    return st;
}
