/*
 * codec.h - block compression for Parquet pages (and anything else).
 *
 * Codecs know nothing of Parquet: they turn one buffer into another.
 * Each codec is one framing that every Parquet reader expects:
 *   snappy   raw snappy block
 *   gzip     gzip member (RFC 1952), through libdeflate
 *   zstd     one zstd frame with the content size
 *   brotli   one brotli stream
 *   lz4_raw  one raw LZ4 block (no frame)
 * A dsgi_codec holds reusable compressor state; one per thread.
 */
#ifndef DSG_CODEC_H
#define DSG_CODEC_H

#include "common/common.h"

typedef struct dsgi_codec dsgi_codec;

/* 'level' is DSG_LEVEL_DEFAULT or a level that dsg_codec_check_level
 * accepted. */
dsg_status dsgi_codec_create(dsgi_codec **out, dsg_codec codec, int level, dsg_error *err);
void dsgi_codec_free(dsgi_codec *c);

/* Worst-case compressed size of n input bytes. */
size_t dsgi_codec_bound(const dsgi_codec *c, size_t n);

/* Compresses src into dst (room for dsgi_codec_bound bytes); *out_len
 * receives the compressed size. */
dsg_status dsgi_codec_compress(dsgi_codec *c, const void *src, size_t n, void *dst,
                               size_t *out_len, dsg_error *err);

dsg_codec dsgi_codec_kind(const dsgi_codec *c);

/* Decompresses src (n bytes, one block in the codec's framing above) into
 * dst, which must receive exactly dst_len bytes (the size the caller knows,
 * e.g. a Parquet page's uncompressed size). Corrupt or short input fails
 * with DSG_ECODEC. Thread-safe: no state is kept. */
dsg_status dsgi_codec_decompress(dsg_codec codec, const void *src, size_t n, void *dst, size_t dst_len,
                                 dsg_error *err);

#endif
