/* server.c: see server.h.
 *
 * One thread runs the accept loop. Signals are blocked everywhere (children
 * and threads inherit the mask) and read from a signalfd, so SIGCHLD,
 * SIGUSR1 and the drain signals are handled in the loop, in order, with no
 * async-signal-safety concerns. A Ctrl-C sent to the whole process group thus
 * reaches fork_server's children as a blocked signal and cannot cut a reply
 * short: the parent drains them.
 *
 * Three modes share the loop. By default it accepts and hands each
 * connection to the model (a process or a thread per connection). With
 * --prespawn N the model starts N workers that accept for themselves (see
 * server_worker) and the loop only supervises: signals, collecting and
 * replacing workers, the drain. With --iterative the loop serves each
 * connection itself, with no model at all: Stevens' row 0. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "net.h"
#include "server.h"
#include "work.h"

/* How long the loop stops accepting after a failed accept or spawn: long
 * enough not to spin while the kernel says no, short enough to resume fast. */
#define BACKOFF_S 0.05
/* Accepts in one burst before the loop polls for signals again. */
#define ACCEPT_BURST 64

struct server {
    const struct model *m;
    struct server_cfg cfg;
    struct conn_env env;
    struct stats *st;
    int lfd, sfd, wake_fd;
    int drain_rd, drain_wr;
    double start_s;
    double backoff_until;
    struct log_burst accept_log, spawn_log;
    /* --iterative: an epoll set of the signalfd and drain_timer, polled by
     * the handler (conn_env's intr_fd); what it heard while serving. */
    int intr_fd, drain_timer;
    int stop_signo, abort_signo;
    bool drain_timed_out;
};

/* Connections being served now. In a pool or iterative, the model's
 * active() counts workers (or nothing): the workers count connections. */
static long connections_now(const struct server *s)
{
    if (s->cfg.prespawn > 0 || s->cfg.iterative)
        return atomic_load_explicit(&s->st->serving, memory_order_relaxed);
    return s->m->active();
}

static const char *mode_name(const struct server_cfg *cfg)
{
    return cfg->prespawn > 0 ? "prespawn"
           : cfg->iterative ? "iterative" : "per-connection";
}

static void write_stats(const struct server *s)
{
    if (!s->cfg.stats_path)
        return;
    struct stats_info info = {
        .model = s->m->name,
        .protocol = proto_name(s->cfg.protocol),
        .mode = mode_name(&s->cfg),
        .pool = s->cfg.prespawn,
        .active = connections_now(s),
        .wall_s = clock_s() - s->start_s,
    };
    if (stats_write(s->st, &info, s->cfg.stats_path) < 0)
        log_err("write stats %s: %s", s->cfg.stats_path, strerror(errno));
}

/* Blocks the signals the loop handles and returns a signalfd for them. */
static int signals_setup(void)
{
    /* A peer that vanishes mid-write is an EPIPE to handle, not a death. */
    signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGCHLD);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        return -1;
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

enum sig_action { SIG_NONE, SIG_STOP };

/* Reads every pending signal. Returns SIG_STOP (with *signo) for SIGINT or
 * SIGTERM, after handling SIGCHLD and SIGUSR1 on the way. */
static enum sig_action read_signals(struct server *s, int *signo)
{
    /* Room for more than the signals we handle: a short read means none is
     * left, which saves the read that would only say EAGAIN. */
    struct signalfd_siginfo si[8];
    enum sig_action act = SIG_NONE;
    ssize_t n;
    do {
        n = read(s->sfd, si, sizeof si);
        for (ssize_t i = 0; i < n / (ssize_t)sizeof si[0]; i++) {
            switch (si[i].ssi_signo) {
            case SIGCHLD:
                s->m->collect();
                break;
            case SIGUSR1:
                write_stats(s);
                break;
            default:
                *signo = (int)si[i].ssi_signo;
                act = SIG_STOP;
            }
        }
    } while (n == (ssize_t)sizeof si);
    return act;
}

static bool at_cap(const struct server *s)
{
    return s->m->active() >= s->cfg.max_conns;
}

/* --iterative: serves fd here; signals are heard meanwhile through
 * on_signal_while_serving. */
