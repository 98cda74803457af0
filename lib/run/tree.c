/*
 * tree.c - removing a directory tree (--overwrite) and cleaning the
 * temporary files that dead runs left behind (dataset-generator clean).
 *
 * Invariants:
 *  1. No path is built to reach an entry: every step is relative to an open
 *     directory descriptor (openat, unlinkat, fstatat), so depth and name
 *     lengths are not limited by PATH_MAX and nothing is truncated.
 *  2. Symbolic links are never followed: a link is removed as a link
 *     (unlinkat), directories are opened with O_NOFOLLOW, so nothing outside
 *     the tree is touched.
 *  3. The traversal keeps an explicit stack (names on the heap), never
 *     recursion; removal holds at most two descriptors open at a time and,
 *     on the way back up, checks that ".." is the directory it came from.
 *  Paths appear only in messages, built from the stack when an error occurs.
 */
#include "common/common.h"
#include "run/tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct frame {
    char *name;     /* relative to the parent directory */
    dev_t dev;      /* the parent's identity, checked on the way back */
    ino_t ino;
} frame;

typedef struct stack {
    frame *f;
    size_t n, cap;
} stack;

static void stack_free(stack *s)
{
    for (size_t i = 0; i < s->n; i++)
        dsgi_free(s->f[i].name);
    dsgi_free(s->f);
}

static dsg_status push(stack *s, const char *name, const struct stat *parent, dsg_error *err)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        frame *f = dsgi_realloc(s->f, cap * sizeof *f);
        DSGI_RETURN_IF(f == NULL, err, DSG_ENOMEM, "out of memory (removing a directory tree)");
        s->f = f;
        s->cap = cap;
    }
    char *copy = dsgi_strdup(name);
    DSGI_RETURN_IF(copy == NULL, err, DSG_ENOMEM, "out of memory (removing a directory tree)");
    s->f[s->n++] = (frame){copy, parent->st_dev, parent->st_ino};
    return DSG_OK;
}

/* The path of 'name' inside the directory at the top of the stack, for a
 * message (dsgi_fail shortens it in the middle if need be). */
static dsg_status fail_at(dsg_error *err, int e, const char *what, const char *root, const stack *s,
                          const char *name)
{
    size_t len = strlen(root) + strlen(name) + 2;
    for (size_t i = 0; i < s->n; i++)
        len += strlen(s->f[i].name) + 1;
    char *path = dsgi_malloc(len);
    if (path == NULL)
        return dsgi_fail(err, e, "cannot %s %s/.../%s: %s", what, root, name, strerror(e));
    size_t n = (size_t)snprintf(path, len, "%s", root);
    for (size_t i = 0; i < s->n; i++)
        n += (size_t)snprintf(path + n, len - n, "/%s", s->f[i].name);
    if (*name)
        snprintf(path + n, len - n, "/%s", name);
    dsg_status st = dsgi_fail(err, e, "cannot %s %s: %s", what, path, strerror(e));
    dsgi_free(path);
    return st;
}

