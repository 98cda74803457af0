/*
 * weather.c - the weather dataset: hourly observations and daily summaries
 * for a set of stations, with the tables, columns and options of the
 * reference system and a physical model instead of its noise.
 *
 * Invariants (tests/unit/test_weather.c and tests/python/test_datasets_weather.py
 * check them):
 *
 *  1. Every value is a pure function of (seed, options, station, UTC hour):
 *     the weather at hour H of a station is computed from smooth noise
 *     (series.h) at H, never from the hour before, so any row range can be
 *     generated alone.
 *  2. A station has a whole-hour UTC offset (round(longitude / 15), or the
 *     locations file's utc_offset); its local days are start..end. Its
 *     hourly rows are the 24 x days UTC hours of those local days, so
 *     weather_hourly spans a little more than start..end in UTC.
 *  3. weather_hourly rows are in (timestamp, location_id) order, one row
 *     per station and hour; partitions are the UTC hours (ymdh, the
 *     reference's layout), days, months or years of the timestamp.
 *  4. weather_daily has one row per (local date, station), in that order,
 *     partitioned by year and month of the date. Its values are exactly
 *     aggregates of the station's 24 hourly rows of that local date:
 *     tmin_c / tmax_c the min / max of temperature_c; precip_mm the sum of
 *     precip_mm; snow_mm the sum of precip_mm over hours with temperature_c
 *     <= 0.5; condition 'storm' if an hour is 'storm', else 'snow' if
 *     snow_mm >= 1, 'rain' if precip_mm >= 1, 'drizzle' if precip_mm > 0,
 *     else the most frequent of the hourly fog / cloudy / partly_cloudy /
 *     sunny-or-clear (counted as sunny), ties to the first of that list.
 *     All values are multiples of 0.1 computed in integer tenths, so sums
 *     are exact up to the final division by 10.
 *  5. humidity_pct is the Magnus relative humidity of temperature_c and
 *     dew_point_c (both as written), rounded to 0.1; dew_point_c <=
 *     temperature_c; precip_mm > 0 exactly when the condition is storm,
 *     snow, rain or drizzle (storms always bring rain).
 *
 * The model, per station and hour: climate normals from latitude and
 * elevation (mean, seasonal swing with the hemisphere's season, a diurnal
 * cycle in local solar time scaled by cloud cover and season); a sea-level
 * pressure field that drifts east with the westerlies (smooth noise in
 * (time - longitude / speed, latitude)), lows bringing clouds and rain; a
 * wetness index with persistence of days, so rain comes in spells;
 * temperature anomalies over days; a dew point depression small when wet
 * and large when dry or arid; storms as events of a few to 16 hours with
 * wind, rain and a pressure dip.
 */
#include "series.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#define MAX_DAYS 40000
#define MAX_LOCATIONS 100000
#define NAME_MAX_BYTES 63
#define CONDITION_MAX 13

/* ---- built-in places: name, latitude, longitude, elevation (m) ---- */

typedef struct place {
    const char *name;
    double lat, lon, elev;
} place;

