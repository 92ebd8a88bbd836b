/* proto.h: the three wire protocols of perconn (docs/design.md section 5).
 *
 * The parsers are pure functions over a buffer: no I/O, no allocation, no
 * global state. The connection handler (conn.c) feeds them what it has read;
 * the unit tests and the fuzzers feed them anything at all.
 */
#ifndef PERCONN_PROTO_H
#define PERCONN_PROTO_H

#include <stdbool.h>
#include <stddef.h>

enum proto_kind { PROTO_ECHO, PROTO_SIZE, PROTO_HTTP };

/* Sets *out from "echo", "size" or "http"; returns 0, or -1 for any other name. */
int proto_from_name(const char *name, enum proto_kind *out);
/* The name of k ("echo", "size", "http"). */
const char *proto_name(enum proto_kind k);

/* ---- size: Stevens' protocol, "N\n" asks for N bytes --------------------- */

/* A size line longer than this (terminator included) is malformed. */
#define SIZE_LINE_MAX 24

/* Parses one size line ("4000\n" or "4000\r\n") at the start of buf.
 * Returns the bytes the line takes (> 0) and sets *n; 0 when buf holds only a
 * proper prefix of a line that may still turn out valid; -1 when the line is
 * malformed: empty, a byte other than a decimal digit, N == 0, N > max, or no
 * terminator within SIZE_LINE_MAX bytes. */
long proto_size_parse(const char *buf, size_t len, unsigned long max,
                      unsigned long *n);

/* ---- http: a strict HTTP/1.1 subset --------------------------------------- */

#define HTTP_MAX_TARGET 2048   /* longer request-target: 414 */
#define HTTP_MAX_HEAD   8192   /* request line + headers + blank line: else 431 */
#define HTTP_ROOT_BODY  64     /* bytes "GET /" returns */

enum http_method { HTTP_GET, HTTP_HEAD };

struct http_req {
    enum http_method method;
    int minor;                 /* HTTP/1.minor: 0 or 1 */
    bool keep_alive;           /* the connection stays open after the reply */
    unsigned long body_len;    /* bytes of the response body (sent unless HEAD) */
};

/* Parses one request at the start of buf. Returns the bytes it takes (> 0)
 * and fills *req; 0 when buf holds an incomplete request that may still be
 * valid (and is still within the limits above); or minus an HTTP status for a
 * request that is answered with that status and then closed:
 * -400 malformed, -404 a path other than "/" or "/N" with N <= max_body,
 * -405 a method other than GET or HEAD, -413 a request with a body,
 * -414 a target over HTTP_MAX_TARGET, -431 a head over HTTP_MAX_HEAD,
 * -505 an HTTP version other than 1.0 and 1.1. */
long proto_http_parse(const char *buf, size_t len, unsigned long max_body,
                      struct http_req *req);

/* Writes the head of the 200 response to req into out (at most cap bytes,
 * no NUL). Returns its length, or 0 when cap is too small. */
size_t proto_http_head(char *out, size_t cap, const struct http_req *req);

/* Writes a complete error response (status line, "Connection: close", empty
 * body) for status into out. Returns its length, or 0 when cap is too small. */
size_t proto_http_error(char *out, size_t cap, int status);

#endif
