/* test_opts.c: unit tests of the servers' option parsing and range checks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "opts.h"
#include "white_space.h"

struct parsed {
    enum opts_result rc;
    struct server_cfg cfg;
    char err[256];
    char out[4096];
};

/* A model with no stack to size: refuses --stack-size in its own words. */
static int refuse_stack_size(const char *arg, long *kib, char *err,
                             size_t errlen)
{
    (void)arg;
    (void)kib;
    snprintf(err, errlen, "--stack-size: not this model's");
    return -1;
}

/* The two models as the tests see them: the words are the servers', the
 * refusal is the test's own (fork_server's is tested in server.bats). */
static const struct model_desc thread_desc = {
    "thread_server", "pthread_create", "thread", "threads", "threads", "",
    opts_stack_size,
};
static const struct model_desc fork_desc = {
    "fork_server", "fork", "process", "processes", "fork", "; refused here",
    refuse_stack_size,
};

/* Parses a NULL-terminated list of arguments as the server m would. */
static void parse_as(struct parsed *p, const struct model_desc *m, ...)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)m->prog;
    va_list ap;
    va_start(ap, m);
    for (char *a; (a = va_arg(ap, char *)) != NULL;)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    memset(p, 0, sizeof *p);
    FILE *out = fmemopen(p->out, sizeof p->out - 1, "w");
    assert_non_null(out);
    p->rc = opts_parse(argc, argv, m, &p->cfg, out, p->err, sizeof p->err);
    fclose(out);
}

#define PARSE(p, ...) parse_as(p, &thread_desc, __VA_ARGS__, (char *)NULL)
#define PARSE_FORK(p, ...) parse_as(p, &fork_desc, __VA_ARGS__, (char *)NULL)

static void test_defaults(void **state)
{
    (void)state;
    struct parsed p;
    parse_as(&p, &fork_desc, (char *)NULL);
    assert_int_equal(p.rc, OPTS_RUN);
    assert_string_equal(p.cfg.host, "127.0.0.1");
    assert_int_equal(p.cfg.port, 8000);
    assert_int_equal(p.cfg.protocol, PROTO_ECHO);
    assert_int_equal(p.cfg.backlog, 1024);
    assert_int_equal(p.cfg.max_conns, 10000);
    assert_true(p.cfg.idle_timeout_s == 0);
    assert_true(p.cfg.drain_timeout_s == 10);
    assert_int_equal(p.cfg.max_response, 16UL << 20);
    assert_null(p.cfg.stats_path);
    assert_int_equal(p.cfg.stack_size_kib, 0);
}

static void test_every_flag(void **state)
{
    (void)state;
    struct parsed p;
    PARSE(&p, "-H", "::1", "-p", "0", "-P", "http", "-b", "16", "-m", "4",
          "--idle-timeout", "1.5", "--drain-timeout=0", "--work-us", "200",
          "--sleep-us", "1000", "--ballast-mb", "64", "--stack-size", "128",
          "--max-response", "1", "--stats", "-", "-v");
    assert_int_equal(p.rc, OPTS_RUN);
    assert_string_equal(p.cfg.host, "::1");
    assert_int_equal(p.cfg.port, 0);
    assert_int_equal(p.cfg.protocol, PROTO_HTTP);
    assert_int_equal(p.cfg.backlog, 16);
    assert_int_equal(p.cfg.max_conns, 4);
    assert_true(p.cfg.idle_timeout_s == 1.5);
    assert_true(p.cfg.drain_timeout_s == 0);
    assert_int_equal(p.cfg.work_us, 200);
    assert_int_equal(p.cfg.sleep_us, 1000);
    assert_int_equal(p.cfg.ballast_mb, 64);
    assert_int_equal(p.cfg.stack_size_kib, 128);
    assert_int_equal(p.cfg.max_response, 1);
    assert_string_equal(p.cfg.stats_path, "-");
    assert_int_equal(p.cfg.verbosity, 1);
    PARSE(&p, "-q", "--protocol", "size");
    assert_int_equal(p.cfg.verbosity, -1);
    assert_int_equal(p.cfg.protocol, PROTO_SIZE);
}

/* One bad value: usage, and the message names the flag and the reason. */
static void expect_usage(const char *flag, const char *value, const char *why)
{
    struct parsed p;
    PARSE(&p, flag, value);
    assert_int_equal(p.rc, OPTS_USAGE);
    assert_non_null(strstr(p.err, flag));
    if (!strstr(p.err, why))
        fail_msg("'%s %s': '%s' lacks '%s'", flag, value, p.err, why);
    assert_null(strchr(p.err, '\n'));
}

