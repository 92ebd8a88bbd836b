/* log.c: see log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static const char *prog_name = "perconn";
static int verbosity_level;

void log_init(const char *prog, int verbosity)
{
    prog_name = prog;
    verbosity_level = verbosity;
}

const char *log_prog(void) { return prog_name; }
int log_verbosity(void) { return verbosity_level; }

/* One fprintf call per line, so lines from several threads do not mix. */
static void vsay(const char *fmt, va_list ap)
{
    char line[1024];
    vsnprintf(line, sizeof line, fmt, ap);
    fprintf(stderr, "%s: %s\n", prog_name, line);
}

void log_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(fmt, ap);
    va_end(ap);
}

void log_notice(const char *fmt, ...)
{
    if (verbosity_level < 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsay(fmt, ap);
    va_end(ap);
}

void log_burst(struct log_burst *state, double now_s, const char *what, int err)
{
    if (state->last_s != 0 && now_s - state->last_s < 1.0) {
        state->suppressed++;
        return;
    }
    if (state->suppressed > 0)
        log_err("%s: %s (and %lu more in the last second)", what,
                strerror(err), state->suppressed);
    else
        log_err("%s: %s", what, strerror(err));
    state->last_s = now_s;
    state->suppressed = 0;
}
