/*
 * test_sigv4.c - our SigV4 signer against the examples AWS publishes: the
 * Signature Version 4 test suite (get-vanilla and friends, service
 * "service", 20150830T123600Z) and the S3 examples of "Signature
 * Calculations for the Authorization Header" (examplebucket,
 * 20130524T000000Z). Each case checks the canonical request, the string to
 * sign and the signature, byte for byte. Also: path encoding of Hive keys,
 * the multipart part-size schedule, s3:// URI parsing and the XML reader of
 * S3 answers.
 */
#include "sinks/s3_client.h"
#include "sinks/sigv4.h"
#include "test_util.h"

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SUITE_KEY "AKIDEXAMPLE"
#define SUITE_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SUITE_DATE "20150830T123600Z"
#define S3_KEY "AKIAIOSFODNN7EXAMPLE"
#define S3_SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define S3_DATE "20130524T000000Z"

typedef struct vector {
    const char *name;
    dsgi_sigv4_request req;
    const char *access_key, *secret_key, *amz_date, *service;
    const char *canonical_request;
    const char *string_to_sign;
    const char *signature;
    const char *signed_headers;
} vector;

static void check_vector(const vector *v)
{
    dsgi_sigv4_scope scope = {v->access_key, v->secret_key, "us-east-1", v->service, v->amz_date};
    dsgi_sigv4_result r;
    dsg_error err;
    dsg_status st = dsgi_sigv4_sign(&v->req, &scope, &r, &err);
    CHECKF(st == DSG_OK, "%s: %s", v->name, err.message);
    CHECKF(strcmp((const char *)r.canonical_request.data, v->canonical_request) == 0,
           "%s: canonical request\n--- got\n%s\n--- want\n%s", v->name, (const char *)r.canonical_request.data,
           v->canonical_request);
    CHECKF(strcmp((const char *)r.string_to_sign.data, v->string_to_sign) == 0,
           "%s: string to sign\n--- got\n%s\n--- want\n%s", v->name, (const char *)r.string_to_sign.data,
           v->string_to_sign);
    CHECKF(strcmp(r.signature, v->signature) == 0, "%s: signature %s, want %s", v->name, r.signature,
           v->signature);
    char auth[512];
    snprintf(auth, sizeof auth, "AWS4-HMAC-SHA256 Credential=%s/%.8s/us-east-1/%s/aws4_request, SignedHeaders=%s, "
             "Signature=%s", v->access_key, v->amz_date, v->service, v->signed_headers, v->signature);
    CHECKF(strcmp((const char *)r.authorization.data, auth) == 0, "%s: authorization %s", v->name,
           (const char *)r.authorization.data);
    CHECKF(strstr((const char *)r.authorization.data, v->secret_key) == NULL, "%s: secret in header", v->name);
    dsgi_sigv4_result_free(&r);
}

static const dsgi_sigv4_pair suite_headers[] = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", SUITE_DATE}};

