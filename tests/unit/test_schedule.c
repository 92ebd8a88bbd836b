/* test_schedule.c: client_load's open-loop schedule. The workers' due times
 * must merge into one evenly spaced stream at the rate asked, and the count
 * of due requests (done by arithmetic, for millions of them) must equal a
 * walk over the same due times.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "../../client_load/schedule.h"

#define T0 123456789012LL

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* No rate: a closed loop, where nothing is ever due. */
static void test_closed_loop(void **state)
{
    (void)state;
    struct schedule s;
    schedule_init(&s, T0, 0, 4, 1);
    assert_false(schedule_open(&s));
    assert_int_equal(schedule_count(&s, T0, T0 + 1000000000LL), 0);
}

/* 3 workers at 3,000/s: each one every 1 ms, together one every 1/3 ms. */
static void test_workers_merge_evenly(void **state)
{
    (void)state;
    enum { WORKERS = 3, EACH = 1000 };
    int64_t *due = malloc(WORKERS * EACH * sizeof *due);
    assert_non_null(due);
    for (long id = 0; id < WORKERS; id++) {
        struct schedule s;
        schedule_init(&s, T0, 3000, WORKERS, id);
        assert_true(schedule_open(&s));
        for (int k = 0; k < EACH; k++) {
            assert_int_equal(s.next_due, schedule_due(&s, s.k));
            due[id * EACH + k] = s.next_due;
            schedule_advance(&s);
        }
    }
    qsort(due, WORKERS * EACH, sizeof *due, cmp_i64);
    assert_int_equal(due[0], T0);
    for (int i = 1; i < WORKERS * EACH; i++)
        assert_in_range(due[i] - due[i - 1], 333333, 333334);
    free(due);
}

/* The due times from the next request on that fall in [from, stop). */
static uint64_t walk_count(const struct schedule *s, int64_t from,
                           int64_t stop)
{
    uint64_t n = 0;
    for (uint64_t k = s->k; schedule_due(s, k) < stop; k++)
        n += schedule_due(s, k) >= from;
    return n;
}

static void test_count_equals_walk(void **state)
{
    (void)state;
    const double rates[] = {1, 7, 1000, 33333, 1e6};
    for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
        struct schedule s;
        schedule_init(&s, T0, rates[r], 4, 3);
        for (int step = 0; step < 20; step++) {
            int64_t span = (int64_t)(s.interval_ns * 50);
            for (int64_t from = T0 - span; from < T0 + 2 * span;
                 from += span / 7)
                for (int64_t stop = from; stop < T0 + 3 * span;
                     stop += span / 5)
                    assert_int_equal(schedule_count(&s, from, stop),
                                     walk_count(&s, from, stop));
            schedule_advance(&s);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_loop),
        cmocka_unit_test(test_workers_merge_evenly),
        cmocka_unit_test(test_count_equals_walk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
