/*
 * fuzz_delta_log - libFuzzer target for what the Delta format reads from a
 * table someone else may have written: a JSON commit (first byte even) or
 * a Parquet checkpoint (first byte odd), through the log replay and the
 * small Parquet reader (parquet/pq_reader.c).
 */
#include "table/delta.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    dlt_snapshot s;
    dsg_error err;
    if (dlt_snapshot_init(&s, &err) != DSG_OK)
        return 0;
    if (data[0] & 1) {
        int has_dv = 0;
        (void)dlt_checkpoint_apply(&s, data + 1, size - 1, "fuzz.checkpoint.parquet", &has_dv, &err);
    } else {
        (void)dlt_snapshot_apply(&s, (const char *)data + 1, size - 1, 0, "fuzz.json", &err);
    }
    /* whatever was applied must be a consistent snapshot */
    if (json_object_size(s.adds) > size || json_object_size(s.removes) > size)
        abort();
    dlt_snapshot_free(&s);
    return 0;
}
