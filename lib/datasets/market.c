/*
 * market.c - the market_ohlcv and market_quotes datasets: bars and quotes
 * of a basket of symbols that follow one underlying price path.
 *
 * The path. A symbol's log price is
 *     L(t) = ln P0 + sigma_s W_s(tau(t)) - sigma_s^2 tau(t) / 2 + mu t
 * where t counts trading days from --start (fractions inside a session),
 * tau(t) is business time (variance: quiet and busy weeks, a U-shaped
 * intraday volatility, an overnight share) and W_s = sqrt(rho) F +
 * sqrt(1 - rho) I_s mixes a market factor F shared by every symbol with the
 * symbol's own I_s (both standard Brownian motions in tau).
 *
 * Both are built hierarchically, so any point is computable alone:
 *  1. Day opens: a dyadic Brownian bridge over trading-day indices
 *     [0, 2^17]: the value at index 2^17 first, then midpoints, each a
 *     normal of its node (heap numbering) given the two ends. The open of
 *     day d is the value at index d (17 levels down).
 *  2. The close of day d: a bridge point between the opens of d and d + 1
 *     at the session's share of the day's variance (the rest is the
 *     overnight gap).
 *  3. Minute boundaries of the session: a bridge between open and close,
 *     splitting [l, r] at (l + r) / 2 down to single minutes.
 *  4. Inside minute m: the high and the low are draws of the maximum and
 *     minimum of a Brownian bridge between the minute's ends.
 * Every normal is a pure function of (seed, symbol name, node), so the path
 * of a symbol depends only on the seed, its name and the path options
 * (start, dates, mu, sigma, base prices, correlation, trading hours,
 * calendar), never on the other symbols, the frequency or the table.
 *
 * Invariants (tests/unit/test_market.c, tests/python/test_datasets_market.py):
 *  1. Prices are whole ticks of 0.01 (written as ticks / 100.0). A
 *     minute's open is the tick of L at its start, its close the tick at
 *     its end (= the next minute's open); high = max(open, close, tick of
 *     the bridge maximum), low = min(open, close, tick of the minimum).
 *  2. A bar of any frequency aggregates the 1-minute bars it covers: open
 *     of the first, close of the last, max of highs, min of lows, sum of
 *     volumes. So 1d bars equal the aggregates of 1m bars exactly.
 *  3. Only trading days: weekdays from --start to --end, minus the
 *     --calendar's holidays and --holidays. Intraday bars start at session
 *     start + k x freq (the last may be shorter); 1d bars are stamped at
 *     00:00 UTC of the trading date.
 *  4. ohlcv rows are in (timestamp, symbol order of --symbols); quotes rows
 *     in (timestamp, symbol order, quote index), minute by minute.
 *  5. Quotes: quotes-per-minute per symbol and minute, at strictly
 *     increasing microseconds inside the minute (one per equal slice);
 *     mid = (bid + ask) / 2 lies within that minute's 1m low and high for
 *     the same options; ask - bid >= 1 tick; spread_bps = (ask - bid) / mid
 *     x 10^4 as a float; sequence = row + 1.
 *  6. Partitions group rows by the hive key of the timestamp (ymdh by
 *     default, ym for 1d bars).
 */
#include "series.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_SYMBOLS 10000
#define SYMBOL_MAX_BYTES 16
#define DAY_LEVELS 17
#define DAY_SPAN ((int64_t)1 << DAY_LEVELS)
#define MAX_TRADING_DAYS (DAY_SPAN - 1)
#define MAX_HOLIDAYS 4096
#define SESSION_SHARE 0.8 /* of a day's variance; the overnight gap has the rest */
#define TICKS_PER_UNIT 100.0
#define MAX_QUOTES_PER_MINUTE 600
#define MAX_QUOTES_A_MINUTE 200000 /* all symbols: a fill sorts a minute's quotes in memory */

typedef enum { KIND_OHLCV, KIND_QUOTES } market_kind;

/* ---- tables ---- */

enum { O_TS, O_SYM, O_OPEN, O_HIGH, O_LOW, O_CLOSE, O_VOLUME, N_O };
enum { Q_TS, Q_SYM, Q_BID, Q_ASK, Q_BID_SIZE, Q_ASK_SIZE, Q_SPREAD, Q_SEQ, N_Q };

static const dsg_field ohlcv_fields[N_O] = {
    [O_TS] = {"timestamp", DSG_TIMESTAMP, 0, 0, 0, NULL, 0},
    [O_SYM] = {"symbol", DSG_STRING, 0, 0, 0, NULL, 0},
    [O_OPEN] = {"open", DSG_DOUBLE, 0, 0, 0, NULL, 0},
    [O_HIGH] = {"high", DSG_DOUBLE, 0, 0, 0, NULL, 0},
    [O_LOW] = {"low", DSG_DOUBLE, 0, 0, 0, NULL, 0},
    [O_CLOSE] = {"close", DSG_DOUBLE, 0, 0, 0, NULL, 0},
    [O_VOLUME] = {"volume", DSG_INT64, 0, 0, 0, NULL, 0},
};
static const dsg_field quote_fields[N_Q] = {
    [Q_TS] = {"timestamp", DSG_TIMESTAMP, 0, 0, 0, NULL, 0},
    [Q_SYM] = {"symbol", DSG_STRING, 0, 0, 0, NULL, 0},
    [Q_BID] = {"bid_price", DSG_DOUBLE, 0, 0, 0, NULL, 0},
    [Q_ASK] = {"ask_price", DSG_DOUBLE, 0, 0, 0, NULL, 0},
    [Q_BID_SIZE] = {"bid_size", DSG_INT32, 0, 0, 0, NULL, 0},
    [Q_ASK_SIZE] = {"ask_size", DSG_INT32, 0, 0, 0, NULL, 0},
    [Q_SPREAD] = {"spread_bps", DSG_FLOAT, 0, 0, 0, NULL, 0},
    [Q_SEQ] = {"sequence", DSG_INT64, DSG_FIELD_NO_DICT, 0, 0, NULL, 0},
};

static const char *const by_ymdh[] = {"year", "month", "day", "hour"};
static const dsgi_table_def ohlcv_tables[] = {{"ohlcv", ohlcv_fields, N_O, by_ymdh, 4}};
static const dsgi_table_def quote_tables[] = {{"quotes", quote_fields, N_Q, by_ymdh, 4}};

#define DEFAULT_SYMBOLS "ACME,BLTZ,CRWN,DYNX,ELCO,FJRD,GRVT,HLXS"
#define DEFAULT_BASE_PRICES                                                                        \
    "ACME=182.50,BLTZ=41.20,CRWN=96.75,DYNX=12.80,ELCO=255.10,FJRD=63.40,GRVT=8.15,HLXS=131.90"

