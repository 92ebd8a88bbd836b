/* stats.c: see stats.h. */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "stats.h"

struct stats *stats_create(void)
{
    void *p = mmap(NULL, sizeof(struct stats), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;   /* anonymous maps start zeroed */
}

void stats_peak(struct stats *st, long n)
{
    long old = atomic_load_explicit(&st->peak_active, memory_order_relaxed);
    while (n > old &&
           !atomic_compare_exchange_weak_explicit(&st->peak_active, &old, n,
                                                  memory_order_relaxed,
                                                  memory_order_relaxed))
        ;
}

static double tv_s(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

#define LOAD(c) atomic_load_explicit(&st->c, memory_order_relaxed)

static int print_json(FILE *f, const struct stats *st,
                      const struct stats_info *info)
{
    struct rusage self, kids;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &kids);
    return fprintf(f,
        "{\"model\":\"%s\",\"protocol\":\"%s\",\"mode\":\"%s\","
        "\"pool\":%ld,\"pid\":%ld,"
        "\"accepted\":%lu,\"completed\":%lu,\"requests\":%lu,"
        "\"refused\":%lu,\"protocol_errors\":%lu,\"idle_timeouts\":%lu,"
        "\"spawn_failures\":%lu,\"accept_failures\":%lu,"
        "\"abnormal_exits\":%lu,\"active\":%ld,\"peak_active\":%ld,"
        "\"bytes_in\":%lu,\"bytes_out\":%lu,"
        "\"cpu_user_s\":%.6f,\"cpu_sys_s\":%.6f,"
        "\"cpu_self_user_s\":%.6f,\"cpu_self_sys_s\":%.6f,"
        "\"peak_rss_kib\":%ld,\"peak_child_rss_kib\":%ld,\"wall_s\":%.6f}\n",
        info->model, info->protocol, info->mode, info->pool, (long)getpid(),
        LOAD(accepted), LOAD(completed), LOAD(requests), LOAD(refused),
        LOAD(protocol_errors), LOAD(idle_timeouts), LOAD(spawn_failures),
        LOAD(accept_failures), LOAD(abnormal_exits), info->active,
        LOAD(peak_active), LOAD(bytes_in), LOAD(bytes_out),
        tv_s(self.ru_utime) + tv_s(kids.ru_utime),
        tv_s(self.ru_stime) + tv_s(kids.ru_stime),
        tv_s(self.ru_utime), tv_s(self.ru_stime),
        self.ru_maxrss, kids.ru_maxrss, info->wall_s);
}

int stats_write(const struct stats *st, const struct stats_info *info,
                const char *path)
{
    if (path[0] == '-' && path[1] == '\0') {
        if (print_json(stderr, st, info) < 0)
            return -1;
        return fflush(stderr);
    }
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid())
        >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    FILE *f = fopen(tmp, "we");
    if (!f)
        return -1;
    int bad = print_json(f, st, info) < 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) < 0) {
        int saved = errno;
        unlink(tmp);
        errno = saved;
        return -1;
    }
    return 0;
}
