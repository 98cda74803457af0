/*
 * s3_client.c - signed S3 requests over libcurl, with retries; listing and
 * deleting under a prefix.
 *
 * Invariants:
 *  1. Every request is signed (sigv4.c) over exactly what goes on the wire:
 *     the Host header is set here, path and query are encoded once by the
 *     functions the signer uses, the payload hash is the SHA-256 of the
 *     body's bytes.
 *  2. Credentials enter only the signer and the request headers. Messages
 *     are made of the bucket, the key, the operation, the HTTP status, the
 *     S3 error Code and Message, and curl's error text (which never holds
 *     headers).
 *  3. A request is retried only on answers that say "try again" (408, 429,
 *     5xx, an <Error> inside a 2xx, a 2xx that is not S3's answer) or on
 *     transport failures, refused connections and DNS failures included
 *     (bounded by --s3-max-retries and the retry budget); any other 4xx
 *     fails at once.
 *     CreateMultipartUpload is retried too: at worst that leaves an unused
 *     upload behind, which bucket lifecycle rules remove.
 *  4. Each client holds one curl_global_init reference (libcurl counts
 *     them) and releases it when freed.
 */
#include "sinks/s3_client.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>

#define REPLY_MAX ((size_t)256 << 20) /* GetObject of table metadata (lib/table) */
#define BACKOFF_BASE_S 0.2
#define BACKOFF_MAX_S 20.0
#define CONNECT_TIMEOUT_S 10L
#define AUTHORITY_MAX 256

struct dsgi_s3_client {
    dsg_s3_config cfg;
    char bucket[64];
    char host[64 + AUTHORITY_MAX]; /* the Host header: authority, or bucket.authority */
    char origin[72 + AUTHORITY_MAX]; /* scheme://host */
    int path_style;
    CURLSH *share;
    pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
    atomic_int reached;       /* the endpoint has answered at least once */
    unsigned interrupts;      /* dsgi_interrupts when the client was made */
};

void dsg_s3_config_init(dsg_s3_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->use_ssl = -1;
    cfg->virtual_hosted = -1;
    cfg->part_bytes = (size_t)8 << 20;
    cfg->parts_in_flight = 4;
    cfg->max_retries = 6;
    cfg->idle_timeout_s = 30;
}

const dsg_s3_config *dsgi_s3_client_config(const dsgi_s3_client *c) { return &c->cfg; }
const char *dsgi_s3_client_bucket(const dsgi_s3_client *c) { return c->bucket; }

/* ---- names and configuration ---- */

/* AWS rules: 3 to 63 lowercase letters, digits, dots and hyphens, starting
 * and ending with a letter or digit. */
static int valid_bucket(const char *b, size_t n)
{
    if (n < 3 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = b[i];
        int alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
        if (!alnum && ((ch != '.' && ch != '-') || i == 0 || i == n - 1))
            return 0;
    }
    return 1;
}

void dsgi_uri_redact(const char *uri, char *out, size_t out_size)
{
    const char *scheme = strstr(uri, "://");
    const char *auth = scheme ? scheme + 3 : uri;
    size_t auth_len = strcspn(auth, "/?#");
    const char *at = memchr(auth, '@', auth_len);
    if (at == NULL) {
        snprintf(out, out_size, "%s", uri);
        return;
    }
    /* every '@' of the authority: the last one ends the userinfo */
    while (memchr(at + 1, '@', (size_t)(auth + auth_len - at - 1)) != NULL)
        at = memchr(at + 1, '@', (size_t)(auth + auth_len - at - 1));
    snprintf(out, out_size, "%.*s***@%s", (int)(auth - uri), uri, at + 1);
}

/* Whether a key (or prefix) has a "." or ".." segment: HTTP clients and
 * servers normalise those away, so a signed path would land elsewhere. */
static int has_dot_segment(const char *key, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t seg = 0;
        while (i + seg < n && key[i + seg] != '/')
            seg++;
        if ((seg == 1 && key[i] == '.') || (seg == 2 && key[i] == '.' && key[i + 1] == '.'))
            return 1;
        i += seg + 1;
    }
    return 0;
}

dsg_status dsgi_s3_key_check(const char *key, dsg_error *err)
{
    size_t n = strlen(key);
    DSGI_RETURN_IF(n == 0 || n > DSGI_S3_MAX_KEY, err, DSG_EINVAL,
                   "the S3 object key %s has %zu bytes; S3 allows 1 to %d", key, n, DSGI_S3_MAX_KEY);
    DSGI_RETURN_IF(has_dot_segment(key, n), err, DSG_EINVAL,
                   "the S3 object key %s has a '.' or '..' segment", key);
    return DSG_OK;
}