#define COMMON_OPTIONS                                                                             \
    {"seed", "123", "random seed: the same seed and options give the same data"},                  \
        {"symbols", DEFAULT_SYMBOLS, "symbols separated by commas (1 to 16 bytes of A-Z a-z 0-9 . - _)"}, \
        {"start", "2023-01-01", "first date, YYYY-MM-DD"},                                         \
        {"end", "2023-01-31", "last date, YYYY-MM-DD (inclusive)"},                                \
        {"start-date", "2023-01-01", "the same as --start"},                                       \
        {"end-date", "2023-01-31", "the same as --end"},                                           \
        {"mu", "0", "drift of the log price per trading day (-0.1 to 0.1)"},                       \
        {"sigma", "0.02",                                                                          \
         "daily volatility of the log price (0 to 0.5); each symbol's is this times a factor "    \
         "from 0.6 to 1.7"},                                                                       \
        {"base-price", "100", "first price of symbols not in --base-prices (0.01 to 10^6)"},       \
        {"base-prices", DEFAULT_BASE_PRICES,                                                       \
         "first prices as SYMBOL=PRICE,...; entries for symbols not traded are ignored"},         \
        {"correlation", "0.4", "correlation of the symbols' returns through a market factor (0 to 1)"}, \
        {"trading-hours", "9-17",                                                                 \
         "session in exchange time, H-H or HH:MM-HH:MM (the reference's 9 to 17)"},               \
        {"utc-offset", "0", "exchange time minus UTC in hours, e.g. -5 (multiples of 0.25)"},      \
        {"calendar", "none", "holidays besides weekends: none, or nyse (New York Stock Exchange rules)"}, \
        {"holidays", "none", "more closed dates, YYYY-MM-DD separated by commas"}

static const dsg_option_info ohlcv_options[] = {
    COMMON_OPTIONS,
    {"partitioning", "ymdh (ym for --freq 1d)",
     "directories: ymdh (year/month/day/hour, the reference's), ymd, ym, y or none"},
    {"freq", "1m", "bar length: 1m, 5m, 15m, 30m, 1h or 1d (every one aggregates the same 1m bars)"},
    {"volume-mean", "12", "mean of a symbol's log daily volume (12: about 160,000 shares)"},
    {"volume-sigma", "0.8", "spread of log daily volume across symbols (0 to 3)"},
};
static const dsg_option_info quote_options[] = {
    COMMON_OPTIONS,
    {"partitioning", "ymdh", "directories: ymdh (year/month/day/hour, the reference's), ymd, ym, y or none"},
    {"quotes-per-minute", "5", "quotes per symbol and minute (1 to 600)"},
    {"spread-bps-mean", "1.0", "log-mean of the spread in basis points (spreads widen at the open and close)"},
    {"spread-bps-sigma", "0.3", "log-sd of the spread in basis points (0 to 3)"},
    {"size-mean", "200", "mean displayed size per side (1 to 10^6)"},
    {"size-sigma", "60", "standard deviation of displayed size (0 to 10^6)"},
};

/* ---- state ---- */

typedef struct symbol {
    char name[SYMBOL_MAX_BYTES + 1];
    uint32_t name_len;
    double log_p0, sigma, vol_offset, spread_factor;
    uint64_t k_day, k_close, k_intra, k_extreme, k_volume, k_quote;
} symbol;

typedef struct span64 {
    uint64_t first, end; /* bars (ohlcv) or minutes (quotes), global indices */
} span64;

typedef struct market {
    market_kind kind;
    uint64_t seed;
    char *symbols_text, *base_prices_text, *holidays_text;
    int32_t start_day, end_day;
    const char *start_option, *end_option;
    double mu, sigma, base_price, correlation, volume_mean, volume_sigma;
    int session_start, session_end; /* minutes of the exchange day */
    int utc_offset_min;
    int calendar_nyse;
    int freq; /* minutes; 1440 for 1d */
    int levels_set;
    dsgi_hive_levels levels;
    uint64_t quotes_per_minute;
    double spread_mean, spread_sigma, size_mean, size_sigma;

    /* plan */
    symbol *sym;
    size_t n_sym;
    int32_t *days; /* trading dates, days since 1970 */
    size_t n_days;
    int n_min;           /* session minutes */
    int bars_per_day;    /* ohlcv */
    double *tau;         /* DAY_SPAN + 1: business time at day opens */
    double *u;           /* n_min + 1: share of the session's variance before minute m */
    double *vol_share;   /* n_min: share of the day's volume in minute m */
    double *spread_mult; /* n_min: spread widening at open and close */
    span64 *parts;
    size_t n_parts;
    double sqrt_rho, sqrt_1mrho;
    uint64_t kf_day, kf_close, kf_intra;
} market;

/* ---- calendar ---- */

static int weekday(int64_t day) { return (int)(((day % 7) + 11) % 7); } /* 0 Sunday; 1970-01-01 Thursday */

/* The n-th (1-based) weekday wd of month m; n = -1: the last. */
static int64_t nth_weekday(int64_t y, unsigned m, int wd, int n)
{
    if (n > 0) {
        int64_t first = dsgi_days_from_civil(y, m, 1);
        return first + (wd - weekday(first) + 7) % 7 + 7 * (n - 1);
    }
    int64_t last = dsgi_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1;
    return last - (weekday(last) - wd + 7) % 7;
}

/* Easter Sunday (anonymous Gregorian algorithm). */
static int64_t easter(int64_t y)
{
    int64_t a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25;
    int64_t g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4;
    int64_t l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
    int64_t month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
    return dsgi_days_from_civil(y, (unsigned)month, (unsigned)day);
}

/* A fixed-date holiday observed on Friday when Saturday, Monday when Sunday. */
static int64_t observed(int64_t day)
{
    int wd = weekday(day);
    return wd == 6 ? day - 1 : wd == 0 ? day + 1 : day;
}

static int nyse_holiday(int64_t day)
{
    int64_t y;
    unsigned m, d;
    dsgi_civil_from_days(day, &y, &m, &d);
    int64_t jan1 = dsgi_days_from_civil(y, 1, 1);
    if (weekday(jan1) != 6 && day == observed(jan1)) /* no Friday closing for a Saturday */
        return 1;
    if (y >= 1998 && day == nth_weekday(y, 1, 1, 3)) /* Martin Luther King Jr. Day */
        return 1;
    if (day == nth_weekday(y, 2, 1, 3)) /* Washington's Birthday */
        return 1;
    if (day == easter(y) - 2) /* Good Friday */
        return 1;
    if (day == nth_weekday(y, 5, 1, -1)) /* Memorial Day */
        return 1;
    if (y >= 2022 && day == observed(dsgi_days_from_civil(y, 6, 19))) /* Juneteenth */
        return 1;
    if (day == observed(dsgi_days_from_civil(y, 7, 4)))
        return 1;
    if (day == nth_weekday(y, 9, 1, 1)) /* Labor Day */
        return 1;
    if (day == nth_weekday(y, 11, 4, 4)) /* Thanksgiving */
        return 1;
    if (day == observed(dsgi_days_from_civil(y, 12, 25)))
        return 1;
    return 0;
}

/* ---- the path ---- */

static inline double zmix(const market *mk, uint64_t kf, uint64_t ki, uint64_t node)
{
    double z = 0.0;
    if (mk->sqrt_rho > 0.0)
        z += mk->sqrt_rho * dsgi_gauss(kf, node);
    if (mk->sqrt_1mrho > 0.0)
        z += mk->sqrt_1mrho * dsgi_gauss(ki, node);
    return z;
}

