/*
 * sensors.c - the sensors dataset: readings of a fleet of devices, each
 * with several metrics, with per-device calibration offsets and drift,
 * daily cycles, outages and labelled anomalies.
 *
 * Invariants (tests/unit/test_sensors.c, tests/python/test_datasets_sensors.py):
 *
 *  1. Every value is a pure function of (seed, options, device, metric,
 *     step): rows of any range are computed alone. Episodes (outages,
 *     level shifts, stuck values) start in blocks of BLOCK steps with at
 *     most one episode per slot, last at most BLOCK steps, and are found
 *     by looking at the block of the step and the one before.
 *  2. Rows are in (timestamp, device_id, metric order of --metrics); step k
 *     is at --start 00:00 UTC + k x interval; partitions group the steps by
 *     the hive key of their timestamp (year/month/day/hour by default).
 *  3. value is null exactly when is_missing; is_missing and is_anomaly are
 *     never both true; anomaly_type is null exactly when not is_anomaly,
 *     else 'spike', 'level_shift' or 'stuck'.
 *  4. Outages take a whole device offline (every metric) for consecutive
 *     readings; a stuck episode repeats the last reading before it; a
 *     level shift adds one offset to consecutive readings; a spike is one
 *     reading far from the signal.
 *  5. device_type is a pure function of (seed, device_id) among
 *     --device-types; metric baselines depend on it.
 */
#include "series.h"

#include <assert.h>
#include <stdio.h>

#define MAX_DEVICES 10000000ull
#define MAX_METRICS 32
#define MAX_TYPES 32
#define METRIC_MAX_BYTES 32
#define MAX_DAYS 40000
#define MAX_ROWS 1000000000000ull
#define BLOCK 512
#define MAX_SLOTS 64
#define ANOMALY_TYPE_MAX 11

/* ---- table ---- */

enum { S_TS, S_DEV, S_METRIC, S_VALUE, S_ANOM, S_MISS, S_TYPE, S_ANOM_TYPE, N_S };

static const dsg_field fields[N_S] = {
    [S_TS] = {"timestamp", DSG_TIMESTAMP, 0, 0, 0, NULL, 0},
    [S_DEV] = {"device_id", DSG_INT64, 0, 0, 0, NULL, 0},
    [S_METRIC] = {"metric", DSG_STRING, 0, 0, 0, NULL, 0},
    [S_VALUE] = {"value", DSG_DOUBLE, DSG_FIELD_NULLABLE, 0, 0, NULL, 0},
    [S_ANOM] = {"is_anomaly", DSG_BOOL, 0, 0, 0, NULL, 0},
    [S_MISS] = {"is_missing", DSG_BOOL, 0, 0, 0, NULL, 0},
    [S_TYPE] = {"device_type", DSG_STRING, 0, 0, 0, NULL, 0},
    [S_ANOM_TYPE] = {"anomaly_type", DSG_STRING, DSG_FIELD_NULLABLE, 0, 0, NULL, 0},
};

static const char *const by_ymdh[] = {"year", "month", "day", "hour"};
static const dsgi_table_def tables[] = {{"sensor_readings", fields, N_S, by_ymdh, 4}};

static const dsg_option_info options[] = {
    {"seed", "999", "random seed: the same seed and options give the same data"},
    {"n-devices", "100", "number of devices (1 to 10^7)"},
    {"metrics", "temperature,vibration,pressure",
     "metrics every device reports, separated by commas; known: temperature, vibration, "
     "pressure, humidity, power, current, voltage, rpm, flow, co2 (others get a generic profile)"},
    {"device-types", "hvac,pump,compressor,freezer",
     "device types, separated by commas; each device gets one; known: hvac, pump, compressor, "
     "freezer (others are generic)"},
    {"start", "2023-01-01", "first date, YYYY-MM-DD"},
    {"end", "2023-01-07", "last date, YYYY-MM-DD (inclusive)"},
    {"start-date", "2023-01-01", "the same as --start"},
    {"end-date", "2023-01-07", "the same as --end"},
    {"sampling-interval-minutes", "5", "minutes between readings (1 to 1440)"},
    {"noise-sigma", "0.2", "measurement noise, in units of the metric's scale (0 to 100)"},
    {"drift-per-hour", "0.05",
     "typical calibration drift per hour, in units of the metric's scale (0 to 10); each "
     "device drifts at its own rate and sign"},
    {"missing-probability", "0.01",
     "share of readings lost to device outages of consecutive readings (0 to 0.5)"},
    {"anomaly-probability", "0.002",
     "share of readings that are anomalies: spikes, level shifts, stuck values (0 to 0.5)"},
    {"anomaly-scale", "5", "size of spikes and level shifts, in units of the metric's scale (0 to 1000)"},
    {"partitioning", "ymdh", "directories: ymdh (year/month/day/hour, the reference's), ymd, ym, y or none"},
};
#define N_OPTIONS (sizeof options / sizeof options[0])

