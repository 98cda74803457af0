/*
 * sqlcat.c - one small SQL connection over SQLite (libsqlite3) and
 * PostgreSQL (libpq) for the catalogs of Iceberg and DuckLake.
 *
 * Rules that callers rely on:
 *  1. Every error message names the catalog by its label: the URI with the
 *     password removed (userinfo "user:secret@" becomes "user@", a
 *     "password=" query parameter is dropped). libpq's own messages never
 *     contain the password; any message that would quote it is replaced.
 *  2. A lost race is SQLCAT_CONFLICT, whatever the engine: SQLite's BUSY
 *     and LOCKED (the busy timeout expired, or a deferred reader tried to
 *     write), PostgreSQL's serialization_failure (40001),
 *     deadlock_detected (40P01) and duplicate_table (42P07: a table another
 *     transaction created after our snapshot), and on both a unique or
 *     primary-key violation (another writer inserted the same key first). The caller
 *     rolls back and retries from a fresh read.
 *  3. After a failed statement inside a transaction the transaction is
 *     poisoned: only sqlcat_rollback is meaningful (PostgreSQL would turn
 *     a COMMIT into a silent ROLLBACK; sqlcat_commit refuses instead).
 *  4. Parameters are $1..$n on both engines. SQLite parses "$1" as a named
 *     parameter; each is bound by its name, so the order of first use does
 *     not matter. PostgreSQL receives every value as text of unknown type,
 *     resolved from context ('1' becomes a bigint, a boolean or a text).
 */
#include "table/sqlcat.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#define BUSY_TIMEOUT_MS 30000
#define SQL_EXCERPT 72

struct sqlcat {
    sqlcat_kind kind;
    char *label;    /* URI without password */
    char *password; /* PostgreSQL: to keep it out of messages; may be NULL */
    sqlite3 *db;
    PGconn *pg;
    int in_tx;
    int poisoned;
};

/* ------------------------------------------------------------------ */
/* URIs                                                                */
/* ------------------------------------------------------------------ */

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int is_postgres_uri(const char *uri)
{
    return starts_with(uri, "postgresql://") || starts_with(uri, "postgres://");
}

/* The file path of a sqlite: URI, or NULL when it is not one. */
static const char *sqlite_path(const char *uri)
{
    if (starts_with(uri, "sqlite://"))
        return uri + 9;
    if (starts_with(uri, "sqlite:"))
        return uri + 7;
    return NULL;
}

const char *sqlcat_sqlite_path(const char *uri) { return uri ? sqlite_path(uri) : NULL; }

/* Builds the label (password removed) and extracts the password of a
 * PostgreSQL URI. Both are allocated; *password may stay NULL. */
static dsg_status pg_label(const char *uri, char **label, char **password, dsg_error *err)
{
    size_t n = strlen(uri);
    char *out = dsgi_malloc(n + 1);
    if (out == NULL)
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (catalog URI)");
    const char *auth = strstr(uri, "://") + 3;
    const char *auth_end = auth + strcspn(auth, "/?");
    const char *at = NULL;
    for (const char *p = auth; p < auth_end; p++)
        if (*p == '@')
            at = p;
    const char *colon = NULL;
    if (at != NULL)
        colon = memchr(auth, ':', (size_t)(at - auth));
    size_t len = 0;
    *password = NULL;
    if (colon != NULL) {
        memcpy(out, uri, (size_t)(colon - uri));
        len = (size_t)(colon - uri);
        size_t plen = (size_t)(at - colon - 1);
        *password = dsgi_malloc(plen + 1);
        if (*password == NULL) {
            dsgi_free(out);
            return dsgi_fail(err, DSG_ENOMEM, "out of memory (catalog URI)");
        }
        memcpy(*password, colon + 1, plen);
        (*password)[plen] = '\0';
        const char *rest = at;
        memcpy(out + len, rest, (size_t)(auth_end - rest));
        len += (size_t)(auth_end - rest);
    } else {
        memcpy(out, uri, (size_t)(auth_end - uri));
        len = (size_t)(auth_end - uri);
    }
    /* path, then the query without any password= parameter */
    const char *q = strchr(auth_end, '?');
    const char *path_end = q ? q : uri + n;
    memcpy(out + len, auth_end, (size_t)(path_end - auth_end));
    len += (size_t)(path_end - auth_end);
    if (q != NULL) {
        const char *p = q + 1;
        int first = 1;
        while (*p) {
            size_t plen = strcspn(p, "&");
            if (!(plen >= 9 && strncmp(p, "password=", 9) == 0)) {
                out[len++] = first ? '?' : '&';
                memcpy(out + len, p, plen);
                len += plen;
                first = 0;
            } else if (*password == NULL) {
                *password = dsgi_malloc(plen - 9 + 1);
                if (*password == NULL) {
                    dsgi_free(out);
                    return dsgi_fail(err, DSG_ENOMEM, "out of memory (catalog URI)");
                }
                memcpy(*password, p + 9, plen - 9);
                (*password)[plen - 9] = '\0';
            }
            p += plen;
            if (*p == '&')
                p++;
        }
    }
    out[len] = '\0';
    *label = out;
    return DSG_OK;
}

