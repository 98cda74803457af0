/*
 * table.c - the registry of table formats (table.h).
 *
 * Each format helper adds one line to 'builtin' below. Tests may register
 * more formats at run time (dsgt_format_register).
 */
#include "table/table.h"

#include <pthread.h>

static const dsgt_format *const builtin[] = {
    /* &dsgt_delta_format, &dsgt_iceberg_format, &dsgt_ducklake_format: one line each */
    &dsgt_delta_format,
    &dsgt_iceberg_format,
    &dsgt_ducklake_format,
    NULL,
};

#define MAX_REGISTERED 8
static const dsgt_format *registered[MAX_REGISTERED];
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;

const dsgt_format *dsgt_format_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; builtin[i] != NULL; i++)
        if (strcmp(builtin[i]->name, name) == 0)
            return builtin[i];
    const dsgt_format *found = NULL;
    pthread_mutex_lock(&registry_lock);
    for (size_t i = 0; i < MAX_REGISTERED && found == NULL; i++)
        if (registered[i] != NULL && strcmp(registered[i]->name, name) == 0)
            found = registered[i];
    pthread_mutex_unlock(&registry_lock);
    return found;
}

int dsgt_format_known(const char *name)
{
    static const char *const names[] = {"delta", "iceberg", "ducklake"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (name != NULL && strcmp(names[i], name) == 0)
            return 1;
    return 0;
}

dsg_status dsgt_format_register(const dsgt_format *fmt, dsg_error *err)
{
    DSGI_RETURN_IF(fmt == NULL || fmt->name == NULL || fmt->open == NULL || fmt->add_file == NULL ||
                       fmt->commit == NULL || fmt->free == NULL,
                   err, DSG_EINVAL, "incomplete table format");
    pthread_mutex_lock(&registry_lock);
    dsg_status st = DSG_OK;
    size_t i = 0;
    while (i < MAX_REGISTERED && registered[i] != NULL && registered[i] != fmt)
        i++;
    if (i == MAX_REGISTERED)
        st = dsgi_fail(err, DSG_EINVAL, "too many table formats registered");
    else
        registered[i] = fmt;
    pthread_mutex_unlock(&registry_lock);
    return st;
}
