/* work.h: the synthetic per-request workloads and the parent's ballast. */
#ifndef PERCONN_WORK_H
#define PERCONN_WORK_H

/* Measures how many iterations of the busy loop take one microsecond of this
 * thread's CPU time. Called once, before serving; returns the figure (>= 1). */
double work_calibrate(void);

/* Burns about us microseconds of CPU with no system call, using the figure
 * work_calibrate returned. */
void work_spin(long us, double loops_per_us);

/* Sleeps us microseconds, resuming after signals. */
void work_sleep(long us);

/* Maps mib MiB of private anonymous memory and writes every page, so that it
 * is resident and a fork must copy its page tables. The memory is kept for
 * the life of the process. Returns 0, or -1 with errno set. */
int work_ballast(long mib);

#endif
