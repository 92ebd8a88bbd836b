/* schedule.h: the open-loop schedule (-R) of one worker: when its k-th
 * request is due.
 *
 * Each of the -t workers runs its share of the rate at even intervals,
 * phase-shifted so that the merged stream is evenly spaced too: request k of
 * worker i (of n) is due at t0 + (k + i/n) * interval, interval = n / rate.
 * Requests are due whether or not the server keeps up; a latency counts from
 * the due time (no coordinated omission). */
#ifndef CLIENT_SCHEDULE_H
#define CLIENT_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

struct schedule {
    int64_t t0;                 /* the run's start, in ns */
    double interval_ns;         /* between due times; 0: closed loop */
    double phase;               /* this worker's offset, in intervals */
    uint64_t k;                 /* index of the next due request */
    int64_t next_due;           /* when it is due */
};

/* The schedule of worker id of workers at rate requests/s in all, from t0;
 * rate 0: a closed loop, with nothing ever due. */
void schedule_init(struct schedule *s, int64_t t0, double rate, long workers,
                   long id);
/* Whether requests are due on a schedule at all (-R). Inline: the state
 * machine asks at every step. */
static inline bool schedule_open(const struct schedule *s)
{
    return s->interval_ns > 0;
}
/* When request k is due. */
int64_t schedule_due(const struct schedule *s, uint64_t k);
/* Moves on to the next request. */
void schedule_advance(struct schedule *s);
/* How many requests from the next one on are due in [from, stop). */
uint64_t schedule_count(const struct schedule *s, int64_t from, int64_t stop);

#endif
