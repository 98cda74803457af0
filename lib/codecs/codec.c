/*
 * codec.c - the compression libraries behind dsgi_codec.
 */
#include "codec.h"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <strings.h>
#include <libdeflate.h>
#include <lz4.h>
#include <lz4hc.h>
#include <snappy-c.h>
#include <zstd.h>

struct dsgi_codec {
    dsg_codec kind;
    int level;
    struct libdeflate_compressor *deflate;
    ZSTD_CCtx *zstd;
    void *lz4_state;
};

static const struct {
    const char *name;
    dsg_codec codec;
} codec_names[] = {
    {"none", DSG_CODEC_NONE},     {"uncompressed", DSG_CODEC_NONE},
    {"snappy", DSG_CODEC_SNAPPY}, {"gzip", DSG_CODEC_GZIP},
    {"zstd", DSG_CODEC_ZSTD},     {"brotli", DSG_CODEC_BROTLI},
    {"lz4_raw", DSG_CODEC_LZ4_RAW}, {"lz4", DSG_CODEC_LZ4_RAW},
};

dsg_status dsg_codec_parse(const char *name, dsg_codec *out, dsg_error *err)
{
    for (size_t i = 0; name && i < sizeof codec_names / sizeof codec_names[0]; i++) {
        if (strcasecmp(name, codec_names[i].name) == 0) {
            *out = codec_names[i].codec;
            return DSG_OK;
        }
    }
    return dsgi_fail(err, DSG_EINVAL,
                     "unknown compression '%s' (expected none, snappy, gzip, zstd, brotli or lz4_raw)",
                     name ? name : "");
}

const char *dsg_codec_name(dsg_codec codec)
{
    switch (codec) {
    case DSG_CODEC_NONE: return "none";
    case DSG_CODEC_SNAPPY: return "snappy";
    case DSG_CODEC_GZIP: return "gzip";
    case DSG_CODEC_ZSTD: return "zstd";
    case DSG_CODEC_BROTLI: return "brotli";
    case DSG_CODEC_LZ4_RAW: return "lz4_raw";
    }
    return "unknown";
}

dsg_status dsg_codec_check_level(dsg_codec codec, int level, dsg_error *err)
{
    if (level == DSG_LEVEL_DEFAULT)
        return DSG_OK;
    switch (codec) {
    case DSG_CODEC_GZIP:
        DSGI_RETURN_IF(level < 1 || level > 12, err, DSG_EINVAL,
                       "compression level %d is out of range for gzip (1 to 12)", level);
        return DSG_OK;
    case DSG_CODEC_ZSTD:
        DSGI_RETURN_IF(level < -7 || level > 22 || level == 0, err, DSG_EINVAL,
                       "compression level %d is out of range for zstd (-7 to -1, 1 to 22)", level);
        return DSG_OK;
    case DSG_CODEC_BROTLI:
        DSGI_RETURN_IF(level < 0 || level > 11, err, DSG_EINVAL,
                       "compression level %d is out of range for brotli (0 to 11)", level);
        return DSG_OK;
    default:
        return dsgi_fail(err, DSG_EINVAL, "compression %s takes no level", dsg_codec_name(codec));
    }
}

static int default_level(dsg_codec codec)
{
    switch (codec) {
    case DSG_CODEC_GZIP: return 6;
    case DSG_CODEC_ZSTD: return 3;
    case DSG_CODEC_BROTLI: return 4;
    default: return 0;
    }
}

dsg_status dsgi_codec_create(dsgi_codec **out, dsg_codec codec, int level, dsg_error *err)
{
    DSGI_FORWARD(dsg_codec_check_level(codec, level, err));
    dsgi_codec *c = dsgi_calloc(1, sizeof *c);
    DSGI_RETURN_IF(c == NULL, err, DSG_ENOMEM, "out of memory (creating a compressor)");
    c->kind = codec;
    c->level = level == DSG_LEVEL_DEFAULT ? default_level(codec) : level;
    int ok = 1;
    switch (codec) {
    case DSG_CODEC_GZIP:
        ok = (c->deflate = libdeflate_alloc_compressor(c->level)) != NULL;
        break;
    case DSG_CODEC_ZSTD:
        ok = (c->zstd = ZSTD_createCCtx()) != NULL &&
             !ZSTD_isError(ZSTD_CCtx_setParameter(c->zstd, ZSTD_c_compressionLevel, c->level)) &&
             !ZSTD_isError(ZSTD_CCtx_setParameter(c->zstd, ZSTD_c_contentSizeFlag, 1));
        break;
    case DSG_CODEC_LZ4_RAW:
        ok = (c->lz4_state = dsgi_malloc((size_t)LZ4_sizeofState())) != NULL;
        break;
    default:
        break;
    }
    if (!ok) {
        dsgi_codec_free(c);
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (creating a %s compressor)",
                         dsg_codec_name(codec));
    }
    *out = c;
    return DSG_OK;
}

void dsgi_codec_free(dsgi_codec *c)
{
    if (c == NULL)
        return;
    if (c->deflate)
        libdeflate_free_compressor(c->deflate);
    ZSTD_freeCCtx(c->zstd);
    dsgi_free(c->lz4_state);
    dsgi_free(c);
}

dsg_codec dsgi_codec_kind(const dsgi_codec *c) { return c->kind; }