static const place world[] = {
    {"Berlin", 52.52, 13.40, 34},         {"Madrid", 40.42, -3.70, 667},
    {"Helsinki", 60.17, 24.94, 17},       {"London", 51.51, -0.13, 11},
    {"Paris", 48.86, 2.35, 35},           {"Rome", 41.90, 12.50, 21},
    {"Vienna", 48.21, 16.37, 190},        {"Warsaw", 52.23, 21.01, 100},
    {"Stockholm", 59.33, 18.07, 28},      {"Oslo", 59.91, 10.75, 23},
    {"Copenhagen", 55.68, 12.57, 14},     {"Amsterdam", 52.37, 4.90, 0},
    {"Brussels", 50.85, 4.35, 76},        {"Zurich", 47.38, 8.54, 408},
    {"Munich", 48.14, 11.58, 519},        {"Prague", 50.08, 14.44, 235},
    {"Budapest", 47.50, 19.04, 102},      {"Bucharest", 44.43, 26.10, 70},
    {"Athens", 37.98, 23.73, 70},         {"Lisbon", 38.72, -9.14, 50},
    {"Dublin", 53.35, -6.26, 20},         {"Edinburgh", 55.95, -3.19, 47},
    {"Reykjavik", 64.15, -21.94, 15},     {"Tromso", 69.65, 18.96, 10},
    {"Moscow", 55.76, 37.62, 156},        {"Kyiv", 50.45, 30.52, 179},
    {"Istanbul", 41.01, 28.98, 39},       {"Ankara", 39.93, 32.86, 938},
    {"Cairo", 30.04, 31.24, 23},          {"Casablanca", 33.57, -7.59, 27},
    {"Marrakesh", 31.63, -8.01, 466},     {"Tunis", 36.81, 10.18, 4},
    {"Dakar", 14.72, -17.47, 22},         {"Lagos", 6.52, 3.38, 41},
    {"Accra", 5.60, -0.19, 61},           {"Kinshasa", -4.44, 15.27, 240},
    {"Nairobi", -1.29, 36.82, 1795},      {"Addis Ababa", 9.03, 38.74, 2355},
    {"Khartoum", 15.50, 32.56, 381},      {"Dar es Salaam", -6.79, 39.21, 14},
    {"Johannesburg", -26.20, 28.05, 1753}, {"Cape Town", -33.92, 18.42, 25},
    {"Windhoek", -22.56, 17.08, 1655},    {"Antananarivo", -18.88, 47.51, 1280},
    {"Riyadh", 24.71, 46.68, 612},        {"Dubai", 25.20, 55.27, 5},
    {"Tehran", 35.69, 51.39, 1190},       {"Baghdad", 33.32, 44.36, 34},
    {"Jerusalem", 31.77, 35.22, 754},     {"Karachi", 24.86, 67.00, 8},
    {"Delhi", 28.61, 77.21, 216},         {"Mumbai", 19.08, 72.88, 14},
    {"Kolkata", 22.57, 88.36, 9},         {"Chennai", 13.08, 80.27, 6},
    {"Bengaluru", 12.97, 77.59, 920},     {"Kathmandu", 27.72, 85.32, 1400},
    {"Lhasa", 29.65, 91.17, 3656},        {"Dhaka", 23.81, 90.41, 4},
    {"Colombo", 6.93, 79.86, 1},          {"Bangkok", 13.76, 100.50, 2},
    {"Hanoi", 21.03, 105.85, 19},         {"Singapore", 1.35, 103.82, 15},
    {"Kuala Lumpur", 3.14, 101.69, 56},   {"Jakarta", -6.21, 106.85, 8},
    {"Manila", 14.60, 120.98, 13},        {"Hong Kong", 22.32, 114.17, 32},
    {"Shanghai", 31.23, 121.47, 4},       {"Beijing", 39.90, 116.41, 44},
    {"Harbin", 45.80, 126.53, 150},       {"Ulaanbaatar", 47.89, 106.91, 1350},
    {"Seoul", 37.57, 126.98, 38},         {"Tokyo", 35.68, 139.69, 40},
    {"Sapporo", 43.06, 141.35, 29},       {"Taipei", 25.03, 121.57, 9},
    {"Almaty", 43.24, 76.89, 800},        {"Tashkent", 41.30, 69.24, 455},
    {"Novosibirsk", 55.01, 82.93, 150},   {"Yakutsk", 62.03, 129.73, 95},
    {"Vladivostok", 43.12, 131.89, 8},    {"Sydney", -33.87, 151.21, 39},
    {"Melbourne", -37.81, 144.96, 31},    {"Perth", -31.95, 115.86, 31},
    {"Darwin", -12.46, 130.84, 30},       {"Alice Springs", -23.70, 133.88, 545},
    {"Hobart", -42.88, 147.33, 5},        {"Auckland", -36.85, 174.76, 26},
    {"Wellington", -41.29, 174.78, 14},   {"Honolulu", 21.31, -157.86, 6},
    {"Anchorage", 61.22, -149.90, 31},    {"Vancouver", 49.28, -123.12, 70},
    {"Seattle", 47.61, -122.33, 53},      {"San Francisco", 37.77, -122.42, 16},
    {"Los Angeles", 34.05, -118.24, 89},  {"Phoenix", 33.45, -112.07, 331},
    {"Las Vegas", 36.17, -115.14, 610},   {"Denver", 39.74, -104.99, 1609},
    {"Salt Lake City", 40.76, -111.89, 1288}, {"Dallas", 32.78, -96.80, 131},
    {"Houston", 29.76, -95.37, 15},       {"Minneapolis", 44.98, -93.27, 264},
    {"Chicago", 41.88, -87.63, 181},      {"Atlanta", 33.75, -84.39, 320},
    {"Miami", 25.76, -80.19, 2},          {"New York", 40.71, -74.01, 10},
    {"Boston", 42.36, -71.06, 43},        {"Toronto", 43.65, -79.38, 76},
    {"Montreal", 45.50, -73.57, 36},      {"Winnipeg", 49.90, -97.14, 239},
    {"Yellowknife", 62.45, -114.37, 206}, {"Iqaluit", 63.75, -68.52, 34},
    {"Nuuk", 64.18, -51.69, 20},          {"Mexico City", 19.43, -99.13, 2240},
    {"Havana", 23.11, -82.37, 59},        {"Panama City", 8.98, -79.52, 2},
    {"Bogota", 4.71, -74.07, 2640},       {"Quito", -0.18, -78.47, 2850},
    {"Lima", -12.05, -77.04, 154},        {"La Paz", -16.49, -68.12, 3640},
    {"Manaus", -3.12, -60.02, 92},        {"Brasilia", -15.79, -47.88, 1172},
    {"Sao Paulo", -23.55, -46.63, 760},   {"Rio de Janeiro", -22.91, -43.17, 5},
    {"Buenos Aires", -34.60, -58.38, 25}, {"Santiago", -33.45, -70.67, 570},
    {"Montevideo", -34.90, -56.16, 43},   {"Punta Arenas", -53.16, -70.91, 34},
    {"Ushuaia", -54.80, -68.30, 23},      {"Longyearbyen", 78.22, 15.65, 10},
    {"McMurdo Station", -77.85, 166.67, 10}, {"Zermatt", 46.02, 7.75, 1608},
    {"Davos", 46.80, 9.84, 1560},         {"Cusco", -13.53, -71.97, 3399},
};
#define N_WORLD (sizeof world / sizeof world[0])
#define N_DEFAULT_LOCATIONS 3

/* ---- tables ---- */

enum { T_HOURLY, T_DAILY, N_TABLES };
enum { H_TS, H_LOC, H_TEMP, H_HUM, H_WIND, H_PRES, H_PRECIP, H_COND, H_DEW, N_H };
enum { D_DATE, D_LOC, D_TMIN, D_TMAX, D_PRECIP, D_SNOW, D_COND, N_D };

static const dsg_field hourly_fields[N_H] = {
    [H_TS] = {"timestamp", DSG_TIMESTAMP, 0, 0, 0, NULL, 0},
    [H_LOC] = {"location_id", DSG_INT64, 0, 0, 0, NULL, 0},
    [H_TEMP] = {"temperature_c", DSG_DOUBLE, 0, 0, 0, NULL, 0},
    [H_HUM] = {"humidity_pct", DSG_DOUBLE, 0, 0, 0, NULL, 0},
    [H_WIND] = {"wind_kph", DSG_DOUBLE, 0, 0, 0, NULL, 0},
    [H_PRES] = {"pressure_hpa", DSG_DOUBLE, 0, 0, 0, NULL, 0},
    [H_PRECIP] = {"precip_mm", DSG_DOUBLE, 0, 0, 0, NULL, 0},
    [H_COND] = {"condition", DSG_STRING, 0, 0, 0, NULL, 0},
    [H_DEW] = {"dew_point_c", DSG_DOUBLE, 0, 0, 0, NULL, 0},
};
static const dsg_field daily_fields[N_D] = {
    [D_DATE] = {"date", DSG_DATE, 0, 0, 0, NULL, 0},
    [D_LOC] = {"location_id", DSG_INT64, 0, 0, 0, NULL, 0},
    [D_TMIN] = {"tmin_c", DSG_DOUBLE, 0, 0, 0, NULL, 0},
    [D_TMAX] = {"tmax_c", DSG_DOUBLE, 0, 0, 0, NULL, 0},
    [D_PRECIP] = {"precip_mm", DSG_DOUBLE, 0, 0, 0, NULL, 0},
    [D_SNOW] = {"snow_mm", DSG_DOUBLE, 0, 0, 0, NULL, 0},
    [D_COND] = {"condition", DSG_STRING, 0, 0, 0, NULL, 0},
};

static const char *const by_ymdh[] = {"year", "month", "day", "hour"};
static const dsgi_table_def tables[N_TABLES] = {
    [T_HOURLY] = {"weather_hourly", hourly_fields, N_H, by_ymdh, 4},
    [T_DAILY] = {"weather_daily", daily_fields, N_D, by_ymdh, 2},
};