static int is_dot(const char *n) { return n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0')); }

dsg_status dsgi_tree_remove(const char *path, dsg_error *err)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? DSG_OK : dsgi_fail(err, errno, "cannot remove %s: %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode)) { /* a file, or a symbolic link: removed itself */
        DSGI_RETURN_IF(unlink(path) != 0, err, errno, "cannot remove %s: %s", path, strerror(errno));
        return DSG_OK;
    }
    int cur = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DSGI_RETURN_IF(cur < 0, err, errno, "cannot remove %s: %s", path, strerror(errno));
    stack s = {NULL, 0, 0};
    dsg_status rc = DSG_OK;
    for (;;) {
        DIR *d = fdopendir(cur);
        if (d == NULL) {
            rc = fail_at(err, errno, "read directory", path, &s, "");
            close(cur);
            break;
        }
        int fd = dirfd(d);
        int descended = 0;
        struct dirent *e;
        errno = 0;
        while (rc == DSG_OK && (e = readdir(d)) != NULL) {
            if (is_dot(e->d_name))
                continue;
            struct stat cst;
            if (fstatat(fd, e->d_name, &cst, AT_SYMLINK_NOFOLLOW) != 0) {
                if (errno != ENOENT)
                    rc = fail_at(err, errno, "remove", path, &s, e->d_name);
                continue;
            }
            if (S_ISDIR(cst.st_mode)) {
                struct stat self;
                int child = openat(fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (child < 0 || fstat(fd, &self) != 0) {
                    rc = fail_at(err, errno, "remove", path, &s, e->d_name);
                    if (child >= 0)
                        close(child);
                    break;
                }
                rc = push(&s, e->d_name, &self, err);
                if (rc != DSG_OK) {
                    close(child);
                    break;
                }
                cur = child;
                descended = 1;
                break;
            }
            if (unlinkat(fd, e->d_name, 0) != 0 && errno != ENOENT)
                rc = fail_at(err, errno, "remove", path, &s, e->d_name);
            errno = 0;
        }
        if (rc != DSG_OK) {
            closedir(d);
            break;
        }
        if (descended) {
            closedir(d);
            continue;
        }
        if (s.n == 0) { /* the top directory is empty now */
            closedir(d);
            if (rmdir(path) != 0)
                rc = dsgi_fail(err, errno, "cannot remove %s: %s", path, strerror(errno));
            break;
        }
        /* back to the parent, which must be the directory we came from */
        int parent = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct stat pst;
        frame *top = &s.f[s.n - 1];
        if (parent < 0 || fstat(parent, &pst) != 0 || pst.st_dev != top->dev || pst.st_ino != top->ino) {
            rc = fail_at(err, parent < 0 ? errno : EBUSY, "remove (it moved while being removed)", path, &s, "");
            if (parent >= 0)
                close(parent);
            closedir(d);
            break;
        }
        closedir(d);
        s.n--;
        if (unlinkat(parent, top->name, AT_REMOVEDIR) != 0 && errno != ENOENT) {
            rc = fail_at(err, errno, "remove", path, &s, top->name);
            dsgi_free(top->name);
            close(parent);
            break;
        }
        dsgi_free(top->name);
        cur = parent;
    }
    stack_free(&s);
    return rc;
}

/* ".NAME.tmp-PID-N" (file_sink.c): the PID, or 0 when the name is not one. */
static long temp_owner(const char *name)
{
    if (name[0] != '.')
        return 0;
    const char *t = strstr(name, ".tmp-");
    if (t == NULL || t == name)
        return 0;
    const char *p = t + 5;
    size_t nd = strspn(p, "0123456789");
    if (nd == 0 || nd > 9 || p[nd] != '-' || strspn(p + nd + 1, "0123456789") == 0 ||
        p[nd + 1 + strspn(p + nd + 1, "0123456789")] != '\0')
        return 0;
    return strtol(p, NULL, 10);
}

#define CLEAN_MAX_DEPTH 64

dsg_status dsg_clean(const char *output, int all, uint64_t *removed, dsg_error *err)
{
    DSGI_RETURN_IF(output == NULL || *output == '\0', err, DSG_EINVAL, "clean needs an output directory");
    DSGI_RETURN_IF(strncmp(output, "s3://", 5) == 0, err, DSG_EINVAL,
                   "clean works on local directories; on S3, a bucket lifecycle rule removes incomplete "
                   "multipart uploads (AbortIncompleteMultipartUpload)");
    int top = open(output, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DSGI_RETURN_IF(top < 0, err, errno == ENOENT || errno == ENOTDIR ? DSG_EINVAL : errno,
                   "cannot clean %s: %s", output, strerror(errno));
    DIR *dirs[CLEAN_MAX_DEPTH];
    stack s = {NULL, 0, 0};
    int depth = 0;
    uint64_t n_removed = 0;
    dsg_status rc = DSG_OK;
    dirs[0] = fdopendir(top);
    if (dirs[0] == NULL) {
        close(top);
        return dsgi_fail(err, errno, "cannot clean %s: %s", output, strerror(errno));
    }
    while (depth >= 0 && rc == DSG_OK) {
        DIR *d = dirs[depth];
        struct dirent *e = readdir(d);
        if (e == NULL) {
            closedir(d);
            if (depth > 0) {
                s.n--;
                dsgi_free(s.f[s.n].name);
            }
            depth--;
            continue;
        }
        if (is_dot(e->d_name))
            continue;
        int fd = dirfd(d);
        struct stat st;
        if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (depth + 1 >= CLEAN_MAX_DEPTH)
                continue;
            int child = openat(fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            DIR *cd = child >= 0 ? fdopendir(child) : NULL;
            if (cd == NULL) {
                rc = fail_at(err, errno, "clean", output, &s, e->d_name);
                if (child >= 0)
                    close(child);
                break;
            }
            rc = push(&s, e->d_name, &st, err);
            if (rc != DSG_OK) {
                closedir(cd);
                break;
            }
            dirs[++depth] = cd;
            continue;
        }
        long pid = S_ISREG(st.st_mode) ? temp_owner(e->d_name) : 0;
        if (pid <= 0)
            continue;
        /* a run still writing this file keeps it, unless told otherwise */
        if (!all && pid != (long)getpid() && (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
            continue;
        if (unlinkat(fd, e->d_name, 0) != 0 && errno != ENOENT)
            rc = fail_at(err, errno, "remove", output, &s, e->d_name);
        else
            n_removed++;
    }
    while (depth >= 0 && rc != DSG_OK)
        closedir(dirs[depth--]);
    stack_free(&s);
    if (rc == DSG_OK && removed != NULL)
        *removed = n_removed;
    return rc;
}
