/* hist.h: a log-linear (HDR-style) latency histogram.
 *
 * Values are nanoseconds. Every value from 0 to HIST_HIGHEST_NS (60 s) is
 * counted in a bucket no wider than 1/128 of its lower edge, so any value the
 * histogram reports (a percentile, a spectrum point) is within 0.4 % of a
 * value that was recorded at that rank; values below 256 ns are kept
 * exactly. Counts are exact; min, max and mean are exact; stdev is computed
 * from the buckets. Values above HIST_HIGHEST_NS are counted as overflow:
 * they take part in count, max, min and mean, and a percentile that falls
 * among them reports the exact max.
 *
 * A histogram is written by one thread; histograms are merged after the
 * writers are done (hist_merge). No locks, no allocation after hist_init.
 */
#ifndef PERCONN_HIST_H
#define PERCONN_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HIST_HIGHEST_NS 60000000000LL   /* 60 s: above this is overflow */

struct hist;

/* Allocates an empty histogram into *out. Returns 0, or ENOMEM. */
int hist_init(struct hist **out);
/* Frees h (NULL is allowed). */
void hist_close(struct hist *h);
/* Empties h, as if just initialised. */
void hist_reset(struct hist *h);

/* Records one value. A negative value is recorded as 0. Returns 0, or ERANGE
 * when the value is above HIST_HIGHEST_NS: it is then counted as overflow. */
int hist_record(struct hist *h, int64_t value_ns);
/* Adds every count of src into dst; afterwards dst is as if every value of
 * both had been recorded into it. */
void hist_merge(struct hist *dst, const struct hist *src);

/* Values recorded, overflow included. */
uint64_t hist_count(const struct hist *h);
/* Values recorded above HIST_HIGHEST_NS. */
uint64_t hist_overflow(const struct hist *h);
/* Smallest and largest value recorded (exact); 0 when empty. */
int64_t hist_min(const struct hist *h);
int64_t hist_max(const struct hist *h);
/* Exact mean; 0 when empty. */
double hist_mean(const struct hist *h);
/* Population standard deviation from the buckets; 0 with fewer than 2 values. */
double hist_stdev(const struct hist *h);
/* The value at percentile p (0..100, nearest rank: the smallest value such
 * that at least p % of all values are at or below it), within the bucket
 * error; p = 0 gives min, p = 100 gives max; 0 when empty. */
int64_t hist_percentile(const struct hist *h, double p);

/* Walks the percentile spectrum the way HdrHistogram prints it: steps that
 * halve the distance to 100 % every ticks_per_half_distance steps, ending
 * with 100 % at max. Usage:
 *     struct hist_iter it;
 *     hist_iter_init(&it, h, 5);
 *     while (hist_iter_next(&it)) use(it.percentile, it.value_ns, it.count);
 * The histogram must not change during the walk. */
struct hist_iter {
    double percentile;          /* this point's percentile level, 0..100 */
    int64_t value_ns;           /* the value at that level */
    uint64_t count;             /* values at or below value_ns */
    /* private */
    const struct hist *h;
    int ticks;
    double level;
    size_t idx;
    uint64_t cum;
    bool done;
};

/* Starts a walk over h with ticks_per_half_distance (>= 1) steps per halving. */
void hist_iter_init(struct hist_iter *it, const struct hist *h,
                    int ticks_per_half_distance);
/* Advances to the next point; returns false when the walk is over (at once
 * for an empty histogram). */
bool hist_iter_next(struct hist_iter *it);

#endif