static void test_suite_cases(void)
{
    static const dsgi_sigv4_pair q_order[] = {{"Param2", "value2"}, {"Param1", "value1"}};
    static const dsgi_sigv4_pair q_utf8[] = {{"\xe1\x88\xb4", "bar"}};
    static const dsgi_sigv4_pair token_headers[] = {
        {"Host", "example.amazonaws.com"},
        {"X-Amz-Security-Token", "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"},
        {"X-Amz-Date", SUITE_DATE}};
    const vector v[] = {
        {"get-vanilla",
         {"GET", "/", NULL, 0, suite_headers, 2, EMPTY_SHA256},
         SUITE_KEY, SUITE_SECRET, SUITE_DATE, "service",
         "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" EMPTY_SHA256,
         "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
         "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", "host;x-amz-date"},
        {"get-vanilla-query-order-key-case",
         {"GET", "/", q_order, 2, suite_headers, 2, EMPTY_SHA256},
         SUITE_KEY, SUITE_SECRET, SUITE_DATE, "service",
         "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
         "host;x-amz-date\n" EMPTY_SHA256,
         "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
         "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
         "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500", "host;x-amz-date"},
        {"get-unreserved",
         {"GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", NULL, 0, suite_headers, 2,
          EMPTY_SHA256},
         SUITE_KEY, SUITE_SECRET, SUITE_DATE, "service",
         "GET\n/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\n\n"
         "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" EMPTY_SHA256,
         "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
         "6a968768eefaa713e2a6b16b589a8ea192661f098f37349f4e2c0082757446f9",
         "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f", "host;x-amz-date"},
        {"get-vanilla-utf8-query",
         {"GET", "/", q_utf8, 1, suite_headers, 2, EMPTY_SHA256},
         SUITE_KEY, SUITE_SECRET, SUITE_DATE, "service",
         "GET\n/\n%E1%88%B4=bar\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
         "host;x-amz-date\n" EMPTY_SHA256,
         "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
         "eb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073",
         "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04", "host;x-amz-date"},
        {"get-vanilla-with-session-token",
         {"GET", "/", NULL, 0, token_headers, 3, EMPTY_SHA256},
         SUITE_KEY, SUITE_SECRET, SUITE_DATE, "service",
         "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n"
         "x-amz-security-token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n\n"
         "host;x-amz-date;x-amz-security-token\n" EMPTY_SHA256,
         "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
         "067b36aa60031588cea4a4cde1f21215227a047690c72247f1d70b32fbbfad2b",
         "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8",
         "host;x-amz-date;x-amz-security-token"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        check_vector(&v[i]);
}

#define S3_HEADERS(hash)                                                                                     \
    {"Host", "examplebucket.s3.amazonaws.com"}, {"x-amz-date", S3_DATE}, { "x-amz-content-sha256", hash }

static void test_s3_examples(void)
{
    static const dsgi_sigv4_pair get_headers[] = {{"Range", "bytes=0-9"}, S3_HEADERS(EMPTY_SHA256)};
    static const char welcome[] = "Welcome to Amazon S3.";
    char put_hash[65];
    dsgi_sha256_hex(welcome, strlen(welcome), put_hash);
    CHECK(strcmp(put_hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072") == 0);
    const dsgi_sigv4_pair put_headers[] = {{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                                           {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                                           S3_HEADERS(put_hash)};
    static const dsgi_sigv4_pair plain_headers[] = {S3_HEADERS(EMPTY_SHA256)};
    static const dsgi_sigv4_pair q_lifecycle[] = {{"lifecycle", ""}};
    static const dsgi_sigv4_pair q_list[] = {{"prefix", "J"}, {"max-keys", "2"}};
    const vector v[] = {
        {"s3 GetObject",
         {"GET", "/test.txt", NULL, 0, get_headers, 4, EMPTY_SHA256},
         S3_KEY, S3_SECRET, S3_DATE, "s3",
         "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
         "x-amz-content-sha256:" EMPTY_SHA256 "\nx-amz-date:20130524T000000Z\n\n"
         "host;range;x-amz-content-sha256;x-amz-date\n" EMPTY_SHA256,
         "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
         "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
         "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
         "host;range;x-amz-content-sha256;x-amz-date"},
        {"s3 PutObject",
         {"PUT", "/test$file.text", NULL, 0, put_headers, 5, put_hash},
         S3_KEY, S3_SECRET, S3_DATE, "s3",
         "PUT\n/test%24file.text\n\ndate:Fri, 24 May 2013 00:00:00 GMT\nhost:examplebucket.s3.amazonaws.com\n"
         "x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n"
         "x-amz-date:20130524T000000Z\nx-amz-storage-class:REDUCED_REDUNDANCY\n\n"
         "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n"
         "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
         "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
         "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d",
         "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
         "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class"},
        {"s3 GetBucketLifecycle",
         {"GET", "/", q_lifecycle, 1, plain_headers, 3, EMPTY_SHA256},
         S3_KEY, S3_SECRET, S3_DATE, "s3",
         "GET\n/\nlifecycle=\nhost:examplebucket.s3.amazonaws.com\nx-amz-content-sha256:" EMPTY_SHA256
         "\nx-amz-date:20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\n" EMPTY_SHA256,
         "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
         "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca",
         "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
         "host;x-amz-content-sha256;x-amz-date"},
        {"s3 ListObjects",
         {"GET", "/", q_list, 2, plain_headers, 3, EMPTY_SHA256},
         S3_KEY, S3_SECRET, S3_DATE, "s3",
         "GET\n/\nmax-keys=2&prefix=J\nhost:examplebucket.s3.amazonaws.com\nx-amz-content-sha256:" EMPTY_SHA256
         "\nx-amz-date:20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\n" EMPTY_SHA256,
         "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
         "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7",
         "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
         "host;x-amz-content-sha256;x-amz-date"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        check_vector(&v[i]);
}

static void check_encoding(const char *in, int keep_slash, const char *want)
{
    dsgi_buf b;
    dsgi_buf_init(&b, 4096);
    CHECK(dsgi_uri_encode(&b, in, keep_slash, NULL) == DSG_OK);
    CHECKF(b.len == strlen(want) && memcmp(b.data, want, b.len) == 0, "encode %s: got %.*s, want %s", in,
           (int)b.len, (const char *)b.data, want);
    dsgi_buf_free(&b);
}

static void test_encoding(void)
{
    check_encoding("/bucket/orders/year=2024/month=01/part-00000.parquet", 1,
                   "/bucket/orders/year%3D2024/month%3D01/part-00000.parquet");
    check_encoding("a b+c/d~e", 1, "a%20b%2Bc/d~e");
    check_encoding("a/b=c", 0, "a%2Fb%3Dc");
    check_encoding("\xc3\xa9", 0, "%C3%A9");
}

/* Whatever the first part size, 10,000 parts hold a 5 TiB object, no part
 * is below 5 MiB or above 5 GiB, and sizes never shrink. */
static void test_part_schedule(void)
{
    const uint64_t mib = 1u << 20;
    const size_t firsts[] = {5 * mib, 8 * mib, 16 * mib, 100 * mib, 5120 * mib};
    for (size_t i = 0; i < sizeof firsts / sizeof firsts[0]; i++) {
        uint64_t total = 0, prev = 0;
        for (unsigned part = 1; part <= DSGI_S3_MAX_PARTS; part++) {
            uint64_t n = dsgi_s3_part_bytes(firsts[i], part);
            CHECKF(n >= 5 * mib && n <= 5120 * mib && n >= prev, "part %u of %zu: %llu", part, firsts[i],
                   (unsigned long long)n);
            prev = n;
            total += n;
        }
        CHECKF(total >= (5ull << 40), "first part %zu: 10,000 parts hold only %llu bytes", firsts[i],
               (unsigned long long)total);
    }
}

static void check_uri(const char *uri, dsg_status want, const char *bucket, const char *prefix)
{
    char b[64] = "untouched", p[256] = "untouched";
    dsg_error err;
    dsg_error_clear(&err);
    dsg_status st = dsgi_s3_uri_parse(uri, b, sizeof b, p, sizeof p, &err);
    CHECKF(st == want, "%s: status %d (%s)", uri, st, err.message);
    if (want == DSG_OK)
        CHECKF(strcmp(b, bucket) == 0 && strcmp(p, prefix) == 0, "%s: bucket '%s' prefix '%s'", uri, b, p);
    else
        CHECKF(strcmp(b, "untouched") == 0 && strcmp(p, "untouched") == 0, "%s: out-parameters written", uri);
}

static void test_uri_parse(void)
{
    check_uri("s3://my-bucket/ecommerce", DSG_OK, "my-bucket", "ecommerce");
    check_uri("s3://my-bucket", DSG_OK, "my-bucket", "");
    check_uri("s3://my-bucket/", DSG_OK, "my-bucket", "");
    check_uri("s3://b.example-1/a/b/c/", DSG_OK, "b.example-1", "a/b/c");
    check_uri("s3://", DSG_EINVAL, NULL, NULL);
    check_uri("s3:///prefix", DSG_EINVAL, NULL, NULL);
    check_uri("s3://ab/x", DSG_EINVAL, NULL, NULL);
    check_uri("s3://Upper/x", DSG_EINVAL, NULL, NULL);
    check_uri("s3://-dash/x", DSG_EINVAL, NULL, NULL);
    check_uri("s3://bucket/a//b", DSG_EINVAL, NULL, NULL);
    check_uri("s3://bucket/a b", DSG_EINVAL, NULL, NULL);
    check_uri("http://bucket/a", DSG_EINVAL, NULL, NULL);
}

static void test_xml(void)
{
    const char *xml = "<?xml version=\"1.0\"?><ListBucketResult><Contents><Key>a&amp;b/&lt;c&gt;&#61;</Key>"
                      "</Contents><Contents><Key>second</Key></Contents><IsTruncated>false</IsTruncated>"
                      "</ListBucketResult>";
    char out[64];
    size_t pos = 0;
    CHECK(dsgi_xml_next(xml, &pos, "Key", out, sizeof out) && strcmp(out, "a&b/<c>=") == 0);
    CHECK(dsgi_xml_next(xml, &pos, "Key", out, sizeof out) && strcmp(out, "second") == 0);
    CHECK(!dsgi_xml_next(xml, &pos, "Key", out, sizeof out));
    pos = 0;
    CHECK(dsgi_xml_next(xml, &pos, "Key", out, 4) && strcmp(out, "a&b") == 0);
}

int main(void)
{
    test_suite_cases();
    test_s3_examples();
    test_encoding();
    test_part_schedule();
    test_uri_parse();
    test_xml();
    printf("test_sigv4: ok\n");
    return 0;
}
