/*
 * test_codec.c - every codec's output decompressed by the compression
 * library's own decoder (never by our code), on empty, tiny, random and
 * repetitive inputs and at every accepted level; level checks and codec
 * names.
 */
#include "codecs/codec.h"
#include "test_util.h"

#include <brotli/decode.h>
#include <libdeflate.h>
#include <lz4.h>
#include <snappy-c.h>
#include <zstd.h>

#define CANARY 64

static const dsg_codec all_codecs[] = {DSG_CODEC_NONE, DSG_CODEC_SNAPPY, DSG_CODEC_GZIP,
                                       DSG_CODEC_ZSTD, DSG_CODEC_BROTLI, DSG_CODEC_LZ4_RAW};
#define N_CODECS (sizeof all_codecs / sizeof all_codecs[0])

/* Decompresses with the codec's reference library into out (room for
 * n + 1 bytes, so that extra output shows); returns the size or -1. */
static long decode(dsg_codec codec, const uint8_t *in, size_t len, uint8_t *out, size_t n)
{
    switch (codec) {
    case DSG_CODEC_NONE:
        memcpy(out, in, len);
        return (long)len;
    case DSG_CODEC_SNAPPY: {
        size_t size;
        if (snappy_uncompressed_length((const char *)in, len, &size) != SNAPPY_OK || size > n + 1)
            return -1;
        return snappy_uncompress((const char *)in, len, (char *)out, &size) == SNAPPY_OK ? (long)size : -1;
    }
    case DSG_CODEC_GZIP: {
        /* one gzip member: magic 1f 8b, deflate, ISIZE trailer */
        if (len < 18 || in[0] != 0x1f || in[1] != 0x8b || in[2] != 8)
            return -1;
        uint32_t isize = (uint32_t)in[len - 4] | (uint32_t)in[len - 3] << 8 |
                         (uint32_t)in[len - 2] << 16 | (uint32_t)in[len - 1] << 24;
        if (isize != (uint32_t)n)
            return -1;
        struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
        CHECK(d != NULL);
        size_t in_used = 0, size = 0;
        enum libdeflate_result r = libdeflate_gzip_decompress_ex(d, in, len, out, n + 1, &in_used, &size);
        libdeflate_free_decompressor(d);
        return r == LIBDEFLATE_SUCCESS && in_used == len ? (long)size : -1;
    }
    case DSG_CODEC_ZSTD: {
        /* exactly one frame, which records the content size */
        if (ZSTD_findFrameCompressedSize(in, len) != len || ZSTD_getFrameContentSize(in, len) != n)
            return -1;
        size_t size = ZSTD_decompress(out, n + 1, in, len);
        return ZSTD_isError(size) ? -1 : (long)size;
    }
    case DSG_CODEC_BROTLI: {
        size_t size = n + 1;
        return BrotliDecoderDecompress(len, in, &size, out) == BROTLI_DECODER_RESULT_SUCCESS ? (long)size
                                                                                               : -1;
    }
    case DSG_CODEC_LZ4_RAW:
        return LZ4_decompress_safe((const char *)in, (char *)out, (int)len, (int)n + 1);
    }
    return -1;
}

static void round_trip(dsg_codec codec, int level, const uint8_t *src, size_t n, const char *what)
{
    dsg_error err;
    dsg_error_clear(&err);
    dsgi_codec *c = NULL;
    dsg_status st = dsgi_codec_create(&c, codec, level, &err);
    CHECKF(st == DSG_OK, "%s level %d: %s", dsg_codec_name(codec), level, err.message);
    CHECK(dsgi_codec_kind(c) == codec);
    size_t bound = dsgi_codec_bound(c, n);
    uint8_t *dst = malloc(bound + CANARY);
    uint8_t *back = malloc(n + 1);
    CHECK(dst != NULL && back != NULL);
    memset(dst, 0xA5, bound + CANARY);
    size_t len = 0;
    st = dsgi_codec_compress(c, src, n, dst, &len, &err);
    CHECKF(st == DSG_OK, "%s level %d, %s input: %s", dsg_codec_name(codec), level, what, err.message);
    CHECKF(len <= bound, "%s: %zu bytes, bound %zu", dsg_codec_name(codec), len, bound);
    for (size_t i = bound; i < bound + CANARY; i++)
        CHECKF(dst[i] == 0xA5, "%s wrote past its bound", dsg_codec_name(codec));
    long got = decode(codec, dst, len, back, n);
    CHECKF(got == (long)n && memcmp(back, src, n) == 0,
           "%s level %d, %s input of %zu bytes: the reference decoder gave %ld bytes%s",
           dsg_codec_name(codec), level, what, n, got, got == (long)n ? " that differ" : "");
    free(dst);
    free(back);
    dsgi_codec_free(c);
}