/* Checks the syntax; on success *label and *password (PostgreSQL) are
 * allocated for the caller (either may be NULL to not receive it). */
static dsg_status parse_uri(const char *uri, sqlcat_kind *kind, char **label_out,
                            char **password_out, dsg_error *err)
{
    DSGI_RETURN_IF(uri == NULL || *uri == '\0', err, DSG_EINVAL, "the catalog URI is empty");
    const char *path = sqlite_path(uri);
    if (path != NULL) {
        DSGI_RETURN_IF(*path == '\0', err, DSG_EINVAL,
                       "catalog URI %s names no database file (sqlite:///abs/path.db or "
                       "sqlite:relative.db)", uri);
        DSGI_RETURN_IF(path[strlen(path) - 1] == '/', err, DSG_EINVAL,
                       "catalog URI %s names a directory, not a database file", uri);
        *kind = SQLCAT_SQLITE;
        if (label_out != NULL) {
            *label_out = dsgi_strdup(uri);
            if (*label_out == NULL)
                return dsgi_fail(err, DSG_ENOMEM, "out of memory (catalog URI)");
        }
        if (password_out != NULL)
            *password_out = NULL;
        return DSG_OK;
    }
    if (is_postgres_uri(uri)) {
        char *label = NULL, *password = NULL;
        DSGI_FORWARD(pg_label(uri, &label, &password, err));
        char *msg = NULL;
        PQconninfoOption *opts = PQconninfoParse(uri, &msg);
        if (opts == NULL) {
            char text[256] = "";
            if (msg != NULL) {
                snprintf(text, sizeof text, "%s", msg);
                size_t tl = strlen(text);
                while (tl > 0 && (text[tl - 1] == '\n' || text[tl - 1] == ' '))
                    text[--tl] = '\0';
                if (password != NULL && *password != '\0' && strstr(text, password) != NULL)
                    text[0] = '\0';
                PQfreemem(msg);
            }
            dsgi_fail(err, DSG_EINVAL, "catalog URI %s is not a valid PostgreSQL URI%s%s", label,
                      text[0] ? ": " : "", text);
            dsgi_free(label);
            dsgi_free(password);
            return DSG_EINVAL;
        }
        PQconninfoFree(opts);
        *kind = SQLCAT_POSTGRES;
        if (label_out != NULL)
            *label_out = label;
        else
            dsgi_free(label);
        if (password_out != NULL)
            *password_out = password;
        else
            dsgi_free(password);
        return DSG_OK;
    }
    /* Do not echo the URI: it may hold a password in an unknown syntax. */
    return dsgi_fail(err, DSG_EINVAL,
                     "the catalog URI must start with sqlite: (sqlite:///abs/path.db, "
                     "sqlite:relative.db) or postgresql:// (postgresql://user:pass@host:port/db)");
}

