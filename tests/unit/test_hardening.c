/*
 * test_hardening.c - the defences against hostile input (issue 14):
 * strict number and date parsing, messages that keep their cause, S3 key
 * and URI checks, credential redaction, and tree removal that neither
 * builds paths nor follows symbolic links.
 */
#include "common/common.h"
#include "datasets/dataset_impl.h"
#include "run/tree.h"
#include "sinks/s3_client.h"
#include "test_util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_numbers(void)
{
    uint64_t v;
    const char *bad[] = {"-1", "+5", " 5", "5 ", "", "0x10", "1e3", "18446744073709551616", "--1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECKF(dsgi_parse_u64("n", bad[i], 0, UINT64_MAX, &v, NULL) == DSG_EINVAL, "'%s' accepted", bad[i]);
    CHECK(dsgi_parse_u64("n", "18446744073709551615", 0, UINT64_MAX, &v, NULL) == DSG_OK && v == UINT64_MAX);
    CHECK(dsgi_parse_u64("n", "007", 0, 10, &v, NULL) == DSG_OK && v == 7);
    double d;
    CHECK(dsgi_parse_double("x", " 2.5", 0, 10, &d, NULL) == DSG_EINVAL);
    CHECK(dsgi_parse_double("x", "2.5", 0, 10, &d, NULL) == DSG_OK && d == 2.5);
}

static void test_dates(void)
{
    int32_t days;
    const char *bad[] = {"-001-01-01", "+024-01-01", "2024-1-01", "2024-01-1 ", " 2024-1-1", "20240101",
                         "2024-01-01x", "2024-+1-01", "2024-01-+1", "0000-01-01", "2023-02-29", "2024-13-01",
                         "２024-01-01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECKF(dsgi_parse_date("start", bad[i], &days, NULL) == DSG_EINVAL, "'%s' accepted", bad[i]);
    CHECK(dsgi_parse_date("start", "2024-02-29", &days, NULL) == DSG_OK && days == 19782);
    CHECK(dsgi_parse_date("start", "0001-01-01", &days, NULL) == DSG_OK);
    CHECK(dsgi_parse_date("start", "9999-12-31", &days, NULL) == DSG_OK);
}

/* A message longer than dsg_error holds keeps its end (the cause) and its
 * beginning; the long path loses its middle. */
static void test_long_messages(void)
{
    char path[3000];
    memset(path, 'a', sizeof path - 1);
    path[0] = '/';
    path[sizeof path - 1] = '\0';
    memcpy(path + sizeof path - 20, "/part-00000.parquet", 19);
    dsg_error err;
    dsgi_fail(&err, EFBIG, "cannot write %s: %s", path, strerror(EFBIG));
    size_t n = strlen(err.message);
    CHECKF(n < sizeof err.message, "%zu bytes", n);
    CHECKF(strncmp(err.message, "cannot write /aaa", 17) == 0, "%s", err.message);
    const char *cause = ".parquet: File too large";
    CHECKF(n > strlen(cause) && strcmp(err.message + n - strlen(cause), cause) == 0, "%s", err.message);
    CHECK(strstr(err.message, "...") != NULL);
    /* two long paths (a rename) both shrink, the cause survives */
    dsgi_fail(&err, ENOSPC, "cannot rename %s to %s: %s", path, path, strerror(ENOSPC));
    n = strlen(err.message);
    CHECKF(strcmp(err.message + n - strlen("No space left on device"), "No space left on device") == 0, "%s",
           err.message);
    /* short messages are untouched */
    dsgi_fail(&err, EIO, "cannot write %s: %s", "/tmp/x", "boom");
    CHECK(strcmp(err.message, "cannot write /tmp/x: boom") == 0);
    /* a message with no long word is cut in its middle, the end kept */
    char words[2000] = "";
    for (int i = 0; i < 300; i++)
        strcat(words, "ab cd ");
    dsgi_fail(&err, EIO, "%s: the cause", words);
    n = strlen(err.message);
    CHECKF(n < sizeof err.message && strcmp(err.message + n - 11, ": the cause") == 0, "%s", err.message);
}

/* Any text, any limit: the result fits and the call returns (a random
 * search over word lengths around the shortening thresholds). */
static void test_shorten_any(void)
{
    char buf[4000];
    uint64_t x = 88172645463325252ull;
    for (int it = 0; it < 20000; it++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t len = 1 + (size_t)(x % 3000), gap = 2 + (size_t)((x >> 20) % 40);
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            buf[i] = x % gap == 0 ? ' ' : 'a';
        }
        buf[len] = '\0';
        size_t max = 1 + (size_t)((x >> 32) % 600);
        size_t r = dsgi_shorten_message(buf, len, max);
        CHECKF(r <= (len > max ? max : len) && strlen(buf) == r, "len %zu max %zu -> %zu", len, max, r);
    }
}

static void test_s3_names(void)
{
    char bucket[64], prefix[1100];
    dsg_error err;
    const char *bad[] = {"s3://bkt/../otherbkt/x", "s3://bkt/victim/x/..", "s3://bkt/./x", "s3://bkt/a/./b",
                         "s3://bkt/..", "s3://user:pw@bkt/x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECKF(dsgi_s3_uri_parse(bad[i], bucket, sizeof bucket, prefix, sizeof prefix, &err) == DSG_EINVAL,
               "'%s' accepted", bad[i]);
        CHECKF(strstr(err.message, ":pw") == NULL, "%s", err.message);
    }
    CHECK(dsgi_s3_uri_parse("s3://bkt/a..b/.x/x./...", bucket, sizeof bucket, prefix, sizeof prefix, &err) ==
          DSG_OK);
    CHECK(strcmp(prefix, "a..b/.x/x./...") == 0);
    char key[1100];
    memset(key, 'k', 1024);
    key[1024] = '\0';
    CHECK(dsgi_s3_key_check(key, NULL) == DSG_OK);
    key[1024] = 'k';
    key[1025] = '\0';
    CHECK(dsgi_s3_key_check(key, NULL) == DSG_EINVAL);
    CHECK(dsgi_s3_key_check("a/../b", NULL) == DSG_EINVAL);
    char shown[200];
    dsgi_uri_redact("http://user:password@host:9000/x", shown, sizeof shown);
    CHECKF(strcmp(shown, "http://***@host:9000/x") == 0, "%s", shown);
    dsgi_uri_redact("http://a@b:c@host", shown, sizeof shown);
    CHECKF(strcmp(shown, "http://***@host") == 0, "%s", shown);
    dsgi_uri_redact("http://host/p@x", shown, sizeof shown);
    CHECKF(strcmp(shown, "http://host/p@x") == 0, "%s", shown);
    /* an endpoint with credentials is refused without showing them */
    dsg_s3_config cfg;
    dsg_s3_config_init(&cfg);
    cfg.access_key = "AK";
    cfg.secret_key = "SK";
    cfg.endpoint = "http://user:password@127.0.0.1:9";
    dsgi_s3_client *c = NULL;
    CHECK(dsgi_s3_client_create(&c, &cfg, "bkt", &err) == DSG_EINVAL);
    CHECKF(strstr(err.message, "password") == NULL, "%s", err.message);
}

