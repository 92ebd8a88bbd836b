/* proto.c: the size and http wire protocols as pure functions over a buffer.
 *
 * Everything here is fed untrusted bytes (by the servers and by the fuzzers):
 * no function reads past len, and every number is range-checked before the
 * arithmetic that could wrap.
 */
#include <stdio.h>
#include <string.h>

#include "proto.h"

static const char *const proto_names[] = {
    [PROTO_ECHO] = "echo",
    [PROTO_SIZE] = "size",
    [PROTO_HTTP] = "http",
};

#define PROTO_NAMES (sizeof proto_names / sizeof proto_names[0])

int proto_from_name(const char *name, enum proto_kind *out)
{
    if (name == NULL)
        return -1;
    for (size_t i = 0; i < PROTO_NAMES; i++) {
        if (strcmp(name, proto_names[i]) == 0) {
            *out = (enum proto_kind)i;
            return 0;
        }
    }
    return -1;
}

const char *proto_name(enum proto_kind k)
{
    /* An enum variable can hold any int; a bad one gets a name, not a crash. */
    if ((unsigned)k >= PROTO_NAMES)
        return "unknown";
    return proto_names[k];
}

static bool proto_is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Appends decimal digit d to *v; false (and *v unusable) once the value would
 * exceed max. Checking before multiplying means no digit string can wrap, so
 * "18446744073709551616" is simply too big rather than 0. */
static bool proto_add_digit(unsigned long *v, unsigned d, unsigned long max)
{
    if (*v > max / 10)
        return false;
    *v *= 10;
    if (d > max - *v)
        return false;
    *v += d;
    return true;
}

/* ---- size ---------------------------------------------------------------- */

long proto_size_parse(const char *buf, size_t len, unsigned long max,
                      unsigned long *n)
{
    const unsigned char *p = (const unsigned char *)buf;
    unsigned long v = 0;
    size_t i;

    for (i = 0; i < len && i < SIZE_LINE_MAX; i++) {
        if (proto_is_digit(p[i])) {
            /* Over max can never become valid: say so before the line ends. */
            if (!proto_add_digit(&v, (unsigned)(p[i] - '0'), max))
                return -1;
            continue;
        }
        if (p[i] != '\n' && p[i] != '\r')
            return -1;
        /* An empty line and "0" (any number of zeros) both leave v at 0. */
        if (v == 0)
            return -1;
        if (p[i] == '\n') {
            *n = v;
            return (long)(i + 1);
        }
        if (i + 2 > SIZE_LINE_MAX)
            return -1;
        if (i + 1 == len)
            return 0;           /* "5\r": the "\n" may be in the next read */
        if (p[i + 1] != '\n')
            return -1;
        *n = v;
        return (long)(i + 2);
    }
    /* Only digits so far: a longer line can still end in time, a full one not. */
    return i == SIZE_LINE_MAX ? -1 : 0;
}

/* ---- http ----------------------------------------------------------------
 *
 * Choices where RFC 9112 and docs/design.md section 5 leave room:
 *
 * - The scan is one pass from the first byte, and each error is reported at
 *   the first byte that makes it certain. So every prefix of a buffer parses
 *   to 0 or to the same answer as the whole buffer, and a client that streams
 *   garbage is answered without waiting for a line end.
 * - The request line is judged as soon as it is complete, before any header
 *   is read: 505 (another version) first, then 405, then 404. Each header line
 *   is judged when it is complete; a missing Host at the blank line.
 * - Leading empty lines (RFC 9112 2.2) count toward HTTP_MAX_HEAD and toward
 *   the length returned: the limit bounds what one connection can make us
 *   buffer before a request is known, so more than HTTP_MAX_HEAD bytes of
 *   them are -431, like any other head that does not end within the limit.
 * - A CR not followed by LF is -400 (RFC 9112 2.2 allows rejecting it).
 * - Field values may hold HTAB, SP, VCHAR and obs-text (0x80-0xff); any other
 *   control byte, DEL included, is -400.
 * - More than one Host is -400 in HTTP/1.0 too (RFC 9112 3.2 says any request).
 * - Content-Length is exactly one header whose trimmed value is 1*DIGIT: zero
 *   (any number of "0"s) is accepted, anything else is -400 and nonzero -413.
 *   A nonzero value is answered at once, so a later duplicate is not seen.
 * - Transfer-Encoding with any value is -413 in HTTP/1.1 (it announces a body,
 *   which we never read) and -400 in HTTP/1.0, where RFC 9112 6.1 says the
 *   framing must be treated as faulty.
 * - Connection is a list of tokens: empty elements are skipped, unknown
 *   tokens ignored, anything that is not a token is -400. Several Connection
 *   headers combine; "close" wins over "keep-alive".
 * - "HTTP/1.2" and up are -505, though RFC 9110 2.5 would allow serving them.
 * - "/" gives HTTP_ROOT_BODY whatever max_body is; "/0" is an empty body.
 */

