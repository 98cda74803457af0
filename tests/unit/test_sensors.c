/*
 * test_sensors.c - the sensors dataset through the public API: the
 * invariants at the top of lib/datasets/sensors.c (row order, labels
 * consistent with values, outages of whole devices over consecutive
 * readings, stuck values repeating the last good reading, level shifts
 * spanning readings), partitions, pieces, seeds, options.
 */
#include "series_util.h"

#include <math.h>

enum { S_TS, S_DEV, S_METRIC, S_VALUE, S_ANOM, S_MISS, S_TYPE, S_ANOM_TYPE };

#define N_DEV 12
#define N_MET 3

static void test_readings(void)
{
    const option *o = OPTS({"n-devices", "12"}, {"start", "2024-03-30"}, {"end", "2024-04-01"},
                           {"sampling-interval-minutes", "10"}, {"missing-probability", "0.05"},
                           {"anomaly-probability", "0.05"}, {"metrics", "temperature,power,co2"});
    dsg_dataset *ds = open_dataset("sensors", o);
    ttable *t = read_table(ds, 0, 977);
    size_t steps = 3 * 144;
    CHECK(t->rows == steps * N_DEV * N_MET);
    static const char *const metrics[] = {"temperature", "power", "co2"};
    size_t missing = 0, anomalies = 0, stuck = 0, shift_runs = 0, shift_rows = 0, outage_runs = 0;
    for (size_t i = 0; i < t->rows; i++) {
        size_t step = i / (N_DEV * N_MET), dev = (i / N_MET) % N_DEV, m = i % N_MET;
        CHECK(I64(t, S_TS, i) == (int64_t)(19812 * 1440 + step * 10) * 60000000ll); /* 2024-03-30 */
        CHECK(I64(t, S_DEV, i) == (int64_t)dev + 1);
        CHECK(!strcmp(STR(t, S_METRIC, i), metrics[m]));
        int miss = B8(t, S_MISS, i), anom = B8(t, S_ANOM, i);
        CHECK(VALID(t, S_VALUE, i) == !miss);
        CHECK(!(miss && anom));
        CHECK(VALID(t, S_ANOM_TYPE, i) == anom);
        missing += miss;
        anomalies += anom;
        /* an outage takes every metric of the device */
        size_t first_metric = i - m;
        for (size_t k = 0; k < N_MET; k++)
            CHECK(B8(t, S_MISS, first_metric + k) == miss);
        size_t prev = i - N_DEV * N_MET; /* the same series one step earlier */
        if (miss && m == 0 && (step == 0 || !B8(t, S_MISS, prev)))
            outage_runs++;
        if (anom && !strcmp(STR(t, S_ANOM_TYPE, i), "stuck")) {
            stuck++;
            size_t j = i;
            while (j >= N_DEV * N_MET && B8(t, S_ANOM, j - N_DEV * N_MET) &&
                   !strcmp(STR(t, S_ANOM_TYPE, j - N_DEV * N_MET), "stuck"))
                j -= N_DEV * N_MET;
            if (j >= N_DEV * N_MET && VALID(t, S_VALUE, j - N_DEV * N_MET) && !B8(t, S_ANOM, j - N_DEV * N_MET))
                CHECKF(F64(t, S_VALUE, i) == F64(t, S_VALUE, j - N_DEV * N_MET), "row %zu: stuck value moved", i);
        }
        if (anom && !strcmp(STR(t, S_ANOM_TYPE, i), "level_shift")) {
            shift_rows++;
            if (step == 0 || !B8(t, S_ANOM, prev) || strcmp(STR(t, S_ANOM_TYPE, prev), "level_shift"))
                shift_runs++;
        }
    }
    double share_missing = (double)missing / (double)t->rows, share_anom = (double)anomalies / (double)t->rows;
    CHECKF(share_missing > 0.02 && share_missing < 0.1, "missing %g", share_missing);
    CHECKF(share_anom > 0.02 && share_anom < 0.1, "anomalies %g", share_anom);
    CHECKF((double)missing / N_MET / (double)outage_runs > 3.0, "outages too short");
    CHECK(stuck > 0 && shift_runs > 0 && (double)shift_rows / (double)shift_runs > 3.0);
    CHECK(check_partitions(ds, 0, t, S_TS) == 72);
    check_pieces(ds, 0, t, 9);
    dsg_dataset *again = open_dataset("sensors", o);
    ttable *t2 = read_table(again, 0, 16384);
    check_same_table(t, t2);
    free_table(t);
    free_table(t2);
    dsg_dataset_free(ds);
    dsg_dataset_free(again);
}

static void test_defaults(void)
{
    dsg_dataset *ds = open_dataset("sensors", NO_OPTS);
    dsg_table_info info;
    CHECK(dsg_dataset_table(ds, 0, &info, NULL) == DSG_OK);
    CHECK(info.rows == 7ull * 288 * 100 * 3 && info.n_partitions == 7 * 24);
    dsg_dataset_free(ds);
    /* an interval that does not divide the hour: partitions still tile */
    ds = open_dataset("sensors", OPTS({"n-devices", "2"}, {"sampling-interval-minutes", "47"},
                                      {"end", "2023-01-02"}, {"partitioning", "ymdh"}));
    ttable *t = read_table(ds, 0, 100);
    check_partitions(ds, 0, t, S_TS);
    free_table(t);
    dsg_dataset_free(ds);
}

static void test_options(void)
{
    dsg_error err;
    const char *m;
    CHECK((m = option_error("sensors", OPTS({"n-devices", "0"}), &err)) && strstr(m, "--n-devices"));
    CHECK((m = option_error("sensors", OPTS({"metrics", "a,,b"}), &err)) && strstr(m, "--metrics"));
    CHECK((m = option_error("sensors", OPTS({"metrics", "a,a"}), &err)) && strstr(m, "twice"));
    CHECK((m = option_error("sensors", OPTS({"device-types", "x y"}), &err)) && strstr(m, "x y"));
    CHECK((m = option_error("sensors", OPTS({"anomaly-probability", "0.7"}), &err)) &&
          strstr(m, "--anomaly-probability"));
    CHECK(option_error("sensors", OPTS({"metrics", "my_metric"}, {"device-types", "robot"}), &err) == NULL);
}

int main(void)
{
    test_readings();
    test_defaults();
    test_options();
    printf("test_sensors: ok\n");
    return 0;
}
