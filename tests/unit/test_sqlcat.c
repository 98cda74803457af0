/*
 * test_sqlcat.c - the SQL catalog connection (lib/table/sqlcat.c): URI
 * parsing and labels without passwords, $n parameters in any order,
 * values and NULLs both ways, rows changed, transactions, and the
 * conflicts a concurrent writer causes (SQLite: a reader that tries to
 * write while another holds the write lock; PostgreSQL: a serialization
 * failure between two serialisable transactions; both: a unique key
 * inserted first by another connection).
 *
 * SQLite always runs (in a temporary directory). PostgreSQL runs when
 * DSG_TEST_PG_URI names a database (tests/python/test_sqlcat.py starts a
 * server and passes it).
 */
#include "table/sqlcat.h"
#include "test_util.h"

#include <stdlib.h>
#include <unistd.h>

static void check_uris(void)
{
    dsg_error err;
    CHECK(sqlcat_check_uri("sqlite:///tmp/x.db", &err) == DSG_OK);
    CHECK(sqlcat_check_uri("sqlite:rel/x.db", &err) == DSG_OK);
    CHECK(sqlcat_check_uri("sqlite://x.db", &err) == DSG_OK);
    CHECK(sqlcat_check_uri("postgresql://u:p@localhost:5432/db", &err) == DSG_OK);
    CHECK(sqlcat_check_uri("postgres://localhost/db?sslmode=disable", &err) == DSG_OK);
    CHECK(sqlcat_check_uri("sqlite:", &err) == DSG_EINVAL);
    CHECK(sqlcat_check_uri("sqlite:///", &err) == DSG_EINVAL);
    CHECK(sqlcat_check_uri("sqlite:///tmp/dir/", &err) == DSG_EINVAL);
    CHECK(sqlcat_check_uri("", &err) == DSG_EINVAL);
    CHECK(sqlcat_check_uri("mysql://u:hunter2@h/db", &err) == DSG_EINVAL);
    CHECKF(strstr(err.message, "hunter2") == NULL, "%s", err.message);
    CHECK(sqlcat_check_uri("postgresql://u:hunter2@h:5/db?nosuch=1", &err) == DSG_EINVAL);
    CHECKF(strstr(err.message, "hunter2") == NULL, "%s", err.message);
    CHECKF(strstr(err.message, "postgresql://u@h:5/db?nosuch=1") != NULL, "%s", err.message);
    CHECK(sqlcat_check_uri("postgresql://h/db?bogus_option=1&password=hunter2", &err) == DSG_EINVAL);
    CHECKF(strstr(err.message, "hunter2") == NULL, "%s", err.message);

    /* a server that is not there: a network error naming the catalog
     * without its password */
    sqlcat *c = NULL;
    dsg_status st = sqlcat_open(&c, "postgresql://dsg:hunter2@127.0.0.1:1/db?connect_timeout=2", &err);
    CHECKF(st == DSG_ENET, "status %d: %s", st, err.message);
    CHECK(c == NULL);
    CHECKF(strstr(err.message, "hunter2") == NULL, "%s", err.message);
    CHECKF(strstr(err.message, "postgresql://dsg@127.0.0.1:1/db?connect_timeout=2") != NULL, "%s", err.message);

    /* a directory that does not exist, a file that is not a database */
    st = sqlcat_open(&c, "sqlite:///nonexistent-dir-dsg/x.db", &err);
    CHECKF(st == DSG_EIO, "status %d: %s", st, err.message);
    CHECKF(strstr(err.message, "sqlite:///nonexistent-dir-dsg/x.db") != NULL, "%s", err.message);
}

/* The same checks on either engine; uri2 opens a second connection to the
 * same database. */
