/* hist.c: a log-linear latency histogram in the manner of HdrHistogram.
 *
 * Why our own: HdrHistogram_c is the reference design, but Debian packages no
 * C build of it, and perconn builds from Debian packages alone. What we need
 * is small: one fixed range (0 to 60 s in ns), one fixed precision, exact
 * counts, merge and a percentile walk. So the layout is HdrHistogram's with
 * its parameters fixed at compile time:
 *
 *   bucket 0 holds values 0..255 with width 1 (exact);
 *   band k >= 1 holds [128 << k, 256 << k) in 128 sub-buckets of width 1 << k.
 *
 * A sub-bucket's width is 1/128 of its lower edge, so its midpoint, which is
 * what we report, is within 1/256 (0.4 %) of anything inside it. 60 s needs
 * 28 bands: 256 + 28 * 128 = 3840 counters, 30 KiB per histogram.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"

#define SUB_BITS   7
#define SUB_HALF   (1 << SUB_BITS)                 /* 128 */
#define SUB_COUNT  (2 * SUB_HALF)                  /* 256 */
#define BANDS      28                              /* 128 << 28 > 60 s */
#define NBUCKETS   (SUB_COUNT + BANDS * SUB_HALF)  /* 3840 */

struct hist {
    uint64_t total;             /* overflow included */
    uint64_t overflow;
    uint64_t overflow_sum;      /* for stdev: overflow values at their mean */
    uint64_t sum;               /* exact: 2^64 ns is 584 years */
    int64_t min;
    int64_t max;
    uint64_t counts[NBUCKETS];
};

int hist_init(struct hist **out)
{
    /* Whole cache lines: histograms of different threads never share one. */
    struct hist *h = aligned_alloc(64, (sizeof *h + 63) & ~(size_t)63);
    if (h == NULL)
        return ENOMEM;
    hist_reset(h);
    *out = h;
    return 0;
}

void hist_close(struct hist *h)
{
    free(h);
}

void hist_reset(struct hist *h)
{
    memset(h, 0, sizeof *h);
    h->min = INT64_MAX;
}

static size_t bucket_of(uint64_t v)
{
    if (v < SUB_COUNT)
        return (size_t)v;
    int msb = 63 - __builtin_clzll(v);            /* >= 8 */
    int k = msb - SUB_BITS;                       /* >= 1 */
    size_t sub = (size_t)(v >> k) - SUB_HALF;     /* 0..127 */
    return SUB_COUNT + (size_t)(k - 1) * SUB_HALF + sub;
}

static uint64_t bucket_low(size_t i)
{
    if (i < SUB_COUNT)
        return i;
    size_t k = (i - SUB_COUNT) / SUB_HALF + 1;
    size_t sub = (i - SUB_COUNT) % SUB_HALF + SUB_HALF;
    return (uint64_t)sub << k;
}

static uint64_t bucket_width(size_t i)
{
    return i < SUB_COUNT ? 1 : 1ULL << ((i - SUB_COUNT) / SUB_HALF + 1);
}

/* The value a bucket stands for: its midpoint, within what was recorded. */
static int64_t bucket_value(const struct hist *h, size_t i)
{
    int64_t v = (int64_t)(bucket_low(i) + bucket_width(i) / 2);
    if (v < h->min)
        v = h->min;
    if (v > h->max)
        v = h->max;
    return v;
}

int hist_record(struct hist *h, int64_t value_ns)
{
    int64_t v = value_ns < 0 ? 0 : value_ns;
    h->total++;
    h->sum += (uint64_t)v;
    if (v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
    if (v > HIST_HIGHEST_NS) {
        h->overflow++;
        h->overflow_sum += (uint64_t)v;
        return ERANGE;
    }
    h->counts[bucket_of((uint64_t)v)]++;
    return 0;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
    if (src->total == 0)
        return;
    dst->total += src->total;
    dst->overflow += src->overflow;
    dst->overflow_sum += src->overflow_sum;
    dst->sum += src->sum;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
    for (size_t i = 0; i < NBUCKETS; i++)
        dst->counts[i] += src->counts[i];
}

uint64_t hist_count(const struct hist *h)
{
    return h->total;
}

uint64_t hist_overflow(const struct hist *h)
{
    return h->overflow;
}

int64_t hist_min(const struct hist *h)
{
    return h->total ? h->min : 0;
}

int64_t hist_max(const struct hist *h)
{
    return h->total ? h->max : 0;
}

double hist_mean(const struct hist *h)
{
    return h->total ? (double)h->sum / (double)h->total : 0.0;
}

double hist_stdev(const struct hist *h)
{
    if (h->total < 2)
        return 0.0;
    double mean = hist_mean(h), acc = 0.0;
    for (size_t i = 0; i < NBUCKETS; i++) {
        if (h->counts[i] == 0)
            continue;
        double d = (double)bucket_value(h, i) - mean;
        acc += d * d * (double)h->counts[i];
    }
    if (h->overflow) {
        double d = (double)h->overflow_sum / (double)h->overflow - mean;
        acc += d * d * (double)h->overflow;
    }
    return sqrt(acc / (double)h->total);
}

/* The rank (1-based) of percentile p among total values: nearest rank. */
static uint64_t rank_of(double p, uint64_t total)
{
    double r = ceil(p / 100.0 * (double)total);
    if (r < 1)
        return 1;
    if (r > (double)total)
        return total;
    return (uint64_t)r;
}

int64_t hist_percentile(const struct hist *h, double p)
{
    if (h->total == 0)
        return 0;
    if (p <= 0)
        return h->min;
    if (p >= 100)
        return h->max;
    uint64_t rank = rank_of(p, h->total), cum = 0;
    for (size_t i = 0; i < NBUCKETS; i++) {
        cum += h->counts[i];
        if (cum >= rank)
            return bucket_value(h, i);
    }
    return h->max;              /* the rank is among the overflow */
}

void hist_iter_init(struct hist_iter *it, const struct hist *h,
                    int ticks_per_half_distance)
{
    memset(it, 0, sizeof *it);
    it->h = h;
    it->ticks = ticks_per_half_distance < 1 ? 1 : ticks_per_half_distance;
    it->done = h->total == 0;
}

/* HdrHistogram's percentile step: ticks steps per halving of 100 - p. */
static double next_level(double p, int ticks)
{
    double halvings = floor(log2(100.0 / (100.0 - p))) + 1;
    return p + 100.0 / ((double)ticks * pow(2.0, halvings));
}

bool hist_iter_next(struct hist_iter *it)
{
    const struct hist *h = it->h;
    if (it->done)
        return false;
    for (; it->idx < NBUCKETS; it->idx++) {
        uint64_t n = h->counts[it->idx];
        if (n == 0)
            continue;
        uint64_t here = it->cum + n;
        if (here == h->total)
            break;              /* the last bucket: reported as 100 % below */
        if ((double)here * 100.0 >= it->level * (double)h->total) {
            /* Several levels may fall in one bucket: stay on it. */
            it->percentile = it->level;
            it->value_ns = bucket_value(h, it->idx);
            it->count = here;
            it->level = next_level(it->level, it->ticks);
            return true;
        }
        it->cum = here;
    }
    it->percentile = 100.0;
    it->value_ns = h->max;
    it->count = h->total;
    it->done = true;
    return true;
}
