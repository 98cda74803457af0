/*
 * dataset-generator - the command-line program. A thin layer over the
 * public API in dsg/dsg.h: it parses arguments, forwards dataset options
 * to the dataset, and reports.
 *
 * Exit status: 0 success, 2 bad input (nothing written), 1 runtime failure.
 */
#include <dsg/dsg.h>

#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXIT_BAD_INPUT 2

static const char *prog = "dataset-generator";

static int bad_input(const char *fmt, const char *arg);
static const char *redact(const char *uri, char *buf, size_t n);

static void usage(FILE *f)
{
    fprintf(f,
            "usage: %s COMMAND [OPTIONS]\n"
            "\n"
            "Generates realistic synthetic datasets as partitioned Apache Parquet.\n"
            "\n"
            "commands:\n"
            "  generate DATASET [OPTIONS]   write a dataset (see generate --help)\n"
            "  list-datasets                the datasets this program can generate\n"
            "  list-formats                 the output formats\n"
            "  info DATASET                 tables, columns, types, partitions, options\n"
            "  clean DIR [--all]            remove temporary files that killed runs left in DIR\n"
            "  help COMMAND [DATASET]       the options of a command (and of a dataset)\n"
            "\n"
            "  -h, --help, -V, --version\n",
            prog);
}

/* ---- the options of generate ----
 *
 * Every option of generate is in this table: parsing (flags, short forms,
 * "did you mean"), --help and the summary's option list all derive from it.
 * A new option needs a row here and a branch in cmd_generate. */
enum { OPT_FLAG = 1, OPT_SECRET = 2, OPT_S3 = 4 };

typedef struct cli_opt {
    const char *name;  /* without "--" */
    char short_name;   /* -o, -q, -j; 0: none */
    const char *arg;   /* value placeholder; NULL for a flag */
    unsigned flags;
    const char *help;  /* lines separated by '\n' */
} cli_opt;

static const cli_opt gen_opts[] = {
    {"output", 'o', "DIR", 0, "output directory (created if missing), or s3://BUCKET/PREFIX"},
    {"format", 0, "FORMAT", 0, "parquet (default), jsonl, or a table format: delta,\niceberg, ducklake (see list-formats)"},
    {"mode", 0, "MODE", 0,
     "create (default): refuse existing tables (plain\nfiles: a non-empty DIR); append: add files (a new\n"
     "table version; plain files: never replace one);\noverwrite: replace the tables"},
    {"compression", 0, "CODEC", 0, "none, snappy (default), gzip, zstd, brotli, lz4_raw"},
    {"compression-level", 0, "N", 0, "gzip 1-12 (6), zstd -7..22 (3), brotli 0-11 (4)"},
    {"file-rows-target", 0, "N", 0, "at most N rows per file (250000)"},
    {"row-group-rows", 0, "N", 0, "at most N rows per row group (131072)"},
    {"threads", 'j', "N", 0, "worker threads (default: number of cores; local\noutput never uses more workers than cores)"},
    {"tables", 0, "A,B", 0, "write only these tables"},
    {"shard", 0, "K/N|auto", 0,
     "write only shard K of N (1 <= K <= N); auto reads\nSlurm, Kubernetes (JOB_COMPLETION_INDEX with\n"
     "DSG_SHARD_COUNT) or MPI launcher variables"},
    {"overwrite", 0, NULL, OPT_FLAG,
     "same as --mode overwrite: replace the dataset's\ntables in DIR; other files in DIR are left alone"},
    {"catalog-uri", 0, "URI", OPT_SECRET,
     "table catalog (iceberg, ducklake): sqlite:///PATH\nor postgresql://USER:PASS@HOST:PORT/DB"},
    {"catalog-kind", 0, "KIND", 0, "sql (iceberg), sqlite or postgres (ducklake);\ndefault: from the URI"},
    {"catalog-namespace", 0, "NS", 0, "namespace (iceberg: default; ducklake: main)"},
    {"catalog-name", 0, "NAME", 0, "catalog name (iceberg's catalog_name: default)"},
    {"summary-json", 0, "FILE|-", 0,
     "write a JSON summary: version, options, tables, every\nfile written (and each table version committed);\n-: standard output"},
    {"dry-run", 0, NULL, OPT_FLAG, "print the plan (tables, partitions, files, rows,\nestimated bytes) and write nothing"},
    {"quiet", 'q', NULL, OPT_FLAG, "no progress and no summary line"},
    {"s3-uri", 0, "s3://BUCKET[/BASE]", OPT_S3,
     "the bucket and base prefix: a relative --output\ngoes under it; without --output it is the output"},
    {"s3-key", 0, "KEY", OPT_S3, "access key (default: AWS_ACCESS_KEY_ID, else the\nAWS_PROFILE's in ~/.aws/credentials)"},
    {"s3-secret", 0, "SECRET", OPT_S3 | OPT_SECRET,
     "secret key (default: AWS_SECRET_ACCESS_KEY; with the\nenvironment's key, AWS_SESSION_TOKEN too)"},
    {"s3-endpoint", 0, "URL", OPT_S3,
     "http[s]://host[:port] of an S3-compatible service,\npath-style (default: AWS_ENDPOINT_URL, else AWS)"},
    {"s3-region", 0, "REGION", OPT_S3, "signing region (AWS_REGION, AWS_DEFAULT_REGION;\nus-east-1)"},
    {"s3-use-ssl", 0, NULL, OPT_S3 | OPT_FLAG, "force TLS on (default: the endpoint's scheme, TLS\nwhen it has none)"},
    {"no-s3-use-ssl", 0, NULL, OPT_S3 | OPT_FLAG, "force TLS off"},
    {"s3-virtual-hosted", 0, NULL, OPT_S3 | OPT_FLAG, "address BUCKET.host instead of host/BUCKET"},
    {"s3-part-size", 0, "MIB", OPT_S3, "multipart part size, 5 to 5120 (8)"},
    {"s3-max-retries", 0, "N", OPT_S3, "retries of a failed request, 0 to 30 (6)"},
    {"s3-timeout", 0, "SECONDS", OPT_S3,
     "retry a request that moves no data this long (30);\na request must end within 3x this plus 1 s per\n"
     "256 KiB, its retries within 4 such deadlines"},
};
#define N_GEN_OPTS (sizeof gen_opts / sizeof gen_opts[0])

static const cli_opt *find_opt(const char *name)
{
    for (size_t i = 0; i < N_GEN_OPTS; i++)
        if (strcmp(gen_opts[i].name, name) == 0)
            return &gen_opts[i];
    return NULL;
}

static void print_opt(FILE *f, const char *name, char short_name, const char *arg, const char *help)
{
    char head[96];
    if (short_name)
        snprintf(head, sizeof head, "-%c, --%s%s%s", short_name, name, arg ? " " : "", arg ? arg : "");
    else
        snprintf(head, sizeof head, "--%s%s%s", name, arg ? " " : "", arg ? arg : "");
    int width = (int)strlen(head);
    fprintf(f, "  %-26s", head);
    if (width > 26)
        fprintf(f, "\n  %-26s", "");
    for (const char *h = help; *h;) {
        size_t n = strcspn(h, "\n");
        fprintf(f, "%.*s\n", (int)n, h);
        h += n;
        if (*h == '\n') {
            h++;
            fprintf(f, "  %-26s", "");
        }
    }
}

