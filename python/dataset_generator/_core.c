/*
 * _core.c - the CPython extension of dataset_generator: a thin shell over
 * the public header dsg/dsg.h (python/ never includes library internals).
 *
 * What lives here: argument parsing, PyCapsule handling of the Arrow C
 * Data Interface structures, the GIL released around every library call
 * that works, and the library's errors turned into Python exceptions.
 *
 * Long calls (a dataset run, a table write) run on a worker thread while
 * the calling thread waits without the GIL, waking every 100 ms to run
 * signal handlers and the progress callback: Ctrl-C sets the call's cancel
 * flag, the library aborts its open files (nothing incomplete remains) and
 * KeyboardInterrupt is raised once the worker has stopped.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dsg/dsg.h"

/* ---- errors ---- */

/* The first path in a message: a word starting with '/' or s3://, up to
 * ": " or the end. */
static PyObject *path_in(const char *msg)
{
    const char *p = msg;
    while ((p = strpbrk(p, "/s")) != NULL) {
        int start = p == msg || p[-1] == ' ' || p[-1] == '\'';
        if (start && (*p == '/' || strncmp(p, "s3://", 5) == 0))
            break;
        p++;
    }
    if (p == NULL)
        Py_RETURN_NONE;
    const char *e = p;
    while (*e && !(e[0] == ':' && (e[1] == ' ' || e[1] == '\0')) && *e != '\'' && !(e[0] == ' ' && e[1] == '('))
        e++;
    return PyUnicode_DecodeUTF8(p, e - p, "replace");
}

static PyObject *raise_error(const dsg_error *err)
{
    if (PyErr_Occurred())
        return NULL;
    dsg_status st = err->status;
    const char *msg = err->message[0] ? err->message : dsg_strerror(st);
    if (st == EINTR) {
        PyErr_SetNone(PyExc_KeyboardInterrupt);
        return NULL;
    }
    if (st > 0 || st == DSG_EIO || st == DSG_ENET || st == DSG_EREMOTE) {
        int e = st > 0 ? st : EIO;
        PyObject *path = path_in(msg);
        PyObject *args = path ? Py_BuildValue("(isO)", e, msg, path) : NULL;
        if (args) {
            PyErr_SetObject(PyExc_OSError, args);
            Py_DECREF(args);
        }
        Py_XDECREF(path);
        return NULL;
    }
    switch (st) {
    case DSG_EINVAL: PyErr_SetString(PyExc_ValueError, msg); break;
    case DSG_ETYPE: PyErr_SetString(PyExc_TypeError, msg); break;
    case DSG_ENOMEM: PyErr_SetString(PyExc_MemoryError, msg); break;
    case DSG_ESTATE: PyErr_SetString(PyExc_ValueError, msg); break;
    default: PyErr_SetString(PyExc_RuntimeError, msg); break;
    }
    return NULL;
}

/* ---- work on a worker thread ---- */

typedef struct job job;
struct job {
    dsg_status (*fn)(job *j);
    volatile int cancel_own;
    volatile int *cancel;   /* &cancel_own, or a flag the library holds */
    int done;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    dsg_error err;
    dsg_status st;
    void *arg;
    _Atomic uint64_t rows_done, rows_total, bytes_done;
};

static void *job_main(void *arg)
{
    job *j = arg;
    dsg_status st = j->fn(j);
    pthread_mutex_lock(&j->mu);
    j->st = st;
    j->done = 1;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

/* Runs j->fn on a thread; returns 0 when it finished (j->st tells how), -1
 * with a Python exception set (KeyboardInterrupt, or the progress
 * callback's) after having cancelled and waited for it. */
static int job_run(job *j, PyObject *progress)
{
    if (j->cancel == NULL)
        j->cancel = &j->cancel_own;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    dsg_error_clear(&j->err);
    pthread_t th;
    if (pthread_create(&th, NULL, job_main, j) != 0) {
        PyErr_SetFromErrno(PyExc_OSError);
        return -1;
    }
    int interrupted = 0;
    for (;;) {
        int finished;
        Py_BEGIN_ALLOW_THREADS
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&j->mu);
        if (!j->done)
            pthread_cond_timedwait(&j->cv, &j->mu, &ts);
        finished = j->done;
        pthread_mutex_unlock(&j->mu);
        Py_END_ALLOW_THREADS
        if (finished)
            break;
        if (interrupted)
            continue;
        if (PyErr_CheckSignals() < 0) {
            interrupted = 1;
            *j->cancel = 1;
            continue;
        }
        if (progress != NULL && progress != Py_None) {
            PyObject *r = PyObject_CallFunction(progress, "KKK", (unsigned long long)j->rows_done,
                                                (unsigned long long)j->rows_total,
                                                (unsigned long long)j->bytes_done);
            if (r == NULL) {
                interrupted = 1;
                *j->cancel = 1;
            }
            Py_XDECREF(r);
        }
    }
    Py_BEGIN_ALLOW_THREADS
    pthread_join(th, NULL);
    Py_END_ALLOW_THREADS
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    if (interrupted)
        return -1;
    if (progress != NULL && progress != Py_None && j->st == DSG_OK) {
        PyObject *r = PyObject_CallFunction(progress, "KKK", (unsigned long long)j->rows_done,
                                            (unsigned long long)j->rows_total, (unsigned long long)j->bytes_done);
        if (r == NULL)
            return -1;
        Py_DECREF(r);
    }
    return 0;
}

/* ---- capsules ---- */

static void schema_capsule_free(PyObject *cap)
{
    struct ArrowSchema *s = PyCapsule_GetPointer(cap, "arrow_schema");
    if (s == NULL) {
        PyErr_Clear();
        return;
    }
    if (s->release)
        s->release(s);
    free(s);
}

static void array_capsule_free(PyObject *cap)
{
    struct ArrowArray *a = PyCapsule_GetPointer(cap, "arrow_array");
    if (a == NULL) {
        PyErr_Clear();
        return;
    }
    if (a->release)
        a->release(a);
    free(a);
}

static void stream_capsule_free(PyObject *cap)
{
    struct ArrowArrayStream *s = PyCapsule_GetPointer(cap, "arrow_array_stream");
    if (s == NULL) {
        PyErr_Clear();
        return;
    }
    if (s->release)
        s->release(s);
    free(s);
}

/* Moves a schema into a new capsule (src is marked released). */
static PyObject *schema_capsule(struct ArrowSchema *src)
{
    struct ArrowSchema *s = malloc(sizeof *s);
    if (s == NULL) {
        src->release(src);
        return PyErr_NoMemory();
    }
    *s = *src;
    src->release = NULL;
    PyObject *cap = PyCapsule_New(s, "arrow_schema", schema_capsule_free);
    if (cap == NULL) {
        s->release(s);
        free(s);
    }
    return cap;
}

