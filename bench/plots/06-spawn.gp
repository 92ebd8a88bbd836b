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
         file using (xpos(strcol("model"))):(flagged("us_median")) with points ls 9 title flagtitle
}
set output
