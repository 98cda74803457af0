/*
 * s3_client.h - internal S3 plumbing shared by the S3 sink and the run
 * engine: one client per bucket, signed requests with retries, listing and
 * deleting under a prefix, and the sink over a shared client.
 *
 * A client may be used from several threads at once: each request has its
 * own curl handle; connections, DNS and TLS sessions are shared.
 */
#ifndef DSG_S3_CLIENT_H
#define DSG_S3_CLIENT_H

#include "common/common.h"
#include "sinks/sigv4.h"

#include <stdatomic.h>

#define DSGI_S3_MAX_PARTS 10000u
#define DSGI_S3_MIN_PART_BYTES ((size_t)5 << 20)
#define DSGI_S3_MAX_PART_BYTES ((uint64_t)5 << 30)
#define DSGI_S3_ETAG_MAX 128
#define DSGI_S3_MAX_KEY 1024

typedef struct dsgi_s3_client dsgi_s3_client;

/* Checks the configuration (bad values fail with DSG_EINVAL naming the
 * option; missing credentials: "no S3 credentials: ...") and creates a
 * client for 'bucket'. The configuration's strings are borrowed: they must
 * outlive the client. No request is sent. */
dsg_status dsgi_s3_client_create(dsgi_s3_client **out, const dsg_s3_config *cfg, const char *bucket,
                                 dsg_error *err);
void dsgi_s3_client_free(dsgi_s3_client *c);
const dsg_s3_config *dsgi_s3_client_config(const dsgi_s3_client *c);
const char *dsgi_s3_client_bucket(const dsgi_s3_client *c);

/* Splits "s3://bucket/prefix" into the bucket and the prefix (no leading
 * or trailing '/'; may be empty). Malformed URIs, missing or invalid bucket
 * names fail with DSG_EINVAL. Out-parameters are written only on success. */
dsg_status dsgi_s3_uri_parse(const char *uri, char *bucket, size_t bucket_size, char *prefix,
                             size_t prefix_size, dsg_error *err);

/* Checks an object key: 1 to 1024 bytes, no "." or ".." segment
 * (DSG_EINVAL naming the key). */
dsg_status dsgi_s3_key_check(const char *key, dsg_error *err);

/* Copies uri to out with any userinfo ("user:password@") of its authority
 * replaced by "***@", for messages. */
void dsgi_uri_redact(const char *uri, char *out, size_t out_size);

/* One request. */
typedef struct dsgi_s3_call {
    const char *op;                  /* for messages: "PutObject", "UploadPart 3" */
    const char *method;
    const char *key;                 /* object key; "" for the bucket itself */
    const char *label;               /* key named in messages; NULL: key */
    const dsgi_sigv4_pair *query;
    size_t n_query;
    const void *body;                /* NULL for none */
    size_t body_len;
    const dsgi_sigv4_pair *headers;  /* extra request headers, signed
                                        ("If-None-Match: *"); may be NULL */
    size_t n_headers;                /* at most 8 */
} dsgi_s3_call;

/* What a 2xx answer must hold to count as success (dsgi_s3_perform_checked). */
typedef struct dsgi_s3_expect {
    const char *root;                /* the XML root element; NULL: any body */
    int etag;                        /* an ETag header */
} dsgi_s3_expect;

typedef struct dsgi_s3_reply {
    long status;                     /* HTTP status of the last attempt */
    dsgi_buf body;                   /* response body, NUL-terminated */
    char etag[DSGI_S3_ETAG_MAX];     /* the ETag header, if any */
    int attempts;                    /* requests sent (1 + retries) */
} dsgi_s3_reply;

void dsgi_s3_reply_init(dsgi_s3_reply *r);
void dsgi_s3_reply_free(dsgi_s3_reply *r);

/* Sends a signed request and waits for the answer. Succeeds on a 2xx whose
 * body is not an S3 <Error> document, has the expected root element and,
 * if asked, an ETag (a 2xx that fails these checks is retried). Retries, with exponential backoff and
 * full jitter, timeouts, dropped connections, 408, 429, 5xx and errors in
 * 200 answers; stops retrying once *cancel (if not NULL) is set. Other
 * answers fail at once. Errors name s3://bucket/key, the operation and the
 * cause (HTTP status, S3 error code and message), never a credential. */
dsg_status dsgi_s3_perform(dsgi_s3_client *c, const dsgi_s3_call *call, const atomic_int *cancel,
                           dsgi_s3_reply *reply, dsg_error *err);
/* The same, and a 2xx must also meet 'expect' (else it is retried, then
 * fails naming what was missing). */
dsg_status dsgi_s3_perform_checked(dsgi_s3_client *c, const dsgi_s3_call *call, const dsgi_s3_expect *expect,
                                   const atomic_int *cancel, dsgi_s3_reply *reply, dsg_error *err);

/* Copies the text of the first <tag>...</tag> at or after *pos into out
 * (XML entities decoded, truncated to out_size - 1 bytes) and moves *pos
 * past it. Returns 0 when there is none. */
int dsgi_xml_next(const char *xml, size_t *pos, const char *tag, char *out, size_t out_size);

/* Sets *found to whether any object's key starts with 'prefix'. */
dsg_status dsgi_s3_prefix_used(dsgi_s3_client *c, const char *prefix, int *found, dsg_error *err);

/* Deletes every object whose key starts with 'prefix'. */
dsg_status dsgi_s3_delete_prefix(dsgi_s3_client *c, const char *prefix, dsg_error *err);

/* Opens a sink for s3://bucket/key over client c, which must outlive the
 * sink (see dsg_s3_sink_open for the behaviour). */
dsg_status dsgi_s3_sink_open(dsg_sink **out, dsgi_s3_client *c, const char *key, dsg_error *err);

/* Size of multipart part number 'part' (1-based) when the first part has
 * first_part_bytes: doubles every 900 parts, at most 5 GiB, so that 10,000
 * parts hold more than 5 TiB whatever the first size (at least 5 MiB). */
uint64_t dsgi_s3_part_bytes(size_t first_part_bytes, unsigned part);

#endif /* DSG_S3_CLIENT_H */