/* ---- metric and device profiles ---- */

enum { TY_HVAC, TY_PUMP, TY_COMPRESSOR, TY_FREEZER, TY_GENERIC, N_KNOWN_TYPES };
enum { CYCLE_NONE, CYCLE_AFTERNOON, CYCLE_NIGHT, CYCLE_WORK };

typedef struct metric_profile {
    const char *name;
    double base[N_KNOWN_TYPES]; /* by device type */
    double scale;               /* the unit of noise, drift, anomalies */
    double cycle_amp;           /* in units of scale */
    int cycle;
    int decimals;
    double lo, hi;
} metric_profile;

static const metric_profile known_metrics[] = {
    {"temperature", {21.0, 38.0, 55.0, -18.0, 25.0}, 1.0, 1.6, CYCLE_AFTERNOON, 2, -80, 250},
    {"vibration", {1.5, 4.0, 6.5, 0.8, 2.0}, 0.3, 1.5, CYCLE_WORK, 3, 0, 100},
    {"pressure", {101.3, 350.0, 820.0, 101.3, 200.0}, 1.5, 0.2, CYCLE_AFTERNOON, 2, 0, 5000},
    {"humidity", {45.0, 50.0, 40.0, 80.0, 50.0}, 2.0, 2.5, CYCLE_NIGHT, 1, 0, 100},
    {"power", {3.5, 7.5, 15.0, 1.2, 5.0}, 0.25, 3.0, CYCLE_WORK, 3, 0, 10000},
    {"current", {12.0, 25.0, 40.0, 5.0, 10.0}, 0.5, 3.0, CYCLE_WORK, 2, 0, 10000},
    {"voltage", {230.0, 400.0, 400.0, 230.0, 230.0}, 1.0, 0.5, CYCLE_WORK, 1, 0, 1000},
    {"rpm", {900.0, 1750.0, 2950.0, 1400.0, 1500.0}, 10.0, 2.0, CYCLE_WORK, 0, 0, 20000},
    {"flow", {300.0, 120.0, 60.0, 5.0, 100.0}, 2.0, 4.0, CYCLE_WORK, 2, 0, 100000},
    {"co2", {600.0, 450.0, 450.0, 420.0, 500.0}, 15.0, 12.0, CYCLE_WORK, 0, 300, 10000},
};
#define N_KNOWN_METRICS (sizeof known_metrics / sizeof known_metrics[0])
static const metric_profile generic_metric = {NULL, {100, 100, 100, 100, 100}, 1.0, 0.0, CYCLE_NONE, 3, -1e12, 1e12};
static const char *const known_types[N_KNOWN_TYPES - 1] = {"hvac", "pump", "compressor", "freezer"};

/* ---- state ---- */

typedef struct metric {
    char name[METRIC_MAX_BYTES + 1];
    uint32_t len;
    metric_profile p;
    double pow10; /* 10^decimals */
    uint64_t key;
} metric;

typedef struct dtype {
    char name[METRIC_MAX_BYTES + 1];
    uint32_t len;
    int known; /* index into the profiles' base[] */
} dtype;

typedef struct episodes {
    int slots;
    uint64_t threshold; /* a slot has an episode when its draw is below */
    double mean_extra;  /* length = 1 + exponential with this mean, at most BLOCK */
} episodes;

typedef struct span64 {
    uint64_t first, end; /* steps */
} span64;

