# 09-openloop.gp: request latency vs offered rate (open loop), knee marked.
load lib.'style.gp'
file = data.'09-openloop.csv'
knee = data.'09-openloop-knee.csv'
stats file using "flagged_runs" nooutput
flagtitle = flag_key(STATS_max)
stats file using "client_bound_runs" nooutput
boundtitle = bound_key(STATS_max)
stats file using "disturbed_used" nooutput
busytitle = busy_key(STATS_max)
set title "At what offered rate does each model's latency blow up?\n(client_load -R: open loop, -r 1, latency from each request's intended start; p50 solid, p99 dashed;\nmedian of repeats, bars min-max; big circle: the knee, first rate with p99 > 10x its low-load p99)"
set xlabel "offered rate (requests/s, each a new connection, log scale)"
set ylabel "request latency (ms, log scale)"
set logscale x 2
set logscale y 10
set xrange [*:*] noextend
set offsets graph 0.03, graph 0.03, 0, 0
set bmargin 8
do for [t in terms] {
    eval setterm(t)
    plot for [m in models] file using "offered_rate":(sel(m, "request_p50_us_median")/1000):(sel(m, "request_p50_us_min")/1000):(sel(m, "request_p50_us_max")/1000) \
            with yerrorlines ls mstyle(m) title m."_server p50", \
         for [m in models] file using "offered_rate":(sel(m, "request_p99_us_median")/1000):(sel(m, "request_p99_us_min")/1000):(sel(m, "request_p99_us_max")/1000) \
            with yerrorlines ls mstyle(m)+2 title m."_server p99", \
         for [m in models] knee using "knee_rate":(sel(m, "knee_p99_us")/1000) \
            with points pt 6 ps 4 lw 2 lc rgb mcolour(m) title m."_server knee", \
         file using "offered_rate":(flagged("request_p99_us_median")/1000) with points ls 9 title flagtitle, \
         file using "offered_rate":(bound("request_p99_us_median")/1000) with points ls 8 title boundtitle, \
         file using "offered_rate":(busy("request_p99_us_median")/1000) with points ls 7 title busytitle
}
set output
