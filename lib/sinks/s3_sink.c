/*
 * s3_sink.c - one S3 object written as a stream: one PutObject when it fits
 * in a part, otherwise a multipart upload whose parts go out while the
 * file is still being written.
 *
 *   filling --(buffer full, more bytes)--> CreateMultipartUpload, UploadPart
 *      |                                      threads (ship_part)
 *      | commit: PutObject                    | commit: last part, wait for
 *      v                                      v   all, CompleteMultipartUpload
 *   object exists                           object exists
 *   (any failure, or free without commit: AbortMultipartUpload)
 *
 * Invariants:
 *  1. The object exists under its key only after commit() succeeded: the
 *     PutObject, or the CompleteMultipartUpload whose answer (even a 200)
 *     carried no <Error>. Uploaded parts are invisible until then.
 *  2. A full buffer is shipped only when one more byte arrives, so an
 *     object of at most one part is a single PUT, and at commit the buffer
 *     holds the last part, never empty once the upload exists.
 *  3. Memory: the part being filled plus at most parts_in_flight parts
 *     uploading, each at most dsgi_s3_part_bytes(first, n) for part n.
 *  4. The first failing part cancels the retries of the others and its
 *     error is the one reported. abort(),
 *     and free() without a successful commit, wait for every part thread
 *     and then send AbortMultipartUpload.
 */
#include "sinks/s3_client.h"

#include <pthread.h>
#include <stdio.h>

#define GROWTH_EVERY_PARTS 900u

typedef struct s3_sink s3_sink;

typedef struct part_slot {
    s3_sink *sink;
    pthread_t thread;
    int threaded;   /* the upload runs on 'thread' (else it ran inline) */
    int pending;    /* holds a part whose outcome is not collected yet */
    unsigned number;
    dsgi_buf data;
    char etag[DSGI_S3_ETAG_MAX];
    dsg_status status;
    dsg_error error;
} part_slot;

struct s3_sink {
    dsg_sink base;
    dsgi_s3_client *client;
    dsgi_s3_client *owned;  /* freed with the sink (dsg_s3_sink_open) */
    char *key;
    char *upload_id;        /* set once the multipart upload exists */
    dsgi_buf fill;          /* the part being filled */
    unsigned part;          /* number of the part being filled */
    part_slot *slots;
    int n_slots;
    char (*etags)[DSGI_S3_ETAG_MAX]; /* etags[n - 1]: ETag of part n */
    unsigned etag_cap;
    atomic_int cancel;      /* set by the first failing part, or by abort */
    dsg_error failure;      /* that first part's error */
    int failed, committed;
};

uint64_t dsgi_s3_part_bytes(size_t first_part_bytes, unsigned part)
{
    uint64_t n = first_part_bytes;
    for (unsigned d = (part - 1) / GROWTH_EVERY_PARTS; d > 0 && n < DSGI_S3_MAX_PART_BYTES; d--)
        n *= 2;
    return DSGI_MIN(n, DSGI_S3_MAX_PART_BYTES);
}

static size_t part_target(const s3_sink *s)
{
    return (size_t)dsgi_s3_part_bytes(dsgi_s3_client_config(s->client)->part_bytes, s->part);
}

static dsg_status simple_call(s3_sink *s, const char *op, const char *method, const dsgi_sigv4_pair *query,
                              size_t n_query, const void *body, size_t body_len, const char *expect_root,
                              int expect_etag, dsgi_s3_reply *reply, dsg_error *err)
{
    dsgi_s3_call call = {op, method, s->key, NULL, query, n_query, body, body_len, NULL, 0};
    const dsgi_s3_expect expect = {expect_root, expect_etag};
    return dsgi_s3_perform_checked(s->client, &call, &expect, NULL, reply, err);
}

/* ---- parts ---- */

