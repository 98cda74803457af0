/*
 * jsonl.c - newline-delimited JSON writer (see jsonl.h).
 */
#include "jsonl.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

struct dsgi_jsonl_writer {
    dsg_sink *sink;
    const dsg_field *fields;
    size_t n_fields;
    dsgi_buf out;
    int closed;
};

#define FLUSH_BYTES (1u << 20)

dsg_status dsgi_jsonl_open(dsgi_jsonl_writer **out, dsg_sink *sink, const dsg_field *fields,
                           size_t n_fields, dsg_error *err)
{
    dsgi_jsonl_writer *w = dsgi_calloc(1, sizeof *w);
    if (w == NULL) {
        dsg_sink_free(sink);
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (JSON writer)");
    }
    w->sink = sink;
    w->fields = fields;
    w->n_fields = n_fields;
    dsgi_buf_init(&w->out, (size_t)1 << 31);
    *out = w;
    return DSG_OK;
}

void dsgi_jsonl_free(dsgi_jsonl_writer *w)
{
    if (w == NULL)
        return;
    if (!w->closed) /* the sink gets commit or abort, then free */
        w->sink->ops->abort(w->sink);
    dsg_sink_free(w->sink);
    dsgi_buf_free(&w->out);
    dsgi_free(w);
}

static dsg_status put(dsgi_jsonl_writer *w, const char *s, size_t n, dsg_error *err)
{
    return dsgi_buf_append(&w->out, s, n, err);
}

static dsg_status puts_(dsgi_jsonl_writer *w, const char *s, dsg_error *err)
{
    return put(w, s, strlen(s), err);
}

static dsg_status put_string(dsgi_jsonl_writer *w, const char *s, size_t n, dsg_error *err)
{
    DSGI_FORWARD(put(w, "\"", 1, err));
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        char esc[8];
        if (ch == '"' || ch == '\\') {
            esc[0] = '\\';
            esc[1] = (char)ch;
            DSGI_FORWARD(put(w, esc, 2, err));
        } else if (ch < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", ch);
            DSGI_FORWARD(put(w, esc, 6, err));
        } else {
            DSGI_FORWARD(put(w, (const char *)&ch, 1, err));
        }
    }
    return put(w, "\"", 1, err);
}

static dsg_status put_double(dsgi_jsonl_writer *w, double v, int is_float, dsg_error *err)
{
    char tmp[40];
    if (isnan(v))
        return puts_(w, "\"NaN\"", err);
    if (isinf(v))
        return puts_(w, v > 0 ? "\"Infinity\"" : "\"-Infinity\"", err);
    if (v == 0)
        return puts_(w, signbit(v) ? "-0.0" : "0.0", err);
    snprintf(tmp, sizeof tmp, is_float ? "%.9g" : "%.17g", v);
    return puts_(w, tmp, err);
}