static void serve_here(struct server *s, int fd)
{
    atomic_store_explicit(&s->st->serving, 1, memory_order_relaxed);
    stats_peak(s->st, 1);
    conn_serve(fd, &s->env);
    atomic_store_explicit(&s->st->serving, 0, memory_order_relaxed);
}

/* Hands fd to the model, or closes it and counts why not. */
static void hand_off(struct server *s, int fd)
{
    if (s->cfg.iterative) {
        serve_here(s, fd);
        return;
    }
    if (s->m->spawn(fd) == 0) {
        stats_peak(s->st, s->m->active());
        return;
    }
    int err = errno;
    close(fd);
    stats_add(s->st->spawn_failures, 1);
    stats_add(s->st->refused, 1);
    double t = clock_s();
    log_burst(&s->spawn_log, t, s->m->desc.spawn_call, err);
    s->backoff_until = t + BACKOFF_S;
}

/* Accepts until the backlog is empty, the cap is reached, a failure asks for
 * a back-off, or ACCEPT_BURST connections were taken. */
static void accept_burst(struct server *s)
{
    for (int i = 0; i < ACCEPT_BURST && !at_cap(s); i++) {
        int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0) {
            stats_add(s->st->accepted, 1);
            hand_off(s, fd);
            if (s->backoff_until > 0 || s->stop_signo)
                return;
            continue;
        }
        int err = errno;
        switch (err) {
        case EAGAIN:
            return;
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
        case EPERM:             /* a firewall rule refused this one */
            continue;
        default:                /* EMFILE, ENFILE, ENOBUFS, ENOMEM, ... */
            stats_add(s->st->accept_failures, 1);
            double t = clock_s();
            log_burst(&s->accept_log, t, "accept", err);
            s->backoff_until = t + BACKOFF_S;
            return;
        }
    }
}

/* Polls the signalfd, the model's descriptor and, when accepting, the
 * listening socket; timeout_s < 0 waits for ever. Collects finished
 * connections. Returns SIG_STOP when a drain signal arrived. */
static enum sig_action wait_events(struct server *s, bool accepting,
                                   double timeout_s, int *signo)
{
    struct pollfd p[3] = {
        {.fd = s->sfd, .events = POLLIN},
        {.fd = s->wake_fd, .events = POLLIN},
        {.fd = accepting ? s->lfd : -1, .events = POLLIN},
    };
    int ms = timeout_s < 0 ? -1 : (int)(timeout_s * 1000) + 1;
    if (poll(p, 3, ms) < 0 && errno != EINTR)
        log_err("poll: %s", strerror(errno));
    if (p[1].revents)
        s->m->collect();
    return p[0].revents ? read_signals(s, signo) : SIG_NONE;
}

/* --prespawn: the workers accept; the loop waits for signals and collects
 * workers that ended. A pool the model could not fill (a failed fork) is
 * topped up after a back-off. Returns the drain signal. */
static int supervise(struct server *s)
{
    int signo = 0;
    for (;;) {
        bool short_of_workers = s->m->active() < s->cfg.prespawn;
        if (wait_events(s, false, short_of_workers ? BACKOFF_S : -1, &signo)
            == SIG_STOP)
            return signo;
        if (short_of_workers)
            s->m->collect();
    }
}

/* Serves until SIGINT or SIGTERM; returns the signal. */
static int serve(struct server *s)
{
    if (s->cfg.prespawn > 0)
        return supervise(s);
    int signo = 0;
    for (;;) {
        double timeout = -1;
        bool accepting = !at_cap(s);
        if (s->backoff_until > 0) {
            timeout = s->backoff_until - clock_s();
            if (timeout <= 0)
                s->backoff_until = 0;
            else
                accepting = false;
        }
        if (accepting)
            accept_burst(s);
        if (s->stop_signo)      /* --iterative: heard while serving */
            return s->stop_signo;
        accepting = accepting && !at_cap(s) && s->backoff_until == 0;
        if (s->backoff_until > 0 && timeout < 0)
            timeout = BACKOFF_S;
        if (wait_events(s, accepting, timeout, &signo) == SIG_STOP)
            return signo;
    }
}