static void generate_usage(FILE *f)
{
    fprintf(f, "usage: %s generate DATASET --output DIR [OPTIONS] [DATASET OPTIONS]\n\noptions:\n", prog);
    for (size_t i = 0; i < N_GEN_OPTS; i++)
        if (!(gen_opts[i].flags & OPT_S3))
            print_opt(f, gen_opts[i].name, gen_opts[i].short_name, gen_opts[i].arg, gen_opts[i].help);
    fprintf(f, "\nS3 output (--output s3://BUCKET/PREFIX):\n");
    for (size_t i = 0; i < N_GEN_OPTS; i++)
        if (gen_opts[i].flags & OPT_S3)
            print_opt(f, gen_opts[i].name, gen_opts[i].short_name, gen_opts[i].arg, gen_opts[i].help);
    fprintf(f, "\nDataset options: `%s generate DATASET --help` (or `info DATASET`).\n", prog);
}

/* A placeholder for a dataset option's value, from its default. */
static const char *value_placeholder(const char *def)
{
    if (def == NULL || *def == '\0')
        return "VALUE";
    if (strlen(def) == 10 && def[4] == '-' && def[7] == '-')
        return "YYYY-MM-DD";
    if (strspn(def, "0123456789") == strlen(def))
        return "N";
    if (strspn(def, "0123456789.-e") == strlen(def))
        return "X";
    return "VALUE";
}

static void dataset_usage(FILE *f, const dsg_dataset *ds, const char *dataset)
{
    size_t n_opt;
    const dsg_option_info *o = dsg_dataset_options(ds, &n_opt);
    fprintf(f, "\noptions of dataset %s:\n", dataset);
    for (size_t k = 0; k < n_opt; k++) {
        char help[512];
        snprintf(help, sizeof help, "%s (default %s)", o[k].help, o[k].default_value);
        print_opt(f, o[k].name, 0, value_placeholder(o[k].default_value), help);
    }
}

/* Edit distance of two short strings (at most 63 bytes used): insertions,
 * deletions, substitutions and swaps of neighbours each count 1. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63)
        la = 63;
    if (lb > 63)
        lb = 63;
    size_t d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

/* "unknown option --X; did you mean --Y?" over the options of generate
 * and of the dataset. */
static int unknown_option(const char *name, const dsg_dataset *ds)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < N_GEN_OPTS; i++) {
        size_t d = edit_distance(name, gen_opts[i].name);
        if (d < best_d) {
            best_d = d;
            best = gen_opts[i].name;
        }
    }
    size_t n_opt = 0;
    const dsg_option_info *o = ds ? dsg_dataset_options(ds, &n_opt) : NULL;
    for (size_t i = 0; i < n_opt; i++) {
        size_t d = edit_distance(name, o[i].name);
        if (d < best_d) {
            best_d = d;
            best = o[i].name;
        }
    }
    size_t len = strlen(name);
    size_t limit = len < 6 ? 1 : len < 12 ? 2 : 3;
    if (best != NULL && best_d <= limit) {
        fprintf(stderr, "%s: unknown option --%s; did you mean --%s?\n", prog, name, best);
        return EXIT_BAD_INPUT;
    }
    return bad_input("unknown option --%s (see generate --help)", name);
}

static int is_dataset_option(const dsg_dataset *ds, const char *name)
{
    size_t n_opt;
    const dsg_option_info *o = dsg_dataset_options(ds, &n_opt);
    for (size_t i = 0; i < n_opt; i++)
        if (strcmp(o[i].name, name) == 0)
            return 1;
    return 0;
}

static int bad_input(const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", prog);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return EXIT_BAD_INPUT;
}

static int fail(const dsg_error *err)
{
    fprintf(stderr, "%s: %s\n", prog, err->message[0] ? err->message : dsg_strerror(err->status));
    return err->status == DSG_EINVAL ? EXIT_BAD_INPUT : 1;
}

static const char *type_text(const dsg_field *f, char *buf, size_t n)
{
    switch (f->type) {
    case DSG_BOOL: return "BOOLEAN";
    case DSG_INT8: return "INT8";
    case DSG_INT16: return "INT16";
    case DSG_INT32: return "INT32";
    case DSG_INT64: return "INT64";
    case DSG_FLOAT: return "FLOAT";
    case DSG_DOUBLE: return "DOUBLE";
    case DSG_DATE: return "DATE";
    case DSG_TIMESTAMP: return "TIMESTAMP(us, UTC)";
    case DSG_DURATION: return "DURATION(us)";
    case DSG_STRING: return "STRING";
    case DSG_DECIMAL: snprintf(buf, n, "DECIMAL(%d, %d)", f->precision, f->scale); return buf;
    case DSG_STRUCT: return "STRUCT";
    case DSG_LIST: return "LIST";
    case DSG_MAP: return "MAP";
    default: break; /* types of user data only */
    }
    return "?";
}

static void print_field(const dsg_field *f, int indent)
{
    char buf[64];
    printf("%*s%-*s %s%s\n", indent, "", 24 - indent, f->name, type_text(f, buf, sizeof buf),
           (f->flags & DSG_FIELD_NULLABLE) ? " (nullable)" : "");
    for (size_t i = 0; i < f->n_children; i++)
        print_field(&f->children[i], indent + 2);
}

static int cmd_info(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        fprintf(argc < 1 ? stderr : stdout, "usage: %s info DATASET [DATASET OPTIONS]\n", prog);
        return argc < 1 ? EXIT_BAD_INPUT : 0;
    }
    dsg_error err;
    dsg_dataset *ds = NULL;
    if (dsg_dataset_create(&ds, argv[0], &err) != DSG_OK)
        return fail(&err);
    /* options that change the tables, e.g. --orders-partitioning ym */
    for (int i = 1; i < argc; i += 2) {
        if (strncmp(argv[i], "--", 2) != 0 || i + 1 >= argc) {
            dsg_dataset_free(ds);
            return bad_input("info takes dataset options as --name value, not '%s'", argv[i]);
        }
        if (dsg_dataset_set(ds, argv[i] + 2, argv[i + 1], &err) != DSG_OK) {
            dsg_dataset_free(ds);
            return fail(&err);
        }
    }
    printf("dataset %s\n", argv[0]);
    for (size_t t = 0; t < dsg_dataset_n_tables(ds); t++) {
        dsg_table_info info;
        dsg_dataset_table(ds, t, &info, NULL);
        printf("\ntable %s", info.name);
        if (info.n_partition_by) {
            printf(" (partitioned by");
            for (size_t i = 0; i < info.n_partition_by; i++)
                printf("%s %s", i ? "," : "", info.partition_by[i]);
            printf(")");
        }
        printf("\n");
        for (size_t i = 0; i < info.n_fields; i++)
            print_field(&info.fields[i], 2);
    }
    size_t n;
    const dsg_option_info *o = dsg_dataset_options(ds, &n);
    printf("\noptions:\n");
    for (size_t i = 0; i < n; i++)
        printf("  --%-22s %s (default %s)\n", o[i].name, o[i].help, o[i].default_value);
    dsg_dataset_free(ds);
    return 0;
}

/* ---- generate ---- */

typedef struct file_rec {
    char *table, *path;
    unsigned long long rows, bytes;
} file_rec;

typedef struct commit_rec {
    char table[128];
    long long version;
} commit_rec;

