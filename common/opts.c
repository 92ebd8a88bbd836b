/* opts.c: parsing and range-checking the servers' flags. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "opts.h"

enum {
    OPT_IDLE_TIMEOUT = 256, OPT_DRAIN_TIMEOUT, OPT_WORK_US, OPT_SLEEP_US,
    OPT_BALLAST_MB, OPT_STACK_SIZE, OPT_STATS, OPT_MAX_RESPONSE, OPT_PRESPAWN,
    OPT_ITERATIVE,
};

static const struct option long_opts[] = {
    {"host", required_argument, NULL, 'H'},
    {"port", required_argument, NULL, 'p'},
    {"protocol", required_argument, NULL, 'P'},
    {"backlog", required_argument, NULL, 'b'},
    {"max-conns", required_argument, NULL, 'm'},
    {"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
    {"drain-timeout", required_argument, NULL, OPT_DRAIN_TIMEOUT},
    {"work-us", required_argument, NULL, OPT_WORK_US},
    {"sleep-us", required_argument, NULL, OPT_SLEEP_US},
    {"ballast-mb", required_argument, NULL, OPT_BALLAST_MB},
    {"stack-size", required_argument, NULL, OPT_STACK_SIZE},
    {"prespawn", required_argument, NULL, OPT_PRESPAWN},
    {"iterative", no_argument, NULL, OPT_ITERATIVE},
    {"max-response", required_argument, NULL, OPT_MAX_RESPONSE},
    {"stats", required_argument, NULL, OPT_STATS},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static void print_help(FILE *out, const struct model_desc *m)
{
    fprintf(out,
"usage: %s [options]\n"
"Serve each TCP connection with a new %s (%s per accept).\n"
"\n"
"  -H, --host ADDR          listen address, IPv4 or IPv6 (default 127.0.0.1)\n"
"  -p, --port PORT          0..65535 (default 8000; 0 lets the kernel choose)\n"
"  -P, --protocol NAME      echo | size | http (default echo)\n"
"  -b, --backlog N          listen backlog, 1..65535 (default 1024)\n"
"  -m, --max-conns N        connections served at once, 1..1000000 (default\n"
"                           10000); at the cap the server stops accepting and\n"
"                           the kernel's backlog queues until one ends\n"
"      --idle-timeout SEC   close a connection idle that long, 0..86400\n"
"                           (default 0 = never; fractions allowed)\n"
"      --drain-timeout SEC  how long SIGINT/SIGTERM waits for open connections,\n"
"                           0..3600 (default 10)\n"
"      --work-us N          busy CPU per request, 0..10000000 us (default 0)\n"
"      --sleep-us N         sleep per request, 0..60000000 us (default 0)\n"
"      --ballast-mb N       touch N MiB in the parent before serving,\n"
"                           0..65536 (default 0)\n"
"      --stack-size KIB     thread stack size, 64..1048576 KiB (thread_server\n"
"                           only; default: the system's)%s\n"
"      --prespawn N         a pool of N %s started before serving,\n"
"                           1..10000 (default 0 = one per accepted connection);\n"
"                           each accepts and serves one connection at a time,\n"
"                           so N are served at once (--max-conns unused). A\n"
"                           pool that cannot be started in full (e.g. under\n"
"                           RLIMIT_NPROC) is an error: exit 1 before listening\n"
"      --iterative          no %s: the accept loop serves each connection\n"
"                           itself, one at a time; not with --prespawn\n"
"      --max-response N     largest size-protocol reply or http body in bytes,\n"
"                           1..1073741824 (default 16777216)\n"
"      --stats FILE         write accounting JSON at exit and on SIGUSR1\n"
"                           (- = stderr)\n"
"  -q, --quiet              no notices on stderr, errors only\n"
"  -v, --verbose            one line per connection on stderr\n"
"  -h, --help               this text\n"
"  -V, --version            the version\n"
"\n"
"Once listening, prints one line to stdout:\n"
"  listening on HOST:PORT model=MODEL protocol=NAME pid=N\n"
"SIGINT/SIGTERM drain (a second one exits at once); SIGUSR1 writes --stats.\n",
        m->prog, m->unit, m->spawn_call, m->stack_size_note, m->units,
        m->iterative_lacks);
}

/* cli_parse_whole into a long: every server flag's range fits one. */
static int parse_long(const char *arg, long min, long max, const char *flag,
                      long *out, char *err, size_t errlen)
{
    long long v;
    if (cli_parse_whole(arg, min, max, flag, &v, err, errlen) < 0)
        return -1;
    *out = (long)v;
    return 0;
}

int opts_stack_size(const char *arg, long *kib, char *err, size_t errlen)
{
    return parse_long(arg, 64, 1048576, "--stack-size", kib, err, errlen);
}