static void check_engine(const char *uri)
{
    dsg_error err;
    sqlcat *c, *d;
    CHECKF(sqlcat_open(&c, uri, &err) == DSG_OK, "%s", err.message);
    CHECKF(sqlcat_open(&d, uri, &err) == DSG_OK, "%s", err.message);
    CHECK(strstr(sqlcat_label(c), "dsgpass") == NULL);

    CHECKF(sqlcat_exec(c, "DROP TABLE IF EXISTS dsg_t; DROP TABLE IF EXISTS dsg_u;"
                          "CREATE TABLE dsg_t(id BIGINT PRIMARY KEY, name VARCHAR, v BIGINT);"
                          "CREATE TABLE dsg_u(k BIGINT)", NULL, 0, NULL, &err) == DSG_OK, "%s", err.message);
    int exists = -1;
    CHECKF(sqlcat_table_exists(c, "dsg_t", &exists, &err) == DSG_OK, "%s", err.message);
    CHECK(exists == 1);
    CHECKF(sqlcat_table_exists(c, "dsg_missing", &exists, &err) == DSG_OK, "%s", err.message);
    CHECK(exists == 0);

    /* parameters used out of order, extremes, NULL, text with quotes */
    sqlcat_value p[3] = {sqlcat_text("it's \"x\""), sqlcat_int(INT64_MIN), sqlcat_int(1)};
    int64_t changed = -1;
    CHECKF(sqlcat_exec(c, "INSERT INTO dsg_t(v, name, id) VALUES ($2, $1, $3)", p, 3, &changed, &err) == DSG_OK,
           "%s", err.message);
    CHECK(changed == 1);
    sqlcat_value q[3] = {sqlcat_int(2), sqlcat_null(), sqlcat_int(INT64_MAX)};
    CHECKF(sqlcat_exec(c, "INSERT INTO dsg_t(id, name, v) VALUES ($1, $2, $3)", q, 3, NULL, &err) == DSG_OK,
           "%s", err.message);
    sqlcat_rows *rows;
    CHECKF(sqlcat_query(c, "SELECT id, name, v FROM dsg_t ORDER BY id", NULL, 0, &rows, &err) == DSG_OK, "%s",
           err.message);
    CHECK(rows->n_rows == 2 && rows->n_cols == 3);
    CHECK(strcmp(sqlcat_cell(rows, 0, 0), "1") == 0);
    CHECK(strcmp(sqlcat_cell(rows, 0, 1), "it's \"x\"") == 0);
    CHECK(strcmp(sqlcat_cell(rows, 0, 2), "-9223372036854775808") == 0);
    CHECK(sqlcat_cell(rows, 1, 1) == NULL);
    CHECK(strcmp(sqlcat_cell(rows, 1, 2), "9223372036854775807") == 0);
    sqlcat_rows_free(rows);
    sqlcat_value one = sqlcat_int(1);
    CHECKF(sqlcat_query(c, "SELECT name FROM dsg_t WHERE id = $1", &one, 1, &rows, &err) == DSG_OK, "%s",
           err.message);
    CHECK(rows->n_rows == 1 && strcmp(sqlcat_cell(rows, 0, 0), "it's \"x\"") == 0);
    sqlcat_rows_free(rows);
    CHECKF(sqlcat_query(c, "SELECT id FROM dsg_t WHERE id > 100", NULL, 0, &rows, &err) == DSG_OK, "%s",
           err.message);
    CHECK(rows->n_rows == 0 && rows->n_cols == 1);
    sqlcat_rows_free(rows);
    sqlcat_value upd[2] = {sqlcat_text("z"), sqlcat_int(0)};
    CHECKF(sqlcat_exec(c, "UPDATE dsg_t SET name = $1 WHERE id > $2", upd, 2, &changed, &err) == DSG_OK, "%s",
           err.message);
    CHECK(changed == 2);

    /* a bad statement: an error naming the catalog, not a conflict */
    dsg_status st = sqlcat_exec(c, "SELECT nothing FROM dsg_missing", NULL, 0, NULL, &err);
    CHECKF(st == DSG_EREMOTE, "status %d: %s", st, err.message);
    CHECKF(strstr(err.message, sqlcat_label(c)) != NULL, "%s", err.message);

    /* rollback forgets, commit keeps */
    CHECKF(sqlcat_begin(c, SQLCAT_TX_WRITE, &err) == DSG_OK, "%s", err.message);
    CHECK(sqlcat_begin(c, SQLCAT_TX_WRITE, &err) == DSG_ESTATE);
    CHECKF(sqlcat_exec(c, "INSERT INTO dsg_u VALUES (10)", NULL, 0, NULL, &err) == DSG_OK, "%s", err.message);
    sqlcat_rollback(c);
    CHECKF(sqlcat_begin(c, SQLCAT_TX_WRITE, &err) == DSG_OK, "%s", err.message);
    CHECKF(sqlcat_exec(c, "INSERT INTO dsg_u VALUES (11)", NULL, 0, NULL, &err) == DSG_OK, "%s", err.message);
    CHECKF(sqlcat_commit(c, &err) == DSG_OK, "%s", err.message);
    CHECKF(sqlcat_query(d, "SELECT k FROM dsg_u", NULL, 0, &rows, &err) == DSG_OK, "%s", err.message);
    CHECK(rows->n_rows == 1 && strcmp(sqlcat_cell(rows, 0, 0), "11") == 0);
    sqlcat_rows_free(rows);

    /* a unique key taken by another connection: a conflict */
    CHECKF(sqlcat_begin(d, SQLCAT_TX_WRITE, &err) == DSG_OK, "%s", err.message);
    sqlcat_value dup[1] = {sqlcat_int(2)};
    st = sqlcat_exec(d, "INSERT INTO dsg_t(id) VALUES ($1)", dup, 1, NULL, &err);
    CHECKF(st == SQLCAT_CONFLICT, "status %d: %s", st, err.message);
    /* a failed transaction cannot commit */
    CHECK(sqlcat_commit(d, &err) != DSG_OK);
    sqlcat_rollback(d);

    /* two writers: the second one loses */
    if (sqlcat_get_kind(c) == SQLCAT_SQLITE) {
        /* d reads in a deferred transaction, c takes the write lock, d
         * tries to write: SQLite answers BUSY at once (waiting could
         * deadlock) */
        CHECKF(sqlcat_begin(d, SQLCAT_TX_READ, &err) == DSG_OK, "%s", err.message);
        CHECKF(sqlcat_query(d, "SELECT count(*) FROM dsg_u", NULL, 0, &rows, &err) == DSG_OK, "%s", err.message);
        sqlcat_rows_free(rows);
        CHECKF(sqlcat_begin(c, SQLCAT_TX_WRITE, &err) == DSG_OK, "%s", err.message);
        CHECKF(sqlcat_exec(c, "INSERT INTO dsg_u VALUES (12)", NULL, 0, NULL, &err) == DSG_OK, "%s", err.message);
        st = sqlcat_exec(d, "INSERT INTO dsg_u VALUES (13)", NULL, 0, NULL, &err);
        CHECKF(st == SQLCAT_CONFLICT, "status %d: %s", st, err.message);
        sqlcat_rollback(d);
        CHECKF(sqlcat_commit(c, &err) == DSG_OK, "%s", err.message);
    } else {
        /* write skew between two serialisable transactions */
        CHECKF(sqlcat_begin(c, SQLCAT_TX_WRITE, &err) == DSG_OK, "%s", err.message);
        CHECKF(sqlcat_begin(d, SQLCAT_TX_WRITE, &err) == DSG_OK, "%s", err.message);
        CHECKF(sqlcat_query(c, "SELECT max(k) FROM dsg_u", NULL, 0, &rows, &err) == DSG_OK, "%s", err.message);
        sqlcat_rows_free(rows);
        CHECKF(sqlcat_query(d, "SELECT max(k) FROM dsg_u", NULL, 0, &rows, &err) == DSG_OK, "%s", err.message);
        sqlcat_rows_free(rows);
        CHECKF(sqlcat_exec(c, "INSERT INTO dsg_u VALUES (12)", NULL, 0, NULL, &err) == DSG_OK, "%s", err.message);
        st = sqlcat_exec(d, "INSERT INTO dsg_u VALUES (13)", NULL, 0, NULL, &err);
        CHECKF(st == DSG_OK, "%s", err.message);
        CHECKF(sqlcat_commit(c, &err) == DSG_OK, "%s", err.message);
        st = sqlcat_commit(d, &err);
        CHECKF(st == SQLCAT_CONFLICT, "status %d: %s", st, err.message);
        CHECKF(strstr(err.message, "40001") != NULL, "%s", err.message);
        sqlcat_rollback(d);
    }
    CHECKF(sqlcat_query(d, "SELECT k FROM dsg_u ORDER BY k", NULL, 0, &rows, &err) == DSG_OK, "%s", err.message);
    CHECK(rows->n_rows == 2 && strcmp(sqlcat_cell(rows, 1, 0), "12") == 0);
    sqlcat_rows_free(rows);

    /* a retry after the conflict succeeds */
    CHECKF(sqlcat_begin(d, SQLCAT_TX_WRITE, &err) == DSG_OK, "%s", err.message);
    CHECKF(sqlcat_exec(d, "INSERT INTO dsg_u VALUES (13)", NULL, 0, NULL, &err) == DSG_OK, "%s", err.message);
    CHECKF(sqlcat_commit(d, &err) == DSG_OK, "%s", err.message);

    CHECKF(sqlcat_exec(c, "DROP TABLE dsg_t; DROP TABLE dsg_u", NULL, 0, NULL, &err) == DSG_OK, "%s",
           err.message);
    sqlcat_close(d);
    sqlcat_close(c);
}