typedef struct cli_ctx {
    int progress;
    double t0, last;
    file_rec *files;
    size_t n_files, cap_files;
    int oom;
    const char *format;
    commit_rec commits[64];
    size_t n_commits;
    /* for the summary: the options as given and resolved */
    const char *const *given;         /* per gen_opts row */
    const dsg_dataset *ds;
    const char *const *ds_given;      /* per dataset option */
    const dsg_run_options *opt;
    int threads;                      /* resolved */
} cli_ctx;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void on_file(void *p, const char *table, const char *path, uint64_t rows, uint64_t bytes)
{
    cli_ctx *c = p;
    if (c->n_files == c->cap_files) {
        size_t cap = c->cap_files ? c->cap_files * 2 : 64;
        file_rec *f = realloc(c->files, cap * sizeof *f);
        if (f == NULL) {
            c->oom = 1;
            return;
        }
        c->files = f;
        c->cap_files = cap;
    }
    file_rec *r = &c->files[c->n_files++];
    r->table = strdup(table);
    r->path = strdup(path);
    r->rows = rows;
    r->bytes = bytes;
    if (r->table == NULL || r->path == NULL)
        c->oom = 1;
}

static void on_commit(void *p, const char *table, const char *format, int64_t version)
{
    cli_ctx *c = p;
    (void)format;
    if (c->n_commits < sizeof c->commits / sizeof c->commits[0]) {
        commit_rec *r = &c->commits[c->n_commits++];
        snprintf(r->table, sizeof r->table, "%s", table);
        r->version = (long long)version;
    }
}

static void on_progress(void *p, uint64_t done, uint64_t total, uint64_t bytes)
{
    cli_ctx *c = p;
    double t = now();
    if (!c->progress || (t - c->last < 0.2 && done < total))
        return;
    c->last = t;
    double el = t - c->t0;
    double rate = el > 0 ? (double)done / el : 0;
    double eta = rate > 0 ? (double)(total - done) / rate : 0;
    fprintf(stderr, "\r%llu / %llu rows  %.2f M rows/s  %.1f MB  ETA %.0f s   ",
            (unsigned long long)done, (unsigned long long)total, rate / 1e6, (double)bytes / 1e6, eta);
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

/* --summary-json FILE: checked before the run, so that a bad name fails
 * at once (exit 2) instead of after the whole run. "-" is stdout. */
/* Whether dir is output or one of its ancestors (as written): the run
 * creates it. */
static int created_by_run(const char *dir, const char *output)
{
    if (output == NULL || strncmp(output, "s3://", 5) == 0)
        return 0;
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    return strncmp(output, dir, n) == 0 && (output[n] == '\0' || output[n] == '/');
}

static int check_summary_path(const char *path, const char *output)
{
    if (*path == '\0')
        return bad_input("--summary-json needs a file name (or - for standard output)%s", "");
    if (strcmp(path, "-") == 0)
        return 0;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return bad_input("--summary-json %s is a directory", path);
    size_t n = strlen(path);
    char *dir = malloc(n + 2);
    if (dir == NULL)
        return 1;
    memcpy(dir, path, n + 1);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        strcpy(dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    int rc = 0;
    if (stat(dir, &st) != 0 && created_by_run(dir, output))
        rc = 0; /* --output DIR --summary-json DIR/summary.json */
    else if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        rc = bad_input("--summary-json: the directory %s does not exist", dir);
    else if (access(dir, W_OK | X_OK) != 0)
        rc = bad_input("--summary-json: the directory %s is not writable", dir);
    free(dir);
    return rc;
}

static int by_path(const void *pa, const void *pb)
{
    return strcmp(((const file_rec *)pa)->path, ((const file_rec *)pb)->path);
}

/* The options of the run, as given or resolved; secrets (and the access
 * key) never. */
static void summary_options(FILE *f, const cli_ctx *c)
{
    const dsg_run_options *o = c->opt;
    char buf[64];
    fprintf(f, "{\"format\":");
    json_string(f, o->format ? o->format : "parquet");
    fprintf(f, ",\"compression\":");
    json_string(f, dsg_codec_name(o->parquet.codec));
    fprintf(f, ",\"file-rows-target\":%llu,\"row-group-rows\":%llu,\"threads\":%d",
            (unsigned long long)o->file_rows_target, (unsigned long long)o->parquet.row_group_rows, c->threads);
    if (o->shard_count > 1) {
        snprintf(buf, sizeof buf, "%u/%u", o->shard_index + 1, o->shard_count);
        fprintf(f, ",\"shard\":");
        json_string(f, buf);
    }
    if (o->s3 != NULL) {
        fprintf(f, ",\"s3-region\":");
        json_string(f, o->s3->region ? o->s3->region : "us-east-1");
        if (o->s3->endpoint) {
            char red[512];
            const char *ep = o->s3->endpoint;
            fprintf(f, ",\"s3-endpoint\":");
            json_string(f, strchr(ep, '@') ? redact(ep, red, sizeof red) : ep);
        }
    }
    for (size_t i = 0; i < N_GEN_OPTS; i++) {
        const cli_opt *g = &gen_opts[i];
        if (c->given[i] == NULL || (g->flags & OPT_SECRET) || strcmp(g->name, "s3-key") == 0 ||
            strcmp(g->name, "format") == 0 || strcmp(g->name, "compression") == 0 ||
            strcmp(g->name, "file-rows-target") == 0 || strcmp(g->name, "row-group-rows") == 0 ||
            strcmp(g->name, "threads") == 0 || strcmp(g->name, "shard") == 0 || strcmp(g->name, "s3-region") == 0 ||
            strcmp(g->name, "s3-endpoint") == 0 || strcmp(g->name, "summary-json") == 0)
            continue;
        fprintf(f, ",");
        json_string(f, g->name);
        if (g->flags & OPT_FLAG) {
            fprintf(f, ":true");
        } else {
            fprintf(f, ":");
            json_string(f, c->given[i]);
        }
    }
    size_t n_opt;
    const dsg_option_info *d = dsg_dataset_options(c->ds, &n_opt);
    for (size_t k = 0; k < n_opt; k++) {
        fprintf(f, ",");
        json_string(f, d[k].name);
        fprintf(f, ":");
        json_string(f, k < 128 && c->ds_given[k] ? c->ds_given[k] : d[k].default_value);
    }
    fprintf(f, "}");
}

static void summary_body(FILE *f, const char *dataset, const char *output, const dsg_run_stats *s,
                         cli_ctx *c)
{
    qsort(c->files, c->n_files, sizeof *c->files, by_path);
    char who[128];
    snprintf(who, sizeof who, "dataset-generator %s (build %s)", dsg_version(), dsg_build_id());
    fprintf(f, "{\"generator\":");
    json_string(f, who);
    fprintf(f, ",\"dataset\":");
    json_string(f, dataset);
    fprintf(f, ",\"output\":");
    json_string(f, output);
    fprintf(f, ",\"options\":");
    summary_options(f, c);
    fprintf(f, ",\"tables\":%llu,\"files\":%llu,\"rows\":%llu,\"bytes\":%llu,\"seconds\":%.3f,\"table_stats\":{",
            (unsigned long long)s->tables, (unsigned long long)s->files, (unsigned long long)s->rows,
            (unsigned long long)s->bytes, s->seconds);
    /* per table, in the dataset's order */
    int first = 1;
    for (size_t t = 0; t < dsg_dataset_n_tables(c->ds); t++) {
        dsg_table_info info;
        if (dsg_dataset_table(c->ds, t, &info, NULL) != DSG_OK)
            continue;
        unsigned long long rows = 0, files = 0, bytes = 0;
        for (size_t i = 0; i < c->n_files; i++) {
            if (strcmp(c->files[i].table, info.name) == 0) {
                rows += c->files[i].rows;
                bytes += c->files[i].bytes;
                files++;
            }
        }
        if (files == 0)
            continue;
        fprintf(f, "%s", first ? "" : ",");
        first = 0;
        json_string(f, info.name);
        fprintf(f, ":{\"rows\":%llu,\"files\":%llu,\"bytes\":%llu}", rows, files, bytes);
    }
    fprintf(f, "},\"file_list\":[");
    for (size_t i = 0; i < c->n_files; i++) {
        fprintf(f, "%s\n{\"table\":", i ? "," : "");
        json_string(f, c->files[i].table);
        fprintf(f, ",\"path\":");
        json_string(f, c->files[i].path);
        fprintf(f, ",\"rows\":%llu,\"bytes\":%llu}", c->files[i].rows, c->files[i].bytes);
    }
    fprintf(f, "]");
    if (c->format != NULL) { /* table formats: the version each table is at */
        fprintf(f, ",\"format\":");
        json_string(f, c->format);
        fprintf(f, ",\"commits\":[");
        for (size_t i = 0; i < c->n_commits; i++) {
            fprintf(f, "%s{\"table\":", i ? "," : "");
            json_string(f, c->commits[i].table);
            fprintf(f, ",\"version\":%lld}", c->commits[i].version);
        }
        fprintf(f, "]");
    }
    fprintf(f, "}\n");
}

/* 1234567 -> "1,234,567" */
static const char *thousands(unsigned long long v, char buf[32])
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%llu", v);
    int j = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[j++] = ',';
        buf[j++] = digits[i];
    }
    buf[j] = '\0';
    return buf;
}