static const dsg_option_info options[] = {
    {"seed", "2024", "random seed: the same seed and options give the same data"},
    {"locations", "Berlin,Madrid,Helsinki",
     "stations: a number N (the first N of the built-in list of world places, at most 132) or "
     "built-in place names separated by commas"},
    {"locations-file", "none",
     "CSV of stations with a header: name, latitude, longitude, and optionally elevation_m, "
     "location_id, utc_offset (whole hours); replaces --locations"},
    {"start", "2023-01-01", "first local date, YYYY-MM-DD"},
    {"end", "2023-01-31", "last local date, YYYY-MM-DD (inclusive)"},
    {"start-date", "2023-01-01", "the same as --start"},
    {"end-date", "2023-01-31", "the same as --end"},
    {"seasonal-amplitude", "12",
     "summer-winter swing of temperature at 45 degrees latitude, degrees C (scaled by latitude; "
     "0 to 40)"},
    {"diurnal-amplitude", "3",
     "day-night swing of temperature on an average day, degrees C (more when clear; 0 to 20)"},
    {"storm-rate", "0.1", "storms a station sees per day, 0 to 1"},
    {"hourly-partitioning", "ymdh",
     "weather_hourly directories: ymdh (year/month/day/hour, the reference's), ymd, ym, y or "
     "none"},
};
#define N_OPTIONS (sizeof options / sizeof options[0])

/* ---- state ---- */

typedef struct station {
    int64_t id;
    char name[NAME_MAX_BYTES + 1];
    double lat, lon, elev;
    int offset_h; /* UTC offset of the local day, whole hours */
    /* derived by prepare */
    uint64_t key;
    double t_mean, season_amp, diurnal_amp, anomaly_sigma, pressure_sigma;
    double sin_lat, cos_lat, hemisphere, lon_lag_h, field_v, wind_base;
    int64_t first_hour; /* UTC hour (since 1970) of its first row */
} station;

typedef struct hour_span {
    int64_t first_hour, end_hour; /* UTC hours [first, end) */
} hour_span;

typedef struct weather {
    uint64_t seed;
    int32_t start_day, end_day;
    const char *start_option, *end_option;
    double seasonal_amplitude, diurnal_amplitude, storm_rate;
    dsgi_hive_levels hourly_levels;
    char *locations_text; /* --locations as given, or NULL: the default */
    char *locations_file;

    /* plan */
    station *st; /* sorted by id */
    size_t n_st;
    int64_t n_days;
    int64_t hours_per_station;
    /* distinct offsets: stations with offset offs[g] number offs_n[g] */
    int offs[32];
    uint64_t offs_n[32];
    size_t n_offs;
    int64_t hour_lo, hour_hi; /* UTC hours with rows: [lo, hi) */
    hour_span *hparts;        /* hourly partitions */
    size_t n_hparts;
    int32_t *dparts; /* first day index of each daily partition, + n_days */
    size_t n_dparts;
    uint64_t k_pressure, k_wet, k_rain, k_anom, k_wind, k_dew, k_storm;
} weather;

/* ---- the model ---- */

typedef struct obs {
    int t10, td10, hum10, wind10, pres10, precip10; /* tenths */
    int storm;                                      /* 1 when the hour is 'storm' */
    const char *cond;
} obs;

enum { C_STORM, C_SNOW, C_RAIN, C_DRIZZLE, C_FOG, C_CLOUDY, C_PARTLY, C_SUNNY, C_CLEAR, N_COND };
static const char *const cond_text[N_COND] = {"storm",  "snow",          "rain",  "drizzle", "fog",
                                              "cloudy", "partly_cloudy", "sunny", "clear"};

static inline double clamp(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }

static inline int tenths(double x) { return (int)dsgi_round_i64(x * 10.0); }

/* Magnus formula (Alduchov and Eskridge constants): relative humidity in
 * percent of air at t with dew point td (degrees C). */
static double magnus_rh(double t, double td)
{
    return 100.0 * dsgi_exp(17.625 * td / (243.04 + td) - 17.625 * t / (243.04 + t));
}

/* Storm of the station on UTC day 'day': its strength at hour H (0 when
 * none), from the events of that day and the day before. */
static double storm_profile(const weather *w, const station *s, int64_t hour)
{
    int64_t day = dsgi_floor_div(hour, 24);
    double best = 0.0;
    for (int64_t d = day - 1; d <= day; d++) {
        uint64_t k = dsgi_sub_key(s->key ^ w->k_storm, (uint64_t)d);
        if (dsgi_unit(dsgi_rand(k, 0)) >= w->storm_rate)
            continue;
        int64_t start = d * 24 + (int64_t)dsgi_below(dsgi_rand(k, 1), 24);
        int64_t duration = 4 + (int64_t)dsgi_below(dsgi_rand(k, 2), 13); /* 4..16 h */
        double strength = 0.5 + 0.5 * dsgi_unit(dsgi_rand(k, 3));
        int64_t at = hour - start;
        if (at < 0 || at >= duration)
            continue;
        double p = strength * dsgi_sin_turns(((double)at + 0.5) / (double)duration * 0.5);
        best = p > best ? p : best;
    }
    return best;
}

