/* test_proto.c: unit tests of the size and http parsers and the reply writers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"

#define MAX_BODY (16UL << 20)   /* the servers' default --max-response */

/* ---- helpers --------------------------------------------------------------- */

static long parse_n(const char *buf, size_t len, struct http_req *req)
{
    struct http_req unused;

    return proto_http_parse(buf, len, MAX_BODY, req ? req : &unused);
}

static long parse(const char *s, struct http_req *req)
{
    return parse_n(s, strlen(s), req);
}

/* A GET of target with one extra header block after the Host line. */
static long parse_hdrs(const char *hdrs)
{
    char buf[1024];

    snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: x\r\n%s\r\n", hdrs);
    return parse(buf, NULL);
}

/* Every proper prefix of buf must be 0 or want, and the whole buffer want:
 * the server may see any split of a request across reads. */
static void assert_prefixes(const char *buf, size_t len, long want)
{
    struct http_req req;

    for (size_t i = 0; i < len; i++) {
        long rc = parse_n(buf, i, &req);
        if (rc != 0 && rc != want)
            fail_msg("prefix of %zu bytes gave %ld, want 0 or %ld", i, rc, want);
        if (want > 0 && rc != 0)
            fail_msg("prefix of %zu bytes of a valid request gave %ld", i, rc);
    }
    assert_int_equal(parse_n(buf, len, &req), want);
}

/* For literals with NUL bytes in them: all of the literal but its final NUL. */
#define PARSE_LIT(lit) parse_n((lit), sizeof(lit) - 1, NULL)

static long size_parse(const char *s, unsigned long max, unsigned long *n)
{
    return proto_size_parse(s, strlen(s), max, n);
}

/* ---- proto_from_name / proto_name ------------------------------------------ */

static void test_from_name(void **state)
{
    enum proto_kind k = PROTO_ECHO;

    (void)state;
    assert_int_equal(proto_from_name("size", &k), 0);
    assert_int_equal(k, PROTO_SIZE);
    assert_int_equal(proto_from_name("http", &k), 0);
    assert_int_equal(k, PROTO_HTTP);
    assert_int_equal(proto_from_name("echo", &k), 0);
    assert_int_equal(k, PROTO_ECHO);

    k = PROTO_HTTP;
    assert_int_equal(proto_from_name("ECHO", &k), -1);
    assert_int_equal(proto_from_name("ech", &k), -1);
    assert_int_equal(proto_from_name("echo ", &k), -1);
    assert_int_equal(proto_from_name("", &k), -1);
    assert_int_equal(proto_from_name(NULL, &k), -1);
    assert_int_equal(k, PROTO_HTTP);    /* untouched on failure */
}

static void test_name_round_trip(void **state)
{
    enum proto_kind kinds[] = {PROTO_ECHO, PROTO_SIZE, PROTO_HTTP};

    (void)state;
    assert_string_equal(proto_name(PROTO_ECHO), "echo");
    assert_string_equal(proto_name(PROTO_SIZE), "size");
    assert_string_equal(proto_name(PROTO_HTTP), "http");
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        enum proto_kind k;
        assert_int_equal(proto_from_name(proto_name(kinds[i]), &k), 0);
        assert_int_equal(k, kinds[i]);
    }
}

/* ---- size ------------------------------------------------------------------ */

static void test_size_valid(void **state)
{
    unsigned long n = 0;

    (void)state;
    assert_int_equal(size_parse("4000\n", MAX_BODY, &n), 5);
    assert_int_equal(n, 4000);
    assert_int_equal(size_parse("4000\r\n", MAX_BODY, &n), 6);
    assert_int_equal(n, 4000);
    assert_int_equal(size_parse("1\n", MAX_BODY, &n), 2);
    assert_int_equal(n, 1);
    assert_int_equal(size_parse("007\n", MAX_BODY, &n), 4);    /* leading zeros */
    assert_int_equal(n, 7);
    /* Only the first line is consumed; the next is the next request. */
    assert_int_equal(size_parse("5\r\n6\n", MAX_BODY, &n), 3);
    assert_int_equal(n, 5);
}

