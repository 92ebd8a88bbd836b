/* run_stats.h: what a run measured: counters, errors by kind and latency
 * histograms by phase. Each worker fills its own; the engine merges them
 * after join, and report.c formats the total. */
#ifndef CLIENT_RUN_STATS_H
#define CLIENT_RUN_STATS_H

#include <stdint.h>

#include "hist.h"

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
const char *stats_phase_name(enum phase p);
const char *stats_err_name(enum err_kind k);

/* Allocates the histograms of an empty *s. Returns 0, or ENOMEM. */
int stats_init(struct run_stats *s);
/* Frees what stats_init allocated. */
void stats_free(struct run_stats *s);
/* Adds src into dst (elapsed: the longer one). */
void stats_merge(struct run_stats *dst, const struct run_stats *src);

#endif
