/*
 * fuzz_catalog_uri - libFuzzer target for the catalog URI parser of
 * lib/table/sqlcat.c (sqlcat_check_uri: sqlite: and postgresql:// URIs,
 * the label without password). Any input is checked as a URI; then as the
 * password of a PostgreSQL URI with a bad option, whose error message must
 * never contain that password.
 */
#include "table/sqlcat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = malloc(size + 1);
    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    dsg_error err;
    dsg_status st = sqlcat_check_uri(s, &err);
    if (st != DSG_OK && (st != DSG_EINVAL || strlen(err.message) >= sizeof err.message))
        abort();
    const char *path = sqlcat_sqlite_path(s);
    if (path != NULL && (path < s || path > s + size))
        abort();
    /* a password of letters and digits never reaches a message */
    int plain = size >= 6;
    for (size_t i = 0; i < size && plain; i++)
        plain = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9');
    if (plain) {
        /* words of the message itself ("postgre", "option") do not count */
        dsg_error neutral;
        sqlcat_check_uri("postgresql://user:Z9@host:5432/db?no_such_option=1", &neutral);
        plain = strstr(neutral.message, s) == NULL;
    }
    if (plain) {
        char uri[4200];
        snprintf(uri, sizeof uri, "postgresql://user:%s@host:5432/db?no_such_option=1", s);
        st = sqlcat_check_uri(uri, &err);
        if (st != DSG_EINVAL || strstr(err.message, s) != NULL)
            abort();
    }
    free(s);
    return 0;
}
