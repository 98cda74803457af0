/*
 * test_market.c - market_ohlcv and market_quotes through the public API:
 * the invariants at the top of lib/datasets/market.c (ticks, OHLC order,
 * bars of every frequency as aggregates of the 1m bars, trading days and
 * calendars, quotes inside their minute's 1m bar with bid < ask, increasing
 * timestamps per symbol and sequence = row + 1), partitions, pieces, seeds,
 * options.
 */
#include "series_util.h"

#include <math.h>

enum { O_TS, O_SYM, O_OPEN, O_HIGH, O_LOW, O_CLOSE, O_VOLUME };
enum { Q_TS, Q_SYM, Q_BID, Q_ASK, Q_BID_SIZE, Q_ASK_SIZE, Q_SPREAD, Q_SEQ };

#define N_SYM 3
#define MINUTES 390

static const char *const symbols[N_SYM] = {"AAA", "BB.B", "C-1"};

static ttable *bars(const char *freq, dsg_dataset **keep)
{
    const option *o = OPTS({"symbols", "AAA,BB.B,C-1"}, {"freq", freq}, {"start", "2023-11-20"},
                           {"end", "2023-11-27"}, {"calendar", "nyse"}, {"trading-hours", "09:30-16:00"},
                           {"utc-offset", "-5"}, {"seed", "5"});
    dsg_dataset *ds = open_dataset("market_ohlcv", o);
    ttable *t = read_table(ds, 0, 1000);
    for (size_t i = 0; i < t->rows; i++) {
        CHECK(!strcmp(STR(t, O_SYM, i), symbols[i % N_SYM]));
        double o_ = F64(t, O_OPEN, i), h = F64(t, O_HIGH, i), l = F64(t, O_LOW, i), c = F64(t, O_CLOSE, i);
        CHECK(h >= o_ && h >= c && l <= o_ && l <= c && l > 0 && I64(t, O_VOLUME, i) > 0);
        for (int k = O_OPEN; k <= O_CLOSE; k++)
            CHECK(F64(t, k, i) == (double)llround(F64(t, k, i) * 100.0) / 100.0);
        if (i >= N_SYM)
            CHECK(I64(t, O_TS, i) > I64(t, O_TS, i - N_SYM));
    }
    *keep = ds;
    return t;
}

/* Trading days of 2023-11-20..27 on the NYSE: Thanksgiving (23rd) and the
 * weekend are closed: 20, 21, 22, 24, 27. */
static const int64_t days[] = {19681, 19682, 19683, 19685, 19688};
#define N_DAYS 5