static PyObject *array_capsule(struct ArrowArray *src)
{
    struct ArrowArray *a = malloc(sizeof *a);
    if (a == NULL) {
        src->release(src);
        return PyErr_NoMemory();
    }
    *a = *src;
    src->release = NULL;
    PyObject *cap = PyCapsule_New(a, "arrow_array", array_capsule_free);
    if (cap == NULL) {
        a->release(a);
        free(a);
    }
    return cap;
}

static PyObject *stream_capsule(struct ArrowArrayStream *src)
{
    struct ArrowArrayStream *s = malloc(sizeof *s);
    if (s == NULL) {
        src->release(src);
        return PyErr_NoMemory();
    }
    *s = *src;
    src->release = NULL;
    PyObject *cap = PyCapsule_New(s, "arrow_array_stream", stream_capsule_free);
    if (cap == NULL) {
        s->release(s);
        free(s);
    }
    return cap;
}

/* ---- sharing an ArrowArray: clones whose buffers stay with an owner ---- */

typedef struct clone_priv {
    PyObject *owner; /* top level only: a reference released with the GIL */
    struct ArrowArray **child_ptrs;
    struct ArrowArray *children;
    int64_t n_children;
    struct ArrowArray *dict;
} clone_priv;

static void clone_release(struct ArrowArray *a)
{
    if (a == NULL || a->release == NULL)
        return;
    clone_priv *p = a->private_data;
    for (int64_t i = 0; i < p->n_children; i++)
        if (p->children[i].release)
            p->children[i].release(&p->children[i]);
    if (p->dict) {
        if (p->dict->release)
            p->dict->release(p->dict);
        free(p->dict);
    }
    free(p->children);
    free(p->child_ptrs);
    if (p->owner) {
        PyGILState_STATE g = PyGILState_Ensure();
        Py_DECREF(p->owner);
        PyGILState_Release(g);
    }
    free(p);
    a->release = NULL;
}

static int clone_array(const struct ArrowArray *src, struct ArrowArray *dst, PyObject *owner)
{
    *dst = *src;
    clone_priv *p = calloc(1, sizeof *p);
    if (p == NULL)
        return -1;
    dst->private_data = p;
    dst->release = clone_release;
    dst->children = NULL;
    dst->dictionary = NULL;
    if (src->n_children > 0) {
        p->children = calloc((size_t)src->n_children, sizeof *p->children);
        p->child_ptrs = calloc((size_t)src->n_children, sizeof *p->child_ptrs);
        if (p->children == NULL || p->child_ptrs == NULL) {
            clone_release(dst);
            return -1;
        }
        for (int64_t i = 0; i < src->n_children; i++) {
            p->child_ptrs[i] = &p->children[i];
            p->n_children = i + 1;
            if (clone_array(src->children[i], &p->children[i], NULL) != 0) {
                clone_release(dst);
                return -1;
            }
        }
        dst->children = p->child_ptrs;
    }
    if (src->dictionary) {
        p->dict = calloc(1, sizeof *p->dict);
        if (p->dict == NULL || clone_array(src->dictionary, p->dict, NULL) != 0) {
            clone_release(dst);
            return -1;
        }
        dst->dictionary = p->dict;
    }
    if (owner) {
        p->owner = owner;
        Py_INCREF(owner);
    }
    return 0;
}

/* ---- Batch: one exported record batch (schema + array) ---- */

typedef struct {
    PyObject_HEAD
    struct ArrowSchema schema;
    struct ArrowArray array;
} BatchObject;

static PyTypeObject BatchType;

