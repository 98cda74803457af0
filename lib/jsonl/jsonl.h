/*
 * jsonl.h - newline-delimited JSON output of dsg_array batches, one object
 * per row. Used for `--format jsonl` (inspection, diffing, and the interop
 * tests' expected values). jsonl/ knows nothing of Parquet or datasets.
 *
 * Conventions: null is null at any depth; INT64, TIMESTAMP and DURATION are
 * strings of the integer (JSON numbers lose precision past 2^53); DATE is
 * "YYYY-MM-DD"; DECIMAL a string with exactly 'scale' fraction digits;
 * FLOAT/DOUBLE numbers that round-trip (%.9g / %.17g), with "NaN",
 * "Infinity", "-Infinity" as strings; structs are objects, lists arrays.
 */
#ifndef DSG_JSONL_H
#define DSG_JSONL_H

#include "common/common.h"

typedef struct dsgi_jsonl_writer dsgi_jsonl_writer;

/* Takes ownership of the sink whatever the outcome. */
dsg_status dsgi_jsonl_open(dsgi_jsonl_writer **out, dsg_sink *sink, const dsg_field *fields,
                           size_t n_fields, dsg_error *err);
dsg_status dsgi_jsonl_write(dsgi_jsonl_writer *w, const dsg_array *columns, size_t n_rows,
                            dsg_error *err);
/* Flushes and commits the sink. */
dsg_status dsgi_jsonl_close(dsgi_jsonl_writer *w, dsg_error *err);
/* Aborts the sink unless closed. Accepts NULL. */
void dsgi_jsonl_free(dsgi_jsonl_writer *w);

#endif
