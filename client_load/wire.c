/* wire.c: building requests and checking replies. */
#include <stdio.h>
#include <string.h>

#include "wire.h"

int wire_init(struct wire *w, enum proto_kind proto, uint64_t size,
              const char *host)
{
    int n = 0;
    memset(w, 0, sizeof *w);
    w->proto = proto;
    w->size = size;
    /* Any fixed sequence without a short period will do. */
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < sizeof w->pattern; i++) {
        if (i < WIRE_PERIOD) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            w->pattern[i] = (unsigned char)(x >> 24);
        } else {
            w->pattern[i] = w->pattern[i - WIRE_PERIOD];
        }
    }
    if (proto == PROTO_SIZE)
        n = snprintf(w->text, sizeof w->text, "%llu\n",
                     (unsigned long long)size);
    else if (proto == PROTO_HTTP)
        n = snprintf(w->text, sizeof w->text,
                     "GET /%llu HTTP/1.1\r\nHost: %s\r\n\r\n",
                     (unsigned long long)size, host);
    if (n < 0 || (size_t)n >= sizeof w->text)
        return -1;
    w->text_len = (size_t)n;
    if (proto == PROTO_HTTP)
        n = snprintf(w->text_last, sizeof w->text_last,
                     "GET /%llu HTTP/1.1\r\nHost: %s\r\n"
                     "Connection: close\r\n\r\n",
                     (unsigned long long)size, host);
    else
        n = snprintf(w->text_last, sizeof w->text_last, "%s", w->text);
    if (n < 0 || (size_t)n >= sizeof w->text_last)
        return -1;
    w->text_last_len = (size_t)n;
    return 0;
}

uint64_t wire_request_len(const struct wire *w, bool last)
{
    if (w->proto == PROTO_ECHO)
        return w->size;
    return last ? w->text_last_len : w->text_len;
}

const void *wire_request_at(const struct wire *w, bool last, uint32_t seq,
                            uint64_t off, size_t *len)
{
    uint64_t left = wire_request_len(w, last) - off;
    *len = left < WIRE_CHUNK ? (size_t)left : WIRE_CHUNK;
    if (w->proto != PROTO_ECHO)
        return (last ? w->text_last : w->text) + off;
    return w->pattern + (seq % WIRE_PERIOD + off) % WIRE_PERIOD;
}

bool wire_echo_matches(const struct wire *w, uint32_t seq, uint64_t off,
                       const void *buf, size_t len)
{
    const unsigned char *want =
        w->pattern + (seq % WIRE_PERIOD + off) % WIRE_PERIOD;
    return len <= WIRE_CHUNK && memcmp(want, buf, len) == 0;
}

/* ---- http ---------------------------------------------------------------- */

enum {
    H_STATUS,       /* "HTTP/1.x NNN" */
    H_REASON,       /* the rest of the status line */
    H_LINE,         /* the start of a header line, or the blank line */
    H_NAME,
    H_VALUE,
    H_SKIP,         /* a value we do not care about */
    H_END,          /* "\r" of the blank line seen */
};

enum { HDR_LENGTH, HDR_CONNECTION, HDR_TE, HDR_COUNT };
static const char *const hdr_names[HDR_COUNT] = {
    "content-length", "connection", "transfer-encoding",
};
static const uint8_t hdr_lens[HDR_COUNT] = {14, 10, 17};