static void *upload_part(void *arg)
{
    part_slot *slot = arg;
    s3_sink *s = slot->sink;
    char number[16], op[32];
    snprintf(number, sizeof number, "%u", slot->number);
    snprintf(op, sizeof op, "UploadPart %u", slot->number);
    const dsgi_sigv4_pair q[] = {{"partNumber", number}, {"uploadId", s->upload_id}};
    dsgi_s3_call call = {op, "PUT", s->key, NULL, q, 2, slot->data.data, slot->data.len, NULL, 0};
    const dsgi_s3_expect expect = {NULL, 1};
    dsgi_s3_reply reply;
    dsgi_s3_reply_init(&reply);
    slot->status = dsgi_s3_perform_checked(s->client, &call, &expect, &s->cancel, &reply, &slot->error);
    if (slot->status == DSG_OK && reply.etag[0] == '\0')
        slot->status = dsgi_fail(&slot->error, DSG_EREMOTE, "s3://%s/%s: %s failed: the answer has no ETag",
                                 dsgi_s3_client_bucket(s->client), s->key, op);
    snprintf(slot->etag, sizeof slot->etag, "%s", reply.etag);
    if (slot->status != DSG_OK && !atomic_exchange(&s->cancel, 1))
        s->failure = slot->error; /* read only after every part thread is joined */
    dsgi_s3_reply_free(&reply);
    return NULL;
}

static dsg_status store_etag(s3_sink *s, unsigned number, const char *etag, dsg_error *err)
{
    if (number > s->etag_cap) {
        unsigned cap = DSGI_MAX(number, s->etag_cap * 2);
        void *p = dsgi_realloc(s->etags, (size_t)cap * sizeof s->etags[0]);
        DSGI_RETURN_IF(p == NULL, err, DSG_ENOMEM, "out of memory (S3 part list)");
        s->etags = p;
        s->etag_cap = cap;
    }
    memcpy(s->etags[number - 1], etag, DSGI_S3_ETAG_MAX);
    return DSG_OK;
}

static void join(part_slot *slot)
{
    if (slot->threaded)
        pthread_join(slot->thread, NULL);
    slot->threaded = slot->pending = 0;
}

/* Waits for every pending part and records the ETags. When a part failed,
 * returns the failure that came first (the one that cancelled the rest). */
static dsg_status collect_all(s3_sink *s, dsg_error *err)
{
    dsg_status st = DSG_OK;
    for (int i = 0; i < s->n_slots; i++) {
        part_slot *slot = &s->slots[i];
        if (!slot->pending)
            continue;
        join(slot);
        if (st == DSG_OK && slot->status == DSG_OK)
            st = store_etag(s, slot->number, slot->etag, err);
    }
    if (s->failure.status != DSG_OK) {
        if (err != NULL)
            *err = s->failure;
        return s->failure.status;
    }
    return st;
}

/* A slot with no pending part, waiting for the oldest one if need be. */
static dsg_status free_slot(s3_sink *s, part_slot **out, dsg_error *err)
{
    part_slot *oldest = NULL;
    for (int i = 0; i < s->n_slots; i++) {
        if (!s->slots[i].pending) {
            *out = &s->slots[i];
            return DSG_OK;
        }
        if (oldest == NULL || s->slots[i].number < oldest->number)
            oldest = &s->slots[i];
    }
    join(oldest);
    if (oldest->status != DSG_OK) {
        dsg_status st = collect_all(s, err);
        return st != DSG_OK ? st : dsgi_fail(err, oldest->status, "%s", oldest->error.message);
    }
    DSGI_FORWARD(store_etag(s, oldest->number, oldest->etag, err));
    *out = oldest;
    return DSG_OK;
}

static dsg_status create_upload(s3_sink *s, dsg_error *err)
{
    const dsgi_sigv4_pair q[] = {{"uploads", ""}};
    dsgi_s3_reply reply;
    dsgi_s3_reply_init(&reply);
    dsg_status st = simple_call(s, "CreateMultipartUpload", "POST", q, 1, "", 0, "InitiateMultipartUploadResult", 0, &reply,
                                 err);
    char id[1024];
    size_t pos = 0;
    if (st == DSG_OK && !dsgi_xml_next((const char *)reply.body.data, &pos, "UploadId", id, sizeof id))
        st = dsgi_fail(err, DSG_EREMOTE, "s3://%s/%s: CreateMultipartUpload answered without an UploadId",
                       dsgi_s3_client_bucket(s->client), s->key);
    if (st == DSG_OK && (s->upload_id = dsgi_strdup(id)) == NULL)
        st = dsgi_fail(err, DSG_ENOMEM, "out of memory (S3 upload id)");
    dsgi_s3_reply_free(&reply);
    return st;
}

