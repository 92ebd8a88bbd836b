/* report.h: a run's results, for people (the summary) and for programs
 * (JSON, CSV, the percentile spectrum). Each writer only formats: opening,
 * checking and closing the stream is the caller's. */
#ifndef CLIENT_REPORT_H
#define CLIENT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "config.h"
#include "run_stats.h"

struct report {
    const struct client_cfg *cfg;
    const char *target;         /* "127.0.0.1:8000" */
    const struct run_stats *st;
    char started[32];           /* UTC, ISO 8601: "2024-05-01T12:00:00Z" */
    bool interrupted;           /* stopped by a signal */
};

/* The human summary, in the spirit of wrk's. */
void report_summary(FILE *out, const struct report *r);
/* Everything as one JSON object:
 *   tool, version, started (UTC), interrupted (a signal ended the run);
 *   config: target (resolved), host, port, protocol, threads, connections,
 *     duration_s (0: none), requests (-n; 0: none), warmup_s,
 *     requests_per_conn, size, rate (0: closed loop), timeout_s, source;
 *   totals: elapsed_s (after the warmup to the stop), requests (completed
 *     with a correct reply), connections (established), bytes_sent,
 *     bytes_received, their rates per second, unfinished (in flight at the
 *     stop), missed (-R: due before the stop, never sent), peer_closed
 *     (idle keep-alive connections the server ended: not errors),
 *     kept_open (http: connections the server had not closed -T after
 *     its reply to "Connection: close"; the client closed them, and their
 *     requests count as completed: not errors);
 *   errors: connect, read, write, timeout, protocol, ports_exhausted, total,
 *     and first: the first message of each kind that happened;
 *   client: cpu_user_s, cpu_sys_s, peak_rss_kib of client_load itself;
 *   latency_us: connect, first_byte, request, connection, each with count,
 *     overflow (> 60 s), min, max, mean, stdev, p50, p75, p90, p99, p99_9,
 *     p99_99 (microseconds) and spectrum: [{percentile, value_us, count}],
 *     count being the values at or below value_us.
 * Only attempts that started after the warmup are counted. */
void report_json(FILE *out, const struct report *r);
/* One CSV row; with header, the header line first. */
void report_csv(FILE *out, const struct report *r, bool header);
/* The percentile spectrum of every phase that has values, in
 * HdrHistogram's text format (values in microseconds), one block per phase
 * after a "# phase: NAME" line, blocks separated by two blank lines. */
void report_histogram(FILE *out, const struct report *r);

#endif