static void Batch_dealloc(BatchObject *self)
{
    if (self->array.release)
        self->array.release(&self->array);
    if (self->schema.release)
        self->schema.release(&self->schema);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* A fresh schema equal to self's (ours have no metadata to copy). */
static int copy_schema(const struct ArrowSchema *src, struct ArrowSchema *dst);

typedef struct schema_copy_priv {
    char *format, *name, *metadata;
    struct ArrowSchema **child_ptrs;
    struct ArrowSchema *children;
    int64_t n_children;
    struct ArrowSchema *dict;
} schema_copy_priv;

static void schema_copy_release(struct ArrowSchema *s)
{
    if (s == NULL || s->release == NULL)
        return;
    schema_copy_priv *p = s->private_data;
    for (int64_t i = 0; i < p->n_children; i++)
        if (p->children[i].release)
            p->children[i].release(&p->children[i]);
    if (p->dict) {
        if (p->dict->release)
            p->dict->release(p->dict);
        free(p->dict);
    }
    free(p->children);
    free(p->child_ptrs);
    free(p->format);
    free(p->name);
    free(p->metadata);
    free(p);
    s->release = NULL;
}

static size_t metadata_len(const char *m)
{
    if (m == NULL)
        return 0;
    int32_t n, len;
    size_t at = 4;
    memcpy(&n, m, 4);
    for (int32_t i = 0; i < n * 2; i++) {
        memcpy(&len, m + at, 4);
        at += 4 + (size_t)len;
    }
    return at;
}

static int copy_schema(const struct ArrowSchema *src, struct ArrowSchema *dst)
{
    *dst = *src;
    schema_copy_priv *p = calloc(1, sizeof *p);
    if (p == NULL)
        return -1;
    dst->private_data = p;
    dst->release = schema_copy_release;
    dst->children = NULL;
    dst->dictionary = NULL;
    dst->metadata = NULL;
    p->format = strdup(src->format ? src->format : "");
    p->name = strdup(src->name ? src->name : "");
    dst->format = p->format;
    dst->name = p->name;
    if (p->format == NULL || p->name == NULL)
        goto fail;
    if (src->metadata) {
        size_t n = metadata_len(src->metadata);
        p->metadata = malloc(n);
        if (p->metadata == NULL)
            goto fail;
        memcpy(p->metadata, src->metadata, n);
        dst->metadata = p->metadata;
    }
    if (src->n_children > 0) {
        p->children = calloc((size_t)src->n_children, sizeof *p->children);
        p->child_ptrs = calloc((size_t)src->n_children, sizeof *p->child_ptrs);
        if (p->children == NULL || p->child_ptrs == NULL)
            goto fail;
        for (int64_t i = 0; i < src->n_children; i++) {
            p->child_ptrs[i] = &p->children[i];
            p->n_children = i + 1;
            if (copy_schema(src->children[i], &p->children[i]) != 0)
                goto fail;
        }
        dst->children = p->child_ptrs;
    }
    if (src->dictionary) {
        p->dict = calloc(1, sizeof *p->dict);
        if (p->dict == NULL || copy_schema(src->dictionary, p->dict) != 0)
            goto fail;
        dst->dictionary = p->dict;
    }
    return 0;
fail:
    schema_copy_release(dst);
    return -1;
}

static PyObject *Batch_arrow_c_schema(BatchObject *self, PyObject *Py_UNUSED(args))
{
    struct ArrowSchema s;
    if (copy_schema(&self->schema, &s) != 0)
        return PyErr_NoMemory();
    return schema_capsule(&s);
}

static PyObject *Batch_arrow_c_array(BatchObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kw[] = {"requested_schema", NULL};
    PyObject *requested = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O", kw, &requested))
        return NULL;
    struct ArrowSchema s;
    struct ArrowArray a;
    if (copy_schema(&self->schema, &s) != 0)
        return PyErr_NoMemory();
    if (clone_array(&self->array, &a, (PyObject *)self) != 0) {
        s.release(&s);
        return PyErr_NoMemory();
    }
    PyObject *sc = schema_capsule(&s);
    PyObject *ac = sc ? array_capsule(&a) : NULL;
    if (ac == NULL) {
        if (a.release)
            a.release(&a);
        Py_XDECREF(sc);
        return NULL;
    }
    return Py_BuildValue("(NN)", sc, ac);
}

/* A one-batch stream over a Batch. */
typedef struct one_stream {
    PyObject *owner;
    int given;
    char error[128];
} one_stream;

static int one_get_schema(struct ArrowArrayStream *s, struct ArrowSchema *out)
{
    one_stream *p = s->private_data;
    BatchObject *b = (BatchObject *)p->owner;
    return copy_schema(&b->schema, out) == 0 ? 0 : ENOMEM;
}

static int one_get_next(struct ArrowArrayStream *s, struct ArrowArray *out)
{
    one_stream *p = s->private_data;
    BatchObject *b = (BatchObject *)p->owner;
    if (p->given) {
        memset(out, 0, sizeof *out);
        return 0;
    }
    PyGILState_STATE g = PyGILState_Ensure(); /* the clone takes a reference */
    int rc = clone_array(&b->array, out, p->owner);
    PyGILState_Release(g);
    if (rc != 0)
        return ENOMEM;
    p->given = 1;
    return 0;
}

static const char *one_last_error(struct ArrowArrayStream *s)
{
    (void)s;
    return NULL;
}

static void one_release(struct ArrowArrayStream *s)
{
    if (s == NULL || s->release == NULL)
        return;
    one_stream *p = s->private_data;
    PyGILState_STATE g = PyGILState_Ensure();
    Py_DECREF(p->owner);
    PyGILState_Release(g);
    free(p);
    s->release = NULL;
}

static PyObject *Batch_arrow_c_stream(BatchObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kw[] = {"requested_schema", NULL};
    PyObject *requested = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O", kw, &requested))
        return NULL;
    one_stream *p = calloc(1, sizeof *p);
    if (p == NULL)
        return PyErr_NoMemory();
    p->owner = (PyObject *)self;
    Py_INCREF(self);
    struct ArrowArrayStream s = {one_get_schema, one_get_next, one_last_error, one_release, p};
    return stream_capsule(&s);
}

static PyObject *Batch_num_rows(BatchObject *self, void *closure)
{
    (void)closure;
    return PyLong_FromLongLong((long long)self->array.length);
}

static PyObject *Batch_num_columns(BatchObject *self, void *closure)
{
    (void)closure;
    return PyLong_FromLongLong((long long)self->schema.n_children);
}

static PyObject *Batch_repr(BatchObject *self)
{
    return PyUnicode_FromFormat("<dataset_generator.Batch: %lld rows, %lld columns>",
                                (long long)self->array.length, (long long)self->schema.n_children);
}

static PyMethodDef Batch_methods[] = {
    {"__arrow_c_schema__", (PyCFunction)Batch_arrow_c_schema, METH_NOARGS,
     "The batch's schema as an Arrow PyCapsule (arrow_schema)."},
    {"__arrow_c_array__", (PyCFunction)(void (*)(void))Batch_arrow_c_array, METH_VARARGS | METH_KEYWORDS,
     "The batch as Arrow PyCapsules (arrow_schema, arrow_array); zero-copy."},
    {"__arrow_c_stream__", (PyCFunction)(void (*)(void))Batch_arrow_c_stream, METH_VARARGS | METH_KEYWORDS,
     "The batch as a one-batch Arrow stream PyCapsule (arrow_array_stream)."},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Batch_getset[] = {
    {"num_rows", (getter)Batch_num_rows, NULL, "Rows in the batch.", NULL},
    {"num_columns", (getter)Batch_num_columns, NULL, "Columns in the batch.", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject BatchType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "dataset_generator.Batch",
    .tp_basicsize = sizeof(BatchObject),
    .tp_dealloc = (destructor)Batch_dealloc,
    .tp_repr = (reprfunc)Batch_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A record batch of generated rows, readable by any Arrow consumer through the\n"
              "Arrow PyCapsule interface (pyarrow.record_batch(b), polars.from_arrow(b), ...).",
    .tp_methods = Batch_methods,
    .tp_getset = Batch_getset,
};

/* ---- StreamIter: batches of an Arrow stream as Batch objects ---- */

typedef struct {
    PyObject_HEAD
    struct ArrowArrayStream stream;
    struct ArrowSchema schema;
} StreamIterObject;

static PyTypeObject StreamIterType;

static void StreamIter_dealloc(StreamIterObject *self)
{
    if (self->stream.release)
        self->stream.release(&self->stream);
    if (self->schema.release)
        self->schema.release(&self->schema);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *StreamIter_next(StreamIterObject *self)
{
    if (self->stream.release == NULL)
        return NULL;
    struct ArrowArray a;
    memset(&a, 0, sizeof a);
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = self->stream.get_next(&self->stream, &a);
    Py_END_ALLOW_THREADS
    if (rc != 0) {
        const char *m = self->stream.get_last_error(&self->stream);
        dsg_error e;
        e.status = rc == EINVAL ? DSG_EINVAL : rc == ENOMEM ? DSG_ENOMEM : rc;
        snprintf(e.message, sizeof e.message, "%s", m ? m : strerror(rc));
        return raise_error(&e);
    }
    if (a.release == NULL) {
        self->stream.release(&self->stream);
        return NULL; /* StopIteration */
    }
    BatchObject *b = PyObject_New(BatchObject, &BatchType);
    if (b == NULL) {
        a.release(&a);
        return NULL;
    }
    b->array = a;
    if (copy_schema(&self->schema, &b->schema) != 0) {
        b->schema.release = NULL;
        Py_DECREF(b);
        return PyErr_NoMemory();
    }
    return (PyObject *)b;
}

static PyTypeObject StreamIterType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "dataset_generator._core.StreamIter",
    .tp_basicsize = sizeof(StreamIterObject),
    .tp_dealloc = (destructor)StreamIter_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Iterator over the record batches of an Arrow stream capsule.",
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)StreamIter_next,
};

/* iter_stream(capsule) -> StreamIter (consumes the capsule's stream) */
static PyObject *core_iter_stream(PyObject *mod, PyObject *cap)
{
    (void)mod;
    struct ArrowArrayStream *s = PyCapsule_GetPointer(cap, "arrow_array_stream");
    if (s == NULL)
        return NULL;
    if (s->release == NULL) {
        PyErr_SetString(PyExc_ValueError, "the Arrow stream was already consumed");
        return NULL;
    }
    StreamIterObject *it = PyObject_New(StreamIterObject, &StreamIterType);
    if (it == NULL)
        return NULL;
    it->stream = *s;
    s->release = NULL;
    memset(&it->schema, 0, sizeof it->schema);
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = it->stream.get_schema(&it->stream, &it->schema);
    Py_END_ALLOW_THREADS
    if (rc != 0) {
        it->schema.release = NULL;
        Py_DECREF(it);
        PyErr_SetString(PyExc_RuntimeError, "the Arrow stream failed to give its schema");
        return NULL;
    }
    return (PyObject *)it;
}

/* ---- Dataset ---- */

typedef struct {
    PyObject_HEAD
    dsg_dataset *ds;
    int prepared;
} DatasetObject;

static PyTypeObject DatasetType;

static void Dataset_dealloc(DatasetObject *self)
{
    dsg_dataset_free(self->ds);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Dataset_init(DatasetObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kw[] = {"name", NULL};
    const char *name;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "s", kw, &name))
        return -1;
    dsg_error e;
    dsg_error_clear(&e);
    dsg_dataset_free(self->ds);
    self->ds = NULL;
    if (dsg_dataset_create(&self->ds, name, &e) != DSG_OK) {
        raise_error(&e);
        return -1;
    }
    return 0;
}

static int need(DatasetObject *self, int prepared)
{
    if (self->ds == NULL) {
        PyErr_SetString(PyExc_ValueError, "the dataset is not initialized");
        return -1;
    }
    if (prepared && !self->prepared) {
        dsg_error e;
        dsg_error_clear(&e);
        if (dsg_dataset_prepare(self->ds, &e) != DSG_OK) {
            raise_error(&e);
            return -1;
        }
        self->prepared = 1;
    }
    return 0;
}

static PyObject *Dataset_set(DatasetObject *self, PyObject *args)
{
    const char *name, *value;
    if (!PyArg_ParseTuple(args, "ss", &name, &value) || need(self, 0) < 0)
        return NULL;
    if (self->prepared) {
        PyErr_SetString(PyExc_ValueError, "options cannot change after the dataset is prepared");
        return NULL;
    }
    dsg_error e;
    dsg_error_clear(&e);
    if (dsg_dataset_set(self->ds, name, value, &e) != DSG_OK)
        return raise_error(&e);
    Py_RETURN_NONE;
}

static PyObject *Dataset_options(DatasetObject *self, PyObject *Py_UNUSED(args))
{
    if (need(self, 0) < 0)
        return NULL;
    size_t n;
    const dsg_option_info *o = dsg_dataset_options(self->ds, &n);
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        PyObject *t = Py_BuildValue("(sss)", o[i].name, o[i].default_value ? o[i].default_value : "",
                                    o[i].help ? o[i].help : "");
        if (t == NULL) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, t);
    }
    return list;
}

