# 11-cores.gp: rate vs server CPUs, short (left) and persistent (right)
# connections, with each model's perfect-scaling line.
load lib.'style.gp'
file = data.'11-cores.csv'
stats file using "flagged_runs" nooutput
flagtitle = flag_key(STATS_max)
stats file using "client_bound_runs" nooutput
boundtitle = bound_key(STATS_max)
stats file using "disturbed_used" nooutput
busytitle = busy_key(STATS_max)
selw(m, w, col) = (strcol("model") eq m && strcol("workload") eq w) ? column(col) : NaN
flagw(w, col) = (strcol("workload") eq w && column("flagged_runs") > 0) ? column(col) : NaN
boundw(w, col) = (strcol("workload") eq w && column("client_bound_runs") > 0) ? column(col) : NaN
busyw(w, col) = (strcol("workload") eq w && column("disturbed_used") > 0) ? column(col) : NaN
sharedw(w, col) = (strcol("workload") eq w && column("shared") > 0) ? column(col) : NaN
tipx = "server_cpus"
tipxname = "server CPUs"
inw(w, v) = (strcol("workload") eq w) ? v : NaN
corestip(w, col, unit) = tip("rate", col, 1, unit) . ((column("shared") > 0) ? "\nthe client shared these CPUs" : "")
set xlabel "server CPUs (taskset)"
set xrange [0.8:*]
set xtics 1
set yrange [0:*]
do for [t in terms] {
    eval setterm(t)
    set multiplot layout 1,2 title "Does either model stop scaling as the server gets more CPUs?\n(median of repeats, bars min-max; dashed: perfect scaling from one CPU; square: the client shared the server's CPUs)"
    do for [w in "short persistent"] {
        col = (w eq "short") ? "connections_per_s" : "requests_per_s"
        set title (w eq "short") ? "short connections (-r 1): connections/s" : "persistent connections (-r 0): requests/s"
        set ylabel (w eq "short") ? "connections per second" : "requests per second"
        # Each model's rate on one CPU, for its perfect-scaling line.
        stats file using (column("server_cpus") == 1 ? selw("fork", w, col."_median") : NaN) nooutput
        one_fork = STATS_max
        stats file using (column("server_cpus") == 1 ? selw("thread", w, col."_median") : NaN) nooutput
        one_thread = STATS_max
        plot for [m in models] file using "server_cpus":(selw(m, w, col."_median")):(selw(m, w, col."_min")):(selw(m, w, col."_max")) \
                with yerrorlines ls mstyle(m) title m."_server", \
             one_fork * x with lines ls 3 title "fork_server, perfect scaling", \
             one_thread * x with lines ls 4 title "thread_server, perfect scaling", \
             file using "server_cpus":(sharedw(w, col."_median")) with points pt 4 ps 3 lc rgb "black" title "client shares the CPUs", \
             file using "server_cpus":(flagw(w, col."_median")) with points ls 9 title flagtitle, \
             file using "server_cpus":(boundw(w, col."_median")) with points ls 8 title boundtitle, \
             file using "server_cpus":(busyw(w, col."_median")) with points ls 7 title busytitle, \
             file using (column(tipx)):(inw(w, med(col, 1))):(corestip(w, col, (w eq "short") ? "connections/s" : "requests/s")) with labels hypertext point ls 99 notitle
    }
    unset multiplot
}
set output
