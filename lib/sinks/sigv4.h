/*
 * sigv4.h - AWS Signature Version 4 over OpenSSL's SHA-256 and HMAC.
 *
 * The canonical request is built from the parts a caller sends, so what is
 * signed is exactly what goes on the wire:
 *   METHOD \n encoded path \n sorted encoded query \n
 *   lowercase "name:value" lines (values trimmed, inner runs of spaces
 *   folded) \n signed header names joined by ';' \n payload SHA-256 (hex).
 * The path is percent-encoded once, per segment: RFC 3986 unreserved bytes
 * stay, '/' separates segments, everything else (including '=' of Hive
 * directories) becomes %XX. No dot-segment normalisation: S3 keys are
 * taken literally.
 *
 * Pure functions; thread-safe. The secret key only ever enters the HMAC.
 */
#ifndef DSG_SIGV4_H
#define DSG_SIGV4_H

#include "common/common.h"

#define DSGI_SIGV4_MAX_PAIRS 16

typedef struct dsgi_sigv4_pair {
    const char *name;
    const char *value;
} dsgi_sigv4_pair;

typedef struct dsgi_sigv4_request {
    const char *method;               /* "GET", "PUT", ... */
    const char *path;                 /* decoded, starts with '/' */
    const dsgi_sigv4_pair *query;     /* decoded names and values, any order */
    size_t n_query;                   /* at most DSGI_SIGV4_MAX_PAIRS */
    const dsgi_sigv4_pair *headers;   /* the headers to sign, names in any case */
    size_t n_headers;                 /* at most DSGI_SIGV4_MAX_PAIRS */
    const char *payload_sha256;       /* 64 lowercase hex digits */
} dsgi_sigv4_request;

typedef struct dsgi_sigv4_scope {
    const char *access_key;
    const char *secret_key;
    const char *region;
    const char *service;              /* "s3" */
    const char *amz_date;             /* "YYYYMMDDTHHMMSSZ" (also in the headers) */
} dsgi_sigv4_scope;

/* The steps of one signature, kept apart so that tests can check each. */
typedef struct dsgi_sigv4_result {
    dsgi_buf canonical_request;
    dsgi_buf string_to_sign;
    dsgi_buf authorization;           /* the Authorization header's value */
    char signature[65];
} dsgi_sigv4_result;

/* Signs a request. The result's buffers are NUL-terminated (the NUL is not
 * counted in len); free them with dsgi_sigv4_result_free, on success or
 * failure. */
dsg_status dsgi_sigv4_sign(const dsgi_sigv4_request *req, const dsgi_sigv4_scope *scope,
                           dsgi_sigv4_result *out, dsg_error *err);
void dsgi_sigv4_result_free(dsgi_sigv4_result *r);

/* Appends s percent-encoded (RFC 3986 unreserved bytes kept; '/' kept when
 * keep_slash). */
dsg_status dsgi_uri_encode(dsgi_buf *b, const char *s, int keep_slash, dsg_error *err);

/* Appends the canonical query string: names and values encoded, sorted by
 * name then value, "name=value" joined by '&' (an empty value keeps its
 * '='). The same text serves as the query of the request's URL. */
dsg_status dsgi_sigv4_query(dsgi_buf *b, const dsgi_sigv4_pair *query, size_t n_query,
                            dsg_error *err);

/* SHA-256 of n bytes as 64 lowercase hex digits and a NUL. */
void dsgi_sha256_hex(const void *data, size_t n, char out[65]);

#endif /* DSG_SIGV4_H */