static PyObject *Dataset_prepare(DatasetObject *self, PyObject *Py_UNUSED(args))
{
    if (need(self, 1) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *field_to_py(const dsg_field *f);

static const char *type_word(dsg_type t)
{
    switch (t) {
    case DSG_BOOL: return "bool";
    case DSG_INT8: return "int8";
    case DSG_INT16: return "int16";
    case DSG_INT32: return "int32";
    case DSG_INT64: return "int64";
    case DSG_FLOAT: return "float32";
    case DSG_DOUBLE: return "float64";
    case DSG_DATE: return "date32";
    case DSG_TIMESTAMP: return "timestamp[us, UTC]";
    case DSG_DURATION: return "duration[us]";
    case DSG_STRING: return "string";
    case DSG_DECIMAL: return "decimal";
    case DSG_STRUCT: return "struct";
    case DSG_LIST: return "list";
    default: return "other";
    }
}

static PyObject *field_to_py(const dsg_field *f)
{
    PyObject *children = PyTuple_New((Py_ssize_t)f->n_children);
    for (size_t i = 0; children && i < f->n_children; i++) {
        PyObject *c = field_to_py(&f->children[i]);
        if (c == NULL) {
            Py_CLEAR(children);
            break;
        }
        PyTuple_SET_ITEM(children, (Py_ssize_t)i, c);
    }
    if (children == NULL)
        return NULL;
    return Py_BuildValue("(ssOiiN)", f->name, type_word(f->type),
                         (f->flags & DSG_FIELD_NULLABLE) ? Py_True : Py_False, f->precision, f->scale, children);
}

static PyObject *Dataset_table_info(DatasetObject *self, PyObject *args)
{
    Py_ssize_t i;
    if (!PyArg_ParseTuple(args, "n", &i) || need(self, 1) < 0)
        return NULL;
    if (i < 0 || (size_t)i >= dsg_dataset_n_tables(self->ds)) {
        PyErr_SetString(PyExc_IndexError, "no such table");
        return NULL;
    }
    dsg_table_info info;
    dsg_error e;
    dsg_error_clear(&e);
    if (dsg_dataset_table(self->ds, (size_t)i, &info, &e) != DSG_OK)
        return raise_error(&e);
    PyObject *parts = PyTuple_New((Py_ssize_t)info.n_partition_by);
    for (size_t k = 0; parts && k < info.n_partition_by; k++)
        PyTuple_SET_ITEM(parts, (Py_ssize_t)k, PyUnicode_FromString(info.partition_by[k]));
    PyObject *fields = PyTuple_New((Py_ssize_t)info.n_fields);
    for (size_t k = 0; fields && k < info.n_fields; k++)
        PyTuple_SET_ITEM(fields, (Py_ssize_t)k, field_to_py(&info.fields[k]));
    if (parts == NULL || fields == NULL || PyErr_Occurred()) {
        Py_XDECREF(parts);
        Py_XDECREF(fields);
        return NULL;
    }
    return Py_BuildValue("{s:s,s:N,s:N,s:K,s:n}", "name", info.name, "partition_by", parts, "fields", fields,
                         "rows", (unsigned long long)info.rows, "partitions", (Py_ssize_t)info.n_partitions);
}

static PyObject *Dataset_n_tables(DatasetObject *self, PyObject *Py_UNUSED(args))
{
    if (need(self, 0) < 0)
        return NULL;
    return PyLong_FromSize_t(dsg_dataset_n_tables(self->ds));
}

static PyObject *Dataset_schema(DatasetObject *self, PyObject *args)
{
    Py_ssize_t i;
    if (!PyArg_ParseTuple(args, "n", &i) || need(self, 1) < 0)
        return NULL;
    dsg_table_info info;
    dsg_error e;
    dsg_error_clear(&e);
    if (i < 0 || dsg_dataset_table(self->ds, (size_t)i, &info, &e) != DSG_OK) {
        PyErr_SetString(PyExc_IndexError, "no such table");
        return NULL;
    }
    struct ArrowSchema s;
    if (dsg_arrow_export_schema(info.fields, info.n_fields, &s, &e) != DSG_OK)
        return raise_error(&e);
    return schema_capsule(&s);
}

/* A stream that keeps the Dataset object alive. */
typedef struct keep_stream {
    struct ArrowArrayStream inner;
    PyObject *owner;
} keep_stream;

static int keep_get_schema(struct ArrowArrayStream *s, struct ArrowSchema *out)
{
    keep_stream *k = s->private_data;
    return k->inner.get_schema(&k->inner, out);
}

static int keep_get_next(struct ArrowArrayStream *s, struct ArrowArray *out)
{
    keep_stream *k = s->private_data;
    return k->inner.get_next(&k->inner, out);
}

static const char *keep_last_error(struct ArrowArrayStream *s)
{
    keep_stream *k = s->private_data;
    return k->inner.get_last_error(&k->inner);
}

static void keep_release(struct ArrowArrayStream *s)
{
    if (s == NULL || s->release == NULL)
        return;
    keep_stream *k = s->private_data;
    k->inner.release(&k->inner);
    PyGILState_STATE g = PyGILState_Ensure();
    Py_DECREF(k->owner);
    PyGILState_Release(g);
    free(k);
    s->release = NULL;
}

static PyObject *Dataset_stream(DatasetObject *self, PyObject *args)
{
    Py_ssize_t i, batch_rows = 65536;
    if (!PyArg_ParseTuple(args, "n|n", &i, &batch_rows) || need(self, 1) < 0)
        return NULL;
    if (i < 0 || batch_rows < 1) {
        PyErr_SetString(PyExc_ValueError, "bad table index or batch size");
        return NULL;
    }
    keep_stream *k = calloc(1, sizeof *k);
    if (k == NULL)
        return PyErr_NoMemory();
    dsg_error e;
    dsg_error_clear(&e);
    if (dsg_dataset_arrow_stream(self->ds, (size_t)i, (size_t)batch_rows, &k->inner, &e) != DSG_OK) {
        free(k);
        return raise_error(&e);
    }
    k->owner = (PyObject *)self;
    Py_INCREF(self);
    struct ArrowArrayStream s = {keep_get_schema, keep_get_next, keep_last_error, keep_release, k};
    return stream_capsule(&s);
}

/* ---- options shared by runs and table writers ---- */

typedef struct py_opts {
    PyObject *keep;          /* list of bytes objects that own the strings */
    dsg_s3_config s3;
    int has_s3;
    dsg_catalog_config catalog;
    int has_catalog;
    const char **partition_by;
    size_t n_partition_by;
    const char **tables;
    size_t n_tables;
} py_opts;

static void py_opts_free(py_opts *o)
{
    Py_CLEAR(o->keep);
    PyMem_Free(o->partition_by);
    o->partition_by = NULL;
    PyMem_Free(o->tables);
    o->tables = NULL;
}

/* The UTF-8 text of dict[key] (None or absent: NULL); kept alive in o->keep. */
static int opt_str(py_opts *o, PyObject *d, const char *key, const char **out)
{
    *out = NULL;
    PyObject *v = d ? PyDict_GetItemString(d, key) : NULL;
    if (v == NULL || v == Py_None)
        return 0;
    PyObject *b = PyUnicode_AsUTF8String(v);
    if (b == NULL)
        return -1;
    if (PyList_Append(o->keep, b) < 0) {
        Py_DECREF(b);
        return -1;
    }
    Py_DECREF(b);
    *out = PyBytes_AS_STRING(b);
    return 0;
}

static int opt_int(PyObject *d, const char *key, long long dflt, long long *out)
{
    *out = dflt;
    PyObject *v = d ? PyDict_GetItemString(d, key) : NULL;
    if (v == NULL || v == Py_None)
        return 0;
    *out = PyLong_AsLongLong(v);
    return *out == -1 && PyErr_Occurred() ? -1 : 0;
}

static int opt_strs(py_opts *o, PyObject *d, const char *key, const char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    PyObject *v = d ? PyDict_GetItemString(d, key) : NULL;
    if (v == NULL || v == Py_None)
        return 0;
    PyObject *seq = PySequence_Fast(v, "expected a sequence of strings");
    if (seq == NULL)
        return -1;
    Py_ssize_t m = PySequence_Fast_GET_SIZE(seq);
    *out = PyMem_Calloc((size_t)m + 1, sizeof **out);
    if (*out == NULL) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < m; i++) {
        PyObject *b = PyUnicode_AsUTF8String(PySequence_Fast_GET_ITEM(seq, i));
        if (b == NULL || PyList_Append(o->keep, b) < 0) {
            Py_XDECREF(b);
            Py_DECREF(seq);
            return -1;
        }
        Py_DECREF(b);
        (*out)[i] = PyBytes_AS_STRING(b);
    }
    *n = (size_t)m;
    Py_DECREF(seq);
    return 0;
}

/* Reads the common keys: s3 (dict), catalog (dict), partition_by, tables;
 * codec, level, row_group_rows into *po. */
static int read_opts(py_opts *o, PyObject *d, dsg_parquet_options *po, uint64_t *file_rows_target,
                     dsg_table_mode *mode)
{
    o->keep = PyList_New(0);
    if (o->keep == NULL)
        return -1;
    const char *codec = NULL;
    long long level, rg, frt, m;
    if (opt_str(o, d, "compression", &codec) < 0 || opt_int(d, "compression_level", DSG_LEVEL_DEFAULT, &level) < 0 ||
        opt_int(d, "row_group_rows", 131072, &rg) < 0 || opt_int(d, "file_rows_target", 250000, &frt) < 0 ||
        opt_int(d, "mode", DSG_MODE_CREATE, &m) < 0)
        return -1;
    dsg_error e;
    dsg_error_clear(&e);
    if (codec && dsg_codec_parse(codec, &po->codec, &e) != DSG_OK) {
        raise_error(&e);
        return -1;
    }
    if (level < INT32_MIN || level > INT32_MAX || dsg_codec_check_level(po->codec, (int)level, &e) != DSG_OK) {
        if (e.status == DSG_OK)
            PyErr_SetString(PyExc_ValueError, "compression level out of range");
        else
            raise_error(&e);
        return -1;
    }
    po->level = (int)level;
    if (rg < 1 || rg > (1LL << 31)) {
        PyErr_Format(PyExc_ValueError, "row_group_rows must be between 1 and 2^31, not %lld", rg);
        return -1;
    }
    po->row_group_rows = (size_t)rg;
    if (frt < 1) {
        PyErr_Format(PyExc_ValueError, "file_rows_target must be at least 1, not %lld", frt);
        return -1;
    }
    *file_rows_target = (uint64_t)frt;
    *mode = (dsg_table_mode)m;
    PyObject *s3 = PyDict_GetItemString(d, "s3");
    if (s3 && s3 != Py_None) {
        if (!PyDict_Check(s3)) {
            PyErr_SetString(PyExc_TypeError, "s3 must be a dict");
            return -1;
        }
        dsg_s3_config_init(&o->s3);
        long long use_ssl;
        if (opt_str(o, s3, "key", &o->s3.access_key) < 0 || opt_str(o, s3, "secret", &o->s3.secret_key) < 0 ||
            opt_str(o, s3, "session_token", &o->s3.session_token) < 0 ||
            opt_str(o, s3, "endpoint_url", &o->s3.endpoint) < 0 || opt_str(o, s3, "region", &o->s3.region) < 0 ||
            opt_int(s3, "use_ssl", -1, &use_ssl) < 0)
            return -1;
        o->s3.use_ssl = (int)use_ssl;
        o->has_s3 = 1;
    }
    PyObject *cat = PyDict_GetItemString(d, "catalog");
    if (cat && cat != Py_None) {
        if (!PyDict_Check(cat)) {
            PyErr_SetString(PyExc_TypeError, "catalog must be a dict");
            return -1;
        }
        memset(&o->catalog, 0, sizeof o->catalog);
        if (opt_str(o, cat, "kind", &o->catalog.kind) < 0 || opt_str(o, cat, "uri", &o->catalog.uri) < 0 ||
            opt_str(o, cat, "namespace", &o->catalog.namespace_) < 0)
            return -1;
        o->has_catalog = 1;
    }
    if (opt_strs(o, d, "partition_by", &o->partition_by, &o->n_partition_by) < 0 ||
        opt_strs(o, d, "tables", &o->tables, &o->n_tables) < 0)
        return -1;
    return 0;
}

/* ---- Dataset.run ---- */

typedef struct run_job {
    job j;
    dsg_dataset *ds;
    dsg_run_options opt;
    dsg_run_stats stats;
} run_job;

static void on_progress(void *ctx, uint64_t rows_done, uint64_t rows_total, uint64_t bytes_done)
{
    job *j = ctx;
    j->rows_done = rows_done;
    j->rows_total = rows_total;
    j->bytes_done = bytes_done;
}

static dsg_status run_fn(job *j)
{
    run_job *r = (run_job *)j;
    return dsg_run(r->ds, &r->opt, &r->stats, &j->err);
}

static PyObject *Dataset_run(DatasetObject *self, PyObject *args)
{
    PyObject *d, *progress = Py_None;
    if (!PyArg_ParseTuple(args, "O!|O", &PyDict_Type, &d, &progress) || need(self, 1) < 0)
        return NULL;
    run_job *r = PyMem_Calloc(1, sizeof *r);
    if (r == NULL)
        return PyErr_NoMemory();
    py_opts o;
    memset(&o, 0, sizeof o);
    dsg_run_options_init(&r->opt);
    long long threads, overwrite;
    const char *format = NULL;
    PyObject *result = NULL;
    if (read_opts(&o, d, &r->opt.parquet, &r->opt.file_rows_target, &r->opt.mode) < 0 ||
        opt_str(&o, d, "output", &r->opt.output) < 0 || opt_str(&o, d, "format", &format) < 0 ||
        opt_int(d, "threads", 0, &threads) < 0 || opt_int(d, "overwrite", 0, &overwrite) < 0)
        goto done;
    if (format)
        r->opt.format = format;
    r->opt.threads = (int)threads;
    r->opt.overwrite = (int)overwrite;
    r->opt.s3 = o.has_s3 ? &o.s3 : NULL;
    r->opt.catalog = o.has_catalog ? &o.catalog : NULL;
    r->opt.tables = o.n_tables ? o.tables : NULL;
    r->opt.n_tables = o.n_tables;
    r->opt.on_progress = on_progress;
    r->opt.ctx = &r->j;
    r->j.cancel = &r->j.cancel_own;
    r->opt.cancel = r->j.cancel;
    r->ds = self->ds;
    r->j.fn = run_fn;
    if (job_run(&r->j, progress) < 0)
        goto done;
    if (r->j.st != DSG_OK) {
        r->j.err.status = r->j.st;
        raise_error(&r->j.err);
        goto done;
    }
    result = Py_BuildValue("{s:K,s:K,s:K,s:K,s:d}", "tables", (unsigned long long)r->stats.tables, "files",
                           (unsigned long long)r->stats.files, "rows", (unsigned long long)r->stats.rows, "bytes",
                           (unsigned long long)r->stats.bytes, "seconds", r->stats.seconds);
done:
    py_opts_free(&o);
    PyMem_Free(r);
    return result;
}

static PyMethodDef Dataset_methods[] = {
    {"set", (PyCFunction)Dataset_set, METH_VARARGS, "set(name, value): one option, as the CLI's --name value."},
    {"options", (PyCFunction)Dataset_options, METH_NOARGS, "[(name, default, help)] of the dataset's options."},
    {"prepare", (PyCFunction)Dataset_prepare, METH_NOARGS, "Checks the options and plans the tables."},
    {"n_tables", (PyCFunction)Dataset_n_tables, METH_NOARGS, "Number of tables."},
    {"table_info", (PyCFunction)Dataset_table_info, METH_VARARGS, "table_info(i) -> dict."},
    {"schema", (PyCFunction)Dataset_schema, METH_VARARGS, "schema(i) -> arrow_schema capsule."},
    {"stream", (PyCFunction)Dataset_stream, METH_VARARGS,
     "stream(i, batch_rows=65536) -> arrow_array_stream capsule over table i."},
    {"run", (PyCFunction)Dataset_run, METH_VARARGS, "run(options, progress=None) -> stats dict."},
    {NULL, NULL, 0, NULL}};

static PyTypeObject DatasetType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "dataset_generator._core.Dataset",
    .tp_basicsize = sizeof(DatasetObject),
    .tp_dealloc = (destructor)Dataset_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A built-in dataset of libdsg (internal; see dataset_generator.create_generator).",
    .tp_methods = Dataset_methods,
    .tp_init = (initproc)Dataset_init,
    .tp_new = PyType_GenericNew,
};

