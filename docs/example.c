/*
 * example.c - the smallest complete use of libdsg: a small e-commerce
 * dataset written as partitioned Parquet into the directory given as the
 * first argument. Compiled and run by tests/cli/test_library.sh against
 * the installed library:
 *
 *   cc example.c $(pkg-config --cflags --libs dsg) -o example && ./example out
 */
#include <dsg/dsg.h>

#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
        return 2;
    }
    dsg_error err;
    dsg_dataset *ds = NULL;
    if (dsg_dataset_create(&ds, "ecommerce", &err) != DSG_OK ||
        dsg_dataset_set(ds, "n-customers", "1000", &err) != DSG_OK ||
        dsg_dataset_set(ds, "orders-per-day", "50", &err) != DSG_OK ||
        dsg_dataset_set(ds, "start", "2024-01-01", &err) != DSG_OK ||
        dsg_dataset_set(ds, "end", "2024-01-31", &err) != DSG_OK || dsg_dataset_prepare(ds, &err) != DSG_OK) {
        fprintf(stderr, "example: %s\n", err.message);
        dsg_dataset_free(ds);
        return 2;
    }
    dsg_run_options opt;
    dsg_run_options_init(&opt); /* parquet, snappy, 250,000 rows per file */
    opt.output = argv[1];
    dsg_run_stats stats;
    dsg_status st = dsg_run(ds, &opt, &stats, &err);
    dsg_dataset_free(ds);
    if (st != DSG_OK) {
        fprintf(stderr, "example: %s\n", err.message);
        return 1;
    }
    printf("%llu files, %llu rows, %llu bytes (libdsg %s)\n", (unsigned long long)stats.files,
           (unsigned long long)stats.rows, (unsigned long long)stats.bytes, dsg_version());
    return 0;
}