static void test_size_limits(void **state)
{
    unsigned long n = 0;

    (void)state;
    assert_int_equal(size_parse("16777216\n", MAX_BODY, &n), 9);
    assert_int_equal(n, MAX_BODY);
    n = 42;
    assert_int_equal(size_parse("16777217\n", MAX_BODY, &n), -1);
    assert_int_equal(size_parse("16777217", MAX_BODY, &n), -1);    /* at once */
    assert_int_equal(size_parse("0\n", MAX_BODY, &n), -1);
    assert_int_equal(size_parse("0000\r\n", MAX_BODY, &n), -1);
    assert_int_equal(size_parse("99999999999999999999\n", MAX_BODY, &n), -1);
    assert_int_equal(size_parse("1\n", 0, &n), -1);
    assert_int_equal(n, 42);            /* untouched on failure */

    assert_int_equal(size_parse("9\n", 9, &n), 2);
    assert_int_equal(n, 9);
    assert_int_equal(size_parse("10\n", 9, &n), -1);
#if ULONG_MAX == 18446744073709551615UL
    assert_int_equal(size_parse("18446744073709551615\n", ULONG_MAX, &n), 21);
    assert_true(n == ULONG_MAX);
    assert_int_equal(size_parse("18446744073709551616\n", ULONG_MAX, &n), -1);
    assert_int_equal(size_parse("99999999999999999999\n", ULONG_MAX, &n), -1);
#else
    assert_int_equal(size_parse("4294967295\n", ULONG_MAX, &n), 11);
    assert_true(n == ULONG_MAX);
    assert_int_equal(size_parse("4294967296\n", ULONG_MAX, &n), -1);
#endif
}

static void test_size_malformed(void **state)
{
    static const char *const bad[] = {
        "\n", "\r\n", "\r", "abc\n", "-5\n", "+5\n", " 5\n", "5 \n", "5\t\n",
        "0x10\n", "5\rX", "5\r\r\n", "1e3\n", "5a", "\n5\n",
    };
    unsigned long n = 0;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (size_parse(bad[i], MAX_BODY, &n) != -1)
            fail_msg("bad[%zu] was not rejected", i);
    }
}

static void test_size_nul_bytes(void **state)
{
    unsigned long n = 0;

    (void)state;
    assert_int_equal(proto_size_parse("5\0\n", 3, MAX_BODY, &n), -1);
    assert_int_equal(proto_size_parse("\0", 1, MAX_BODY, &n), -1);
    assert_int_equal(proto_size_parse("\0" "5\n", 3, MAX_BODY, &n), -1);
    assert_int_equal(proto_size_parse("5\r\0", 3, MAX_BODY, &n), -1);
}

static void test_size_incomplete(void **state)
{
    static const char line[] = "4000\r\n";
    unsigned long n = 0;

    (void)state;
    assert_int_equal(proto_size_parse("", 0, MAX_BODY, &n), 0);
    for (size_t i = 0; i < sizeof line - 1; i++)
        assert_int_equal(proto_size_parse(line, i, MAX_BODY, &n), 0);
    assert_int_equal(proto_size_parse(line, sizeof line - 1, MAX_BODY, &n), 6);
    /* "0" may still become "05\n". */
    assert_int_equal(size_parse("0", MAX_BODY, &n), 0);
}

static void test_size_line_max(void **state)
{
    char buf[64];
    unsigned long n = 0;

    (void)state;
    /* 23 digits + "\n" is exactly SIZE_LINE_MAX. */
    memset(buf, '0', SIZE_LINE_MAX - 2);
    strcpy(buf + SIZE_LINE_MAX - 2, "1\n");
    assert_int_equal(size_parse(buf, MAX_BODY, &n), SIZE_LINE_MAX);
    assert_int_equal(n, 1);

    /* 22 digits + "\r\n" also fits; 23 digits + "\r\n" does not. */
    memset(buf, '0', SIZE_LINE_MAX - 3);
    strcpy(buf + SIZE_LINE_MAX - 3, "2\r\n");
    assert_int_equal(size_parse(buf, MAX_BODY, &n), SIZE_LINE_MAX);
    assert_int_equal(n, 2);
    memset(buf, '0', SIZE_LINE_MAX - 2);
    strcpy(buf + SIZE_LINE_MAX - 2, "3\r\n");
    assert_int_equal(size_parse(buf, MAX_BODY, &n), -1);
    buf[SIZE_LINE_MAX] = '\0';          /* ends in a lone "\r" that cannot fit "\n" */
    assert_int_equal(size_parse(buf, MAX_BODY, &n), -1);

    /* Unterminated digits: waiting below the limit, refused at it. */
    memset(buf, '0', sizeof buf);
    assert_int_equal(proto_size_parse(buf, SIZE_LINE_MAX - 1, MAX_BODY, &n), 0);
    assert_int_equal(proto_size_parse(buf, SIZE_LINE_MAX, MAX_BODY, &n), -1);
    assert_int_equal(proto_size_parse(buf, sizeof buf, MAX_BODY, &n), -1);
}

