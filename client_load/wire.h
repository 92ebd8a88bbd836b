/* wire.h: the client's side of the three protocols (docs/design.md section 5):
 * what a request is, and how a reply is checked. Pure functions over
 * buffers; the engine does the I/O. */
#ifndef CLIENT_WIRE_H
#define CLIENT_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* Echo payloads repeat a 251-byte pattern started at a per-request offset,
 * so that a reply to another request (or a shifted one) does not compare
 * equal. The buffer holds enough of the pattern for any chunk up to
 * WIRE_CHUNK bytes from any offset. */
#define WIRE_PERIOD 251
#define WIRE_CHUNK  65536

struct wire {
    enum proto_kind proto;
    uint64_t size;              /* echo: bytes sent; size/http: bytes asked */
    char text[512];             /* the size or http request */
    size_t text_len;
    char text_last[512];        /* http: the same with "Connection: close" */
    size_t text_last_len;
    unsigned char pattern[WIRE_CHUNK + 2 * WIRE_PERIOD];
};

/* Prepares the requests for proto and size; host is the Host: header value.
 * Returns 0, or -1 when the http request would not fit. */
int wire_init(struct wire *w, enum proto_kind proto, uint64_t size,
              const char *host);

/* A request is "last" when its connection ends after it (-r 1, or the R-th
 * of -r R). Over http the last request says "Connection: close", so that
 * the server closes first, as with wrk -H 'Connection: close'; echo and
 * size requests are the same either way (the client closes). */

/* Bytes in one request. */
uint64_t wire_request_len(const struct wire *w, bool last);

/* The request bytes of request seq from offset off (off < the request's
 * length): returns a pointer and sets *len (> 0, at most WIRE_CHUNK) to how
 * many may be sent from it. */
const void *wire_request_at(const struct wire *w, bool last, uint32_t seq,
                            uint64_t off, size_t *len);

/* Echo: whether buf (len <= WIRE_CHUNK) equals the bytes of request seq at
 * offset off. */
bool wire_echo_matches(const struct wire *w, uint32_t seq, uint64_t off,
                       const void *buf, size_t len);

/* ---- http responses: an incremental parser of the head ------------------ */

#define WIRE_HTTP_MAX_HEAD 16384

/* Parser state; zero it (or wire_http_reset) before each response. */
struct wire_http {
    uint64_t content_length;
    uint16_t status;
    uint16_t pos;               /* bytes of head consumed */
    uint8_t state;
    uint8_t idx;                /* position in the token being matched */
    uint8_t cand;               /* header names still matching */
    uint8_t header;             /* the header whose value is being read */
    bool have_length;
    bool close;                 /* "Connection: close": the server ends it */
    bool done;                  /* the head is complete */
    bool value_digits;
};

void wire_http_reset(struct wire_http *p);

/* Feeds len bytes of a response to p. Returns how many belong to the head
 * (all of them unless p->done became true; the rest is body), or -1 when
 * the head is malformed or uses something this client does not speak
 * (chunked transfer coding); *why then names the problem. */
long wire_http_feed(struct wire_http *p, const char *buf, size_t len,
                    const char **why);

/* ---- checking a whole reply -------------------------------------------- */

/* One reply being received; wire_reply_begin before each request. */
struct wire_reply {
    struct wire_http http;      /* http: the head */
    uint64_t expect;            /* body bytes expected (http: once the head
                                   is done) */
    uint64_t got;               /* body bytes received */
};

void wire_reply_begin(const struct wire *w, struct wire_reply *r);

/* Feeds the next len bytes of the reply to request seq. Returns 1 when they
 * complete the reply exactly, 0 when more is to come, or -1 when the reply
 * is wrong, why (whylen bytes) then saying how: a malformed http head, a
 * status other than 2xx, no or another Content-Length than the size asked,
 * more bytes than the reply has (extra bytes), echo bytes that differ from
 * the request's. Not to be called again after it returned 1 or -1. */
int wire_reply_feed(const struct wire *w, struct wire_reply *r, uint32_t seq,
                    const void *buf, size_t len, char *why, size_t whylen);

#endif