/* W at the open of trading day d (step 1). */
static double w_open(const market *mk, const symbol *s, int64_t d)
{
    const double *tau = mk->tau;
    int64_t l = 0, r = DAY_SPAN;
    double wl = 0.0, wr = sqrt(tau[r]) * zmix(mk, mk->kf_day, s->k_day, 0);
    uint64_t node = 1;
    for (;;) {
        if (d == l)
            return wl;
        if (d == r)
            return wr;
        int64_t m = (l + r) / 2;
        double tl = tau[l], tm = tau[m], tr = tau[r];
        double wm = wl + (wr - wl) * (tm - tl) / (tr - tl) +
                    sqrt((tm - tl) * (tr - tm) / (tr - tl)) * zmix(mk, mk->kf_day, s->k_day, node);
        if (d < m) {
            r = m;
            wr = wm;
            node = 2 * node;
        } else {
            l = m;
            wl = wm;
            node = 2 * node + 1;
        }
    }
}

/* One session of one symbol: W at its open and close and its variance. */
typedef struct session {
    int64_t day; /* trading day index, -1: none */
    double open, close, var;
    double volume_level; /* log volume of the day */
    uint64_t kf, ki;     /* intraday node streams */
    /* a window of W at minute boundaries [w0, w1] (fill's cache), or none */
    double *w;
    int w0, w1;
} session;

static void session_of(const market *mk, const symbol *s, int64_t d, session *ss)
{
    double v = mk->tau[d + 1] - mk->tau[d];
    double next = w_open(mk, s, d + 1);
    ss->day = d;
    ss->open = w_open(mk, s, d);
    ss->var = SESSION_SHARE * v;
    ss->close = ss->open + SESSION_SHARE * (next - ss->open) +
                sqrt(SESSION_SHARE * (1.0 - SESSION_SHARE) * v) *
                    zmix(mk, mk->kf_close, s->k_close, (uint64_t)d);
    ss->kf = dsgi_sub_key(mk->kf_intra, (uint64_t)d);
    ss->ki = dsgi_sub_key(s->k_intra, (uint64_t)d);
    ss->volume_level = mk->volume_mean + s->vol_offset +
                       0.35 * dsgi_noise(s->k_volume, (double)d / 4.0, NULL) + 0.5 * dsgi_log(v);
    ss->w0 = 1;
    ss->w1 = 0; /* the window is empty */
}

/* Fills w[m - m0] = W at minute boundary m for m in [m0, m1] (step 3),
 * visiting only the nodes whose interval meets [m0, m1]. */
static void path_range(const market *mk, const session *ss, int l, int r, double wl, double wr,
                       uint64_t node, int m0, int m1, double *w)
{
    if (l >= m0 && l <= m1)
        w[l - m0] = wl;
    if (r >= m0 && r <= m1)
        w[r - m0] = wr;
    if (r - l <= 1 || r <= m0 || l >= m1)
        return;
    int m = (l + r) / 2;
    double tl = mk->u[l], tm = mk->u[m], tr = mk->u[r];
    double wm = wl + (wr - wl) * (tm - tl) / (tr - tl) +
                sqrt(ss->var * (tm - tl) * (tr - tm) / (tr - tl)) * zmix(mk, ss->kf, ss->ki, node);
    path_range(mk, ss, l, m, wl, wm, 2 * node, m0, m1, w);
    path_range(mk, ss, m, r, wm, wr, 2 * node + 1, m0, m1, w);
}

static inline double log_price(const market *mk, const symbol *s, const session *ss, int m,
                               double w)
{
    double tau = mk->tau[ss->day] + ss->var * mk->u[m];
    double t = (double)ss->day + (double)m / (double)mk->n_min;
    return s->log_p0 + s->sigma * w - 0.5 * s->sigma * s->sigma * tau + mk->mu * t;
}

static inline int64_t ticks_of(double log_p)
{
    int64_t t = dsgi_round_i64(dsgi_exp(log_p) * TICKS_PER_UNIT);
    return t < 1 ? 1 : t;
}

typedef struct bar_t {
    int64_t open, high, low, close, volume; /* prices in ticks */
} bar_t;

/* The 1-minute bar m of a session from W at its ends (invariant 1, step 4). */
static bar_t minute_bar(const market *mk, const symbol *s, const session *ss, int m, double w0,
                      double w1)
{
    double a = log_price(mk, s, ss, m, w0), b = log_price(mk, s, ss, m + 1, w1);
    double var = s->sigma * s->sigma * ss->var * (mk->u[m + 1] - mk->u[m]);
    uint64_t counter = (uint64_t)ss->day * (uint64_t)mk->n_min + (uint64_t)m;
    uint64_t r1 = dsgi_rand(s->k_extreme, 2 * counter), r2 = dsgi_rand(s->k_extreme, 2 * counter + 1);
    double e1 = -dsgi_log(1.0 - dsgi_unit(r1)), e2 = -dsgi_log(1.0 - dsgi_unit(r2));
    double hi = 0.5 * (a + b + sqrt((b - a) * (b - a) + 2.0 * var * e1));
    double lo = 0.5 * (a + b - sqrt((b - a) * (b - a) + 2.0 * var * e2));
    bar_t out;
    out.open = ticks_of(a);
    out.close = ticks_of(b);
    int64_t th = ticks_of(hi), tl = ticks_of(lo);
    out.high = DSGI_MAX(th, DSGI_MAX(out.open, out.close));
    out.low = DSGI_MIN(tl, DSGI_MIN(out.open, out.close));
    /* volume: the day's level, the U-shaped minute share, more when the price moves */
    double level = ss->volume_level;
    double move = var > 0.0 ? fabs(b - a) / sqrt(var) : 0.0;
    double z = dsgi_gauss(s->k_volume ^ 0x5bd1e995u, counter);
    double v = dsgi_exp(level + 0.45 * z - 0.1) * mk->vol_share[m] * (0.45 + 0.55 * DSGI_MIN(move, 4.0));
    out.volume = DSGI_MAX((int64_t)1, dsgi_round_i64(v));
    return out;
}

/* The bar over minutes [m0, m1) of a session: the aggregate of its 1m bars
 * (invariant 2); w[m - m0] is W at minute boundary m. */
static bar_t range_bar(const market *mk, const symbol *s, const session *ss, int m0, int m1,
                       const double *w)
{
    bar_t out = minute_bar(mk, s, ss, m0, w[0], w[1]);
    for (int m = m0 + 1; m < m1; m++) {
        bar_t b = minute_bar(mk, s, ss, m, w[m - m0], w[m - m0 + 1]);
        out.high = DSGI_MAX(out.high, b.high);
        out.low = DSGI_MIN(out.low, b.low);
        out.close = b.close;
        out.volume += b.volume;
    }
    return out;
}

/* ---- options ---- */

static dsg_status mk_create(void **state, market_kind kind, dsg_error *err)
{
    market *mk = dsgi_calloc(1, sizeof *mk);
    DSGI_RETURN_IF(mk == NULL, err, DSG_ENOMEM, "out of memory (creating a market dataset)");
    mk->kind = kind;
    mk->seed = 123;
    mk->start_day = dsgi_days_from_civil(2023, 1, 1);
    mk->end_day = dsgi_days_from_civil(2023, 1, 31);
    mk->start_option = "start";
    mk->end_option = "end";
    mk->sigma = 0.02;
    mk->base_price = 100.0;
    mk->correlation = 0.4;
    mk->volume_mean = 12.0;
    mk->volume_sigma = 0.8;
    mk->session_start = 9 * 60;
    mk->session_end = 17 * 60;
    mk->freq = 1;
    mk->quotes_per_minute = 5;
    mk->spread_mean = 1.0;
    mk->spread_sigma = 0.3;
    mk->size_mean = 200.0;
    mk->size_sigma = 60.0;
    *state = mk;
    return DSG_OK;
}

