/* stats.h: the server's accounting (docs/design.md section 6).
 *
 * The counters live in one MAP_SHARED anonymous mapping made before the first
 * connection, so a fork_server child updates the same memory as its parent,
 * exactly as a thread_server thread does: the accounting code is one for both
 * models. Counters are lock-free atomics updated with relaxed ordering; each
 * is a plain count, so no ordering between them is needed. */
#ifndef PERCONN_STATS_H
#define PERCONN_STATS_H

#include <stdatomic.h>
#include <stdbool.h>

struct stats {
    atomic_ulong accepted;         /* connections accept() returned */
    atomic_ulong completed;        /* connections served and closed */
    atomic_ulong requests;         /* size/http requests answered (echo: none) */
    atomic_ulong protocol_errors;  /* malformed requests, answered or closed */
    atomic_ulong idle_timeouts;    /* connections closed by --idle-timeout */
    atomic_ulong refused;          /* accepted, then closed unserved */
    atomic_ulong spawn_failures;   /* fork or pthread_create failed */
    atomic_ulong accept_failures;  /* accept failed (EMFILE, ENFILE, ...) */
    atomic_ulong abnormal_exits;   /* fork_server children killed or failed */
    atomic_long serving;           /* --prespawn, --iterative: connections
                                      being served now */
    atomic_ulong bytes_in;
    atomic_ulong bytes_out;
    atomic_bool draining;          /* set once SIGINT/SIGTERM arrived */
    atomic_long peak_active;       /* the accept loop's, or a pool worker's */
};

/* Maps a zeroed struct stats shared with future children. Returns NULL with
 * errno set on failure. */
struct stats *stats_create(void);

/* Adds n to counter c (relaxed: counts, not synchronisation). */
#define stats_add(c, n) atomic_fetch_add_explicit(&(c), (n), memory_order_relaxed)

/* Raises st->peak_active to at least n; safe from any thread or process. */
void stats_peak(struct stats *st, long n);

/* What stats_write reports besides the counters. */
struct stats_info {
    const char *model;
    const char *protocol;
    const char *mode;              /* "per-connection", "prespawn", "iterative" */
    long pool;                     /* --prespawn N, else 0 */
    long active;                   /* connections being served now */
    double wall_s;                 /* since the server started listening */
};

/* Writes the accounting JSON object (one line) to path: "-" is stderr; a
 * file is replaced atomically (written beside it, then renamed), so a reader
 * never sees half an object. CPU is getrusage of the server itself plus its
 * reaped children. Returns 0, or -1 with errno set. */
int stats_write(const struct stats *st, const struct stats_info *info,
                const char *path);

#endif
