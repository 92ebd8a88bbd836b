/* report.c: formatting a run's results. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <sys/resource.h>

#include "report.h"

/* The percentiles every report gives, and their JSON/CSV names. */
static const double pcts[] = {50, 75, 90, 99, 99.9, 99.99};
static const char *const pct_keys[] = {
    "p50", "p75", "p90", "p99", "p99_9", "p99_99",
};
#define NPCTS (sizeof pcts / sizeof pcts[0])

/* Spectrum steps per halving of the distance to 100 %: HdrHistogram's 5. */
#define SPECTRUM_TICKS 5

static double us(int64_t ns)
{
    return (double)ns / 1e3;
}

static double rate(uint64_t n, double s)
{
    return s > 0 ? (double)n / s : 0.0;
}

static const char *mode_text(const struct client_cfg *cfg, char *buf,
                             size_t len)
{
    if (cfg->requests_per_conn == 1)
        snprintf(buf, len, "a new connection per request");
    else if (cfg->requests_per_conn == 0)
        snprintf(buf, len, "keep-alive connections");
    else
        snprintf(buf, len, "%ld requests per connection",
                 cfg->requests_per_conn);
    return buf;
}

/* ---- the human summary ------------------------------------------------------ */

/* A latency the way wrk prints one: 635.91us, 12.92ms, 1.20s. */
static const char *fmt_time(int64_t ns, char *buf, size_t len)
{
    double v = (double)ns;
    if (v < 1e6)
        snprintf(buf, len, "%.2fus", v / 1e3);
    else if (v < 1e9)
        snprintf(buf, len, "%.2fms", v / 1e6);
    else
        snprintf(buf, len, "%.2fs", v / 1e9);
    return buf;
}

/* A byte count with a binary unit: 72.43MB (wrk's spelling). */
static const char *fmt_bytes(double v, char *buf, size_t len)
{
    static const char *const units[] = {"B", "KB", "MB", "GB", "TB"};
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    snprintf(buf, len, u ? "%.2f%s" : "%.0f%s", v, units[u]);
    return buf;
}

static void summary_latency(FILE *out, const struct run_stats *st)
{
    static const double cols[] = {50, 90, 99, 99.9};
    char b[32];
    fprintf(out, "  %-11s %9s %9s %9s %9s %9s %9s %9s %10s\n", "Latency", "p50",
            "p90", "p99", "p99.9", "max", "mean", "stdev", "count");
    for (int p = 0; p < PHASE_COUNT; p++) {
        const struct hist *h = st->lat[p];
        if (hist_count(h) == 0)
            continue;
        fprintf(out, "    %-9s", stats_phase_name(p));
        for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
            fprintf(out, " %9s", fmt_time(hist_percentile(h, cols[i]), b,
                                          sizeof b));
        fprintf(out, " %9s", fmt_time(hist_max(h), b, sizeof b));
        fprintf(out, " %9s", fmt_time((int64_t)hist_mean(h), b, sizeof b));
        fprintf(out, " %9s", fmt_time((int64_t)hist_stdev(h), b, sizeof b));
        fprintf(out, " %10" PRIu64 "\n", hist_count(h));
        if (hist_overflow(h))
            fprintf(out, "      (%" PRIu64 " above 60 s, counted at their "
                    "value in max and mean)\n", hist_overflow(h));
    }
}

static uint64_t total_errors(const struct run_stats *st)
{
    uint64_t n = 0;
    for (int k = 0; k < ERR_COUNT; k++)
        n += st->errors[k];
    return n;
}

static void summary_errors(FILE *out, const struct run_stats *st)
{
    uint64_t n = total_errors(st);
    if (n == 0) {
        fprintf(out, "Errors:          none\n");
        return;
    }
    fprintf(out, "Errors:          %" PRIu64 "\n", n);
    for (int k = 0; k < ERR_COUNT; k++)
        if (st->errors[k])
            fprintf(out, "  %-16s %10" PRIu64 "  first: %s\n",
                    stats_err_name(k), st->errors[k], st->first_error[k]);

}