static void observe(const weather *w, const station *s, int64_t hour, obs *o)
{
    double days = (double)hour / 24.0;
    double solar_h = (double)(hour - dsgi_floor_div(hour, 24) * 24) + s->lon / 15.0;
    solar_h -= 24.0 * floor(solar_h / 24.0);
    /* season: +1 at the warmest time of the hemisphere (late July in the north) */
    double season = s->hemisphere * dsgi_cos_turns((days - 200.5) / 365.2425);
    double summer = season > 0.0 ? season : 0.0;
    /* the sun: declination and elevation */
    double decl = 0.40910 * dsgi_cos_turns((days - 172.0) / 365.2425); /* radians */
    double sin_decl = decl - decl * decl * decl / 6.0 + decl * decl * decl * decl * decl / 120.0;
    double cos_decl = 1.0 - decl * decl / 2.0 + decl * decl * decl * decl / 24.0;
    double sun = s->sin_lat * sin_decl +
                 s->cos_lat * cos_decl * dsgi_cos_turns((solar_h - 12.0) / 24.0);

    /* pressure systems drifting east: smooth noise in (time - lag, latitude) */
    double u = ((double)hour - s->lon_lag_h) / 30.0, v = s->field_v;
    double fv = v - floor(v), sv = fv * fv * (3.0 - 2.0 * fv);
    uint64_t row0 = dsgi_sub_key(w->k_pressure, (uint64_t)(int64_t)floor(v));
    uint64_t row1 = dsgi_sub_key(w->k_pressure, (uint64_t)(int64_t)floor(v) + 1);
    double slope0, slope1;
    double p0 = dsgi_noise(row0, u, &slope0), p1 = dsgi_noise(row1, u, &slope1);
    double field = p0 + (p1 - p0) * sv;
    double field_slope = (slope0 + (slope1 - slope0) * sv) / 30.0; /* per hour */
    double pressure_anom = s->pressure_sigma * field;

    /* wetness: lows are wet; persistence of a day or two, showers of hours */
    double wet = -0.6 * field + 0.7 * dsgi_noise(s->key ^ w->k_wet, (double)hour / 20.0, NULL);
    double alat = fabs(s->lat);
    double arid = 0.9 * dsgi_exp(-((alat - 25.0) / 9.0) * ((alat - 25.0) / 9.0)) +
                  0.6 * summer * dsgi_exp(-((alat - 38.0) / 7.0) * ((alat - 38.0) / 7.0));
    double cloud = 1.0 / (1.0 + dsgi_exp(-(1.7 * wet + 0.3 - 1.5 * arid)));
    double storm = storm_profile(w, s, hour);
    if (storm > 0.0)
        cloud = cloud > 0.95 ? cloud : 0.95;

    double diurnal; /* -1 near sunrise, +1 at 15:00 local solar time */
    if (solar_h >= 6.0 && solar_h < 15.0)
        diurnal = -dsgi_cos_turns((solar_h - 6.0) / 18.0);
    else
        diurnal = dsgi_cos_turns((solar_h >= 15.0 ? solar_h - 15.0 : solar_h + 9.0) / 30.0);
    double afternoon = diurnal > 0.0 ? diurnal : 0.0;

    /* rain: wet spells, showers of hours, afternoon convection in the tropics */
    double rain_index = wet + 0.45 * dsgi_noise(s->key ^ w->k_rain, (double)hour / 3.0, NULL) +
                        0.9 * dsgi_exp(-(alat / 15.0) * (alat / 15.0)) * afternoon - (1.25 + arid);
    double precip = rain_index > 0.0 ? 0.9 * rain_index * (0.5 + rain_index) : 0.0;
    precip += storm * (0.4 + 2.5 * storm);

    /* temperature */
    double diurnal_amp = s->diurnal_amp * (1.45 - 0.9 * cloud) * (1.0 + 0.25 * season);
    double anomaly = s->anomaly_sigma *
                     (0.75 * dsgi_noise(s->key ^ w->k_anom, (double)hour / 60.0, NULL) +
                      0.4 * dsgi_noise(s->key ^ w->k_anom ^ 1, (double)hour / 16.0, NULL));
    double temp = s->t_mean + s->season_amp * season + anomaly + diurnal_amp * diurnal -
                  0.5 * (precip < 3.0 ? precip : 3.0);
    o->t10 = tenths(temp);
    o->precip10 = tenths(precip);

    /* wind: pressure tendency, afternoon mixing, gusty noise, storms */
    double gust = dsgi_noise(s->key ^ w->k_wind, (double)hour / 7.0, NULL);
    double wind = s->wind_base * (1.0 + 0.35 * gust) +
                  60.0 * fabs(field_slope) * s->pressure_sigma + 3.0 * afternoon * (sun > 0.0) +
                  45.0 * storm;
    o->wind10 = tenths(wind > 0.0 ? wind : 0.0);

    /* dew point: close to the temperature when wet, far when dry; calm
     * clear nights cool the air to its dew point (radiation fog) */
    double depression = (1.0 - cloud) * (3.0 + 8.0 * arid + 2.0 * s->elev / 1000.0) + 0.7 +
                        0.4 * diurnal_amp * afternoon +
                        0.8 * dsgi_noise(s->key ^ w->k_dew, (double)hour / 8.0, NULL);
    double calm = clamp((10.0 - wind) / 6.0, 0.0, 1.0) * (sun < 0.0) * (1.0 - arid);
    depression *= 1.0 - 0.9 * calm;
    if (o->precip10 > 0)
        depression = 0.2 + 0.3 * (depression > 0.0 ? depression : 0.0) / 5.0;
    depression = clamp(depression, 0.0, 40.0);
    o->td10 = o->t10 - tenths(depression);
    double rh = magnus_rh(o->t10 / 10.0, o->td10 / 10.0);
    o->hum10 = tenths(rh > 100.0 ? 100.0 : rh);

    /* pressure: the field, a small semidiurnal tide, storm dips */
    double pres = 1013.2 + pressure_anom +
                  0.6 * (1.0 - alat / 90.0) * dsgi_cos_turns((solar_h - 10.0) / 12.0) -
                  12.0 * storm;
    o->pres10 = tenths(pres);

    int c;
    if (storm >= 0.3)
        c = C_STORM;
    else if (o->precip10 > 0)
        c = o->t10 <= 5 ? C_SNOW : o->precip10 < 5 ? C_DRIZZLE : C_RAIN;
    else if (o->hum10 >= 970 && o->wind10 < 100)
        c = C_FOG;
    else if (cloud >= 0.75)
        c = C_CLOUDY;
    else if (cloud >= 0.4)
        c = C_PARTLY;
    else
        c = sun > 0.0 ? C_SUNNY : C_CLEAR;
    if (c == C_STORM && o->precip10 == 0)
        o->precip10 = 1; /* storms always bring rain (invariant 5) */
    o->storm = c == C_STORM;
    o->cond = cond_text[c];
}

/* ---- stations ---- */

static void derive(station *s)
{
    double alat = fabs(s->lat), km = s->elev / 1000.0;
    s->sin_lat = dsgi_sin_turns(s->lat / 360.0);
    s->cos_lat = dsgi_cos_turns(s->lat / 360.0);
    s->hemisphere = s->lat >= 0.0 ? 1.0 : -1.0;
    s->t_mean = 28.0 - 0.0058 * s->lat * s->lat - 6.5 * km;
    s->anomaly_sigma = 1.2 + 3.0 * alat / 60.0;
    s->pressure_sigma = 2.5 + 9.0 * (1.0 - s->cos_lat * s->cos_lat);
    /* systems travel east at about 35 km/h */
    s->lon_lag_h = s->lon * s->cos_lat * 111.32 / 35.0;
    s->field_v = s->lat / 15.0;
    s->wind_base = 6.0 + 3.0 * alat / 60.0 + 4.0 * km;
}

