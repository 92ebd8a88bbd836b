/* run_stats.c: see run_stats.h. */
#include <errno.h>
#include <string.h>

#include "run_stats.h"

static const char *const phase_names[PHASE_COUNT] = {
    "connect", "first_byte", "request", "connection",
};
static const char *const err_names[ERR_COUNT] = {
    "connect", "read", "write", "timeout", "protocol", "ports_exhausted",
    "closed",
};

const char *stats_phase_name(enum phase p)
{
    return (unsigned)p < PHASE_COUNT ? phase_names[p] : "unknown";
}

const char *stats_err_name(enum err_kind k)
{
    return (unsigned)k < ERR_COUNT ? err_names[k] : "unknown";
}

int stats_init(struct run_stats *s)
{
    memset(s, 0, sizeof *s);
    for (int p = 0; p < PHASE_COUNT; p++)
        if (hist_init(&s->lat[p]) != 0) {
            stats_free(s);
            return ENOMEM;
        }
    return 0;
}

void stats_free(struct run_stats *s)
{
    for (int p = 0; p < PHASE_COUNT; p++) {
        hist_close(s->lat[p]);
        s->lat[p] = NULL;
    }
}

void stats_merge(struct run_stats *dst, const struct run_stats *src)
{
    for (int p = 0; p < PHASE_COUNT; p++)
        hist_merge(dst->lat[p], src->lat[p]);
    dst->requests += src->requests;
    dst->connections += src->connections;
    dst->bytes_sent += src->bytes_sent;
    dst->bytes_received += src->bytes_received;
    for (int k = 0; k < ERR_COUNT; k++) {
        dst->errors[k] += src->errors[k];
        if (dst->first_error[k][0] == '\0')
            memcpy(dst->first_error[k], src->first_error[k],
                   sizeof dst->first_error[k]);
    }
    dst->unfinished += src->unfinished;
    dst->missed += src->missed;
    dst->peer_closed += src->peer_closed;
    dst->kept_open += src->kept_open;
    if (src->elapsed_s > dst->elapsed_s)
        dst->elapsed_s = src->elapsed_s;
}
