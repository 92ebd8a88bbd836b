/* engine.c: the workers and their threads.
 *
 * Each worker owns an epoll instance, its connection slots (conn.c drives
 * them), its counters and its histograms. Workers share nothing they write
 * except two progress counters on their own cache line, which the main
 * thread reads once a second; everything else is merged after join.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "conn.h"
#include "engine.h"
#include "worker.h"

struct engine {
    const struct client_cfg *cfg;
    struct sock_target target;
    struct wire *wire;
    int stop_fd;                /* eventfd: readable = stop now */
    int done_fd;                /* eventfd: +1 per finished worker */
    long nworkers;              /* created (and started) */
    struct worker **workers;
};

/* The k-th of n equal shares of total: the first total % n get one more. */
static uint64_t share(uint64_t total, long n, long k)
{
    return total / (uint64_t)n + ((uint64_t)k < total % (uint64_t)n);
}

/* Waits for events until at most `until`; returns epoll's count. */
static int wait_events(struct worker *w, struct epoll_event *ev, int max,
                       int64_t until)
{
    if (until == INT64_MAX)
        return epoll_wait(w->ep, ev, max, -1);
    int64_t d = until - clock_ns();
    if (d < 0)
        d = 0;
    struct timespec ts = clock_span(d);
    int n = epoll_pwait2(w->ep, ev, max, &ts, NULL);
    if (n < 0 && errno == ENOSYS)   /* before Linux 5.11: ms, rounded up */
        n = epoll_wait(w->ep, ev, max, (int)((d + 999999) / 1000000));
    return n;
}

static void worker_finish(struct worker *w)
{
    int64_t stop = clock_ns();
    w->st.elapsed_s = stop > w->warmup_end
                      ? (double)(stop - w->warmup_end) / 1e9 : 0.0;
    for (long i = 0; i < w->nconns; i++)
        conn_finish(w, &w->conns[i]);
    w->st.missed = conn_count_missed(w, stop);
}

static void worker_loop(struct worker *w)
{
    struct epoll_event ev[256];
    int64_t now = clock_ns();
    for (long i = 0; i < w->nconns; i++)
        conn_next_closed(w, &w->conns[i], now);
    while (w->active > 0 && !w->stopping) {
        now = clock_ns();
        if (now >= w->end)
            break;
        conn_tick(w, now);
        conn_flush(w);
        if (w->active == 0)
            break;
        int n = wait_events(w, ev, (int)(sizeof ev / sizeof ev[0]),
                            conn_next_wake(w));
        if (n < 0 && errno != EINTR) {
            snprintf(w->fatal, sizeof w->fatal, "epoll_wait: %s",
                     strerror(errno));
            break;
        }
        for (int i = 0; i < n; i++) {
            if (ev[i].data.ptr == NULL)
                w->stopping = true;
            else
                conn_event(w, ev[i].data.ptr, ev[i].events);
        }
        conn_flush(w);
    }
    worker_finish(w);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    uint64_t one = 1;
    /* Open loop: wake at the intended instants, not up to 50 us late. */
    if (schedule_open(&w->sched))
        prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    worker_loop(w);
    if (write(w->done_fd, &one, sizeof one) < 0) {
        /* An eventfd write only fails on overflow, which 2^64 cannot reach. */
    }
    return NULL;
}

static void worker_free(struct worker *w)
{
    if (w == NULL)
        return;
    if (w->ep >= 0)
        close(w->ep);
    free(w->conns);
    free(w->pending);
    stats_free(&w->st);
    free(w);
}

