/* conn.c: see conn.h.
 *
 * The handler uses blocking I/O, as a classic per-connection server does;
 * that is the point of the comparison. Before each read it polls the socket
 * and the drain pipe together: one system call that serves --idle-timeout
 * and lets a drain close idle connections without signals aimed at threads
 * or children. */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "conn.h"
#include "log.h"
#include "proto.h"
#include "work.h"

/* Room for the largest http head plus pipelined requests behind it. */
#define CONN_BUF (2 * HTTP_MAX_HEAD)
/* Bytes of the response pattern sent per write for size and http bodies. */
#define FILL_LEN 65536

static char fill[FILL_LEN];          /* all 'x': replies carry no meaning */

void conn_init(void)
{
    memset(fill, 'x', sizeof fill);
}

enum wait_result { WAIT_READABLE, WAIT_IDLE, WAIT_DRAIN, WAIT_ERROR, WAIT_ABORT };

/* Waits for fd to have input until deadline (0: no deadline). A drain ends
 * the wait only when no request is half received (partial == false): that
 * one is given time to complete. */
static enum wait_result wait_input(int fd, const struct conn_env *env,
                                   bool partial, double deadline)
{
    struct pollfd p[3] = {
        {.fd = fd, .events = POLLIN},
        {.fd = partial ? -1 : env->drain_fd, .events = POLLIN},
        {.fd = env->intr_fd, .events = POLLIN},
    };
    for (;;) {
        int timeout_ms = -1;
        if (deadline > 0) {
            double left = deadline - clock_s();
            if (left <= 0)
                return WAIT_IDLE;
            timeout_ms = (int)(left * 1000) + 1;
        }
        int n = poll(p, 3, timeout_ms);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return WAIT_ERROR;
        if (n == 0)
            continue;               /* the deadline check above decides */
        if (p[2].revents && env->on_intr(env->intr_ctx))
            return WAIT_ABORT;
        /* on_intr may have begun a drain: poll again to see it. */
        if (p[2].revents && !p[0].revents && !p[1].revents)
            continue;
        if (p[0].revents)
            return WAIT_READABLE;   /* data, EOF or an error: read() tells */
        return WAIT_DRAIN;
    }
}

/* Writes all of buf; returns 0, or -1 when the peer is gone. */
static int write_all(int fd, const char *buf, size_t len, struct stats *st)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        stats_add(st->bytes_out, (unsigned long)n);
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Sends head (may be empty) followed by body_len bytes of the fill pattern. */
static int send_reply(int fd, const char *head, size_t head_len,
                      unsigned long body_len, struct stats *st)
{
    /* The head and the first part of the body leave in one writev, so a
     * small http reply is one system call. */
    size_t first = body_len < FILL_LEN ? body_len : FILL_LEN;
    struct iovec iov[2] = {
        {.iov_base = (void *)head, .iov_len = head_len},
        {.iov_base = fill, .iov_len = first},
    };
    ssize_t n;
    do
        n = writev(fd, iov, 2);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    stats_add(st->bytes_out, (unsigned long)n);
    size_t sent = (size_t)n;
    if (sent < head_len)
        return write_all(fd, head + sent, head_len - sent, st) < 0 ? -1 :
               send_reply(fd, "", 0, body_len, st);
    unsigned long left = body_len - (sent - head_len);
    while (left > 0) {
        size_t chunk = left < FILL_LEN ? left : FILL_LEN;
        if (write_all(fd, fill, chunk, st) < 0)
            return -1;
        left -= chunk;
    }
    return 0;
}

/* Whether SIGINT/SIGTERM began a drain: requests then get their reply and
 * the connection closes after it. */
static bool draining(const struct conn_env *env)
{
    return atomic_load_explicit(&env->stats->draining, memory_order_relaxed);
}

/* --sleep-us with an intr_fd: a sleep that still hears on_intr. Returns
 * true when on_intr said to end the connection. */
static bool sleep_intr(const struct conn_env *env, long us)
{
    int64_t end = clock_ns() + (int64_t)us * 1000;
    for (;;) {
        int64_t left_ns = end - clock_ns();
        if (left_ns < 0)
            return false;
        struct timespec left = clock_span(left_ns);
        struct pollfd p = {.fd = env->intr_fd, .events = POLLIN};
        if (ppoll(&p, 1, &left, NULL) > 0 && env->on_intr(env->intr_ctx))
            return true;
    }
}

/* The per-request workload of --work-us and --sleep-us. Returns true when
 * on_intr said to end the connection. */
static bool do_work(const struct conn_env *env)
{
    work_spin(env->cfg->work_us, env->loops_per_us);
    if (env->cfg->sleep_us <= 0)
        return false;
    if (env->intr_fd >= 0)
        return sleep_intr(env, env->cfg->sleep_us);
    work_sleep(env->cfg->sleep_us);
    return false;
}

/* What handling the buffered bytes decided: read more, close, close after
 * letting the peer read our last reply (see linger_close), or end at once
 * (on_intr's say-so). */
enum step { STEP_MORE, STEP_CLOSE, STEP_LINGER, STEP_ABORT };

/* Closing a socket with unread input makes the kernel send RST, and a reset
 * can destroy a reply the peer has not read yet (the error status it must
 * see). So when input may be pending, half-close first and read the rest away
 * for a short while, as web servers' "lingering close" does. Bounded in time
 * and bytes, so a peer cannot keep the connection this way. */
#define LINGER_MS 1000
#define LINGER_BYTES (1 << 20)