/* ---- TableWriter ---- */

typedef struct {
    PyObject_HEAD
    py_opts o;
    dsg_writer_options opt;
    dsg_arrow_importer *imp; /* the first schema: its fields back the writer */
    dsg_table_writer *w;
    int done;
    volatile int cancel; /* the writer's cancel flag (dsg_writer_options.cancel) */
} TableWriterObject;

static PyTypeObject TableWriterType;

static void TableWriter_dealloc(TableWriterObject *self)
{
    dsg_table_writer_free(self->w); /* aborts files in progress */
    dsg_arrow_importer_free(self->imp);
    py_opts_free(&self->o);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int TableWriter_init(TableWriterObject *self, PyObject *args, PyObject *kwargs)
{
    PyObject *d;
    if (kwargs != NULL && PyDict_Size(kwargs) > 0) {
        PyErr_SetString(PyExc_TypeError, "TableWriter(options) takes one dict");
        return -1;
    }
    if (!PyArg_ParseTuple(args, "O!", &PyDict_Type, &d))
        return -1;
    if (self->o.keep != NULL) {
        PyErr_SetString(PyExc_ValueError, "a TableWriter cannot be initialized twice");
        return -1;
    }
    dsg_writer_options_init(&self->opt);
    const char *format = NULL;
    if (read_opts(&self->o, d, &self->opt.parquet, &self->opt.file_rows_target, &self->opt.mode) < 0 ||
        opt_str(&self->o, d, "output", &self->opt.output) < 0 || opt_str(&self->o, d, "table", &self->opt.table) < 0 ||
        opt_str(&self->o, d, "format", &format) < 0)
        return -1;
    if (format)
        self->opt.format = format;
    self->opt.s3 = self->o.has_s3 ? &self->o.s3 : NULL;
    self->opt.catalog = self->o.has_catalog ? &self->o.catalog : NULL;
    self->opt.partition_by = self->o.partition_by;
    self->opt.n_partition_by = self->o.n_partition_by;
    self->opt.cancel = &self->cancel;
    return 0;
}

static int same_fields(const dsg_field *a, const dsg_field *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(a[i].name, b[i].name) != 0 || a[i].type != b[i].type || a[i].precision != b[i].precision ||
            a[i].scale != b[i].scale || a[i].n_children != b[i].n_children ||
            (a[i].flags & DSG_FIELD_LOCAL_TIME) != (b[i].flags & DSG_FIELD_LOCAL_TIME) ||
            !same_fields(a[i].children, b[i].children, a[i].n_children))
            return 0;
    }
    return 1;
}

