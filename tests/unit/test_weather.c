/*
 * test_weather.c - the weather dataset through the public API: the
 * invariants listed at the top of lib/datasets/weather.c (rows per station
 * and hour in (timestamp, location_id) order, local days, daily rows as the
 * aggregates of the hourly rows, Magnus humidity, conditions and
 * precipitation), partitions, pieces of any size, seeds, options.
 */
#include "series_util.h"

#include <math.h>

enum { H_TS, H_LOC, H_TEMP, H_HUM, H_WIND, H_PRES, H_PRECIP, H_COND, H_DEW };
enum { D_DATE, D_LOC, D_TMIN, D_TMAX, D_PRECIP, D_SNOW, D_COND };

static int is_wet(const char *c)
{
    return !strcmp(c, "storm") || !strcmp(c, "snow") || !strcmp(c, "rain") || !strcmp(c, "drizzle");
}

static long tenths(double x) { return lround(x * 10.0); }

static void check_hourly(const ttable *h)
{
    for (size_t i = 0; i < h->rows; i++) {
        if (i > 0)
            CHECK(I64(h, H_TS, i) > I64(h, H_TS, i - 1) ||
                  (I64(h, H_TS, i) == I64(h, H_TS, i - 1) && I64(h, H_LOC, i) > I64(h, H_LOC, i - 1)));
        CHECK(I64(h, H_TS, i) % 3600000000ll == 0);
        double t = F64(h, H_TEMP, i), td = F64(h, H_DEW, i);
        CHECK(td <= t);
        double rh = 100.0 * exp(17.625 * td / (243.04 + td) - 17.625 * t / (243.04 + t));
        CHECKF(fabs(F64(h, H_HUM, i) - (rh > 100 ? 100 : rh)) <= 0.05 + 1e-9, "row %zu: humidity %g for %g/%g",
               i, F64(h, H_HUM, i), t, td);
        CHECK((F64(h, H_PRECIP, i) > 0) == is_wet(STR(h, H_COND, i)));
        CHECK(F64(h, H_WIND, i) >= 0 && F64(h, H_PRES, i) > 900 && F64(h, H_PRES, i) < 1100);
        for (int c = H_TEMP; c <= H_PRECIP; c++)
            CHECK(fabs(F64(h, c, i) * 10 - (double)tenths(F64(h, c, i))) < 1e-6);
    }
}

/* Invariant 4 for every daily row; offsets[] gives each station's UTC
 * offset by location_id (ids 1..n). */
static void check_daily(const ttable *h, const ttable *d, const int *offsets, size_t n_ids)
{
    size_t matched = 0;
    for (size_t r = 0; r < d->rows; r++) {
        int64_t id = I64(d, D_LOC, r);
        CHECK(id >= 1 && (size_t)id <= n_ids);
        int64_t first = ((int64_t)I32(d, D_DATE, r) * 24 - offsets[id]) * 3600000000ll;
        long lo = 100000, hi = -100000, rain = 0, snow = 0;
        int storm = 0, hours = 0;
        unsigned count[4] = {0}; /* fog, cloudy, partly_cloudy, sunny or clear */
        for (size_t i = 0; i < h->rows; i++) {
            if (I64(h, H_LOC, i) != id || I64(h, H_TS, i) < first || I64(h, H_TS, i) >= first + 86400000000ll)
                continue;
            hours++;
            long t = tenths(F64(h, H_TEMP, i));
            lo = t < lo ? t : lo;
            hi = t > hi ? t : hi;
            rain += tenths(F64(h, H_PRECIP, i));
            if (t <= 5)
                snow += tenths(F64(h, H_PRECIP, i));
            const char *c = STR(h, H_COND, i);
            storm |= !strcmp(c, "storm");
            count[0] += !strcmp(c, "fog");
            count[1] += !strcmp(c, "cloudy");
            count[2] += !strcmp(c, "partly_cloudy");
            count[3] += !strcmp(c, "sunny") || !strcmp(c, "clear");
        }
        CHECKF(hours == 24, "daily row %zu has %d hourly rows", r, hours);
        CHECK(tenths(F64(d, D_TMIN, r)) == lo && tenths(F64(d, D_TMAX, r)) == hi);
        CHECK(F64(d, D_TMIN, r) == (double)lo / 10.0 && F64(d, D_PRECIP, r) == (double)rain / 10.0);
        CHECK(F64(d, D_SNOW, r) == (double)snow / 10.0);
        const char *want;
        static const char *const dry[] = {"fog", "cloudy", "partly_cloudy", "sunny"};
        if (storm)
            want = "storm";
        else if (snow >= 10)
            want = "snow";
        else if (rain >= 10)
            want = "rain";
        else if (rain > 0)
            want = "drizzle";
        else {
            int best = 0;
            for (int k = 1; k < 4; k++)
                if (count[k] > count[best])
                    best = k;
            want = dry[best];
        }
        CHECKF(!strcmp(STR(d, D_COND, r), want), "row %zu: %s, expected %s", r, STR(d, D_COND, r), want);
        matched++;
    }
    CHECK(matched == d->rows);
}