dsg_status dsgi_s3_uri_parse(const char *uri, char *bucket, size_t bucket_size, char *prefix, size_t prefix_size,
                             dsg_error *err)
{
    char shown[1200];
    dsgi_uri_redact(uri, shown, sizeof shown);
    DSGI_RETURN_IF(strncmp(uri, "s3://", 5) != 0, err, DSG_EINVAL, "'%s' is not an s3://bucket/prefix URI", shown);
    const char *b = uri + 5;
    size_t n = strcspn(b, "/");
    DSGI_RETURN_IF(n == 0, err, DSG_EINVAL, "'%s' names no bucket (expected s3://bucket/prefix)", shown);
    DSGI_RETURN_IF(memchr(b, '@', n) != NULL, err, DSG_EINVAL,
                   "'%s': an S3 URI carries no credentials (give them with --s3-key and --s3-secret)", shown);
    DSGI_RETURN_IF(!valid_bucket(b, n), err, DSG_EINVAL,
                   "'%s': '%.*s' is not a valid bucket name (3 to 63 lowercase letters, digits, '.' and '-')",
                   shown, (int)n, b);
    const char *p = b + n;
    while (*p == '/')
        p++;
    size_t plen = strlen(p);
    while (plen > 0 && p[plen - 1] == '/')
        plen--;
    DSGI_RETURN_IF(memmem(p, plen, "//", 2) != NULL, err, DSG_EINVAL, "'%s' has an empty path segment", shown);
    DSGI_RETURN_IF(has_dot_segment(p, plen), err, DSG_EINVAL,
                   "'%s' has a '.' or '..' path segment (S3 keys are taken literally: name the prefix directly)",
                   shown);
    DSGI_RETURN_IF(strpbrk(uri, " \t\r\n?#") != NULL, err, DSG_EINVAL,
                   "'%s': an S3 URI may not contain spaces, '?' or '#'", shown);
    DSGI_RETURN_IF(n >= bucket_size || plen >= prefix_size, err, DSG_EINVAL, "'%s' is too long", shown);
    memcpy(bucket, b, n);
    bucket[n] = '\0';
    memcpy(prefix, p, plen);
    prefix[plen] = '\0';
    return DSG_OK;
}

static dsg_status check_config(const dsg_s3_config *cfg, dsg_error *err)
{
    DSGI_RETURN_IF(cfg->access_key == NULL || *cfg->access_key == '\0' || cfg->secret_key == NULL ||
                       *cfg->secret_key == '\0',
                   err, DSG_EINVAL,
                   "no S3 credentials: give an access key and a secret key (--s3-key and --s3-secret, or "
                   "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)");
    DSGI_RETURN_IF(cfg->part_bytes < DSGI_S3_MIN_PART_BYTES || cfg->part_bytes > DSGI_S3_MAX_PART_BYTES, err,
                   DSG_EINVAL, "the S3 part size must be between 5 and 5120 MiB, not %zu bytes", cfg->part_bytes);
    DSGI_RETURN_IF(cfg->parts_in_flight < 1 || cfg->parts_in_flight > 64, err, DSG_EINVAL,
                   "S3 parts in flight must be between 1 and 64, not %d", cfg->parts_in_flight);
    DSGI_RETURN_IF(cfg->max_retries < 0 || cfg->max_retries > 30, err, DSG_EINVAL,
                   "S3 retries must be between 0 and 30, not %d", cfg->max_retries);
    DSGI_RETURN_IF(cfg->idle_timeout_s < 1 || cfg->idle_timeout_s > 3600, err, DSG_EINVAL,
                   "the S3 idle timeout must be between 1 and 3600 seconds, not %d", cfg->idle_timeout_s);
    const char *region = cfg->region ? cfg->region : "us-east-1";
    DSGI_RETURN_IF(*region == '\0' || strlen(region) > 64 || strspn(region, "abcdefghijklmnopqrstuvwxyz0123456789-") !=
                                                                 strlen(region),
                   err, DSG_EINVAL, "'%s' is not an S3 region name (like us-east-1)", region);
    return DSG_OK;
}