static dsg_status ohlcv_create(void **state, dsg_error *err) { return mk_create(state, KIND_OHLCV, err); }
static dsg_status quotes_create(void **state, dsg_error *err) { return mk_create(state, KIND_QUOTES, err); }

static void plan_free(market *mk)
{
    dsgi_free(mk->sym);
    dsgi_free(mk->days);
    dsgi_free(mk->tau);
    dsgi_free(mk->u);
    dsgi_free(mk->vol_share);
    dsgi_free(mk->spread_mult);
    dsgi_free(mk->parts);
    mk->sym = NULL;
    mk->days = NULL;
    mk->tau = mk->u = mk->vol_share = mk->spread_mult = NULL;
    mk->parts = NULL;
    mk->n_sym = mk->n_days = mk->n_parts = 0;
}

static void mk_free(void *state)
{
    market *mk = state;
    if (mk == NULL)
        return;
    plan_free(mk);
    dsgi_free(mk->symbols_text);
    dsgi_free(mk->base_prices_text);
    dsgi_free(mk->holidays_text);
    dsgi_free(mk);
}

static dsg_status set_text(char **slot, const char *value, dsg_error *err)
{
    char *copy = dsgi_strdup(value);
    DSGI_RETURN_IF(copy == NULL, err, DSG_ENOMEM, "out of memory");
    dsgi_free(*slot);
    *slot = copy;
    return DSG_OK;
}

/* "9", "9:30" or "09:30" into minutes of the day (0..1440). */
static int parse_clock(const char *s, const char *end, int *minutes)
{
    int h = 0, m = 0, digits = 0;
    while (s < end && *s >= '0' && *s <= '9' && digits < 2) {
        h = h * 10 + (*s++ - '0');
        digits++;
    }
    if (digits == 0)
        return -1;
    if (s < end && *s == ':') {
        s++;
        if (end - s != 2 || s[0] < '0' || s[0] > '5' || s[1] < '0' || s[1] > '9')
            return -1;
        m = (s[0] - '0') * 10 + (s[1] - '0');
        s += 2;
    }
    if (s != end || h > 24 || (h == 24 && m != 0))
        return -1;
    *minutes = h * 60 + m;
    return 0;
}

static dsg_status mk_set(void *state, const char *name, const char *value, dsg_error *err)
{
    market *mk = state;
    if (strcmp(name, "seed") == 0)
        return dsgi_parse_u64(name, value, 0, UINT64_MAX, &mk->seed, err);
    if (strcmp(name, "symbols") == 0)
        return set_text(&mk->symbols_text, value, err);
    if (strcmp(name, "base-prices") == 0)
        return set_text(&mk->base_prices_text, value, err);
    if (strcmp(name, "holidays") == 0)
        return set_text(&mk->holidays_text, value, err);
    if (strcmp(name, "start") == 0 || strcmp(name, "start-date") == 0) {
        DSGI_FORWARD(dsgi_parse_date(name, value, &mk->start_day, err));
        mk->start_option = strcmp(name, "start") == 0 ? "start" : "start-date";
        return DSG_OK;
    }
    if (strcmp(name, "end") == 0 || strcmp(name, "end-date") == 0) {
        DSGI_FORWARD(dsgi_parse_date(name, value, &mk->end_day, err));
        mk->end_option = strcmp(name, "end") == 0 ? "end" : "end-date";
        return DSG_OK;
    }
    if (strcmp(name, "mu") == 0)
        return dsgi_parse_double(name, value, -0.1, 0.1, &mk->mu, err);
    if (strcmp(name, "sigma") == 0)
        return dsgi_parse_double(name, value, 0.0, 0.5, &mk->sigma, err);
    if (strcmp(name, "base-price") == 0)
        return dsgi_parse_double(name, value, 0.01, 1e6, &mk->base_price, err);
    if (strcmp(name, "correlation") == 0)
        return dsgi_parse_double(name, value, 0.0, 1.0, &mk->correlation, err);
    if (strcmp(name, "volume-mean") == 0)
        return dsgi_parse_double(name, value, 0.0, 25.0, &mk->volume_mean, err);
    if (strcmp(name, "volume-sigma") == 0)
        return dsgi_parse_double(name, value, 0.0, 3.0, &mk->volume_sigma, err);
    if (strcmp(name, "spread-bps-mean") == 0)
        return dsgi_parse_double(name, value, -3.0, 7.0, &mk->spread_mean, err);
    if (strcmp(name, "spread-bps-sigma") == 0)
        return dsgi_parse_double(name, value, 0.0, 3.0, &mk->spread_sigma, err);
    if (strcmp(name, "size-mean") == 0)
        return dsgi_parse_double(name, value, 1.0, 1e6, &mk->size_mean, err);
    if (strcmp(name, "size-sigma") == 0)
        return dsgi_parse_double(name, value, 0.0, 1e6, &mk->size_sigma, err);
    if (strcmp(name, "quotes-per-minute") == 0)
        return dsgi_parse_u64(name, value, 1, MAX_QUOTES_PER_MINUTE, &mk->quotes_per_minute, err);
    if (strcmp(name, "partitioning") == 0) {
        DSGI_FORWARD(dsgi_parse_hive_levels(name, value, &mk->levels, err));
        mk->levels_set = 1;
        return DSG_OK;
    }
    if (strcmp(name, "calendar") == 0) {
        DSGI_RETURN_IF(strcmp(value, "none") != 0 && strcmp(value, "nyse") != 0, err, DSG_EINVAL,
                       "--calendar must be none or nyse, not '%s'", value);
        mk->calendar_nyse = strcmp(value, "nyse") == 0;
        return DSG_OK;
    }
    if (strcmp(name, "freq") == 0) {
        static const char *const names[] = {"1m", "5m", "15m", "30m", "1h", "1d"};
        static const int minutes[] = {1, 5, 15, 30, 60, 1440};
        for (int i = 0; i < 6; i++)
            if (strcmp(value, names[i]) == 0) {
                mk->freq = minutes[i];
                return DSG_OK;
            }
        return dsgi_fail(err, DSG_EINVAL, "--freq must be 1m, 5m, 15m, 30m, 1h or 1d, not '%s'", value);
    }
    if (strcmp(name, "trading-hours") == 0) {
        const char *dash = strchr(value, '-');
        int a, b;
        int ok = dash != NULL && parse_clock(value, dash, &a) == 0 &&
                 parse_clock(dash + 1, dash + strlen(dash), &b) == 0 && a < b;
        DSGI_RETURN_IF(!ok, err, DSG_EINVAL,
                       "--trading-hours must be START-END in hours or HH:MM of one day with START "
                       "before END (9-17, 09:30-16:00), not '%s'",
                       value);
        mk->session_start = a;
        mk->session_end = b;
        return DSG_OK;
    }
    if (strcmp(name, "utc-offset") == 0) {
        double h;
        DSGI_FORWARD(dsgi_parse_double(name, value, -12.0, 14.0, &h, err));
        DSGI_RETURN_IF(h * 4.0 != floor(h * 4.0), err, DSG_EINVAL,
                       "--utc-offset must be a multiple of 0.25 hours, not %s", value);
        mk->utc_offset_min = (int)(h * 60.0);
        return DSG_OK;
    }
    return dsgi_fail(err, DSG_EINVAL, "this market dataset has no option --%s", name);
}