static void test_default(void)
{
    dsg_dataset *ds = open_dataset("weather", NO_OPTS);
    ttable *h = read_table(ds, 0, 1000), *d = read_table(ds, 1, 7);
    CHECK(h->rows == 3 * 31 * 24 && d->rows == 3 * 31);
    check_hourly(h);
    static const int offsets[] = {0, 1, 0, 2}; /* Berlin, Madrid, Helsinki */
    check_daily(h, d, offsets, 3);
    CHECK(check_partitions(ds, 0, h, H_TS) == 31 * 24 + 2);
    CHECK(check_partitions(ds, 1, d, D_DATE) == 1);
    check_pieces(ds, 0, h, 1);
    check_pieces(ds, 1, d, 2);
    /* Berlin's first row is 2022-12-31 23:00 UTC, its local midnight */
    CHECK(I64(h, H_LOC, 1) == 1 && I64(h, H_TS, 1) == 1672527600000000ll);
    free_table(h);
    free_table(d);
    dsg_dataset_free(ds);
}

static void test_many_places_and_seeds(void)
{
    const option *o = OPTS({"locations", "12"}, {"start", "2024-02-27"}, {"end", "2024-03-02"},
                           {"hourly-partitioning", "ymd"}, {"storm-rate", "0.5"});
    dsg_dataset *ds = open_dataset("weather", o);
    ttable *h = read_table(ds, 0, 333), *d = read_table(ds, 1, 5);
    check_hourly(h);
    /* the first 12 places: offsets round(longitude / 15) */
    static const int offsets[] = {0, 1, 0, 2, 0, 0, 1, 1, 1, 1, 1, 1, 0};
    check_daily(h, d, offsets, 12);
    CHECK(check_partitions(ds, 0, h, H_TS) == 6); /* 5 local days touch 6 UTC days */
    CHECK(check_partitions(ds, 1, d, D_DATE) == 2);
    check_pieces(ds, 0, h, 3);
    dsg_dataset *again = open_dataset("weather", o);
    ttable *h2 = read_table(again, 0, 4096);
    check_same_table(h, h2);
    const option *o2 = OPTS({"locations", "12"}, {"start", "2024-02-27"}, {"end", "2024-03-02"},
                            {"hourly-partitioning", "ymd"}, {"storm-rate", "0.5"}, {"seed", "7"});
    dsg_dataset *other = open_dataset("weather", o2);
    ttable *h3 = read_table(other, 0, 4096);
    size_t same = 0;
    for (size_t i = 0; i < h->rows; i++)
        same += F64(h, H_TEMP, i) == F64(h3, H_TEMP, i);
    CHECK(same < h->rows / 4);
    free_table(h);
    free_table(h2);
    free_table(h3);
    free_table(d);
    dsg_dataset_free(ds);
    dsg_dataset_free(again);
    dsg_dataset_free(other);
}

static void test_options(void)
{
    dsg_error err;
    const char *m;
    CHECK((m = option_error("weather", OPTS({"locations", "Atlantis"}), &err)) && strstr(m, "Atlantis"));
    CHECK((m = option_error("weather", OPTS({"locations", "500"}), &err)) && strstr(m, "--locations"));
    CHECK((m = option_error("weather", OPTS({"locations", "Oslo,oslo"}), &err)) && strstr(m, "twice"));
    CHECK((m = option_error("weather", OPTS({"seasonal-amplitude", "-1"}), &err)) && strstr(m, "--seasonal-amplitude"));
    CHECK((m = option_error("weather", OPTS({"start", "2023-02-01"}, {"end", "2023-01-01"}), &err)) && strstr(m, "after"));
    CHECK((m = option_error("weather", OPTS({"locations", "3"}, {"locations-file", "x.csv"}), &err)) &&
          strstr(m, "not both"));
    CHECK((m = option_error("weather", OPTS({"locations-file", "/nonexistent/x.csv"}), &err)) &&
          strstr(m, "/nonexistent/x.csv"));
    CHECK(option_error("weather", OPTS({"locations", "tokyo, Lima ,Berlin"}), &err) == NULL);
}

int main(void)
{
    test_default();
    test_many_places_and_seeds();
    test_options();
    printf("test_weather: ok\n");
    return 0;
}