/* ---- http: valid requests -------------------------------------------------- */

static void test_http_get_root(void **state)
{
    static const char r[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    struct http_req req;

    (void)state;
    assert_int_equal(parse(r, &req), sizeof r - 1);
    assert_int_equal(req.method, HTTP_GET);
    assert_int_equal(req.minor, 1);
    assert_true(req.keep_alive);
    assert_int_equal(req.body_len, HTTP_ROOT_BODY);
}

static void test_http_head_size(void **state)
{
    static const char r[] =
        "HEAD /4000 HTTP/1.1\r\nhost: example.com:80\r\nAccept: */*\r\n"
        "User-Agent: curl/8.0\r\n\r\n";
    struct http_req req;

    (void)state;
    assert_int_equal(parse(r, &req), sizeof r - 1);
    assert_int_equal(req.method, HTTP_HEAD);
    assert_int_equal(req.body_len, 4000);
}

static void test_http_sizes(void **state)
{
    struct http_req req;

    (void)state;
    assert_int_equal(parse("GET /0 HTTP/1.0\r\n\r\n", &req), 19);
    assert_int_equal(req.body_len, 0);
    assert_true(parse("GET /16777216 HTTP/1.0\r\n\r\n", &req) > 0);
    assert_int_equal(req.body_len, MAX_BODY);
    assert_int_equal(parse("GET /16777217 HTTP/1.0\r\n\r\n", &req), -404);
    assert_true(parse("GET /0000000005 HTTP/1.0\r\n\r\n", &req) > 0);
    assert_int_equal(req.body_len, 5);
    assert_int_equal(parse("GET /00000000005 HTTP/1.0\r\n\r\n", &req), -404);
    assert_int_equal(parse("GET /99999999999999999999999 HTTP/1.0\r\n\r\n", &req),
                     -404);
    /* "/" is the fixed root body whatever the limit. */
    assert_true(proto_http_parse("GET / HTTP/1.0\r\n\r\n", 18, 0, &req) > 0);
    assert_int_equal(req.body_len, HTTP_ROOT_BODY);
    assert_int_equal(proto_http_parse("GET /1 HTTP/1.0\r\n\r\n", 19, 0, &req), -404);
#if ULONG_MAX > 0xffffffffUL
    assert_true(proto_http_parse("GET /9999999999 HTTP/1.0\r\n\r\n", 28, ULONG_MAX,
                                 &req) > 0);
    assert_true(req.body_len == 9999999999UL);
#endif
}

static void test_http_404(void **state)
{
    static const char *const targets[] = {
        "/abc", "/5a", "/a5", "/-5", "/+5", "//5", "/5/", "/?x", "/5?x", "*",
        "http://x/5", "/%35", "/ 5", "5",
    };
    char buf[128];

    (void)state;
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        long want = strchr(targets[i], ' ') ? -400 : -404;
        snprintf(buf, sizeof buf, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", targets[i]);
        if (parse(buf, NULL) != want)
            fail_msg("target \"%s\" gave %ld, want %ld", targets[i],
                     parse(buf, NULL), want);
    }
    /* Judged as soon as the request line is complete. */
    assert_int_equal(parse("GET /nope HTTP/1.1\r\n", NULL), -404);
}

static void test_http_keep_alive_defaults(void **state)
{
    struct http_req req;

    (void)state;
    assert_true(parse("GET / HTTP/1.0\r\n\r\n", &req) > 0);
    assert_int_equal(req.minor, 0);
    assert_false(req.keep_alive);
    assert_true(parse("GET / HTTP/1.1\r\nHost: x\r\n\r\n", &req) > 0);
    assert_int_equal(req.minor, 1);
    assert_true(req.keep_alive);
}

/* Connection headers and the keep_alive they give, for 1.0 and 1.1. */
static void test_http_connection(void **state)
{
    static const struct {
        const char *hdrs;
        bool ka10, ka11;
    } cases[] = {
        {"Connection: close\r\n", false, false},
        {"connection: CLOSE\r\n", false, false},
        {"Connection: keep-alive\r\n", true, true},
        {"Connection: Keep-Alive\r\n", true, true},
        {"Connection: keep-alive, close\r\n", false, false},
        {"Connection: close,keep-alive\r\n", false, false},
        {"Connection: Upgrade, keep-alive\r\n", true, true},
        {"Connection: upgrade\r\n", false, true},
        {"Connection: , ,close ,,\r\n", false, false},
        {"Connection:\r\n", false, true},
        {"Connection: keep-alive\r\nConnection: close\r\n", false, false},
        {"Connection: closed\r\n", false, true},
    };
    char buf[256];
    struct http_req req;

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(buf, sizeof buf, "GET / HTTP/1.0\r\n%s\r\n", cases[i].hdrs);
        if (parse(buf, &req) <= 0 || req.keep_alive != cases[i].ka10)
            fail_msg("1.0 case %zu: %s", i, cases[i].hdrs);
        snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: x\r\n%s\r\n",
                 cases[i].hdrs);
        if (parse(buf, &req) <= 0 || req.keep_alive != cases[i].ka11)
            fail_msg("1.1 case %zu: %s", i, cases[i].hdrs);
    }
    assert_int_equal(parse_hdrs("Connection: close keep-alive\r\n"), -400);
    assert_int_equal(parse_hdrs("Connection: close;x\r\n"), -400);
    assert_int_equal(parse_hdrs("Connection: \"close\"\r\n"), -400);
}

