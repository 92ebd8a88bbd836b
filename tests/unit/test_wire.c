/* test_wire.c: client_load's side of the protocols (client_load/wire.c):
 * the requests it builds, its incremental http head parser, and its check
 * of whole echo, size and http replies.
 *
 * wire.c is compiled into this test directly: it is part of the client,
 * not of the common library the unit tests link against.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../client_load/wire.c"

static struct wire wire;
static char why[128];

static const char ok_head[] =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Content-Length: 64\r\n"
    "\r\n";

static void init(enum proto_kind proto, uint64_t size)
{
    assert_int_equal(wire_init(&wire, proto, size, "127.0.0.1:8000"), 0);
}

/* The head of an http reply: the parser's result over all of s. */
static long parse_head(struct wire_http *p, const char *s, const char **msg)
{
    wire_http_reset(p);
    *msg = NULL;
    return wire_http_feed(p, s, strlen(s), msg);
}

/* An http reply: head then n body bytes, into buf; returns its length. */
static size_t http_reply(char *buf, size_t cap, const char *head, size_t n)
{
    size_t h = strlen(head);
    assert_true(h + n <= cap);
    memcpy(buf, head, h);
    memset(buf + h, 'x', n);
    return h + n;
}

/* Feeds buf to a fresh reply check in two parts split at cut; returns the
 * last result. */
static int feed_split(uint32_t seq, const char *buf, size_t len, size_t cut)
{
    struct wire_reply r;
    wire_reply_begin(&wire, &r);
    why[0] = '\0';
    if (cut > 0) {
        int rc = wire_reply_feed(&wire, &r, seq, buf, cut, why, sizeof why);
        if (rc != 0 || cut == len)
            return rc;
    }
    return wire_reply_feed(&wire, &r, seq, buf + cut, len - cut, why,
                           sizeof why);
}

static int feed_all(uint32_t seq, const char *buf, size_t len)
{
    return feed_split(seq, buf, len, 0);
}

/* ---- requests -------------------------------------------------------------- */

static void test_requests(void **state)
{
    (void)state;
    size_t n;
    init(PROTO_HTTP, 4096);
    const char *keep = "GET /4096 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n";
    const char *last = "GET /4096 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n"
                       "Connection: close\r\n\r\n";
    assert_int_equal(wire_request_len(&wire, false), strlen(keep));
    assert_int_equal(wire_request_len(&wire, true), strlen(last));
    assert_memory_equal(wire_request_at(&wire, false, 0, 0, &n), keep,
                        strlen(keep));
    assert_int_equal(n, strlen(keep));
    assert_memory_equal(wire_request_at(&wire, true, 7, 0, &n), last,
                        strlen(last));
    const char *p = wire_request_at(&wire, true, 7, 5, &n);
    assert_int_equal(n, strlen(last) - 5);
    assert_memory_equal(p, last + 5, n);

    init(PROTO_SIZE, 4000);
    assert_int_equal(wire_request_len(&wire, false), 5);
    assert_int_equal(wire_request_len(&wire, true), 5);
    assert_memory_equal(wire_request_at(&wire, true, 0, 0, &n), "4000\n", 5);

    /* Echo: the same bytes last or not; chunks of at most WIRE_CHUNK. */
    init(PROTO_ECHO, 200000);
    assert_int_equal(wire_request_len(&wire, true), 200000);
    wire_request_at(&wire, false, 3, 0, &n);
    assert_int_equal(n, WIRE_CHUNK);
    wire_request_at(&wire, false, 3, 200000 - 10, &n);
    assert_int_equal(n, 10);
}

static void test_request_too_long(void **state)
{
    (void)state;
    char host[600];
    memset(host, 'h', sizeof host - 1);
    host[sizeof host - 1] = '\0';
    assert_int_equal(wire_init(&wire, PROTO_HTTP, 64, host), -1);
}

/* Each request's echo bytes differ from the next one's, and the pattern
 * read back at any offset matches what was sent there. */
