/* config.c: parsing and range-checking client_load's flags.
 *
 * Defaults are set before getopt, every value is checked as it is read, and
 * the flags that depend on each other are checked after the loop (wrk's
 * shape). Nothing here exits or prints an error: main() does.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"

enum {
    OPT_JSON = 256, OPT_CSV, OPT_HISTOGRAM, OPT_SOURCE,
};

static const struct option long_opts[] = {
    {"host", required_argument, NULL, 'H'},
    {"port", required_argument, NULL, 'p'},
    {"protocol", required_argument, NULL, 'P'},
    {"connections", required_argument, NULL, 'c'},
    {"threads", required_argument, NULL, 't'},
    {"duration", required_argument, NULL, 'd'},
    {"requests", required_argument, NULL, 'n'},
    {"warmup", required_argument, NULL, 'w'},
    {"requests-per-conn", required_argument, NULL, 'r'},
    {"size", required_argument, NULL, 's'},
    {"rate", required_argument, NULL, 'R'},
    {"timeout", required_argument, NULL, 'T'},
    {"source", required_argument, NULL, OPT_SOURCE},
    {"json", required_argument, NULL, OPT_JSON},
    {"csv", required_argument, NULL, OPT_CSV},
    {"histogram", required_argument, NULL, OPT_HISTOGRAM},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static void print_help(FILE *out)
{
    fputs(
"usage: client_load [options] [HOST:PORT]\n"
"Drive a perconn server (or any echo/size/HTTP server) with many connections\n"
"and measure it: latency per phase, throughput, errors by kind.\n"
"\n"
"  -H, --host ADDR          target address or name (default 127.0.0.1)\n"
"  -p, --port PORT          1..65535 (default 8000)\n"
"  -P, --protocol NAME      echo | size | http, as the server (default echo)\n"
"  -c, --connections N      concurrent connections, 1..1000000 (default 10)\n"
"  -t, --threads N          worker threads, 1..1024 (default: the CPUs this\n"
"                           process may run on, at most -c)\n"
"  -d, --duration SEC       stop after SEC seconds, 0.001..2678400 (default 10,\n"
"                           none when only -n is given)\n"
"  -n, --requests N         stop after N request attempts, 1..10^15; every\n"
"                           attempt counts, failed ones too\n"
"  -w, --warmup SEC         run SEC seconds first without recording, 0..3600\n"
"  -r, --requests-per-conn R  requests per connection, 0..10^9: 1 = a new\n"
"                           connection for every request (default), 0 = keep\n"
"                           each connection for the whole run; over http the\n"
"                           last request says \"Connection: close\" and the\n"
"                           server closes first\n"
"  -s, --size BYTES         echo: bytes sent and checked; size/http: bytes\n"
"                           asked for; 1..1073741824 (default 64)\n"
"  -R, --rate N             open loop: N requests/s in all, latency measured\n"
"                           from each request's intended start; 0..10^8\n"
"                           (default 0 = closed loop)\n"
"  -T, --timeout SEC        a connect or request slower than this is an error,\n"
"                           0.001..3600 (default 10)\n"
"      --source A[-B]       bind each connection to the next IPv4 address of\n"
"                           A..B in 127.0.0.0/8 (more ephemeral ports)\n"
"      --json FILE          every result as JSON (- = stdout)\n"
"      --csv FILE           append one row (a header first if FILE is new)\n"
"      --histogram FILE     latency percentile spectra, HdrHistogram text\n"
"  -q, --quiet              no progress line and no summary\n"
"  -h, --help               this text\n"
"  -V, --version            the version\n"
"\n"
"Exit status: 0 at least one request succeeded, 1 none did (or the run\n"
"could not start), 2 bad usage.\n", out);
}

/* One IPv4 address inside 127.0.0.0/8, into *out (host byte order). */
static int parse_loopback(const char *s, uint32_t *out)
{
    struct in_addr a;
    if (inet_pton(AF_INET, s, &a) != 1)
        return -1;
    uint32_t v = ntohl(a.s_addr);
    if ((v >> 24) != 127)
        return -1;
    *out = v;
    return 0;
}