static const char *plural(unsigned long long n) { return n == 1 ? "" : "s"; }

static int write_summary(const char *path, const char *dataset, const char *output,
                         const dsg_run_stats *s, cli_ctx *c)
{
    if (strcmp(path, "-") == 0) {
        summary_body(stdout, dataset, output, s, c);
        return 0; /* write errors on stdout are caught in main */
    }
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (tmp == NULL) {
        fprintf(stderr, "%s: cannot write summary %s: out of memory\n", prog, path);
        return 1;
    }
    snprintf(tmp, n, "%s.tmp-%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        fprintf(stderr, "%s: cannot write summary %s: %s\n", prog, path, strerror(errno));
        free(tmp);
        return 1;
    }
    summary_body(f, dataset, output, s, c);
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        fprintf(stderr, "%s: cannot write summary %s: %s\n", prog, path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return 1;
    }
    free(tmp);
    return 0;
}

/* A whole number written plainly: digits, with a leading '-' only when
 * negative values are allowed; no '+', no spaces, no overflow. */
static int whole_number(const char *v, int allow_minus, long long *out)
{
    const char *d = allow_minus && *v == '-' ? v + 1 : v;
    size_t n = strspn(d, "0123456789");
    if (n == 0 || d[n] != '\0' || n > 18)
        return -1;
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = x;
    return 0;
}

static int parse_count(const char *opt, const char *v, long long min, long long max, long long *out)
{
    long long x;
    if (whole_number(v, min < 0, &x) != 0 || x < min || x > max) {
        fprintf(stderr, "%s: %s must be a whole number between %lld and %lld, not '%s'\n", prog, opt,
                min, max, v);
        return -1;
    }
    *out = x;
    return 0;
}

/* Reads one environment variable as a whole number; -1 if unset or bad. */
static long env_number(const char *name)
{
    const char *v = getenv(name);
    long long x;
    if (v == NULL || whole_number(v, 0, &x) != 0 || x > 1000000000)
        return -1;
    return (long)x;
}

/* --shard K/N, or --shard auto: the shard from the environment of the
 * launcher that started this process (1-based K):
 *   Slurm job arrays   SLURM_ARRAY_TASK_ID (- SLURM_ARRAY_TASK_MIN), SLURM_ARRAY_TASK_COUNT
 *   Kubernetes Indexed Jobs  JOB_COMPLETION_INDEX with DSG_SHARD_COUNT
 *   MPI launchers      OMPI_COMM_WORLD_RANK/SIZE, PMI_RANK/PMI_SIZE */