static void test_echo_pattern(void **state)
{
    (void)state;
    size_t n;
    init(PROTO_ECHO, 1000);
    const unsigned char *a = wire_request_at(&wire, false, 1, 0, &n);
    const unsigned char *b = wire_request_at(&wire, false, 2, 0, &n);
    assert_memory_not_equal(a, b, 64);
    for (uint64_t off = 0; off < 1000; off += 37) {
        const void *p = wire_request_at(&wire, false, 5, off, &n);
        assert_true(wire_echo_matches(&wire, 5, off, p, n));
        assert_false(wire_echo_matches(&wire, 6, off, p, n));
    }
}

/* ---- the http head parser --------------------------------------------------- */

static void test_head_valid(void **state)
{
    (void)state;
    struct wire_http p;
    const char *msg;
    char buf[256];
    size_t len = http_reply(buf, sizeof buf, ok_head, 64);
    wire_http_reset(&p);
    long head = wire_http_feed(&p, buf, len, &msg);
    assert_int_equal(head, strlen(ok_head));
    assert_true(p.done);
    assert_int_equal(p.status, 200);
    assert_true(p.have_length);
    assert_int_equal(p.content_length, 64);
    assert_false(p.close);
}

/* Fed in two parts split at every byte, and one byte at a time, the parser
 * ends in the same state and consumes exactly the head. */
static void test_head_split_every_byte(void **state)
{
    (void)state;
    const char *head = "HTTP/1.1 206 Partial\r\nX-A: b\r\nconnection: Close\r\n"
                       "CONTENT-LENGTH:  4096 \r\n\r\n";
    size_t len = strlen(head);
    char buf[256];
    memcpy(buf, head, len);
    memcpy(buf + len, "body", 4);
    for (size_t cut = 0; cut <= len + 4; cut++) {
        struct wire_http p;
        const char *msg = NULL;
        wire_http_reset(&p);
        long a = wire_http_feed(&p, buf, cut, &msg);
        assert_true(a >= 0);
        long b = p.done ? 0 : wire_http_feed(&p, buf + a, len + 4 - (size_t)a,
                                             &msg);
        assert_true(b >= 0);
        assert_int_equal(a + b, len);
        assert_true(p.done);
        assert_int_equal(p.status, 206);
        assert_int_equal(p.content_length, 4096);
        assert_true(p.have_length);
        assert_true(p.close);
    }
    struct wire_http p;
    const char *msg = NULL;
    wire_http_reset(&p);
    for (size_t i = 0; i < len; i++) {
        assert_false(p.done);
        assert_int_equal(wire_http_feed(&p, buf + i, 1, &msg), 1);
    }
    assert_true(p.done);
    assert_int_equal(wire_http_feed(&p, buf + len, 4, &msg), 0);
}

static void test_head_bare_lf_and_no_reason(void **state)
{
    (void)state;
    struct wire_http p;
    const char *msg;
    const char *head = "HTTP/1.0 200\nContent-Length: 3\n\n";
    assert_int_equal(parse_head(&p, head, &msg), strlen(head));
    assert_true(p.done);
    assert_int_equal(p.status, 200);
    assert_int_equal(p.content_length, 3);
    head = "HTTP/1.1 200\r\nContent-Length: 3\r\n\r\n";
    assert_int_equal(parse_head(&p, head, &msg), strlen(head));
    assert_true(p.done);
}

static void test_head_connection(void **state)
{
    (void)state;
    static const struct {
        const char *value;
        bool close;
    } cases[] = {
        {"close", true}, {"CLOSE", true}, {"  close  ", true},
        {"\tClose", true}, {"keep-alive", false}, {"closed", false},
        {"clos", false}, {"", false}, {"close, upgrade", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char head[128];
        struct wire_http p;
        const char *msg;
        snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nConnection:%s\r\n"
                 "Content-Length: 1\r\n\r\n", cases[i].value);
        assert_int_equal(parse_head(&p, head, &msg), strlen(head));
        assert_true(p.done);
        if (p.close != cases[i].close)
            fail_msg("Connection:%s: close %d", cases[i].value, p.close);
    }
}