static void test_aggregates(void)
{
    dsg_dataset *d1m, *d5m, *d1d;
    ttable *m1 = bars("1m", &d1m), *m5 = bars("5m", &d5m), *day = bars("1d", &d1d);
    CHECK(m1->rows == N_DAYS * MINUTES * N_SYM && m5->rows == N_DAYS * 78 * N_SYM && day->rows == N_DAYS * N_SYM);
    for (size_t d = 0; d < N_DAYS; d++) {
        /* 09:30 at UTC-5 is 14:30 UTC */
        CHECK(I64(m1, O_TS, d * MINUTES * N_SYM) == (days[d] * 1440 + 870) * 60000000ll);
        CHECK(I64(day, O_TS, d * N_SYM) == days[d] * 86400000000ll);
    }
    /* every 5m and 1d bar aggregates its 1m bars */
    const ttable *agg[2] = {m5, day};
    const size_t span[2] = {5, MINUTES};
    for (int a = 0; a < 2; a++) {
        const ttable *b = agg[a];
        for (size_t r = 0; r < b->rows; r++) {
            size_t s = r % N_SYM, unit = r / N_SYM;
            size_t first = unit * span[a]; /* minutes since the first session's start, by day */
            double hi = 0, lo = 1e300;
            int64_t vol = 0;
            for (size_t k = 0; k < span[a]; k++) {
                size_t row = (first + k) * N_SYM + s;
                hi = fmax(hi, F64(m1, O_HIGH, row));
                lo = fmin(lo, F64(m1, O_LOW, row));
                vol += I64(m1, O_VOLUME, row);
            }
            CHECK(F64(b, O_OPEN, r) == F64(m1, O_OPEN, first * N_SYM + s));
            CHECK(F64(b, O_CLOSE, r) == F64(m1, O_CLOSE, (first + span[a] - 1) * N_SYM + s));
            CHECK(F64(b, O_HIGH, r) == hi && F64(b, O_LOW, r) == lo && I64(b, O_VOLUME, r) == vol);
        }
    }
    /* a minute's close is the next minute's open within a session */
    for (size_t r = N_SYM; r < m1->rows; r++)
        if ((r / N_SYM) % MINUTES != 0)
            CHECK(F64(m1, O_OPEN, r) == F64(m1, O_CLOSE, r - N_SYM));
    CHECK(check_partitions(d1m, 0, m1, O_TS) == N_DAYS * 7);
    CHECK(check_partitions(d1d, 0, day, O_TS) == 1);
    check_pieces(d1m, 0, m1, 4);
    check_pieces(d5m, 0, m5, 5);

    /* quotes: same options, same path */
    const option *o = OPTS({"symbols", "AAA,BB.B,C-1"}, {"start", "2023-11-20"}, {"end", "2023-11-27"},
                           {"calendar", "nyse"}, {"trading-hours", "09:30-16:00"}, {"utc-offset", "-5"},
                           {"seed", "5"}, {"quotes-per-minute", "4"});
    dsg_dataset *dq = open_dataset("market_quotes", o);
    ttable *q = read_table(dq, 0, 2000);
    CHECK(q->rows == m1->rows * 4);
    int64_t last_ts[N_SYM] = {INT64_MIN, INT64_MIN, INT64_MIN};
    for (size_t i = 0; i < q->rows; i++) {
        CHECK(I64(q, Q_SEQ, i) == (int64_t)i + 1);
        size_t s = 0;
        while (s < N_SYM && strcmp(STR(q, Q_SYM, i), symbols[s]) != 0)
            s++;
        CHECK(s < N_SYM);
        int64_t ts = I64(q, Q_TS, i);
        CHECK(ts > last_ts[s]);
        last_ts[s] = ts;
        if (i > 0)
            CHECK(ts >= I64(q, Q_TS, i - 1));
        double bid = F64(q, Q_BID, i), ask = F64(q, Q_ASK, i), mid = (bid + ask) / 2;
        CHECK(bid < ask && bid > 0);
        CHECK(I32(q, Q_BID_SIZE, i) >= 1 && I32(q, Q_ASK_SIZE, i) >= 1);
        CHECK(fabs(F32(q, Q_SPREAD, i) - (float)((ask - bid) / mid * 1e4)) <= 1e-5f * F32(q, Q_SPREAD, i));
        /* the minute's 1m bar: minutes are in the same order as in m1 */
        size_t minute = i / (N_SYM * 4);
        size_t row = minute * N_SYM + s;
        CHECK(I64(m1, O_TS, row) == ts - ts % 60000000ll);
        CHECKF(mid >= F64(m1, O_LOW, row) - 1e-9 && mid <= F64(m1, O_HIGH, row) + 1e-9,
               "quote %zu mid %g outside [%g, %g]", i, mid, F64(m1, O_LOW, row), F64(m1, O_HIGH, row));
    }
    check_partitions(dq, 0, q, Q_TS);
    check_pieces(dq, 0, q, 6);
    free_table(q);
    dsg_dataset_free(dq);
    free_table(m1);
    free_table(m5);
    free_table(day);
    dsg_dataset_free(d1m);
    dsg_dataset_free(d5m);
    dsg_dataset_free(d1d);
}

static void test_options(void)
{
    dsg_error err;
    const char *m;
    CHECK((m = option_error("market_ohlcv", OPTS({"freq", "3m"}), &err)) && strstr(m, "--freq"));
    CHECK((m = option_error("market_ohlcv", OPTS({"symbols", "A B"}), &err)) && strstr(m, "A B"));
    CHECK((m = option_error("market_ohlcv", OPTS({"trading-hours", "9:75-17"}), &err)) && strstr(m, "--trading-hours"));
    CHECK((m = option_error("market_ohlcv", OPTS({"utc-offset", "1.1"}), &err)) && strstr(m, "--utc-offset"));
    CHECK((m = option_error("market_ohlcv", OPTS({"start", "2023-12-25"}, {"end", "2023-12-25"}, {"calendar", "nyse"}), &err)) &&
          strstr(m, "no trading day"));
    CHECK((m = option_error("market_quotes", OPTS({"base-prices", "AAA=-3"}), &err)) && strstr(m, "--base-prices"));
    CHECK(option_error("market_quotes", OPTS({"base-prices", "none"}), &err) == NULL);
    /* the default run works with no flags */
    dsg_dataset *ds = open_dataset("market_ohlcv", NO_OPTS);
    dsg_table_info info;
    CHECK(dsg_dataset_table(ds, 0, &info, NULL) == DSG_OK && info.rows == 22ull * 480 * 8);
    dsg_dataset_free(ds);
}

int main(void)
{
    test_aggregates();
    test_options();
    printf("test_market: ok\n");
    return 0;
}
