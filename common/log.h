/* log.h: messages on stderr in one shape: "prog: what failed: why". */
#ifndef PERCONN_LOG_H
#define PERCONN_LOG_H

#include <stdbool.h>

/* The program name messages start with, and how much to say (-1 quiet:
 * errors only, 0 normal, 1 verbose). Set once by main before any thread. */
void log_init(const char *prog, int verbosity);
const char *log_prog(void);
int log_verbosity(void);

/* An error: always printed. */
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A notice: printed unless quiet. */
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A failure that may repeat in bursts (fork, accept): printed at most once a
 * second with the number of times it happened since the last line.
 * state is the caller's, one per kind of failure and per thread: it is not
 * thread-safe (the accept loop keeps its own; each pool worker too). */
struct log_burst {
    double last_s;
    unsigned long suppressed;
};
void log_burst(struct log_burst *state, double now_s, const char *what, int err);

#endif
