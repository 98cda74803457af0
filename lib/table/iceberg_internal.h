/*
 * iceberg_internal.h - what lib/table/iceberg.c (the commit protocol and
 * the catalog) and lib/table/iceberg_schema.c (types, field ids, partition
 * values, bounds, the Avro schemas of manifests) share. Internal names
 * start with ice_.
 */
#ifndef DSG_ICEBERG_INTERNAL_H
#define DSG_ICEBERG_INTERNAL_H

#include "table/table.h"

#include <jansson.h>

/* One leaf column of the table, in the order of dsg_column_stats. */
typedef struct ice_leaf {
    int32_t id;             /* Iceberg field id = Parquet field_id */
    const dsg_field *field;
    int repeated;           /* inside a list: counts only, no bounds */
} ice_leaf;

/* The table's Iceberg schema derived from the dsg_field tree. */
typedef struct ice_schema {
    json_t *fields;         /* the struct's "fields" array (owned) */
    int32_t last_column_id;
    ice_leaf *leaves;
    size_t n_leaves;
} ice_schema;

/* Builds the schema with ids in depth-first pre-order from 1 (the
 * numbering of dsg_parquet_options.field_ids). DSG_EINVAL for a type
 * Iceberg cannot hold. */
dsg_status ice_schema_build(ice_schema *s, const dsg_field *fields, size_t n, dsg_error *err);
void ice_schema_free(ice_schema *s);

/* Whether two schema "fields" arrays describe the same columns (ids,
 * names, types, required flags; docs and defaults ignored). */
int ice_fields_equal(const json_t *a, const json_t *b);

/* Partitioning: at most one field per source column, or identity fields. */
#define ICE_MAX_PART 8
typedef enum ice_transform { ICE_IDENTITY, ICE_YEAR, ICE_MONTH, ICE_DAY, ICE_HOUR } ice_transform;
typedef enum ice_ptype { ICE_P_INT, ICE_P_LONG, ICE_P_DATE, ICE_P_STRING } ice_ptype;

typedef struct ice_part_field {
    int32_t source_id;
    int32_t field_id;       /* 1000, 1001, ... */
    char name[160];
    ice_transform transform;
    ice_ptype type;         /* of the partition value */
    int level;              /* identity: the partition_by level it reads */
} ice_part_field;

typedef struct ice_spec {
    ice_part_field f[ICE_MAX_PART];
    size_t n;
    /* how the directory levels combine: per level its dsg transform */
    const dsg_partition_transform *levels;
    size_t n_levels;
    int derived;            /* 1: one field derived from the levels */
} ice_spec;

/* A partition value: int (year/month/day/hour/int/date), long, string. */
typedef struct ice_pvalue {
    int is_null;
    int64_t i;
    char *s;                /* ICE_P_STRING, owned by the caller's file */
} ice_pvalue;

/* Derives the spec from the table's partitioning (see iceberg.c's header
 * comment). */
dsg_status ice_spec_build(ice_spec *spec, const ice_schema *schema, const dsgt_table_args *args,
                          dsg_error *err);
/* The spec's "fields" array as Iceberg JSON (new reference). */
json_t *ice_spec_json(const ice_spec *spec);
/* Whether a table's partition spec "fields" equals ours (source ids and
 * transforms). */
int ice_spec_matches(const ice_spec *spec, const json_t *fields);
/* Computes the partition tuple of a file from its directory values. */
dsg_status ice_spec_values(const ice_spec *spec, const char *const *values, ice_pvalue *out,
                           const char *file, dsg_error *err);
/* The single-value binary form of a partition value into b (at most 8
 * bytes, or the string); returns the length. */
size_t ice_pvalue_bytes(const ice_spec *spec, size_t k, const ice_pvalue *v, uint8_t *b,
                        const uint8_t **str);

/* Converts a Parquet statistics value (PLAIN) of a leaf into Iceberg's
 * single-value binary form in out (room for 16 bytes; strings point to
 * the input). Returns the length, 0 when the type has no bounds. */
size_t ice_bound_bytes(const dsg_field *leaf, const uint8_t *v, size_t len, uint8_t *out,
                       const uint8_t **p);

/* The Avro schema JSON (text, owned by the caller: dsgi_free()) of a v2
 * manifest for this spec, and of a v2 manifest list (static). */
char *ice_manifest_avro_schema(const ice_spec *spec);
extern const char ice_manifest_list_avro_schema[];

#endif /* DSG_ICEBERG_INTERNAL_H */