static void test_round_trips(void)
{
    size_t big = (size_t)1 << 20;
    uint8_t *random = malloc(big), *repeat = malloc(big);
    CHECK(random != NULL && repeat != NULL);
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < big; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        random[i] = (uint8_t)x;
        repeat[i] = "parquet pages "[i % 14];
    }
    for (size_t k = 0; k < N_CODECS; k++) {
        dsg_codec c = all_codecs[k];
        round_trip(c, DSG_LEVEL_DEFAULT, (const uint8_t *)"", 0, "empty");
        round_trip(c, DSG_LEVEL_DEFAULT, (const uint8_t *)"a", 1, "one-byte");
        round_trip(c, DSG_LEVEL_DEFAULT, (const uint8_t *)"hello, parquet", 14, "tiny");
        round_trip(c, DSG_LEVEL_DEFAULT, random, big, "random");
        round_trip(c, DSG_LEVEL_DEFAULT, repeat, big, "repetitive");
        round_trip(c, DSG_LEVEL_DEFAULT, random, 100003, "random odd-sized");
    }
    /* every accepted level, on inputs small enough for the slow ones */
    for (int level = 1; level <= 12; level++)
        round_trip(DSG_CODEC_GZIP, level, repeat, 50000, "repetitive");
    for (int level = -7; level <= 22; level++)
        if (level != 0)
            round_trip(DSG_CODEC_ZSTD, level, random, 20000, "random");
    for (int level = 0; level <= 11; level++)
        round_trip(DSG_CODEC_BROTLI, level, repeat, 20000, "repetitive");
    free(random);
    free(repeat);
}

static void expect_level(dsg_codec codec, int level, int ok)
{
    dsg_error err;
    dsg_error_clear(&err);
    dsg_status st = dsg_codec_check_level(codec, level, &err);
    if (ok) {
        CHECKF(st == DSG_OK, "%s level %d refused: %s", dsg_codec_name(codec), level, err.message);
        return;
    }
    CHECKF(st == DSG_EINVAL && err.status == DSG_EINVAL && err.message[0] != '\0',
           "%s level %d accepted", dsg_codec_name(codec), level);
    /* the compressor refuses it too, and leaves its out-parameter alone */
    dsgi_codec *c = (dsgi_codec *)&err;
    CHECK(dsgi_codec_create(&c, codec, level, NULL) == DSG_EINVAL && c == (dsgi_codec *)&err);
}

static void test_levels(void)
{
    for (size_t k = 0; k < N_CODECS; k++)
        expect_level(all_codecs[k], DSG_LEVEL_DEFAULT, 1);
    for (int level = -10; level <= 25; level++) {
        expect_level(DSG_CODEC_GZIP, level, level >= 1 && level <= 12);
        expect_level(DSG_CODEC_ZSTD, level, level >= -7 && level <= 22 && level != 0);
        expect_level(DSG_CODEC_BROTLI, level, level >= 0 && level <= 11);
        expect_level(DSG_CODEC_SNAPPY, level, 0);
        expect_level(DSG_CODEC_LZ4_RAW, level, 0);
        expect_level(DSG_CODEC_NONE, level, 0);
    }
}

static void test_names(void)
{
    static const struct {
        const char *name;
        dsg_codec codec;
    } good[] = {
        {"none", DSG_CODEC_NONE},       {"uncompressed", DSG_CODEC_NONE},
        {"UNCOMPRESSED", DSG_CODEC_NONE}, {"snappy", DSG_CODEC_SNAPPY},
        {"Snappy", DSG_CODEC_SNAPPY},   {"gzip", DSG_CODEC_GZIP},
        {"GZIP", DSG_CODEC_GZIP},       {"zstd", DSG_CODEC_ZSTD},
        {"ZSTD", DSG_CODEC_ZSTD},       {"brotli", DSG_CODEC_BROTLI},
        {"lz4_raw", DSG_CODEC_LZ4_RAW}, {"LZ4_RAW", DSG_CODEC_LZ4_RAW},
        {"lz4", DSG_CODEC_LZ4_RAW},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        dsg_codec c = DSG_CODEC_BROTLI + DSG_CODEC_SNAPPY; /* not a codec */
        CHECKF(dsg_codec_parse(good[i].name, &c, NULL) == DSG_OK && c == good[i].codec,
               "'%s' not parsed", good[i].name);
    }
    static const char *const bad[] = {"lzo", "lz4_frame", "LZ4-RAW", "zstd ", "", "gzip2", "snap"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dsg_error err;
        dsg_error_clear(&err);
        dsg_codec c = DSG_CODEC_ZSTD;
        CHECKF(dsg_codec_parse(bad[i], &c, &err) == DSG_EINVAL, "'%s' accepted", bad[i]);
        CHECK(c == DSG_CODEC_ZSTD && err.status == DSG_EINVAL && err.message[0] != '\0');
    }
    dsg_codec c = DSG_CODEC_ZSTD;
    CHECK(dsg_codec_parse(NULL, &c, NULL) == DSG_EINVAL && c == DSG_CODEC_ZSTD);
    /* every codec's name parses back to it */
    for (size_t k = 0; k < N_CODECS; k++) {
        CHECK(dsg_codec_parse(dsg_codec_name(all_codecs[k]), &c, NULL) == DSG_OK);
        CHECK(c == all_codecs[k]);
    }
}

int main(void)
{
    test_names();
    test_levels();
    test_round_trips();
    printf("test_codec: ok\n");
    return 0;
}