static void test_http_pipelined(void **state)
{
    static const char two[] =
        "GET /10 HTTP/1.1\r\nHost: x\r\n\r\n"
        "HEAD /20 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        "GET /30 HT";
    struct http_req req;
    long first, second;

    (void)state;
    first = parse(two, &req);
    assert_int_equal(first, 29);
    assert_int_equal(req.method, HTTP_GET);
    assert_int_equal(req.body_len, 10);
    assert_true(req.keep_alive);

    second = parse(two + first, &req);
    assert_int_equal(second, 49);
    assert_int_equal(req.method, HTTP_HEAD);
    assert_int_equal(req.body_len, 20);
    assert_false(req.keep_alive);

    assert_int_equal(parse(two + first + second, &req), 0);
}

static void test_http_split_every_byte(void **state)
{
    static const char *const reqs[] = {
        "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        "HEAD /123 HTTP/1.0\r\nConnection: keep-alive\r\nX-A:  b c \r\n\r\n",
        "GET /5 HTTP/1.1\nHost: x\nContent-Length: 0\n\n",
        "\r\n\nGET /7 HTTP/1.1\r\nHost: x\n\r\n",
    };

    (void)state;
    for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++)
        assert_prefixes(reqs[i], strlen(reqs[i]), (long)strlen(reqs[i]));
}

