/* conn.c: the life of one connection slot, inside one worker.
 *
 *   closed --connect()--> connecting --established--> open --request--> busy
 *     ^                       |                         ^                |
 *     |                       +--refused--> parked      +--reply, -r left+
 *     +--------------- close (-r reached, error, timeout) <--------------+
 *
 * Every socket is registered once, edge-triggered, for input and output,
 * and never modified: the slot's state says what an event means, which saves
 * an epoll_ctl per request. Edge-triggered means each handler reads or writes
 * until EAGAIN or until the request is complete; a reply byte beyond the
 * request's reply is a protocol error, so nothing is ever left unread.
 *
 * Who closes. Echo and size connections are closed by the client after the
 * reply to their last request (-r). Over http the last request carries
 * "Connection: close" and the server closes first, as it does for
 * wrk -H 'Connection: close': the client reads on past the reply until the
 * end of the stream, so the connection's TIME_WAIT lands on the server's
 * side, not on the client's ephemeral ports. (wrk itself closes as soon as
 * the reply is parsed, racing the server's FIN; reading to the end makes
 * the order certain, at the cost of one more wake-up when the FIN comes
 * after the reply's last segment.) The same holds when the server says
 * "Connection: close" on its own. While the client waits:
 * - bytes after the reply are a protocol error of that request: a server
 *   that keeps the connection open after "Connection: close" is wrong only
 *   if it goes on talking;
 * - a server that stays silent and open is not an error: after -T the
 *   client counts the request as completed (its reply was whole), closes,
 *   and counts the connection in kept_open;
 * - the request is counted when the stream ends (its latency is still
 *   measured to the reply's last byte, as wrk measures it).
 *
 * Accounting rules (the README repeats them):
 * - an attempt is recorded when it starts after the warmup (a request at its
 *   intended start with -R, a connection at connect());
 * - with -n, every recorded attempt counts against N: a request, or a
 *   failed connection attempt that carried none. So a run against a dead
 *   server ends, and requests + errors + unfinished + missed = N;
 * - a request that fails counts once, in the kind of its first error, and
 *   never in the latency histograms.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "conn.h"
#include "list.h"
#include "schedule.h"
#include "worker.h"

/* ---- the worker's lists: a slot is on at most one at a time ------------- */

/* The first slot on a non-empty list. */
static struct conn *first_conn(const struct link *l)
{
    return (struct conn *)list_first(l);    /* link is conn's first member */
}

void conn_lists_init(struct worker *w)
{
    list_init(&w->timeouts);
    list_init(&w->parked);
    list_init(&w->idle);
}

/* ---- small helpers ------------------------------------------------------- */

static bool can_issue(const struct worker *w)
{
    return w->quota == 0 || w->issued < w->quota;
}

static bool open_loop(const struct worker *w)
{
    return schedule_open(&w->sched);
}

static bool recording(const struct worker *w, int64_t t)
{
    return t >= w->warmup_end;
}

/* Whether the attempt in c is recorded: its request's, or its connection's. */
static bool attempt_rec(const struct conn *c)
{
    return c->has_req ? c->rec : c->rec_conn;
}

static void vcount_error(struct worker *w, enum err_kind kind, bool rec,
                         const char *fmt, va_list ap)
{
    if (!rec)
        return;
    w->st.errors[kind]++;
    atomic_fetch_add_explicit(&w->prog_errors, 1, memory_order_relaxed);
    if (w->st.first_error[kind][0] == '\0')
        vsnprintf(w->st.first_error[kind], sizeof w->st.first_error[kind],
                  fmt, ap);
}

/* Counts one error of kind when rec, keeping the first message of each. */
__attribute__((format(printf, 4, 5)))
static void count_error(struct worker *w, enum err_kind kind, bool rec,
                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vcount_error(w, kind, rec, fmt, ap);
    va_end(ap);
}

/* The attempt in c failed. Its request is over; an attempt without one
 * counts against -n all the same (the unit it reserved, see conn_start), so
 * that failing connects end a -n run. */
static void attempt_failed(struct worker *w, struct conn *c)
{
    if (c->has_req)
        c->has_req = false;
    else if (c->reserved)
        c->reserved = false;
    else if (c->rec_conn && w->quota && can_issue(w))
        w->issued++;
}

static void take_request(struct worker *w, struct conn *c, int64_t start)
{
    c->has_req = true;
    c->rec = recording(w, start);
    c->t_req = start;
    if (c->rec)
        w->issued++;
}

