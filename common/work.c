/* work.c: see work.h. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "work.h"

/* An empty asm claims to read and change the sum, so the compiler can
 * neither fold the loop away nor vectorise it; the sum stays in a register:
 * one iteration is an add, an increment and a compare, with no memory access
 * and no syscall, so --work-us measures the model's cost of running
 * CPU-bound handlers and nothing else. (A volatile sum on the stack made
 * each iteration a store and a reload whose speed, through store
 * forwarding, changed fourfold with the stack depth at which the loop ran:
 * the calibration's, or a handler's deeper down.) */
static void spin(uint64_t loops)
{
    uint64_t sum = 0;
    for (uint64_t i = 0; i < loops; i++) {
        sum += i;
        __asm__ volatile("" : "+r"(sum));
    }
}

static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double work_calibrate(void)
{
    /* Thread CPU time, not wall time: a preempted calibration on a busy
     * machine would otherwise undercount the loop's speed. The best of a
     * few rounds discounts cache and frequency warm-up. */
    double best = 0;
    for (int round = 0; round < 5; round++) {
        uint64_t loops = 2000000;
        double t0 = thread_cpu_s();
        spin(loops);
        double dt = thread_cpu_s() - t0;
        if (dt > 0 && (double)loops / (dt * 1e6) > best)
            best = (double)loops / (dt * 1e6);
    }
    return best >= 1 ? best : 1;
}

void work_spin(long us, double loops_per_us)
{
    if (us <= 0)
        return;
    /* A clock read per slice (a system call for a thread's CPU clock) costs
     * a few percent of the slice; it is CPU spent in the handler all the
     * same, and it keeps the work's length right whatever the CPU's speed
     * was when the loop was calibrated. */
    double end = thread_cpu_s() + (double)us / 1e6;
    uint64_t slice = (uint64_t)(loops_per_us * 10);
    if (slice < 1000)
        slice = 1000;
    do
        spin(slice);
    while (thread_cpu_s() < end);
}

void work_sleep(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

int work_ballast(long mib)
{
    if (mib <= 0)
        return 0;
    size_t len = (size_t)mib << 20;
    unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    /* Non-zero bytes: every page becomes a private page of its own, not the
     * shared zero page. */
    memset(p, 0xa5, len);
    return 0;
}
