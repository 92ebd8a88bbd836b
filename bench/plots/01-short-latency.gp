# 01-short-latency.gp: connect and whole-connection latency p50/p99 vs concurrency.
load lib.'style.gp'
file = data.'01-short.csv'
stats file using "flagged_runs" nooutput
flagtitle = flag_key(STATS_max)
stats file using "client_bound_runs" nooutput
boundtitle = bound_key(STATS_max)
stats file using "disturbed_used" nooutput
busytitle = busy_key(STATS_max)
set logscale x 2
set logscale y 10
set xrange [*:*] noextend
set offsets graph 0.03, graph 0.03, 0, 0
set xlabel "concurrent connections (client_load -c)"
set ylabel "latency (ms, log scale)"
do for [t in terms] {
    eval setterm(t)
    set multiplot layout 1,2 title "How long does a short connection take with each model, as concurrency grows?\n(p50 solid, p99 dashed; median of repeats, bars min-max)"
    set title "connect(): SYN to established"
    plot for [m in models] file using "concurrency":(sel(m, "connect_p50_us_median")/1000):(sel(m, "connect_p50_us_min")/1000):(sel(m, "connect_p50_us_max")/1000) \
            with yerrorlines ls mstyle(m) title m."_server p50", \
         for [m in models] file using "concurrency":(sel(m, "connect_p99_us_median")/1000):(sel(m, "connect_p99_us_min")/1000):(sel(m, "connect_p99_us_max")/1000) \
            with yerrorlines ls mstyle(m)+2 title m."_server p99", \
         file using "concurrency":(flagged("connect_p99_us_median")/1000) with points ls 9 title flagtitle, \
         file using "concurrency":(bound("connect_p99_us_median")/1000) with points ls 8 title boundtitle, \
         file using "concurrency":(busy("connect_p99_us_median")/1000) with points ls 7 title busytitle, \
         for [p in "p50 p99"] file using (column(tipx)):(med("connect_".p."_us", 1000)):(tip("connect ".p, "connect_".p."_us", 1000, "ms")) with labels hypertext point ls 99 notitle
    set title "whole connection: connect to close"
    plot for [m in models] file using "concurrency":(sel(m, "connection_p50_us_median")/1000):(sel(m, "connection_p50_us_min")/1000):(sel(m, "connection_p50_us_max")/1000) \
            with yerrorlines ls mstyle(m) title m."_server p50", \
         for [m in models] file using "concurrency":(sel(m, "connection_p99_us_median")/1000):(sel(m, "connection_p99_us_min")/1000):(sel(m, "connection_p99_us_max")/1000) \
            with yerrorlines ls mstyle(m)+2 title m."_server p99", \
         file using "concurrency":(flagged("connection_p99_us_median")/1000) with points ls 9 title flagtitle, \
         file using "concurrency":(bound("connection_p99_us_median")/1000) with points ls 8 title boundtitle, \
         file using "concurrency":(busy("connection_p99_us_median")/1000) with points ls 7 title busytitle, \
         for [p in "p50 p99"] file using (column(tipx)):(med("connection_".p."_us", 1000)):(tip("connection ".p, "connection_".p."_us", 1000, "ms")) with labels hypertext point ls 99 notitle
    unset multiplot
}
set output