/* Errors too: a prefix answers 0 or the same error as the whole request. */
static void test_http_split_errors(void **state)
{
    static const struct {
        const char *req;
        long want;
    } cases[] = {
        {"GET / HTTP/1.1\r\n\r\n", -400},
        {"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", -400},
        {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", -413},
        {"POST / HTTP/1.1\r\nHost: x\r\n\r\n", -405},
        {"GET /x HTTP/1.1\r\nHost: x\r\n\r\n", -404},
        {"GET / HTTP/2.0\r\nHost: x\r\n\r\n", -505},
        {"GET / HTTP/1.1\r\nHost x\r\n\r\n", -400},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_prefixes(cases[i].req, strlen(cases[i].req), cases[i].want);
}

static void test_http_lf_only(void **state)
{
    static const char lf[] = "GET /5 HTTP/1.1\nHost: x\n\n";
    static const char mixed[] = "GET /5 HTTP/1.1\r\nHost: x\n\r\n";
    struct http_req req;

    (void)state;
    assert_int_equal(parse(lf, &req), sizeof lf - 1);
    assert_int_equal(req.body_len, 5);
    assert_int_equal(parse(mixed, &req), sizeof mixed - 1);
}

static void test_http_leading_empty_lines(void **state)
{
    static const char r[] = "\r\n\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n";
    static char buf[HTTP_MAX_HEAD + 64];
    struct http_req req;

    (void)state;
    assert_int_equal(parse(r, &req), sizeof r - 1);    /* they are consumed */
    assert_int_equal(parse("\r\n\r\n\n", &req), 0);
    assert_int_equal(parse("\r", &req), 0);
    assert_int_equal(parse("\rX", &req), -400);

    /* They count toward HTTP_MAX_HEAD. */
    memset(buf, '\n', sizeof buf);
    assert_int_equal(parse_n(buf, HTTP_MAX_HEAD, &req), 0);
    assert_int_equal(parse_n(buf, HTTP_MAX_HEAD + 1, &req), -431);
    memcpy(buf + HTTP_MAX_HEAD - 20, "GET / HTTP/1.0\r\n\r\n", 18);
    assert_int_equal(parse_n(buf, HTTP_MAX_HEAD - 2, &req), HTTP_MAX_HEAD - 2);
    memmove(buf + 10, buf, HTTP_MAX_HEAD);
    assert_int_equal(parse_n(buf, HTTP_MAX_HEAD + 8, &req), -431);
}

/* ---- http: errors ---------------------------------------------------------- */

static void test_http_400_request_line(void **state)
{
    static const char *const bad[] = {
        "GET  / HTTP/1.1\r\n",
        "GET /  HTTP/1.1\r\n",
        "GET / HTTP/1.1 \r\n",
        "GET / HTTP/1.1\r \n",
        " GET / HTTP/1.1\r\n",
        "GET\t/ HTTP/1.1\r\n",
        "GET /\tHTTP/1.1\r\n",
        "GET / http/1.1\r\n",
        "GET / HTTP/1.1x\r\n",
        "GET / HTTP/11.1\r\n",
        "GET / HTTP/1\r\n",
        "GET / HTTP/1.\r\n",
        "GET / HTTP/a.1\r\n",
        "GET /\r\n",
        "GET\r\n",
        "GET / HTTP/1.1\rX",
        "G(T / HTTP/1.1\r\n",
        "G@T / HTTP/1.1\r\n",
        "/ HTTP/1.1\r\n",
        "GET /a\x01z HTTP/1.1\r\n",
        "GET /a\x7fz HTTP/1.1\r\n",
        "GET /a\x80z HTTP/1.1\r\n",
        "GET /a\xffz HTTP/1.1\r\n",
    };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long rc = parse(bad[i], NULL);
        if (rc != -400)
            fail_msg("bad[%zu] gave %ld", i, rc);
    }
    /* The start of a TLS ClientHello, as sent by a client that wants https. */
    assert_int_equal(PARSE_LIT("\x16\x03\x01\x02\x00\x01\x00"), -400);
}

static void test_http_400_fields(void **state)
{
    static const char *const bad[] = {
        "Host : x\r\n",
        "NoColon\r\n",
        " folded\r\n",
        "\tfolded\r\n",
        "X-A: a\r\n b\r\n",
        ": empty name\r\n",
        "X(A): b\r\n",
        "X-A: a\x01z\r\n",
        "X-A: a\x7fz\r\n",
        "X-A: a\x1bz\r\n",
        "X-A: a\rb\r\n",
        "X-A: a\r\r\n",
    };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long rc = parse_hdrs(bad[i]);
        if (rc != -400)
            fail_msg("bad[%zu] gave %ld", i, rc);
    }
    /* obs-text and HTAB are allowed in values. */
    assert_true(parse_hdrs("X-A: caf\xc3\xa9\tb\r\n") > 0);
    /* NUL in a value, in a name, in the request line. */
    assert_int_equal(PARSE_LIT("GET / HTTP/1.0\r\nX: a\0b\r\n\r\n"), -400);
    assert_int_equal(PARSE_LIT("GET / HTTP/1.0\r\nX\0: ab\r\n\r\n"), -400);
    assert_int_equal(PARSE_LIT("GET /\0 HTTP/1.0\r\n\r\n"), -400);
    assert_int_equal(PARSE_LIT("\0"), -400);
    assert_int_equal(PARSE_LIT("\r\n\0"), -400);
}

