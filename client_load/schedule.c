/* schedule.c: see schedule.h. The due times are computed, never summed, so
 * that no rounding error accumulates over millions of intervals. */
#include <math.h>

#include "schedule.h"

void schedule_init(struct schedule *s, int64_t t0, double rate, long workers,
                   long id)
{
    *s = (struct schedule){.t0 = t0};
    if (!(rate > 0))
        return;
    s->interval_ns = 1e9 * (double)workers / rate;
    s->phase = (double)id / (double)workers;
    s->next_due = schedule_due(s, 0);
}

int64_t schedule_due(const struct schedule *s, uint64_t k)
{
    return s->t0 + (int64_t)(((double)k + s->phase) * s->interval_ns);
}

void schedule_advance(struct schedule *s)
{
    s->k++;
    s->next_due = schedule_due(s, s->k);
}

/* The first index due at t or later (as a double: it may be negative). */
static double first_due_from(const struct schedule *s, int64_t t)
{
    return ceil((double)(t - s->t0) / s->interval_ns - s->phase);
}

uint64_t schedule_count(const struct schedule *s, int64_t from, int64_t stop)
{
    /* Arithmetic, not a walk: a stalled server at a high rate leaves
     * millions of due requests behind. */
    if (!schedule_open(s) || s->next_due >= stop)
        return 0;
    double first = fmax((double)s->k, first_due_from(s, from));
    double end = first_due_from(s, stop);
    if (end <= first)
        return 0;
    return (uint64_t)(end - first);
}
