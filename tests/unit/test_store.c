/*
 * test_store.c - the table store (lib/table/store.c): put, get, list and
 * delete on a local root, and put-if-absent races: N processes and N
 * threads put the same name at once, exactly one wins, the others get
 * DSGT_EXISTS, and the object holds the winner's bytes.
 *
 *   test_store                                   local checks
 *   test_store --s3 ENDPOINT BUCKET KEY SECRET   the same against an S3
 *                                                endpoint (tests/cli/test_store_s3.sh
 *                                                runs it on the loopback server)
 */
#include "table/table.h"
#include "test_util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define RACERS 8

static dsg_s3_config s3cfg;
static int use_s3;
static char root[512];

static dsgt_store *open_store(void)
{
    dsgt_store *s = NULL;
    dsg_error err;
    dsg_error_clear(&err);
    CHECKF(dsgt_store_open(&s, root, use_s3 ? &s3cfg : NULL, &err) == DSG_OK, "%s", err.message);
    return s;
}

static void put_ok(dsgt_store *s, const char *rel, const char *text, unsigned flags)
{
    dsg_error err;
    dsg_error_clear(&err);
    CHECKF(dsgt_store_put(s, rel, text, strlen(text), flags, &err) == DSG_OK, "put %s: %s", rel, err.message);
}

static void expect_text(dsgt_store *s, const char *rel, const char *text)
{
    dsgi_buf b;
    dsgi_buf_init(&b, 1 << 20);
    dsg_error err;
    dsg_error_clear(&err);
    CHECKF(dsgt_store_get(s, rel, &b, &err) == DSG_OK, "get %s: %s", rel, err.message);
    CHECKF(b.len == strlen(text) && (b.len == 0 || memcmp(b.data, text, b.len) == 0), "%s holds '%.*s', not '%s'", rel,
           (int)b.len, (const char *)b.data, text);
    dsgi_buf_free(&b);
}

typedef struct listing {
    char names[64][256];
    uint64_t sizes[64];
    size_t n, stop_after;
} listing;

static int collect(void *ctx, const char *rel, uint64_t size)
{
    listing *l = ctx;
    CHECK(l->n < 64);
    snprintf(l->names[l->n], 256, "%s", rel);
    l->sizes[l->n++] = size;
    return l->stop_after && l->n == l->stop_after;
}

static void basics(void)
{
    dsgt_store *s = open_store();
    dsg_error err;
    dsg_error_clear(&err);
    const char *uri = dsgt_store_uri(s);
    CHECKF(use_s3 ? strncmp(uri, "s3://", 5) == 0 && dsgt_store_local_path(s) == NULL
                  : strncmp(uri, "file:///", 8) == 0 && dsgt_store_local_path(s)[0] == '/',
           "uri %s", uri);
    CHECK(uri[strlen(uri) - 1] != '/');
    dsgi_buf b;
    dsgi_buf_init(&b, 1 << 20);
    CHECK(dsgt_store_get(s, "_log/00000.json", &b, &err) == DSGT_NOT_FOUND);
    put_ok(s, "_log/00000.json", "first", 0);
    expect_text(s, "_log/00000.json", "first");
    put_ok(s, "_log/00000.json", "replaced", 0); /* a plain put replaces */
    expect_text(s, "_log/00000.json", "replaced");
    dsg_error_clear(&err);
    CHECK(dsgt_store_put(s, "_log/00000.json", "x", 1, DSGT_PUT_IF_ABSENT, &err) == DSGT_EXISTS);
    expect_text(s, "_log/00000.json", "replaced");
    put_ok(s, "_log/00001.json", "", DSGT_PUT_IF_ABSENT); /* empty objects exist too */
    expect_text(s, "_log/00001.json", "");
    put_ok(s, "year=2024/month=01/part-0.parquet", "data", 0);
    put_ok(s, "_log/00002.json", "two", 0);
    put_ok(s, "_logbook", "not in the log", 0);
    /* list: sorted, recursive, by prefix, with sizes; stop early */
    listing l = {0};
    CHECK(dsgt_store_list(s, "_log/", collect, &l, &err) == DSG_OK);
    CHECKF(l.n == 3 && strcmp(l.names[0], "_log/00000.json") == 0 && strcmp(l.names[1], "_log/00001.json") == 0 &&
               strcmp(l.names[2], "_log/00002.json") == 0,
           "listed %zu", l.n);
    CHECK(l.sizes[0] == 8 && l.sizes[1] == 0 && l.sizes[2] == 3);
    memset(&l, 0, sizeof l);
    CHECK(dsgt_store_list(s, "_log", collect, &l, &err) == DSG_OK && l.n == 4 && strcmp(l.names[3], "_logbook") == 0);
    memset(&l, 0, sizeof l);
    CHECK(dsgt_store_list(s, "", collect, &l, &err) == DSG_OK && l.n == 5 &&
          strcmp(l.names[4], "year=2024/month=01/part-0.parquet") == 0);
    memset(&l, 0, sizeof l);
    l.stop_after = 2;
    CHECK(dsgt_store_list(s, "", collect, &l, &err) == DSG_OK && l.n == 2);
    memset(&l, 0, sizeof l);
    CHECK(dsgt_store_list(s, "nothing/", collect, &l, &err) == DSG_OK && l.n == 0);
    /* delete, twice */
    CHECK(dsgt_store_delete(s, "_log/00002.json", &err) == DSG_OK);
    CHECK(dsgt_store_delete(s, "_log/00002.json", &err) == DSG_OK);
    CHECK(dsgt_store_get(s, "_log/00002.json", &b, &err) == DSGT_NOT_FOUND);
    /* bad paths */
    CHECK(dsgt_store_put(s, "../escape", "x", 1, 0, &err) == DSG_EINVAL);
    CHECK(dsgt_store_put(s, "/abs", "x", 1, 0, &err) == DSG_EINVAL);
    CHECK(dsgt_store_get(s, "a/../../b", &b, &err) == DSG_EINVAL);
    dsgi_buf_free(&b);
    if (!use_s3) { /* no temporary file is left behind, and none is listed */
        char cmd[700];
        snprintf(cmd, sizeof cmd, "test -z \"$(find '%s' -name '.*tmp-*')\"", root);
        CHECK(system(cmd) == 0);
    }
    dsgt_store_free(s);
    dsgt_store_free(NULL);
}