static void set_scales(const weather *w, station *s)
{
    double alat = fabs(s->lat);
    s->season_amp = w->seasonal_amplitude * (0.05 + alat / 70.0);
    s->diurnal_amp = w->diurnal_amplitude * (1.25 - 0.6 * alat / 90.0 + 0.25 * s->elev / 1000.0);
    s->key = dsgi_sub_key(dsgi_stream_key(w->seed, "weather.station"), (uint64_t)s->id);
}

static int station_cmp(const void *a, const void *b)
{
    const station *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static void station_from_place(station *s, const place *p, int64_t id)
{
    memset(s, 0, sizeof *s);
    s->id = id;
    snprintf(s->name, sizeof s->name, "%s", p->name);
    s->lat = p->lat;
    s->lon = p->lon;
    s->elev = p->elev;
    s->offset_h = (int)dsgi_round_i64(p->lon / 15.0);
}

static dsg_status stations_from_option(weather *w, dsg_error *err)
{
    const char *text = w->locations_text ? w->locations_text : "Berlin,Madrid,Helsinki";
    const char *p = text;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*text != '\0' && *p == '\0') {
        uint64_t n;
        DSGI_FORWARD(dsgi_parse_u64("locations", text, 1, N_WORLD, &n, err));
        w->st = dsgi_calloc((size_t)n, sizeof *w->st);
        DSGI_RETURN_IF(w->st == NULL, err, DSG_ENOMEM, "out of memory (stations)");
        for (size_t i = 0; i < n; i++)
            station_from_place(&w->st[i], &world[i], (int64_t)i + 1);
        w->n_st = (size_t)n;
        return DSG_OK;
    }
    char *copy = dsgi_strdup(text);
    char **items = dsgi_calloc(N_WORLD, sizeof *items);
    w->st = dsgi_calloc(N_WORLD, sizeof *w->st);
    if (copy == NULL || items == NULL || w->st == NULL) {
        dsgi_free(copy);
        dsgi_free(items);
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (stations)");
    }
    int n = dsgi_split_list(copy, items, (int)N_WORLD);
    dsg_status st = DSG_OK;
    if (n < 0)
        st = dsgi_fail(err, DSG_EINVAL,
                       "--locations must be a number or built-in place names separated by commas, "
                       "not '%s'",
                       text);
    for (int i = 0; st == DSG_OK && i < n; i++) {
        size_t k = 0;
        while (k < N_WORLD && strcasecmp(world[k].name, items[i]) != 0)
            k++;
        if (k == N_WORLD) {
            st = dsgi_fail(err, DSG_EINVAL,
                           "--locations: '%s' is not one of the built-in places (others: "
                           "--locations-file)",
                           items[i]);
            break;
        }
        for (int j = 0; j < i; j++)
            if (w->st[j].id == (int64_t)k + 1)
                st = dsgi_fail(err, DSG_EINVAL, "--locations names %s twice", world[k].name);
        station_from_place(&w->st[i], &world[k], (int64_t)k + 1);
    }
    w->n_st = st == DSG_OK ? (size_t)n : 0;
    dsgi_free(copy);
    dsgi_free(items);
    return st;
}

/* One CSV field (RFC 4180 quotes allowed) from *p; advances past the comma. */
static int csv_field(char **p, char *out, size_t size)
{
    char *s = *p;
    size_t n = 0;
    int quoted = *s == '"';
    if (quoted)
        s++;
    for (;;) {
        if (*s == '\0' || (!quoted && (*s == ',' || *s == '\r' || *s == '\n')))
            break;
        if (quoted && *s == '"') {
            if (s[1] == '"') {
                s++;
            } else {
                s++;
                break;
            }
        }
        if (n + 1 >= size)
            return -1;
        out[n++] = *s++;
    }
    out[n] = '\0';
    while (*s == ' ' || *s == '\r')
        s++;
    if (*s == ',')
        s++;
    *p = s;
    return 0;
}

enum { F_NAME, F_LAT, F_LON, F_ELEV, F_ID, F_OFFSET, N_CSV };

static dsg_status parse_number(const char *file, size_t line, const char *what, const char *text,
                               double lo, double hi, double *out, dsg_error *err)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    int ok = *text != '\0' && errno == 0 && *end == '\0' && isfinite(v) && v >= lo && v <= hi;
    DSGI_RETURN_IF(!ok, err, DSG_EINVAL, "--locations-file %s line %zu: %s must be a number from %g to %g, not '%s'",
                   file, line, what, lo, hi, text);
    *out = v;
    return DSG_OK;
}