int main(void)
{
    check_uris();

    char dir[] = "/tmp/dsg-sqlcat-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char uri[256], path[128];
    snprintf(path, sizeof path, "%s/cat.db", dir);
    snprintf(uri, sizeof uri, "sqlite://%s", path);
    check_engine(uri);

    /* a file that is not a database */
    char junk[128];
    snprintf(junk, sizeof junk, "%s/junk.db", dir);
    FILE *f = fopen(junk, "wb");
    CHECK(f != NULL);
    for (int i = 0; i < 200; i++)
        fputs("not a database ", f);
    fclose(f);
    snprintf(uri, sizeof uri, "sqlite://%s", junk);
    sqlcat *c = NULL;
    dsg_error err;
    dsg_status st = sqlcat_open(&c, uri, &err);
    CHECKF(st == DSG_EINVAL, "status %d: %s", st, err.message);
    CHECKF(strstr(err.message, junk) != NULL, "%s", err.message);
    unlink(junk);
    unlink(path);
    rmdir(dir);

    const char *pg = getenv("DSG_TEST_PG_URI");
    if (pg != NULL && *pg != '\0') {
        check_engine(pg);
        printf("test_sqlcat: SQLite and PostgreSQL passed\n");
    } else {
        printf("test_sqlcat: SQLite passed (PostgreSQL: tests/python/test_sqlcat.py)\n");
    }
    return 0;
}
