/* worker.h: the data engine.c (the threads) and conn.c (the connections)
 * share: a worker and its connection slots. No functions: engine.c sets a
 * worker up and runs its loop, conn.c drives the slots (conn.h). Nothing
 * but those two and conn.h includes it. */
#ifndef CLIENT_WORKER_H
#define CLIENT_WORKER_H

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "list.h"
#include "run_stats.h"
#include "schedule.h"
#include "sock.h"
#include "wire.h"

/* After a failed connect, a worker waits before trying again, doubling the
 * wait up to the maximum while the failures go on: a dead server costs a few
 * wake-ups a second, not a spinning CPU. */
#define BACKOFF_MIN_NS   1000000LL      /* 1 ms */
#define BACKOFF_MAX_NS 250000000LL      /* 250 ms */

enum conn_state {
    C_CLOSED,       /* no socket */
    C_CONNECTING,   /* connect() in progress: on the timeout list */
    C_BUSY,         /* a request in progress: on the timeout list */
    C_OPEN,         /* connected, no request (-R: on the idle list) */
    C_PARKED,       /* no socket, waiting out a connect backoff */
    C_DONE,         /* the slot has no more work */
};

/* One connection slot. Small: 10,000 of them are ~1.5 MB. */
struct conn {
    struct link link;           /* first: a link is a conn */
    int fd;
    uint8_t state;
    bool has_req;               /* a request is assigned to this slot */
    bool rec;                   /* ... and it started after the warmup */
    bool rec_conn;              /* the connection started after the warmup */
    bool got_first;
    bool reserved;              /* -R: a connect without a request holds one
                                   unit of -n until it is established */
    bool last;                  /* the request is the connection's last */
    bool reply_done;            /* http: the reply is complete, the server's
                                   close is awaited (see conn.c) */
    uint32_t seq;               /* request number, for the echo pattern */
    uint32_t on_conn;           /* requests completed on this connection */
    int64_t t_conn;             /* connect() called */
    int64_t t_req;              /* request start: intended start with -R */
    int64_t t_sent;             /* first request bytes handed to the kernel */
    int64_t t_last;             /* last reply byte, while reply_done */
    int64_t deadline;           /* timeout, while on the timeout list */
    uint64_t wr_off;            /* request bytes sent */
    struct wire_reply reply;
};

struct worker {
    /* Set before the thread starts, read-only after. */
    long id;
    const struct client_cfg *cfg;
    const struct sock_target *target;
    const struct wire *wire;
    int ep;
    int done_fd;
    pthread_t thread;
    long nconns;
    struct conn *conns;
    int64_t warmup_end, end, timeout_ns;
    uint64_t quota;             /* this worker's share of -n; 0: none */
    uint32_t src_count;         /* --source addresses */

    /* The loop's own state. */
    struct link timeouts;       /* by deadline: every timeout is -T long */
    struct link parked;
    struct link idle;           /* -R: slots ready for the next due request */
    struct conn **pending;      /* requests begun, first write not yet sent */
    long npending, pending_cap;
    uint64_t issued;            /* recorded attempts, against quota */
    struct schedule sched;      /* -R: when the next request is due */
    int64_t retry_at;
    int64_t backoff_ns;
    uint32_t src_next;
    uint32_t seq;
    long active;                /* slots not C_DONE */
    bool stopping;
    char fatal[160];            /* a reason the loop could not go on */
    char why[128];              /* the text of the last protocol error */
    struct run_stats st;

    /* Read by the main thread for the progress line. */
    alignas(64) _Atomic uint64_t prog_requests;
    _Atomic uint64_t prog_errors;

    alignas(64) char rbuf[WIRE_CHUNK];
};

#endif
