/*
 * series.c - hive partition paths and list parsing for the time-series
 * datasets (see series.h).
 */
#include "series.h"

#include <stdio.h>

static void civil_of(int64_t ts_us, int64_t *y, unsigned *m, unsigned *d, unsigned *h)
{
    int64_t day = dsgi_floor_div(ts_us, DSGI_US_PER_DAY);
    dsgi_civil_from_days(day, y, m, d);
    *h = (unsigned)((ts_us - day * DSGI_US_PER_DAY) / DSGI_US_PER_HOUR);
}

int64_t dsgi_hive_key(int64_t ts_us, dsgi_hive_levels levels)
{
    int64_t y;
    unsigned m, d, h;
    civil_of(ts_us, &y, &m, &d, &h);
    switch (levels) {
    case DSGI_HIVE_NONE: return 0;
    case DSGI_HIVE_Y: return y;
    case DSGI_HIVE_YM: return y * 12 + m;
    case DSGI_HIVE_YMD: return dsgi_floor_div(ts_us, DSGI_US_PER_DAY);
    default: return dsgi_floor_div(ts_us, DSGI_US_PER_HOUR);
    }
}

dsg_status dsgi_hive_path(int64_t ts_us, dsgi_hive_levels levels, char *path, size_t size,
                          dsg_error *err)
{
    int64_t y;
    unsigned m, d, h;
    civil_of(ts_us, &y, &m, &d, &h);
    char buf[64];
    switch (levels) {
    case DSGI_HIVE_NONE: buf[0] = '\0'; break;
    case DSGI_HIVE_Y: snprintf(buf, sizeof buf, "year=%04lld", (long long)y); break;
    case DSGI_HIVE_YM: snprintf(buf, sizeof buf, "year=%04lld/month=%02u", (long long)y, m); break;
    case DSGI_HIVE_YMD:
        snprintf(buf, sizeof buf, "year=%04lld/month=%02u/day=%02u", (long long)y, m, d);
        break;
    default:
        snprintf(buf, sizeof buf, "year=%04lld/month=%02u/day=%02u/hour=%02u", (long long)y, m, d, h);
        break;
    }
    size_t n = strlen(buf);
    DSGI_RETURN_IF(n >= size, err, DSG_EINVAL, "partition path %s does not fit in %zu bytes", buf,
                   size);
    memcpy(path, buf, n + 1);
    return DSG_OK;
}

const char *const *dsgi_hive_names(dsgi_hive_levels levels, size_t *n)
{
    static const char *const names[] = {"year", "month", "day", "hour"};
    *n = (size_t)levels;
    return levels == DSGI_HIVE_NONE ? NULL : names;
}

const dsg_partition_transform *dsgi_hive_transforms(dsgi_hive_levels levels)
{
    static const dsg_partition_transform transforms[] = {DSG_PART_YEAR, DSG_PART_MONTH,
                                                         DSG_PART_DAY, DSG_PART_HOUR};
    return levels == DSGI_HIVE_NONE ? NULL : transforms;
}

dsg_status dsgi_parse_hive_levels(const char *option, const char *value, dsgi_hive_levels *out,
                                  dsg_error *err)
{
    static const char *const spellings[] = {"none", "y", "ym", "ymd", "ymdh"};
    for (int i = 0; i < 5; i++) {
        if (strcmp(value, spellings[i]) == 0) {
            *out = (dsgi_hive_levels)i;
            return DSG_OK;
        }
    }
    return dsgi_fail(err, DSG_EINVAL,
                     "--%s must be ymdh (year/month/day/hour), ymd, ym, y or none, not '%s'",
                     option, value);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

int dsgi_split_list(char *text, char **items, int max_items)
{
    int n = 0;
    char *p = text;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        char *item = trim(p);
        if (*item == '\0' || n == max_items)
            return -1;
        items[n++] = item;
        if (!comma)
            return n;
        p = comma + 1;
    }
}
