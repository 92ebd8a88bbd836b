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
 * the children still alive and reaps them. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

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
    kids_cap = 16;
    while (kids_cap < 2 * (size_t)e->cfg->max_conns)
        kids_cap *= 2;
    kids = calloc(kids_cap, sizeof *kids);
    return kids ? -1 : -2;
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
    }
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
    }
}

static const struct model fork_model = {
    .name = "fork",
    .prog = "fork_server",
    .has_threads = false,
    .init = fork_init,
    .spawn = fork_spawn,
    .collect = fork_collect,
    .active = fork_active,
    .abort_all = fork_abort_all,
};

int main(int argc, char **argv)
{
    return server_main(argc, argv, &fork_model);
}