/* Host header and origin from the endpoint, the bucket and the options. */
static dsg_status resolve_endpoint(dsgi_s3_client *c, dsg_error *err)
{
    const dsg_s3_config *cfg = &c->cfg;
    char authority[AUTHORITY_MAX];
    int tls = 1;
    if (cfg->endpoint == NULL || *cfg->endpoint == '\0') {
        snprintf(authority, sizeof authority, "s3.%s.amazonaws.com", cfg->region);
    } else {
        const char *ep = cfg->endpoint;
        if (strncmp(ep, "https://", 8) == 0) {
            ep += 8;
        } else if (strncmp(ep, "http://", 7) == 0) {
            ep += 7;
            tls = 0;
        }
        size_t n = strcspn(ep, "/");
        char shown[AUTHORITY_MAX + 64];
        dsgi_uri_redact(cfg->endpoint, shown, sizeof shown);
        DSGI_RETURN_IF(memchr(ep, '@', n) != NULL, err, DSG_EINVAL,
                       "S3 endpoint '%s' must not carry credentials (give them with --s3-key and --s3-secret)",
                       shown);
        DSGI_RETURN_IF(strstr(ep, "://") != NULL || n == 0 || n >= sizeof authority ||
                           strpbrk(ep, " \t@?#") != NULL || (ep[n] != '\0' && strcmp(ep + n, "/") != 0),
                       err, DSG_EINVAL, "S3 endpoint '%s' is not of the form http[s]://host[:port]", shown);
        snprintf(authority, sizeof authority, "%.*s", (int)n, ep);
    }
    if (cfg->use_ssl >= 0)
        tls = cfg->use_ssl;
    c->path_style = cfg->virtual_hosted < 0 ? cfg->endpoint != NULL && *cfg->endpoint : !cfg->virtual_hosted;
    if (c->path_style)
        snprintf(c->host, sizeof c->host, "%s", authority);
    else
        snprintf(c->host, sizeof c->host, "%s.%s", c->bucket, authority);
    snprintf(c->origin, sizeof c->origin, "%s://%s", tls ? "https" : "http", c->host);
    return DSG_OK;
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *p)
{
    (void)h;
    (void)access;
    pthread_mutex_lock(&((dsgi_s3_client *)p)->locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *p)
{
    (void)h;
    pthread_mutex_unlock(&((dsgi_s3_client *)p)->locks[data]);
}

static dsg_status make_share(dsgi_s3_client *c, dsg_error *err)
{
    c->share = curl_share_init();
    DSGI_RETURN_IF(c->share == NULL, err, DSG_ENOMEM, "out of memory (S3 connection cache)");
    curl_share_setopt(c->share, CURLSHOPT_LOCKFUNC, share_lock);
    curl_share_setopt(c->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
    curl_share_setopt(c->share, CURLSHOPT_USERDATA, c);
    curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    return DSG_OK;
}

dsg_status dsgi_s3_client_create(dsgi_s3_client **out, const dsg_s3_config *cfg, const char *bucket, dsg_error *err)
{
    DSGI_RETURN_IF(cfg == NULL, err, DSG_EINVAL, "no S3 configuration given");
    DSGI_FORWARD(check_config(cfg, err));
    DSGI_RETURN_IF(bucket == NULL || !valid_bucket(bucket, strlen(bucket)), err, DSG_EINVAL,
                   "'%s' is not a valid bucket name", bucket ? bucket : "");
    DSGI_RETURN_IF(curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK, err, DSG_ENET, "cannot initialise libcurl");
    dsgi_s3_client *c = dsgi_calloc(1, sizeof *c);
    if (c == NULL) {
        curl_global_cleanup();
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (S3 client)");
    }
    c->cfg = *cfg;
    c->interrupts = atomic_load(&dsgi_interrupts);
    if (c->cfg.region == NULL || *c->cfg.region == '\0')
        c->cfg.region = "us-east-1";
    snprintf(c->bucket, sizeof c->bucket, "%s", bucket);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&c->locks[i], NULL);
    dsg_status st = resolve_endpoint(c, err);
    if (st == DSG_OK)
        st = make_share(c, err);
    if (st != DSG_OK) {
        dsgi_s3_client_free(c);
        return st;
    }
    *out = c;
    return DSG_OK;
}

void dsgi_s3_client_free(dsgi_s3_client *c)
{
    if (c == NULL)
        return;
    if (c->share)
        curl_share_cleanup(c->share);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_destroy(&c->locks[i]);
    dsgi_free(c);
    curl_global_cleanup();
}

/* ---- replies and XML ---- */

void dsgi_s3_reply_init(dsgi_s3_reply *r)
{
    r->status = 0;
    dsgi_buf_init(&r->body, REPLY_MAX);
    r->etag[0] = '\0';
}

void dsgi_s3_reply_free(dsgi_s3_reply *r) { dsgi_buf_free(&r->body); }

/* Decodes one entity at s (just after '&'); returns its length through the
 * ';', or 0 when unknown. Writes the byte it stands for to *ch. */
static size_t decode_entity(const char *s, const char *end, char *ch)
{
    static const struct {
        const char *name;
        char ch;
    } named[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        size_t n = strlen(named[i].name);
        if ((size_t)(end - s) >= n && memcmp(s, named[i].name, n) == 0) {
            *ch = named[i].ch;
            return n;
        }
    }
    if (s < end && *s == '#') {
        char *stop;
        long v = s[1] == 'x' ? strtol(s + 2, &stop, 16) : strtol(s + 1, &stop, 10);
        if (stop < end && *stop == ';' && v > 0 && v < 128) {
            *ch = (char)v;
            return (size_t)(stop - s) + 1;
        }
    }
    return 0;
}

int dsgi_xml_next(const char *xml, size_t *pos, const char *tag, char *out, size_t out_size)
{
    char open[64], close[64];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *a = strstr(xml + *pos, open);
    const char *b = a ? strstr(a + strlen(open), close) : NULL;
    if (b == NULL)
        return 0;
    size_t n = 0;
    for (const char *s = a + strlen(open); s < b && n + 1 < out_size; s++) {
        char ch = *s;
        size_t skip = ch == '&' ? decode_entity(s + 1, b, &ch) : 0;
        out[n++] = ch;
        s += skip;
    }
    out[n] = '\0';
    *pos = (size_t)(b - xml) + strlen(close);
    return 1;
}

/* Whether the body is an S3 <Error> document (S3 can send one with 200). */
static int is_error_document(const char *body)
{
    const char *p = body + strspn(body, " \t\r\n");
    if (strncmp(p, "<?xml", 5) == 0) {
        const char *q = strstr(p, "?>");
        p = q ? q + 2 + strspn(q + 2, " \t\r\n") : p;
    }
    return strncmp(p, "<Error>", 7) == 0 || strncmp(p, "<Error ", 7) == 0;
}

/* Whether the body's root element is <root> (after an XML declaration,
 * comments and blanks). */
static int has_root(const char *body, const char *root)
{
    const char *p = body + strspn(body, " \t\r\n");
    while (strncmp(p, "<?", 2) == 0 || strncmp(p, "<!--", 4) == 0) {
        const char *q = strstr(p, p[1] == '?' ? "?>" : "-->");
        if (q == NULL)
            return 0;
        p = q + (p[1] == '?' ? 2 : 3);
        p += strspn(p, " \t\r\n");
    }
    size_t n = strlen(root);
    return p[0] == '<' && strncmp(p + 1, root, n) == 0 && strchr(" \t\r\n/>", p[1 + n]) != NULL &&
           p[1 + n] != '\0';
}

/* ---- one request ---- */

typedef struct prepared {
    dsgi_buf path;    /* decoded path, NUL-terminated */
    dsgi_buf url;     /* origin + encoded path [+ '?' query], NUL-terminated */
    char payload_sha256[65];
    char subject[1200]; /* s3://bucket/key, for messages */
} prepared;

static dsg_status prepare(const dsgi_s3_client *c, const dsgi_s3_call *call, prepared *p, dsg_error *err)
{
    dsgi_buf_init(&p->path, 8192);
    dsgi_buf_init(&p->url, 16384);
    snprintf(p->subject, sizeof p->subject, "s3://%s/%s", c->bucket, call->label ? call->label : call->key);
    dsgi_sha256_hex(call->body ? call->body : "", call->body ? call->body_len : 0, p->payload_sha256);
    char head[80];
    snprintf(head, sizeof head, "/%s%s", c->path_style ? c->bucket : "", c->path_style && *call->key ? "/" : "");
    DSGI_FORWARD(dsgi_buf_append(&p->path, head, strlen(head), err));
    DSGI_FORWARD(dsgi_buf_append(&p->path, call->key, strlen(call->key) + 1, err));
    DSGI_FORWARD(dsgi_buf_append(&p->url, c->origin, strlen(c->origin), err));
    DSGI_FORWARD(dsgi_uri_encode(&p->url, (const char *)p->path.data, 1, err));
    if (call->n_query > 0) {
        DSGI_FORWARD(dsgi_buf_append(&p->url, "?", 1, err));
        DSGI_FORWARD(dsgi_sigv4_query(&p->url, call->query, call->n_query, err));
    }
    return dsgi_buf_append(&p->url, "", 1, err);
}

static void amz_now(char out[17])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* Appends "name: value" lines for the headers, the Authorization and an
 * empty Expect (no 100-continue round trip) to a curl list. */
static dsg_status header_list(const dsgi_sigv4_pair *h, size_t n, const char *authorization,
                              struct curl_slist **out, dsg_error *err)
{
    struct curl_slist *list = NULL;
    for (size_t i = 0; i <= n + 1; i++) {
        char line[8192];
        int len = i < n    ? snprintf(line, sizeof line, "%s: %s", h[i].name, h[i].value)
                  : i == n ? snprintf(line, sizeof line, "Authorization: %s", authorization)
                           : snprintf(line, sizeof line, "Expect:");
        struct curl_slist *next = len > 0 && (size_t)len < sizeof line ? curl_slist_append(list, line) : NULL;
        if (next == NULL) {
            curl_slist_free_all(list);
            return dsgi_fail(err, len > 0 && (size_t)len < sizeof line ? DSG_ENOMEM : DSG_EINVAL,
                             "cannot build the S3 request header %s", i < n ? h[i].name : "Authorization");
        }
        list = next;
    }
    *out = list;
    return DSG_OK;
}

/* The request headers, signed. */
static dsg_status signed_headers(const dsgi_s3_client *c, const dsgi_s3_call *call, const prepared *p,
                                 struct curl_slist **out, dsg_error *err)
{
    char date[17];
    amz_now(date);
    const char *token = c->cfg.session_token && *c->cfg.session_token ? c->cfg.session_token : NULL;
    dsgi_sigv4_pair h[4 + 8] = {{"host", c->host},
                                {"x-amz-content-sha256", p->payload_sha256},
                                {"x-amz-date", date},
                                {"x-amz-security-token", token}};
    size_t n = token ? 4 : 3;
    DSGI_RETURN_IF(call->n_headers > 8, err, DSG_EINTERNAL, "too many S3 request headers");
    for (size_t i = 0; i < call->n_headers; i++)
        h[n++] = call->headers[i];
    dsgi_sigv4_request rq = {call->method, (const char *)p->path.data, call->query, call->n_query, h, n,
                             p->payload_sha256};
    dsgi_sigv4_scope scope = {c->cfg.access_key, c->cfg.secret_key, c->cfg.region, "s3", date};
    dsgi_sigv4_result sig;
    dsg_status st = dsgi_sigv4_sign(&rq, &scope, &sig, err);
    if (st == DSG_OK)
        st = header_list(h, n, (const char *)sig.authorization.data, out, err);
    dsgi_sigv4_result_free(&sig);
    return st;
}

typedef struct body_cursor {
    const uint8_t *data;
    size_t len, pos;
} body_cursor;

static size_t read_body(char *dst, size_t size, size_t n, void *arg)
{
    body_cursor *b = arg;
    size_t k = DSGI_MIN(size * n, b->len - b->pos);
    memcpy(dst, b->data + b->pos, k);
    b->pos += k;
    return k;
}

/* curl rewinds the body when it resends on a fresh connection. */
static int seek_body(void *arg, curl_off_t offset, int origin)
{
    body_cursor *b = arg;
    if (origin != SEEK_SET || offset < 0 || (uint64_t)offset > b->len)
        return CURL_SEEKFUNC_CANTSEEK;
    b->pos = (size_t)offset;
    return CURL_SEEKFUNC_OK;
}

static size_t write_body(char *src, size_t size, size_t n, void *arg)
{
    dsgi_s3_reply *r = arg;
    return dsgi_buf_append(&r->body, src, size * n, NULL) == DSG_OK ? size * n : 0;
}

static size_t read_header(char *line, size_t size, size_t n, void *arg)
{
    dsgi_s3_reply *r = arg;
    size_t len = size * n;
    if (len > 5 && strncasecmp(line, "etag:", 5) == 0) {
        const char *v = line + 5 + strspn(line + 5, " \t");
        size_t vlen = (size_t)(line + len - v);
        while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
            vlen--;
        if (vlen < sizeof r->etag)
            snprintf(r->etag, sizeof r->etag, "%.*s", (int)vlen, v);
    }
    return len;
}

static double monotonic_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Abandons a transfer once no byte has moved for idle_s seconds (curl's
 * low-speed limit averages over a window, so a stall after a fast upload
 * would go unnoticed for several seconds more), and once the whole request
 * has taken longer than its deadline: a server that trickles a byte now
 * and then never looks idle. */
typedef struct idle_watch {
    double since;
    curl_off_t moved;
    int idle_s;
    double deadline;  /* monotonic time by which the request must be done */
    int expired;      /* 1: idle, 2: past the deadline, 3: interrupted */
    unsigned interrupts; /* stop when dsgi_interrupts moves from this; */
    int interruptible;   /* AbortMultipartUpload and deletes still run */
} idle_watch;

/* The time one request may take: 3 x the idle timeout, plus a second per
 * 256 KiB of body (a link slower than 2 Mbit/s is treated as broken). */
static double request_deadline_s(const dsgi_s3_client *c, size_t body_len)
{
    return 3.0 * c->cfg.idle_timeout_s + (double)body_len / (256.0 * 1024.0);
}

static int watch_idle(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal;
    (void)ultotal;
    idle_watch *w = arg;
    double now = monotonic_s();
    if (dlnow + ulnow != w->moved) {
        w->moved = dlnow + ulnow;
        w->since = now;
    }
    if (w->interruptible && atomic_load(&dsgi_interrupts) != w->interrupts)
        w->expired = 3;
    else if (now - w->since > w->idle_s)
        w->expired = 1;
    else if (now > w->deadline)
        w->expired = 2;
    return w->expired != 0;
}

static void set_options(CURL *h, const dsgi_s3_client *c, const dsgi_s3_call *call, const prepared *p,
                        struct curl_slist *headers, body_cursor *body, dsgi_s3_reply *reply, idle_watch *idle,
                        char *errbuf)
{
    curl_easy_setopt(h, CURLOPT_URL, (const char *)p->url.data);
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L); /* the path as signed: no dot-segment squashing */
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, call->method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_SHARE, c->share);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, watch_idle);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, idle);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, reply);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, read_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, reply);
    if (call->body != NULL) {
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, read_body);
        curl_easy_setopt(h, CURLOPT_READDATA, body);
        curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, seek_body);
        curl_easy_setopt(h, CURLOPT_SEEKDATA, body);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)call->body_len);
    }
}