static dsg_status stations_from_file(weather *w, dsg_error *err)
{
    const char *path = w->locations_file;
    FILE *f = fopen(path, "r");
    DSGI_RETURN_IF(f == NULL, err, DSG_EINVAL, "--locations-file %s cannot be read: %s", path,
                   strerror(errno));
    char line[1024], field[256];
    int col[N_CSV];
    for (int i = 0; i < N_CSV; i++)
        col[i] = -1;
    size_t cap = 0, n = 0, line_no = 1;
    dsg_status st = DSG_OK;
    if (fgets(line, sizeof line, f) == NULL) {
        fclose(f);
        return dsgi_fail(err, DSG_EINVAL, "--locations-file %s is empty", path);
    }
    char *p = line;
    if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF)
        p += 3; /* UTF-8 byte order mark */
    for (int c = 0; *p != '\0' && *p != '\n' && *p != '\r'; c++) {
        if (csv_field(&p, field, sizeof field) != 0)
            break;
        for (char *q = field; *q; q++)
            *q = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
        int k = strcmp(field, "name") == 0 || strcmp(field, "location") == 0         ? F_NAME
                : strcmp(field, "latitude") == 0 || strcmp(field, "lat") == 0        ? F_LAT
                : strcmp(field, "longitude") == 0 || strcmp(field, "lon") == 0       ? F_LON
                : strcmp(field, "elevation_m") == 0 || strcmp(field, "elevation") == 0 ? F_ELEV
                : strcmp(field, "location_id") == 0 || strcmp(field, "id") == 0      ? F_ID
                : strcmp(field, "utc_offset") == 0 || strcmp(field, "utc_offset_hours") == 0
                    ? F_OFFSET
                    : -1;
        if (k >= 0)
            col[k] = c;
    }
    if (col[F_NAME] < 0 || col[F_LAT] < 0 || col[F_LON] < 0) {
        fclose(f);
        return dsgi_fail(err, DSG_EINVAL,
                         "--locations-file %s needs a header with name, latitude and longitude "
                         "columns",
                         path);
    }
    while (st == DSG_OK && fgets(line, sizeof line, f) != NULL) {
        line_no++;
        if (strchr(line, '\n') == NULL && !feof(f)) {
            st = dsgi_fail(err, DSG_EINVAL, "--locations-file %s line %zu is too long", path, line_no);
            break;
        }
        p = line;
        while (*p == ' ')
            p++;
        if (*p == '\n' || *p == '\r' || *p == '\0')
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            station *q = dsgi_realloc(w->st, ncap * sizeof *q);
            if (q == NULL) {
                st = dsgi_fail(err, DSG_ENOMEM, "out of memory (stations)");
                break;
            }
            w->st = q;
            cap = ncap;
        }
        if (n >= MAX_LOCATIONS) {
            st = dsgi_fail(err, DSG_EINVAL, "--locations-file %s has more than %d stations", path,
                           MAX_LOCATIONS);
            break;
        }
        station *s = &w->st[n];
        memset(s, 0, sizeof *s);
        s->id = (int64_t)n + 1;
        int have_offset = 0;
        double v;
        for (int c = 0; st == DSG_OK && *p != '\0' && *p != '\n' && *p != '\r'; c++) {
            if (csv_field(&p, field, sizeof field) != 0) {
                st = dsgi_fail(err, DSG_EINVAL, "--locations-file %s line %zu: a field is too long", path, line_no);
                break;
            }
            if (c == col[F_NAME]) {
                if (strlen(field) > NAME_MAX_BYTES || field[0] == '\0')
                    st = dsgi_fail(err, DSG_EINVAL,
                                   "--locations-file %s line %zu: the name must have 1 to %d bytes",
                                   path, line_no, NAME_MAX_BYTES);
                else
                    memcpy(s->name, field, strlen(field) + 1);
            } else if (c == col[F_LAT]) {
                st = parse_number(path, line_no, "latitude", field, -90, 90, &s->lat, err);
            } else if (c == col[F_LON]) {
                st = parse_number(path, line_no, "longitude", field, -180, 180, &s->lon, err);
            } else if (c == col[F_ELEV] && field[0] != '\0') {
                st = parse_number(path, line_no, "elevation_m", field, -500, 9000, &s->elev, err);
            } else if (c == col[F_ID] && field[0] != '\0') {
                st = parse_number(path, line_no, "location_id", field, 0, 1e15, &v, err);
                if (st == DSG_OK && v != floor(v))
                    st = dsgi_fail(err, DSG_EINVAL, "--locations-file %s line %zu: location_id must be a whole number",
                                   path, line_no);
                s->id = (int64_t)v;
            } else if (c == col[F_OFFSET] && field[0] != '\0') {
                st = parse_number(path, line_no, "utc_offset", field, -12, 14, &v, err);
                if (st == DSG_OK && v != floor(v))
                    st = dsgi_fail(err, DSG_EINVAL, "--locations-file %s line %zu: utc_offset must be whole hours",
                                   path, line_no);
                s->offset_h = (int)v;
                have_offset = 1;
            }
        }
        if (st == DSG_OK && s->name[0] == '\0')
            st = dsgi_fail(err, DSG_EINVAL, "--locations-file %s line %zu has no name", path, line_no);
        if (!have_offset)
            s->offset_h = (int)dsgi_round_i64(s->lon / 15.0);
        n++;
    }
    fclose(f);
    if (st != DSG_OK) {
        dsgi_free(w->st);
        w->st = NULL;
        return st;
    }
    DSGI_RETURN_IF(n == 0, err, DSG_EINVAL, "--locations-file %s lists no station", path);
    w->n_st = n;
    return DSG_OK;
}

/* ---- create, free, set ---- */

static void plan_free(weather *w)
{
    dsgi_free(w->st);
    dsgi_free(w->hparts);
    dsgi_free(w->dparts);
    w->st = NULL;
    w->hparts = NULL;
    w->dparts = NULL;
    w->n_st = w->n_hparts = w->n_dparts = 0;
}

static dsg_status wx_create(void **state, dsg_error *err)
{
    weather *w = dsgi_calloc(1, sizeof *w);
    DSGI_RETURN_IF(w == NULL, err, DSG_ENOMEM, "out of memory (creating dataset weather)");
    w->seed = 2024;
    w->start_day = dsgi_days_from_civil(2023, 1, 1);
    w->end_day = dsgi_days_from_civil(2023, 1, 31);
    w->start_option = "start";
    w->end_option = "end";
    w->seasonal_amplitude = 12.0;
    w->diurnal_amplitude = 3.0;
    w->storm_rate = 0.1;
    w->hourly_levels = DSGI_HIVE_YMDH;
    *state = w;
    return DSG_OK;
}

static void wx_free(void *state)
{
    weather *w = state;
    if (w == NULL)
        return;
    plan_free(w);
    dsgi_free(w->locations_text);
    dsgi_free(w->locations_file);
    dsgi_free(w);
}

static dsg_status set_text(char **slot, const char *value, dsg_error *err)
{
    char *copy = dsgi_strdup(value);
    DSGI_RETURN_IF(copy == NULL, err, DSG_ENOMEM, "out of memory");
    dsgi_free(*slot);
    *slot = copy;
    return DSG_OK;
}

static dsg_status wx_set(void *state, const char *name, const char *value, dsg_error *err)
{
    weather *w = state;
    if (strcmp(name, "seed") == 0)
        return dsgi_parse_u64(name, value, 0, UINT64_MAX, &w->seed, err);
    if (strcmp(name, "locations") == 0)
        return set_text(&w->locations_text, value, err);
    if (strcmp(name, "locations-file") == 0)
        return set_text(&w->locations_file, value, err);
    if (strcmp(name, "start") == 0 || strcmp(name, "start-date") == 0) {
        DSGI_FORWARD(dsgi_parse_date(name, value, &w->start_day, err));
        w->start_option = strcmp(name, "start") == 0 ? "start" : "start-date";
        return DSG_OK;
    }
    if (strcmp(name, "end") == 0 || strcmp(name, "end-date") == 0) {
        DSGI_FORWARD(dsgi_parse_date(name, value, &w->end_day, err));
        w->end_option = strcmp(name, "end") == 0 ? "end" : "end-date";
        return DSG_OK;
    }
    if (strcmp(name, "seasonal-amplitude") == 0)
        return dsgi_parse_double(name, value, 0.0, 40.0, &w->seasonal_amplitude, err);
    if (strcmp(name, "diurnal-amplitude") == 0)
        return dsgi_parse_double(name, value, 0.0, 20.0, &w->diurnal_amplitude, err);
    if (strcmp(name, "storm-rate") == 0)
        return dsgi_parse_double(name, value, 0.0, 1.0, &w->storm_rate, err);
    if (strcmp(name, "hourly-partitioning") == 0)
        return dsgi_parse_hive_levels(name, value, &w->hourly_levels, err);
    return dsgi_fail(err, DSG_EINVAL, "dataset weather has no option --%s", name);
}

