/*
 * ecommerce_vocab.h - the word lists of the ecommerce dataset: customers'
 * countries (share, time zones, given names and surnames) and the product
 * catalogue's categories (price level and spread, quantities, returns,
 * brands and product words). docs/ecommerce-model.md gives the sources of
 * the figures; the lists themselves were written for this project.
 */
#ifndef DSG_ECOMMERCE_VOCAB_H
#define DSG_ECOMMERCE_VOCAB_H

#include <stdint.h>

/* How a country writes a customer's full name. */
enum {
    NAME_PLAIN,          /* Given Surname */
    NAME_INITIAL,        /* Given [M.] Surname: a middle initial now and then */
    NAME_TWO_SURNAMES,   /* Given Surname Surname (Spanish, Mexican) */
    NAME_SOME_TWO,       /* Given Surname [Surname] (Brazilian) */
};

#define EC_MAX_ZONES 4

typedef struct ec_zone {
    int16_t utc_offset_min; /* standard time */
    uint8_t percent;        /* of the country's customers */
} ec_zone;

typedef struct ec_country {
    const char *code;  /* ISO 3166-1 alpha-2 */
    unsigned weight;   /* share of customers (see the docs) */
    int name_style;
    /* Space-separated, most frequent first; '_' stands for a space inside
     * a name ("van_der_Berg"). UTF-8. */
    const char *female, *male, *surnames;
    ec_zone zones[EC_MAX_ZONES];
} ec_country;

extern const ec_country ec_countries[];
extern const unsigned ec_n_countries;

typedef struct ec_category {
    const char *name;
    unsigned product_share;   /* percent of products */
    double price_median;      /* US$, before the retail ending */
    double price_sigma;       /* of log price */
    uint8_t qty_percent[5];   /* P(qty = 1..5) in percent, sum 100 */
    double return_factor;     /* relative to the mean return rate */
    const char *brands, *adjectives, *nouns; /* space-separated, '_' = space */
} ec_category;

extern const ec_category ec_categories[];
extern const unsigned ec_n_categories;

/* Lowercase ASCII letters of a UTF-8 name, for e-mail addresses: Latin
 * letters with diacritics lose them ("Łukasz" -> "lukasz", "Müller" ->
 * "muller", "ß" -> "ss"), other bytes are dropped. Writes at most 'cap'
 * bytes plus a NUL; returns the length. */
unsigned ec_ascii_fold(const char *utf8, char *out, unsigned cap);

#endif