static void test_head_bad_status(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "HTTP/2.0 200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n", "XTTP/1.1 200 OK\r\n\r\n",
        "HTTP/1.1  200 OK\r\n\r\n", "HTTP/1.x 200 OK\r\n\r\n",
        "http/1.1 200 OK\r\n\r\n", "HTTP/1.1 2a0 OK\r\n\r\n",
        "\r\nHTTP/1.1 200 OK\r\n\r\n", "HTTP/1.1200 OK\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct wire_http p;
        const char *msg;
        if (parse_head(&p, bad[i], &msg) != -1)
            fail_msg("accepted status line %s", bad[i]);
        assert_non_null(msg);
        assert_non_null(strstr(msg, "status line"));
    }
}

static void test_head_bad_headers(void **state)
{
    (void)state;
    static const struct {
        const char *head;
        const char *why;
    } bad[] = {
        {"HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n", "content-length"},
        {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "content-length"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n", "content-length"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
         "too large"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
         "transfer-encoding"},
        {"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "header name"},
        {"HTTP/1.1 200 OK\r\n\r\r\n", "malformed http head"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct wire_http p;
        const char *msg;
        if (parse_head(&p, bad[i].head, &msg) != -1)
            fail_msg("accepted %s", bad[i].head);
        if (strstr(msg, bad[i].why) == NULL)
            fail_msg("%s: said '%s', not '%s'", bad[i].head, msg, bad[i].why);
    }
}

/* Headers that only look like the ones that matter are skipped. */
static void test_head_near_names(void **state)
{
    (void)state;
    struct wire_http p;
    const char *msg;
    const char *head = "HTTP/1.1 200 OK\r\nContent-Lengthy: 5\r\n"
                       "Content-Len: 7\r\nX-Content-Length: 9\r\n"
                       "Connections: close\r\nTransfer-Encodings: x\r\n\r\n";
    assert_int_equal(parse_head(&p, head, &msg), strlen(head));
    assert_true(p.done);
    assert_false(p.have_length);
    assert_false(p.close);
}

/* Whole lines take the parser's fast paths, single bytes its byte path:
 * both must end alike, malformed heads included. */
static void test_head_fast_equals_bytewise(void **state)
{
    (void)state;
    static const char *const heads[] = {
        "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Wed, 25 Nov 2026 "
        "12:02:48 GMT\r\nContent-Type: text/plain\r\nContent-Length: 64\r\n"
        "Last-Modified: x\r\nConnection: keep-alive\r\nETag: \"6b-40\"\r\n"
        "Accept-Ranges: bytes\r\n\r\nbody",
        "HTTP/1.1 200 OK\r\nconnection:close\r\ncontent-length:7\r\n\r\n",
        "HTTP/1.1 200 OK\nContent-Length: 1\r\r\n\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 3 4\r\n\r\n",
        "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
        "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",
        "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",
        "HTTP/1.1 200 OK\r\n folded: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nName\x80: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP/1.1 200 OK\r\nConnection: close\r\nConnection: keep-alive\r\n\r\n",
        "HTTP/1.1 200 OK\r\n\rX\n",
        "HTTP/1.1 301 Moved\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n",
    };
    for (size_t k = 0; k < sizeof heads / sizeof heads[0]; k++) {
        const char *h = heads[k];
        size_t len = strlen(h);
        struct wire_http a, b;
        const char *wa = NULL, *wb = NULL;
        wire_http_reset(&a);
        wire_http_reset(&b);
        long ra = wire_http_feed(&a, h, len, &wa), rb = 0;
        for (size_t i = 0; i < len && rb >= 0 && !b.done; i++) {
            long r = wire_http_feed(&b, h + i, 1, &wb);
            rb = r < 0 ? -1 : rb + r;
        }
        if (ra != rb || (ra < 0 && strcmp(wa, wb) != 0))
            fail_msg("head %zu: whole %ld (%s), bytewise %ld (%s)", k, ra,
                     wa ? wa : "", rb, wb ? wb : "");
        if (ra < 0)
            continue;
        assert_int_equal(a.done, b.done);
        assert_int_equal(a.status, b.status);
        assert_int_equal(a.have_length, b.have_length);
        assert_int_equal(a.content_length, b.content_length);
        assert_int_equal(a.close, b.close);
        assert_int_equal(a.pos, b.pos);
    }
}

/* Heads around the 16 KiB limit: whole and bytewise agree on where it is. */
static void test_head_limit_edges(void **state)
{
    (void)state;
    static char h[WIRE_HTTP_MAX_HEAD + 64];
    for (size_t total = WIRE_HTTP_MAX_HEAD - 3; total <= WIRE_HTTP_MAX_HEAD + 3;
         total++) {
        /* "HTTP/1.1 200 OK\r\nX: aaa...\r\n\r\n", total bytes long. */
        const char *start = "HTTP/1.1 200 OK\r\nX: ";
        size_t sl = strlen(start), pad = total - sl - 4;
        memcpy(h, start, sl);
        memset(h + sl, 'a', pad);
        memcpy(h + sl + pad, "\r\n\r\n", 4);
        struct wire_http a, b;
        const char *wa = NULL, *wb = NULL;
        wire_http_reset(&a);
        wire_http_reset(&b);
        long ra = wire_http_feed(&a, h, total, &wa), rb = 0;
        for (size_t i = 0; i < total && rb >= 0 && !b.done; i++) {
            long r = wire_http_feed(&b, h + i, 1, &wb);
            rb = r < 0 ? -1 : rb + r;
        }
        if (ra != rb)
            fail_msg("%zu bytes: whole %ld, bytewise %ld", total, ra, rb);
        assert_int_equal(ra, total <= WIRE_HTTP_MAX_HEAD ? (long)total : -1);
    }
}

static void test_head_too_long(void **state)
{
    (void)state;
    struct wire_http p;
    const char *msg = NULL;
    char line[] = "X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    wire_http_reset(&p);
    const char *status = "HTTP/1.1 200 OK\r\n";
    assert_int_equal(wire_http_feed(&p, status, strlen(status), &msg),
                     strlen(status));
    long rc = 0;
    for (int i = 0; i < 1000 && rc >= 0; i++)
        rc = wire_http_feed(&p, line, strlen(line), &msg);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(msg, "16 KiB"));
}

/* ---- whole replies ------------------------------------------------------------ */

static void test_http_reply_valid_split(void **state)
{
    (void)state;
    char buf[256];
    init(PROTO_HTTP, 64);
    size_t len = http_reply(buf, sizeof buf, ok_head, 64);
    for (size_t cut = 0; cut <= len; cut++)
        if (feed_split(0, buf, len, cut) != 1)
            fail_msg("split at %zu: %s", cut, why);
    /* One byte at a time: 0 until the last. */
    struct wire_reply r;
    wire_reply_begin(&wire, &r);
    for (size_t i = 0; i < len; i++)
        assert_int_equal(wire_reply_feed(&wire, &r, 0, buf + i, 1, why,
                                         sizeof why), i + 1 == len);
}

static void test_http_reply_status(void **state)
{
    (void)state;
    char buf[256];
    init(PROTO_HTTP, 64);
    size_t len = http_reply(buf, sizeof buf,
                            "HTTP/1.1 404 Not Found\r\nContent-Length: 64\r\n"
                            "\r\n", 64);
    assert_int_equal(feed_all(0, buf, len), -1);
    assert_string_equal(why, "http status 404");
    len = http_reply(buf, sizeof buf, "HTTP/1.1 199 Hm\r\nContent-Length: 64"
                     "\r\n\r\n", 64);
    assert_int_equal(feed_all(0, buf, len), -1);
    assert_string_equal(why, "http status 199");
    len = http_reply(buf, sizeof buf, "HTTP/1.1 204 No\r\nContent-Length: 64"
                     "\r\n\r\n", 64);
    assert_int_equal(feed_all(0, buf, len), 1);
}

static void test_http_reply_length(void **state)
{
    (void)state;
    char buf[256];
    init(PROTO_HTTP, 64);
    size_t len = http_reply(buf, sizeof buf, "HTTP/1.1 200 OK\r\n\r\n", 64);
    assert_int_equal(feed_all(0, buf, len), -1);
    assert_string_equal(why, "http reply without content-length");
    len = http_reply(buf, sizeof buf, "HTTP/1.1 200 OK\r\nContent-Length: 63"
                     "\r\n\r\n", 63);
    assert_int_equal(feed_all(0, buf, len), -1);
    assert_string_equal(why, "http content-length 63, asked for 64");
    len = http_reply(buf, sizeof buf, "HTTP/1.1 200 OK\r\nContent-Length: x"
                     "\r\n\r\n", 64);
    assert_int_equal(feed_all(0, buf, len), -1);
    assert_string_equal(why, "malformed http content-length");
    /* A Content-Length given twice: the last one counts. */
    len = http_reply(buf, sizeof buf, "HTTP/1.1 200 OK\r\nContent-Length: 1"
                     "\r\nContent-Length: 64\r\n\r\n", 64);
    assert_int_equal(feed_all(0, buf, len), 1);
}

static void test_http_reply_extra(void **state)
{
    (void)state;
    char buf[256];
    init(PROTO_HTTP, 64);
    size_t len = http_reply(buf, sizeof buf, ok_head, 65);
    /* Cut right after the reply, the first part completes it: the extra
     * byte is then the caller's to see (client_load counts it as an
     * error too, see conn.c). */
    assert_int_equal(feed_split(0, buf, len, len - 1), 1);
    for (size_t cut = 0; cut < len - 1; cut++) {
        int rc = feed_split(0, buf, len, cut);
        if (rc != -1)
            fail_msg("split at %zu: %d", cut, rc);
        assert_string_equal(why, "1 bytes more than the 64 asked for");
    }
    /* A second reply pipelined behind the first is extra bytes too. */
    len = http_reply(buf, sizeof buf, ok_head, 64);
    memcpy(buf + len, ok_head, strlen(ok_head));
    assert_int_equal(feed_all(0, buf, len + strlen(ok_head)), -1);
}

static void test_echo_reply(void **state)
{
    (void)state;
    char buf[300];
    size_t n;
    init(PROTO_ECHO, 200);
    memcpy(buf, wire_request_at(&wire, false, 9, 0, &n), 200);
    for (size_t cut = 0; cut <= 200; cut++)
        if (feed_split(9, buf, 200, cut) != 1)
            fail_msg("split at %zu: %s", cut, why);
    /* Another request's bytes, or one wrong byte anywhere. */
    assert_int_equal(feed_all(10, buf, 200), -1);
    assert_string_equal(why, "echo reply differs from the request");
    for (size_t i = 0; i < 200; i++) {
        buf[i] ^= 1;
        assert_int_equal(feed_all(9, buf, 200), -1);
        buf[i] ^= 1;
    }
    /* Short: more is awaited; extra: an error. */
    assert_int_equal(feed_all(9, buf, 199), 0);
    memcpy(buf + 200, buf, 3);
    assert_int_equal(feed_all(9, buf, 203), -1);
    assert_string_equal(why, "3 bytes more than the 200 asked for");
}

static void test_size_reply(void **state)
{
    (void)state;
    char buf[4096];
    init(PROTO_SIZE, 4000);
    memset(buf, 'x', sizeof buf);
    for (size_t cut = 0; cut <= 4000; cut += 7)
        if (feed_split(0, buf, 4000, cut) != 1)
            fail_msg("split at %zu: %s", cut, why);
    assert_int_equal(feed_all(0, buf, 3999), 0);
    assert_int_equal(feed_all(0, buf, 4001), -1);
    assert_string_equal(why, "1 bytes more than the 4000 asked for");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_requests),
        cmocka_unit_test(test_request_too_long),
        cmocka_unit_test(test_echo_pattern),
        cmocka_unit_test(test_head_valid),
        cmocka_unit_test(test_head_split_every_byte),
        cmocka_unit_test(test_head_bare_lf_and_no_reason),
        cmocka_unit_test(test_head_connection),
        cmocka_unit_test(test_head_bad_status),
        cmocka_unit_test(test_head_bad_headers),
        cmocka_unit_test(test_head_near_names),
        cmocka_unit_test(test_head_fast_equals_bytewise),
        cmocka_unit_test(test_head_limit_edges),
        cmocka_unit_test(test_head_too_long),
        cmocka_unit_test(test_http_reply_valid_split),
        cmocka_unit_test(test_http_reply_status),
        cmocka_unit_test(test_http_reply_length),
        cmocka_unit_test(test_http_reply_extra),
        cmocka_unit_test(test_echo_reply),
        cmocka_unit_test(test_size_reply),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
