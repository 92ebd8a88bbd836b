/* main.c: client_load: the options, the run, the results, the exit status.
 *
 * The main thread starts the workers, then only waits: for them to finish
 * (an eventfd), for SIGINT/SIGTERM (a signalfd: the first stops the run and
 * reports it, the second exits at once), and, on a terminal, for the next
 * progress tick. It never sleeps to synchronise.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "engine.h"
#include "report.h"
#include "run_stats.h"
#include "sock.h"

#define PROG "client_load"

static struct client_cfg cfg;

struct outputs {
    FILE *json, *csv, *hist;
    bool csv_header;            /* the CSV file was empty: write the header */
    bool stdout_taken;          /* a machine output goes to stdout */
};

static long cpu_count(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

/* Raises the soft descriptor limit to fit -c connections and a margin. */
static int fit_fd_limit(long conns, char *err, size_t errlen)
{
    struct rlimit rl;
    rlim_t need = (rlim_t)conns + 64;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= need)
        return 0;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
        snprintf(err, errlen, "-c %ld needs %llu descriptors, the hard limit "
                 "is %llu (ulimit -Hn)", conns, (unsigned long long)need,
                 (unsigned long long)rl.rlim_max);
        return -1;
    }
    rl.rlim_cur = need;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
        snprintf(err, errlen, "setrlimit RLIMIT_NOFILE %llu: %s",
                 (unsigned long long)need, strerror(errno));
        return -1;
    }
    return 0;
}

static FILE *open_output(const char *path, const char *mode, char *err,
                         size_t errlen)
{
    if (strcmp(path, "-") == 0)
        return stdout;
    FILE *f = fopen(path, mode);
    if (f == NULL) {
        char buf[96];
        snprintf(err, errlen, "open %s: %s", path,
                 sock_strerror(errno, buf, sizeof buf));
    }
    return f;
}

/* Opens every requested output before the run, so that a bad path fails
 * before anything is measured. */
static int open_outputs(struct outputs *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    if (cfg.json_path && !(o->json = open_output(cfg.json_path, "w", err,
                                                 errlen)))
        return -1;
    if (cfg.hist_path && !(o->hist = open_output(cfg.hist_path, "w", err,
                                                 errlen)))
        return -1;
    if (cfg.csv_path) {
        struct stat sb;
        if (!(o->csv = open_output(cfg.csv_path, "a", err, errlen)))
            return -1;
        o->csv_header = fstat(fileno(o->csv), &sb) < 0 || sb.st_size == 0 ||
                        !S_ISREG(sb.st_mode);
    }
    o->stdout_taken = o->json == stdout || o->hist == stdout ||
                      o->csv == stdout;
    return 0;
}

/* Flushes and closes f; returns -1 (with a message) if anything was lost. */
static int close_output(FILE *f, const char *path)
{
    if (f == NULL)
        return 0;
    int bad = ferror(f);
    int rc = f == stdout ? fflush(f) : fclose(f);
    if (bad || rc != 0) {
        char buf[96];
        fprintf(stderr, PROG ": write %s: %s\n",
                strcmp(path, "-") == 0 ? "standard output" : path,
                sock_strerror(errno ? errno : EIO, buf, sizeof buf));
        return -1;
    }
    return 0;
}

static void progress(const struct engine *e, int64_t t0, uint64_t *last_req,
                     int64_t *last_t)
{
    uint64_t req, errs;
    int64_t t = clock_ns();
    double elapsed = (double)(t - t0) / 1e9;
    engine_progress(e, &req, &errs);
    double rps = (double)(req - *last_req) * 1e9 / (double)(t - *last_t);
    *last_req = req;
    *last_t = t;
    fprintf(stderr, "\r%s %6.1fs", elapsed < cfg.warmup_s ? "warmup" : "run   ",
            elapsed);
    if (cfg.duration_s > 0)
        fprintf(stderr, "/%.0fs", cfg.warmup_s + cfg.duration_s);
    fprintf(stderr, "  %12" PRIu64 " requests  %10.0f req/s  %8" PRIu64
            " errors\033[K", req, rps, errs);
}

/* Waits for the workers; returns 1 if a signal stopped the run, -1 on a
 * second signal (exit now), 0 otherwise. */