/* ---- plan ---- */

/* Rows of weather_hourly before UTC hour H (invariant 3). */
static uint64_t rows_before_hour(const weather *w, int64_t hour)
{
    uint64_t rows = 0;
    for (size_t g = 0; g < w->n_offs; g++) {
        int64_t first = (int64_t)w->start_day * 24 - w->offs[g];
        int64_t in = hour - first;
        in = in < 0 ? 0 : in > w->hours_per_station ? w->hours_per_station : in;
        rows += w->offs_n[g] * (uint64_t)in;
    }
    return rows;
}

static dsg_status wx_prepare(void *state, dsg_error *err)
{
    weather *w = state;
    plan_free(w);
    DSGI_RETURN_IF(w->start_day > w->end_day, err, DSG_EINVAL, "--%s is after --%s", w->start_option,
                   w->end_option);
    w->n_days = (int64_t)w->end_day - w->start_day + 1;
    DSGI_RETURN_IF(w->n_days > MAX_DAYS, err, DSG_EINVAL,
                   "--%s to --%s spans %lld days; at most %d are supported", w->start_option,
                   w->end_option, (long long)w->n_days, MAX_DAYS);
    DSGI_RETURN_IF(w->locations_file != NULL && w->locations_text != NULL, err, DSG_EINVAL,
                   "give --locations or --locations-file, not both");
    DSGI_FORWARD(w->locations_file ? stations_from_file(w, err) : stations_from_option(w, err));
    qsort(w->st, w->n_st, sizeof *w->st, station_cmp);
    for (size_t i = 1; i < w->n_st; i++)
        if (w->st[i].id == w->st[i - 1].id) {
            dsg_status st = dsgi_fail(err, DSG_EINVAL, "location_id %lld appears twice",
                                      (long long)w->st[i].id);
            plan_free(w);
            return st;
        }
    w->hours_per_station = w->n_days * 24;
    w->n_offs = 0;
    for (size_t i = 0; i < w->n_st; i++) {
        station *s = &w->st[i];
        derive(s);
        set_scales(w, s);
        s->first_hour = (int64_t)w->start_day * 24 - s->offset_h;
        size_t g = 0;
        while (g < w->n_offs && w->offs[g] != s->offset_h)
            g++;
        if (g == w->n_offs) {
            w->offs[g] = s->offset_h;
            w->offs_n[g] = 0;
            w->n_offs++;
        }
        w->offs_n[g]++;
    }
    int max_off = -100, min_off = 100;
    for (size_t g = 0; g < w->n_offs; g++) {
        max_off = w->offs[g] > max_off ? w->offs[g] : max_off;
        min_off = w->offs[g] < min_off ? w->offs[g] : min_off;
    }
    w->hour_lo = (int64_t)w->start_day * 24 - max_off;
    w->hour_hi = ((int64_t)w->end_day + 1) * 24 - min_off;
    w->k_pressure = dsgi_stream_key(w->seed, "weather.pressure");
    w->k_wet = dsgi_stream_key(w->seed, "weather.wetness");
    w->k_rain = dsgi_stream_key(w->seed, "weather.showers");
    w->k_anom = dsgi_stream_key(w->seed, "weather.temperature");
    w->k_wind = dsgi_stream_key(w->seed, "weather.wind");
    w->k_dew = dsgi_stream_key(w->seed, "weather.dew_point");
    w->k_storm = dsgi_stream_key(w->seed, "weather.storms");

    /* hourly partitions: runs of hours with rows and the same hive key */
    size_t cap = (size_t)(w->hour_hi - w->hour_lo);
    w->hparts = dsgi_calloc(cap, sizeof *w->hparts);
    w->dparts = dsgi_calloc((size_t)w->n_days + 1, sizeof *w->dparts);
    if (w->hparts == NULL || w->dparts == NULL) {
        plan_free(w);
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (planning %lld days)", (long long)w->n_days);
    }
    int64_t last_key = 0;
    for (int64_t h = w->hour_lo; h < w->hour_hi; h++) {
        if (rows_before_hour(w, h + 1) == rows_before_hour(w, h))
            continue;
        int64_t key = dsgi_hive_key(h * DSGI_US_PER_HOUR, w->hourly_levels);
        if (w->n_hparts > 0 && key == last_key && w->hparts[w->n_hparts - 1].end_hour == h) {
            w->hparts[w->n_hparts - 1].end_hour = h + 1;
        } else {
            w->hparts[w->n_hparts++] = (hour_span){h, h + 1};
            last_key = key;
        }
    }
    for (int64_t d = 0; d < w->n_days; d++) {
        int64_t key = dsgi_hive_key(((int64_t)w->start_day + d) * DSGI_US_PER_DAY, DSGI_HIVE_YM);
        if (d == 0 || key != last_key)
            w->dparts[w->n_dparts++] = (int32_t)d;
        last_key = key;
    }
    w->dparts[w->n_dparts] = (int32_t)w->n_days;
    return DSG_OK;
}

static uint64_t wx_rows(const void *state, size_t t)
{
    const weather *w = state;
    return t == T_HOURLY ? rows_before_hour(w, w->hour_hi) : (uint64_t)w->n_days * w->n_st;
}

static size_t wx_partitions(const void *state, size_t t)
{
    const weather *w = state;
    return t == T_HOURLY ? w->n_hparts : w->n_dparts;
}

static dsg_status wx_partition(const void *state, size_t t, size_t p, char *path, size_t size,
                               uint64_t *first_row, uint64_t *rows, dsg_error *err)
{
    const weather *w = state;
    uint64_t first, end;
    if (t == T_HOURLY) {
        const hour_span *sp = &w->hparts[p];
        DSGI_FORWARD(dsgi_hive_path(sp->first_hour * DSGI_US_PER_HOUR, w->hourly_levels, path, size, err));
        first = rows_before_hour(w, sp->first_hour);
        end = rows_before_hour(w, sp->end_hour);
    } else {
        DSGI_FORWARD(dsgi_hive_path(((int64_t)w->start_day + w->dparts[p]) * DSGI_US_PER_DAY,
                                    DSGI_HIVE_YM, path, size, err));
        first = (uint64_t)w->dparts[p] * w->n_st;
        end = (uint64_t)w->dparts[p + 1] * w->n_st;
    }
    *first_row = first;
    *rows = end - first;
    return DSG_OK;
}