dsg_status sqlcat_check_uri(const char *uri, dsg_error *err)
{
    sqlcat_kind kind;
    return parse_uri(uri, &kind, NULL, NULL, err);
}

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

/* A short excerpt of a statement for messages: first line, trimmed. */
static void excerpt(char *out, size_t size, const char *sql)
{
    while (*sql == ' ' || *sql == '\n' || *sql == '\t')
        sql++;
    size_t n = 0;
    for (; sql[n] && n + 4 < size && n < SQL_EXCERPT; n++)
        out[n] = (sql[n] == '\n' || sql[n] == '\t') ? ' ' : sql[n];
    out[n] = '\0';
    if (sql[n])
        snprintf(out + n, size - n, "...");
}

/* Copies a server message without trailing newlines and without the
 * password, should it ever be quoted. */
static void clean_message(const sqlcat *c, char *out, size_t size, const char *msg)
{
    snprintf(out, size, "%s", msg ? msg : "unknown error");
    size_t n = strlen(out);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' ' || out[n - 1] == '\r'))
        out[--n] = '\0';
    for (char *p = out; *p; p++)
        if (*p == '\n')
            *p = ' ';
    if (c->password != NULL && c->password[0] != '\0' && strstr(out, c->password) != NULL)
        snprintf(out, size, "(message withheld: it quotes the password)");
}

static dsg_status sqlite_status(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return SQLCAT_CONFLICT;
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
            return SQLCAT_CONFLICT;
        return DSG_EREMOTE;
    case SQLITE_NOMEM:
        return DSG_ENOMEM;
    case SQLITE_NOTADB:
        return DSG_EINVAL;
    case SQLITE_ERROR:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
        return DSG_EREMOTE;
    default:
        return DSG_EIO;
    }
}

static dsg_status sqlite_fail(sqlcat *c, int rc, const char *sql, dsg_error *err)
{
    char msg[256], ex[SQL_EXCERPT + 8];
    clean_message(c, msg, sizeof msg, sqlite3_errmsg(c->db));
    excerpt(ex, sizeof ex, sql);
    if (c->in_tx)
        c->poisoned = 1;
    dsg_status st = sqlite_status(sqlite3_extended_errcode(c->db) ? sqlite3_extended_errcode(c->db) : rc);
    return dsgi_fail(err, st, "catalog %s: %s (in \"%s\")", c->label, msg, ex);
}

static dsg_status pg_status_of(const char *state)
{
    if (state == NULL)
        return DSG_ENET;
    /* serialization failure, deadlock, a key or a table name taken by a
     * concurrent transaction (its CREATE TABLE committed after our
     * snapshot showed no such table) */
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "23505") == 0 ||
        strcmp(state, "42P07") == 0)
        return SQLCAT_CONFLICT;
    if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0)
        return DSG_ENET;
    if (strncmp(state, "53", 2) == 0 && strcmp(state, "53200") == 0)
        return DSG_ENOMEM;
    return DSG_EREMOTE;
}

static dsg_status pg_fail(sqlcat *c, const PGresult *res, const char *sql, dsg_error *err)
{
    char msg[256], ex[SQL_EXCERPT + 8];
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *text = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (text == NULL)
        text = PQerrorMessage(c->pg);
    clean_message(c, msg, sizeof msg, text);
    excerpt(ex, sizeof ex, sql);
    if (c->in_tx)
        c->poisoned = 1;
    dsg_status st = pg_status_of(state);
    if (state == NULL && PQstatus(c->pg) == CONNECTION_OK)
        st = DSG_EREMOTE;
    return dsgi_fail(err, st, "catalog %s: %s%s%s (in \"%s\")", c->label, msg, state ? " SQLSTATE " : "",
                     state ? state : "", ex);
}

/* ------------------------------------------------------------------ */
/* Open and close                                                      */
/* ------------------------------------------------------------------ */