/* Stops accepting and tells every connection that a drain began. */
static void begin_drain(struct server *s, int first_signal)
{
    /* Set first: a pool worker whose accept() fails next knows why. */
    atomic_store(&s->st->draining, true);
    /* shutdown, not only close: pool workers blocked in accept() on their
     * copies of the socket wake up with EINVAL, and the backlog is reset
     * now rather than when the last copy closes. */
    shutdown(s->lfd, SHUT_RDWR);
    close(s->lfd);
    s->lfd = -1;
    if (write(s->drain_wr, "d", 1) < 0)
        log_err("drain pipe: %s", strerror(errno));
    if (connections_now(s) > 0)
        log_notice("%s: draining %ld connections", strsignal(first_signal),
                   connections_now(s));
    if (s->drain_timer >= 0) {
        /* A zero it_value would disarm the timer: 1 ns is "at once". */
        double t = s->cfg.drain_timeout_s;
        struct itimerspec its = {.it_value = {(time_t)t,
            (long)((t - (double)(time_t)t) * 1e9)}};
        if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
            its.it_value.tv_nsec = 1;
        if (timerfd_settime(s->drain_timer, 0, &its, NULL) < 0)
            log_err("timerfd: %s", strerror(errno));
    }
}

/* --iterative: the handler's intr_fd is readable, a signal or the drain
 * timer. Returns true when the connection must end at once: a second drain
 * signal, or the drain timed out. */
static bool on_signal_while_serving(void *ctx)
{
    struct server *s = ctx;
    uint64_t expired;
    if (read(s->drain_timer, &expired, sizeof expired) == sizeof expired) {
        log_err("drain timed out with %ld connections open; closing them",
                connections_now(s));
        s->drain_timed_out = true;
        return true;
    }
    int signo = 0;
    if (read_signals(s, &signo) != SIG_STOP)
        return false;
    if (s->stop_signo == 0) {
        s->stop_signo = signo;
        begin_drain(s, signo);
        return false;
    }
    s->abort_signo = signo;
    return true;
}

/* Stops accepting, lets every connection finish the request it is serving,
 * closes idle ones, and waits up to --drain-timeout. Returns the exit
 * status. */
static int drain(struct server *s, int first_signal)
{
    if (s->lfd >= 0)
        begin_drain(s, first_signal);
    if (s->abort_signo) {       /* --iterative: heard while serving */
        log_err("%s again: exiting at once", strsignal(s->abort_signo));
        return 128 + s->abort_signo;
    }
    if (s->drain_timed_out)
        return 1;
    double deadline = clock_s() + s->cfg.drain_timeout_s;
    while (s->m->active() > 0) {
        double left = deadline - clock_s();
        if (left <= 0) {
            log_err("drain timed out with %ld connections open; closing them",
                    connections_now(s));
            s->m->abort_all();
            return 1;
        }
        int signo = 0;
        if (wait_events(s, false, left, &signo) == SIG_STOP) {
            log_err("%s again: exiting at once", strsignal(signo));
            s->m->abort_all();
            return 128 + signo;
        }
    }
    return 0;
}

/* --iterative: the handler hears signals and the drain timer through one
 * epoll descriptor. Returns 0 or -1 (errno set). */
static int setup_intr(struct server *s)
{
    s->drain_timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    s->intr_fd = epoll_create1(EPOLL_CLOEXEC);
    if (s->drain_timer < 0 || s->intr_fd < 0)
        return -1;
    struct epoll_event ev = {.events = EPOLLIN};
    if (epoll_ctl(s->intr_fd, EPOLL_CTL_ADD, s->sfd, &ev) < 0 ||
        epoll_ctl(s->intr_fd, EPOLL_CTL_ADD, s->drain_timer, &ev) < 0)
        return -1;
    s->env.intr_fd = s->intr_fd;
    s->env.on_intr = on_signal_while_serving;
    s->env.intr_ctx = s;
    return 0;
}

/* --prespawn: the workers block in accept() (the loop never accepts), then
 * the model starts them. Returns 0 or -1 (reported). */