void wire_http_reset(struct wire_http *p)
{
    memset(p, 0, sizeof *p);
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* One byte of "HTTP/1.x NNN" followed by a space or the end of line. */
static int status_byte(struct wire_http *p, char c, const char **why)
{
    static const char prefix[] = "HTTP/1.";
    unsigned i = p->idx++;
    if (i < 7 && c == prefix[i])
        return 0;
    if (i == 7 && c >= '0' && c <= '9')
        return 0;
    if (i == 8 && c == ' ')
        return 0;
    if (i >= 9 && i <= 11 && c >= '0' && c <= '9') {
        p->status = (uint16_t)(p->status * 10 + (c - '0'));
        return 0;
    }
    if (i == 12 && (c == ' ' || c == '\r' || c == '\n')) {
        p->state = c == '\n' ? H_LINE : H_REASON;
        return 0;
    }
    *why = "malformed http status line";
    return -1;
}

/* A header name ended with ':'; which one it was, if any we want. */
static void name_end(struct wire_http *p)
{
    p->header = HDR_COUNT;
    for (int h = 0; h < HDR_COUNT; h++)
        if ((p->cand & (1u << h)) && hdr_names[h][p->idx] == '\0')
            p->header = (uint8_t)h;
    p->idx = 0;
    p->value_digits = false;
    p->state = p->header == HDR_COUNT ? H_SKIP : H_VALUE;
    if (p->header == HDR_LENGTH)
        p->content_length = 0;
}

static int name_byte(struct wire_http *p, char c, const char **why)
{
    if (c == ':') {
        name_end(p);
        return 0;
    }
    if (c <= ' ' || c == 127) {
        *why = "malformed http header name";
        return -1;
    }
    for (int h = 0; h < HDR_COUNT; h++)
        if ((p->cand & (1u << h)) &&
            (p->idx >= 20 || hdr_names[h][p->idx] != lower(c)))
            p->cand &= (uint8_t)~(1u << h);
    if (p->idx < 255)
        p->idx++;
    return 0;
}

/* A byte of the value of a header we want; the end of line is elsewhere. */
static int value_byte(struct wire_http *p, char c, const char **why)
{
    bool space = c == ' ' || c == '\t';
    switch (p->header) {
    case HDR_LENGTH:
        if (c >= '0' && c <= '9' && p->idx == 0) {
            if (p->content_length > (UINT64_MAX - 9) / 10) {
                *why = "http content-length too large";
                return -1;
            }
            p->content_length = p->content_length * 10 + (uint64_t)(c - '0');
            p->value_digits = true;
        } else if (space) {
            p->idx = p->value_digits;   /* digits after a space: malformed */
        } else {
            *why = "malformed http content-length";
            return -1;
        }
        return 0;
    case HDR_CONNECTION:
        /* Matches exactly "close", spaces around allowed. */
        if (space)
            return 0;
        if (p->idx < 5 && lower(c) == "close"[p->idx])
            p->idx++;
        else
            p->idx = 6;             /* something else: not close */
        return 0;
    default:
        *why = "http transfer-encoding is not supported (no content-length)";
        return -1;
    }
}

static void line_end(struct wire_http *p)
{
    if (p->state == H_VALUE) {
        if (p->header == HDR_LENGTH && p->value_digits)
            p->have_length = true;
        if (p->header == HDR_CONNECTION && p->idx == 5)
            p->close = true;
    }
    p->state = H_LINE;
}

static int head_byte(struct wire_http *p, char c, const char **why)
{
    switch (p->state) {
    case H_STATUS:
        return status_byte(p, c, why);
    case H_REASON:
    case H_SKIP:
    case H_VALUE:
        if (c == '\n')
            line_end(p);
        else if (c != '\r' && p->state == H_VALUE)
            return value_byte(p, c, why);
        return 0;
    case H_LINE:
        if (c == '\r') {
            p->state = H_END;
            return 0;
        }
        if (c == '\n') {
            p->done = true;
            return 0;
        }
        p->state = H_NAME;
        p->idx = 0;
        p->cand = (1u << HDR_COUNT) - 1;
        return name_byte(p, c, why);
    case H_NAME:
        return name_byte(p, c, why);
    case H_END:
        if (c == '\n') {
            p->done = true;
            return 0;
        }
        break;
    }
    *why = "malformed http head";
    return -1;
}

/* ---- the fast paths ----------------------------------------------------
 * A reply's head nearly always arrives whole, and byte-at-a-time matching
 * cost more than everything else the client does per request (callgrind:
 * over 90 % of its instructions against nginx's 240-byte heads). So whole
 * header lines are taken at once, and text nobody reads (the reason
 * phrase, the values of other headers) is skipped with memchr. Each fast
 * path ends in exactly the state the byte path would reach; whatever it
 * does not handle (a line split between reads, the blank line, a line
 * reaching the 16 KiB limit) goes byte by byte, so the limits and the
 * messages stay the byte path's. */

/* A whole header line s[0..n), its '\n' last, from state H_LINE. Returns
 * 1 when taken, 0 when the byte path must take it, -1 when it is
 * malformed. */
static int whole_line(struct wire_http *p, const char *s, size_t n,
                      const char **why)
{
    if (s[0] == '\r' || s[0] == '\n')
        return 0;                   /* the blank line */
    size_t nlen = 0;
    /* The name ends at ':'; a line without one ends at its '\r' or '\n',
     * which are no name bytes either. */
    for (; s[nlen] != ':'; nlen++)
        if (s[nlen] <= ' ' || s[nlen] == 127) {
            *why = "malformed http header name";
            return -1;
        }
    const char *colon = s + nlen;
    p->header = HDR_COUNT;
    for (int h = 0; h < HDR_COUNT; h++) {
        const char *name = hdr_names[h];
        size_t i = 0;
        if (hdr_lens[h] != nlen)
            continue;
        while (i < nlen && name[i] == lower(s[i]))
            i++;
        if (i == nlen)
            p->header = (uint8_t)h;
    }
    p->state = H_SKIP;
    if (p->header != HDR_COUNT) {
        p->state = H_VALUE;
        p->idx = 0;
        p->value_digits = false;
        if (p->header == HDR_LENGTH)
            p->content_length = 0;
        for (const char *c = colon + 1; c < s + n - 1; c++)
            if (*c != '\r' && value_byte(p, *c, why) < 0)
                return -1;
    }
    line_end(p);
    return 1;
}

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A whole well-formed "HTTP/1.x NNN" and the byte after it, as the byte
 * path would take them; returns 13, or 0 (the byte path then judges). */
static long fast_status(struct wire_http *p, const char *s, size_t len)
{
    if (p->idx != 0 || len < 13 || memcmp(s, "HTTP/1.", 7) != 0 ||
        !digit(s[7]) || s[8] != ' ' || !digit(s[9]) || !digit(s[10]) ||
        !digit(s[11]) || (s[12] != ' ' && s[12] != '\r' && s[12] != '\n'))
        return 0;
    p->status = (uint16_t)((s[9] - '0') * 100 + (s[10] - '0') * 10 +
                           (s[11] - '0'));
    p->idx = 13;
    p->state = s[12] == '\n' ? H_LINE : H_REASON;
    return 13;
}

/* Takes what the fast paths can at buf (len > 0 bytes, from a line's
 * start or inside text to skip). Returns the bytes taken (0: none, the byte
 * path's turn), or -1 when the line is malformed. */
static long fast_bytes(struct wire_http *p, const char *buf, size_t len,
                       const char **why)
{
    if (p->state == H_STATUS)
        return fast_status(p, buf, len);
    if (p->state != H_LINE && p->state != H_REASON && p->state != H_SKIP)
        return 0;
    const char *nl = memchr(buf, '\n', len);
    size_t n = nl ? (size_t)(nl - buf) + 1 : len;
    if (n >= WIRE_HTTP_MAX_HEAD - (size_t)p->pos)
        return 0;                   /* at the limit: the byte path says so */
    if (p->state == H_REASON || p->state == H_SKIP)
        return (long)(nl ? n - 1 : n);  /* the '\n' ends the line, later */
    if (p->state == H_LINE && nl) {
        int rc = whole_line(p, buf, n, why);
        return rc <= 0 ? rc : (long)n;
    }
    return 0;
}

long wire_http_feed(struct wire_http *p, const char *buf, size_t len,
                    const char **why)
{
    size_t i = 0;
    while (i < len && !p->done) {
        long n = fast_bytes(p, buf + i, len - i, why);
        if (n < 0)
            return -1;
        if (n > 0) {
            p->pos = (uint16_t)(p->pos + (size_t)n);
            i += (size_t)n;
            continue;
        }
        if (p->pos >= WIRE_HTTP_MAX_HEAD) {
            *why = "http head longer than 16 KiB";
            return -1;
        }
        if (head_byte(p, buf[i], why) < 0)
            return -1;
        p->pos++;
        i++;
    }
    return (long)i;
}

/* ---- whole replies --------------------------------------------------------- */

void wire_reply_begin(const struct wire *w, struct wire_reply *r)
{
    wire_http_reset(&r->http);
    r->expect = w->proto == PROTO_HTTP ? 0 : w->size;
    r->got = 0;
}

/* The head is complete: is it a reply to what was asked? */
static int http_check(const struct wire *w, struct wire_reply *r, char *why,
                      size_t whylen)
{
    const struct wire_http *h = &r->http;
    if (h->status < 200 || h->status > 299)
        snprintf(why, whylen, "http status %u", h->status);
    else if (!h->have_length)
        snprintf(why, whylen, "http reply without content-length");
    else if (h->content_length != w->size)
        snprintf(why, whylen, "http content-length %llu, asked for %llu",
                 (unsigned long long)h->content_length,
                 (unsigned long long)w->size);
    else {
        r->expect = h->content_length;
        return 0;
    }
    return -1;
}

int wire_reply_feed(const struct wire *w, struct wire_reply *r, uint32_t seq,
                    const void *buf, size_t len, char *why, size_t whylen)
{
    const char *p = buf;
    if (w->proto == PROTO_HTTP && !r->http.done) {
        const char *msg = "malformed http head";
        long head = wire_http_feed(&r->http, p, len, &msg);
        if (head < 0) {
            snprintf(why, whylen, "%s", msg);
            return -1;
        }
        if (!r->http.done)
            return 0;
        if (http_check(w, r, why, whylen) < 0)
            return -1;
        p += head;
        len -= (size_t)head;
    }
    if (len > r->expect - r->got) {
        snprintf(why, whylen, "%llu bytes more than the %llu asked for",
                 (unsigned long long)(r->got + len - r->expect),
                 (unsigned long long)r->expect);
        return -1;
    }
    if (w->proto == PROTO_ECHO && !wire_echo_matches(w, seq, r->got, p, len)) {
        snprintf(why, whylen, "echo reply differs from the request");
        return -1;
    }
    r->got += len;
    return r->got == r->expect;
}