/* ---- prepare ---- */

static int symbol_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
}

static dsg_status plan_symbols(market *mk, dsg_error *err)
{
    const char *text = mk->symbols_text ? mk->symbols_text : DEFAULT_SYMBOLS;
    char *copy = dsgi_strdup(text);
    char **items = dsgi_calloc(MAX_SYMBOLS, sizeof *items);
    char *prices = dsgi_strdup(mk->base_prices_text ? mk->base_prices_text : DEFAULT_BASE_PRICES);
    char **price_items = dsgi_calloc(MAX_SYMBOLS, sizeof *price_items);
    dsg_status st = DSG_OK;
    if (copy == NULL || items == NULL || prices == NULL || price_items == NULL) {
        st = dsgi_fail(err, DSG_ENOMEM, "out of memory (symbols)");
        goto done;
    }
    int n = dsgi_split_list(copy, items, MAX_SYMBOLS);
    if (n < 0) {
        st = dsgi_fail(err, DSG_EINVAL,
                       "--symbols must be 1 to %d symbols separated by commas, with no empty one",
                       MAX_SYMBOLS);
        goto done;
    }
    int n_prices = 0;
    if (strcmp(prices, "none") != 0 && (n_prices = dsgi_split_list(prices, price_items, MAX_SYMBOLS)) < 0) {
        st = dsgi_fail(err, DSG_EINVAL, "--base-prices must be SYMBOL=PRICE pairs separated by commas");
        goto done;
    }
    for (int j = 0; j < n_prices && st == DSG_OK; j++) { /* every entry must be well formed */
        char *eq = strchr(price_items[j], '=');
        double p;
        if (eq == NULL || eq == price_items[j])
            st = dsgi_fail(err, DSG_EINVAL, "--base-prices: '%s' is not SYMBOL=PRICE", price_items[j]);
        else
            st = dsgi_parse_double("base-prices", eq + 1, 0.01, 1e6, &p, err);
    }
    if (st != DSG_OK)
        goto done;
    mk->sym = dsgi_calloc((size_t)n, sizeof *mk->sym);
    if (mk->sym == NULL) {
        st = dsgi_fail(err, DSG_ENOMEM, "out of memory (symbols)");
        goto done;
    }
    uint64_t k_sym = dsgi_stream_key(mk->seed, "market.symbol");
    for (int i = 0; i < n && st == DSG_OK; i++) {
        size_t len = strlen(items[i]);
        int ok = len <= SYMBOL_MAX_BYTES;
        for (size_t j = 0; ok && j < len; j++)
            ok = symbol_char(items[i][j]);
        if (!ok) {
            st = dsgi_fail(err, DSG_EINVAL,
                           "--symbols: '%s' is not a symbol (1 to 16 of A-Z a-z 0-9 . - _)", items[i]);
            break;
        }
        for (int j = 0; j < i; j++)
            if (strcmp(items[j], items[i]) == 0) {
                st = dsgi_fail(err, DSG_EINVAL, "--symbols lists %s twice", items[i]);
                break;
            }
        symbol *s = &mk->sym[i];
        memcpy(s->name, items[i], len + 1);
        s->name_len = (uint32_t)len;
        double p0 = mk->base_price;
        for (int j = 0; j < n_prices && st == DSG_OK; j++) {
            char *eq = strchr(price_items[j], '=');
            if (eq == NULL) {
                st = dsgi_fail(err, DSG_EINVAL, "--base-prices: '%s' is not SYMBOL=PRICE", price_items[j]);
                break;
            }
            if ((size_t)(eq - price_items[j]) == len && memcmp(price_items[j], items[i], len) == 0)
                st = dsgi_parse_double("base-prices", eq + 1, 0.01, 1e6, &p0, err);
        }
        /* everything of a symbol derives from (seed, its name) */
        uint64_t h = 0xCBF29CE484222325ull;
        for (size_t j = 0; j < len; j++)
            h = (h ^ (unsigned char)items[i][j]) * 0x100000001B3ull;
        uint64_t key = dsgi_sub_key(k_sym, h);
        s->log_p0 = dsgi_log(p0);
        s->sigma = mk->sigma * dsgi_exp(0.3 * DSGI_MAX(-1.7, DSGI_MIN(1.7, dsgi_gauss(key, 0))));
        s->vol_offset = mk->volume_sigma * dsgi_gauss(key, 1);
        s->spread_factor = dsgi_exp(-0.3 * s->vol_offset);
        s->k_day = dsgi_sub_key(key, 10);
        s->k_close = dsgi_sub_key(key, 11);
        s->k_intra = dsgi_sub_key(key, 12);
        s->k_extreme = dsgi_sub_key(key, 13);
        s->k_volume = dsgi_sub_key(key, 14);
        s->k_quote = dsgi_sub_key(key, 15);
    }
    mk->n_sym = (size_t)n;
done:
    dsgi_free(copy);
    dsgi_free(items);
    dsgi_free(prices);
    dsgi_free(price_items);
    return st;
}

static dsg_status plan_days(market *mk, dsg_error *err)
{
    int32_t holidays[MAX_HOLIDAYS];
    int n_holidays = 0;
    if (mk->holidays_text != NULL && strcmp(mk->holidays_text, "none") != 0) {
        char *copy = dsgi_strdup(mk->holidays_text);
        char **items = dsgi_calloc(MAX_HOLIDAYS, sizeof *items);
        dsg_status st = DSG_OK;
        if (copy == NULL || items == NULL)
            st = dsgi_fail(err, DSG_ENOMEM, "out of memory (holidays)");
        int n = st == DSG_OK ? dsgi_split_list(copy, items, MAX_HOLIDAYS) : 0;
        if (st == DSG_OK && n < 0)
            st = dsgi_fail(err, DSG_EINVAL, "--holidays must be dates YYYY-MM-DD separated by commas");
        for (int i = 0; st == DSG_OK && i < n; i++)
            st = dsgi_parse_date("holidays", items[i], &holidays[n_holidays++], err);
        dsgi_free(copy);
        dsgi_free(items);
        DSGI_FORWARD(st);
    }
    size_t span = (size_t)(mk->end_day - mk->start_day + 1);
    mk->days = dsgi_calloc(span, sizeof *mk->days);
    DSGI_RETURN_IF(mk->days == NULL, err, DSG_ENOMEM, "out of memory (calendar)");
    for (int64_t d = mk->start_day; d <= mk->end_day; d++) {
        int wd = weekday(d), closed = wd == 0 || wd == 6 || (mk->calendar_nyse && nyse_holiday(d));
        for (int i = 0; i < n_holidays && !closed; i++)
            closed = holidays[i] == d;
        if (!closed)
            mk->days[mk->n_days++] = (int32_t)d;
    }
    DSGI_RETURN_IF(mk->n_days == 0, err, DSG_EINVAL,
                   "--%s to --%s has no trading day (weekends and holidays are closed)",
                   mk->start_option, mk->end_option);
    DSGI_RETURN_IF(mk->n_days > MAX_TRADING_DAYS, err, DSG_EINVAL,
                   "--%s to --%s has %zu trading days; at most %lld are supported", mk->start_option,
                   mk->end_option, mk->n_days, (long long)MAX_TRADING_DAYS);
    return DSG_OK;
}