static int parse_shard(const char *val, unsigned *k, unsigned *n)
{
    if (strcmp(val, "auto") != 0) {
        /* K and N plain whole numbers (no sign), N at most 10^6 */
        const char *slash = strchr(val, '/');
        char kbuf[24];
        long long kk = 0, nn = 0;
        int ok = slash != NULL && (size_t)(slash - val) < sizeof kbuf;
        if (ok) {
            memcpy(kbuf, val, (size_t)(slash - val));
            kbuf[slash - val] = '\0';
            ok = whole_number(kbuf, 0, &kk) == 0 && whole_number(slash + 1, 0, &nn) == 0;
        }
        if (!ok || nn < 1 || nn > 1000000 || kk < 1 || kk > nn) {
            bad_input("--shard must be K/N with 1 <= K <= N <= 1000000, or auto, not '%s'", val);
            return -1;
        }
        *k = (unsigned)kk;
        *n = (unsigned)nn;
        return 0;
    }
    static const char *const pairs[][2] = {
        {"SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT"},
        {"JOB_COMPLETION_INDEX", "DSG_SHARD_COUNT"},
        {"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"},
        {"PMI_RANK", "PMI_SIZE"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        long index = env_number(pairs[i][0]), count = env_number(pairs[i][1]);
        if (index < 0)
            continue;
        if (i == 0 && env_number("SLURM_ARRAY_TASK_MIN") > 0)
            index -= env_number("SLURM_ARRAY_TASK_MIN");
        if (count < 1 || index >= count || count > 1000000) {
            fprintf(stderr, "%s: --shard auto: %s=%ld does not fit %s=%ld\n", prog, pairs[i][0], index,
                    pairs[i][1], count);
            return -1;
        }
        *k = (unsigned)index + 1;
        *n = (unsigned)count;
        return 0;
    }
    bad_input("--shard auto found no launcher variables (%s)",
              "SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX with DSG_SHARD_COUNT, OMPI_COMM_WORLD_RANK, PMI_RANK");
    return -1;
}

/* ---- S3 destination ---- */

typedef struct aws_profile {
    char key[256], secret[256], token[4096], region[64];
} aws_profile;

typedef struct cli_s3 {
    const char *uri, *key, *secret, *endpoint, *region;
    int use_ssl, virtual_hosted;                /* -1: not given */
    long long part_mib, max_retries, timeout_s; /* -1: not given */
    char output[4200];                          /* a relative --output under --s3-uri */
    dsg_s3_config cfg;
    aws_profile profile;                        /* ~/.aws files, when used */
} cli_s3;

static void cli_s3_init(cli_s3 *s)
{
    memset(s, 0, sizeof *s);
    s->use_ssl = s->virtual_hosted = -1;
    s->part_mib = s->max_retries = s->timeout_s = -1;
}

/* --s3-use-ssl, --no-s3-use-ssl, --s3-virtual-hosted; 0 for other names. */
static int s3_flag(cli_s3 *s, const char *name)
{
    if (strcmp(name, "s3-use-ssl") == 0)
        s->use_ssl = 1;
    else if (strcmp(name, "no-s3-use-ssl") == 0)
        s->use_ssl = 0;
    else if (strcmp(name, "s3-virtual-hosted") == 0)
        s->virtual_hosted = 1;
    else
        return 0;
    return 1;
}

/* --s3-NAME VALUE; returns 0 or an exit status. Values are never echoed
 * except numbers. */
static int s3_option(cli_s3 *s, const char *name, const char *val)
{
    if (strcmp(name, "s3-uri") == 0)
        s->uri = val;
    else if (strcmp(name, "s3-key") == 0)
        s->key = val;
    else if (strcmp(name, "s3-secret") == 0)
        s->secret = val;
    else if (strcmp(name, "s3-endpoint") == 0)
        s->endpoint = val;
    else if (strcmp(name, "s3-region") == 0)
        s->region = val;
    else if (strcmp(name, "s3-part-size") == 0)
        return parse_count("--s3-part-size (MiB)", val, 5, 5120, &s->part_mib) ? EXIT_BAD_INPUT : 0;
    else if (strcmp(name, "s3-max-retries") == 0)
        return parse_count("--s3-max-retries", val, 0, 30, &s->max_retries) ? EXIT_BAD_INPUT : 0;
    else if (strcmp(name, "s3-timeout") == 0)
        return parse_count("--s3-timeout", val, 1, 3600, &s->timeout_s) ? EXIT_BAD_INPUT : 0;
    else
        return bad_input("unknown option --%s", name);
    return 0;
}

/* The bucket of s3://bucket/rest (its length in *bucket_len) and rest,
 * without leading slashes. */
static const char *s3_split(const char *uri, size_t *bucket_len)
{
    *bucket_len = strcspn(uri + 5, "/");
    const char *rest = uri + 5 + *bucket_len;
    return rest + strspn(rest, "/");
}

/* uri for a message: any "user:password@" of its authority becomes "***@". */
static const char *redact(const char *uri, char *buf, size_t n)
{
    const char *sep = strstr(uri, "://");
    const char *auth = sep ? sep + 3 : uri;
    size_t len = strcspn(auth, "/?#");
    const char *at = NULL;
    for (size_t i = 0; i < len; i++)
        if (auth[i] == '@')
            at = auth + i;
    if (at == NULL)
        return uri;
    snprintf(buf, n, "%.*s***@%s", (int)(auth - uri), uri, at + 1);
    return buf;
}

/* An s3:// --output must lie in --s3-uri's bucket, under its base prefix. */
static int check_agreement(const char *uri, const char *out)
{
    size_t ub, ob;
    const char *base = s3_split(uri, &ub), *rest = s3_split(out, &ob);
    size_t base_len = strlen(base);
    while (base_len > 0 && base[base_len - 1] == '/')
        base_len--;
    int same_bucket = ub == ob && strncmp(uri + 5, out + 5, ub) == 0;
    int under = base_len == 0 ||
                (strncmp(rest, base, base_len) == 0 && (rest[base_len] == '\0' || rest[base_len] == '/'));
    if (same_bucket && under)
        return 0;
    char b1[4200], b2[4200];
    fprintf(stderr, "%s: --output %s and --s3-uri %s contradict each other: %s\n", prog,
            redact(out, b1, sizeof b1), redact(uri, b2, sizeof b2),
            same_bucket ? "the output is not under the --s3-uri prefix" : "they name different buckets");
    return EXIT_BAD_INPUT;
}

/* With --s3-uri: no --output means the URI itself; an s3:// --output must
 * agree with it; a relative --output goes under it. */
static int place_output(cli_s3 *s, dsg_run_options *opt)
{
    const char *out = opt->output;
    char b1[4200], b2[4200];
    if (strncmp(s->uri, "s3://", 5) != 0)
        return bad_input("--s3-uri must be an s3://BUCKET[/PREFIX] URI, not '%s'", redact(s->uri, b1, sizeof b1));
    if (out == NULL) {
        opt->output = s->uri;
        return 0;
    }
    if (strncmp(out, "s3://", 5) == 0)
        return check_agreement(s->uri, out);
    if (out[0] == '/') {
        fprintf(stderr, "%s: --output %s is a local path but --s3-uri %s names a bucket: give a relative "
                "--output (written under the bucket) or an s3:// one\n", prog, out, redact(s->uri, b2, sizeof b2));
        return EXIT_BAD_INPUT;
    }
    while (strncmp(out, "./", 2) == 0)
        out += 2;
    size_t n = strlen(s->uri);
    while (n > 5 && s->uri[n - 1] == '/')
        n--;
    snprintf(s->output, sizeof s->output, "%.*s/%s", (int)n, s->uri, out);
    opt->output = s->output;
    return 0;
}

/* The flag's value, else the first environment variable set. */
static const char *flag_or_env(const char *flag, const char *env1, const char *env2)
{
    const char *v1 = env1 ? getenv(env1) : NULL, *v2 = env2 ? getenv(env2) : NULL;
    if (flag != NULL && *flag)
        return flag;
    return v1 && *v1 ? v1 : v2 && *v2 ? v2 : NULL;
}

/* One value of an AWS shared file (INI): 'key' in section 'section' of
 * file 'path', copied into out. Returns 1 when found. */
static int ini_value(const char *path, const char *section, const char *key, char *out, size_t n)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    char line[2048];
    int in = 0, found = 0;
    while (!found && fgets(line, sizeof line, f) != NULL) {
        char *p = line + strspn(line, " \t");
        size_t len = strcspn(p, "\r\n");
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        p[len] = '\0';
        if (*p == '[') {
            char *close = strchr(p, ']');
            if (close != NULL) {
                *close = '\0';
                char *name = p + 1 + strspn(p + 1, " \t");
                in = strcmp(name, section) == 0;
            }
            continue;
        }
        if (!in || *p == '#' || *p == ';')
            continue;
        size_t klen = strcspn(p, " \t=");
        char *eq = strchr(p, '=');
        if (eq == NULL || klen != strlen(key) || strncmp(p, key, klen) != 0)
            continue;
        const char *v = eq + 1 + strspn(eq + 1, " \t");
        snprintf(out, n, "%s", v);
        found = *out != '\0';
    }
    fclose(f);
    return found;
}

/* Static credentials of an AWS profile (AWS_PROFILE, else "default") from
 * the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, else
 * ~/.aws/credentials) and its region from the config file
 * (AWS_CONFIG_FILE, else ~/.aws/config), as the AWS CLI reads them. */
static void read_profile(aws_profile *p)
{
    memset(p, 0, sizeof *p);
    const char *name = getenv("AWS_PROFILE");
    if (name == NULL || *name == '\0')
        name = "default";
    const char *home = getenv("HOME");
    char creds[4096], config[4096], section[300];
    const char *cf = getenv("AWS_SHARED_CREDENTIALS_FILE"), *gf = getenv("AWS_CONFIG_FILE");
    snprintf(creds, sizeof creds, "%s", cf && *cf ? cf : "");
    snprintf(config, sizeof config, "%s", gf && *gf ? gf : "");
    if (!*creds && home)
        snprintf(creds, sizeof creds, "%s/.aws/credentials", home);
    if (!*config && home)
        snprintf(config, sizeof config, "%s/.aws/config", home);
    if (ini_value(creds, name, "aws_access_key_id", p->key, sizeof p->key) &&
        ini_value(creds, name, "aws_secret_access_key", p->secret, sizeof p->secret))
        ini_value(creds, name, "aws_session_token", p->token, sizeof p->token);
    else
        p->key[0] = p->secret[0] = '\0';
    snprintf(section, sizeof section, strcmp(name, "default") == 0 ? "%s" : "profile %s", name);
    if (!p->key[0] && ini_value(config, section, "aws_access_key_id", p->key, sizeof p->key) &&
        ini_value(config, section, "aws_secret_access_key", p->secret, sizeof p->secret))
        ini_value(config, section, "aws_session_token", p->token, sizeof p->token);
    else if (!p->secret[0])
        p->key[0] = '\0';
    ini_value(config, section, "region", p->region, sizeof p->region);
}