/* An element function's outcome besides a negative status. */
#define HTTP_NEED 0     /* the buffer ends before the element does */
#define HTTP_OK   1

/* Where the scan of one request stands. end is min(len, HTTP_MAX_HEAD): a head
 * that does not end within that many bytes is -431 whatever follows, so the
 * bytes after it are never looked at. */
struct http_scan {
    const unsigned char *buf;
    size_t pos;
    size_t end;
};

/* Offsets into the buffer of the request line's parts. */
struct http_line {
    size_t method, method_len;
    size_t target, target_len;
    int major, minor;
};

/* What the header lines so far have said. */
struct http_fields {
    bool host;
    bool content_length;
    bool close;
    bool keep_alive;
};

enum http_eol { HTTP_EOL_NONE, HTTP_EOL_FOUND, HTTP_EOL_NEED, HTTP_EOL_BAD };

static bool http_is_tchar(unsigned char c)
{
    static const char extra[] = "!#$%&'*+-.^_`|~";

    if (proto_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return true;
    /* memchr over the length without the NUL, so c == 0 is not a tchar. */
    return memchr(extra, c, sizeof extra - 1) != NULL;
}

static bool http_is_ows(unsigned char c)
{
    return c == ' ' || c == '\t';
}

/* Does s[0..n) equal the lowercase word, ignoring ASCII case? */
static bool http_word_is(const unsigned char *s, size_t n, const char *word)
{
    if (n != strlen(word))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)word[i])
            return false;
    }
    return true;
}

/* Steps over a line end ("\r\n" or, like nginx, a bare "\n") at s->pos. */
static enum http_eol http_eol(struct http_scan *s)
{
    if (s->pos == s->end)
        return HTTP_EOL_NEED;
    if (s->buf[s->pos] == '\n') {
        s->pos += 1;
        return HTTP_EOL_FOUND;
    }
    if (s->buf[s->pos] != '\r')
        return HTTP_EOL_NONE;
    if (s->pos + 1 == s->end)
        return HTTP_EOL_NEED;
    if (s->buf[s->pos + 1] != '\n')
        return HTTP_EOL_BAD;
    s->pos += 2;
    return HTTP_EOL_FOUND;
}

/* method SP target SP "HTTP/" DIGIT "." DIGIT, then a line end. */
static long http_request_line(struct http_scan *s, struct http_line *rl)
{
    static const char version[] = "HTTP/#.#";     /* '#' is a digit */
    const unsigned char *b = s->buf;
    size_t start = s->pos;

    while (s->pos < s->end && http_is_tchar(b[s->pos]))
        s->pos++;
    if (s->pos == s->end)
        return HTTP_NEED;
    if (s->pos == start || b[s->pos] != ' ')
        return -400;
    rl->method = start;
    rl->method_len = s->pos - start;

    start = ++s->pos;
    while (s->pos < s->end && b[s->pos] != ' ') {
        if (b[s->pos] < 0x21 || b[s->pos] > 0x7e)
            return -400;
        /* Per byte, so an endless target is refused before its line ends. */
        if (s->pos - start == HTTP_MAX_TARGET)
            return -414;
        s->pos++;
    }
    if (s->pos == s->end)
        return HTTP_NEED;
    if (s->pos == start)
        return -400;
    rl->target = start;
    rl->target_len = s->pos - start;

    s->pos++;
    for (size_t i = 0; i < sizeof version - 1; i++) {
        if (s->pos == s->end)
            return HTTP_NEED;
        if (version[i] == '#' ? !proto_is_digit(b[s->pos])
                              : b[s->pos] != (unsigned char)version[i])
            return -400;
        s->pos++;
    }
    rl->major = b[s->pos - 3] - '0';
    rl->minor = b[s->pos - 1] - '0';

    switch (http_eol(s)) {
    case HTTP_EOL_FOUND:
        return HTTP_OK;
    case HTTP_EOL_NEED:
        return HTTP_NEED;
    default:
        return -400;
    }
}