static dsg_status put_value(dsgi_jsonl_writer *w, const dsg_field *f, const dsg_array *a, size_t i,
                            dsg_error *err)
{
    char tmp[128];
    if (a->valid != NULL && !a->valid[i])
        return puts_(w, "null", err);
    switch (f->type) {
    case DSG_BOOL: return puts_(w, ((const uint8_t *)a->values)[i] ? "true" : "false", err);
    case DSG_INT8: snprintf(tmp, sizeof tmp, "%d", ((const int8_t *)a->values)[i]); break;
    case DSG_INT16: snprintf(tmp, sizeof tmp, "%d", ((const int16_t *)a->values)[i]); break;
    case DSG_INT32: snprintf(tmp, sizeof tmp, "%" PRId32, ((const int32_t *)a->values)[i]); break;
    case DSG_INT64:
    case DSG_TIMESTAMP:
    case DSG_DURATION:
        snprintf(tmp, sizeof tmp, "\"%" PRId64 "\"", ((const int64_t *)a->values)[i]);
        break;
    case DSG_FLOAT: return put_double(w, ((const float *)a->values)[i], 1, err);
    case DSG_DOUBLE: return put_double(w, ((const double *)a->values)[i], 0, err);
    case DSG_DATE: {
        int64_t y;
        unsigned m, d;
        dsgi_civil_from_days(((const int32_t *)a->values)[i], &y, &m, &d);
        snprintf(tmp, sizeof tmp, "\"%04" PRId64 "-%02u-%02u\"", y, m, d);
        break;
    }
    case DSG_DECIMAL: {
        int64_t v = ((const int64_t *)a->values)[i];
        uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        uint64_t p = 1;
        for (int k = 0; k < f->scale; k++)
            p *= 10;
        if (f->scale > 0)
            snprintf(tmp, sizeof tmp, "\"%s%" PRIu64 ".%0*" PRIu64 "\"", v < 0 ? "-" : "", mag / p,
                     f->scale & 31, mag % p);
        else
            snprintf(tmp, sizeof tmp, "\"%s%" PRIu64 "\"", v < 0 ? "-" : "", mag);
        break;
    }
    case DSG_STRING:
        return put_string(w, a->data + a->offsets[i], (size_t)(a->offsets[i + 1] - a->offsets[i]), err);
    case DSG_STRUCT:
        DSGI_FORWARD(put(w, "{", 1, err));
        for (size_t c = 0; c < f->n_children; c++) {
            if (c)
                DSGI_FORWARD(put(w, ",", 1, err));
            DSGI_FORWARD(put_string(w, f->children[c].name, strlen(f->children[c].name), err));
            DSGI_FORWARD(put(w, ":", 1, err));
            DSGI_FORWARD(put_value(w, &f->children[c], &a->children[c], i, err));
        }
        return put(w, "}", 1, err);
    case DSG_LIST:
        DSGI_FORWARD(put(w, "[", 1, err));
        for (int32_t k = a->offsets[i]; k < a->offsets[i + 1]; k++) {
            if (k > a->offsets[i])
                DSGI_FORWARD(put(w, ",", 1, err));
            DSGI_FORWARD(put_value(w, &f->children[0], &a->children[0], (size_t)k, err));
        }
        return put(w, "]", 1, err);
    case DSG_MAP: {
        /* string keys: an object; other keys: a list of {"key","value"} */
        int object = f->children[0].type == DSG_STRING;
        DSGI_FORWARD(put(w, object ? "{" : "[", 1, err));
        for (int32_t k = a->offsets[i]; k < a->offsets[i + 1]; k++) {
            if (k > a->offsets[i])
                DSGI_FORWARD(put(w, ",", 1, err));
            if (!object)
                DSGI_FORWARD(put(w, "{\"key\":", 7, err));
            DSGI_FORWARD(put_value(w, &f->children[0], &a->children[0], (size_t)k, err));
            DSGI_FORWARD(object ? put(w, ":", 1, err) : put(w, ",\"value\":", 9, err));
            DSGI_FORWARD(put_value(w, &f->children[1], &a->children[1], (size_t)k, err));
            if (!object)
                DSGI_FORWARD(put(w, "}", 1, err));
        }
        return put(w, object ? "}" : "]", 1, err);
    }
    default: /* types of user data (Arrow input): not generated by datasets */
        return dsgi_fail(err, DSG_ETYPE, "column %s: JSON Lines output does not take this type", f->name);
    }
    return puts_(w, tmp, err);
}

static dsg_status flush_out(dsgi_jsonl_writer *w, dsg_error *err)
{
    DSGI_FORWARD(w->sink->ops->write(w->sink, w->out.data, w->out.len, err));
    dsgi_buf_reset(&w->out);
    return DSG_OK;
}

dsg_status dsgi_jsonl_write(dsgi_jsonl_writer *w, const dsg_array *columns, size_t n_rows,
                            dsg_error *err)
{
    DSGI_RETURN_IF(w->closed, err, DSG_ESTATE, "write to a JSON writer after close");
    for (size_t r = 0; r < n_rows; r++) {
        DSGI_FORWARD(put(w, "{", 1, err));
        for (size_t c = 0; c < w->n_fields; c++) {
            if (c)
                DSGI_FORWARD(put(w, ",", 1, err));
            DSGI_FORWARD(put_string(w, w->fields[c].name, strlen(w->fields[c].name), err));
            DSGI_FORWARD(put(w, ":", 1, err));
            DSGI_FORWARD(put_value(w, &w->fields[c], &columns[c], r, err));
        }
        DSGI_FORWARD(put(w, "}\n", 2, err));
        if (w->out.len >= FLUSH_BYTES)
            DSGI_FORWARD(flush_out(w, err));
    }
    return DSG_OK;
}

dsg_status dsgi_jsonl_close(dsgi_jsonl_writer *w, dsg_error *err)
{
    DSGI_RETURN_IF(w->closed, err, DSG_ESTATE, "JSON writer closed twice");
    DSGI_FORWARD(flush_out(w, err));
    DSGI_FORWARD(w->sink->ops->commit(w->sink, err));
    w->closed = 1;
    return DSG_OK;
}