static void test_ranges(void **state)
{
    (void)state;
    expect_usage("--port", "70000", "out of range (0..65535)");
    expect_usage("--port", "-1", "out of range");
    expect_usage("--port", "65536", "out of range");
    expect_usage("--port", "8o", "not a whole number");
    expect_usage("--port", "", "not a whole number");
    expect_usage("--port", " 80", "not a whole number");
    expect_usage("--port", "99999999999999999999999", "out of range");
    expect_usage("--max-conns", "0", "out of range (1..1000000)");
    expect_usage("--max-conns", "1000001", "out of range");
    expect_usage("--backlog", "0", "out of range");
    expect_usage("--protocol", "foo", "unknown protocol 'foo'");
    expect_usage("--protocol", "", "unknown protocol");
    expect_usage("--idle-timeout", "-1", "out of range");
    expect_usage("--idle-timeout", "1s", "not a number of seconds");
    expect_usage("--idle-timeout", "inf", "not a number of seconds");
    expect_usage("--drain-timeout", "nan", "not a number of seconds");
    expect_usage("--drain-timeout", "3601", "out of range");
    expect_usage("--work-us", "10000001", "out of range");
    expect_usage("--sleep-us", "-5", "out of range");
    expect_usage("--ballast-mb", "65537", "out of range");
    expect_usage("--stack-size", "63", "out of range (64..1048576)");
    expect_usage("--max-response", "0", "out of range");
    expect_usage("--stats", "", "empty file name");
    expect_usage("--host", "", "not a usable address");
}

static const char *parse_one(const char *flag, const char *value)
{
    static struct parsed p;
    PARSE(&p, flag, value);
    return p.rc == OPTS_USAGE ? p.err : NULL;
}

/* White space makes a value no number, in every numeric flag, as in
 * client_load's command line. */
static void test_white_space_is_no_number(void **state)
{
    (void)state;
    static const char whole[] = "a whole number", secs[] = "a number of seconds";
    const struct numeric_flag flags[] = {
        {"--port", whole}, {"--backlog", whole}, {"--max-conns", whole},
        {"--work-us", whole}, {"--sleep-us", whole}, {"--ballast-mb", whole},
        {"--stack-size", whole}, {"--prespawn", whole},
        {"--max-response", whole}, {"--idle-timeout", secs},
        {"--drain-timeout", secs},
    };
    assert_white_space_refused(flags, sizeof flags / sizeof flags[0],
                               parse_one);
}

static void test_edges_accepted(void **state)
{
    (void)state;
    struct parsed p;
    PARSE(&p, "--port", "65535", "--max-conns", "1000000", "--backlog", "65535");
    assert_int_equal(p.rc, OPTS_RUN);
    assert_int_equal(p.cfg.port, 65535);
    assert_int_equal(p.cfg.max_conns, 1000000);
    assert_int_equal(p.cfg.backlog, 65535);
    PARSE(&p, "--stack-size", "64", "--ballast-mb", "0", "--idle-timeout", "86400");
    assert_int_equal(p.rc, OPTS_RUN);
    assert_int_equal(p.cfg.stack_size_kib, 64);
    assert_int_equal(p.cfg.ballast_mb, 0);
    assert_true(p.cfg.idle_timeout_s == 86400);
}

/* --stack-size is the model's to answer: its refusal is the message. */
static void test_stack_size_is_the_models(void **state)
{
    (void)state;
    struct parsed p;
    PARSE_FORK(&p, "--stack-size", "256");
    assert_int_equal(p.rc, OPTS_USAGE);
    assert_string_equal(p.err, "--stack-size: not this model's");
    assert_int_equal(p.cfg.stack_size_kib, 0);
}

/* The help text is the model's words in the shared lines. */
static void test_help_in_the_models_words(void **state)
{
    (void)state;
    struct parsed p;
    PARSE_FORK(&p, "--help");
    assert_non_null(strstr(p.out, "usage: fork_server [options]\n"
                           "Serve each TCP connection with a new process "
                           "(fork per accept).\n"));
    assert_non_null(strstr(p.out, "(thread_server\n                           "
                           "only; default: the system's); refused here\n"));
    PARSE(&p, "--help");
    assert_non_null(strstr(p.out, "with a new thread (pthread_create per "
                           "accept).\n"));
    assert_non_null(strstr(p.out, "default: the system's)\n"));
    assert_non_null(strstr(p.out, "--iterative          no threads:"));
}