/* ---- races ---- */

static const char *race_name = "_log/00010.json";

static int race_once(int who)
{
    dsgt_store *s = open_store();
    char text[64];
    snprintf(text, sizeof text, "writer %d", who);
    dsg_error err;
    dsg_error_clear(&err);
    dsg_status st = dsgt_store_put(s, race_name, text, strlen(text), DSGT_PUT_IF_ABSENT, &err);
    dsgt_store_free(s);
    if (st != DSG_OK && st != DSGT_EXISTS) {
        fprintf(stderr, "writer %d: %s\n", who, err.message);
        return 2;
    }
    return st == DSG_OK ? 0 : 1;
}

static pthread_barrier_t barrier;
static int thread_result[RACERS];

static void *racer(void *arg)
{
    int who = (int)(intptr_t)arg;
    pthread_barrier_wait(&barrier);
    thread_result[who] = race_once(who);
    return NULL;
}

/* The winner's bytes are in the object. */
static void check_winner(int winner)
{
    char text[64];
    snprintf(text, sizeof text, "writer %d", winner);
    dsgt_store *s = open_store();
    expect_text(s, race_name, text);
    dsg_error err;
    CHECK(dsgt_store_delete(s, race_name, &err) == DSG_OK);
    dsgt_store_free(s);
}

static void race_threads(int round)
{
    pthread_t t[RACERS];
    CHECK(pthread_barrier_init(&barrier, NULL, RACERS) == 0);
    for (int i = 0; i < RACERS; i++)
        CHECK(pthread_create(&t[i], NULL, racer, (void *)(intptr_t)i) == 0);
    int wins = 0, winner = -1;
    for (int i = 0; i < RACERS; i++) {
        pthread_join(t[i], NULL);
        CHECKF(thread_result[i] != 2, "round %d: writer %d failed", round, i);
        if (thread_result[i] == 0) {
            wins++;
            winner = i;
        }
    }
    pthread_barrier_destroy(&barrier);
    CHECKF(wins == 1, "round %d: %d threads won the put-if-absent", round, wins);
    check_winner(winner);
}

