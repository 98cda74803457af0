/*
 * dmath.h - exp, log and cos for data generation, computed with +, -, *, /
 * and exact scalings only, so that every machine gives the same bits.
 *
 * libm's exp/log/cos may differ in the last bit between CPUs (glibc picks
 * FMA or non-FMA code at run time) and between library versions; a dataset
 * whose bytes must not depend on the machine that wrote them cannot use
 * them. These are accurate to a few units in the last place, plenty for
 * synthetic values, and deterministic: IEEE 754 makes each basic operation
 * correctly rounded, and C11 (-std=c11) does not contract a*b+c into FMA.
 */
#ifndef DSG_DMATH_H
#define DSG_DMATH_H

#include <math.h>

#define DSGI_LN2_HI 6.93147180369123816490e-01 /* high bits of ln 2: k * HI is exact */
#define DSGI_LN2_LO 1.90821492927058770002e-10

/* e^x for |x| < 700. */
static inline double dsgi_exp(double x)
{
    double k = rint(x * 1.4426950408889634); /* x / ln 2, to the nearest */
    double r = (x - k * DSGI_LN2_HI) - k * DSGI_LN2_LO; /* |r| <= 0.35 */
    double term = 1.0, sum = 1.0;
    for (int i = 1; i <= 17; i++) {
        term = term * r / (double)i;
        sum += term;
    }
    return ldexp(sum, (int)k);
}

/* Natural logarithm for finite x > 0. */
static inline double dsgi_log(double x)
{
    int e;
    double m = frexp(x, &e); /* x = m * 2^e, m in [0.5, 1) */
    if (m < 0.70710678118654752440) {
        m *= 2.0;
        e -= 1;
    }
    double s = (m - 1.0) / (m + 1.0); /* |s| <= 0.172 */
    double s2 = s * s, term = s, sum = s;
    for (int i = 3; i <= 27; i += 2) {
        term *= s2;
        sum += term / (double)i;
    }
    return 2.0 * sum + (double)e * DSGI_LN2_HI + (double)e * DSGI_LN2_LO;
}

/* cos(2 pi u) for u in [0, 1). */
static inline double dsgi_cos2pi(double u)
{
    double t = u * 4.0;
    double q = floor(t);
    double a = (t - q) * 1.57079632679489661923; /* [0, pi/2) */
    double a2 = a * a;
    double c = 1.0, s = a, tc = 1.0, ts = a;
    for (int i = 1; i <= 11; i++) {
        tc = -tc * a2 / (double)((2 * i - 1) * (2 * i));
        ts = -ts * a2 / (double)((2 * i) * (2 * i + 1));
        c += tc;
        s += ts;
    }
    switch ((int)q & 3) {
    case 0: return c;
    case 1: return -s;
    case 2: return -c;
    default: return s;
    }
}

/* 10^k for |k| <= 22, exact or correctly rounded. */
static inline double dsgi_pow10(int k)
{
    double p = 1.0;
    for (int i = 0; i < (k < 0 ? -k : k); i++)
        p *= 10.0; /* exact up to 10^22 */
    return k < 0 ? 1.0 / p : p;
}

#endif