void report_summary(FILE *out, const struct report *r)
{
    const struct client_cfg *cfg = r->cfg;
    const struct run_stats *st = r->st;
    char b1[32], b2[32], mode[64];
    if (cfg->duration_s > 0)
        fprintf(out, "Running %gs test @ %s, %s, %ld bytes\n", cfg->duration_s,
                r->target, proto_name(cfg->protocol), cfg->size);
    else
        fprintf(out, "Running %" PRIu64 " requests @ %s, %s, %ld bytes\n",
                cfg->requests, r->target, proto_name(cfg->protocol), cfg->size);
    fprintf(out, "  %ld threads and %ld connections, %s, ", cfg->threads,
            cfg->connections, mode_text(cfg, mode, sizeof mode));
    if (cfg->rate > 0)
        fprintf(out, "open loop at %g requests/s\n", cfg->rate);
    else
        fprintf(out, "closed loop\n");
    if (cfg->warmup_s > 0 || cfg->source_first)
        fprintf(out, "  warmup %gs%s%s\n", cfg->warmup_s,
                cfg->source_first ? ", sources " : "",
                cfg->source_first ? cfg->source_text : "");
    summary_latency(out, st);
    fprintf(out, "  %" PRIu64 " requests in %.2fs, %" PRIu64 " connections, "
            "%s sent, %s read%s\n", st->requests, st->elapsed_s,
            st->connections, fmt_bytes((double)st->bytes_sent, b1, sizeof b1),
            fmt_bytes((double)st->bytes_received, b2, sizeof b2),
            r->interrupted ? " (interrupted)" : "");
    if (st->unfinished || st->missed || st->peer_closed)
        fprintf(out, "  not counted: %" PRIu64 " in flight at the stop, %"
                PRIu64 " due but not sent before the stop; %"
                PRIu64 " idle connections closed by the server\n",
                st->unfinished, st->missed, st->peer_closed);
    if (st->kept_open)
        fprintf(out, "  %" PRIu64 " connections left open by the server "
                "after \"Connection: close\" (closed by the client after "
                "%gs)\n", st->kept_open, r->cfg->timeout_s);
    fprintf(out, "Requests/sec:    %.2f\n", rate(st->requests, st->elapsed_s));
    fprintf(out, "Connections/sec: %.2f\n",
            rate(st->connections, st->elapsed_s));
    fprintf(out, "Transfer/sec:    %s sent, %s read\n",
            fmt_bytes(rate(st->bytes_sent, st->elapsed_s), b1, sizeof b1),
            fmt_bytes(rate(st->bytes_received, st->elapsed_s), b2, sizeof b2));
    summary_errors(out, st);
}

/* ---- JSON ----------------------------------------------------------------------- */

static void json_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void json_config(FILE *out, const struct report *r)
{
    const struct client_cfg *cfg = r->cfg;
    fprintf(out, "  \"config\": {\n    \"target\": ");
    json_str(out, r->target);
    fprintf(out, ",\n    \"host\": ");
    json_str(out, cfg->host);
    fprintf(out, ",\n    \"port\": %d,\n    \"protocol\": \"%s\",\n"
            "    \"threads\": %ld,\n    \"connections\": %ld,\n"
            "    \"duration_s\": %g,\n    \"requests\": %" PRIu64 ",\n"
            "    \"warmup_s\": %g,\n    \"requests_per_conn\": %ld,\n"
            "    \"size\": %ld,\n    \"rate\": %g,\n    \"timeout_s\": %g,\n"
            "    \"source\": ",
            cfg->port, proto_name(cfg->protocol), cfg->threads,
            cfg->connections, cfg->duration_s, cfg->requests, cfg->warmup_s,
            cfg->requests_per_conn, cfg->size, cfg->rate, cfg->timeout_s);
    if (cfg->source_first)
        json_str(out, cfg->source_text);
    else
        fputs("null", out);
    fprintf(out, "\n  },\n");
}