/* Hands the filled buffer to an upload thread (starting the multipart
 * upload first if need be) and moves on to the next part. */
static dsg_status ship_part(s3_sink *s, dsg_error *err)
{
    DSGI_RETURN_IF(s->part > DSGI_S3_MAX_PARTS, err, DSG_EINVAL,
                   "s3://%s/%s would need more than %u parts, more than S3 allows", dsgi_s3_client_bucket(s->client),
                   s->key, DSGI_S3_MAX_PARTS);
    if (s->upload_id == NULL)
        DSGI_FORWARD(create_upload(s, err));
    part_slot *slot = NULL;
    DSGI_FORWARD(free_slot(s, &slot, err));
    dsgi_buf spare = slot->data;
    slot->data = s->fill;
    s->fill = spare;
    dsgi_buf_reset(&s->fill);
    slot->number = s->part++;
    slot->pending = 1;
    slot->threaded = pthread_create(&slot->thread, NULL, upload_part, slot) == 0;
    if (!slot->threaded)
        upload_part(slot);
    return DSG_OK;
}

/* ---- sink operations ---- */

static dsg_status s3_write(dsg_sink *sink, const void *data, size_t size, dsg_error *err)
{
    s3_sink *s = (s3_sink *)sink;
    DSGI_RETURN_IF(s->failed || s->committed, err, DSG_ESTATE, "write to s3://%s/%s after it was closed or failed",
                   dsgi_s3_client_bucket(s->client), s->key);
    const uint8_t *p = data;
    while (size > 0) {
        size_t target = part_target(s);
        dsg_status st = DSG_OK;
        size_t n = DSGI_MIN(size, target - s->fill.len);
        if (s->fill.len == target) {
            st = ship_part(s, err);
            n = 0;
        } else {
            s->fill.max = target;
            st = dsgi_buf_append(&s->fill, p, n, err);
        }
        if (st != DSG_OK) {
            s->failed = 1;
            return st;
        }
        p += n;
        size -= n;
        sink->bytes_written += n;
    }
    return DSG_OK;
}

static dsg_status complete_xml(s3_sink *s, dsgi_buf *xml, dsg_error *err)
{
    const char *head = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
    DSGI_FORWARD(dsgi_buf_append(xml, head, strlen(head), err));
    for (unsigned n = 1; n < s->part; n++) {
        char item[DSGI_S3_ETAG_MAX + 80];
        int len = snprintf(item, sizeof item, "<Part><PartNumber>%u</PartNumber><ETag>%s</ETag></Part>", n,
                           s->etags[n - 1]);
        DSGI_FORWARD(dsgi_buf_append(xml, item, (size_t)len, err));
    }
    const char *tail = "</CompleteMultipartUpload>";
    return dsgi_buf_append(xml, tail, strlen(tail), err);
}

static dsg_status complete_upload(s3_sink *s, dsg_error *err)
{
    DSGI_FORWARD(ship_part(s, err));
    DSGI_FORWARD(collect_all(s, err));
    dsgi_buf xml;
    dsgi_buf_init(&xml, (size_t)DSGI_S3_MAX_PARTS * (DSGI_S3_ETAG_MAX + 80) + 256);
    dsgi_s3_reply reply;
    dsgi_s3_reply_init(&reply);
    const dsgi_sigv4_pair q[] = {{"uploadId", s->upload_id}};
    dsg_status st = complete_xml(s, &xml, err);
    if (st == DSG_OK)
        st = simple_call(s, "CompleteMultipartUpload", "POST", q, 1, xml.data, xml.len,
                         "CompleteMultipartUploadResult", 0, &reply, err);
    dsgi_s3_reply_free(&reply);
    dsgi_buf_free(&xml);
    return st;
}