static void pg_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static dsg_status open_sqlite(sqlcat *c, const char *path, dsg_error *err)
{
    int rc = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        char msg[256];
        clean_message(c, msg, sizeof msg, c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        dsg_status st = rc == SQLITE_NOMEM ? DSG_ENOMEM : DSG_EIO;
        return dsgi_fail(err, st, "catalog %s: cannot open the database: %s", c->label, msg);
    }
    sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(c->db, 1);
    /* Reads the header now, so that a file that is not a database fails
     * here with a clear message rather than at the first statement. */
    rc = sqlite3_exec(c->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        char msg[256];
        clean_message(c, msg, sizeof msg, sqlite3_errmsg(c->db));
        dsg_status st = sqlite_status(rc);
        if (st == SQLCAT_CONFLICT)
            st = DSG_EIO;
        return dsgi_fail(err, st, "catalog %s: cannot read the database: %s", c->label, msg);
    }
    return DSG_OK;
}

static dsg_status open_pg(sqlcat *c, const char *uri, dsg_error *err)
{
    const char *keys[] = {"connect_timeout", "dbname", "fallback_application_name", NULL};
    const char *vals[] = {"15", uri, "dataset-generator", NULL};
    c->pg = PQconnectdbParams(keys, vals, 1);
    if (c->pg == NULL)
        return dsgi_fail(err, DSG_ENOMEM, "catalog %s: out of memory connecting", c->label);
    if (PQstatus(c->pg) != CONNECTION_OK) {
        char msg[320];
        clean_message(c, msg, sizeof msg, PQerrorMessage(c->pg));
        dsg_status st = DSG_ENET;
        if (strstr(msg, "authentication") != NULL || strstr(msg, "does not exist") != NULL ||
            strstr(msg, "no password") != NULL || strstr(msg, "not permitted") != NULL ||
            strstr(msg, "pg_hba.conf") != NULL)
            st = DSG_EREMOTE;
        return dsgi_fail(err, st, "catalog %s: cannot connect: %s", c->label, msg);
    }
    PQsetNoticeProcessor(c->pg, pg_quiet, NULL);
    return DSG_OK;
}

dsg_status sqlcat_open(sqlcat **out, const char *uri, dsg_error *err)
{
    sqlcat_kind kind;
    char *label = NULL, *password = NULL;
    DSGI_FORWARD(parse_uri(uri, &kind, &label, &password, err));
    sqlcat *c = dsgi_calloc(1, sizeof *c);
    if (c == NULL) {
        dsgi_free(label);
        dsgi_free(password);
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (catalog connection)");
    }
    c->kind = kind;
    c->label = label;
    c->password = password;
    dsg_status st = kind == SQLCAT_SQLITE ? open_sqlite(c, sqlite_path(uri), err) : open_pg(c, uri, err);
    if (st != DSG_OK) {
        sqlcat_close(c);
        return st;
    }
    *out = c;
    return DSG_OK;
}

void sqlcat_close(sqlcat *c)
{
    if (c == NULL)
        return;
    if (c->in_tx)
        sqlcat_rollback(c);
    if (c->db != NULL)
        sqlite3_close_v2(c->db);
    if (c->pg != NULL)
        PQfinish(c->pg);
    dsgi_free(c->label);
    if (c->password != NULL) {
        memset(c->password, 0, strlen(c->password));
        dsgi_free(c->password);
    }
    dsgi_free(c);
}

sqlcat_kind sqlcat_get_kind(const sqlcat *c) { return c->kind; }

const char *sqlcat_label(const sqlcat *c) { return c->label; }

/* ------------------------------------------------------------------ */
/* Statements                                                          */
/* ------------------------------------------------------------------ */

