/* fork_server: one process per connection (fork per accept).
 *
 * This file is the whole of what is specific to the process model; read it
 * beside thread_server/thread_server.c. The accept loop, protocols, signals
 * and accounting are common/ and identical for both.
 *
 * Hand-off: fork(); the child closes its copy of the listening socket, serves
 * the connection and _exits; the parent closes its copy of the connection.
 * Collection: SIGCHLD (read from the loop's signalfd) -> waitpid(WNOHANG) until
 * none is left; a child counts as active until it is reaped, since until then
 * it holds a process slot. Drain: the loop waits for SIGCHLDs; abort kills
 * the children still alive and reaps them.
 *
 * --prespawn N (Stevens' serv02, Apache's prefork): N children forked before
 * serving, each running server_worker(), accept -> serve -> close, in a loop,
 * on the listening socket they share; the kernel wakes one blocked accept()
 * per connection. The parent never accepts: it reaps a child that died,
 * counts it in abnormal_exits when it did not exit 0, and forks its
 * replacement at once, so the pool stays at N until the drain (whose
 * shutdown of the socket ends every child's accept). */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "server.h"

static const struct conn_env *env;
static int listen_fd = -1;
static long active;

/* The live children, so that abort_all can end them: a hash set of pids with
 * open addressing (linear probing, tombstones). Only the accept loop touches
 * it; sized at twice --max-conns, so it never fills. */
static pid_t *kids;
static size_t kids_cap;        /* a power of two */
#define KID_FREE 0
#define KID_GONE (-1)

/* --prespawn: the pid in each of the pool's N places (0: to be forked), and
 * whether that child is serving a connection, in memory shared with the
 * children (see server_worker). */
static long pool_n;
static pid_t *pool_pid;
static atomic_bool *pool_busy;
static struct log_burst pool_log;

static size_t kid_slot(pid_t pid, size_t i)
{
    return ((size_t)pid * 2654435761u + i) & (kids_cap - 1);
}

static void kid_add(pid_t pid)
{
    for (size_t i = 0;; i++) {
        pid_t *p = &kids[kid_slot(pid, i)];
        if (*p == KID_FREE || *p == KID_GONE) {
            *p = pid;
            return;
        }
    }
}

static void kid_remove(pid_t pid)
{
    for (size_t i = 0; i < kids_cap; i++) {
        pid_t *p = &kids[kid_slot(pid, i)];
        if (*p == pid) {
            *p = KID_GONE;
            return;
        }
        if (*p == KID_FREE)
            return;
    }
}

static int fork_init(const struct conn_env *e, int lfd)
{
    env = e;
    listen_fd = lfd;
    long most = e->cfg->prespawn > 0 ? e->cfg->prespawn : e->cfg->max_conns;
    kids_cap = 16;
    while (kids_cap < 2 * (size_t)most)
        kids_cap *= 2;
    kids = calloc(kids_cap, sizeof *kids);
    return kids ? -1 : -2;
}

/* Forks the pool's child for place i. Returns 0 or -1 (errno set). */
static int pool_fork(long i)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* A pool child never ends by itself: if the parent is killed (a
         * SIGKILL leaves it no drain), the kernel kills the child too, so
         * no worker outlives the server holding the port. The getppid()
         * check covers a parent that died before the prctl. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
            _exit(1);
        server_worker(env, listen_fd, &pool_busy[i]);
        _exit(0);
    }
    pool_pid[i] = pid;
    kid_add(pid);
    active++;
    return 0;
}

/* Forks a child for every empty place. Returns 0, or -1 (errno set) at the
 * first failed fork. */
static int pool_fill(void)
{
    for (long i = 0; i < pool_n; i++)
        if (pool_pid[i] == 0 && pool_fork(i) < 0)
            return -1;
    return 0;
}

static int fork_pool_start(long n)
{
    pool_n = n;
    pool_pid = calloc((size_t)n, sizeof *pool_pid);
    /* Shared, not copied: the parent must see a dead child's last word. */
    pool_busy = mmap(NULL, (size_t)n * sizeof *pool_busy,
                     PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (!pool_pid || pool_busy == MAP_FAILED) {
        free(pool_pid);
        pool_pid = NULL;
        pool_n = 0;
        return -1;
    }
    return pool_fill();
}

/* The pool's child pid has been reaped: its place is empty, and the
 * connection it was serving, if any, is gone with it. */
static void pool_forget(pid_t pid)
{
    for (long i = 0; i < pool_n; i++) {
        if (pool_pid[i] != pid)
            continue;
        pool_pid[i] = 0;
        if (atomic_exchange(&pool_busy[i], false))
            atomic_fetch_sub(&env->stats->serving, 1);
        return;
    }
}

/* Replaces the children reaped, unless the server drains. A failed fork
 * (EAGAIN under RLIMIT_NPROC, ENOMEM) is counted and said once per burst;
 * the accept loop calls again after a back-off while the pool is short. */
static void pool_refill(void)
{
    if (atomic_load(&env->stats->draining) || pool_fill() == 0)
        return;
    int err = errno;
    stats_add(env->stats->spawn_failures, 1);
    log_burst(&pool_log, clock_s(), "fork (replacing a pool child)", err);
}

static int fork_spawn(int fd)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* Without this the listening socket would outlive a drain in every
         * child still serving, and the port would keep queueing clients. */
        close(listen_fd);
        conn_serve(fd, env);
        _exit(0);
    }
    close(fd);
    kid_add(pid);
    active++;
    return 0;
}

/* Reaps every finished child; a child that did not exit 0 (killed, or
 * crashed) is counted in abnormal_exits. SIGCHLDs coalesce, so one signal
 * may stand for several children: loop until none is left to reap, or none
 * is left at all (which saves the waitpid that would say ECHILD). */
static void fork_collect(void)
{
    int status;
    pid_t pid;
    while (active > 0 && (pid = waitpid(-1, &status, WNOHANG)) > 0) {
        kid_remove(pid);
        active--;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            stats_add(env->stats->abnormal_exits, 1);
        if (pool_n > 0)
            pool_forget(pid);
    }
    if (pool_n > 0)
        pool_refill();
}

static long fork_active(void)
{
    return active;
}

static void fork_abort_all(void)
{
    for (size_t i = 0; i < kids_cap; i++)
        if (kids[i] > 0)
            kill(kids[i], SIGKILL);
    while (active > 0) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0 && errno == EINTR)
            continue;
        if (pid < 0)
            break;
        kid_remove(pid);
        active--;
        if (pool_n > 0)
            pool_forget(pid);
    }
}

/* A process per connection has no thread whose stack --stack-size could
 * size. */
static int fork_stack_size(const char *arg, long *kib, char *err,
                           size_t errlen)
{
    (void)arg;
    (void)kib;
    snprintf(err, errlen,
             "--stack-size: fork_server has no threads (thread_server only)");
    return -1;
}

static const struct model fork_model = {
    .name = "fork",
    .desc = {
        .prog = "fork_server",
        .spawn_call = "fork",
        .unit = "process",
        .units = "processes",
        .iterative_lacks = "fork",
        .stack_size_note = "; refused here",
        .stack_size = fork_stack_size,
    },
    .init = fork_init,
    .spawn = fork_spawn,
    .collect = fork_collect,
    .active = fork_active,
    .abort_all = fork_abort_all,
    .pool_start = fork_pool_start,
};

int main(int argc, char **argv)
{
    return server_main(argc, argv, &fork_model);
}
