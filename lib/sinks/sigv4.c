/*
 * sigv4.c - AWS Signature Version 4 (see sigv4.h for the canonical form).
 *
 * Invariants:
 *  1. The canonical request is built only from the caller's parts; the
 *     caller sends the same encoded path and query (dsgi_uri_encode,
 *     dsgi_sigv4_query) and the same header values.
 *  2. The secret key is copied only into a stack buffer for the first HMAC
 *     and wiped after; nothing here formats it into a message.
 */
#include "sinks/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>

#define TEXT_MAX (1u << 16)
#define NAME_MAX_BYTES 64
#define SECRET_MAX_BYTES 256

static const char hex_digits[] = "0123456789abcdef";

static void to_hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex_digits[p[i] >> 4];
        out[2 * i + 1] = hex_digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

void dsgi_sha256_hex(const void *data, size_t n, char out[65])
{
    uint8_t md[32];
    EVP_Digest(data, n, md, NULL, EVP_sha256(), NULL);
    to_hex(md, sizeof md, out);
}

static void hmac(const void *key, size_t key_len, const char *msg, size_t msg_len, uint8_t out[32])
{
    unsigned int len = 32;
    HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)msg, msg_len, out, &len);
}

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

dsg_status dsgi_uri_encode(dsgi_buf *b, const char *s, int keep_slash, dsg_error *err)
{
    size_t n = strlen(s);
    DSGI_FORWARD(dsgi_buf_reserve(b, 3 * n, err));
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved(c) || (keep_slash && c == '/')) {
            dsgi_buf_put_u8(b, c);
        } else {
            dsgi_buf_put_u8(b, '%');
            dsgi_buf_put_u8(b, (uint8_t)"0123456789ABCDEF"[c >> 4]);
            dsgi_buf_put_u8(b, (uint8_t)"0123456789ABCDEF"[c & 15]);
        }
    }
    return DSG_OK;
}

static dsg_status append_str(dsgi_buf *b, const char *s, dsg_error *err)
{
    return dsgi_buf_append(b, s, strlen(s), err);
}

/* NUL-terminates b without counting the NUL. */
static dsg_status terminate(dsgi_buf *b, dsg_error *err)
{
    DSGI_FORWARD(dsgi_buf_append(b, "", 1, err));
    b->len--;
    return DSG_OK;
}

typedef struct encoded_pair {
    const char *name, *value;
} encoded_pair;

static int compare_pairs(const void *a, const void *b)
{
    const encoded_pair *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c != 0 ? c : strcmp(x->value, y->value);
}

dsg_status dsgi_sigv4_query(dsgi_buf *b, const dsgi_sigv4_pair *query, size_t n_query, dsg_error *err)
{
    DSGI_RETURN_IF(n_query > DSGI_SIGV4_MAX_PAIRS, err, DSG_EINVAL, "too many query parameters to sign");
    dsgi_buf scratch;
    dsgi_buf_init(&scratch, TEXT_MAX);
    size_t offsets[2 * DSGI_SIGV4_MAX_PAIRS];
    dsg_status st = DSG_OK;
    for (size_t i = 0; st == DSG_OK && i < 2 * n_query; i++) {
        const char *s = i % 2 ? query[i / 2].value : query[i / 2].name;
        offsets[i] = scratch.len;
        st = dsgi_uri_encode(&scratch, s ? s : "", 0, err);
        if (st == DSG_OK)
            st = dsgi_buf_append(&scratch, "", 1, err);
    }
    encoded_pair pairs[DSGI_SIGV4_MAX_PAIRS];
    for (size_t i = 0; st == DSG_OK && i < n_query; i++) {
        pairs[i].name = (const char *)scratch.data + offsets[2 * i];
        pairs[i].value = (const char *)scratch.data + offsets[2 * i + 1];
    }
    if (st == DSG_OK && n_query > 1)
        qsort(pairs, n_query, sizeof pairs[0], compare_pairs);
    for (size_t i = 0; st == DSG_OK && i < n_query; i++) {
        st = append_str(b, i ? "&" : "", err);
        if (st == DSG_OK)
            st = append_str(b, pairs[i].name, err);
        if (st == DSG_OK)
            st = append_str(b, "=", err);
        if (st == DSG_OK)
            st = append_str(b, pairs[i].value, err);
    }
    dsgi_buf_free(&scratch);
    return st;
}

