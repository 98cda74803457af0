/*
 * delta.h - internals shared by the Delta Lake format's files:
 *   delta.c             the dsgt_format: schema, statistics, features,
 *                       the commit loop (put-if-absent, retry)
 *   delta_log.c         the snapshot: listing, _last_checkpoint, replay of
 *                       JSON commits and of a checkpoint's actions
 *   delta_checkpoint.c  checkpoints written with our Parquet writer, and
 *                       read back with the small reader of parquet/
 * Internal names start with dlt_.
 */
#ifndef DSG_DELTA_H
#define DSG_DELTA_H

#include "table/table.h"

#include <jansson.h>

/* The state of a table at one version: what a reader reconstructs. The
 * JSON objects are the actions as read (jansson, owned by the snapshot). */
typedef struct dlt_snapshot {
    int64_t version;   /* -1: no table yet */
    json_t *protocol;  /* the "protocol" action's object, or NULL */
    json_t *metadata;  /* the "metaData" action's object, or NULL */
    json_t *adds;      /* object: decoded path -> "add" object */
    json_t *removes;   /* object: decoded path -> "remove" object (tombstones) */
    json_t *txns;      /* object: appId -> "txn" object */
    int has_domain_metadata; /* a domainMetadata action was seen */
    int64_t checkpoint_version; /* the checkpoint the snapshot started from, -1 */
} dlt_snapshot;

dsg_status dlt_snapshot_init(dlt_snapshot *s, dsg_error *err);
void dlt_snapshot_free(dlt_snapshot *s);

/* Loads the latest snapshot of the table under 'store' (version -1 and
 * empty when there is no _delta_log). 'what' names the table in errors. */
dsg_status dlt_snapshot_load(dlt_snapshot *s, dsgt_store *store, const char *what, dsg_error *err);

/* Applies the commits after s->version, one by one, until a version is
 * missing. *advanced receives how many were applied. */
dsg_status dlt_snapshot_catch_up(dlt_snapshot *s, dsgt_store *store, const char *what,
                                 int64_t *advanced, dsg_error *err);

/* Applies one commit's text (newline-delimited JSON actions) as version
 * 'version'. 'name' is the log file's name, for errors. */
dsg_status dlt_snapshot_apply(dlt_snapshot *s, const char *text, size_t len, int64_t version,
                              const char *name, dsg_error *err);

/* Applies one action (an object with one key: "add", "remove", ...);
 * -1 when out of memory. */
int dlt_snapshot_apply_action(dlt_snapshot *s, json_t *action);

/* "_delta_log/00000000000000000042.json" into buf (64 bytes). */
void dlt_log_name(char *buf, size_t n, int64_t version, const char *suffix);

/* Percent-decodes a path (RFC 2396 escapes) into a new string; NULL when
 * out of memory. */
char *dlt_path_decode(const char *path);

/* Writes the checkpoint of snapshot s (at s->version) and then
 * _last_checkpoint. */
dsg_status dlt_checkpoint_write(const dlt_snapshot *s, dsgt_store *store, const char *what,
                                dsg_error *err);

/* Reads checkpoint 'version' (one classic file, or 'parts' parts) into s,
 * which must be empty. */
dsg_status dlt_checkpoint_read(dlt_snapshot *s, dsgt_store *store, int64_t version, int parts,
                               const char *what, dsg_error *err);

/* Applies the actions of one checkpoint file (or part) held in
 * data[0..len) to s; *has_dv is set when a file has a deletion vector.
 * 'name' names the file in errors. Any bytes may come: a corrupt file
 * fails with DSG_EIO. */
dsg_status dlt_checkpoint_apply(dlt_snapshot *s, const uint8_t *data, size_t len, const char *name, int *has_dv,
                                dsg_error *err);

/* Milliseconds since the epoch. */
int64_t dlt_now_ms(void);

#endif /* DSG_DELTA_H */
