/*
 * rle.c - RLE / bit-packed hybrid encoder (see rle.h).
 */
#include "rle.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "bit packing assumes a little-endian host"
#endif

#include <assert.h>

size_t dsgi_rle_bound(size_t n, int bit_width)
{
    return ((n + 7) / 8) * (size_t)bit_width + (n / 8 + 2) * 10 + 16;
}

static uint8_t *put_varint(uint8_t *o, uint64_t v)
{
    while (v >= 0x80) {
        *o++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *o++ = (uint8_t)v;
    return o;
}

static uint8_t *put_rle_run(uint8_t *o, uint32_t value, size_t count, int bit_width)
{
    o = put_varint(o, (uint64_t)count << 1);
    for (int b = 0; b < (bit_width + 7) / 8; b++)
        *o++ = (uint8_t)(value >> (8 * b));
    return o;
}

#define DEFINE_RLE(suffix, T)                                                          \
    static uint8_t *bitpack_##suffix(uint8_t *o, const T *v, size_t count, int bw)     \
    {                                                                                  \
        size_t groups = (count + 7) / 8;                                               \
        o = put_varint(o, ((uint64_t)groups << 1) | 1);                                \
        /* Bits gather in a 128-bit word, written out 64 at a time. */                 \
        unsigned __int128 acc = 0;                                                     \
        int bits = 0;                                                                  \
        for (size_t i = 0; i < groups * 8; i++) {                                      \
            uint64_t x = i < count ? (uint64_t)v[i] : 0;                               \
            acc |= (unsigned __int128)x << bits;                                       \
            bits += bw;                                                                \
            if (bits >= 64) {                                                          \
                uint64_t word = (uint64_t)acc;                                         \
                memcpy(o, &word, 8);                                                   \
                o += 8;                                                                \
                acc >>= 64;                                                            \
                bits -= 64;                                                            \
            }                                                                          \
        }                                                                              \
        /* groups * 8 * bw bits in all: whole bytes remain */                          \
        assert(bits % 8 == 0);                                                         \
        memcpy(o, &acc, (size_t)bits / 8);                                             \
        o += bits / 8;                                                                 \
        return o;                                                                      \
    }                                                                                  \
                                                                                       \
    size_t dsgi_rle_encode_##suffix(const T *values, size_t n, int bw, uint8_t *out)   \
    {                                                                                  \
        uint8_t *o = out;                                                              \
        size_t pending = 0; /* first value not yet encoded */                          \
        size_t i = 0;                                                                  \
        while (i < n) {                                                                \
            T v = values[i];                                                           \
            size_t j = i + 1;                                                          \
            while (j < n && values[j] == v)                                            \
                j++;                                                                   \
            size_t run = j - i;                                                        \
            if (run >= 8) {                                                            \
                size_t rem = (i - pending) % 8;                                        \
                size_t pad = rem ? 8 - rem : 0;                                        \
                if (run - pad >= 8) {                                                  \
                    if (i + pad > pending)                                             \
                        o = bitpack_##suffix(o, values + pending, i + pad - pending, bw); \
                    o = put_rle_run(o, v, run - pad, bw);                              \
                    pending = j;                                                       \
                }                                                                      \
            }                                                                          \
            i = j;                                                                     \
        }                                                                              \
        if (n > pending)                                                               \
            o = bitpack_##suffix(o, values + pending, n - pending, bw);                \
        return (size_t)(o - out);                                                      \
    }

DEFINE_RLE(u32, uint32_t)
DEFINE_RLE(u16, uint16_t)
