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
    : sprintf("set terminal svg noenhanced size 1000,620 dynamic font 'sans,11'; set output '%s.svg'", out)
terms = "png svg"
# flag_key(any): the key entry for the X, or "" (no entry) when no point
# was flagged; scripts pass it STATS_max of their flagged_runs column.
flag_key(any) = (any > 0) ? "flagged: client errors" : ""
bound_key(any) = (any > 0) ? "client-bound: client_load's CPUs saturated" : ""
busy_key(any) = (any > 0) ? "disturbed: other programs used the CPUs" : ""