/* Resolves the destination and, for s3:// output, the S3 configuration
 * (flags win over the environment, the environment over the profile).
 * Returns 0 or an exit status. */
static int resolve_s3(cli_s3 *s, dsg_run_options *opt)
{
    int rc = s->uri ? place_output(s, opt) : 0;
    if (rc != 0 || opt->output == NULL || strncmp(opt->output, "s3://", 5) != 0)
        return rc;
    dsg_s3_config *c = &s->cfg;
    dsg_s3_config_init(c);
    c->access_key = flag_or_env(s->key, "AWS_ACCESS_KEY_ID", NULL);
    c->secret_key = flag_or_env(s->secret, "AWS_SECRET_ACCESS_KEY", NULL);
    c->session_token = s->key ? NULL : flag_or_env(NULL, "AWS_SESSION_TOKEN", NULL);
    c->region = flag_or_env(s->region, "AWS_REGION", "AWS_DEFAULT_REGION");
    if (c->access_key == NULL && c->secret_key == NULL) { /* the shared files' profile */
        read_profile(&s->profile);
        if (s->profile.key[0]) {
            c->access_key = s->profile.key;
            c->secret_key = s->profile.secret;
            c->session_token = s->profile.token[0] ? s->profile.token : NULL;
        }
    }
    if (c->region == NULL) {
        if (!s->profile.region[0] && s->profile.key[0] == '\0')
            read_profile(&s->profile);
        if (s->profile.region[0])
            c->region = s->profile.region;
    }
    c->endpoint = flag_or_env(s->endpoint, "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL");
    c->use_ssl = s->use_ssl;
    c->virtual_hosted = s->virtual_hosted;
    if (s->part_mib > 0)
        c->part_bytes = (size_t)s->part_mib << 20;
    if (s->max_retries >= 0)
        c->max_retries = (int)s->max_retries;
    if (s->timeout_s > 0)
        c->idle_timeout_s = (int)s->timeout_s;
    opt->s3 = c;
    return 0;
}

/* Options whose values are secrets, in any spelling (--name, --name=V). */
static int is_secret_option(const char *arg)
{
    static const char *const secret[] = {"--s3-secret", "--s3-session-token", "--catalog-uri"};
    for (size_t i = 0; i < sizeof secret / sizeof secret[0]; i++) {
        size_t n = strlen(secret[i]);
        if (strncmp(arg, secret[i], n) == 0 && (arg[n] == '\0' || arg[n] == '='))
            return 1;
    }
    return 0;
}

static volatile sig_atomic_t g_signal;

static void on_signal(int signo)
{
    if (g_signal != 0) { /* a second signal: stop now, the hard way */
        signal(signo, SIG_DFL);
        raise(signo);
        return;
    }
    g_signal = signo;
    dsg_interrupt();
}

/* SIGINT and SIGTERM stop the run cleanly (open files removed, uploads
 * aborted); SIGXFSZ is ignored so that a file-size limit shows as a write
 * error naming the file instead of killing the process silently. */
static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGXFSZ, SIG_IGN);
}

/* --dry-run: the plan on stdout (and in --summary-json), nothing written. */
static int dry_run_plan(dsg_dataset *ds, const dsg_run_options *opt, cli_ctx *ctx, const char *dataset,
                        const char *summary)
{
    dsg_run_options o = *opt;
    o.ctx = ctx;
    o.on_file = on_file;
    o.on_progress = NULL;
    dsg_run_stats stats;
    dsg_error err;
    if (dsg_run_plan(ds, &o, &stats, &err) != DSG_OK)
        return fail(&err);
    int rc = 0;
    if (ctx->oom) {
        fprintf(stderr, "%s: out of memory while recording the plan\n", prog);
        return 1;
    }
    char b1[32], b2[32], b3[32], b4[32];
    printf("plan of %s into %s (nothing written):\n", dataset, opt->output);
    for (size_t t = 0; t < dsg_dataset_n_tables(ds); t++) {
        dsg_table_info info;
        if (dsg_dataset_table(ds, t, &info, NULL) != DSG_OK)
            continue;
        unsigned long long files = 0, rows = 0, bytes = 0, parts = 0;
        const char *last_dir = NULL;
        size_t last_len = 0;
        for (size_t i = 0; i < ctx->n_files; i++) { /* plan order: a partition's files are together */
            const file_rec *r = &ctx->files[i];
            if (strcmp(r->table, info.name) != 0)
                continue;
            files++;
            rows += r->rows;
            bytes += r->bytes;
            size_t dir_len = (size_t)(strrchr(r->path, '/') - r->path);
            if (last_dir == NULL || dir_len != last_len || strncmp(last_dir, r->path, dir_len) != 0)
                parts++;
            last_dir = r->path;
            last_len = dir_len;
        }
        if (files == 0)
            continue;
        printf("  %-14s %s partition%s, %s file%s, %s row%s, about %.1f MB of raw data\n", info.name,
               thousands(parts, b1), plural(parts), thousands(files, b2), plural(files), thousands(rows, b3),
               plural(rows), (double)bytes / 1e6);
    }
    printf("total: %s table%s, %s file%s, %s row%s, about %.1f MB of raw data\n", thousands(stats.tables, b1),
           plural(stats.tables), thousands(stats.files, b2), plural(stats.files), thousands(stats.rows, b3),
           plural(stats.rows), (double)stats.bytes / 1e6);
    (void)b4;
    if (summary)
        rc = write_summary(summary, dataset, opt->output, &stats, ctx);
    return rc;
}