static int retriable_transport(CURLcode rc, int reached)
{
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_ABORTED_BY_CALLBACK:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
        return 1;
    case CURLE_COULDNT_CONNECT:       /* refused: a restarting server, a load balancer */
    case CURLE_COULDNT_RESOLVE_HOST:  /* DNS hiccups; the retries are bounded anyway */
        (void)reached;
        return 1;
    default:
        return 0;
    }
}

static dsg_status remote_error(const prepared *p, const dsgi_s3_call *call, dsgi_s3_reply *reply, dsg_error *err)
{
    char code[128] = "", message[256] = "";
    size_t pos = 0;
    const char *body = (const char *)reply->body.data;
    if (body != NULL) {
        dsgi_xml_next(body, &pos, "Code", code, sizeof code);
        pos = 0;
        dsgi_xml_next(body, &pos, "Message", message, sizeof message);
    }
    if (code[0] == '\0')
        snprintf(code, sizeof code, "%s", reply->status == 404 ? "NotFound" : "(no error code)");
    return dsgi_fail(err, DSG_EREMOTE, "%s: %s failed: HTTP %ld %s%s%s", p->subject, call->op, reply->status, code,
                     message[0] ? ": " : "", message);
}

/* One attempt; *retry tells whether another may succeed. */
static dsg_status attempt(dsgi_s3_client *c, const dsgi_s3_call *call, const dsgi_s3_expect *expect,
                          const prepared *p, dsgi_s3_reply *reply, int *retry, dsg_error *err)
{
    *retry = 0;
    dsgi_buf_reset(&reply->body);
    reply->etag[0] = '\0';
    reply->status = 0;
    struct curl_slist *headers = NULL;
    DSGI_FORWARD(signed_headers(c, call, p, &headers, err));
    CURL *h = curl_easy_init();
    if (h == NULL) {
        curl_slist_free_all(headers);
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (S3 request)");
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    body_cursor body = {call->body, call->body_len, 0};
    double t0 = monotonic_s();
    double limit_s = request_deadline_s(c, call->body_len);
    idle_watch idle = {t0, 0, c->cfg.idle_timeout_s, t0 + limit_s, 0, c->interrupts,
                       strcmp(call->method, "DELETE") != 0};
    set_options(h, c, call, p, headers, &body, reply, &idle, errbuf);
    CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply->status);
    curl_easy_cleanup(h);
    curl_slist_free_all(headers);
    if (rc == CURLE_ABORTED_BY_CALLBACK && idle.expired == 3)
        snprintf(errbuf, CURL_ERROR_SIZE, "interrupted");
    else if (rc == CURLE_ABORTED_BY_CALLBACK && idle.expired == 2)
        snprintf(errbuf, CURL_ERROR_SIZE, "the request did not finish within %.0f s", limit_s);
    else if (rc == CURLE_ABORTED_BY_CALLBACK)
        snprintf(errbuf, CURL_ERROR_SIZE, "no data moved for %d s", c->cfg.idle_timeout_s);
    if (rc != CURLE_OK) {
        *retry = retriable_transport(rc, atomic_load(&c->reached));
        return dsgi_fail(err, DSG_ENET, "%s: %s failed: %s", p->subject, call->op,
                         errbuf[0] ? errbuf : curl_easy_strerror(rc));
    }
    atomic_store(&c->reached, 1);
    DSGI_FORWARD(dsgi_buf_append(&reply->body, "", 1, err));
    reply->body.len--;
    int ok = reply->status >= 200 && reply->status < 300;
    const char *text = (const char *)reply->body.data;
    if (ok && !is_error_document(text)) {
        /* A 2xx counts only when it is the answer S3 gives: a proxy's or
         * captive portal's HTML page, or a reply cut short, is not. */
        if (expect != NULL && expect->root != NULL && !has_root(text, expect->root)) {
            *retry = 1;
            return dsgi_fail(err, DSG_EREMOTE, "%s: %s failed: HTTP %ld without an S3 %s document (%s)",
                             p->subject, call->op, reply->status, expect->root,
                             reply->body.len == 0 ? "empty body" : "is the endpoint an S3 service?");
        }
        if (expect != NULL && expect->etag && reply->etag[0] == '\0') {
            *retry = 1;
            return dsgi_fail(err, DSG_EREMOTE, "%s: %s failed: HTTP %ld without an ETag (is the endpoint an S3 service?)",
                             p->subject, call->op, reply->status);
        }
        return DSG_OK;
    }
    *retry = ok || reply->status == 408 || reply->status == 429 || reply->status >= 500;
    return remote_error(p, call, reply, err);
}