static const char *const *wx_partition_by(const void *state, size_t t, size_t *n)
{
    const weather *w = state;
    return dsgi_hive_names(t == T_HOURLY ? w->hourly_levels : DSGI_HIVE_YM, n);
}

/* weather_hourly's levels derive from timestamp, weather_daily's from date */
static const dsg_partition_transform *wx_partition_transforms(const void *state, size_t t, int *source)
{
    const weather *w = state;
    *source = t == T_HOURLY ? H_TS : D_DATE;
    return dsgi_hive_transforms(t == T_HOURLY ? w->hourly_levels : DSGI_HIVE_YM);
}

/* ---- fill ---- */

static inline int active(const weather *w, const station *s, int64_t hour)
{
    return hour >= s->first_hour && hour < s->first_hour + w->hours_per_station;
}

static dsg_status fill_hourly(const weather *w, uint64_t first_row, size_t n, dsgi_col *c,
                              dsg_error *err)
{
    DSGI_FORWARD(dsgi_buf_reserve(&c[H_COND].data, n * CONDITION_MAX, err));
    /* the hour of first_row: the last hour with rows_before_hour <= first_row */
    int64_t lo = w->hour_lo, hi = w->hour_hi;
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (rows_before_hour(w, mid) <= first_row)
            lo = mid;
        else
            hi = mid;
    }
    int64_t hour = lo;
    uint64_t skip = first_row - rows_before_hour(w, hour);
    size_t k = 0;
    for (;; k++) {
        assert(k < w->n_st);
        if (active(w, &w->st[k], hour) && skip-- == 0)
            break;
    }
    int64_t *ts = c[H_TS].values, *loc = c[H_LOC].values;
    double *temp = c[H_TEMP].values, *hum = c[H_HUM].values, *wind = c[H_WIND].values;
    double *pres = c[H_PRES].values, *precip = c[H_PRECIP].values, *dew = c[H_DEW].values;
    char *text = (char *)c[H_COND].data.data;
    size_t text_len = 0;
    for (size_t i = 0; i < n; i++) {
        const station *s = &w->st[k];
        obs o;
        observe(w, s, hour, &o);
        ts[i] = hour * DSGI_US_PER_HOUR;
        loc[i] = s->id;
        temp[i] = o.t10 / 10.0;
        hum[i] = o.hum10 / 10.0;
        wind[i] = o.wind10 / 10.0;
        pres[i] = o.pres10 / 10.0;
        precip[i] = o.precip10 / 10.0;
        dew[i] = o.td10 / 10.0;
        size_t len = strlen(o.cond);
        memcpy(text + text_len, o.cond, len);
        text_len += len;
        c[H_COND].offsets[i + 1] = (int32_t)text_len;
        /* next active station, or the first of the next hour */
        do {
            if (++k == w->n_st) {
                k = 0;
                hour++;
            }
        } while (i + 1 < n && !active(w, &w->st[k], hour));
    }
    c[H_COND].data.len = text_len;
    return DSG_OK;
}

/* Invariant 4: the daily row of station s for local day 'day' (index). */
static dsg_status fill_daily(const weather *w, uint64_t first_row, size_t n, dsgi_col *c,
                             dsg_error *err)
{
    DSGI_FORWARD(dsgi_buf_reserve(&c[D_COND].data, n * CONDITION_MAX, err));
    int32_t *date = c[D_DATE].values;
    int64_t *loc = c[D_LOC].values;
    double *tmin = c[D_TMIN].values, *tmax = c[D_TMAX].values;
    double *precip = c[D_PRECIP].values, *snow = c[D_SNOW].values;
    char *text = (char *)c[D_COND].data.data;
    size_t text_len = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t row = first_row + i;
        int64_t day = (int64_t)(row / w->n_st);
        const station *s = &w->st[row % w->n_st];
        int lo = INT32_MAX, hi = INT32_MIN, any_storm = 0;
        int64_t rain10 = 0, snow10 = 0;
        unsigned count[N_COND] = {0};
        for (int h = 0; h < 24; h++) {
            obs o;
            observe(w, s, s->first_hour + day * 24 + h, &o);
            lo = o.t10 < lo ? o.t10 : lo;
            hi = o.t10 > hi ? o.t10 : hi;
            rain10 += o.precip10;
            if (o.t10 <= 5)
                snow10 += o.precip10;
            any_storm |= o.storm;
            for (int k = 0; k < N_COND; k++)
                if (o.cond == cond_text[k])
                    count[k]++;
        }
        int cond;
        if (any_storm)
            cond = C_STORM;
        else if (snow10 >= 10)
            cond = C_SNOW;
        else if (rain10 >= 10)
            cond = C_RAIN;
        else if (rain10 > 0)
            cond = C_DRIZZLE;
        else {
            count[C_SUNNY] += count[C_CLEAR];
            cond = C_FOG;
            for (int k = C_CLOUDY; k <= C_SUNNY; k++)
                if (count[k] > count[cond])
                    cond = k;
        }
        date[i] = w->start_day + (int32_t)day;
        loc[i] = s->id;
        tmin[i] = lo / 10.0;
        tmax[i] = hi / 10.0;
        precip[i] = (double)rain10 / 10.0;
        snow[i] = (double)snow10 / 10.0;
        size_t len = strlen(cond_text[cond]);
        memcpy(text + text_len, cond_text[cond], len);
        text_len += len;
        c[D_COND].offsets[i + 1] = (int32_t)text_len;
    }
    c[D_COND].data.len = text_len;
    return DSG_OK;
}

static dsg_status wx_fill(const void *state, size_t t, uint64_t first_row, size_t n_rows,
                          dsg_batch *b, dsg_error *err)
{
    const weather *w = state;
    DSGI_FORWARD(dsgi_batch_begin(b, n_rows, err));
    if (n_rows == 0)
        return DSG_OK;
    return t == T_HOURLY ? fill_hourly(w, first_row, n_rows, b->cols, err)
                         : fill_daily(w, first_row, n_rows, b->cols, err);
}

const dsgi_dataset_class dsgi_weather_class = {
    .name = "weather",
    .description = "hourly and daily weather of world stations: seasons, days and nights, "
                   "moving pressure systems, wet and dry spells, storms",
    .options = options,
    .n_options = N_OPTIONS,
    .tables = tables,
    .n_tables = N_TABLES,
    .create = wx_create,
    .free = wx_free,
    .set = wx_set,
    .prepare = wx_prepare,
    .table_rows = wx_rows,
    .n_partitions = wx_partitions,
    .partition = wx_partition,
    .partition_by = wx_partition_by,
    .partition_transforms = wx_partition_transforms,
    .fill = wx_fill,
};