static int wait_run(struct engine *e, int sig_fd)
{
    struct pollfd pfd[2] = {
        {.fd = engine_done_fd(e), .events = POLLIN},
        {.fd = sig_fd, .events = POLLIN},
    };
    bool show = !cfg.quiet && isatty(STDERR_FILENO) &&
                (cfg.duration_s == 0 || cfg.warmup_s + cfg.duration_s > 3);
    int64_t t0 = clock_ns(), next = t0 + 1000000000LL, last_t = t0;
    uint64_t last_req = 0, finished = 0;
    int signals = 0;
    while (finished < (uint64_t)cfg.threads) {
        int timeout = -1;
        if (show)
            timeout = next > clock_ns() ? (int)((next - clock_ns()) / 1000000) + 1
                                      : 0;
        int n = poll(pfd, sig_fd >= 0 ? 2 : 1, timeout);
        if (n < 0 && errno != EINTR)
            break;
        uint64_t v;
        if (n > 0 && (pfd[0].revents & POLLIN) &&
            read(pfd[0].fd, &v, sizeof v) == (ssize_t)sizeof v)
            finished += v;
        struct signalfd_siginfo si;
        if (n > 0 && sig_fd >= 0 && (pfd[1].revents & POLLIN) &&
            read(sig_fd, &si, sizeof si) == (ssize_t)sizeof si) {
            if (++signals > 1)
                return -1;
            engine_stop(e);
        }
        /* Runs shown only from 3 s on: -n runs of unknown length too. */
        if (show && clock_ns() >= next) {
            if (clock_ns() - t0 > 3000000000LL || cfg.duration_s > 0)
                progress(e, t0, &last_req, &last_t);
            next += 1000000000LL;
        }
    }
    if (show)
        fputs("\r\033[K", stderr);
    return signals > 0;
}

/* Blocks SIGINT and SIGTERM (the workers inherit the mask) and returns a
 * signalfd for them, or -1 (then the signals keep their default action). */
static int signals_to_fd(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (fd >= 0)
        pthread_sigmask(SIG_BLOCK, &set, NULL);
    return fd;
}

static void utc_now(char *buf, size_t len)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int write_outputs(struct outputs *o, const struct report *r)
{
    int rc = 0;
    if (o->json)
        report_json(o->json, r);
    if (o->csv)
        report_csv(o->csv, r, o->csv_header);
    if (o->hist)
        report_histogram(o->hist, r);
    rc |= close_output(o->json, cfg.json_path);
    rc |= close_output(o->csv, cfg.csv_path);
    rc |= close_output(o->hist, cfg.hist_path);
    return rc;
}

/* The verdict on stderr: why nothing succeeded, or what ran out. Returns
 * the exit status. */
static int verdict(const struct run_stats *st)
{
    uint64_t errs = 0;
    int worst = 0;
    for (int k = 0; k < ERR_COUNT; k++) {
        errs += st->errors[k];
        if (st->errors[k] > st->errors[worst])
            worst = k;
    }
    if (st->errors[ERR_PORTS])
        fprintf(stderr, PROG ": ephemeral ports exhausted: %" PRIu64 " "
                "connects found no free local port: %s\n",
                st->errors[ERR_PORTS], cfg.source_first
                ? "widen the --source range"
                : "use --source 127.0.0.2-127.0.0.9 (or a wider range)");
    if (st->requests > 0)
        return 0;
    if (errs > 0)
        fprintf(stderr, PROG ": every request failed (%" PRIu64 " errors, "
                "most %s): %s\n", errs, stats_err_name(worst),
                st->first_error[worst]);
    else
        fprintf(stderr, PROG ": no request completed in %.2fs\n",
                st->elapsed_s);
    return 1;
}

int main(int argc, char **argv)
{
    char err[512];
    struct sock_target target;
    struct outputs out;
    struct run_stats st;
    struct engine *e = NULL;

    switch (config_parse(argc, argv, cpu_count(), &cfg, stdout, err,
                         sizeof err)) {
    case CONFIG_EXIT_OK:
        return 0;
    case CONFIG_USAGE:
        fprintf(stderr, PROG ": %s\n", err);
        fprintf(stderr, "usage: " PROG " [options] [HOST:PORT] "
                "(see " PROG " --help)\n");
        return 2;
    case CONFIG_RUN:
        break;
    }
    signal(SIGPIPE, SIG_IGN);
    if (fit_fd_limit(cfg.connections, err, sizeof err) < 0 ||
        sock_resolve(cfg.host, cfg.port, &target, err, sizeof err) < 0 ||
        open_outputs(&out, err, sizeof err) < 0) {
        fprintf(stderr, PROG ": %s\n", err);
        return 1;
    }
    if (stats_init(&st) != 0) {
        fprintf(stderr, PROG ": out of memory\n");
        return 1;
    }
    struct report rep = {.cfg = &cfg, .target = target.text, .st = &st};
    utc_now(rep.started, sizeof rep.started);
    int sig_fd = signals_to_fd();
    if (engine_start(&e, &cfg, &target, err, sizeof err) < 0) {
        fprintf(stderr, PROG ": %s\n", err);
        return 1;
    }
    int stopped = wait_run(e, sig_fd);
    if (stopped < 0) {
        fprintf(stderr, PROG ": interrupted twice: no report\n");
        return 1;
    }
    rep.interrupted = stopped > 0;
    int rc = engine_join(e, &st, err, sizeof err);
    engine_free(e);
    if (sig_fd >= 0)
        close(sig_fd);
    if (rc < 0)
        fprintf(stderr, PROG ": %s\n", err);
    if (!cfg.quiet) {
        report_summary(out.stdout_taken ? stderr : stdout, &rep);
        fflush(stdout);
    }
    if (write_outputs(&out, &rep) < 0)
        rc = -1;
    int status = verdict(&st);
    stats_free(&st);
    return rc < 0 ? 1 : status;
}
