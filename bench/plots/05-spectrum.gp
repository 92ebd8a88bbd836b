# 05-spectrum.gp: the latency percentile spectrum, HdrHistogram style.
load lib.'style.gp'
file = data.'05-spectrum-points.csv'
stats data.'05-spectrum.csv' using "concurrency" nooutput
conc = int(STATS_max)
stats file using "repeat" nooutput
reps = int(STATS_max)
set title sprintf("What does the whole connection latency distribution look like at %d concurrent connections?\n(client_load -r 1, echo; one line per run; the x axis stretches the tail: 1/(1-percentile))", conc)
set xlabel "percentile (log scale of 1/(1-p))"
set ylabel "connection latency (ms, log scale)"
set logscale x 10
set logscale y 10
set xtics ("0%%" 1, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 10000, "99.999%%" 100000)
set xrange [1:*]
stats file using "flagged" nooutput
flagtitle = (STATS_max > 0) ? "run with client errors" : ""
pointtip(x) = sprintf("%s_server, run %d\npercentile %s %%\nconnection latency: %s ms", strcol("model"), \
    column("repeat"), gv(column("percentile")), gv(column("value_us") / 1000))
selr(m, r, col) = (strcol("model") eq m && column("repeat") == r) ? column(col) : NaN
do for [t in terms] {
    eval setterm(t)
    plot for [m in models] for [r = 1:reps] file using "tail":(selr(m, r, "value_us")/1000) \
            with lines ls mstyle(m) title (r == 1 ? m."_server" : ""), \
         file using "tail":(column("flagged") > 0 ? column("value_us")/1000 : NaN) with points ls 9 ps 1 title flagtitle, \
         file using "tail":(column("value_us")/1000):(pointtip(0)) with labels hypertext point ls 99 notitle
}
set output
