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
};

/* Prepares what handlers share (the reply pattern). Called once, before the
 * first connection. */
void conn_init(void);

/* Serves the connection on fd (a blocking socket) in cfg's protocol until the
 * peer closes, a protocol error, --idle-timeout, or a drain while the
 * connection is idle; counts what happened in env->stats; closes fd. */
void conn_serve(int fd, const struct conn_env *env);

#endif