typedef struct canon_header {
    char name[NAME_MAX_BYTES];
    const char *value;
} canon_header;

static int compare_headers(const void *a, const void *b)
{
    return strcmp(((const canon_header *)a)->name, ((const canon_header *)b)->name);
}

/* Appends a header value trimmed, with each inner run of spaces folded to one. */
static dsg_status append_folded(dsgi_buf *b, const char *v, dsg_error *err)
{
    size_t n = strlen(v);
    DSGI_FORWARD(dsgi_buf_reserve(b, n, err));
    while (*v == ' ' || *v == '\t')
        v++;
    int pending_space = 0;
    for (; *v; v++) {
        if (*v == ' ' || *v == '\t') {
            pending_space = 1;
            continue;
        }
        if (pending_space)
            dsgi_buf_put_u8(b, ' ');
        pending_space = 0;
        dsgi_buf_put_u8(b, (uint8_t)*v);
    }
    return DSG_OK;
}

/* Sorted lowercase copies of the header names, pointing at the values. */
static dsg_status sort_headers(const dsgi_sigv4_request *req, canon_header *out, dsg_error *err)
{
    DSGI_RETURN_IF(req->n_headers > DSGI_SIGV4_MAX_PAIRS, err, DSG_EINVAL, "too many headers to sign");
    for (size_t i = 0; i < req->n_headers; i++) {
        const char *name = req->headers[i].name;
        size_t n = strlen(name);
        DSGI_RETURN_IF(n == 0 || n >= NAME_MAX_BYTES, err, DSG_EINVAL, "bad header name to sign");
        for (size_t k = 0; k <= n; k++)
            out[i].name[k] = (char)(name[k] >= 'A' && name[k] <= 'Z' ? name[k] + 32 : name[k]);
        out[i].value = req->headers[i].value;
    }
    qsort(out, req->n_headers, sizeof out[0], compare_headers);
    return DSG_OK;
}