static void arm_timeout(struct worker *w, struct conn *c, int64_t now)
{
    c->deadline = now + w->timeout_ns;
    list_append(&w->timeouts, &c->link);    /* deadlines stay in order */
}

void conn_close(struct worker *w, struct conn *c)
{
    (void)w;
    list_remove(&c->link);
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    if (c->state != C_DONE)
        c->state = C_CLOSED;
}

/* A close the client chose; with_phase records the connection's lifetime. */
static void close_normal(struct worker *w, struct conn *c, int64_t now,
                         bool with_phase)
{
    if (with_phase && c->rec_conn)
        hist_record(w->st.lat[PHASE_CONNECTION], now - c->t_conn);
    conn_close(w, c);
}

static void slot_done(struct worker *w, struct conn *c)
{
    conn_close(w, c);
    c->state = C_DONE;
    w->active--;
}

static void conn_start(struct worker *w, struct conn *c, int64_t now);
static void next_open(struct worker *w, struct conn *c, int64_t now);

/* The request in c completed, its reply's last byte at t_last: counted. */
static void count_request(struct worker *w, struct conn *c, int64_t t_last)
{
    if (c->rec) {
        w->st.requests++;
        atomic_store_explicit(&w->prog_requests, w->st.requests,
                              memory_order_relaxed);
        hist_record(w->st.lat[PHASE_REQUEST], t_last - c->t_req);
    }
    c->has_req = false;
    c->reply_done = false;
    c->on_conn++;
}

/* Fails the attempt in c with an error of kind, closes it and replaces it. */
__attribute__((format(printf, 5, 6)))
static void conn_fail(struct worker *w, struct conn *c, enum err_kind kind,
                      int64_t now, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vcount_error(w, kind, attempt_rec(c), fmt, ap);
    va_end(ap);
    attempt_failed(w, c);
    conn_close(w, c);
    conn_next_closed(w, c, now);
}

static void fail_errno(struct worker *w, struct conn *c, enum err_kind kind,
                       const char *op, int e, int64_t now)
{
    char buf[96];
    conn_fail(w, c, kind, now, "%s %s: %s", op, w->target->text,
              sock_strerror(e, buf, sizeof buf));
}

/* ---- connecting ------------------------------------------------------------ */

static void park(struct worker *w, struct conn *c, int64_t now)
{
    if (list_empty(&w->parked)) {
        w->retry_at = now + w->backoff_ns;
        w->backoff_ns *= 2;
        if (w->backoff_ns > BACKOFF_MAX_NS)
            w->backoff_ns = BACKOFF_MAX_NS;
    }
    c->state = C_PARKED;
    list_append(&w->parked, &c->link);
}

static void connect_failed(struct worker *w, struct conn *c, int e,
                           enum sock_step step, uint32_t src, int64_t now)
{
    char buf[96], ip[INET_ADDRSTRLEN] = "?";
    struct in_addr a = {htonl(src)};
    /* The kernel's way of saying no local port is left for this target. */
    enum err_kind kind = e == EADDRNOTAVAIL || e == EADDRINUSE ? ERR_PORTS
                                                                : ERR_CONNECT;
    sock_strerror(e, buf, sizeof buf);
    if (step == SOCK_SOCKET)
        count_error(w, kind, attempt_rec(c), "socket: %s", buf);
    else if (step == SOCK_BIND)
        count_error(w, kind, attempt_rec(c), "bind %s: %s",
                    inet_ntop(AF_INET, &a, ip, sizeof ip), buf);
    else
        count_error(w, kind, attempt_rec(c), "connect %s: %s",
                    w->target->text, buf);
    attempt_failed(w, c);
    conn_close(w, c);
    park(w, c, now);
}

static void req_begin(struct worker *w, struct conn *c, int64_t now);

static void established(struct worker *w, struct conn *c, int64_t now)
{
    list_remove(&c->link);
    c->state = C_OPEN;
    w->backoff_ns = BACKOFF_MIN_NS;
    if (c->reserved) {
        c->reserved = false;
        w->issued--;
    }
    if (c->rec_conn) {
        w->st.connections++;
        hist_record(w->st.lat[PHASE_CONNECT], now - c->t_conn);
    }
    if (c->has_req)
        req_begin(w, c, now);
    else
        next_open(w, c, now);
}

