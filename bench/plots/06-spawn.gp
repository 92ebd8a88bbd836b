# 06-spawn.gp: the spawn primitive alone vs the whole server's CPU per connection.
load lib.'style.gp'
file = data.'06-spawn.csv'
stats file using "flagged_runs" nooutput
flagtitle = flag_key(STATS_max)
set title "How much of each model's cost per connection is the spawn itself?\n(light bars: fork+_exit+waitpid or pthread_create+join alone, by parent size, median of rounds, bars min-max;\ndark bars: the server's user+sys CPU per connection in Stevens' job)"
set ylabel "microseconds per connection (log scale)"
set logscale y 10
set style fill solid 0.75 border -1
set boxwidth 0.8
# One box per row; thread's boxes one slot to the right of fork's.
xpos(m) = $0 + ((m eq "fork") ? 0 : 1)
shade(m, kind) = (kind eq "server") ? mcolour(m) : ((m eq "fork") ? 0xF2B38A : 0x8CC4E6)
bartip(x) = sprintf("%s\n%s µs (min %s, max %s)\n%s%s", strcol("bar"), gv(column("us_median")), \
    gv(column("us_min")), gv(column("us_max")), (strcol("kind") eq "server") \
    ? sprintf("from %s; the spawn alone is %s %% of it", strcol("source"), strcol("share_pct")) \
    : sprintf("median of %d rounds", column("n")), \
    (column("flagged_runs") > 0) ? "\nflagged: client errors or a failed exit" : "")
set xtics rotate by -25 left nomirror
set xrange [-0.8:*]
set bmargin 9
set rmargin 24
if (flagtitle eq "") { unset key }
do for [t in terms] {
    eval setterm(t)
    plot file using (xpos(strcol("model"))):"us_median":(shade(strcol("model"), strcol("kind"))):xtic(strcol("bar")) \
            with boxes lc rgb variable notitle, \
         file using (xpos(strcol("model"))):"us_median":"us_min":"us_max" with yerrorbars lc rgb "black" pt 0 notitle, \
         file using (xpos(strcol("model"))):(flagged("us_median")) with points ls 9 title flagtitle, \
         file using (xpos(strcol("model"))):"us_median":(bartip(0)) with labels hypertext point ls 99 notitle
}
set output
