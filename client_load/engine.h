/* engine.h: the load engine. -t worker threads, each an epoll loop over its
 * share of the -c connections, each with its own counters and histograms;
 * nothing is shared on the hot path, and the results are merged after join.
 */
#ifndef CLIENT_ENGINE_H
#define CLIENT_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "hist.h"
#include "sock.h"

enum phase {
    PHASE_CONNECT,              /* connect() to established */
    PHASE_FIRST_BYTE,           /* request sent to first response byte */
    PHASE_REQUEST,              /* request start (intended, -R) to last byte */
    PHASE_CONNECTION,           /* connect() to close, -r != 0 */
    PHASE_COUNT
};

enum err_kind {
    ERR_CONNECT,                /* refused, unreachable, reset in handshake */
    ERR_READ,                   /* recv() failed (reset) */
    ERR_WRITE,                  /* send() failed (reset, broken pipe) */
    ERR_TIMEOUT,                /* connect or request slower than -T */
    ERR_PROTOCOL,               /* short, extra or wrong reply */
    ERR_PORTS,                  /* EADDRNOTAVAIL/EADDRINUSE: ports exhausted */
    ERR_CLOSED,                 /* closed before the first reply byte */
    ERR_COUNT
};

/* Everything a run measured. Filled per worker, then merged. */
struct run_stats {
    struct hist *lat[PHASE_COUNT];
    uint64_t requests;          /* completed with a correct reply */
    uint64_t connections;       /* established */
    uint64_t bytes_sent;
    uint64_t bytes_received;
    uint64_t errors[ERR_COUNT];
    uint64_t unfinished;        /* requests in flight when the run stopped */
    uint64_t missed;            /* -R: due before the stop, never sent */
    uint64_t peer_closed;       /* idle keep-alive connections the server ended */
    uint64_t kept_open;         /* http: connections the server had not closed
                                   -T after its reply to "Connection: close"
                                   (the client closed them; not errors) */
    char first_error[ERR_COUNT][160];   /* the first error of each kind */
    double elapsed_s;           /* the recorded period: after warmup to stop */
};

/* Readable names: "connect", "first_byte", ... and "connect", "read", ... */
const char *engine_phase_name(enum phase p);
const char *engine_err_name(enum err_kind k);

/* Allocates the histograms of an empty *s. Returns 0, or ENOMEM. */
int stats_init(struct run_stats *s);
/* Frees what stats_init allocated. */
void stats_free(struct run_stats *s);
/* Adds src into dst (elapsed: the longer one). */
void stats_merge(struct run_stats *dst, const struct run_stats *src);

struct engine;

/* Creates the workers against t and starts them; the run begins now (the
 * warmup first). Returns 0, or -1 with err filled. */
int engine_start(struct engine **out, const struct client_cfg *cfg,
                 const struct sock_target *t, char *err, size_t errlen);
/* Asks every worker to stop now (a signal): the run ends as if its
 * duration were over. Safe to call more than once. */
void engine_stop(struct engine *e);
/* A descriptor that becomes readable when a worker finishes; reading it
 * (8 bytes) returns how many finished since the last read. */
int engine_done_fd(const struct engine *e);
/* Recorded requests and errors so far, summed over workers (for progress;
 * read without locks, so a moment old). */
void engine_progress(const struct engine *e, uint64_t *requests,
                     uint64_t *errors);
/* Joins the workers and merges their results into *total (which must be
 * stats_init'ed). Returns 0, or -1 with err filled when a worker could not
 * run at all. */
int engine_join(struct engine *e, struct run_stats *total, char *err,
                size_t errlen);
/* Frees e (after engine_join). */
void engine_free(struct engine *e);

#endif
