/*
 * rle.h - Parquet's RLE / bit-packed hybrid encoding (Encodings.md), used
 * for definition and repetition levels and dictionary indices.
 *
 * A run of 8 or more equal values becomes an RLE run; everything else is
 * bit-packed in groups of 8 values, LSB first. The last bit-packed group is
 * padded with zeros; readers stop at the value count they know.
 */
#ifndef DSG_RLE_H
#define DSG_RLE_H

#include "common/common.h"

/* Worst-case encoded size of n values of bit_width bits. */
size_t dsgi_rle_bound(size_t n, int bit_width);

/* Encodes n values (each < 2^bit_width, bit_width 0..32) into out, which
 * has room for dsgi_rle_bound bytes; returns the bytes written. */
size_t dsgi_rle_encode_u32(const uint32_t *values, size_t n, int bit_width, uint8_t *out);
size_t dsgi_rle_encode_u16(const uint16_t *values, size_t n, int bit_width, uint8_t *out);

#endif
