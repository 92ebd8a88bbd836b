# 10-work.gp: requests/s vs concurrency, I/O-bound (left) and CPU-bound (right).
load lib.'style.gp'
file = data.'10-work.csv'
stats file using "flagged_runs" nooutput
flagtitle = flag_key(STATS_max)
stats file using "client_bound_runs" nooutput
boundtitle = bound_key(STATS_max)
stats file using "disturbed_used" nooutput
busytitle = busy_key(STATS_max)
stats file using (strcol("workload") eq "io" ? column("work_us") : NaN) nooutput
io_us = int(STATS_max)
stats file using (strcol("workload") eq "cpu" ? column("work_us") : NaN) nooutput
cpu_us = int(STATS_max)
stats file using "requests_per_conn" nooutput
rpc = int(STATS_max)
selw(m, w, col) = (strcol("model") eq m && strcol("workload") eq w) ? column(col) : NaN
flagw(w, col) = (strcol("workload") eq w && column("flagged_runs") > 0) ? column(col) : NaN
boundw(w, col) = (strcol("workload") eq w && column("client_bound_runs") > 0) ? column(col) : NaN
busyw(w, col) = (strcol("workload") eq w && column("disturbed_used") > 0) ? column(col) : NaN
inw(w, v) = (strcol("workload") eq w) ? v : NaN
worktip(w) = tip("rate", "requests_per_s", 1, "requests/s") . \
    sprintf("\n%s-bound: %d µs per request", (w eq "io") ? "I/O" : "CPU", column("work_us"))
set xlabel "concurrent connections (client_load -c)"
set ylabel "requests per second (1/s)"
set logscale x 2
set xrange [*:*] noextend
set offsets graph 0.03, graph 0.03, 0, 0
set yrange [0:*]
do for [t in terms] {
    eval setterm(t)
    set multiplot layout 1,2 title sprintf("How does each model scale when requests wait, or when they compute?\n(client_load -r %d, echo; median of repeats, bars min-max)", rpc)
    do for [w in "io cpu"] {
        set title (w eq "io") ? sprintf("I/O-bound: --sleep-us %d per request", io_us) : sprintf("CPU-bound: --work-us %d per request", cpu_us)
        plot for [m in models] file using "concurrency":(selw(m, w, "requests_per_s_median")):(selw(m, w, "requests_per_s_min")):(selw(m, w, "requests_per_s_max")) \
                with yerrorlines ls mstyle(m) title m."_server", \
             file using "concurrency":(flagw(w, "requests_per_s_median")) with points ls 9 title flagtitle, \
             file using "concurrency":(boundw(w, "requests_per_s_median")) with points ls 8 title boundtitle, \
             file using "concurrency":(busyw(w, "requests_per_s_median")) with points ls 7 title busytitle, \
             file using (column(tipx)):(inw(w, med("requests_per_s", 1))):(worktip(w)) with labels hypertext point ls 99 notitle
    }
    unset multiplot
}
set output