static void race_processes(int round)
{
    int go[2];
    CHECK(pipe(go) == 0);
    pid_t pids[RACERS];
    for (int i = 0; i < RACERS; i++) {
        pids[i] = fork();
        CHECK(pids[i] >= 0);
        if (pids[i] == 0) {
            char c;
            close(go[1]);
            if (read(go[0], &c, 1) != 0) /* wait until the parent closes the pipe */
                _exit(3);
            _exit(race_once(i));
        }
    }
    close(go[0]);
    close(go[1]); /* start them all */
    int wins = 0, winner = -1;
    for (int i = 0; i < RACERS; i++) {
        int status;
        CHECK(waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status));
        CHECKF(WEXITSTATUS(status) <= 1, "round %d: process %d exited %d", round, i, WEXITSTATUS(status));
        if (WEXITSTATUS(status) == 0) {
            wins++;
            winner = i;
        }
    }
    CHECKF(wins == 1, "round %d: %d processes won the put-if-absent", round, wins);
    check_winner(winner);
}

static void cleanup_local(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    CHECK(system(cmd) == 0);
}

/* test_store --s3-put ENDPOINT BUCKET KEY SECRET REL TEXT: one put-if-absent
 * of TEXT at s3://BUCKET/REL; exits 0 (created), 1 (DSGT_EXISTS), 2 (error,
 * message on stderr). */
static int s3_put_once(char **argv)
{
    dsg_s3_config_init(&s3cfg);
    s3cfg.endpoint = argv[2];
    s3cfg.access_key = argv[4];
    s3cfg.secret_key = argv[5];
    s3cfg.max_retries = 2;
    snprintf(root, sizeof root, "s3://%s", argv[3]);
    use_s3 = 1;
    dsgt_store *s = open_store();
    dsg_error err;
    dsg_error_clear(&err);
    dsg_status st = dsgt_store_put(s, argv[6], argv[7], strlen(argv[7]), DSGT_PUT_IF_ABSENT, &err);
    dsgt_store_free(s);
    if (st != DSG_OK)
        fprintf(stderr, "%s\n", err.message);
    return st == DSG_OK ? 0 : st == DSGT_EXISTS ? 1 : 2;
}

int main(int argc, char **argv)
{
    if (argc == 8 && strcmp(argv[1], "--s3-put") == 0)
        return s3_put_once(argv);
    if (argc == 6 && strcmp(argv[1], "--s3") == 0) {
        use_s3 = 1;
        dsg_s3_config_init(&s3cfg);
        s3cfg.endpoint = argv[2];
        s3cfg.access_key = argv[4];
        s3cfg.secret_key = argv[5];
        s3cfg.max_retries = 2;
        snprintf(root, sizeof root, "s3://%s/store-test-%ld", argv[3], (long)getpid());
    } else {
        char dir[] = "/tmp/dsg-test-store-XXXXXX";
        CHECK(mkdtemp(dir) != NULL);
        snprintf(root, sizeof root, "%s/table", dir); /* created on the first put */
    }
    basics();
    int rounds = use_s3 ? 5 : 30;
    for (int r = 0; r < rounds; r++) {
        race_threads(r);
        race_processes(r);
    }
    if (!use_s3) {
        /* a relative root resolves against the working directory */
        char cwd[512];
        CHECK(getcwd(cwd, sizeof cwd) != NULL && chdir(root) == 0);
        dsgt_store *s = NULL;
        dsg_error err;
        CHECK(dsgt_store_open(&s, "sub", NULL, &err) == DSG_OK);
        char want[700];
        snprintf(want, sizeof want, "file://%s/sub", root);
        CHECKF(strcmp(dsgt_store_uri(s), want) == 0, "%s", dsgt_store_uri(s));
        dsgt_store_free(s);
        CHECK(chdir(cwd) == 0);
        /* a read-only directory: put fails with the errno, naming the path */
        if (geteuid() != 0) {
            char ro[600];
            snprintf(ro, sizeof ro, "%s/ro", root);
            CHECK(mkdir(ro, 0555) == 0);
            snprintf(root + strlen(root), sizeof root - strlen(root), "/ro");
            s = open_store();
            dsg_error_clear(&err);
            CHECK(dsgt_store_put(s, "x/y", "z", 1, DSGT_PUT_IF_ABSENT, &err) > 0 && strstr(err.message, "/ro/x") != NULL);
            dsgt_store_free(s);
            root[strlen(root) - 3] = '\0';
        }
        *strrchr(root, '/') = '\0';
        cleanup_local();
    }
    printf("test_store: ok (%s)\n", use_s3 ? "s3" : "local");
    return 0;
}