/* Sets up worker k of the engine; returns it, or NULL with err filled. */
static struct worker *worker_new(struct engine *e, long k, int64_t t0,
                                 char *err, size_t errlen)
{
    const struct client_cfg *cfg = e->cfg;
    size_t size = (sizeof(struct worker) + 63) & ~(size_t)63;
    struct worker *w = aligned_alloc(64, size);
    if (w == NULL)
        goto nomem;
    memset(w, 0, sizeof *w);
    w->ep = -1;
    if (stats_init(&w->st) != 0)
        goto nomem;
    w->id = k;
    w->cfg = cfg;
    w->target = &e->target;
    w->wire = e->wire;
    w->done_fd = e->done_fd;
    w->nconns = (long)share((uint64_t)cfg->connections, cfg->threads, k);
    /* Whole cache lines, like the worker: no slot shares one with another
     * worker's. */
    size_t csize = ((size_t)w->nconns * sizeof *w->conns + 63) & ~(size_t)63;
    w->conns = aligned_alloc(64, csize);
    w->pending_cap = 2 * w->nconns;
    w->pending = calloc((size_t)w->pending_cap, sizeof *w->pending);
    if (w->conns == NULL || w->pending == NULL)
        goto nomem;
    memset(w->conns, 0, csize);
    for (long i = 0; i < w->nconns; i++)
        w->conns[i].fd = -1;
    w->active = w->nconns;
    w->warmup_end = t0 + (int64_t)llround(cfg->warmup_s * 1e9);
    w->end = cfg->duration_s > 0
             ? w->warmup_end + (int64_t)llround(cfg->duration_s * 1e9)
             : INT64_MAX;
    w->timeout_ns = (int64_t)llround(cfg->timeout_s * 1e9);
    w->quota = cfg->requests ? share(cfg->requests, cfg->threads, k) : 0;
    schedule_init(&w->sched, t0, cfg->rate, cfg->threads, k);
    if (cfg->source_first) {
        w->src_count = cfg->source_last - cfg->source_first + 1;
        w->src_next = (uint32_t)k % w->src_count;
    }
    w->backoff_ns = BACKOFF_MIN_NS;
    conn_lists_init(w);
    w->ep = epoll_create1(EPOLL_CLOEXEC);
    if (w->ep < 0) {
        snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
        goto fail;
    }
    /* Level-triggered and never read: once written it wakes every worker. */
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (epoll_ctl(w->ep, EPOLL_CTL_ADD, e->stop_fd, &ev) < 0) {
        snprintf(err, errlen, "epoll_ctl: %s", strerror(errno));
        goto fail;
    }
    return w;
nomem:
    snprintf(err, errlen, "out of memory for %ld connections",
             cfg->connections);
fail:
    worker_free(w);
    return NULL;
}

void engine_stop(struct engine *e)
{
    uint64_t one = 1;
    if (write(e->stop_fd, &one, sizeof one) < 0) {
        /* Already at the maximum: already stopping. */
    }
}

int engine_done_fd(const struct engine *e)
{
    return e->done_fd;
}

void engine_progress(const struct engine *e, uint64_t *requests,
                     uint64_t *errors)
{
    *requests = *errors = 0;
    for (long i = 0; i < e->nworkers; i++) {
        *requests += atomic_load_explicit(&e->workers[i]->prog_requests,
                                          memory_order_relaxed);
        *errors += atomic_load_explicit(&e->workers[i]->prog_errors,
                                        memory_order_relaxed);
    }
}

int engine_start(struct engine **out, const struct client_cfg *cfg,
                 const struct sock_target *t, char *err, size_t errlen)
{
    struct engine *e = calloc(1, sizeof *e);
    if (e == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    e->cfg = cfg;
    e->target = *t;
    e->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    e->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    e->wire = malloc(sizeof *e->wire);
    e->workers = calloc((size_t)cfg->threads, sizeof *e->workers);
    if (e->stop_fd < 0 || e->done_fd < 0) {
        snprintf(err, errlen, "eventfd: %s", strerror(errno));
        goto fail;
    }
    if (e->wire == NULL || e->workers == NULL) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (wire_init(e->wire, cfg->protocol, (uint64_t)cfg->size,
                  t->host_header) < 0) {
        snprintf(err, errlen, "http request for %s too long", t->host_header);
        goto fail;
    }
    int64_t t0 = clock_ns();
    for (long k = 0; k < cfg->threads; k++) {
        struct worker *w = worker_new(e, k, t0, err, errlen);
        if (w == NULL)
            goto fail;
        int rc = pthread_create(&w->thread, NULL, worker_main, w);
        if (rc != 0) {
            snprintf(err, errlen, "pthread_create: %s", strerror(rc));
            worker_free(w);
            goto fail;
        }
        e->workers[e->nworkers++] = w;
    }
    *out = e;
    return 0;
fail:
    if (e->nworkers > 0) {
        engine_stop(e);
        for (long k = 0; k < e->nworkers; k++)
            pthread_join(e->workers[k]->thread, NULL);
    }
    engine_free(e);
    return -1;
}

int engine_join(struct engine *e, struct run_stats *total, char *err,
                size_t errlen)
{
    int rc = 0;
    for (long k = 0; k < e->nworkers; k++) {
        struct worker *w = e->workers[k];
        pthread_join(w->thread, NULL);
        stats_merge(total, &w->st);
        if (w->fatal[0] != '\0' && rc == 0) {
            snprintf(err, errlen, "%s", w->fatal);
            rc = -1;
        }
    }
    return rc;
}

void engine_free(struct engine *e)
{
    if (e == NULL)
        return;
    for (long k = 0; k < e->nworkers; k++)
        worker_free(e->workers[k]);
    free(e->workers);
    free(e->wire);
    if (e->stop_fd >= 0)
        close(e->stop_fd);
    if (e->done_fd >= 0)
        close(e->done_fd);
    free(e);
}
