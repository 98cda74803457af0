/*
 * file_sink.c - a local file that appears under its final name only when
 * complete.
 *
 * Invariants:
 *  1. Bytes go to a temporary file ".<name>.tmp-<pid>-<n>" in the final
 *     directory (same file system, so rename is atomic).
 *  2. commit() writes out the buffer, closes the descriptor (reporting any
 *     deferred write error), then renames the temporary file to the final
 *     name. Only after the rename does the final name exist.
 *  3. abort(), or free() without a successful commit(), unlinks the
 *     temporary file. A crash leaves at most a dot-file ".*.tmp-*", never a
 *     truncated file under a final name.
 */
#include "common/common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#define FILE_SINK_BUFFER (256u << 10)

typedef struct file_sink {
    dsg_sink base;
    int fd;
    int committed;
    char *path;
    char *tmp_path;
    uint8_t *buf;
    size_t buf_len;
} file_sink;

static atomic_uint tmp_counter;

static dsg_status write_all(file_sink *s, const void *p, size_t n, dsg_error *err)
{
    const uint8_t *q = p;
    while (n > 0) {
        ssize_t w = write(s->fd, q, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            return dsgi_fail(err, e, "cannot write %s: %s", s->path, strerror(e));
        }
        q += w;
        n -= (size_t)w;
    }
    return DSG_OK;
}

static dsg_status fs_write(dsg_sink *sink, const void *data, size_t size, dsg_error *err)
{
    file_sink *s = (file_sink *)sink;
    DSGI_RETURN_IF(s->fd < 0, err, DSG_ESTATE, "write to %s after it was closed", s->path);
    if (s->buf_len + size > FILE_SINK_BUFFER) {
        DSGI_FORWARD(write_all(s, s->buf, s->buf_len, err));
        s->buf_len = 0;
    }
    if (size >= FILE_SINK_BUFFER) {
        DSGI_FORWARD(write_all(s, data, size, err));
    } else {
        memcpy(s->buf + s->buf_len, data, size);
        s->buf_len += size;
    }
    sink->bytes_written += size;
    return DSG_OK;
}

static dsg_status fs_commit(dsg_sink *sink, dsg_error *err)
{
    file_sink *s = (file_sink *)sink;
    DSGI_RETURN_IF(s->fd < 0 || s->committed, err, DSG_ESTATE, "%s was already closed", s->path);
    DSGI_FORWARD(write_all(s, s->buf, s->buf_len, err));
    s->buf_len = 0;
    int fd = s->fd;
    s->fd = -1;
    if (close(fd) != 0) {
        int e = errno;
        return dsgi_fail(err, e, "cannot write %s: %s", s->path, strerror(e));
    }
    if (rename(s->tmp_path, s->path) != 0) {
        int e = errno;
        return dsgi_fail(err, e, "cannot rename %s to %s: %s", s->tmp_path, s->path, strerror(e));
    }
    s->committed = 1;
    return DSG_OK;
}

static void fs_abort(dsg_sink *sink)
{
    file_sink *s = (file_sink *)sink;
    if (s->committed)
        return;
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    if (s->tmp_path)
        unlink(s->tmp_path);
}

static void fs_free(dsg_sink *sink)
{
    file_sink *s = (file_sink *)sink;
    fs_abort(sink);
    dsgi_free(s->path);
    dsgi_free(s->tmp_path);
    dsgi_free(s->buf);
    dsgi_free(s);
}

static const dsg_sink_ops file_sink_ops = {fs_write, fs_commit, fs_abort, fs_free};

dsg_status dsg_file_sink_open(dsg_sink **out, const char *path, dsg_error *err)
{
    DSGI_RETURN_IF(path == NULL || *path == '\0', err, DSG_EINVAL, "empty output file name");
    file_sink *s = dsgi_calloc(1, sizeof *s);
    DSGI_RETURN_IF(s == NULL, err, DSG_ENOMEM, "out of memory (opening %s)", path);
    s->base.ops = &file_sink_ops;
    s->fd = -1;
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path + 1) : 0;
    size_t tmp_size = strlen(path) + 64;
    s->path = dsgi_strdup(path);
    s->tmp_path = dsgi_malloc(tmp_size);
    s->buf = dsgi_malloc(FILE_SINK_BUFFER);
    if (s->path == NULL || s->tmp_path == NULL || s->buf == NULL) {
        dsgi_free(s->tmp_path); /* not yet a name: fs_free must not unlink it */
        s->tmp_path = NULL;
        fs_free(&s->base);
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (opening %s)", path);
    }
    snprintf(s->tmp_path, tmp_size, "%.*s.%s.tmp-%ld-%u", (int)dir_len, path, path + dir_len,
             (long)getpid(), atomic_fetch_add(&tmp_counter, 1));
    s->fd = open(s->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (s->fd < 0) {
        int e = errno;
        dsgi_free(s->tmp_path);
        s->tmp_path = NULL;
        fs_free(&s->base);
        return dsgi_fail(err, e, "cannot create %s: %s", path, strerror(e));
    }
    *out = &s->base;
    return DSG_OK;
}

void dsg_sink_free(dsg_sink *sink)
{
    if (sink != NULL)
        sink->ops->free(sink);
}
