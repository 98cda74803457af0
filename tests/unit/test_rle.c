/*
 * test_rle.c - the RLE / bit-packed hybrid encoder (Parquet Encodings.md)
 * against hand-computed bytes, and thousands of random sequences decoded
 * by a reader written here from the specification, bit by bit.
 */
#include "parquet/rle.h"
#include "test_util.h"

#include <stdint.h>

/* ---- reference decoder ---- */

typedef struct ref_info {
    size_t rle_values; /* values that came from RLE runs */
} ref_info;

static int read_uleb(const uint8_t *in, size_t len, size_t *at, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*at >= len)
            return -1;
        uint8_t b = in[(*at)++];
        *v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80))
            return 0;
    }
    return -1;
}

/* Decodes exactly n values from in[0..len). Fails (with a reason) on a
 * malformed stream, on trailing bytes, on a run that is not needed, on
 * non-zero padding, and on RLE runs shorter than 8 (the encoder's rule). */
static const char *ref_decode(const uint8_t *in, size_t len, int bw, size_t n, uint32_t *out,
                              ref_info *info)
{
    size_t at = 0, got = 0;
    info->rle_values = 0;
    while (got < n) {
        uint64_t h;
        if (read_uleb(in, len, &at, &h) != 0)
            return "truncated header";
        if (h & 1) {
            uint64_t groups = h >> 1;
            if (groups == 0)
                return "empty bit-packed run";
            if (groups * (uint64_t)bw > len - at)
                return "truncated bit-packed run";
            for (uint64_t k = 0; k < groups * 8; k++) {
                uint32_t v = 0;
                for (int b = 0; b < bw; b++) {
                    uint64_t bit = k * (uint64_t)bw + (uint64_t)b;
                    v |= (uint32_t)((in[at + bit / 8] >> (bit % 8)) & 1) << b;
                }
                if (got < n)
                    out[got++] = v;
                else if (v != 0)
                    return "non-zero padding";
            }
            at += groups * (uint64_t)bw;
        } else {
            uint64_t count = h >> 1;
            if (count < 8)
                return "RLE run shorter than 8";
            if (count > n - got)
                return "RLE run past the value count";
            size_t nb = (size_t)(bw + 7) / 8;
            if (nb > len - at)
                return "truncated RLE value";
            uint64_t v = 0;
            for (size_t b = 0; b < nb; b++)
                v |= (uint64_t)in[at + b] << (8 * b);
            at += nb;
            if (bw < 32 && (v >> bw) != 0)
                return "RLE value wider than the bit width";
            for (uint64_t k = 0; k < count; k++)
                out[got++] = (uint32_t)v;
            info->rle_values += count;
        }
    }
    return at == len ? NULL : "trailing bytes";
}

/* ---- exact bytes ---- */

static void expect(const uint32_t *values, size_t n, int bw, const uint8_t *want, size_t want_len)
{
    uint8_t out[2048];
    CHECK(dsgi_rle_bound(n, bw) <= sizeof out);
    size_t len = dsgi_rle_encode_u32(values, n, bw, out);
    CHECK_BYTES(out, len, want, want_len);
    uint16_t v16[64];
    if (bw <= 16 && n <= 64) {
        for (size_t i = 0; i < n; i++)
            v16[i] = (uint16_t)values[i];
        len = dsgi_rle_encode_u16(v16, n, bw, out);
        CHECK_BYTES(out, len, want, want_len);
    }
}

#define EXPECT(values, n, bw, ...)                                             \
    do {                                                                       \
        static const uint8_t want_[] = {__VA_ARGS__};                          \
        expect(values, n, bw, want_, sizeof want_);                            \
    } while (0)