static void test_http_host(void **state)
{
    struct http_req req;

    (void)state;
    assert_int_equal(parse("GET / HTTP/1.1\r\n\r\n", &req), -400);
    assert_int_equal(parse("GET / HTTP/1.1\r\nX-Host: a\r\n\r\n", &req), -400);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", &req),
                     -400);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a\r\nhOST: b\r\n\r\n", &req),
                     -400);
    assert_true(parse("GET / HTTP/1.1\r\nHOST: a\r\n\r\n", &req) > 0);
    assert_true(parse("GET / HTTP/1.1\r\nHost:\r\n\r\n", &req) > 0);
    assert_true(parse("GET / HTTP/1.0\r\n\r\n", &req) > 0);
    assert_true(parse("GET / HTTP/1.0\r\nHost: a\r\n\r\n", &req) > 0);
    assert_int_equal(parse("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", &req),
                     -400);
}

static void test_http_content_length(void **state)
{
    static const struct {
        const char *hdrs;
        long want;      /* > 0 means accepted */
    } cases[] = {
        {"Content-Length: 0\r\n", 1},
        {"content-length:\t 0 \t\r\n", 1},
        {"Content-Length: 000\r\n", 1},
        {"Content-Length: 5\r\n", -413},
        {"Content-Length: 99999999999999999999999999\r\n", -413},
        {"Content-Length: 0000000001\r\n", -413},
        {"Content-Length:\r\n", -400},
        {"Content-Length: -1\r\n", -400},
        {"Content-Length: +0\r\n", -400},
        {"Content-Length: 0x10\r\n", -400},
        {"Content-Length: 5x\r\n", -400},
        {"Content-Length: 0 0\r\n", -400},
        {"Content-Length: 0, 0\r\n", -400},
        {"Content-Length: 0\r\nContent-Length: 0\r\n", -400},
        {"Content-Length: 0\r\nContent-Length: 5\r\n", -400},
        {"Content-Length: 5\r\nContent-Length: 0\r\n", -413},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long rc = parse_hdrs(cases[i].hdrs);
        if (cases[i].want > 0 ? rc <= 0 : rc != cases[i].want)
            fail_msg("case %zu gave %ld: %s", i, rc, cases[i].hdrs);
    }
    /* 413 as soon as the header line is complete. */
    assert_int_equal(parse("GET / HTTP/1.1\r\nContent-Length: 1\r\n", NULL), -413);
}

static void test_http_transfer_encoding(void **state)
{
    (void)state;
    assert_int_equal(parse_hdrs("Transfer-Encoding: chunked\r\n"), -413);
    assert_int_equal(parse_hdrs("transfer-encoding: identity\r\n"), -413);
    assert_int_equal(parse_hdrs("Transfer-Encoding:\r\n"), -413);
    assert_int_equal(parse_hdrs("Content-Length: 0\r\nTransfer-Encoding: chunked\r\n"),
                     -413);
    assert_int_equal(parse("GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
                           NULL), -400);
    assert_int_equal(parse("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n",
                           NULL), -413);
}

static void test_http_405(void **state)
{
    (void)state;
    assert_int_equal(parse("POST / HTTP/1.1\r\nHost: x\r\n\r\n", NULL), -405);
    assert_int_equal(parse("get / HTTP/1.1\r\nHost: x\r\n\r\n", NULL), -405);
    assert_int_equal(parse("GETS / HTTP/1.1\r\nHost: x\r\n\r\n", NULL), -405);
    assert_int_equal(parse("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", NULL), -405);
    /* Before 404, and as soon as the request line is complete. */
    assert_int_equal(parse("DELETE /nope HTTP/1.1\r\n", NULL), -405);
    assert_int_equal(parse("POST / HTTP/1.1\r", NULL), 0);
}

static void test_http_505(void **state)
{
    static const char *const versions[] = {
        "HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "HTTP/9.9", "HTTP/3.1",
    };
    char buf[128];

    (void)state;
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        snprintf(buf, sizeof buf, "GET / %s\r\nHost: x\r\n\r\n", versions[i]);
        assert_int_equal(parse(buf, NULL), -505);
    }
    /* Before 405 and 404. */
    assert_int_equal(parse("POST /nope HTTP/2.0\r\n", NULL), -505);
}