typedef struct write_job {
    job j;
    TableWriterObject *tw;
    struct ArrowArrayStream stream; /* or, for one array: */
    struct ArrowSchema *schema;
    struct ArrowArray *array;
} write_job;

static dsg_status stream_fail(struct ArrowArrayStream *s, int rc, const char *what, dsg_error *err)
{
    const char *m = s->get_last_error ? s->get_last_error(s) : NULL;
    err->status = rc > 0 ? rc : DSG_EIO;
    snprintf(err->message, sizeof err->message, "the Arrow stream failed to %s: %s", what, m ? m : strerror(rc));
    return err->status;
}

/* With a new schema: the importer for it (the writer is opened with the
 * first one; later ones must match it). */
static dsg_status importer_for(TableWriterObject *tw, const struct ArrowSchema *schema, dsg_arrow_importer **out,
                               dsg_error *err)
{
    dsg_arrow_importer *imp = NULL;
    dsg_status st = dsg_arrow_importer_create(&imp, schema, err);
    if (st != DSG_OK)
        return st;
    if (tw->imp == NULL) {
        size_t n;
        const dsg_field *f = dsg_arrow_importer_fields(imp, &n);
        st = dsg_table_writer_open(&tw->w, &tw->opt, f, n, err);
        if (st != DSG_OK) {
            dsg_arrow_importer_free(imp);
            return st;
        }
        tw->imp = imp;
        *out = imp;
        return DSG_OK;
    }
    size_t n1, n2;
    const dsg_field *f1 = dsg_arrow_importer_fields(tw->imp, &n1), *f2 = dsg_arrow_importer_fields(imp, &n2);
    if (n1 != n2 || !same_fields(f1, f2, n1)) {
        dsg_arrow_importer_free(imp);
        err->status = DSG_ETYPE;
        snprintf(err->message, sizeof err->message,
                 "table %s: these batches do not have the columns and types of the first ones", tw->opt.table);
        return DSG_ETYPE;
    }
    *out = imp;
    return DSG_OK;
}

