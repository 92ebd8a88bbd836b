/* thread_server: one thread per connection (pthread_create per accept).
 *
 * This file is the whole of what is specific to the thread model; read it
 * beside fork_server/fork_server.c. The accept loop, protocols, signals and
 * accounting are common/ and identical for both.
 *
 * Hand-off: pthread_create() of a detached thread that serves the connection
 * and closes it. Collection: the thread decrements an atomic counter as it
 * ends; when that frees the slot the accept loop waits for (the loop is at
 * --max-conns, or draining), it also writes an eventfd that wakes the loop.
 * Drain: the loop waits on that eventfd; abort needs nothing, since the
 * threads end with the process.
 *
 * --prespawn N (Stevens' serv07 family): N threads started before serving,
 * each running server_worker(), accept -> serve, in a loop. Of Stevens' two
 * prethreaded designs this is the one where every thread calls accept()
 * itself, not serv08's main thread accepting and handing descriptors over
 * through a mutex and condition variable: serv07 was the faster of the two
 * in his measurements (no hand-off: no lock and signal round trip and no
 * second thread woken per connection), and it makes the prethreaded pool
 * the exact twin of fork_server's prefork pool, so the two pools differ
 * only in the spawn primitive. Unlike serv07 there is no
 * mutex around accept(): Linux lets threads block in accept() on one socket
 * and wakes one of them per connection, so the lock would only serialise
 * what the kernel already does. Pool threads live as long as the server
 * (a thread cannot die alone: a crash ends the process); each leaves when
 * the drain's shutdown of the socket fails its accept(), and the last ones
 * out wake the loop through the same eventfd. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "server.h"

static const struct conn_env *env;
static pthread_attr_t attr;
static atomic_long active;
static int wake_fd = -1;
static int listen_sock = -1;

static void *serve_thread(void *arg)
{
    conn_serve((int)(intptr_t)arg, env);
    long before = atomic_fetch_sub(&active, 1);
    if (before == env->cfg->max_conns || atomic_load(&env->stats->draining)) {
        uint64_t one = 1;
        /* Cannot fail short of a full counter (2^64 - 1 wakes). */
        (void)!write(wake_fd, &one, sizeof one);
    }
    return NULL;
}

static int thread_init(const struct conn_env *e, int listen_fd)
{
    listen_sock = listen_fd;
    env = e;
    int rc = pthread_attr_init(&attr);
    if (rc == 0)
        rc = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (rc == 0 && e->cfg->stack_size_kib > 0)
        rc = pthread_attr_setstacksize(&attr,
                                       (size_t)e->cfg->stack_size_kib * 1024);
    if (rc != 0) {
        errno = rc;
        return -2;
    }
    wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    return wake_fd < 0 ? -2 : wake_fd;
}

/* A pool thread; active counts the pool's threads. */
static void *pool_thread(void *arg)
{
    (void)arg;
    server_worker(env, listen_sock, NULL);
    atomic_fetch_sub(&active, 1);
    uint64_t one = 1;
    (void)!write(wake_fd, &one, sizeof one);   /* only ever in a drain */
    return NULL;
}

static int thread_pool_start(long n)
{
    for (long i = 0; i < n; i++) {
        pthread_t t;
        atomic_fetch_add(&active, 1);
        int rc = pthread_create(&t, &attr, pool_thread, NULL);
        if (rc != 0) {
            atomic_fetch_sub(&active, 1);
            errno = rc;
            return -1;
        }
    }
    return 0;
}

static int thread_spawn(int fd)
{
    pthread_t t;
    atomic_fetch_add(&active, 1);
    int rc = pthread_create(&t, &attr, serve_thread, (void *)(intptr_t)fd);
    if (rc != 0) {
        atomic_fetch_sub(&active, 1);
        errno = rc;
        return -1;
    }
    return 0;
}

static void thread_collect(void)
{
    uint64_t n;
    (void)!read(wake_fd, &n, sizeof n);   /* EAGAIN: nothing to clear */
}

static long thread_active(void)
{
    return atomic_load(&active);
}

static void thread_abort_all(void)
{
    /* Threads end with the process when main returns. */
}

static const struct model thread_model = {
    .name = "thread",
    .desc = {
        .prog = "thread_server",
        .spawn_call = "pthread_create",
        .unit = "thread",
        .units = "threads",
        .iterative_lacks = "threads",
        .stack_size_note = "",
        .stack_size = opts_stack_size,
    },
    .init = thread_init,
    .spawn = thread_spawn,
    .collect = thread_collect,
    .active = thread_active,
    .abort_all = thread_abort_all,
    .pool_start = thread_pool_start,
};

int main(int argc, char **argv)
{
    return server_main(argc, argv, &thread_model);
}