static dsg_status canonical_request(const dsgi_sigv4_request *req, const canon_header *h, dsgi_buf *signed_names,
                                    dsgi_buf *b, dsg_error *err)
{
    DSGI_FORWARD(append_str(b, req->method, err));
    DSGI_FORWARD(append_str(b, "\n", err));
    DSGI_FORWARD(dsgi_uri_encode(b, req->path, 1, err));
    DSGI_FORWARD(append_str(b, "\n", err));
    DSGI_FORWARD(dsgi_sigv4_query(b, req->query, req->n_query, err));
    DSGI_FORWARD(append_str(b, "\n", err));
    for (size_t i = 0; i < req->n_headers; i++) {
        DSGI_FORWARD(append_str(b, h[i].name, err));
        DSGI_FORWARD(append_str(b, ":", err));
        DSGI_FORWARD(append_folded(b, h[i].value, err));
        DSGI_FORWARD(append_str(b, "\n", err));
        DSGI_FORWARD(append_str(signed_names, i ? ";" : "", err));
        DSGI_FORWARD(append_str(signed_names, h[i].name, err));
    }
    DSGI_FORWARD(terminate(signed_names, err));
    DSGI_FORWARD(append_str(b, "\n", err));
    DSGI_FORWARD(append_str(b, (const char *)signed_names->data, err));
    DSGI_FORWARD(append_str(b, "\n", err));
    DSGI_FORWARD(append_str(b, req->payload_sha256, err));
    return terminate(b, err);
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request") */
static dsg_status signing_key(const dsgi_sigv4_scope *s, uint8_t key[32], dsg_error *err)
{
    size_t n = strlen(s->secret_key);
    DSGI_RETURN_IF(n + 4 > SECRET_MAX_BYTES, err, DSG_EINVAL, "the S3 secret key is too long");
    char first[SECRET_MAX_BYTES];
    memcpy(first, "AWS4", 4);
    memcpy(first + 4, s->secret_key, n);
    uint8_t k_date[32], k_region[32], k_service[32];
    hmac(first, n + 4, s->amz_date, 8, k_date);
    hmac(k_date, 32, s->region, strlen(s->region), k_region);
    hmac(k_region, 32, s->service, strlen(s->service), k_service);
    hmac(k_service, 32, "aws4_request", 12, key);
    OPENSSL_cleanse(first, sizeof first);
    OPENSSL_cleanse(k_date, sizeof k_date);
    OPENSSL_cleanse(k_region, sizeof k_region);
    OPENSSL_cleanse(k_service, sizeof k_service);
    return DSG_OK;
}

static dsg_status sign_parts(const dsgi_sigv4_request *req, const dsgi_sigv4_scope *s, dsgi_sigv4_result *out,
                             dsgi_buf *signed_names, dsg_error *err)
{
    DSGI_RETURN_IF(strlen(s->amz_date) != 16 || strlen(req->payload_sha256) != 64, err, DSG_EINVAL,
                   "malformed signing date or payload hash");
    canon_header h[DSGI_SIGV4_MAX_PAIRS];
    DSGI_FORWARD(sort_headers(req, h, err));
    DSGI_FORWARD(canonical_request(req, h, signed_names, &out->canonical_request, err));
    char scope[256], creq_hash[65];
    snprintf(scope, sizeof scope, "%.8s/%s/%s/aws4_request", s->amz_date, s->region, s->service);
    dsgi_sha256_hex(out->canonical_request.data, out->canonical_request.len, creq_hash);
    char sts[512];
    int sts_len = snprintf(sts, sizeof sts, "AWS4-HMAC-SHA256\n%s\n%s\n%s", s->amz_date, scope, creq_hash);
    DSGI_RETURN_IF(sts_len < 0 || (size_t)sts_len >= sizeof sts, err, DSG_EINVAL, "signing scope too long");
    DSGI_FORWARD(append_str(&out->string_to_sign, sts, err));
    DSGI_FORWARD(terminate(&out->string_to_sign, err));
    uint8_t key[32], sig[32];
    DSGI_FORWARD(signing_key(s, key, err));
    hmac(key, sizeof key, sts, (size_t)sts_len, sig);
    OPENSSL_cleanse(key, sizeof key);
    to_hex(sig, sizeof sig, out->signature);
    char head[512];
    snprintf(head, sizeof head, "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=", s->access_key, scope);
    DSGI_FORWARD(append_str(&out->authorization, head, err));
    DSGI_FORWARD(append_str(&out->authorization, (const char *)signed_names->data, err));
    DSGI_FORWARD(append_str(&out->authorization, ", Signature=", err));
    DSGI_FORWARD(append_str(&out->authorization, out->signature, err));
    return terminate(&out->authorization, err);
}

dsg_status dsgi_sigv4_sign(const dsgi_sigv4_request *req, const dsgi_sigv4_scope *scope, dsgi_sigv4_result *out,
                           dsg_error *err)
{
    dsgi_buf_init(&out->canonical_request, TEXT_MAX);
    dsgi_buf_init(&out->string_to_sign, TEXT_MAX);
    dsgi_buf_init(&out->authorization, TEXT_MAX);
    out->signature[0] = '\0';
    dsgi_buf signed_names;
    dsgi_buf_init(&signed_names, TEXT_MAX);
    dsg_status st = sign_parts(req, scope, out, &signed_names, err);
    dsgi_buf_free(&signed_names);
    return st;
}

void dsgi_sigv4_result_free(dsgi_sigv4_result *r)
{
    dsgi_buf_free(&r->canonical_request);
    dsgi_buf_free(&r->string_to_sign);
    dsgi_buf_free(&r->authorization);
}