/* Prepares and binds one SQLite statement; *stmt on success. */
static dsg_status sqlite_prepare(sqlcat *c, const char *sql, const sqlcat_value *params, size_t n_params,
                                 sqlite3_stmt **stmt, dsg_error *err)
{
    const char *tail = NULL;
    int rc = sqlite3_prepare_v2(c->db, sql, -1, stmt, &tail);
    if (rc != SQLITE_OK)
        return sqlite_fail(c, rc, sql, err);
    if (*stmt == NULL)
        return dsgi_fail(err, DSG_EINTERNAL, "catalog %s: empty statement", c->label);
    while (tail != NULL && (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == ';'))
        tail++;
    if (tail != NULL && *tail != '\0') {
        sqlite3_finalize(*stmt);
        *stmt = NULL;
        return dsgi_fail(err, DSG_EINTERNAL, "catalog %s: several statements with parameters", c->label);
    }
    /* every parameter of the statement must be one of $1..$n */
    int count = sqlite3_bind_parameter_count(*stmt);
    for (int i = 1; i <= count; i++) {
        const char *name = sqlite3_bind_parameter_name(*stmt, i);
        char *end = NULL;
        long k = (name != NULL && name[0] == '$') ? strtol(name + 1, &end, 10) : 0;
        if (k < 1 || (size_t)k > n_params || end == NULL || *end != '\0') {
            sqlite3_finalize(*stmt);
            *stmt = NULL;
            return dsgi_fail(err, DSG_EINTERNAL, "catalog %s: parameter %s has no value", c->label,
                             name ? name : "?");
        }
        const sqlcat_value *v = &params[k - 1];
        if (v->type == SQLCAT_INT)
            rc = sqlite3_bind_int64(*stmt, i, v->i);
        else if (v->type == SQLCAT_TEXT)
            rc = sqlite3_bind_text(*stmt, i, v->s, -1, SQLITE_STATIC);
        else
            rc = sqlite3_bind_null(*stmt, i);
        if (rc != SQLITE_OK) {
            sqlite3_finalize(*stmt);
            *stmt = NULL;
            return sqlite_fail(c, rc, sql, err);
        }
    }
    return DSG_OK;
}

/* Runs a PostgreSQL statement; *res holds a successful result. */
static dsg_status pg_run(sqlcat *c, const char *sql, const sqlcat_value *params, size_t n_params,
                         PGresult **res, dsg_error *err)
{
    PGresult *r;
    if (n_params == 0) {
        r = PQexec(c->pg, sql);
    } else {
        DSGI_RETURN_IF(n_params > 65535, err, DSG_EINTERNAL, "catalog %s: too many parameters", c->label);
        const char **values = dsgi_calloc(n_params, sizeof *values);
        char (*ints)[24] = dsgi_calloc(n_params, sizeof *ints);
        if (values == NULL || ints == NULL) {
            dsgi_free(values);
            dsgi_free(ints);
            return dsgi_fail(err, DSG_ENOMEM, "out of memory (catalog parameters)");
        }
        for (size_t i = 0; i < n_params; i++) {
            if (params[i].type == SQLCAT_INT) {
                snprintf(ints[i], sizeof ints[i], "%" PRId64, params[i].i);
                values[i] = ints[i];
            } else if (params[i].type == SQLCAT_TEXT) {
                values[i] = params[i].s;
            }
        }
        r = PQexecParams(c->pg, sql, (int)n_params, NULL, values, NULL, NULL, 0);
        dsgi_free(values);
        dsgi_free(ints);
    }
    ExecStatusType es = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (es != PGRES_COMMAND_OK && es != PGRES_TUPLES_OK) {
        dsg_status st = pg_fail(c, r, sql, err);
        PQclear(r);
        return st;
    }
    *res = r;
    return DSG_OK;
}

static dsg_status check_usable(sqlcat *c, dsg_error *err)
{
    DSGI_RETURN_IF(c->poisoned, err, DSG_ESTATE,
                   "catalog %s: the transaction failed earlier; roll it back", c->label);
    return DSG_OK;
}

