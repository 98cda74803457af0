/*
 * sqlcat.h - a small SQL connection over SQLite (libsqlite3) and
 * PostgreSQL (libpq), for the catalogs of Iceberg (the SQL/JDBC catalog
 * tables) and DuckLake (its catalog database).
 *
 * One statement syntax for both: parameters are written $1, $2, ... (the
 * SQLite side binds them by number, as ?NNN); values cross as text or
 * 64-bit integers or NULL. Errors name the catalog by its URI with any
 * password removed, never the password.
 *
 *   sqlcat *c;
 *   sqlcat_open(&c, "sqlite:///tmp/cat.db", err);   or postgresql://u:p@h:port/db
 *   sqlcat_begin(c, SQLCAT_TX_WRITE, err);          SQLite BEGIN IMMEDIATE,
 *                                                   PostgreSQL BEGIN ISOLATION
 *                                                   LEVEL SERIALIZABLE
 *   sqlcat_exec(c, "UPDATE t SET a = $1 WHERE b = $2", params, 2, &changed, err);
 *   sqlcat_query(c, "SELECT ...", params, n, &rows, err); ... sqlcat_rows_free(rows);
 *   sqlcat_commit(c, err);  / sqlcat_rollback(c);
 *   sqlcat_close(c);
 *
 * A serialization failure (40001, 40P01, 42P07) or a busy database at commit or
 * during the transaction returns SQLCAT_CONFLICT, so callers can roll back
 * and retry; so does a unique or primary-key violation (another writer
 * inserted the key first; a caller for whom it means "already exists"
 * tests for it). Values come back as the engine prints them (PostgreSQL
 * booleans "t"/"f"). After a failed statement only a rollback is allowed.
 */
#ifndef DSG_SQLCAT_H
#define DSG_SQLCAT_H

#include "common/common.h"

typedef struct sqlcat sqlcat;

typedef enum sqlcat_kind { SQLCAT_SQLITE = 1, SQLCAT_POSTGRES } sqlcat_kind;

#define SQLCAT_CONFLICT (-30730) /* concurrent transaction won: retry */

/* Parses "sqlite:///abs/path.db", "sqlite:relative.db" (also plain
 * "sqlite://path"), "postgresql://..." / "postgres://..." (any libpq URI).
 * Malformed URIs: DSG_EINVAL (exit 2). Unreachable or refusing servers:
 * DSG_ENET / DSG_EREMOTE naming the catalog without its password. */
dsg_status sqlcat_open(sqlcat **out, const char *uri, dsg_error *err);
void sqlcat_close(sqlcat *c);
sqlcat_kind sqlcat_get_kind(const sqlcat *c);
/* The URI without password, for messages. */
const char *sqlcat_label(const sqlcat *c);

/* The database file of a sqlite: URI ("sqlite:///a/b.db" -> "/a/b.db",
 * "sqlite:rel.db" -> "rel.db"), pointing into uri; NULL for other URIs. */
const char *sqlcat_sqlite_path(const char *uri);

/* Only checks the URI's syntax (for up-front validation). */
dsg_status sqlcat_check_uri(const char *uri, dsg_error *err);

typedef enum sqlcat_tx { SQLCAT_TX_READ, SQLCAT_TX_WRITE } sqlcat_tx;
dsg_status sqlcat_begin(sqlcat *c, sqlcat_tx tx, dsg_error *err);
dsg_status sqlcat_commit(sqlcat *c, dsg_error *err);
void sqlcat_rollback(sqlcat *c);

/* A parameter or a result value. */
typedef enum sqlcat_vtype { SQLCAT_NULL = 0, SQLCAT_INT, SQLCAT_TEXT } sqlcat_vtype;
typedef struct sqlcat_value {
    sqlcat_vtype type;
    int64_t i;
    const char *s; /* TEXT: NUL-terminated */
} sqlcat_value;

static inline sqlcat_value sqlcat_int(int64_t v) { sqlcat_value x = {SQLCAT_INT, v, NULL}; return x; }
static inline sqlcat_value sqlcat_text(const char *s)
{
    sqlcat_value x = {s ? SQLCAT_TEXT : SQLCAT_NULL, 0, s};
    return x;
}
static inline sqlcat_value sqlcat_null(void) { sqlcat_value x = {SQLCAT_NULL, 0, NULL}; return x; }

/* Runs one statement (several, separated by ';', when n_params is 0);
 * *changed (may be NULL) receives the rows changed. */
dsg_status sqlcat_exec(sqlcat *c, const char *sql, const sqlcat_value *params, size_t n_params,
                       int64_t *changed, dsg_error *err);

/* Query results, all values as text (NULL pointer for SQL NULL). */
typedef struct sqlcat_rows {
    size_t n_rows, n_cols;
    char **cells; /* n_rows * n_cols, row-major */
} sqlcat_rows;

dsg_status sqlcat_query(sqlcat *c, const char *sql, const sqlcat_value *params, size_t n_params,
                        sqlcat_rows **out, dsg_error *err);
static inline const char *sqlcat_cell(const sqlcat_rows *r, size_t row, size_t col)
{
    return r->cells[row * r->n_cols + col];
}
void sqlcat_rows_free(sqlcat_rows *r);

/* Whether a table exists (in the current schema). */
dsg_status sqlcat_table_exists(sqlcat *c, const char *table, int *exists, dsg_error *err);

#endif /* DSG_SQLCAT_H */
