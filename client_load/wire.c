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
    return 0;
}

uint64_t wire_request_len(const struct wire *w)
{
    return w->proto == PROTO_ECHO ? w->size : w->text_len;
}

const void *wire_request_at(const struct wire *w, uint32_t seq, uint64_t off,
                            size_t *len)
{
    uint64_t left = wire_request_len(w) - off;
    *len = left < WIRE_CHUNK ? (size_t)left : WIRE_CHUNK;
    if (w->proto != PROTO_ECHO)
        return w->text + off;
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

long wire_http_feed(struct wire_http *p, const char *buf, size_t len,
                    const char **why)
{
    size_t i = 0;
    while (i < len && !p->done) {
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