/* "/" or "/" 1*10DIGIT with a value <= max_body; anything else is 404. */
static long http_target(const unsigned char *t, size_t n,
                        unsigned long max_body, unsigned long *body_len)
{
    unsigned long v = 0;

    if (n == 1 && t[0] == '/') {
        *body_len = HTTP_ROOT_BODY;
        return HTTP_OK;
    }
    if (n < 2 || n > 11 || t[0] != '/')
        return -404;
    for (size_t i = 1; i < n; i++) {
        if (!proto_is_digit(t[i]) ||
            !proto_add_digit(&v, (unsigned)(t[i] - '0'), max_body))
            return -404;
    }
    *body_len = v;
    return HTTP_OK;
}

/* The meaning of a complete request line; req gets method, minor, body_len. */
static long http_judge_line(const unsigned char *b, const struct http_line *rl,
                            unsigned long max_body, struct http_req *req)
{
    const unsigned char *m = b + rl->method;

    if (rl->major != 1 || rl->minor > 1)
        return -505;
    req->minor = rl->minor;
    /* Methods are case-sensitive (RFC 9110 9.1): "get" is another method. */
    if (rl->method_len == 3 && memcmp(m, "GET", 3) == 0)
        req->method = HTTP_GET;
    else if (rl->method_len == 4 && memcmp(m, "HEAD", 4) == 0)
        req->method = HTTP_HEAD;
    else
        return -405;
    return http_target(b + rl->target, rl->target_len, max_body,
                       &req->body_len);
}

static long http_connection(const unsigned char *v, size_t n,
                            struct http_fields *f)
{
    size_t i = 0;

    while (i < n) {
        size_t start, end;

        while (i < n && (http_is_ows(v[i]) || v[i] == ','))
            i++;
        start = i;
        while (i < n && http_is_tchar(v[i]))
            i++;
        end = i;
        while (i < n && http_is_ows(v[i]))
            i++;
        if (i < n && v[i] != ',')
            return -400;
        if (http_word_is(v + start, end - start, "close"))
            f->close = true;
        else if (http_word_is(v + start, end - start, "keep-alive"))
            f->keep_alive = true;
    }
    return HTTP_OK;
}

static long http_content_length(const unsigned char *v, size_t n,
                                struct http_fields *f)
{
    bool body = false;

    if (f->content_length || n == 0)
        return -400;
    f->content_length = true;
    /* All digits checked first, so "5x" is malformed rather than a body. */
    for (size_t i = 0; i < n; i++) {
        if (!proto_is_digit(v[i]))
            return -400;
        if (v[i] != '0')
            body = true;
    }
    return body ? -413 : HTTP_OK;
}

/* The meaning of one complete header; value has its OWS trimmed. */
static long http_field(const unsigned char *name, size_t name_len,
                       const unsigned char *value, size_t value_len,
                       int minor, struct http_fields *f)
{
    if (http_word_is(name, name_len, "host")) {
        if (f->host)
            return -400;
        f->host = true;
        return HTTP_OK;
    }
    if (http_word_is(name, name_len, "content-length"))
        return http_content_length(value, value_len, f);
    if (http_word_is(name, name_len, "transfer-encoding"))
        return minor == 0 ? -400 : -413;
    if (http_word_is(name, name_len, "connection"))
        return http_connection(value, value_len, f);
    return HTTP_OK;
}

/* name ":" OWS value OWS, then a line end. */
static long http_field_line(struct http_scan *s, int minor,
                            struct http_fields *f)
{
    const unsigned char *b = s->buf;
    size_t name = s->pos, name_len, value, value_end;

    while (s->pos < s->end && http_is_tchar(b[s->pos]))
        s->pos++;
    if (s->pos == s->end)
        return HTTP_NEED;
    /* Also refuses obs-fold (a leading SP/HTAB) and whitespace before the
     * colon, both of which RFC 9112 5.1 and 5.2 make a server reject. */
    if (s->pos == name || b[s->pos] != ':')
        return -400;
    name_len = s->pos - name;