static dsg_status write_one(write_job *wj, dsg_arrow_importer *imp, const struct ArrowArray *a)
{
    const dsg_array *cols;
    size_t n;
    dsg_status st = dsg_arrow_importer_convert(imp, a, &cols, &n, &wj->j.err);
    if (st == DSG_OK)
        st = dsg_table_writer_write(wj->tw->w, cols, n, &wj->j.err);
    if (st == DSG_OK)
        wj->j.rows_done += n;
    return st;
}

static dsg_status write_fn(job *j)
{
    write_job *wj = (write_job *)j;
    TableWriterObject *tw = wj->tw;
    dsg_arrow_importer *imp = NULL;
    dsg_status st;
    if (wj->array != NULL) {
        st = importer_for(tw, wj->schema, &imp, &j->err);
        if (st == DSG_OK)
            st = write_one(wj, imp, wj->array);
    } else {
        struct ArrowArrayStream *s = &wj->stream;
        struct ArrowSchema schema;
        memset(&schema, 0, sizeof schema);
        int rc = s->get_schema(s, &schema);
        st = rc != 0 ? stream_fail(s, rc, "give its schema", &j->err) : importer_for(tw, &schema, &imp, &j->err);
        while (st == DSG_OK) {
            if (*j->cancel) {
                st = EINTR;
                break;
            }
            struct ArrowArray a;
            memset(&a, 0, sizeof a);
            rc = s->get_next(s, &a);
            if (rc != 0) {
                st = stream_fail(s, rc, "give a batch", &j->err);
                break;
            }
            if (a.release == NULL)
                break;
            st = write_one(wj, imp, &a);
            a.release(&a);
        }
        if (schema.release)
            schema.release(&schema);
    }
    if (imp != tw->imp)
        dsg_arrow_importer_free(imp);
    return st;
}

static PyObject *finish_write(TableWriterObject *self, write_job *wj)
{
    PyObject *res = NULL;
    self->cancel = 0;
    wj->j.cancel = &self->cancel;
    int rc = job_run(&wj->j, NULL);
    if (rc == 0 && wj->j.st == DSG_OK) {
        res = PyLong_FromUnsignedLongLong((unsigned long long)wj->j.rows_done);
    } else {
        if (rc == 0) {
            if (wj->j.st == EINTR && wj->j.err.message[0] == '\0')
                PyErr_SetNone(PyExc_KeyboardInterrupt);
            else {
                wj->j.err.status = wj->j.st;
                raise_error(&wj->j.err);
            }
        }
        /* a failed write leaves nothing incomplete: abort every open file */
        dsg_table_writer_free(self->w);
        self->w = NULL;
        self->done = 1;
    }
    return res;
}

static int writable(TableWriterObject *self)
{
    if (self->o.keep == NULL) {
        PyErr_SetString(PyExc_ValueError, "the TableWriter is not initialized");
        return -1;
    }
    if (self->done) {
        PyErr_SetString(PyExc_ValueError, "the table writer is closed (or failed earlier)");
        return -1;
    }
    return 0;
}

static PyObject *TableWriter_write_stream(TableWriterObject *self, PyObject *cap)
{
    if (writable(self) < 0)
        return NULL;
    struct ArrowArrayStream *s = PyCapsule_GetPointer(cap, "arrow_array_stream");
    if (s == NULL)
        return NULL;
    if (s->release == NULL) {
        PyErr_SetString(PyExc_ValueError, "the Arrow stream was already consumed");
        return NULL;
    }
    write_job *wj = PyMem_Calloc(1, sizeof *wj);
    if (wj == NULL)
        return PyErr_NoMemory();
    wj->tw = self;
    wj->stream = *s;
    s->release = NULL;
    wj->j.fn = write_fn;
    PyObject *res = finish_write(self, wj);
    wj->stream.release(&wj->stream);
    PyMem_Free(wj);
    return res;
}