typedef struct sensors {
    uint64_t seed, n_devices, interval_min;
    char *metrics_text, *types_text;
    int32_t start_day, end_day;
    const char *start_option, *end_option;
    double noise_sigma, drift_per_hour, missing_p, anomaly_p, anomaly_scale;
    dsgi_hive_levels levels;

    /* plan */
    metric metrics[MAX_METRICS];
    size_t n_metrics;
    dtype types[MAX_TYPES];
    size_t n_types;
    uint64_t steps;
    span64 *parts;
    size_t n_parts;
    episodes outage, shift, stuck;
    uint64_t spike_threshold;
    uint64_t k_type, k_device, k_outage, k_shift, k_stuck, k_spike, k_noise, k_slow, k_phase;
} sensors;

/* ---- episodes ---- */

static episodes episodes_plan(double share, double mean_len)
{
    episodes e = {0, 0, mean_len - 1.0};
    if (share <= 0.0)
        return e;
    double per_block = share * BLOCK / mean_len; /* episodes a block needs */
    e.slots = (int)ceil(per_block / 0.5);
    e.slots = e.slots < 1 ? 1 : e.slots > MAX_SLOTS ? MAX_SLOTS : e.slots;
    double p = per_block / e.slots;
    e.threshold = p >= 1.0 ? UINT64_MAX : (uint64_t)(p * 0x1p64);
    return e;
}

/* The episode of stream 'key' covering step s: 1 and its first step in
 * *start, or 0. */
static int episode_at(const episodes *e, uint64_t key, uint64_t s, uint64_t *start)
{
    uint64_t block = s / BLOCK;
    for (uint64_t b = block > 0 ? block - 1 : 0; b <= block; b++) {
        for (int j = 0; j < e->slots; j++) {
            uint64_t c = (b * MAX_SLOTS + (uint64_t)j) * 3;
            if (dsgi_rand(key, c) >= e->threshold)
                continue;
            uint64_t first = b * BLOCK + dsgi_below(dsgi_rand(key, c + 1), BLOCK);
            double extra = -e->mean_extra * dsgi_log(1.0 - dsgi_unit(dsgi_rand(key, c + 2)));
            uint64_t len = 1 + (uint64_t)(extra < BLOCK - 1 ? extra : BLOCK - 1);
            if (s >= first && s < first + len) {
                *start = first;
                return 1;
            }
        }
    }
    return 0;
}

/* ---- the signal ---- */

static inline size_t device_type(const sensors *x, uint64_t device)
{
    return (size_t)dsgi_below(dsgi_rand(x->k_type, device), x->n_types);
}

/* The reading without anomalies or outages. */
static double clean_value(const sensors *x, uint64_t device, size_t mi, size_t ti, uint64_t step)
{
    const metric *m = &x->metrics[mi];
    const metric_profile *p = &m->p;
    uint64_t dm = device * MAX_METRICS + mi;
    double hours = (double)(step * x->interval_min) / 60.0;
    double offset = 2.0 * p->scale * dsgi_gauss(x->k_device, 2 * dm);
    double drift = x->drift_per_hour * p->scale * dsgi_gauss(x->k_device, 2 * dm + 1) * hours;
    /* the site's local hour: devices spread over a few time zones */
    double phase = 3.0 * (dsgi_unit(dsgi_rand(x->k_phase, device)) - 0.5);
    double hod = hours - 24.0 * floor(hours / 24.0) + phase;
    double cycle = 0.0;
    switch (p->cycle) {
    case CYCLE_AFTERNOON: cycle = dsgi_cos_turns((hod - 15.0) / 24.0); break;
    case CYCLE_NIGHT: cycle = dsgi_cos_turns((hod - 5.0) / 24.0); break;
    case CYCLE_WORK: { /* a smooth shift from 6 to 22 */
        double on = 1.0 / (1.0 + dsgi_exp(-(hod - 6.0) * 2.0)) - 1.0 / (1.0 + dsgi_exp(-(hod - 22.0) * 2.0));
        cycle = 2.0 * on - 1.0;
        break;
    }
    default: break;
    }
    double amp = p->cycle_amp * (ti == TY_FREEZER && p->cycle == CYCLE_AFTERNOON ? 0.2 : 1.0);
    double slow = 1.2 * p->scale * dsgi_noise(x->k_slow ^ dm, hours / 6.0, NULL);
    double noise = x->noise_sigma * p->scale * dsgi_gauss(x->k_noise ^ dm, step);
    return p->base[x->types[ti].known] + offset + drift + amp * p->scale * cycle + slow + noise;
}

