/*
 * test_dmath.c - the deterministic exp, log and cos of common/dmath.h:
 * close to libm everywhere, and bit for bit the values they gave when this
 * test was written (on x86-64). A different bit on another machine or
 * compiler means datasets would differ there: the promise of identical
 * bytes everywhere rests on these functions.
 */
#include "common/dmath.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *fn;
    double x;
    uint64_t bits;
} golden[] = {
    {"exp", -0x1.dp+2, 0x3f47455fe323fafdull},
    {"exp", -0x1p-1, 0x3fe368b2fc6f960cull},
    {"exp", 0x1.999999999999ap-4, 0x3ff1aec7b35a00d2ull},
    {"exp", 0x1p+0, 0x4005bf0a8b145768ull},
    {"exp", 0x1.d99999999999ap+1, 0x4044394144eeec80ull},
    {"exp", 0x1.5p+5, 0x43b8232558201159ull},
    {"log", 0x1.56e1fc2f8f359p-997, 0xc085963447f87fb5ull},
    {"log", 0x1.0624dd2f1a9fcp-10, 0xc01ba18a998fffa0ull},
    {"log", 0x1p-1, 0xbfe62e42fefa39efull},
    {"log", 0x1.fffffca501acbp-1, 0xbe7ad7f2b1049b9full},
    {"log", 0x1p+1, 0x3fe62e42fefa39efull},
    {"log", 0x1.81cd6c8b43958p+13, 0x4022d79559791e31ull},
    {"cos", 0x0p+0, 0x3ff0000000000000ull},
    {"cos", 0x1.999999999999ap-4, 0x3fe9e3779b97f4a8ull},
    {"cos", 0x1p-2, 0x8000000000000000ull},
    {"cos", 0x1.3333333333333p-2, 0xbfd3c6ef372fe94full},
    {"cos", 0x1.3333333333333p-1, 0xbfe9e3779b97f4a9ull},
    {"cos", 0x1.ff7ced916872bp-1, 0x3fefffd69aa0b99eull},
};

static uint64_t bits_of(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

int main(void)
{
    int failures = 0;
    for (size_t i = 0; i < sizeof golden / sizeof golden[0]; i++) {
        double x = golden[i].x;
        double y = golden[i].fn[0] == 'e' ? dsgi_exp(x) : golden[i].fn[0] == 'l' ? dsgi_log(x) : dsgi_cos2pi(x);
        if (bits_of(y) != golden[i].bits) {
            printf("FAIL %s(%a) = %a (0x%016llx), expected 0x%016llx\n", golden[i].fn, x, y,
                   (unsigned long long)bits_of(y), (unsigned long long)golden[i].bits);
            failures++;
        }
    }
    double max_exp = 0, max_log = 0, max_cos = 0;
    for (int i = 0; i < 200000; i++) {
        double u = (i + 0.5) / 200000.0;
        double x = -700 + 1400 * u;
        max_exp = fmax(max_exp, fabs(dsgi_exp(x) - exp(x)) / exp(x));
        double y = ldexp(1.0 + u, (int)(i % 2000) - 1000);
        if (fabs(log(y)) > 1e-3)
            max_log = fmax(max_log, fabs(dsgi_log(y) - log(y)) / fabs(log(y)));
        max_cos = fmax(max_cos, fabs(dsgi_cos2pi(u) - cos(6.283185307179586 * u)));
    }
    if (max_exp > 4e-15 || max_log > 4e-15 || max_cos > 4e-15) {
        printf("FAIL accuracy: exp %g, log %g (relative), cos %g (absolute)\n", max_exp, max_log, max_cos);
        failures++;
    }
    if (dsgi_pow10(-10) != 1e-10 || dsgi_pow10(22) != 1e22 || dsgi_pow10(0) != 1.0) {
        printf("FAIL dsgi_pow10\n");
        failures++;
    }
    printf("test_dmath: %s (max errors exp %.2g, log %.2g, cos %.2g)\n", failures ? "FAILED" : "ok", max_exp, max_log,
           max_cos);
    return failures != 0;
}
