/* spawn_cost: the spawn primitive alone, per call, at several parent sizes
 * (experiment 6, docs/design.md section 9).
 *
 *   spawn_cost [-n CALLS] [-r ROUNDS] [-b MIB[,MIB...]]
 *
 * For each parent size (the parent first touches that much private memory,
 * as fork_server --ballast-mb does), it times ROUNDS rounds of CALLS calls of
 *   fork:   fork(); the child _exit(0)s; the parent waitpid()s it
 *   thread: pthread_create(); the thread returns; the parent joins it
 * the two primitives' rounds interleaved (fork, thread, thread, fork, ...: a
 * drift of the machine hits both), and prints one CSV row per round with
 * the mean wall time per call in it, in microseconds:
 *   ballast_mb,primitive,calls,round,us_per_call
 * Exit status: 0, 1 when a call failed, 2 on bad usage. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"

#define MAX_SIZES 16
#define MAX_ROUNDS 1000

static void *nothing(void *arg)
{
    return arg;
}

/* One round: the mean wall time of one call, in us, or -1 on failure. */
static double round_fork(long calls)
{
    double t0 = clock_s();
    for (long i = 0; i < calls; i++) {
        pid_t pid = fork();
        if (pid < 0)
            return -1;
        if (pid == 0)
            _exit(0);
        int status;
        while (waitpid(pid, &status, 0) < 0)
            if (errno != EINTR)
                return -1;
    }
    return (clock_s() - t0) / (double)calls * 1e6;
}

static double round_thread(long calls)
{
    double t0 = clock_s();
    for (long i = 0; i < calls; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, nothing, NULL) != 0)
            return -1;
        pthread_join(t, NULL);
    }
    return (clock_s() - t0) / (double)calls * 1e6;
}

/* Grows the touched ballast to mib MiB (sizes come in ascending order). */
static int grow_ballast(long mib)
{
    static long have;
    if (mib <= have)
        return 0;
    size_t len = (size_t)(mib - have) << 20;
    unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    memset(p, 0xa5, len);
    have = mib;
    return 0;
}

struct primitive {
    const char *name;
    double (*round)(long calls);
};

static const struct primitive primitives[] = {
    {"fork", round_fork},
    {"thread", round_thread},
};

/* ROUNDS rounds of each primitive at the current parent size, in pairs
 * whose order alternates. */
static int measure(long mib, long calls, int rounds)
{
    for (int p = 0; p < 2; p++)
        primitives[p].round(calls / 10 + 1);       /* warm-up, not recorded */
    for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < 2; k++) {
            const struct primitive *p = &primitives[r % 2 ? 1 - k : k];
            double us = p->round(calls);
            if (us < 0) {
                fprintf(stderr, "spawn_cost: %s: %s\n", p->name, strerror(errno));
                return -1;
            }
            /* Flushed before the next fork (see main). */
            printf("%ld,%s,%ld,%d,%.2f\n", mib, p->name, calls, r + 1, us);
            fflush(stdout);
        }
    }
    return 0;
}

static int usage(const char *why)
{
    fprintf(stderr, "spawn_cost: %s\nusage: spawn_cost [-n CALLS] [-r ROUNDS] "
            "[-b MIB[,MIB...]] (sizes ascending)\n", why);
    return 2;
}

static long number(const char *s, long min, long max)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < min || v > max)
        return -1;
    return v;
}

int main(int argc, char **argv)
{
    long calls = 1000, sizes[MAX_SIZES] = {0};
    int rounds = 5, nsizes = 1, c;
    while ((c = getopt(argc, argv, "n:r:b:")) != -1) {
        switch (c) {
        case 'n':
            if ((calls = number(optarg, 1, 10000000)) < 0)
                return usage("-n: out of range (1..10000000)");
            break;
        case 'r':
            if ((rounds = (int)number(optarg, 1, MAX_ROUNDS)) < 0)
                return usage("-r: out of range (1..1000)");
            break;
        case 'b':
            nsizes = 0;
            for (char *tok = strtok(optarg, ","); tok; tok = strtok(NULL, ",")) {
                if (nsizes == MAX_SIZES)
                    return usage("-b: at most 16 sizes");
                long v = number(tok, 0, 1048576);
                if (v < 0 || (nsizes > 0 && v < sizes[nsizes - 1]))
                    return usage("-b: sizes are MiB, 0..1048576, ascending");
                sizes[nsizes++] = v;
            }
            if (nsizes == 0)
                return usage("-b: no size");
            break;
        default:
            return usage("unknown option");
        }
    }
    if (optind != argc)
        return usage("unexpected argument");
    printf("ballast_mb,primitive,calls,round,us_per_call\n");
    /* Nothing may sit in stdio's buffer at a fork: a child that flushed it
     * (a sanitizer's _exit does) would print it again. */
    fflush(stdout);
    for (int i = 0; i < nsizes; i++) {
        if (grow_ballast(sizes[i]) < 0) {
            fprintf(stderr, "spawn_cost: ballast %ld MiB: %s\n", sizes[i],
                    strerror(errno));
            return 1;
        }
        if (measure(sizes[i], calls, rounds) < 0)
            return 1;
    }
    return 0;
}