static inline double finish(const metric *m, double v)
{
    v = v < m->p.lo ? m->p.lo : v > m->p.hi ? m->p.hi : v;
    return (double)dsgi_round_i64(v * m->pow10) / m->pow10;
}

typedef enum { R_OK, R_MISSING, R_SPIKE, R_SHIFT, R_STUCK } reading_kind;
static const char *const kind_text[] = {NULL, NULL, "spike", "level_shift", "stuck"};

static reading_kind reading(const sensors *x, uint64_t device, size_t mi, size_t ti, uint64_t step,
                            double *value)
{
    const metric *m = &x->metrics[mi];
    uint64_t start;
    if (episode_at(&x->outage, dsgi_sub_key(x->k_outage, device), step, &start))
        return R_MISSING;
    uint64_t dm = device * MAX_METRICS + mi;
    if (episode_at(&x->stuck, dsgi_sub_key(x->k_stuck, dm), step, &start) && start > 0) {
        *value = finish(m, clean_value(x, device, mi, ti, start - 1));
        return R_STUCK;
    }
    double v = clean_value(x, device, mi, ti, step);
    uint64_t shift_key = dsgi_sub_key(x->k_shift, dm);
    if (episode_at(&x->shift, shift_key, step, &start)) {
        uint64_t r = dsgi_rand(shift_key ^ 0xA5A5u, start);
        double size = x->anomaly_scale * m->p.scale * (1.0 + 0.5 * dsgi_unit(r));
        *value = finish(m, v + ((r & 1) ? size : -size));
        return R_SHIFT;
    }
    uint64_t r = dsgi_rand(dsgi_sub_key(x->k_spike, dm), step);
    if (r < x->spike_threshold) {
        double size = x->anomaly_scale * m->p.scale * (1.5 + dsgi_unit(dsgi_mix64(r)));
        *value = finish(m, v + ((r & 1) ? size : -size));
        return R_SPIKE;
    }
    *value = finish(m, v);
    return R_OK;
}

/* ---- options ---- */

static dsg_status sn_create(void **state, dsg_error *err)
{
    sensors *x = dsgi_calloc(1, sizeof *x);
    DSGI_RETURN_IF(x == NULL, err, DSG_ENOMEM, "out of memory (creating dataset sensors)");
    x->seed = 999;
    x->n_devices = 100;
    x->interval_min = 5;
    x->start_day = dsgi_days_from_civil(2023, 1, 1);
    x->end_day = dsgi_days_from_civil(2023, 1, 7);
    x->start_option = "start";
    x->end_option = "end";
    x->noise_sigma = 0.2;
    x->drift_per_hour = 0.05;
    x->missing_p = 0.01;
    x->anomaly_p = 0.002;
    x->anomaly_scale = 5.0;
    x->levels = DSGI_HIVE_YMDH;
    *state = x;
    return DSG_OK;
}

static void sn_free(void *state)
{
    sensors *x = state;
    if (x == NULL)
        return;
    dsgi_free(x->parts);
    dsgi_free(x->metrics_text);
    dsgi_free(x->types_text);
    dsgi_free(x);
}

static dsg_status set_text(char **slot, const char *value, dsg_error *err)
{
    char *copy = dsgi_strdup(value);
    DSGI_RETURN_IF(copy == NULL, err, DSG_ENOMEM, "out of memory");
    dsgi_free(*slot);
    *slot = copy;
    return DSG_OK;
}