static void json_totals(FILE *out, const struct run_stats *st)
{
    fprintf(out, "  \"totals\": {\n"
            "    \"elapsed_s\": %.6f,\n    \"requests\": %" PRIu64 ",\n"
            "    \"connections\": %" PRIu64 ",\n"
            "    \"bytes_sent\": %" PRIu64 ",\n"
            "    \"bytes_received\": %" PRIu64 ",\n"
            "    \"requests_per_s\": %.3f,\n    \"connections_per_s\": %.3f,\n"
            "    \"bytes_sent_per_s\": %.3f,\n"
            "    \"bytes_received_per_s\": %.3f,\n"
            "    \"unfinished\": %" PRIu64 ",\n    \"missed\": %" PRIu64 ",\n"
            "    \"peer_closed\": %" PRIu64 ",\n"
            "    \"kept_open\": %" PRIu64 "\n  },\n",
            st->elapsed_s, st->requests, st->connections, st->bytes_sent,
            st->bytes_received, rate(st->requests, st->elapsed_s),
            rate(st->connections, st->elapsed_s),
            rate(st->bytes_sent, st->elapsed_s),
            rate(st->bytes_received, st->elapsed_s), st->unfinished,
            st->missed, st->peer_closed, st->kept_open);
}

static void json_errors(FILE *out, const struct run_stats *st)
{
    fprintf(out, "  \"errors\": {\n");
    for (int k = 0; k < ERR_COUNT; k++)
        fprintf(out, "    \"%s\": %" PRIu64 ",\n", stats_err_name(k),
                st->errors[k]);
    fprintf(out, "    \"total\": %" PRIu64 ",\n    \"first\": {",
            total_errors(st));
    const char *sep = "";
    for (int k = 0; k < ERR_COUNT; k++) {
        if (st->errors[k] == 0)
            continue;
        fprintf(out, "%s\n      \"%s\": ", sep, stats_err_name(k));
        json_str(out, st->first_error[k]);
        sep = ",";
    }
    fprintf(out, "%s}\n  },\n", *sep ? "\n    " : "");
}

static void json_phase(FILE *out, const struct hist *h)
{
    fprintf(out, "{\n      \"count\": %" PRIu64 ",\n", hist_count(h));
    fprintf(out, "      \"overflow\": %" PRIu64 ",\n", hist_overflow(h));
    fprintf(out, "      \"min\": %.3f,\n      \"max\": %.3f,\n"
            "      \"mean\": %.3f,\n      \"stdev\": %.3f,\n",
            us(hist_min(h)), us(hist_max(h)), hist_mean(h) / 1e3,
            hist_stdev(h) / 1e3);
    for (size_t i = 0; i < NPCTS; i++)
        fprintf(out, "      \"%s\": %.3f,\n", pct_keys[i],
                us(hist_percentile(h, pcts[i])));
    fprintf(out, "      \"spectrum\": [");
    struct hist_iter it;
    const char *sep = "";
    hist_iter_init(&it, h, SPECTRUM_TICKS);
    while (hist_iter_next(&it)) {
        fprintf(out, "%s\n        {\"percentile\": %.6f, \"value_us\": %.3f, "
                "\"count\": %" PRIu64 "}", sep, it.percentile,
                us(it.value_ns), it.count);
        sep = ",";
    }
    fprintf(out, "%s]\n    }", *sep ? "\n      " : "");
}

/* The client's own cost, so a reader can tell it from the server's: CPU
 * and peak RSS of this process (getrusage), warmup and start-up included. */