/* A uniform random number in [0, 1), per thread. */
static double random_unit(void)
{
    static _Thread_local uint64_t state;
    if (state == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        state = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)(uintptr_t)&ts ^ (uint64_t)ts.tv_sec;
        state |= 1;
    }
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (double)(state >> 11) / 9007199254740992.0;
}

static int cancelled(const atomic_int *cancel) { return cancel != NULL && atomic_load(cancel); }

/* Full jitter: a uniform wait in [0, min(cap, base * 2^(n-1))). */
static void backoff(int n, const atomic_int *cancel, double give_up, unsigned interrupts)
{
    double cap = BACKOFF_BASE_S * (double)(1u << DSGI_MIN(n - 1, 16));
    double wait_s = DSGI_MIN(cap, BACKOFF_MAX_S) * random_unit();
    wait_s = DSGI_MIN(wait_s, give_up - monotonic_s());
    while (wait_s > 0 && !cancelled(cancel) && atomic_load(&dsgi_interrupts) == interrupts) {
        double step = DSGI_MIN(wait_s, 0.05);
        struct timespec ts = {0, (long)(step * 1e9)};
        nanosleep(&ts, NULL);
        wait_s -= step;
    }
}

static dsg_status perform_prepared(dsgi_s3_client *c, const dsgi_s3_call *call, const dsgi_s3_expect *expect,
                                   const prepared *p, const atomic_int *cancel, dsgi_s3_reply *reply,
                                   dsg_error *err)
{
    /* All attempts of one request, backoffs included, end within a budget
     * of 4 request deadlines: retries never keep a run alive for long. */
    double give_up = monotonic_s() + 4.0 * request_deadline_s(c, call->body_len);
    for (int attempts = 1;; attempts++) {
        int retry;
        dsg_status st = attempt(c, call, expect, p, reply, &retry, err);
        reply->attempts = attempts;
        if (st == DSG_OK)
            return DSG_OK;
        int stop = atomic_load(&dsgi_interrupts) != c->interrupts && strcmp(call->method, "DELETE") != 0;
        if (stop) {
            st = DSG_EINTR;
            if (err != NULL)
                err->status = st;
        }
        if (!retry || stop || attempts > c->cfg.max_retries || cancelled(cancel) || monotonic_s() >= give_up) {
            if (attempts > 1 && err != NULL) {
                char cause[sizeof err->message];
                memcpy(cause, err->message, sizeof cause);
                dsgi_fail(err, st, "%s (gave up after %d attempts)", cause, attempts);
            }
            return st;
        }
        backoff(attempts, cancel, give_up, c->interrupts);
    }
}