static void test_known(void)
{
    /* Encodings.md: 0..7 at 3 bits is one bit-packed group */
    static const uint32_t seq[] = {0, 1, 2, 3, 4, 5, 6, 7, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
    EXPECT(seq, 8, 3, 0x03, 0x88, 0xC6, 0xFA);
    /* then ten 2s: an RLE run of 10 */
    EXPECT(seq, 18, 3, 0x03, 0x88, 0xC6, 0xFA, 0x14, 0x02);
    /* eight equal values: RLE */
    static const uint32_t fives[] = {5, 5, 5, 5, 5, 5, 5, 5};
    EXPECT(fives, 8, 3, 0x10, 0x05);
    /* seven equal values: bit-packed, one group padded with zeros */
    EXPECT(fives, 7, 3, 0x03, 0x6D, 0xDB, 0x16);
    /* three values: one padded group */
    static const uint32_t abc[] = {1, 2, 3};
    EXPECT(abc, 3, 2, 0x03, 0x39, 0x00);
    /* 7 then fifteen 3s: 7 of them pad the group, 8 become an RLE run */
    static const uint32_t pad[] = {7, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3};
    EXPECT(pad, 16, 3, 0x03, 0xDF, 0xB6, 0x6D, 0x10, 0x03);
    /* bit width 0: RLE runs have no value bytes, groups no data bytes */
    static const uint32_t zeros[20] = {0};
    EXPECT(zeros, 10, 0, 0x14);
    EXPECT(zeros, 3, 0, 0x03);
    /* values are stored in ceil(bw / 8) little-endian bytes */
    static const uint32_t wide[] = {300, 300, 300, 300, 300, 300, 300, 300, 300};
    EXPECT(wide, 9, 9, 0x12, 0x2C, 0x01);
    static const uint32_t beef[8] = {0xDEADBEEF, 0xDEADBEEF, 0xDEADBEEF, 0xDEADBEEF,
                                     0xDEADBEEF, 0xDEADBEEF, 0xDEADBEEF, 0xDEADBEEF};
    EXPECT(beef, 8, 32, 0x10, 0xEF, 0xBE, 0xAD, 0xDE);
    /* 1000 equal values: a two-byte run header */
    static uint32_t many[1000];
    for (size_t i = 0; i < 1000; i++)
        many[i] = 1;
    EXPECT(many, 1000, 1, 0xD0, 0x0F, 0x01);
    /* nothing at all */
    uint8_t out[32];
    CHECK(dsgi_rle_encode_u32(seq, 0, 3, out) == 0);
}

/* ---- random sequences ---- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t next_random(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint32_t random_value(int bw)
{
    uint64_t r = next_random();
    return bw == 0 ? 0 : bw == 32 ? (uint32_t)r : (uint32_t)(r & ((1u << bw) - 1));
}

#define MAX_N 3000
#define CANARY 64

static void check_one(const uint32_t *values, size_t n, int bw)
{
    static uint8_t out[MAX_N * 5 + 4096];
    static uint8_t out16[MAX_N * 5 + 4096];
    static uint32_t back[MAX_N];
    size_t bound = dsgi_rle_bound(n, bw);
    CHECK(bound + CANARY <= sizeof out);
    memset(out, 0xA5, bound + CANARY);
    size_t len = dsgi_rle_encode_u32(values, n, bw, out);
    CHECKF(len <= bound, "n %zu bw %d: %zu bytes, bound %zu", n, bw, len, bound);
    for (size_t i = bound; i < bound + CANARY; i++)
        CHECKF(out[i] == 0xA5, "n %zu bw %d: byte %zu written past the bound", n, bw, i);

    ref_info info;
    const char *why = ref_decode(out, len, bw, n, back, &info);
    CHECKF(why == NULL, "n %zu bw %d: %s", n, bw, why);
    for (size_t i = 0; i < n; i++)
        CHECKF(back[i] == values[i], "n %zu bw %d: value %zu is %u, not %u", n, bw, i, back[i],
               values[i]);

    /* every run of 15 or more equal values is RLE except at most 7 values
     * that complete the bit-packed group before it */
    size_t min_rle = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && values[j] == values[i])
            j++;
        if (j - i >= 15)
            min_rle += j - i - 7;
        i = j;
    }
    CHECKF(info.rle_values >= min_rle, "n %zu bw %d: %zu RLE values, expected at least %zu", n, bw,
           info.rle_values, min_rle);

    if (bw <= 16) {
        static uint16_t v16[MAX_N];
        for (size_t i = 0; i < n; i++)
            v16[i] = (uint16_t)values[i];
        size_t len16 = dsgi_rle_encode_u16(v16, n, bw, out16);
        CHECK_BYTES(out16, len16, out, len);
    }
}

static void test_random(void)
{
    static uint32_t values[MAX_N];
    for (int iter = 0; iter < 6000; iter++) {
        int bw = (int)(next_random() % 33);
        size_t n = iter % 4 == 0 ? (size_t)(next_random() % MAX_N) : (size_t)(next_random() % 100);
        /* runs of random lengths; short runs dominate in some sequences,
         * long ones in others */
        size_t max_run = 1 + (size_t)(next_random() % (iter % 3 == 0 ? 3 : 40));
        for (size_t i = 0; i < n;) {
            uint32_t v = random_value(bw);
            size_t run = 1 + (size_t)(next_random() % max_run);
            for (size_t k = 0; k < run && i < n; k++)
                values[i++] = v;
        }
        check_one(values, n, bw);
    }
    /* constant sequences of every length up to 70, all widths */
    for (int bw = 0; bw <= 32; bw++) {
        uint32_t v = bw == 0 ? 0 : (uint32_t)(UINT64_C(0xFFFFFFFF) >> (32 - bw));
        for (size_t n = 0; n <= 70; n++) {
            for (size_t i = 0; i < n; i++)
                values[i] = v;
            check_one(values, n, bw);
        }
    }
}

int main(void)
{
    test_known();
    test_random();
    printf("test_rle: ok\n");
    return 0;
}