/* --source A or A-B: a range of loopback addresses, A <= B. */
static int parse_source(const char *arg, struct client_cfg *cfg, char *err,
                        size_t errlen)
{
    char a[32], b[32];
    const char *dash = strchr(arg, '-');
    size_t alen = dash ? (size_t)(dash - arg) : strlen(arg);
    const char *bstr = dash ? dash + 1 : arg;
    if (alen == 0 || alen >= sizeof a || strlen(bstr) >= sizeof b)
        goto bad;
    memcpy(a, arg, alen);
    a[alen] = '\0';
    strcpy(b, bstr);
    if (parse_loopback(a, &cfg->source_first) < 0 ||
        parse_loopback(b, &cfg->source_last) < 0)
        goto bad;
    if (cfg->source_first > cfg->source_last) {
        snprintf(err, errlen, "--source: %s comes after %s", a, b);
        return -1;
    }
    snprintf(cfg->source_text, sizeof cfg->source_text, "%s", arg);
    return 0;
bad:
    snprintf(err, errlen,
             "--source: '%s' is not an address or range in 127.0.0.0/8 "
             "(e.g. 127.0.0.2-127.0.0.9)", arg);
    return -1;
}

/* HOST:PORT or [V6]:PORT, the positional target. */
static int parse_target(const char *arg, struct client_cfg *cfg, char *err,
                        size_t errlen)
{
    const char *host = arg, *colon;
    size_t hlen;
    if (arg[0] == '[') {
        const char *close = strchr(arg, ']');
        if (close == NULL || close[1] != ':')
            goto bad;
        host = arg + 1;
        hlen = (size_t)(close - host);
        colon = close + 1;
    } else {
        colon = strrchr(arg, ':');
        if (colon == NULL || memchr(arg, ':', (size_t)(colon - arg)) != NULL)
            goto bad;
        hlen = (size_t)(colon - arg);
    }
    if (hlen == 0 || hlen >= sizeof cfg->host)
        goto bad;
    long long port;
    if (cli_parse_whole(colon + 1, 1, 65535, "HOST:PORT", &port, err,
                        errlen) < 0)
        return -1;
    memcpy(cfg->host, host, hlen);
    cfg->host[hlen] = '\0';
    cfg->port = (int)port;
    return 0;
bad:
    snprintf(err, errlen, "'%s' is not HOST:PORT", arg);
    return -1;
}

/* An output file name: anything but empty ("-" is standard output). */
static int parse_path(const char *arg, const char *flag, const char **out,
                      char *err, size_t errlen)
{
    if (arg[0] == '\0') {
        snprintf(err, errlen, "%s: empty file name", flag);
        return -1;
    }
    *out = arg;
    return 0;
}

static void set_defaults(struct client_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    strcpy(cfg->host, "127.0.0.1");
    cfg->port = 8000;
    cfg->protocol = PROTO_ECHO;
    cfg->connections = 10;
    cfg->requests_per_conn = 1;
    cfg->size = 64;
    cfg->timeout_s = 10;
}

/* What the loop saw, for the checks after it. */
struct seen {
    bool target, duration;
};

