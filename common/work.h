/* work.h: the synthetic per-request workloads and the parent's ballast. */
#ifndef PERCONN_WORK_H
#define PERCONN_WORK_H

/* Measures how many iterations of the busy loop take one microsecond of this
 * thread's CPU time. Called once, before serving; returns the figure (>= 1). */
double work_calibrate(void);

/* Burns at least us microseconds of this thread's CPU time (and at most
 * about ten more): the busy loop runs in slices of about 10 us, by the
 * figure work_calibrate returned, until the thread's CPU clock has advanced
 * by us. The clock, not the figure alone, decides when to stop, so a
 * calibration taken while the CPU ran slow cannot shorten the work. */
void work_spin(long us, double loops_per_us);

/* Sleeps us microseconds, resuming after signals. */
void work_sleep(long us);

/* Maps mib MiB of private anonymous memory and writes every page, so that it
 * is resident and a fork must copy its page tables. The memory is kept for
 * the life of the process. Returns 0, or -1 with errno set. */
int work_ballast(long mib);

#endif
