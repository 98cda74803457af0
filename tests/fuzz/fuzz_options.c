/*
 * fuzz_options - libFuzzer target for everything that parses user input:
 * s3:// URIs, dates, numbers, codec names and every dataset option. The
 * first byte picks the parser, the rest is the text. Parsers must answer
 * with DSG_OK or DSG_EINVAL and a message, never crash, and write
 * out-parameters only on success.
 */
#include "datasets/dataset_impl.h"
#include "sinks/s3_client.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void expect_clean(dsg_status st, const dsg_error *err)
{
    if (st != DSG_OK && (st != DSG_EINVAL || err->message[0] == '\0'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    char *text = malloc(size);
    if (text == NULL)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    unsigned pick = data[0];
    dsg_error err;
    dsg_error_clear(&err);
    switch (pick % 6) {
    case 0: {
        char bucket[64] = "unset", prefix[256] = "unset";
        dsg_status st = dsgi_s3_uri_parse(text, bucket, sizeof bucket, prefix, sizeof prefix, &err);
        expect_clean(st, &err);
        if (st != DSG_OK && (strcmp(bucket, "unset") != 0 || strcmp(prefix, "unset") != 0))
            abort(); /* written on failure */
        if (st == DSG_OK && (bucket[0] == '\0' || prefix[0] == '/'))
            abort();
        break;
    }
    case 1: {
        int32_t days = 12345;
        dsg_status st = dsgi_parse_date("start", text, &days, &err);
        expect_clean(st, &err);
        if (st != DSG_OK && days != 12345)
            abort();
        break;
    }
    case 2: {
        uint64_t v = 7;
        dsg_status st = dsgi_parse_u64("n", text, 1, 1000000, &v, &err);
        expect_clean(st, &err);
        if (st == DSG_OK ? (v < 1 || v > 1000000) : v != 7)
            abort();
        break;
    }
    case 3: {
        double v = 0.5;
        dsg_status st = dsgi_parse_double("x", text, 0.0, 50.0, &v, &err);
        expect_clean(st, &err);
        if (st == DSG_OK && !(v >= 0.0 && v <= 50.0))
            abort();
        break;
    }
    case 4: {
        dsg_codec c;
        expect_clean(dsg_codec_parse(text, &c, &err), &err);
        break;
    }
    default: {
        /* a dataset option chosen by the second byte, set to the text */
        const char *const *names = dsg_dataset_names();
        size_t n_names = 0;
        while (names[n_names])
            n_names++;
        dsg_dataset *ds = NULL;
        if (dsg_dataset_create(&ds, names[(pick / 6) % n_names], &err) != DSG_OK)
            abort();
        size_t n_opts;
        const dsg_option_info *opts = dsg_dataset_options(ds, &n_opts);
        const char *name = opts[(size > 1 ? data[1] : 0) % n_opts].name;
        dsg_status st = dsg_dataset_set(ds, name, text, &err);
        expect_clean(st, &err);
        /* lists (symbols, locations, metrics, holidays, base prices) are
         * parsed by prepare; the time-series datasets prepare quickly
         * (ecommerce's default plan does not; a file name could block) */
        const char *ds_name = names[(pick / 6) % n_names];
        if (st == DSG_OK && strcmp(ds_name, "ecommerce") != 0 && strcmp(name, "locations-file") != 0)
            expect_clean(dsg_dataset_prepare(ds, &err), &err);
        dsg_dataset_free(ds);
        break;
    }
    }
    free(text);
    return 0;
}