static void conn_start(struct worker *w, struct conn *c, int64_t now)
{
    uint32_t src = 0;
    int done = 0, fd;
    enum sock_step step;
    if (w->src_count) {
        src = w->cfg->source_first + w->src_next;
        if (++w->src_next == w->src_count)
            w->src_next = 0;
    }
    c->t_conn = now;
    c->rec_conn = recording(w, now);
    c->on_conn = 0;
    /* A connect that carries no request (-R with -r != 1) holds one unit of
     * -n while it is pending: should it fail, it is a failed attempt, and the
     * unit must not have been handed to a request meanwhile. */
    if (!c->has_req && c->rec_conn && w->quota) {
        c->reserved = true;
        w->issued++;
    }
    fd = sock_connect(w->target, src, &done, &step);
    if (fd < 0) {
        connect_failed(w, c, errno, step, src, now);
        return;
    }
    struct epoll_event ev = {
        .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
        .data.ptr = c,
    };
    if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
        int e = errno;
        close(fd);
        connect_failed(w, c, e, SOCK_SOCKET, src, now);
        return;
    }
    c->fd = fd;
    c->state = C_CONNECTING;
    arm_timeout(w, c, now);
    if (done)
        established(w, c, now);
}

void conn_next_closed(struct worker *w, struct conn *c, int64_t now)
{
    c->state = C_CLOSED;
    if (w->stopping || !can_issue(w)) {
        slot_done(w, c);
        return;
    }
    if (open_loop(w)) {
        if (w->cfg->requests_per_conn == 1)
            list_append(&w->idle, &c->link);    /* connect when one is due */
        else
            conn_start(w, c, now);              /* be ready before it is */
        return;
    }
    /* Closed loop: every connection carries a request from the start, so
     * that a failed connect is a failed request. */
    take_request(w, c, now);
    conn_start(w, c, now);
}

/* c is connected and has nothing to do. */
static void next_open(struct worker *w, struct conn *c, int64_t now)
{
    c->state = C_OPEN;
    if (w->stopping || !can_issue(w)) {
        close_normal(w, c, now, false);
        slot_done(w, c);
        return;
    }
    if (open_loop(w)) {
        list_append(&w->idle, &c->link);
        return;
    }
    take_request(w, c, now);
    req_begin(w, c, now);
}

/* ---- one request ----------------------------------------------------------- */

/* Sends what the socket takes. Returns 0, or -1 when c failed (and was
 * replaced: it is no longer the same connection). */
static int conn_write(struct worker *w, struct conn *c, int64_t now)
{
    uint64_t len = wire_request_len(w->wire, c->last);
    while (c->wr_off < len) {
        size_t n;
        const void *p = wire_request_at(w->wire, c->last, c->seq, c->wr_off,
                                        &n);
        ssize_t k = send(c->fd, p, n, MSG_NOSIGNAL);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                return 0;
            fail_errno(w, c, ERR_WRITE, "write", errno, now);
            return -1;
        }
        if (c->wr_off == 0)
            c->t_sent = clock_ns();
        c->wr_off += (uint64_t)k;
        if (recording(w, now))
            w->st.bytes_sent += (uint64_t)k;
    }
    return 0;
}

static void req_begin(struct worker *w, struct conn *c, int64_t now)
{
    long r = w->cfg->requests_per_conn;
    c->state = C_BUSY;
    c->seq = w->seq++;
    c->last = r > 0 && (uint64_t)c->on_conn + 1 >= (uint64_t)r;
    c->reply_done = false;
    c->wr_off = 0;
    c->got_first = false;
    wire_reply_begin(w->wire, &c->reply);
    if (!open_loop(w))
        c->t_req = now;
    arm_timeout(w, c, now);
    /* The first write waits for the end of this round of events, then every
     * request begun in the round leaves together (conn_flush), as wrk's do:
     * a server then finds several requests ready per wake-up instead of one,
     * which is how a loaded server is driven. The wait is the time to handle
     * the rest of the round: microseconds, and inside the request's latency.
     * (A slot can be queued twice only by failing and reconnecting within
     * one round; should the queue ever be full, the write goes now.) */
    if (w->npending == w->pending_cap)
        conn_write(w, c, now);
    else
        w->pending[w->npending++] = c;
}

void conn_flush(struct worker *w)
{
    int64_t now = clock_ns();
    for (long i = 0; i < w->npending; i++) {
        struct conn *c = w->pending[i];
        /* The slot may have failed or closed since (a timeout, a reset). */
        if (c->state == C_BUSY && c->wr_off == 0)
            conn_write(w, c, now);
    }
    w->npending = 0;
}

