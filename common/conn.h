/* conn.h: the connection handler, the same code in both models. */
#ifndef PERCONN_CONN_H
#define PERCONN_CONN_H

#include "opts.h"
#include "stats.h"

/* What every handler shares; set up once before the first connection and
 * read-only afterwards (stats excepted, whose counters are atomic). */
struct conn_env {
    const struct server_cfg *cfg;
    struct stats *stats;
    int drain_fd;          /* becomes readable, for good, when the server drains */
    double loops_per_us;   /* work_calibrate's figure for --work-us */
    /* --iterative: the accept loop itself serves, so it must still hear
     * signals while it does. When intr_fd >= 0 the handler also polls it
     * while it waits for input or sleeps (--sleep-us), and calls
     * on_intr(intr_ctx) when it is readable; on_intr returns true when the
     * connection must end at once, unserved. -1 in the other modes. */
    int intr_fd;
    bool (*on_intr)(void *ctx);
    void *intr_ctx;
};

/* Prepares what handlers share (the reply pattern). Called once, before the
 * first connection. */
void conn_init(void);

/* Serves the connection on fd (a blocking socket) in cfg's protocol until the
 * peer closes, a protocol error, --idle-timeout, a drain while the
 * connection is idle, or on_intr's say-so; counts what happened in
 * env->stats (a connection ended by on_intr is not "completed"); closes fd. */
void conn_serve(int fd, const struct conn_env *env);

#endif