static void test_http_414(void **state)
{
    static char buf[HTTP_MAX_TARGET + 256];
    size_t n;

    (void)state;
    /* A target of exactly HTTP_MAX_TARGET bytes is merely not found. */
    memcpy(buf, "GET /", 5);
    memset(buf + 5, 'a', HTTP_MAX_TARGET - 1);
    n = 5 + HTTP_MAX_TARGET - 1;
    memcpy(buf + n, " HTTP/1.0\r\n\r\n", 13);
    assert_int_equal(parse_n(buf, n + 13, NULL), -404);

    /* One byte more is 414, with or without the rest of the line. */
    memset(buf + 5, 'a', HTTP_MAX_TARGET);
    n = 5 + HTTP_MAX_TARGET;
    memcpy(buf + n, " HTTP/1.0\r\n\r\n", 13);
    assert_int_equal(parse_n(buf, n + 13, NULL), -414);
    assert_int_equal(parse_n(buf, n, NULL), -414);
    assert_int_equal(parse_n(buf, n - 1, NULL), 0);
}

static void test_http_431(void **state)
{
    static char buf[HTTP_MAX_HEAD + 64];
    static const char line[] = "GET / HTTP/1.0\r\nX: ";
    struct http_req req;
    size_t fill;

    (void)state;
    /* A head of exactly HTTP_MAX_HEAD bytes: "line" + value + "\r\n\r\n". */
    fill = HTTP_MAX_HEAD - (sizeof line - 1) - 4;
    memcpy(buf, line, sizeof line - 1);
    memset(buf + sizeof line - 1, 'v', fill);
    memcpy(buf + sizeof line - 1 + fill, "\r\n\r\n", 4);
    assert_int_equal(parse_n(buf, HTTP_MAX_HEAD, &req), HTTP_MAX_HEAD);
    /* With a pipelined byte after it, still fine. */
    assert_int_equal(parse_n(buf, HTTP_MAX_HEAD + 1, &req), HTTP_MAX_HEAD);

    /* One byte more in the value: 431 once the buffer passes the limit. */
    memset(buf + sizeof line - 1, 'v', fill + 1);
    memcpy(buf + sizeof line + fill, "\r\n\r\n", 4);
    assert_int_equal(parse_n(buf, HTTP_MAX_HEAD, &req), 0);
    assert_int_equal(parse_n(buf, HTTP_MAX_HEAD + 1, &req), -431);
    assert_int_equal(parse_n(buf, HTTP_MAX_HEAD + 5, &req), -431);

    /* The same with bare "\n"s: the last one is byte HTTP_MAX_HEAD + 1. */
    memset(buf + sizeof line - 1, 'v', fill + 3);
    memcpy(buf + sizeof line + fill + 2, "\n\n", 2);
    assert_int_equal(parse_n(buf, HTTP_MAX_HEAD, &req), 0);
    assert_int_equal(parse_n(buf, HTTP_MAX_HEAD + 1, &req), -431);

    /* Headers that never end are refused once past the limit, not buffered. */
    memset(buf + sizeof line - 1, 'v', sizeof buf - (sizeof line - 1));
    assert_int_equal(parse_n(buf, HTTP_MAX_HEAD, &req), 0);
    assert_int_equal(parse_n(buf, sizeof buf, &req), -431);
}

/* ---- reply writers --------------------------------------------------------- */

static void test_http_head_bytes(void **state)
{
    static const char ka11[] =
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
        "Content-Length: 64\r\n\r\n";
    static const char ka10[] =
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
        "Content-Length: 4000\r\nConnection: keep-alive\r\n\r\n";
    static const char closed[] =
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
        "Content-Length: 0\r\nConnection: close\r\n\r\n";
    struct http_req req = {HTTP_GET, 1, true, 64};
    char out[256];

    (void)state;
    memset(out, '#', sizeof out);
    assert_int_equal(proto_http_head(out, sizeof out, &req), sizeof ka11 - 1);
    assert_memory_equal(out, ka11, sizeof ka11 - 1);
    assert_int_equal(out[sizeof ka11 - 1], '#');   /* no NUL written */

    req = (struct http_req){HTTP_HEAD, 0, true, 4000};
    assert_int_equal(proto_http_head(out, sizeof out, &req), sizeof ka10 - 1);
    assert_memory_equal(out, ka10, sizeof ka10 - 1);

    req = (struct http_req){HTTP_GET, 1, false, 0};
    assert_int_equal(proto_http_head(out, sizeof out, &req), sizeof closed - 1);
    assert_memory_equal(out, closed, sizeof closed - 1);
    req.minor = 0;
    assert_int_equal(proto_http_head(out, sizeof out, &req), sizeof closed - 1);
    assert_memory_equal(out, closed, sizeof closed - 1);
}