/* Takes n reply bytes. Returns 1 when the reply is complete, 0 when more is
 * to come, -1 when it is wrong (*why says how). */
static int consume(struct worker *w, struct conn *c, const char *buf,
                   size_t n, const char **why)
{
    *why = w->why;
    if (c->reply_done) {
        snprintf(w->why, sizeof w->why, "%zu bytes after the reply to a "
                 "\"Connection: close\" request", n);
        return -1;
    }
    int r = wire_reply_feed(w->wire, &c->reply, c->seq, buf, n, w->why,
                            sizeof w->why);
    if (r <= 0)
        return r;
    if (c->wr_off < wire_request_len(w->wire, c->last)) {
        *why = "a complete reply before the request was sent";
        return -1;
    }
    return 1;
}

/* Whether the server ends c after this reply (see the top of this file). */
static bool server_closes(const struct worker *w, const struct conn *c)
{
    return w->wire->proto == PROTO_HTTP && (c->last || c->reply.http.close);
}

/* The reply in c is complete and correct, at now. */
static void req_done(struct worker *w, struct conn *c, int64_t now)
{
    list_remove(&c->link);
    count_request(w, c, now);
    if (c->last) {
        close_normal(w, c, now, true);
        conn_next_closed(w, c, now);
    } else {
        next_open(w, c, now);
    }
}

/* The server closed c after a complete reply, as asked (or, at the -T
 * deadline, did not): the request is done and so is the connection. */
static void reply_closed(struct worker *w, struct conn *c, int64_t now)
{
    list_remove(&c->link);
    count_request(w, c, c->t_last);
    close_normal(w, c, now, true);
    conn_next_closed(w, c, now);
}

static void short_reply(struct worker *w, struct conn *c, int64_t now)
{
    /* Not one byte of reply: the server closed the connection instead of
     * answering (a refused spawn, a drain racing a keep-alive request). That
     * is told apart from a reply cut short, which a server must never send. */
    if (!c->got_first)
        conn_fail(w, c, ERR_CLOSED, now,
                  "%s closed the connection before replying", w->target->text);
    else if (w->wire->proto == PROTO_HTTP && !c->reply.http.done)
        conn_fail(w, c, ERR_PROTOCOL, now,
                  "reply from %s: short: the peer closed before the end of "
                  "the http head", w->target->text);
    else
        conn_fail(w, c, ERR_PROTOCOL, now,
                  "reply from %s: short: the peer closed after %llu of %llu "
                  "bytes", w->target->text, (unsigned long long)c->reply.got,
                  (unsigned long long)c->reply.expect);
}

static void conn_read(struct worker *w, struct conn *c, int64_t now)
{
    for (;;) {
        ssize_t k = recv(c->fd, w->rbuf, sizeof w->rbuf, 0);
        if (k > 0) {
            int64_t t = clock_ns();
            const char *why = NULL;
            if (recording(w, t))
                w->st.bytes_received += (uint64_t)k;
            if (!c->got_first) {
                c->got_first = true;
                if (c->rec)
                    hist_record(w->st.lat[PHASE_FIRST_BYTE], t - c->t_sent);
            }
            int r = consume(w, c, w->rbuf, (size_t)k, &why);
            if (r < 0) {
                conn_fail(w, c, ERR_PROTOCOL, t, "reply from %s: %s",
                          w->target->text, why);
                return;
            }
            if (r > 0 && !server_closes(w, c)) {
                req_done(w, c, t);
                return;
            }
            if (r > 0) {
                /* Read on: the end of the stream may be here already, and
                 * edge-triggered epoll would not say so again. */
                c->reply_done = true;
                c->t_last = t;
            }
            continue;
        }
        if (k == 0) {
            if (c->reply_done)
                reply_closed(w, c, clock_ns());
            else
                short_reply(w, c, now);
            return;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN)
            fail_errno(w, c, ERR_READ, "read", errno, now);
        return;
    }
}

/* Input on a connection with no request: the server ended it (an idle
 * timeout, a drain), which is no error, or it sent what nobody asked for. */