static int cmd_generate(int argc, char **argv)
{
    if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
        generate_usage(stdout);
        return 0;
    }
    if (argc < 1 || argv[0][0] == '-')
        return bad_input("generate needs a dataset name first (try: generate ecommerce --output DIR)%s", "");
    const char *dataset = argv[0];
    dsg_error err;
    dsg_error_clear(&err);
    dsg_dataset *ds = NULL;
    if (dsg_dataset_create(&ds, dataset, &err) != DSG_OK)
        return fail(&err);

    dsg_run_options opt;
    dsg_run_options_init(&opt);
    const char *summary = NULL, *codec_name = NULL, *level_text = NULL;
    int quiet = 0, rc = 0;
    char *tables_buf = NULL;
    const char *tables[64];
    size_t n_tables = 0;
    cli_s3 s3;
    cli_s3_init(&s3);
    dsg_catalog_config catalog = {NULL, NULL, NULL, NULL};
    const char *mode_text = NULL;
    const char *given[N_GEN_OPTS] = {0};       /* values as given, for repeats */
    const char *ds_given[128] = {0};
    int dry_run = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            generate_usage(stdout);
            dataset_usage(stdout, ds, dataset);
            dsg_dataset_free(ds);
            return 0;
        }
        char name[128];
        const char *val = NULL;
        if (a[0] == '-' && a[1] != '-' && a[1] != '\0') { /* -o DIR, -q, -j 4, -j4 */
            const cli_opt *so = NULL;
            for (size_t k = 0; k < N_GEN_OPTS; k++)
                if (gen_opts[k].short_name == a[1])
                    so = &gen_opts[k];
            if (so == NULL || (so->arg == NULL && a[2] != '\0')) {
                rc = bad_input("unknown option '%s' (see generate --help)", a);
                break;
            }
            snprintf(name, sizeof name, "%s", so->name);
            if (a[2] != '\0')
                val = a + 2;
        } else if (strncmp(a, "--", 2) != 0) {
            /* what follows a secret option may be the secret itself
             * ("--s3-secret= VALUE"): never echo it */
            if (i > 1 && is_secret_option(argv[i - 1]))
                rc = bad_input("unexpected argument after %s (not shown: it may be a secret)",
                               strncmp(argv[i - 1], "--s3-secret", 11) == 0 ? "--s3-secret" : "a secret option");
            else
                rc = bad_input("unexpected argument '%s'", a);
            break;
        } else {
            const char *eq = strchr(a, '=');
            if (eq) {
                snprintf(name, sizeof name, "%.*s", (int)(eq - a - 2), a + 2);
                val = eq + 1;
            } else {
                snprintf(name, sizeof name, "%s", a + 2);
            }
        }
        const cli_opt *o = find_opt(name);
        if (o == NULL && !is_dataset_option(ds, name)) {
            rc = unknown_option(name, ds);
            break;
        }
        if (o != NULL && (o->flags & OPT_FLAG)) {
            if (val != NULL) {
                rc = bad_input("--%s is a flag and takes no value", name);
                break;
            }
            given[o - gen_opts] = "1";
            if (s3_flag(&s3, name))
                continue;
            if (strcmp(name, "overwrite") == 0)
                opt.overwrite = 1;
            else if (strcmp(name, "dry-run") == 0)
                dry_run = 1;
            else
                quiet = 1;
            continue;
        }
        if (val == NULL) {
            if (i + 1 >= argc) {
                rc = bad_input("option --%s needs a value", name);
                break;
            }
            val = argv[++i];
        }
        if (*val == '\0' && o != NULL && (o->flags & OPT_SECRET)) {
            rc = bad_input("option --%s needs a value", name);
            break;
        }
        /* the same option twice: fine with the same value, refused with
         * another (one of them would be silently ignored) */
        const char **seen = NULL;
        if (o != NULL) {
            seen = &given[o - gen_opts];
        } else {
            size_t n_opt;
            const dsg_option_info *dopt = dsg_dataset_options(ds, &n_opt);
            for (size_t k = 0; k < n_opt && k < 128; k++)
                if (strcmp(dopt[k].name, name) == 0)
                    seen = &ds_given[k];
        }
        if (seen != NULL && *seen != NULL && strcmp(*seen, val) != 0) {
            if (o != NULL && (o->flags & OPT_SECRET))
                rc = bad_input("--%s is given twice with different values", name);
            else {
                fprintf(stderr, "%s: --%s is given twice with different values ('%s' and '%s')\n", prog, name,
                        *seen, val);
                rc = EXIT_BAD_INPUT;
            }
            break;
        }
        if (seen != NULL)
            *seen = val;
        long long x;
        if (strcmp(name, "output") == 0) {
            opt.output = val;
        } else if (strcmp(name, "format") == 0) {
            opt.format = val;
        } else if (strcmp(name, "mode") == 0) {
            mode_text = val;
        } else if (strcmp(name, "catalog-uri") == 0) {
            catalog.uri = val;
        } else if (strcmp(name, "catalog-kind") == 0) {
            catalog.kind = val;
        } else if (strcmp(name, "catalog-namespace") == 0) {
            catalog.namespace_ = val;
        } else if (strcmp(name, "catalog-name") == 0) {
            catalog.name = val;
        } else if (strcmp(name, "compression") == 0) {
            codec_name = val;
        } else if (strcmp(name, "compression-level") == 0) {
            level_text = val;
        } else if (strcmp(name, "file-rows-target") == 0) {
            if (parse_count("--file-rows-target", val, 1, 1LL << 40, &x) != 0)
                rc = EXIT_BAD_INPUT;
            opt.file_rows_target = (uint64_t)x;
        } else if (strcmp(name, "row-group-rows") == 0) {
            if (parse_count("--row-group-rows", val, 1, 1LL << 31, &x) != 0)
                rc = EXIT_BAD_INPUT;
            opt.parquet.row_group_rows = (size_t)x;
        } else if (strcmp(name, "threads") == 0) {
            if (parse_count("--threads", val, 1, 256, &x) != 0)
                rc = EXIT_BAD_INPUT;
            opt.threads = (int)x;
        } else if (strcmp(name, "summary-json") == 0) {
            summary = val;
        } else if (strcmp(name, "shard") == 0) {
            unsigned k, n;
            if (parse_shard(val, &k, &n) != 0) {
                rc = EXIT_BAD_INPUT;
                break;
            }
            opt.shard_index = k - 1;
            opt.shard_count = n;
        } else if (strcmp(name, "tables") == 0) {
            free(tables_buf);
            tables_buf = strdup(val);
            n_tables = 0;
            for (char *s = tables_buf ? strtok(tables_buf, ",") : NULL; s && rc == 0; s = strtok(NULL, ",")) {
                if (n_tables == 64)
                    rc = bad_input("--tables names more than 64 tables%s", "");
                else
                    tables[n_tables++] = s;
            }
            if (rc == 0 && n_tables == 0)
                rc = bad_input("--tables needs at least one table name%s", "");
        } else if (strncmp(name, "s3-", 3) == 0) {
            rc = s3_option(&s3, name, val);
        } else if (dsg_dataset_set(ds, name, val, &err) != DSG_OK) {
            rc = fail(&err);
        }
    }
    if (rc == 0 && codec_name && dsg_codec_parse(codec_name, &opt.parquet.codec, &err) != DSG_OK)
        rc = fail(&err);
    if (rc == 0 && level_text) {
        long long lv;
        if (parse_count("--compression-level", level_text, -7, 22, &lv) != 0)
            rc = EXIT_BAD_INPUT;
        else if (dsg_codec_check_level(opt.parquet.codec, (int)lv, &err) != DSG_OK)
            rc = fail(&err);
        opt.parquet.level = (int)lv;
    }
    if (rc == 0 && mode_text != NULL) {
        if (strcmp(mode_text, "create") == 0)
            opt.mode = DSG_MODE_CREATE;
        else if (strcmp(mode_text, "append") == 0)
            opt.mode = DSG_MODE_APPEND;
        else if (strcmp(mode_text, "overwrite") == 0)
            opt.mode = DSG_MODE_OVERWRITE;
        else
            rc = bad_input("--mode must be create, append or overwrite, not '%s'", mode_text);
    }
    if (rc == 0 && (catalog.kind || catalog.namespace_ || catalog.name) && catalog.uri == NULL)
        rc = bad_input("--catalog-kind, --catalog-namespace and --catalog-name need --catalog-uri%s", "");
    if (rc == 0 && catalog.uri != NULL)
        opt.catalog = &catalog;
    /* options that this run would silently ignore are refused */
    int jsonl = opt.format != NULL && strcmp(opt.format, "jsonl") == 0;
    static const char *const parquet_only[] = {"compression", "compression-level", "row-group-rows"};
    for (size_t k = 0; rc == 0 && jsonl && k < sizeof parquet_only / sizeof parquet_only[0]; k++)
        if (given[find_opt(parquet_only[k]) - gen_opts] != NULL)
            rc = bad_input("--%s does not apply to --format jsonl (JSONL files are written uncompressed)",
                           parquet_only[k]);
    int s3_output = s3.uri != NULL || (opt.output != NULL && strncmp(opt.output, "s3://", 5) == 0);
    for (size_t k = 0; rc == 0 && !s3_output && k < N_GEN_OPTS; k++)
        if ((gen_opts[k].flags & OPT_S3) && given[k] != NULL)
            rc = bad_input("--%s applies to s3:// output only", gen_opts[k].name);
    if (rc == 0)
        rc = resolve_s3(&s3, &opt);
    if (rc == 0 && opt.output == NULL)
        rc = bad_input("generate needs --output DIR (or --s3-uri s3://BUCKET/PREFIX)%s", "");
    opt.tables = n_tables ? tables : NULL;
    opt.n_tables = n_tables;
    /* everything the user gave is checked before planning and writing */
    if (rc == 0 && summary != NULL)
        rc = check_summary_path(summary, opt.output);
    if (rc == 0 && dsg_run_check(ds, &opt, &err) != DSG_OK)
        rc = fail(&err);
    /* plan only the tables asked for */
    if (rc == 0 && n_tables > 0 && dsg_dataset_select_tables(ds, tables, n_tables, &err) != DSG_OK)
        rc = fail(&err);
    if (rc == 0 && dsg_dataset_prepare(ds, &err) != DSG_OK)
        rc = fail(&err);
    if (rc != 0) {
        free(tables_buf);
        dsg_dataset_free(ds);
        return rc;
    }
    cli_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.given = given;
    ctx.ds = ds;
    ctx.ds_given = ds_given;
    ctx.opt = &opt;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    ctx.threads = opt.threads ? opt.threads : (int)(cores > 0 ? cores : 1);
    if (strncmp(opt.output, "s3://", 5) != 0 && cores > 0 && ctx.threads > cores)
        ctx.threads = (int)cores;
    if (dry_run) {
        rc = dry_run_plan(ds, &opt, &ctx, dataset, summary);
        for (size_t i = 0; i < ctx.n_files; i++) {
            free(ctx.files[i].table);
            free(ctx.files[i].path);
        }
        free(ctx.files);
        free(tables_buf);
        dsg_dataset_free(ds);
        return rc;
    }
    ctx.progress = !quiet && isatty(STDERR_FILENO);
    ctx.t0 = now();
    opt.ctx = &ctx;
    opt.on_file = on_file;
    opt.on_progress = on_progress;
    opt.on_commit = on_commit;
    ctx.format = dsg_table_format_available(opt.format) ? opt.format : NULL;
    dsg_run_stats stats;
    catch_signals();
    dsg_status st = dsg_run(ds, &opt, &stats, &err);
    if (ctx.progress)
        fprintf(stderr, "\r%*s\r", 78, "");
    if (st != DSG_OK && g_signal != 0) {
        fprintf(stderr, "%s: interrupted by %s: %s; the files being written were removed\n", prog,
                g_signal == SIGINT ? "SIGINT" : "SIGTERM", err.message);
        rc = 128 + g_signal;
    } else if (st != DSG_OK) {
        rc = fail(&err);
    } else {
        if (!quiet) {
            char b1[32], b2[32], b3[32];
            fprintf(stderr, "%s: %s: %s table%s, %s file%s, %s row%s, %.1f MB in %.2f s\n", prog, dataset,
                    thousands(stats.tables, b1), plural(stats.tables), thousands(stats.files, b2),
                    plural(stats.files), thousands(stats.rows, b3), plural(stats.rows), (double)stats.bytes / 1e6,
                    stats.seconds);
        }
        for (size_t i = 0; !quiet && i < ctx.n_commits; i++)
            fprintf(stderr, "%s: %s table %s committed at version %lld\n", prog, opt.format, ctx.commits[i].table,
                    ctx.commits[i].version);
        if (ctx.oom) {
            fprintf(stderr, "%s: out of memory while recording the file list\n", prog);
            rc = 1;
        } else if (summary) {
            rc = write_summary(summary, dataset, opt.output, &stats, &ctx);
        }
    }
    for (size_t i = 0; i < ctx.n_files; i++) {
        free(ctx.files[i].table);
        free(ctx.files[i].path);
    }
    free(ctx.files);
    free(tables_buf);
    dsg_dataset_free(ds);
    return rc;
}