dsg_status sqlcat_exec(sqlcat *c, const char *sql, const sqlcat_value *params, size_t n_params,
                       int64_t *changed, dsg_error *err)
{
    DSGI_FORWARD(check_usable(c, err));
    if (c->kind == SQLCAT_SQLITE) {
        if (n_params == 0) {
            int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
            if (rc != SQLITE_OK)
                return sqlite_fail(c, rc, sql, err);
        } else {
            sqlite3_stmt *stmt;
            DSGI_FORWARD(sqlite_prepare(c, sql, params, n_params, &stmt, err));
            int rc;
            while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            }
            if (rc != SQLITE_DONE) {
                dsg_status st = sqlite_fail(c, rc, sql, err);
                sqlite3_finalize(stmt);
                return st;
            }
            sqlite3_finalize(stmt);
        }
        if (changed != NULL)
            *changed = sqlite3_changes64(c->db);
        return DSG_OK;
    }
    PGresult *res;
    DSGI_FORWARD(pg_run(c, sql, params, n_params, &res, err));
    if (changed != NULL) {
        const char *t = PQcmdTuples(res);
        *changed = (t && *t) ? strtoll(t, NULL, 10) : 0;
    }
    PQclear(res);
    return DSG_OK;
}

static sqlcat_rows *rows_new(size_t n_cols)
{
    sqlcat_rows *r = dsgi_calloc(1, sizeof *r);
    if (r != NULL)
        r->n_cols = n_cols;
    return r;
}

void sqlcat_rows_free(sqlcat_rows *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_rows * r->n_cols; i++)
        dsgi_free(r->cells[i]);
    dsgi_free(r->cells);
    dsgi_free(r);
}

static dsg_status sqlite_query(sqlcat *c, const char *sql, const sqlcat_value *params, size_t n_params,
                               sqlcat_rows **out, dsg_error *err)
{
    sqlite3_stmt *stmt;
    DSGI_FORWARD(sqlite_prepare(c, sql, params, n_params, &stmt, err));
    size_t n_cols = (size_t)sqlite3_column_count(stmt);
    sqlcat_rows *r = rows_new(n_cols);
    size_t cap = 0;
    dsg_status st = DSG_OK;
    if (r == NULL)
        st = dsgi_fail(err, DSG_ENOMEM, "out of memory (catalog rows)");
    int rc = SQLITE_DONE;
    while (st == DSG_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (r->n_rows == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **cells = dsgi_realloc(r->cells, ncap * (n_cols ? n_cols : 1) * sizeof *cells);
            if (cells == NULL) {
                st = dsgi_fail(err, DSG_ENOMEM, "out of memory (catalog rows)");
                break;
            }
            r->cells = cells;
            cap = ncap;
        }
        char **row = r->cells + r->n_rows * n_cols;
        for (size_t j = 0; j < n_cols; j++)
            row[j] = NULL;
        r->n_rows++;
        for (size_t j = 0; j < n_cols; j++) {
            const unsigned char *v = sqlite3_column_text(stmt, (int)j);
            if (v == NULL) {
                if (sqlite3_column_type(stmt, (int)j) != SQLITE_NULL) {
                    st = dsgi_fail(err, DSG_ENOMEM, "out of memory (catalog rows)");
                    break;
                }
                continue;
            }
            row[j] = dsgi_strdup((const char *)v);
            if (row[j] == NULL) {
                st = dsgi_fail(err, DSG_ENOMEM, "out of memory (catalog rows)");
                break;
            }
        }
    }
    if (st == DSG_OK && rc != SQLITE_DONE)
        st = sqlite_fail(c, rc, sql, err);
    sqlite3_finalize(stmt);
    if (st != DSG_OK) {
        if (st == DSG_ENOMEM && c->in_tx)
            c->poisoned = 1;
        sqlcat_rows_free(r);
        return st;
    }
    *out = r;
    return DSG_OK;
}

static dsg_status pg_query(sqlcat *c, const char *sql, const sqlcat_value *params, size_t n_params,
                           sqlcat_rows **out, dsg_error *err)
{
    PGresult *res;
    DSGI_FORWARD(pg_run(c, sql, params, n_params, &res, err));
    size_t n_rows = (size_t)PQntuples(res), n_cols = (size_t)PQnfields(res);
    sqlcat_rows *r = rows_new(n_cols);
    if (r == NULL || (n_rows * n_cols > 0 && (r->cells = dsgi_calloc(n_rows * n_cols, sizeof *r->cells)) == NULL)) {
        PQclear(res);
        dsgi_free(r);
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (catalog rows)");
    }
    r->n_rows = n_rows;
    for (size_t i = 0; i < n_rows; i++) {
        for (size_t j = 0; j < n_cols; j++) {
            if (PQgetisnull(res, (int)i, (int)j))
                continue;
            char *v = dsgi_strdup(PQgetvalue(res, (int)i, (int)j));
            if (v == NULL) {
                PQclear(res);
                sqlcat_rows_free(r);
                return dsgi_fail(err, DSG_ENOMEM, "out of memory (catalog rows)");
            }
            r->cells[i * n_cols + j] = v;
        }
    }
    PQclear(res);
    *out = r;
    return DSG_OK;
}