static dsg_status sn_set(void *state, const char *name, const char *value, dsg_error *err)
{
    sensors *x = state;
    if (strcmp(name, "seed") == 0)
        return dsgi_parse_u64(name, value, 0, UINT64_MAX, &x->seed, err);
    if (strcmp(name, "n-devices") == 0)
        return dsgi_parse_u64(name, value, 1, MAX_DEVICES, &x->n_devices, err);
    if (strcmp(name, "metrics") == 0)
        return set_text(&x->metrics_text, value, err);
    if (strcmp(name, "device-types") == 0)
        return set_text(&x->types_text, value, err);
    if (strcmp(name, "start") == 0 || strcmp(name, "start-date") == 0) {
        DSGI_FORWARD(dsgi_parse_date(name, value, &x->start_day, err));
        x->start_option = strcmp(name, "start") == 0 ? "start" : "start-date";
        return DSG_OK;
    }
    if (strcmp(name, "end") == 0 || strcmp(name, "end-date") == 0) {
        DSGI_FORWARD(dsgi_parse_date(name, value, &x->end_day, err));
        x->end_option = strcmp(name, "end") == 0 ? "end" : "end-date";
        return DSG_OK;
    }
    if (strcmp(name, "sampling-interval-minutes") == 0)
        return dsgi_parse_u64(name, value, 1, 1440, &x->interval_min, err);
    if (strcmp(name, "noise-sigma") == 0)
        return dsgi_parse_double(name, value, 0.0, 100.0, &x->noise_sigma, err);
    if (strcmp(name, "drift-per-hour") == 0)
        return dsgi_parse_double(name, value, 0.0, 10.0, &x->drift_per_hour, err);
    if (strcmp(name, "missing-probability") == 0)
        return dsgi_parse_double(name, value, 0.0, 0.5, &x->missing_p, err);
    if (strcmp(name, "anomaly-probability") == 0)
        return dsgi_parse_double(name, value, 0.0, 0.5, &x->anomaly_p, err);
    if (strcmp(name, "anomaly-scale") == 0)
        return dsgi_parse_double(name, value, 0.0, 1000.0, &x->anomaly_scale, err);
    if (strcmp(name, "partitioning") == 0)
        return dsgi_parse_hive_levels(name, value, &x->levels, err);
    return dsgi_fail(err, DSG_EINVAL, "dataset sensors has no option --%s", name);
}

/* ---- prepare ---- */

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

/* Splits 'text' into names (1..METRIC_MAX_BYTES of name_char), unique. */
static dsg_status parse_names(const char *option, const char *text, size_t max, char out[][METRIC_MAX_BYTES + 1],
                              size_t *n_out, dsg_error *err)
{
    char *copy = dsgi_strdup(text);
    char *items[MAX_METRICS];
    DSGI_RETURN_IF(copy == NULL, err, DSG_ENOMEM, "out of memory");
    int n = dsgi_split_list(copy, items, (int)max);
    dsg_status st = DSG_OK;
    if (n < 0)
        st = dsgi_fail(err, DSG_EINVAL, "--%s must be 1 to %zu names separated by commas, with no empty one",
                       option, max);
    for (int i = 0; st == DSG_OK && i < n; i++) {
        size_t len = strlen(items[i]);
        int ok = len <= METRIC_MAX_BYTES;
        for (size_t j = 0; ok && j < len; j++)
            ok = name_char(items[i][j]);
        if (!ok)
            st = dsgi_fail(err, DSG_EINVAL, "--%s: '%s' is not a name (1 to %d of a-z A-Z 0-9 _ - .)",
                           option, items[i], METRIC_MAX_BYTES);
        for (int j = 0; st == DSG_OK && j < i; j++)
            if (strcmp(items[i], items[j]) == 0)
                st = dsgi_fail(err, DSG_EINVAL, "--%s lists %s twice", option, items[i]);
        if (st == DSG_OK)
            memcpy(out[i], items[i], len + 1);
    }
    if (st == DSG_OK)
        *n_out = (size_t)n;
    dsgi_free(copy);
    return st;
}