static int cmd_clean(int argc, char **argv)
{
    const char *dir = NULL;
    int all = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: %s clean DIR [--all]\n\n"
                   "Removes the temporary files (.NAME.tmp-PID-N) that runs killed before they could\n"
                   "clean up left under DIR. Files of runs still alive on this machine are kept\n"
                   "unless --all is given (only when no run writes there, from any machine).\n",
                   prog);
            return 0;
        }
        if (strcmp(argv[i], "--all") == 0)
            all = 1;
        else if (argv[i][0] == '-' || dir != NULL)
            return bad_input("clean takes a directory and --all, not '%s'", argv[i]);
        else
            dir = argv[i];
    }
    if (dir == NULL) {
        fprintf(stderr, "usage: %s clean DIR [--all]\n", prog);
        return EXIT_BAD_INPUT;
    }
    dsg_error err;
    uint64_t removed = 0;
    if (dsg_clean(dir, all, &removed, &err) != DSG_OK)
        return fail(&err);
    printf("%s: removed %llu temporary file%s\n", dir, (unsigned long long)removed, removed == 1 ? "" : "s");
    return 0;
}

static int run_command(int argc, char **argv);

int main(int argc, char **argv)
{
    int rc = run_command(argc, argv);
    /* Output that did not reach stdout (a full disk, a closed pipe) is a
     * failure, not a success. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: cannot write to standard output: %s\n", prog, strerror(errno ? errno : EIO));
        return rc ? rc : 1;
    }
    return rc;
}

static int run_command(int argc, char **argv)
{
#if defined(__GLIBC__)
    /* Each file's writer allocates and frees the same large buffers; keep
     * them in the heap instead of returning them to the kernel after every
     * file (that costs a page fault per 4 KiB on the next file). Peak
     * memory is unchanged; it just stays at its peak. */
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
    if (argc < 2) {
        usage(stderr);
        return EXIT_BAD_INPUT;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "help") == 0 && argc >= 3) { /* help COMMAND [DATASET] */
        const char *what = argv[2];
        if (strcmp(what, "generate") == 0) {
            char *args[] = {argc >= 4 ? argv[3] : "--help", "--help", NULL};
            return cmd_generate(argc >= 4 ? 2 : 1, args);
        }
        if (strcmp(what, "info") == 0) {
            char *args[] = {"--help", NULL};
            return cmd_info(1, args);
        }
        if (strcmp(what, "clean") == 0) {
            char *args[] = {"--help", NULL};
            return cmd_clean(1, args);
        }
        if (strcmp(what, "list-datasets") == 0 || strcmp(what, "list-formats") == 0) {
            printf("usage: %s %s\n", prog, what);
            return 0;
        }
        return bad_input("help: unknown command '%s' (commands: generate, list-datasets, list-formats, info, clean)",
                         what);
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("dataset-generator %s (build %s)\n", dsg_version(), dsg_build_id());
        return 0;
    }
    if (strcmp(cmd, "generate") == 0)
        return cmd_generate(argc - 2, argv + 2);
    if (strcmp(cmd, "info") == 0)
        return cmd_info(argc - 2, argv + 2);
    if (strcmp(cmd, "clean") == 0)
        return cmd_clean(argc - 2, argv + 2);
    if (strcmp(cmd, "list-datasets") == 0) {
        for (const char *const *n = dsg_dataset_names(); *n; n++)
            printf("%s\n", *n);
        return 0;
    }
    if (strcmp(cmd, "list-formats") == 0) {
        printf("parquet\njsonl\n");
        static const char *const table_formats[] = {"delta", "iceberg", "ducklake"};
        for (size_t i = 0; i < sizeof table_formats / sizeof table_formats[0]; i++)
            if (dsg_table_format_available(table_formats[i]))
                printf("%s\n", table_formats[i]);
        return 0;
    }
    return bad_input("unknown command '%s' (try --help)", cmd);
}