/* Timestamp of minute m of trading day index d. */
static inline int64_t minute_ts(const market *mk, size_t d, int m)
{
    return ((int64_t)mk->days[d] * 1440 + mk->session_start + m - mk->utc_offset_min) *
           DSGI_US_PER_MINUTE;
}

static inline int64_t bar_ts(const market *mk, size_t d, int k)
{
    if (mk->freq == 1440)
        return (int64_t)mk->days[d] * DSGI_US_PER_DAY;
    return minute_ts(mk, d, k * mk->freq);
}

static dsg_status mk_prepare(void *state, dsg_error *err)
{
    market *mk = state;
    plan_free(mk);
    DSGI_RETURN_IF(mk->start_day > mk->end_day, err, DSG_EINVAL, "--%s is after --%s",
                   mk->start_option, mk->end_option);
    DSGI_RETURN_IF((int64_t)mk->end_day - mk->start_day >= 2 * MAX_TRADING_DAYS, err, DSG_EINVAL,
                   "--%s to --%s spans too many days", mk->start_option, mk->end_option);
    dsg_status st = plan_symbols(mk, err);
    if (st == DSG_OK)
        st = plan_days(mk, err);
    if (st != DSG_OK) {
        plan_free(mk);
        return st;
    }
    if (mk->kind == KIND_QUOTES && mk->n_sym * mk->quotes_per_minute > MAX_QUOTES_A_MINUTE) {
        st = dsgi_fail(err, DSG_EINVAL,
                       "%zu symbols x --quotes-per-minute %llu is more than %d quotes a minute",
                       mk->n_sym, (unsigned long long)mk->quotes_per_minute, MAX_QUOTES_A_MINUTE);
        plan_free(mk);
        return st;
    }
    if (!mk->levels_set)
        mk->levels = mk->kind == KIND_OHLCV && mk->freq == 1440 ? DSGI_HIVE_YM : DSGI_HIVE_YMDH;
    mk->n_min = mk->session_end - mk->session_start;
    mk->bars_per_day = mk->freq == 1440 ? 1 : (mk->n_min + mk->freq - 1) / mk->freq;
    mk->sqrt_rho = sqrt(mk->correlation);
    mk->sqrt_1mrho = sqrt(1.0 - mk->correlation);
    mk->kf_day = dsgi_stream_key(mk->seed, "market.factor.day");
    mk->kf_close = dsgi_stream_key(mk->seed, "market.factor.close");
    mk->kf_intra = dsgi_stream_key(mk->seed, "market.factor.intraday");

    size_t n_min = (size_t)mk->n_min;
    mk->tau = dsgi_calloc((size_t)DAY_SPAN + 1, sizeof *mk->tau);
    mk->u = dsgi_calloc(n_min + 1, sizeof *mk->u);
    mk->vol_share = dsgi_calloc(n_min, sizeof *mk->vol_share);
    mk->spread_mult = dsgi_calloc(n_min, sizeof *mk->spread_mult);
    size_t units = mk->kind == KIND_OHLCV ? mk->n_days * (size_t)mk->bars_per_day : mk->n_days * n_min;
    mk->parts = dsgi_calloc(units, sizeof *mk->parts);
    if (mk->tau == NULL || mk->u == NULL || mk->vol_share == NULL || mk->spread_mult == NULL ||
        mk->parts == NULL) {
        plan_free(mk);
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (planning %zu trading days)", mk->n_days);
    }
    /* business time: calm and stormy weeks for the whole market (each day's
     * variance multiplier, mean about 1), a U-shaped intraday volatility */
    uint64_t k_regime = dsgi_stream_key(mk->seed, "market.regime");
    for (int64_t d = 0; d < DAY_SPAN; d++) {
        double x = 0.45 * dsgi_noise(k_regime, (double)d / 12.0, NULL);
        mk->tau[d + 1] = mk->tau[d] + dsgi_exp(2.0 * x - 0.2);
    }
    double n = (double)mk->n_min, vol_total = 0.0;
    for (int m = 0; m < mk->n_min; m++) {
        double from_open = (double)m / n * 390.0, to_close = (double)(mk->n_min - 1 - m) / n * 390.0;
        mk->u[m + 1] = mk->u[m] + 1.0 + 1.6 * dsgi_exp(-from_open / 25.0) + 0.8 * dsgi_exp(-to_close / 25.0);
        mk->vol_share[m] = 1.0 + 3.0 * dsgi_exp(-from_open / 20.0) + 2.5 * dsgi_exp(-to_close / 15.0);
        vol_total += mk->vol_share[m];
        mk->spread_mult[m] = 1.0 + 1.8 * dsgi_exp(-from_open / 12.0) + 0.7 * dsgi_exp(-to_close / 10.0);
    }
    for (int m = 0; m < mk->n_min; m++)
        mk->vol_share[m] /= vol_total;
    double total = mk->u[mk->n_min];
    for (int m = 0; m <= mk->n_min; m++)
        mk->u[m] /= total;
    mk->u[mk->n_min] = 1.0;

    /* partitions: runs of bars (or minutes) with the same hive key */
    int per_day = mk->kind == KIND_OHLCV ? mk->bars_per_day : mk->n_min;
    int64_t last_key = 0;
    for (size_t d = 0; d < mk->n_days; d++)
        for (int k = 0; k < per_day; k++) {
            int64_t ts = mk->kind == KIND_OHLCV ? bar_ts(mk, d, k) : minute_ts(mk, d, k);
            int64_t key = dsgi_hive_key(ts, mk->levels);
            uint64_t unit = (uint64_t)d * (uint64_t)per_day + (uint64_t)k;
            if (mk->n_parts > 0 && key == last_key)
                mk->parts[mk->n_parts - 1].end = unit + 1;
            else
                mk->parts[mk->n_parts++] = (span64){unit, unit + 1};
            last_key = key;
        }
    return DSG_OK;
}

static uint64_t rows_per_unit(const market *mk)
{
    return mk->kind == KIND_OHLCV ? mk->n_sym : mk->n_sym * mk->quotes_per_minute;
}

static uint64_t mk_rows(const void *state, size_t t)
{
    const market *mk = state;
    (void)t;
    return mk->n_parts ? mk->parts[mk->n_parts - 1].end * rows_per_unit(mk) : 0;
}

static size_t mk_partitions(const void *state, size_t t)
{
    (void)t;
    return ((const market *)state)->n_parts;
}

static dsg_status mk_partition(const void *state, size_t t, size_t p, char *path, size_t size,
                               uint64_t *first_row, uint64_t *rows, dsg_error *err)
{
    const market *mk = state;
    (void)t;
    const span64 *sp = &mk->parts[p];
    int per_day = mk->kind == KIND_OHLCV ? mk->bars_per_day : mk->n_min;
    size_t d = (size_t)(sp->first / (uint64_t)per_day);
    int k = (int)(sp->first % (uint64_t)per_day);
    int64_t ts = mk->kind == KIND_OHLCV ? bar_ts(mk, d, k) : minute_ts(mk, d, k);
    DSGI_FORWARD(dsgi_hive_path(ts, mk->levels, path, size, err));
    *first_row = sp->first * rows_per_unit(mk);
    *rows = (sp->end - sp->first) * rows_per_unit(mk);
    return DSG_OK;
}