static dsg_status put_object(s3_sink *s, dsg_error *err)
{
    dsgi_s3_reply reply;
    dsgi_s3_reply_init(&reply);
    const void *body = s->fill.data ? (const void *)s->fill.data : "";
    dsg_status st = simple_call(s, "PutObject", "PUT", NULL, 0, body, s->fill.len, NULL, 1, &reply, err);
    dsgi_s3_reply_free(&reply);
    return st;
}

static dsg_status s3_commit(dsg_sink *sink, dsg_error *err)
{
    s3_sink *s = (s3_sink *)sink;
    DSGI_RETURN_IF(s->failed || s->committed, err, DSG_ESTATE, "s3://%s/%s was already closed or failed",
                   dsgi_s3_client_bucket(s->client), s->key);
    dsg_status st = s->upload_id ? complete_upload(s, err) : put_object(s, err);
    if (st != DSG_OK) {
        s->failed = 1;
        return st;
    }
    s->committed = 1;
    return DSG_OK;
}

static void s3_abort(dsg_sink *sink)
{
    s3_sink *s = (s3_sink *)sink;
    if (s->committed)
        return;
    s->failed = 1;
    atomic_store(&s->cancel, 1);
    collect_all(s, NULL);
    if (s->upload_id == NULL)
        return;
    const dsgi_sigv4_pair q[] = {{"uploadId", s->upload_id}};
    dsgi_s3_reply reply;
    dsgi_s3_reply_init(&reply);
    simple_call(s, "AbortMultipartUpload", "DELETE", q, 1, NULL, 0, NULL, 0, &reply, NULL);
    dsgi_s3_reply_free(&reply);
    dsgi_free(s->upload_id);
    s->upload_id = NULL;
}

static void s3_free(dsg_sink *sink)
{
    s3_sink *s = (s3_sink *)sink;
    s3_abort(sink);
    for (int i = 0; i < s->n_slots; i++)
        dsgi_buf_free(&s->slots[i].data);
    dsgi_free(s->slots);
    dsgi_buf_free(&s->fill);
    dsgi_free(s->etags);
    dsgi_free(s->key);
    dsgi_free(s->upload_id);
    dsgi_s3_client_free(s->owned);
    dsgi_free(s);
}

static const dsg_sink_ops s3_sink_ops = {s3_write, s3_commit, s3_abort, s3_free};

dsg_status dsgi_s3_sink_open(dsg_sink **out, dsgi_s3_client *c, const char *key, dsg_error *err)
{
    DSGI_RETURN_IF(key == NULL, err, DSG_EINVAL, "no S3 object key given");
    DSGI_FORWARD(dsgi_s3_key_check(key, err));
    s3_sink *s = dsgi_calloc(1, sizeof *s);
    DSGI_RETURN_IF(s == NULL, err, DSG_ENOMEM, "out of memory (opening s3://%s/%s)", dsgi_s3_client_bucket(c), key);
    s->base.ops = &s3_sink_ops;
    s->client = c;
    s->part = 1;
    dsgi_buf_init(&s->fill, part_target(s));
    int n_slots = dsgi_s3_client_config(c)->parts_in_flight;
    s->key = dsgi_strdup(key);
    s->slots = dsgi_calloc((size_t)n_slots, sizeof *s->slots);
    if (s->key == NULL || s->slots == NULL) {
        s3_free(&s->base);
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (opening s3://%s/%s)", dsgi_s3_client_bucket(c), key);
    }
    s->n_slots = n_slots;
    for (int i = 0; i < s->n_slots; i++) {
        s->slots[i].sink = s;
        dsgi_buf_init(&s->slots[i].data, 0);
    }
    *out = &s->base;
    return DSG_OK;
}

dsg_status dsg_s3_sink_open(dsg_sink **out, const dsg_s3_config *cfg, const char *bucket, const char *key,
                            dsg_error *err)
{
    dsgi_s3_client *c = NULL;
    DSGI_FORWARD(dsgi_s3_client_create(&c, cfg, bucket, err));
    dsg_sink *sink = NULL;
    dsg_status st = dsgi_s3_sink_open(&sink, c, key, err);
    if (st != DSG_OK) {
        dsgi_s3_client_free(c);
        return st;
    }
    ((s3_sink *)sink)->owned = c;
    *out = sink;
    return DSG_OK;
}