static void idle_input(struct worker *w, struct conn *c, int64_t now)
{
    ssize_t k = recv(c->fd, w->rbuf, sizeof w->rbuf, 0);
    if (k > 0) {
        conn_fail(w, c, ERR_PROTOCOL, now,
                  "%s sent %zd bytes between requests", w->target->text, k);
        return;
    }
    if (k < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (c->rec_conn)
        w->st.peer_closed++;
    close_normal(w, c, now, false);
    conn_next_closed(w, c, now);
}

void conn_event(struct worker *w, struct conn *c, uint32_t ev)
{
    int64_t now = clock_ns();
    const uint32_t in = EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP;
    const uint32_t out = EPOLLOUT | EPOLLERR | EPOLLHUP;
    switch (c->state) {
    case C_CONNECTING:
        if (ev & out) {
            int e = sock_error(c->fd);
            if (e == 0 && !(ev & EPOLLOUT))
                e = ECONNRESET;
            if (e != 0)
                connect_failed(w, c, e, SOCK_CONNECT, 0, now);
            else
                established(w, c, now);
        }
        return;
    case C_BUSY:
        if ((ev & out) && c->wr_off < wire_request_len(w->wire, c->last) &&
            conn_write(w, c, now) < 0)
            return;
        if (ev & in)
            conn_read(w, c, now);
        return;
    case C_OPEN:
        if (ev & in)
            idle_input(w, c, now);
        return;
    default:
        return;
    }
}

/* ---- timers ------------------------------------------------------------------ */

static void expire(struct worker *w, int64_t now)
{
    while (!list_empty(&w->timeouts)) {
        struct conn *c = first_conn(&w->timeouts);
        if (c->deadline > now)
            return;
        if (c->state == C_BUSY && c->reply_done) {
            if (c->rec)
                w->st.kept_open++;
            reply_closed(w, c, now);
        } else if (c->state == C_CONNECTING) {
            conn_fail(w, c, ERR_TIMEOUT, now,
                      "connect %s: no answer within %g s", w->target->text,
                      w->cfg->timeout_s);
        } else {
            conn_fail(w, c, ERR_TIMEOUT, now,
                      "request to %s: no complete reply within %g s",
                      w->target->text, w->cfg->timeout_s);
        }
    }
}

void conn_finish(struct worker *w, struct conn *c)
{
    if (c->has_req && c->reply_done)
        count_request(w, c, c->t_last);
    else if (c->has_req && c->rec)
        w->st.unfinished++;
    conn_close(w, c);
}

static void unpark(struct worker *w, int64_t now)
{
    struct link batch;
    /* Take the whole list first: a retry that fails at once parks again. */
    list_take(&batch, &w->parked);
    while (!list_empty(&batch)) {
        struct conn *c = first_conn(&batch);
        list_remove(&c->link);
        conn_next_closed(w, c, now);
    }
}

static void dispatch(struct worker *w, int64_t now)
{
    while (w->sched.next_due <= now && can_issue(w) &&
           !list_empty(&w->idle)) {
        struct conn *c = first_conn(&w->idle);
        list_remove(&c->link);
        take_request(w, c, w->sched.next_due);
        schedule_advance(&w->sched);
        if (c->state == C_OPEN)
            req_begin(w, c, now);
        else
            conn_start(w, c, now);
    }
    while (!can_issue(w) && !list_empty(&w->idle)) {
        struct conn *c = first_conn(&w->idle);
        close_normal(w, c, now, false);
        slot_done(w, c);
    }
}

void conn_tick(struct worker *w, int64_t now)
{
    expire(w, now);
    if (!list_empty(&w->parked) && now >= w->retry_at)
        unpark(w, now);
    if (open_loop(w))
        dispatch(w, now);
}

int64_t conn_next_wake(const struct worker *w)
{
    int64_t t = w->end;
    if (!list_empty(&w->timeouts) && first_conn(&w->timeouts)->deadline < t)
        t = first_conn(&w->timeouts)->deadline;
    if (!list_empty(&w->parked) && w->retry_at < t)
        t = w->retry_at;
    if (open_loop(w) && !list_empty(&w->idle) && can_issue(w) &&
        w->sched.next_due < t)
        t = w->sched.next_due;
    return t;
}

uint64_t conn_count_missed(struct worker *w, int64_t stop)
{
    /* The requests still to come that were due after the warmup. */
    uint64_t missed = schedule_count(&w->sched, w->warmup_end, stop);
    if (w->quota) {
        uint64_t left = w->quota > w->issued ? w->quota - w->issued : 0;
        if (missed > left)
            missed = left;
        w->issued += missed;
    }
    return missed;
}