    s->pos++;
    while (s->pos < s->end && http_is_ows(b[s->pos]))
        s->pos++;
    value = value_end = s->pos;
    while (s->pos < s->end && b[s->pos] != '\r' && b[s->pos] != '\n') {
        unsigned char c = b[s->pos++];

        if (http_is_ows(c))
            continue;
        if (c < 0x20 || c == 0x7f)
            return -400;
        value_end = s->pos;
    }
    switch (http_eol(s)) {
    case HTTP_EOL_FOUND:
        break;
    case HTTP_EOL_NEED:
        return HTTP_NEED;
    default:
        return -400;
    }
    return http_field(b + name, name_len, b + value, value_end - value, minor,
                      f);
}

/* The answer when the buffer ends before the head does. */
static long http_need(size_t len)
{
    return len > HTTP_MAX_HEAD ? -431 : 0;
}

long proto_http_parse(const char *buf, size_t len, unsigned long max_body,
                      struct http_req *req)
{
    struct http_scan s = {
        .buf = (const unsigned char *)buf,
        .pos = 0,
        .end = len < HTTP_MAX_HEAD ? len : HTTP_MAX_HEAD,
    };
    struct http_line rl;
    struct http_fields f = {0};
    struct http_req r;
    enum http_eol eol;
    long rc;

    while ((eol = http_eol(&s)) == HTTP_EOL_FOUND)
        ;
    if (eol == HTTP_EOL_NEED)
        return http_need(len);
    if (eol == HTTP_EOL_BAD)
        return -400;

    rc = http_request_line(&s, &rl);
    if (rc == HTTP_NEED)
        return http_need(len);
    if (rc < 0)
        return rc;
    rc = http_judge_line(s.buf, &rl, max_body, &r);
    if (rc < 0)
        return rc;

    while ((eol = http_eol(&s)) != HTTP_EOL_FOUND) {
        if (eol == HTTP_EOL_NEED)
            return http_need(len);
        if (eol == HTTP_EOL_BAD)
            return -400;
        rc = http_field_line(&s, rl.minor, &f);
        if (rc == HTTP_NEED)
            return http_need(len);
        if (rc < 0)
            return rc;
    }
    if (rl.minor == 1 && !f.host)
        return -400;            /* RFC 9112 3.2 */
    r.keep_alive = !f.close && (rl.minor == 1 || f.keep_alive);
    *req = r;
    return (long)s.pos;
}

/* Copies the n bytes of src to out if they fit in cap; returns n or 0. */
static size_t http_put(char *out, size_t cap, const char *src, int n)
{
    if (n < 0 || (size_t)n > cap)
        return 0;
    memcpy(out, src, (size_t)n);
    return (size_t)n;
}

size_t proto_http_head(char *out, size_t cap, const struct http_req *req)
{
    /* Formatted locally first: snprintf always ends in a NUL, which would
     * make a head of exactly cap bytes look too big for out. */
    char head[256];
    const char *conn = "";
    int n;

    if (!req->keep_alive)
        conn = "Connection: close\r\n";
    else if (req->minor == 0)
        conn = "Connection: keep-alive\r\n";    /* 1.0 closes unless told */
    n = snprintf(head, sizeof head,
                 "HTTP/1.1 200 OK\r\n"
                 "Content-Type: application/octet-stream\r\n"
                 "Content-Length: %lu\r\n"
                 "%s\r\n",
                 req->body_len, conn);
    return http_put(out, cap, head, n);
}

static const char *http_reason(int status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 505: return "HTTP Version Not Supported";
    default:  return NULL;
    }
}

size_t proto_http_error(char *out, size_t cap, int status)
{
    char msg[256];
    const char *reason = http_reason(status);
    int n;

    /* A status we have no reason for is our bug, not the client's. */
    if (reason == NULL) {
        status = 500;
        reason = "Internal Server Error";
    }
    n = snprintf(msg, sizeof msg,
                 "HTTP/1.1 %d %s\r\n"
                 "Content-Length: 0\r\n"
                 "Connection: close\r\n"
                 "%s\r\n",
                 status, reason, status == 405 ? "Allow: GET, HEAD\r\n" : "");
    return http_put(out, cap, msg, n);
}