/* Applies one option c with argument arg; returns 0 or -1 (err filled). */
static int apply(int c, const char *arg, struct client_cfg *cfg,
                 struct seen *seen, char *err, size_t errlen)
{
    long long v = 0;
    int rc = 0;
    switch (c) {
    case 'H':
        if (arg[0] == '\0' || strlen(arg) >= sizeof cfg->host) {
            snprintf(err, errlen, "--host: '%s' is not a usable address", arg);
            return -1;
        }
        strcpy(cfg->host, arg);
        seen->target = true;
        return 0;
    case 'p':
        rc = cli_parse_whole(arg, 1, 65535, "--port", &v, err, errlen);
        cfg->port = (int)v;
        seen->target = true;
        return rc;
    case 'P':
        if (proto_from_name(arg, &cfg->protocol) < 0) {
            snprintf(err, errlen,
                     "--protocol: unknown protocol '%s' (echo, size, http)", arg);
            return -1;
        }
        return 0;
    case 'c':
        rc = cli_parse_whole(arg, 1, 1000000, "--connections", &v, err,
                             errlen);
        cfg->connections = (long)v;
        return rc;
    case 't':
        rc = cli_parse_whole(arg, 1, 1024, "--threads", &v, err, errlen);
        cfg->threads = (long)v;
        return rc;
    case 'd':
        seen->duration = true;
        return cli_parse_number(arg, 0.001, 2678400, "--duration",
                                &cfg->duration_s, err, errlen);
    case 'n':
        rc = cli_parse_whole(arg, 1, 1000000000000000LL, "--requests", &v,
                             err, errlen);
        cfg->requests = (uint64_t)v;
        return rc;
    case 'w':
        return cli_parse_number(arg, 0, 3600, "--warmup", &cfg->warmup_s,
                                err, errlen);
    case 'r':
        rc = cli_parse_whole(arg, 0, 1000000000, "--requests-per-conn", &v,
                             err, errlen);
        cfg->requests_per_conn = (long)v;
        return rc;
    case 's':
        rc = cli_parse_whole(arg, 1, 1L << 30, "--size", &v, err, errlen);
        cfg->size = (long)v;
        return rc;
    case 'R':
        return cli_parse_number(arg, 0, 1e8, "--rate", &cfg->rate, err, errlen);
    case 'T':
        return cli_parse_number(arg, 0.001, 3600, "--timeout",
                                &cfg->timeout_s, err, errlen);
    case OPT_SOURCE:
        return parse_source(arg, cfg, err, errlen);
    case OPT_JSON:
        return parse_path(arg, "--json", &cfg->json_path, err, errlen);
    case OPT_CSV:
        return parse_path(arg, "--csv", &cfg->csv_path, err, errlen);
    case OPT_HISTOGRAM:
        return parse_path(arg, "--histogram", &cfg->hist_path, err, errlen);
    case 'q':
        cfg->quiet = true;
        return 0;
    }
    snprintf(err, errlen, "unhandled option");
    return -1;
}

/* The checks that need more than one flag. */
static int check_together(struct client_cfg *cfg, const struct seen *seen,
                          long ncpu, char *err, size_t errlen)
{
    if (!seen->duration)
        cfg->duration_s = cfg->requests ? 0 : 10;
    if (cfg->threads == 0)
        cfg->threads = ncpu < 1 ? 1 : ncpu;
    if (cfg->threads > cfg->connections)
        cfg->threads = cfg->connections;
    if (cfg->rate > 0 && cfg->rate < (double)cfg->threads / 3600.0) {
        snprintf(err, errlen, "--rate: %g requests/s is less than one per "
                 "thread per hour (-t %ld)", cfg->rate, cfg->threads);
        return -1;
    }
    if (cfg->source_first && strchr(cfg->host, ':') != NULL) {
        snprintf(err, errlen, "--source: IPv4 loopback sources cannot reach "
                 "IPv6 target %s", cfg->host);
        return -1;
    }
    return 0;
}

enum config_result config_parse(int argc, char **argv, long ncpu,
                                struct client_cfg *cfg, FILE *out,
                                char *err, size_t errlen)
{
    struct seen seen = {false, false};
    set_defaults(cfg);
    err[0] = '\0';
    opterr = 0;
    optind = 0;                 /* 0 resets glibc's getopt fully */
    int c;
    while ((c = getopt_long(argc, argv, ":H:p:P:c:t:d:n:w:r:s:R:T:qhV",
                            long_opts, NULL)) != -1) {
        if (c == 'h') {
            print_help(out);
            return CONFIG_EXIT_OK;
        }
        if (c == 'V') {
            fprintf(out, "client_load (perconn) %s\n", CLIENT_VERSION);
            return CONFIG_EXIT_OK;
        }
        if (c == '?' || c == ':') {
            cli_describe_bad_option(long_opts, argc, argv, err, errlen);
            return CONFIG_USAGE;
        }
        if (apply(c, optarg, cfg, &seen, err, errlen) < 0)
            return CONFIG_USAGE;
    }
    if (optind < argc) {
        if (seen.target) {
            snprintf(err, errlen, "'%s': the target is given twice (HOST:PORT "
                     "and -H/-p)", argv[optind]);
            return CONFIG_USAGE;
        }
        if (parse_target(argv[optind], cfg, err, errlen) < 0)
            return CONFIG_USAGE;
        if (optind + 1 < argc) {
            snprintf(err, errlen, "unexpected argument '%s'", argv[optind + 1]);
            return CONFIG_USAGE;
        }
    }
    if (check_together(cfg, &seen, ncpu, err, errlen) < 0)
        return CONFIG_USAGE;
    return CONFIG_RUN;
}