static const char *const *mk_partition_by(const void *state, size_t t, size_t *n)
{
    const market *mk = state;
    (void)t;
    dsgi_hive_levels levels = mk->levels_set                                       ? mk->levels
                              : mk->kind == KIND_OHLCV && mk->freq == 1440 ? DSGI_HIVE_YM
                                                                               : DSGI_HIVE_YMDH;
    return dsgi_hive_names(levels, n);
}

/* The levels derive from timestamp (bars' and quotes' first column). */
static const dsg_partition_transform *mk_partition_transforms(const void *state, size_t t, int *source)
{
    size_t n;
    *source = 0;
    return dsgi_hive_transforms((dsgi_hive_levels)(mk_partition_by(state, t, &n) ? n : 0));
}

/* ---- fill ---- */

/* Per-call scratch: each symbol's current session with a window of its
 * path (so consecutive bars of a symbol cost about one normal a minute,
 * not a descent each), or, when the windows would take too much memory,
 * one shared buffer filled per bar. */
#define WINDOW_MINUTES 128
#define WINDOW_VALUES_MAX ((size_t)1 << 21) /* 16 MiB of windows at most */

typedef struct scratch {
    session *ss;
    double *slab;   /* n_sym windows of window + 1 values, or NULL */
    double *shared; /* n_min + 1 values */
    int window;     /* minutes a window spans */
} scratch;

static dsg_status scratch_open(const market *mk, scratch *sc, dsg_error *err)
{
    int span = mk->kind == KIND_QUOTES ? 1 : mk->freq == 1440 ? mk->n_min : DSGI_MIN(mk->freq, mk->n_min);
    sc->window = DSGI_MAX(span, DSGI_MIN(mk->n_min, WINDOW_MINUTES));
    size_t values = mk->n_sym * (size_t)(sc->window + 1);
    sc->ss = dsgi_calloc(mk->n_sym, sizeof *sc->ss);
    sc->shared = dsgi_calloc((size_t)mk->n_min + 2, sizeof *sc->shared);
    sc->slab = values <= WINDOW_VALUES_MAX ? dsgi_calloc(values, sizeof *sc->slab) : NULL;
    if (sc->ss == NULL || sc->shared == NULL || (values <= WINDOW_VALUES_MAX && sc->slab == NULL)) {
        dsgi_free(sc->ss);
        dsgi_free(sc->shared);
        dsgi_free(sc->slab);
        return dsgi_fail(err, DSG_ENOMEM, "out of memory (%zu symbols)", mk->n_sym);
    }
    for (size_t i = 0; i < mk->n_sym; i++)
        sc->ss[i].day = -1;
    return DSG_OK;
}

static void scratch_close(scratch *sc)
{
    dsgi_free(sc->ss);
    dsgi_free(sc->shared);
    dsgi_free(sc->slab);
}

/* W at minute boundaries [m0, m1] of symbol s's session: p[m - m0]. The
 * values do not depend on the window (each node's normal is fixed), only
 * the cost does. */
static const double *path_window(const market *mk, scratch *sc, size_t s, int m0, int m1)
{
    session *ss = &sc->ss[s];
    if (sc->slab == NULL) {
        path_range(mk, ss, 0, mk->n_min, ss->open, ss->close, 1, m0, m1, sc->shared);
        return sc->shared;
    }
    double *w = sc->slab + s * (size_t)(sc->window + 1);
    if (ss->w0 > m0 || m1 > ss->w1) {
        int end = DSGI_MAX(m1, DSGI_MIN(mk->n_min, m0 + sc->window));
        assert(end - m0 <= sc->window);
        path_range(mk, ss, 0, mk->n_min, ss->open, ss->close, 1, m0, end, w);
        ss->w0 = m0;
        ss->w1 = end;
    }
    return w + (m0 - ss->w0);
}

static const session *session_cached(const market *mk, scratch *sc, size_t s, int64_t d)
{
    if (sc->ss[s].day != d)
        session_of(mk, &mk->sym[s], d, &sc->ss[s]);
    return &sc->ss[s];
}

static dsg_status put_symbol(dsgi_col *c, size_t i, const symbol *s, dsg_error *err)
{
    return dsgi_col_put_str(c, i, s->name, s->name_len, err);
}

static dsg_status fill_ohlcv(const market *mk, uint64_t first_row, size_t n, dsgi_col *c, dsg_error *err)
{
    DSGI_FORWARD(dsgi_buf_reserve(&c[O_SYM].data, n * SYMBOL_MAX_BYTES, err));
    scratch sc;
    DSGI_FORWARD(scratch_open(mk, &sc, err));
    int64_t *ts = c[O_TS].values, *volume = c[O_VOLUME].values;
    double *open = c[O_OPEN].values, *high = c[O_HIGH].values, *low = c[O_LOW].values;
    double *close = c[O_CLOSE].values;
    dsg_status st = DSG_OK;
    for (size_t i = 0; i < n && st == DSG_OK; i++) {
        uint64_t row = first_row + i;
        size_t s = (size_t)(row % mk->n_sym);
        uint64_t unit = row / mk->n_sym;
        size_t d = (size_t)(unit / (uint64_t)mk->bars_per_day);
        int k = (int)(unit % (uint64_t)mk->bars_per_day);
        int m0 = mk->freq == 1440 ? 0 : k * mk->freq;
        int m1 = mk->freq == 1440 ? mk->n_min : DSGI_MIN(mk->n_min, m0 + mk->freq);
        const session *ss = session_cached(mk, &sc, s, (int64_t)d);
        bar_t b = range_bar(mk, &mk->sym[s], ss, m0, m1, path_window(mk, &sc, s, m0, m1));
        ts[i] = bar_ts(mk, d, k);
        open[i] = (double)b.open / TICKS_PER_UNIT;
        high[i] = (double)b.high / TICKS_PER_UNIT;
        low[i] = (double)b.low / TICKS_PER_UNIT;
        close[i] = (double)b.close / TICKS_PER_UNIT;
        volume[i] = b.volume;
        st = put_symbol(&c[O_SYM], i, &mk->sym[s], err);
    }
    scratch_close(&sc);
    return st;
}

/* One quote before sorting the minute's quotes by time. */
typedef struct quote {
    int64_t offset_us; /* inside the minute */
    uint32_t sym, q;
    int64_t bid, ask; /* ticks */
    int32_t bid_size, ask_size;
} quote;

static int quote_cmp(const void *pa, const void *pb)
{
    const quote *a = pa, *b = pb;
    if (a->offset_us != b->offset_us)
        return a->offset_us < b->offset_us ? -1 : 1;
    if (a->sym != b->sym)
        return a->sym < b->sym ? -1 : 1;
    return (a->q > b->q) - (a->q < b->q);
}