static void test_http_head_cap(void **state)
{
    struct http_req req = {HTTP_GET, 1, false, ULONG_MAX};
    char want[256], out[256];
    size_t n;

    (void)state;
    n = (size_t)snprintf(want, sizeof want,
                         "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream"
                         "\r\nContent-Length: %lu\r\nConnection: close\r\n\r\n",
                         ULONG_MAX);
    memset(out, '#', sizeof out);
    assert_int_equal(proto_http_head(out, n, &req), n);    /* exactly fits */
    assert_memory_equal(out, want, n);
    assert_int_equal(out[n], '#');
    memset(out, '#', sizeof out);
    assert_int_equal(proto_http_head(out, n - 1, &req), 0);
    assert_int_equal(out[0], '#');
    assert_int_equal(proto_http_head(NULL, 0, &req), 0);
}

static void test_http_error_bytes(void **state)
{
    static const struct {
        int status;
        const char *line;
    } cases[] = {
        {400, "400 Bad Request"},
        {404, "404 Not Found"},
        {413, "413 Content Too Large"},
        {414, "414 URI Too Long"},
        {431, "431 Request Header Fields Too Large"},
        {505, "505 HTTP Version Not Supported"},
        {500, "500 Internal Server Error"},
        {999, "500 Internal Server Error"},
        {0, "500 Internal Server Error"},
        {-404, "500 Internal Server Error"},
    };
    static const char e405[] =
        "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n"
        "Connection: close\r\nAllow: GET, HEAD\r\n\r\n";
    char want[256], out[256];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = (size_t)snprintf(want, sizeof want,
                                    "HTTP/1.1 %s\r\nContent-Length: 0\r\n"
                                    "Connection: close\r\n\r\n", cases[i].line);
        memset(out, '#', sizeof out);
        assert_int_equal(proto_http_error(out, sizeof out, cases[i].status), n);
        assert_memory_equal(out, want, n);
        assert_int_equal(out[n], '#');
    }
    assert_int_equal(proto_http_error(out, sizeof out, 405), sizeof e405 - 1);
    assert_memory_equal(out, e405, sizeof e405 - 1);
}

static void test_http_error_cap(void **state)
{
    char out[256];
    size_t n;

    (void)state;
    n = proto_http_error(out, sizeof out, 431);
    assert_true(n > 0);
    assert_int_equal(proto_http_error(out, n, 431), n);
    memset(out, '#', sizeof out);
    assert_int_equal(proto_http_error(out, n - 1, 431), 0);
    assert_int_equal(out[0], '#');
    assert_int_equal(proto_http_error(NULL, 0, 400), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_from_name),
        cmocka_unit_test(test_name_round_trip),
        cmocka_unit_test(test_size_valid),
        cmocka_unit_test(test_size_limits),
        cmocka_unit_test(test_size_malformed),
        cmocka_unit_test(test_size_nul_bytes),
        cmocka_unit_test(test_size_incomplete),
        cmocka_unit_test(test_size_line_max),
        cmocka_unit_test(test_http_get_root),
        cmocka_unit_test(test_http_head_size),
        cmocka_unit_test(test_http_sizes),
        cmocka_unit_test(test_http_404),
        cmocka_unit_test(test_http_keep_alive_defaults),
        cmocka_unit_test(test_http_connection),
        cmocka_unit_test(test_http_pipelined),
        cmocka_unit_test(test_http_split_every_byte),
        cmocka_unit_test(test_http_split_errors),
        cmocka_unit_test(test_http_lf_only),
        cmocka_unit_test(test_http_leading_empty_lines),
        cmocka_unit_test(test_http_400_request_line),
        cmocka_unit_test(test_http_400_fields),
        cmocka_unit_test(test_http_host),
        cmocka_unit_test(test_http_content_length),
        cmocka_unit_test(test_http_transfer_encoding),
        cmocka_unit_test(test_http_405),
        cmocka_unit_test(test_http_505),
        cmocka_unit_test(test_http_414),
        cmocka_unit_test(test_http_431),
        cmocka_unit_test(test_http_head_bytes),
        cmocka_unit_test(test_http_head_cap),
        cmocka_unit_test(test_http_error_bytes),
        cmocka_unit_test(test_http_error_cap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