dsg_status dsgi_s3_perform_checked(dsgi_s3_client *c, const dsgi_s3_call *call, const dsgi_s3_expect *expect,
                                   const atomic_int *cancel, dsgi_s3_reply *reply, dsg_error *err)
{
    prepared p;
    dsg_status st = prepare(c, call, &p, err);
    if (st == DSG_OK)
        st = perform_prepared(c, call, expect, &p, cancel, reply, err);
    dsgi_buf_free(&p.path);
    dsgi_buf_free(&p.url);
    return st;
}

dsg_status dsgi_s3_perform(dsgi_s3_client *c, const dsgi_s3_call *call, const atomic_int *cancel, dsgi_s3_reply *reply,
                           dsg_error *err)
{
    return dsgi_s3_perform_checked(c, call, NULL, cancel, reply, err);
}

/* ---- listing and deleting ---- */

static dsg_status list_page(dsgi_s3_client *c, const char *prefix, const char *token, const char *max_keys,
                            dsgi_s3_reply *reply, dsg_error *err)
{
    dsgi_sigv4_pair q[4] = {{"list-type", "2"}, {"prefix", prefix}, {"max-keys", max_keys},
                            {"continuation-token", token}};
    dsgi_s3_call call = {"ListObjectsV2", "GET", "", prefix, q, *token ? 4 : 3, NULL, 0, NULL, 0};
    const dsgi_s3_expect expect = {"ListBucketResult", 0};
    return dsgi_s3_perform_checked(c, &call, &expect, NULL, reply, err);
}