/* The quotes of symbol s in minute m of a session (invariant 5). */
static void minute_quotes(const market *mk, size_t s_index, const session *ss, int m,
                          const double *w, quote *out)
{
    const symbol *s = &mk->sym[s_index];
    bar_t b = minute_bar(mk, s, ss, m, w[0], w[1]);
    double a = log_price(mk, s, ss, m, w[0]), end = log_price(mk, s, ss, m + 1, w[1]);
    double var = s->sigma * s->sigma * ss->var * (mk->u[m + 1] - mk->u[m]);
    uint64_t q_n = mk->quotes_per_minute;
    uint64_t base = ((uint64_t)ss->day * (uint64_t)mk->n_min + (uint64_t)m) * q_n;
    double x = a, t = 0.0; /* bridge from (0, a) to (1, end) */
    for (uint64_t q = 0; q < q_n; q++) {
        uint64_t counter = (base + q) * 4;
        double slice = 60e6 / (double)q_n;
        int64_t off = (int64_t)((double)q * slice + dsgi_unit(dsgi_rand(s->k_quote, counter)) * slice);
        off = DSGI_MIN(off, (int64_t)60000000 - 1);
        double tq = (double)off / 60e6;
        double mean = x + (end - x) * (tq - t) / (1.0 - t);
        double v = var * (tq - t) * (1.0 - tq) / (1.0 - t);
        x = mean + sqrt(v > 0.0 ? v : 0.0) * dsgi_gauss(s->k_quote, counter + 1);
        t = tq;
        double mid = dsgi_exp(x) * TICKS_PER_UNIT; /* in ticks */
        double z = dsgi_gauss(s->k_quote, counter + 2);
        double bps = dsgi_exp(mk->spread_mean + mk->spread_sigma * z) * s->spread_factor *
                     mk->spread_mult[m];
        double half = mid * bps / 20000.0;
        int64_t bid = (int64_t)floor(mid - half), ask = (int64_t)ceil(mid + half);
        if (ask <= bid)
            ask = bid + 1;
        /* keep the mid inside the minute's bar: 2 low <= bid + ask <= 2 high,
         * with the spread kept (widened by a tick when the parity needs it) */
        int64_t spread = ask - bid, sum = bid + ask;
        sum = DSGI_MAX(2 * b.low, DSGI_MIN(2 * b.high, sum));
        if (((sum - spread) & 1) != 0) {
            if (sum - 1 >= 2 * b.low)
                sum--;
            else if (sum + 1 <= 2 * b.high)
                sum++;
            else
                spread++;
        }
        bid = (sum - spread) / 2;
        ask = bid + spread;
        assert(bid + ask >= 2 * b.low && bid + ask <= 2 * b.high && ask > bid);
        uint64_t r = dsgi_rand(s->k_quote, counter + 3);
        double zb = dsgi_normal(r, dsgi_mix64(r ^ 1)), za = dsgi_normal(dsgi_mix64(r ^ 2), dsgi_mix64(r ^ 3));
        double sb = mk->size_mean + mk->size_sigma * zb, sa = mk->size_mean + mk->size_sigma * za;
        out[q].offset_us = off;
        out[q].sym = (uint32_t)s_index;
        out[q].q = (uint32_t)q;
        out[q].bid = bid;
        out[q].ask = ask;
        out[q].bid_size = (int32_t)DSGI_MAX(1, DSGI_MIN(2000000000, dsgi_round_i64(sb)));
        out[q].ask_size = (int32_t)DSGI_MAX(1, DSGI_MIN(2000000000, dsgi_round_i64(sa)));
    }
}

static dsg_status fill_quotes(const market *mk, uint64_t first_row, size_t n, dsgi_col *c, dsg_error *err)
{
    DSGI_FORWARD(dsgi_buf_reserve(&c[Q_SYM].data, n * SYMBOL_MAX_BYTES, err));
    uint64_t per_minute = mk->n_sym * mk->quotes_per_minute;
    quote *qs = dsgi_calloc((size_t)per_minute, sizeof *qs);
    scratch sc;
    dsg_status st = qs ? scratch_open(mk, &sc, err) : dsgi_fail(err, DSG_ENOMEM, "out of memory (quotes)");
    if (st != DSG_OK) {
        dsgi_free(qs);
        return st;
    }
    int64_t *ts = c[Q_TS].values, *seq = c[Q_SEQ].values;
    double *bid = c[Q_BID].values, *ask = c[Q_ASK].values;
    int32_t *bid_size = c[Q_BID_SIZE].values, *ask_size = c[Q_ASK_SIZE].values;
    float *spread = c[Q_SPREAD].values;
    uint64_t loaded = UINT64_MAX; /* the minute in qs */
    for (size_t i = 0; i < n && st == DSG_OK; i++) {
        uint64_t row = first_row + i;
        uint64_t unit = row / per_minute;
        size_t d = (size_t)(unit / (uint64_t)mk->n_min);
        int m = (int)(unit % (uint64_t)mk->n_min);
        if (unit != loaded) {
            for (size_t s = 0; s < mk->n_sym; s++) {
                const session *ss = session_cached(mk, &sc, s, (int64_t)d);
                minute_quotes(mk, s, ss, m, path_window(mk, &sc, s, m, m + 1),
                              qs + s * mk->quotes_per_minute);
            }
            qsort(qs, (size_t)per_minute, sizeof *qs, quote_cmp);
            loaded = unit;
        }
        const quote *q = &qs[row % per_minute];
        ts[i] = minute_ts(mk, d, m) + q->offset_us;
        bid[i] = (double)q->bid / TICKS_PER_UNIT;
        ask[i] = (double)q->ask / TICKS_PER_UNIT;
        bid_size[i] = q->bid_size;
        ask_size[i] = q->ask_size;
        spread[i] = (float)((double)(q->ask - q->bid) / ((double)(q->ask + q->bid) / 2.0) * 1e4);
        seq[i] = (int64_t)row + 1;
        st = put_symbol(&c[Q_SYM], i, &mk->sym[q->sym], err);
    }
    scratch_close(&sc);
    dsgi_free(qs);
    return st;
}

static dsg_status mk_fill(const void *state, size_t t, uint64_t first_row, size_t n_rows, dsg_batch *b,
                          dsg_error *err)
{
    const market *mk = state;
    (void)t;
    DSGI_FORWARD(dsgi_batch_begin(b, n_rows, err));
    if (n_rows == 0)
        return DSG_OK;
    return mk->kind == KIND_OHLCV ? fill_ohlcv(mk, first_row, n_rows, b->cols, err)
                                  : fill_quotes(mk, first_row, n_rows, b->cols, err);
}

const dsgi_dataset_class dsgi_market_ohlcv_class = {
    .name = "market_ohlcv",
    .description = "OHLCV bars of a basket of symbols on trading days, every frequency from one "
                   "1-minute path",
    .options = ohlcv_options,
    .n_options = sizeof ohlcv_options / sizeof ohlcv_options[0],
    .tables = ohlcv_tables,
    .n_tables = 1,
    .create = ohlcv_create,
    .free = mk_free,
    .set = mk_set,
    .prepare = mk_prepare,
    .table_rows = mk_rows,
    .n_partitions = mk_partitions,
    .partition = mk_partition,
    .partition_by = mk_partition_by,
    .partition_transforms = mk_partition_transforms,
    .fill = mk_fill,
};

const dsgi_dataset_class dsgi_market_quotes_class = {
    .name = "market_quotes",
    .description = "bid/ask quotes of a basket of symbols along the market_ohlcv price path",
    .options = quote_options,
    .n_options = sizeof quote_options / sizeof quote_options[0],
    .tables = quote_tables,
    .n_tables = 1,
    .create = quotes_create,
    .free = mk_free,
    .set = mk_set,
    .prepare = mk_prepare,
    .table_rows = mk_rows,
    .n_partitions = mk_partitions,
    .partition = mk_partition,
    .partition_by = mk_partition_by,
    .partition_transforms = mk_partition_transforms,
    .fill = mk_fill,
};
