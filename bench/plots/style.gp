# style.gp: loaded by every figure. The caller sets data (the data/ folder,
# with a trailing slash), out (the output path without extension) and lib.
# fork is always vermillion, thread always blue; p50 solid, p99 dashed; a
# black X marks a point with a flagged run (client errors or a non-zero exit),
# a grey ring a client-bound one (client_load used CLIENT_BOUND_SHARE of its
# CPUs), a purple diamond one measured while other programs disturbed it.
set datafile separator comma
set datafile columnheaders
fork_rgb = 0xD55E00
thread_rgb = 0x0072B2
set style line 1 lc rgb fork_rgb lw 2 pt 7 ps 1.1
set style line 2 lc rgb thread_rgb lw 2 pt 5 ps 1.1
set style line 3 lc rgb fork_rgb lw 1.5 dt 2 pt 6 ps 1.1
set style line 4 lc rgb thread_rgb lw 1.5 dt 2 pt 4 ps 1.1
set style line 9 lc rgb "black" lw 2 pt 2 ps 2.5
set style line 8 lc rgb "#808080" lw 2 pt 6 ps 3.2
set style line 7 lc rgb "#8E44AD" lw 2 pt 12 ps 2.8
set grid lc rgb "#d0d0d0"
set key outside below center horizontal box
# Room under the plot for the x label and the key.
set bmargin 6
models = "fork thread"
mstyle(m) = (m eq "fork") ? 1 : 2
mcolour(m) = (m eq "fork") ? fork_rgb : thread_rgb
# sel(m, col): the column for model m's rows, NaN (skipped) for the others.
sel(m, col) = (strcol("model") eq m) ? column(col) : NaN
# flagged(col): the column where a point has flagged runs, else NaN; bound()
# where it has client-bound runs, busy() where it used disturbed ones.
flagged(col) = (column("flagged_runs") > 0) ? column(col) : NaN
bound(col) = (column("client_bound_runs") > 0) ? column(col) : NaN
busy(col) = (column("disturbed_used") > 0) ? column(col) : NaN
setterm(t) = (t eq "png") \
    ? sprintf("set terminal pngcairo noenhanced size 1000,620 font 'sans,11'; set output '%s.png'", out) \
    : sprintf("set terminal svg noenhanced size 1000,620 dynamic mouse standalone font 'sans,11'; set output '%s.svg'", out)
terms = "png svg"
# flag_key(any): the key entry for the X, or "" (no entry) when no point
# was flagged; scripts pass it STATS_max of their flagged_runs column.
flag_key(any) = (any > 0) ? "flagged: client errors" : ""
bound_key(any) = (any > 0) ? "client-bound: client_load's CPUs saturated" : ""
busy_key(any) = (any > 0) ? "disturbed: other programs used the CPUs" : ""
# Hover text. Every figure adds, for each series, a layer of invisible
# points (labels hypertext in ls 99, fully transparent) whose text is the
# point's server, x, y and spread: the SVG shows it on mouse-over (gnuplot's
# own script, "mouse standalone", inline in the file) and so does report.html
# (its own script); the PNG draws nothing of it. A figure sets tipx (the x
# column) and tipxname (its words), then plots
#   file using (column(tipx)):(med(METRIC, K)):(tip(WHAT, METRIC, K, UNIT)) \
#       with labels hypertext point ls 99 notitle
# (written out, not a macro: gnuplot does not expand a macro in a block after
# an apostrophe, even one inside a double-quoted title). Keep quotes out of
# the text: gnuplot writes it into an attribute.
set style line 99 lc rgb "#FF000000" pt 7 ps 2
tipx = "concurrency"
tipxname = "concurrent connections"
# gv(v): a value as the tables write it, 4 significant digits, none after
# the point from 1000 on.
gv(v) = (abs(v) >= 1000) ? sprintf("%.0f", v) : sprintf("%.4g", v)
# med(metric, k): a summary row's median of METRIC, divided by K.
med(metric, k) = column(metric."_median") / k
# spread(metric, k, unit): "12.3 UNIT (min 11, max 13)" of a summary row.
spread(metric, k, unit) = sprintf("%s %s (min %s, max %s)", gv(med(metric, k)), unit, \
    gv(column(metric."_min") / k), gv(column(metric."_max") / k))
# runs(n): "N runs", then the row's flagged, disturbed and client-bound
# runs, a line each.
runs(n) = sprintf("%d run%s", n, (n == 1) ? "" : "s") . \
    ((column("flagged_runs") > 0) ? sprintf("\nflagged: %d runs with client errors or a failed exit", column("flagged_runs")) : "") . \
    ((column("disturbed_used") > 0) ? sprintf("\ndisturbed: %d of the runs used", column("disturbed_used")) : "") . \
    ((column("client_bound_runs") > 0) ? sprintf("\nclient-bound: %d runs", column("client_bound_runs")) : "")
# tip(what, metric, k, unit): a summary row's hover text (data/NN-name.csv).
tip(what, metric, k, unit) = sprintf("%s_server\n%s: %s\n%s: %s\n%s", strcol("model"), \
    tipxname, strcol(tipx), what, spread(metric, k, unit), runs(column("n")))
