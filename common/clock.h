/* clock.h: perconn's one clock, CLOCK_MONOTONIC, for every program: the
 * servers, client_load, the bench and the test helpers.
 *
 * Inline, because client_load reads it several times per request: through
 * the vDSO a read is no system call, and a call across objects would add
 * its own cost to what is measured. Times are signed nanoseconds, so that
 * a difference or a passed deadline is simply negative. */
#ifndef PERCONN_CLOCK_H
#define PERCONN_CLOCK_H

#include <stdint.h>
#include <time.h>

#define CLOCK_NS_PER_S 1000000000LL

/* Now, in ns on CLOCK_MONOTONIC. */
static inline int64_t clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * CLOCK_NS_PER_S + ts.tv_nsec;
}

/* Now, in seconds on the same clock. */
static inline double clock_s(void)
{
    return (double)clock_ns() / 1e9;
}

/* A span of ns >= 0 as a timespec: a timeout for ppoll or epoll_pwait2. */
static inline struct timespec clock_span(int64_t ns)
{
    return (struct timespec){ns / CLOCK_NS_PER_S, ns % CLOCK_NS_PER_S};
}

#endif