/* A tree deeper than PATH_MAX, with a symbolic link out of it: removed
 * whole, the link's target untouched. */
static void test_tree_remove(void)
{
    char base[] = "/tmp/dsg-tree-XXXXXX";
    CHECK(mkdtemp(base) != NULL);
    char top[64], outside[64];
    snprintf(top, sizeof top, "%s/t", base);
    snprintf(outside, sizeof outside, "%s/outside", base);
    CHECK(mkdir(top, 0755) == 0 && mkdir(outside, 0755) == 0);
    int keep = open(outside, O_RDONLY | O_DIRECTORY);
    CHECK(keep >= 0);
    int fd = openat(keep, "keep.txt", O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0);
    close(fd);
    close(keep);
    char name[201];
    memset(name, 'd', 200);
    name[200] = '\0';
    int cur = open(top, O_RDONLY | O_DIRECTORY);
    CHECK(cur >= 0);
    for (int depth = 0; depth < 30; depth++) { /* 30 x 201 bytes > PATH_MAX */
        CHECK(symlinkat(outside, cur, "link") == 0);
        fd = openat(cur, "file", O_WRONLY | O_CREAT, 0644);
        CHECK(fd >= 0);
        close(fd);
        CHECK(mkdirat(cur, name, 0755) == 0);
        int next = openat(cur, name, O_RDONLY | O_DIRECTORY);
        CHECK(next >= 0);
        close(cur);
        cur = next;
    }
    close(cur);
    dsg_error err;
    dsg_error_clear(&err);
    CHECKF(dsgi_tree_remove(top, &err) == DSG_OK, "%s", err.message);
    struct stat st;
    CHECK(lstat(top, &st) != 0 && errno == ENOENT);
    char kept[96];
    snprintf(kept, sizeof kept, "%s/keep.txt", outside);
    CHECK(stat(kept, &st) == 0);
    CHECK(dsgi_tree_remove(top, &err) == DSG_OK); /* gone already: fine */
    unlink(kept);
    rmdir(outside);
    rmdir(base);
}

int main(void)
{
    test_numbers();
    test_dates();
    test_long_messages();
    test_shorten_any();
    test_s3_names();
    test_tree_remove();
    printf("test_hardening: ok\n");
    return 0;
}