static dsg_status sn_prepare(void *state, dsg_error *err)
{
    sensors *x = state;
    dsgi_free(x->parts);
    x->parts = NULL;
    x->n_parts = 0;
    DSGI_RETURN_IF(x->start_day > x->end_day, err, DSG_EINVAL, "--%s is after --%s", x->start_option,
                   x->end_option);
    int64_t n_days = (int64_t)x->end_day - x->start_day + 1;
    DSGI_RETURN_IF(n_days > MAX_DAYS, err, DSG_EINVAL, "--%s to --%s spans %lld days; at most %d are supported",
                   x->start_option, x->end_option, (long long)n_days, MAX_DAYS);
    char names[MAX_METRICS][METRIC_MAX_BYTES + 1];
    DSGI_FORWARD(parse_names("metrics", x->metrics_text ? x->metrics_text : "temperature,vibration,pressure",
                             MAX_METRICS, names, &x->n_metrics, err));
    for (size_t i = 0; i < x->n_metrics; i++) {
        metric *m = &x->metrics[i];
        memcpy(m->name, names[i], sizeof m->name);
        m->len = (uint32_t)strlen(m->name);
        m->p = generic_metric;
        for (size_t k = 0; k < N_KNOWN_METRICS; k++)
            if (strcmp(known_metrics[k].name, m->name) == 0)
                m->p = known_metrics[k];
        m->pow10 = dsgi_pow10(m->p.decimals);
    }
    DSGI_FORWARD(parse_names("device-types", x->types_text ? x->types_text : "hvac,pump,compressor,freezer",
                             MAX_TYPES, names, &x->n_types, err));
    for (size_t i = 0; i < x->n_types; i++) {
        dtype *t = &x->types[i];
        memcpy(t->name, names[i], sizeof t->name);
        t->len = (uint32_t)strlen(t->name);
        t->known = TY_GENERIC;
        for (int k = 0; k < N_KNOWN_TYPES - 1; k++)
            if (strcmp(known_types[k], t->name) == 0)
                t->known = k;
    }
    x->steps = ((uint64_t)n_days * 1440 + x->interval_min - 1) / x->interval_min;
    uint64_t rows_per_step = x->n_devices * x->n_metrics;
    DSGI_RETURN_IF(x->steps > MAX_ROWS / rows_per_step, err, DSG_EINVAL,
                   "the options give more than 10^12 readings");

    x->outage = episodes_plan(x->missing_p, 8.0);
    x->shift = episodes_plan(0.3 * x->anomaly_p, 12.0);
    x->stuck = episodes_plan(0.2 * x->anomaly_p, 10.0);
    double spike = 0.5 * x->anomaly_p;
    x->spike_threshold = (uint64_t)(spike * 0x1p64);
    x->k_type = dsgi_stream_key(x->seed, "sensors.device_type");
    x->k_device = dsgi_stream_key(x->seed, "sensors.calibration");
    x->k_outage = dsgi_stream_key(x->seed, "sensors.outage");
    x->k_shift = dsgi_stream_key(x->seed, "sensors.level_shift");
    x->k_stuck = dsgi_stream_key(x->seed, "sensors.stuck");
    x->k_spike = dsgi_stream_key(x->seed, "sensors.spike");
    x->k_noise = dsgi_stream_key(x->seed, "sensors.noise");
    x->k_slow = dsgi_stream_key(x->seed, "sensors.process");
    x->k_phase = dsgi_stream_key(x->seed, "sensors.site_hour");

    /* partitions: hours grouped by hive key, each with the steps inside */
    int64_t t0 = (int64_t)x->start_day * 1440; /* minutes */
    int64_t hours = n_days * 24;
    x->parts = dsgi_calloc((size_t)hours, sizeof *x->parts);
    DSGI_RETURN_IF(x->parts == NULL, err, DSG_ENOMEM, "out of memory (planning %lld days)", (long long)n_days);
    int64_t last_key = 0;
    for (int64_t h = 0; h < hours; h++) {
        uint64_t first = (uint64_t)((h * 60 + (int64_t)x->interval_min - 1) / (int64_t)x->interval_min);
        uint64_t end = DSGI_MIN(x->steps, (uint64_t)(((h + 1) * 60 + (int64_t)x->interval_min - 1) /
                                                     (int64_t)x->interval_min));
        if (first >= end)
            continue;
        int64_t key = dsgi_hive_key((t0 + h * 60) * DSGI_US_PER_MINUTE, x->levels);
        if (x->n_parts > 0 && key == last_key)
            x->parts[x->n_parts - 1].end = end;
        else
            x->parts[x->n_parts++] = (span64){first, end};
        last_key = key;
    }
    return DSG_OK;
}

static uint64_t sn_rows(const void *state, size_t t)
{
    const sensors *x = state;
    (void)t;
    return x->steps * x->n_devices * x->n_metrics;
}

static size_t sn_partitions(const void *state, size_t t)
{
    (void)t;
    return ((const sensors *)state)->n_parts;
}

static inline int64_t step_ts(const sensors *x, uint64_t step)
{
    return ((int64_t)x->start_day * 1440 + (int64_t)(step * x->interval_min)) * DSGI_US_PER_MINUTE;
}