dsg_status dsgi_s3_prefix_used(dsgi_s3_client *c, const char *prefix, int *found, dsg_error *err)
{
    dsgi_s3_reply reply;
    dsgi_s3_reply_init(&reply);
    dsg_status st = list_page(c, prefix, "", "1", &reply, err);
    if (st == DSG_OK) {
        char key[8];
        size_t pos = 0;
        *found = dsgi_xml_next((const char *)reply.body.data, &pos, "Key", key, sizeof key);
    }
    dsgi_s3_reply_free(&reply);
    return st;
}

/* Deletes the objects listed in one page; *token receives the next page's
 * continuation token ("" at the end). */
static dsg_status delete_page(dsgi_s3_client *c, const char *xml, char *token, size_t token_size, dsg_error *err)
{
    char key[1100], truncated[8] = "";
    size_t pos = 0;
    dsg_status st = DSG_OK;
    dsgi_s3_reply reply;
    dsgi_s3_reply_init(&reply);
    while (st == DSG_OK && dsgi_xml_next(xml, &pos, "Key", key, sizeof key)) {
        dsgi_s3_call call = {"DeleteObject", "DELETE", key, NULL, NULL, 0, NULL, 0, NULL, 0};
        st = dsgi_s3_perform(c, &call, NULL, &reply, err);
    }
    dsgi_s3_reply_free(&reply);
    pos = 0;
    dsgi_xml_next(xml, &pos, "IsTruncated", truncated, sizeof truncated);
    pos = 0;
    if (strcmp(truncated, "true") != 0 || !dsgi_xml_next(xml, &pos, "NextContinuationToken", token, token_size))
        token[0] = '\0';
    return st;
}

dsg_status dsgi_s3_delete_prefix(dsgi_s3_client *c, const char *prefix, dsg_error *err)
{
    char token[1100] = "";
    dsgi_s3_reply reply;
    dsgi_s3_reply_init(&reply);
    dsg_status st;
    do {
        st = list_page(c, prefix, token, "1000", &reply, err);
        if (st == DSG_OK)
            st = delete_page(c, (const char *)reply.body.data, token, sizeof token, err);
    } while (st == DSG_OK && token[0] != '\0');
    dsgi_s3_reply_free(&reply);
    return st;
}