static void linger_close(int fd)
{
    char sink[4096];
    size_t total = 0;
    if (shutdown(fd, SHUT_WR) < 0)
        return;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (total < LINGER_BYTES && poll(&p, 1, LINGER_MS) > 0) {
        ssize_t n = read(fd, sink, sizeof sink);
        if (n <= 0)
            break;
        total += (size_t)n;
    }
}

/* echo: one "request" is one read, written straight back. */
static enum step serve_echo(int fd, const struct conn_env *env,
                            const char *buf, size_t *len)
{
    if (do_work(env))
        return STEP_ABORT;
    int rc = write_all(fd, buf, *len, env->stats);
    *len = 0;
    return rc < 0 ? STEP_CLOSE : STEP_MORE;
}

/* size: answer every complete "N\n" line in buf. */
static enum step serve_size(int fd, const struct conn_env *env, char *buf,
                            size_t *len)
{
    size_t off = 0;
    enum step step = STEP_MORE;
    while (off < *len) {
        unsigned long n;
        long r = proto_size_parse(buf + off, *len - off,
                                  env->cfg->max_response, &n);
        if (r == 0)
            break;
        if (r < 0) {
            stats_add(env->stats->protocol_errors, 1);
            step = STEP_LINGER;
            break;
        }
        off += (size_t)r;
        if (do_work(env)) {
            step = STEP_ABORT;
            break;
        }
        if (send_reply(fd, "", 0, n, env->stats) < 0) {
            step = STEP_CLOSE;
            break;
        }
        stats_add(env->stats->requests, 1);
    }
    memmove(buf, buf + off, *len - off);
    *len -= off;
    return step;
}

/* http: answer every complete request in buf, in order. */
static enum step serve_http(int fd, const struct conn_env *env, char *buf,
                            size_t *len)
{
    size_t off = 0;
    enum step step = STEP_MORE;
    char head[256];
    while (off < *len) {
        struct http_req req;
        long r = proto_http_parse(buf + off, *len - off,
                                  env->cfg->max_response, &req);
        if (r == 0)
            break;
        if (r < 0) {
            size_t n = proto_http_error(head, sizeof head, (int)-r);
            stats_add(env->stats->protocol_errors, 1);
            write_all(fd, head, n, env->stats);
            step = STEP_LINGER;
            break;
        }
        off += (size_t)r;
        if (draining(env))
            req.keep_alive = false;     /* the reply says "Connection: close" */
        if (do_work(env)) {
            step = STEP_ABORT;
            break;
        }
        size_t hl = proto_http_head(head, sizeof head, &req);
        unsigned long body = req.method == HTTP_HEAD ? 0 : req.body_len;
        if (send_reply(fd, head, hl, body, env->stats) < 0) {
            step = STEP_CLOSE;
            break;
        }
        stats_add(env->stats->requests, 1);
        if (!req.keep_alive) {
            /* Requests pipelined behind a "Connection: close" go unanswered. */
            step = *len > off ? STEP_LINGER : STEP_CLOSE;
            break;
        }
    }
    memmove(buf, buf + off, *len - off);
    *len -= off;
    return step;
}

static enum step serve_buffered(int fd, const struct conn_env *env, char *buf,
                                size_t *len)
{
    switch (env->cfg->protocol) {
    case PROTO_ECHO:
        return serve_echo(fd, env, buf, len);
    case PROTO_SIZE:
        return serve_size(fd, env, buf, len);
    case PROTO_HTTP:
        return serve_http(fd, env, buf, len);
    }
    return STEP_CLOSE;
}

void conn_serve(int fd, const struct conn_env *env)
{
    char buf[CONN_BUF];
    size_t len = 0;
    bool linger = false;
    /* --idle-timeout runs from the connection's start and from each answered
     * request, not from each byte: a peer trickling a request one byte at a
     * time (slowloris) is idle too, and is closed. */
    double idle = env->cfg->idle_timeout_s;
    double deadline = idle > 0 ? clock_s() + idle : 0;
    for (;;) {
        enum wait_result w = wait_input(fd, env, len > 0, deadline);
        if (w == WAIT_ABORT) {
            close(fd);
            return;
        }
        if (w == WAIT_IDLE)
            stats_add(env->stats->idle_timeouts, 1);
        if (w != WAIT_READABLE)
            break;
        ssize_t n = read(fd, buf + len, sizeof buf - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;          /* EOF, or the peer reset: the connection is over */
        stats_add(env->stats->bytes_in, (unsigned long)n);
        len += (size_t)n;
        size_t before = len;
        enum step step = serve_buffered(fd, env, buf, &len);
        if (idle > 0 && len < before)   /* bytes consumed: a request answered */
            deadline = clock_s() + idle;
        if (step == STEP_MORE && len == 0 && draining(env)) {
            /* A drain began: answer what has already arrived, then close,
             * so a client that keeps sending cannot keep the server up. */
            n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
            if (n > 0) {
                stats_add(env->stats->bytes_in, (unsigned long)n);
                len = (size_t)n;
                step = serve_buffered(fd, env, buf, &len);
            }
            if (step == STEP_MORE)
                step = len > 0 ? STEP_LINGER : STEP_CLOSE;
        }
        if (step == STEP_ABORT) {
            close(fd);
            return;
        }
        if (step == STEP_LINGER)
            linger = true;
        if (step != STEP_MORE)
            break;
    }
    /* Counted before the peer can see the end of the connection (the FIN of
     * linger_close's shutdown, or close), so a client that has seen it finds
     * the connection in the accounting. */
    stats_add(env->stats->completed, 1);
    /* In a drain the peer may have sent its next request already: closing on
     * it unread would reset the connection and could destroy the last reply. */
    if (linger || draining(env))
        linger_close(fd);
    if (log_verbosity() > 0)
        log_notice("connection %d closed", fd);
    close(fd);
}