static void json_self(FILE *out)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    fprintf(out, "  \"client\": {\"cpu_user_s\": %.6f, \"cpu_sys_s\": %.6f, "
            "\"peak_rss_kib\": %ld},\n",
            (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
            (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6,
            ru.ru_maxrss);
}

void report_json(FILE *out, const struct report *r)
{
    fprintf(out, "{\n  \"tool\": \"client_load\",\n  \"version\": \"%s\",\n"
            "  \"started\": \"%s\",\n  \"interrupted\": %s,\n",
            CLIENT_VERSION, r->started, r->interrupted ? "true" : "false");
    json_config(out, r);
    json_totals(out, r->st);
    json_errors(out, r->st);
    json_self(out);
    fprintf(out, "  \"latency_us\": {");
    for (int p = 0; p < PHASE_COUNT; p++) {
        fprintf(out, "%s\n    \"%s\": ", p ? "," : "", stats_phase_name(p));
        json_phase(out, r->st->lat[p]);
    }
    fprintf(out, "\n  }\n}\n");
}

/* ---- CSV -------------------------------------------------------------------------- */

void report_csv(FILE *out, const struct report *r, bool header)
{
    const struct client_cfg *cfg = r->cfg;
    const struct run_stats *st = r->st;
    if (header) {
        fputs("started,target,protocol,threads,connections,requests_per_conn,"
              "size,rate,duration_s,warmup_s,elapsed_s,requests,connections_made,"
              "bytes_sent,bytes_received,requests_per_s,connections_per_s,"
              "bytes_received_per_s", out);
        for (int k = 0; k < ERR_COUNT; k++)
            fprintf(out, ",err_%s", stats_err_name(k));
        fputs(",unfinished,missed", out);
        for (int p = 0; p < PHASE_COUNT; p++) {
            const char *n = stats_phase_name(p);
            for (size_t i = 0; i < NPCTS; i++)
                fprintf(out, ",%s_%s_us", n, pct_keys[i]);
            fprintf(out, ",%s_max_us,%s_mean_us,%s_stdev_us,%s_count", n, n, n,
                    n);
        }
        fputc('\n', out);
    }
    fprintf(out, "%s,%s,%s,%ld,%ld,%ld,%ld,%g,%g,%g,%.6f,%" PRIu64 ",%" PRIu64
            ",%" PRIu64 ",%" PRIu64 ",%.3f,%.3f,%.3f", r->started, r->target,
            proto_name(cfg->protocol), cfg->threads, cfg->connections,
            cfg->requests_per_conn, cfg->size, cfg->rate, cfg->duration_s,
            cfg->warmup_s, st->elapsed_s, st->requests, st->connections,
            st->bytes_sent, st->bytes_received,
            rate(st->requests, st->elapsed_s),
            rate(st->connections, st->elapsed_s),
            rate(st->bytes_received, st->elapsed_s));
    for (int k = 0; k < ERR_COUNT; k++)
        fprintf(out, ",%" PRIu64, st->errors[k]);
    fprintf(out, ",%" PRIu64 ",%" PRIu64, st->unfinished, st->missed);
    for (int p = 0; p < PHASE_COUNT; p++) {
        const struct hist *h = st->lat[p];
        for (size_t i = 0; i < NPCTS; i++)
            fprintf(out, ",%.3f", us(hist_percentile(h, pcts[i])));
        fprintf(out, ",%.3f,%.3f,%.3f,%" PRIu64, us(hist_max(h)),
                hist_mean(h) / 1e3, hist_stdev(h) / 1e3, hist_count(h));
    }
    fputc('\n', out);
}

/* ---- the percentile spectrum ---------------------------------------------------- */

static void spectrum_block(FILE *out, const char *name, const struct hist *h)
{
    struct hist_iter it;
    fprintf(out, "# phase: %s (values in microseconds)\n", name);
    fprintf(out, "%12s %14s %10s %14s\n\n", "Value", "Percentile",
            "TotalCount", "1/(1-Percentile)");
    hist_iter_init(&it, h, SPECTRUM_TICKS);
    while (hist_iter_next(&it)) {
        double p = it.percentile / 100.0;
        if (p < 1.0)
            fprintf(out, "%12.3f %14.12f %10" PRIu64 " %14.2f\n",
                    us(it.value_ns), p, it.count, 1.0 / (1.0 - p));
        else
            fprintf(out, "%12.3f %14.12f %10" PRIu64 " %14s\n",
                    us(it.value_ns), p, it.count, "inf");
    }
    fprintf(out, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n",
            hist_mean(h) / 1e3, hist_stdev(h) / 1e3);
    fprintf(out, "#[Max     = %12.3f, Total count    = %12" PRIu64 "]\n",
            us(hist_max(h)), hist_count(h));
}

void report_histogram(FILE *out, const struct report *r)
{
    bool first = true;
    for (int p = 0; p < PHASE_COUNT; p++) {
        if (hist_count(r->st->lat[p]) == 0)
            continue;
        if (!first)
            fputs("\n\n", out);
        spectrum_block(out, stats_phase_name(p), r->st->lat[p]);
        first = false;
    }
}