size_t dsgi_codec_bound(const dsgi_codec *c, size_t n)
{
    switch (c->kind) {
    case DSG_CODEC_NONE: return n;
    case DSG_CODEC_SNAPPY: return snappy_max_compressed_length(n);
    case DSG_CODEC_GZIP: return libdeflate_gzip_compress_bound(c->deflate, n);
    case DSG_CODEC_ZSTD: return ZSTD_compressBound(n);
    case DSG_CODEC_BROTLI: return BrotliEncoderMaxCompressedSize(n) ? BrotliEncoderMaxCompressedSize(n) : n + 1024;
    case DSG_CODEC_LZ4_RAW: return (size_t)LZ4_compressBound((int)DSGI_MIN(n, (size_t)LZ4_MAX_INPUT_SIZE));
    }
    return n;
}

dsg_status dsgi_codec_compress(dsgi_codec *c, const void *src, size_t n, void *dst,
                               size_t *out_len, dsg_error *err)
{
    size_t cap = dsgi_codec_bound(c, n);
    switch (c->kind) {
    case DSG_CODEC_NONE:
        if (n)
            memcpy(dst, src, n);
        *out_len = n;
        return DSG_OK;
    case DSG_CODEC_SNAPPY: {
        size_t len = cap;
        DSGI_RETURN_IF(snappy_compress(src, n, dst, &len) != SNAPPY_OK, err, DSG_ECODEC,
                       "snappy compression of %zu bytes failed", n);
        *out_len = len;
        return DSG_OK;
    }
    case DSG_CODEC_GZIP: {
        size_t len = libdeflate_gzip_compress(c->deflate, src, n, dst, cap);
        DSGI_RETURN_IF(len == 0, err, DSG_ECODEC, "gzip compression of %zu bytes failed", n);
        *out_len = len;
        return DSG_OK;
    }
    case DSG_CODEC_ZSTD: {
        size_t len = ZSTD_compress2(c->zstd, dst, cap, src, n);
        DSGI_RETURN_IF(ZSTD_isError(len), err, DSG_ECODEC, "zstd compression of %zu bytes failed: %s",
                       n, ZSTD_getErrorName(len));
        *out_len = len;
        return DSG_OK;
    }
    case DSG_CODEC_BROTLI: {
        size_t len = cap;
        /* A window no larger than the input: same output size, far less
         * memory and time for page-sized inputs. */
        int lgwin = BROTLI_MIN_WINDOW_BITS;
        while (lgwin < BROTLI_MAX_WINDOW_BITS && ((size_t)1 << lgwin) < n)
            lgwin++;
        DSGI_RETURN_IF(!BrotliEncoderCompress(c->level, lgwin, BROTLI_MODE_GENERIC, n, src, &len, dst),
                       err, DSG_ECODEC, "brotli compression of %zu bytes failed", n);
        *out_len = len;
        return DSG_OK;
    }
    case DSG_CODEC_LZ4_RAW: {
        DSGI_RETURN_IF(n > (size_t)LZ4_MAX_INPUT_SIZE, err, DSG_ECODEC,
                       "lz4 cannot compress a block of %zu bytes", n);
        int len = LZ4_compress_fast_extState(c->lz4_state, src, dst, (int)n, (int)cap, 1);
        DSGI_RETURN_IF(len <= 0 && n > 0, err, DSG_ECODEC, "lz4 compression of %zu bytes failed", n);
        *out_len = (size_t)len;
        return DSG_OK;
    }
    }
    return dsgi_fail(err, DSG_EINTERNAL, "unknown codec %d", (int)c->kind);
}

dsg_status dsgi_codec_decompress(dsg_codec codec, const void *src, size_t n, void *dst, size_t dst_len,
                                 dsg_error *err)
{
    const char *name = dsg_codec_name(codec);
    int ok = 0;
    switch (codec) {
    case DSG_CODEC_NONE:
        ok = n == dst_len;
        if (ok && n)
            memcpy(dst, src, n);
        break;
    case DSG_CODEC_SNAPPY: {
        size_t len = 0;
        ok = snappy_uncompressed_length(src, n, &len) == SNAPPY_OK && len == dst_len &&
             snappy_uncompress(src, n, dst, &len) == SNAPPY_OK && len == dst_len;
        break;
    }
    case DSG_CODEC_GZIP: {
        struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
        DSGI_RETURN_IF(d == NULL, err, DSG_ENOMEM, "out of memory (gzip decompressor)");
        size_t len = 0;
        ok = libdeflate_gzip_decompress(d, src, n, dst, dst_len, &len) == LIBDEFLATE_SUCCESS && len == dst_len;
        libdeflate_free_decompressor(d);
        break;
    }
    case DSG_CODEC_ZSTD: {
        size_t len = ZSTD_decompress(dst, dst_len, src, n);
        ok = !ZSTD_isError(len) && len == dst_len;
        break;
    }
    case DSG_CODEC_BROTLI: {
        size_t len = dst_len;
        ok = BrotliDecoderDecompress(n, src, &len, dst) == BROTLI_DECODER_RESULT_SUCCESS && len == dst_len;
        break;
    }
    case DSG_CODEC_LZ4_RAW:
        ok = n <= (size_t)INT32_MAX && dst_len <= (size_t)INT32_MAX &&
             LZ4_decompress_safe(src, dst, (int)n, (int)dst_len) == (int)dst_len;
        break;
    }
    DSGI_RETURN_IF(!ok, err, DSG_ECODEC, "%s data of %zu bytes does not decompress to the %zu bytes expected",
                   name, n, dst_len);
    return DSG_OK;
}