static PyObject *TableWriter_write_array(TableWriterObject *self, PyObject *args)
{
    PyObject *sc, *ac;
    if (!PyArg_ParseTuple(args, "OO", &sc, &ac) || writable(self) < 0)
        return NULL;
    struct ArrowSchema *s = PyCapsule_GetPointer(sc, "arrow_schema");
    struct ArrowArray *a = s ? PyCapsule_GetPointer(ac, "arrow_array") : NULL;
    if (a == NULL)
        return NULL;
    if (a->release == NULL || s->release == NULL) {
        PyErr_SetString(PyExc_ValueError, "the Arrow array was already released");
        return NULL;
    }
    write_job *wj = PyMem_Calloc(1, sizeof *wj);
    if (wj == NULL)
        return PyErr_NoMemory();
    wj->tw = self;
    wj->schema = s;
    wj->array = a;
    wj->j.fn = write_fn;
    PyObject *res = finish_write(self, wj);
    PyMem_Free(wj);
    return res;
}

typedef struct close_job {
    job j;
    TableWriterObject *tw;
    dsg_run_stats stats;
} close_job;

static dsg_status close_fn(job *j)
{
    close_job *c = (close_job *)j;
    return dsg_table_writer_close(c->tw->w, &c->stats, &j->err);
}

static PyObject *TableWriter_close(TableWriterObject *self, PyObject *Py_UNUSED(args))
{
    if (self->o.keep == NULL || self->done) {
        PyErr_SetString(PyExc_ValueError, "the table writer is closed (or failed earlier)");
        return NULL;
    }
    self->done = 1;
    if (self->w == NULL) /* nothing was written */
        return Py_BuildValue("{s:i,s:i,s:i}", "files", 0, "rows", 0, "bytes", 0);
    close_job c;
    memset(&c, 0, sizeof c);
    c.tw = self;
    self->cancel = 0;
    c.j.cancel = &self->cancel;
    c.j.fn = close_fn;
    int rc = job_run(&c.j, NULL);
    PyObject *res = NULL;
    if (rc == 0 && c.j.st == DSG_OK) {
        res = Py_BuildValue("{s:K,s:K,s:K}", "files", (unsigned long long)c.stats.files, "rows",
                            (unsigned long long)c.stats.rows, "bytes", (unsigned long long)c.stats.bytes);
    } else if (rc == 0) {
        c.j.err.status = c.j.st;
        raise_error(&c.j.err);
    }
    dsg_table_writer_free(self->w);
    self->w = NULL;
    return res;
}

static PyObject *TableWriter_abort(TableWriterObject *self, PyObject *Py_UNUSED(args))
{
    dsg_table_writer_free(self->w);
    self->w = NULL;
    self->done = 1;
    Py_RETURN_NONE;
}

static PyMethodDef TableWriter_methods[] = {
    {"write_stream", (PyCFunction)TableWriter_write_stream, METH_O,
     "write_stream(arrow_array_stream capsule) -> rows written."},
    {"write_array", (PyCFunction)TableWriter_write_array, METH_VARARGS,
     "write_array(arrow_schema capsule, arrow_array capsule) -> rows written."},
    {"close", (PyCFunction)TableWriter_close, METH_NOARGS, "Closes every file -> stats dict."},
    {"abort", (PyCFunction)TableWriter_abort, METH_NOARGS, "Aborts the files in progress."},
    {NULL, NULL, 0, NULL}};

static PyTypeObject TableWriterType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "dataset_generator._core.TableWriter",
    .tp_basicsize = sizeof(TableWriterObject),
    .tp_dealloc = (destructor)TableWriter_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "One table being written from Arrow data (internal; see dataset_generator.create_writer).",
    .tp_methods = TableWriter_methods,
    .tp_init = (initproc)TableWriter_init,
    .tp_new = PyType_GenericNew,
};

/* ---- module ---- */

static PyObject *core_dataset_names(PyObject *mod, PyObject *Py_UNUSED(args))
{
    (void)mod;
    PyObject *list = PyList_New(0);
    for (const char *const *n = dsg_dataset_names(); list && *n; n++) {
        PyObject *s = PyUnicode_FromString(*n);
        if (s == NULL || PyList_Append(list, s) < 0)
            Py_CLEAR(list);
        Py_XDECREF(s);
    }
    return list;
}

static PyObject *core_version(PyObject *mod, PyObject *Py_UNUSED(args))
{
    (void)mod;
    return Py_BuildValue("(ss)", dsg_version(), dsg_build_id());
}

static PyObject *core_check_codec(PyObject *mod, PyObject *args)
{
    (void)mod;
    const char *name;
    int level = DSG_LEVEL_DEFAULT;
    if (!PyArg_ParseTuple(args, "s|i", &name, &level))
        return NULL;
    dsg_codec c;
    dsg_error e;
    dsg_error_clear(&e);
    if (dsg_codec_parse(name, &c, &e) != DSG_OK || dsg_codec_check_level(c, level, &e) != DSG_OK)
        return raise_error(&e);
    return PyUnicode_FromString(dsg_codec_name(c));
}

static PyObject *core_table_formats(PyObject *mod, PyObject *Py_UNUSED(args))
{
    (void)mod;
    static const char *const names[] = {"delta", "iceberg", "ducklake"};
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && i < sizeof names / sizeof names[0]; i++) {
        if (!dsg_table_format_available(names[i]))
            continue;
        PyObject *s = PyUnicode_FromString(names[i]);
        if (s == NULL || PyList_Append(list, s) < 0)
            Py_CLEAR(list);
        Py_XDECREF(s);
    }
    return list;
}

static PyMethodDef core_methods[] = {
    {"table_formats", core_table_formats, METH_NOARGS, "Table formats of this build (delta, iceberg, ducklake)."},
    {"dataset_names", core_dataset_names, METH_NOARGS, "Names of the built-in datasets."},
    {"version", core_version, METH_NOARGS, "(version, build id) of libdsg."},
    {"iter_stream", core_iter_stream, METH_O, "iter_stream(arrow_array_stream capsule) -> iterator of Batch."},
    {"check_codec", core_check_codec, METH_VARARGS, "check_codec(name, level) -> canonical name; ValueError if bad."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef core_module = {PyModuleDef_HEAD_INIT, "_core",
                                         "The C extension of dataset_generator (libdsg).", -1, core_methods,
                                         NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__core(void);
PyMODINIT_FUNC PyInit__core(void)
{
    if (PyType_Ready(&BatchType) < 0 || PyType_Ready(&StreamIterType) < 0 || PyType_Ready(&DatasetType) < 0 ||
        PyType_Ready(&TableWriterType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&core_module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&BatchType);
    Py_INCREF(&DatasetType);
    Py_INCREF(&TableWriterType);
    if (PyModule_AddObject(m, "Batch", (PyObject *)&BatchType) < 0 ||
        PyModule_AddObject(m, "Dataset", (PyObject *)&DatasetType) < 0 ||
        PyModule_AddObject(m, "TableWriter", (PyObject *)&TableWriterType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