static void set_defaults(struct server_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    strcpy(cfg->host, "127.0.0.1");
    cfg->port = 8000;
    cfg->protocol = PROTO_ECHO;
    cfg->backlog = 1024;
    cfg->max_conns = 10000;
    cfg->drain_timeout_s = 10;
    cfg->max_response = 16UL << 20;
}

/* Applies one option c with argument arg; returns 0 or -1 (err filled). */
static int apply(int c, const char *arg, const struct model_desc *m,
                 struct server_cfg *cfg, char *err, size_t errlen)
{
    long v = 0;
    switch (c) {
    case 'H':
        if (arg[0] == '\0' || strlen(arg) >= sizeof cfg->host) {
            snprintf(err, errlen, "--host: '%s' is not a usable address", arg);
            return -1;
        }
        strcpy(cfg->host, arg);
        return 0;
    case 'p':
        if (parse_long(arg, 0, 65535, "--port", &v, err, errlen) < 0)
            return -1;
        cfg->port = (int)v;
        return 0;
    case 'P':
        if (proto_from_name(arg, &cfg->protocol) < 0) {
            snprintf(err, errlen,
                     "--protocol: unknown protocol '%s' (echo, size, http)", arg);
            return -1;
        }
        return 0;
    case 'b':
        if (parse_long(arg, 1, 65535, "--backlog", &v, err, errlen) < 0)
            return -1;
        cfg->backlog = (int)v;
        return 0;
    case 'm':
        return parse_long(arg, 1, 1000000, "--max-conns", &cfg->max_conns, err,
                          errlen);
    case OPT_IDLE_TIMEOUT:
        return cli_parse_seconds(arg, 86400, "--idle-timeout",
                                 &cfg->idle_timeout_s, err, errlen);
    case OPT_DRAIN_TIMEOUT:
        return cli_parse_seconds(arg, 3600, "--drain-timeout",
                                 &cfg->drain_timeout_s, err, errlen);
    case OPT_WORK_US:
        return parse_long(arg, 0, 10000000, "--work-us", &cfg->work_us, err,
                          errlen);
    case OPT_SLEEP_US:
        return parse_long(arg, 0, 60000000, "--sleep-us", &cfg->sleep_us, err,
                          errlen);
    case OPT_BALLAST_MB:
        return parse_long(arg, 0, 65536, "--ballast-mb", &cfg->ballast_mb, err,
                          errlen);
    case OPT_STACK_SIZE:
        return m->stack_size(arg, &cfg->stack_size_kib, err, errlen);
    case OPT_PRESPAWN:
        return parse_long(arg, 1, 10000, "--prespawn", &cfg->prespawn, err,
                          errlen);
    case OPT_ITERATIVE:
        cfg->iterative = true;
        return 0;
    case OPT_MAX_RESPONSE:
        if (parse_long(arg, 1, 1L << 30, "--max-response", &v, err, errlen) < 0)
            return -1;
        cfg->max_response = (unsigned long)v;
        return 0;
    case OPT_STATS:
        if (arg[0] == '\0') {
            snprintf(err, errlen, "--stats: empty file name");
            return -1;
        }
        cfg->stats_path = arg;
        return 0;
    case 'q':
        cfg->verbosity = -1;
        return 0;
    case 'v':
        cfg->verbosity = 1;
        return 0;
    }
    snprintf(err, errlen, "unhandled option");
    return -1;
}

enum opts_result opts_parse(int argc, char **argv,
                            const struct model_desc *model,
                            struct server_cfg *cfg, FILE *out, char *err,
                            size_t errlen)
{
    set_defaults(cfg);
    err[0] = '\0';
    opterr = 0;
    optind = 0;                 /* 0 resets glibc's getopt fully */
    int c;
    while ((c = getopt_long(argc, argv, ":H:p:P:b:m:qvhV", long_opts, NULL))
           != -1) {
        if (c == 'h') {
            print_help(out, model);
            return OPTS_EXIT_OK;
        }
        if (c == 'V') {
            fprintf(out, "%s (perconn) %s\n", model->prog, PERCONN_VERSION);
            return OPTS_EXIT_OK;
        }
        if (c == '?' || c == ':') {
            cli_describe_bad_option(long_opts, argc, argv, err, errlen);
            return OPTS_USAGE;
        }
        if (apply(c, optarg, model, cfg, err, errlen) < 0)
            return OPTS_USAGE;
    }
    if (optind < argc) {
        snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
        return OPTS_USAGE;
    }
    if (cfg->iterative && cfg->prespawn > 0) {
        snprintf(err, errlen, "--iterative: cannot be combined with --prespawn "
                 "(one serves in the accept loop, the other in a pool)");
        return OPTS_USAGE;
    }
    return OPTS_RUN;
}
