# 03-stevens.gp: hyperfine's whole-run time of Stevens' job, mean +- sigma.
load lib.'style.gp'
file = data.'03-stevens.csv'
stats file using "flagged_runs" nooutput
flagtitle = flag_key(STATS_max)
stats file using "client_bound_runs" nooutput
boundtitle = bound_key(STATS_max)
stats file using "disturbed_used" nooutput
busytitle = busy_key(STATS_max)
runs = data.'03-stevens-runs.csv'
stats file using "clients" nooutput
clients = int(STATS_max)
stats file using "connections" nooutput
conns = int(STATS_max)
stats file using "size" nooutput
size = int(STATS_max)
set title sprintf("How long does Stevens' job take with each model?\n(%d clients x %d connections x %d-byte replies, size protocol; hyperfine mean, bars +-1 sigma, circles each run)", clients, conns / clients, size)
set ylabel "whole-run time (s)"
set xlabel "server"
set xrange [-0.6:1.6]
set yrange [0:*]
set boxwidth 0.6
set style fill solid 0.75 border -1

xpos(m) = (m eq "fork") ? 0 : 1
bartip(m) = sprintf("%s_server\nwhole-run time: mean %s s, sigma %s s\nmedian %s s (min %s, max %s)\n%s µs per connection\n%s", \
    m, gv(column("mean_s")), gv(column("stddev_s")), gv(column("median_s")), gv(column("min_s")), \
    gv(column("max_s")), gv(column("us_per_conn")), runs(column("runs")))
runtip(m) = sprintf("%s_server\nround %d, run %d: %s s", m, column("round"), column("run"), gv(column("time_s")))
do for [t in terms] {
    eval setterm(t)
    plot file using (xpos(strcol("model"))):"mean_s":(mcolour(strcol("model"))):xtic(strcol("model")."_server") \
            with boxes lc rgb variable notitle, \
         file using (xpos(strcol("model"))):"mean_s":"stddev_s" with yerrorbars lc rgb "black" lw 2 pt 0 title "mean +- sigma", \
         runs using (xpos(strcol("model")) + 0.15):"time_s" with points pt 6 ps 1.2 lc rgb "#404040" title "each run", \
         file using (xpos(strcol("model"))):(flagged("mean_s")) with points ls 9 title flagtitle, \
         file using (xpos(strcol("model"))):(bound("mean_s")) with points ls 8 title boundtitle, \
         file using (xpos(strcol("model"))):(busy("mean_s")) with points ls 7 title busytitle, \
         file using (xpos(strcol("model"))):"mean_s":(bartip(strcol("model"))) with labels hypertext point ls 99 notitle, \
         runs using (xpos(strcol("model")) + 0.15):"time_s":(runtip(strcol("model"))) with labels hypertext point ls 99 notitle
}
set output