static dsg_status sn_partition(const void *state, size_t t, size_t p, char *path, size_t size,
                               uint64_t *first_row, uint64_t *rows, dsg_error *err)
{
    const sensors *x = state;
    (void)t;
    const span64 *sp = &x->parts[p];
    DSGI_FORWARD(dsgi_hive_path(step_ts(x, sp->first), x->levels, path, size, err));
    uint64_t per_step = x->n_devices * x->n_metrics;
    *first_row = sp->first * per_step;
    *rows = (sp->end - sp->first) * per_step;
    return DSG_OK;
}

static const char *const *sn_partition_by(const void *state, size_t t, size_t *n)
{
    (void)t;
    return dsgi_hive_names(((const sensors *)state)->levels, n);
}

static const dsg_partition_transform *sn_partition_transforms(const void *state, size_t t, int *source)
{
    (void)t;
    *source = S_TS;
    return dsgi_hive_transforms(((const sensors *)state)->levels);
}

static dsg_status sn_fill(const void *state, size_t t, uint64_t first_row, size_t n, dsg_batch *b,
                          dsg_error *err)
{
    const sensors *x = state;
    (void)t;
    DSGI_FORWARD(dsgi_batch_begin(b, n, err));
    dsgi_col *c = b->cols;
    DSGI_FORWARD(dsgi_buf_reserve(&c[S_METRIC].data, n * METRIC_MAX_BYTES, err));
    DSGI_FORWARD(dsgi_buf_reserve(&c[S_TYPE].data, n * METRIC_MAX_BYTES, err));
    DSGI_FORWARD(dsgi_buf_reserve(&c[S_ANOM_TYPE].data, n * ANOMALY_TYPE_MAX, err));
    int64_t *ts = c[S_TS].values, *dev = c[S_DEV].values;
    double *value = c[S_VALUE].values;
    uint8_t *valid = c[S_VALUE].valid, *anom = c[S_ANOM].values, *miss = c[S_MISS].values;
    uint8_t *kind_valid = c[S_ANOM_TYPE].valid;
    uint64_t per_step = x->n_devices * x->n_metrics;
    for (size_t i = 0; i < n; i++) {
        uint64_t row = first_row + i;
        uint64_t step = row / per_step;
        uint64_t device = (row % per_step) / x->n_metrics + 1;
        size_t mi = (size_t)(row % x->n_metrics);
        size_t ti = device_type(x, device);
        double v = 0.0;
        reading_kind k = reading(x, device, mi, ti, step, &v);
        ts[i] = step_ts(x, step);
        dev[i] = (int64_t)device;
        value[i] = k == R_MISSING ? 0.0 : v;
        valid[i] = k != R_MISSING;
        miss[i] = k == R_MISSING;
        anom[i] = k >= R_SPIKE;
        kind_valid[i] = k >= R_SPIKE;
        const metric *m = &x->metrics[mi];
        dsgi_buf_put(&c[S_METRIC].data, m->name, m->len);
        c[S_METRIC].offsets[i + 1] = (int32_t)c[S_METRIC].data.len;
        dsgi_buf_put(&c[S_TYPE].data, x->types[ti].name, x->types[ti].len);
        c[S_TYPE].offsets[i + 1] = (int32_t)c[S_TYPE].data.len;
        if (k >= R_SPIKE)
            dsgi_buf_put(&c[S_ANOM_TYPE].data, kind_text[k], strlen(kind_text[k]));
        c[S_ANOM_TYPE].offsets[i + 1] = (int32_t)c[S_ANOM_TYPE].data.len;
    }
    return DSG_OK;
}

const dsgi_dataset_class dsgi_sensors_class = {
    .name = "sensors",
    .description = "readings of a fleet of devices: calibration offsets, drift, daily cycles, "
                   "outages and labelled anomalies",
    .options = options,
    .n_options = N_OPTIONS,
    .tables = tables,
    .n_tables = 1,
    .create = sn_create,
    .free = sn_free,
    .set = sn_set,
    .prepare = sn_prepare,
    .table_rows = sn_rows,
    .n_partitions = sn_partitions,
    .partition = sn_partition,
    .partition_by = sn_partition_by,
    .partition_transforms = sn_partition_transforms,
    .fill = sn_fill,
};