static void test_unknown_and_missing(void **state)
{
    (void)state;
    struct parsed p;
    PARSE(&p, "--bogus");
    assert_int_equal(p.rc, OPTS_USAGE);
    assert_string_equal(p.err, "--bogus: unknown option");
    PARSE(&p, "-Z");
    assert_int_equal(p.rc, OPTS_USAGE);
    assert_string_equal(p.err, "-Z: unknown option");
    PARSE(&p, "--port");
    assert_int_equal(p.rc, OPTS_USAGE);
    assert_string_equal(p.err, "--port: missing value");
    PARSE(&p, "-p");
    assert_int_equal(p.rc, OPTS_USAGE);
    assert_string_equal(p.err, "--port: missing value");
    PARSE(&p, "stray");
    assert_int_equal(p.rc, OPTS_USAGE);
    assert_string_equal(p.err, "unexpected argument 'stray'");
}

static void test_help_and_version(void **state)
{
    (void)state;
    struct parsed p;
    PARSE(&p, "--help");
    assert_int_equal(p.rc, OPTS_EXIT_OK);
    const char *flags[] = {"--host", "--port", "--protocol", "--backlog",
        "--max-conns", "--idle-timeout", "--drain-timeout", "--work-us",
        "--sleep-us", "--ballast-mb", "--stack-size", "--max-response",
        "--stats", "--quiet", "--verbose", "--help", "--version"};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (!strstr(p.out, flags[i]))
            fail_msg("help lacks %s", flags[i]);
    PARSE(&p, "-V");
    assert_int_equal(p.rc, OPTS_EXIT_OK);
    assert_string_equal(p.out, "thread_server (perconn) " PERCONN_VERSION "\n");
}

/* --prespawn and --iterative: the modes, their ranges, and that they
 * exclude each other in either order. */
static void test_modes(void **state)
{
    (void)state;
    struct parsed p;
    PARSE_FORK(&p, "--port", "1");
    assert_int_equal(p.cfg.prespawn, 0);
    assert_false(p.cfg.iterative);
    PARSE_FORK(&p, "--prespawn", "1");
    assert_int_equal(p.rc, OPTS_RUN);
    assert_int_equal(p.cfg.prespawn, 1);
    PARSE(&p, "--prespawn=10000");
    assert_int_equal(p.rc, OPTS_RUN);
    assert_int_equal(p.cfg.prespawn, 10000);
    PARSE(&p, "--iterative");
    assert_int_equal(p.rc, OPTS_RUN);
    assert_true(p.cfg.iterative);
    expect_usage("--prespawn", "0", "out of range (1..10000)");
    expect_usage("--prespawn", "10001", "out of range");
    expect_usage("--prespawn", "-4", "out of range");
    expect_usage("--prespawn", "4k", "not a whole number");
    PARSE(&p, "--iterative", "--prespawn", "4");
    assert_int_equal(p.rc, OPTS_USAGE);
    assert_non_null(strstr(p.err, "--iterative: cannot be combined with --prespawn"));
    PARSE_FORK(&p, "--prespawn", "4", "--iterative");
    assert_int_equal(p.rc, OPTS_USAGE);
    assert_non_null(strstr(p.err, "--prespawn"));
    PARSE(&p, "--prespawn");
    assert_int_equal(p.rc, OPTS_USAGE);
    assert_string_equal(p.err, "--prespawn: missing value");
    PARSE(&p, "--iterative=yes");
    assert_int_equal(p.rc, OPTS_USAGE);
    PARSE_FORK(&p, "--help");
    assert_non_null(strstr(p.out, "--prespawn N         a pool of N processes"));
    assert_non_null(strstr(p.out, "--iterative          no fork:"));
    PARSE(&p, "--help");
    assert_non_null(strstr(p.out, "a pool of N threads"));
}

/* A second parse starts from the defaults again (getopt state is reset). */
static void test_reparse(void **state)
{
    (void)state;
    struct parsed p;
    PARSE(&p, "--port", "1");
    PARSE(&p, "--protocol", "size");
    assert_int_equal(p.rc, OPTS_RUN);
    assert_int_equal(p.cfg.port, 8000);
    assert_int_equal(p.cfg.protocol, PROTO_SIZE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_every_flag),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_white_space_is_no_number),
        cmocka_unit_test(test_edges_accepted),
        cmocka_unit_test(test_stack_size_is_the_models),
        cmocka_unit_test(test_help_in_the_models_words),
        cmocka_unit_test(test_unknown_and_missing),
        cmocka_unit_test(test_help_and_version),
        cmocka_unit_test(test_reparse),
        cmocka_unit_test(test_modes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
