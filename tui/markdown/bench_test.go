package markdown

import (
	"os"
	"sort"
	"syscall"
	"testing"
	"time"

	"charm.land/glamour/v2"

	"mstudio/themes"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRenderSimAnswer is the unit of scripts/bench-studio.sh's ratios
// (DESIGN.md §5): one glamour render of the answer the studio shows there,
// at its width (84 cells of text in a 120-column terminal), in CPU time.
// testdata/sim-answer.md is that answer, written by
//
//	mstudio sim --addr 127.0.0.1:0 --rate 0 --seed 1
//	mstudio run bench.prompt --endpoint URL > sim-answer.md
//
// with the prompt of scripts/bench-studio.sh. It reports the median of the
// renders (the first one, which compiles the highlighters, apart).
func BenchmarkRenderSimAnswer(b *testing.B) {
	text, err := os.ReadFile("testdata/sim-answer.md")
	if err != nil {
		b.Fatal(err)
	}
	st := themes.New(themes.Dark())
	var runs []time.Duration
	var first time.Duration
	for i := 0; i < b.N; i++ {
		tr, err := glamour.NewTermRenderer(glamour.WithStyles(st.Markdown), glamour.WithWordWrap(84), glamour.WithChromaFormatter("terminal16m"))
		if err != nil {
			b.Fatal(err)
		}
		t0 := cpuTime()
		if _, err := tr.Render(string(text)); err != nil {
			b.Fatal(err)
		}
		d := cpuTime() - t0
		if i == 0 {
			first = d
			continue
		}
		runs = append(runs, d)
	}
	if len(runs) == 0 {
		runs = append(runs, first)
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i] < runs[j] })
	b.ReportMetric(float64(runs[len(runs)/2].Microseconds())/1000, "cpu-ms/render")
	b.ReportMetric(float64(first.Microseconds())/1000, "first-cpu-ms")
}