static int setup_pool(struct server *s)
{
    int fl = fcntl(s->lfd, F_GETFL);
    if (fl < 0 || fcntl(s->lfd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
        log_err("fcntl: %s", strerror(errno));
        return -1;
    }
    if (s->m->pool_start(s->cfg.prespawn) == 0)
        return 0;
    int err = errno;
    log_err("--prespawn %ld: %s: %s (started %ld; not serving with a smaller "
            "pool)", s->cfg.prespawn, s->m->desc.spawn_call, strerror(err),
            s->m->active());
    s->m->abort_all();
    return -1;
}

/* Everything before the listening line; returns 0 or -1 (reported). */
static int setup(struct server *s)
{
    s->intr_fd = s->drain_timer = -1;
    s->sfd = signals_setup();
    if (s->sfd < 0) {
        log_err("signalfd: %s", strerror(errno));
        return -1;
    }
    s->st = stats_create();
    if (!s->st) {
        log_err("mmap stats: %s", strerror(errno));
        return -1;
    }
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0) {
        log_err("pipe: %s", strerror(errno));
        return -1;
    }
    s->drain_rd = pfd[0];
    s->drain_wr = pfd[1];
    if (work_ballast(s->cfg.ballast_mb) < 0) {
        log_err("--ballast-mb %ld: %s", s->cfg.ballast_mb, strerror(errno));
        return -1;
    }
    conn_init();
    s->env = (struct conn_env){
        .cfg = &s->cfg,
        .stats = s->st,
        .drain_fd = s->drain_rd,
        .loops_per_us = s->cfg.work_us > 0 ? work_calibrate() : 1,
        .intr_fd = -1,
    };
    if (s->cfg.iterative && setup_intr(s) < 0) {
        log_err("epoll: %s", strerror(errno));
        return -1;
    }
    char err[512];
    s->lfd = net_listen(s->cfg.host, s->cfg.port, s->cfg.backlog, err,
                        sizeof err);
    if (s->lfd < 0) {
        log_err("%s", err);
        return -1;
    }
    s->wake_fd = s->m->init(&s->env, s->lfd);
    if (s->wake_fd == -2) {
        log_err("%s model: %s", s->m->name, strerror(errno));
        return -1;
    }
    return s->cfg.prespawn > 0 ? setup_pool(s) : 0;
}

void server_worker(const struct conn_env *env, int listen_fd,
                   atomic_bool *busy)
{
    struct stats *st = env->stats;
    struct log_burst accept_log = {0};
    while (!atomic_load(&st->draining)) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            int err = errno;
            if (atomic_load(&st->draining))
                return;         /* EINVAL: the loop shut the socket down */
            if (err == EINTR || err == ECONNABORTED || err == EPROTO ||
                err == EPERM)
                continue;
            stats_add(st->accept_failures, 1);
            log_burst(&accept_log, clock_s(), "accept", err);
            /* Back off without spinning, but wake for a drain at once. */
            struct pollfd p = {.fd = env->drain_fd, .events = POLLIN};
            poll(&p, 1, (int)(BACKOFF_S * 1000));
            continue;
        }
        /* serving before accepted: whoever sees the connection accepted
         * sees it being served, as the accept loop's counts do. */
        stats_peak(st, atomic_fetch_add(&st->serving, 1) + 1);
        if (busy)
            atomic_store(busy, true);
        stats_add(st->accepted, 1);
        conn_serve(fd, env);
        if (!busy || atomic_exchange(busy, false))
            atomic_fetch_sub(&st->serving, 1);
    }
}

static void announce(const struct server *s)
{
    char where[128] = "?";
    net_local_name(s->lfd, where, sizeof where);
    if (!net_is_loopback(s->lfd))
        log_notice("warning: listening on %s, which is not a loopback "
                   "address", where);
    printf("listening on %s model=%s protocol=%s pid=%ld\n", where,
           s->m->name, proto_name(s->cfg.protocol), (long)getpid());
    fflush(stdout);
}

int server_main(int argc, char **argv, const struct model *m)
{
    static struct server s;     /* static: zeroed, and the loop's alone */
    s.m = m;
    log_init(m->desc.prog, 0);
    char err[512];
    switch (opts_parse(argc, argv, &m->desc, &s.cfg, stdout, err,
                       sizeof err)) {
    case OPTS_EXIT_OK:
        return 0;
    case OPTS_USAGE:
        fprintf(stderr, "%s: %s\n", m->desc.prog, err);
        return 2;
    case OPTS_RUN:
        break;
    }
    log_init(m->desc.prog, s.cfg.verbosity);
    if (setup(&s) < 0)
        return 1;
    s.start_s = clock_s();
    announce(&s);
    int signo = serve(&s);
    int rc = drain(&s, signo);
    write_stats(&s);
    return rc;
}