dsg_status sqlcat_query(sqlcat *c, const char *sql, const sqlcat_value *params, size_t n_params,
                        sqlcat_rows **out, dsg_error *err)
{
    DSGI_FORWARD(check_usable(c, err));
    if (c->kind == SQLCAT_SQLITE)
        return sqlite_query(c, sql, params, n_params, out, err);
    return pg_query(c, sql, params, n_params, out, err);
}

/* ------------------------------------------------------------------ */
/* Transactions                                                        */
/* ------------------------------------------------------------------ */

dsg_status sqlcat_begin(sqlcat *c, sqlcat_tx tx, dsg_error *err)
{
    DSGI_RETURN_IF(c->in_tx, err, DSG_ESTATE, "catalog %s: a transaction is already open", c->label);
    const char *sql;
    if (c->kind == SQLCAT_SQLITE)
        sql = tx == SQLCAT_TX_WRITE ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED";
    else
        sql = tx == SQLCAT_TX_WRITE ? "BEGIN ISOLATION LEVEL SERIALIZABLE"
                                    : "BEGIN ISOLATION LEVEL REPEATABLE READ";
    c->poisoned = 0;
    DSGI_FORWARD(sqlcat_exec(c, sql, NULL, 0, NULL, err));
    c->in_tx = 1;
    return DSG_OK;
}

dsg_status sqlcat_commit(sqlcat *c, dsg_error *err)
{
    DSGI_RETURN_IF(!c->in_tx, err, DSG_ESTATE, "catalog %s: no transaction to commit", c->label);
    DSGI_FORWARD(check_usable(c, err));
    if (c->kind == SQLCAT_SQLITE) {
        int rc = sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            return sqlite_fail(c, rc, "COMMIT", err);
        c->in_tx = 0;
        return DSG_OK;
    }
    PGresult *res = PQexec(c->pg, "COMMIT");
    ExecStatusType es = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (es != PGRES_COMMAND_OK) {
        dsg_status st = pg_fail(c, res, "COMMIT", err);
        PQclear(res);
        return st;
    }
    /* PostgreSQL answers ROLLBACK to a COMMIT of a failed transaction */
    int rolled_back = strcmp(PQcmdStatus(res), "COMMIT") != 0;
    PQclear(res);
    c->in_tx = 0;
    DSGI_RETURN_IF(rolled_back, err, DSG_EREMOTE, "catalog %s: the server rolled the transaction back",
                   c->label);
    return DSG_OK;
}

void sqlcat_rollback(sqlcat *c)
{
    if (c == NULL || !c->in_tx)
        return;
    if (c->kind == SQLCAT_SQLITE) {
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    } else {
        PGresult *res = PQexec(c->pg, "ROLLBACK");
        PQclear(res);
    }
    c->in_tx = 0;
    c->poisoned = 0;
}

dsg_status sqlcat_table_exists(sqlcat *c, const char *table, int *exists, dsg_error *err)
{
    const char *sql = c->kind == SQLCAT_SQLITE
                          ? "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1"
                          : "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() "
                            "AND table_name = $1";
    sqlcat_value p = sqlcat_text(table);
    sqlcat_rows *rows;
    DSGI_FORWARD(sqlcat_query(c, sql, &p, 1, &rows, err));
    *exists = rows->n_rows > 0;
    sqlcat_rows_free(rows);
    return DSG_OK;
}
