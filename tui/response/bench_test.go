package response

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"charm.land/glamour/v2"

	"mstudio/themes"
)

// longAnswer builds a markdown answer of about n tokens (four characters a
// token, as the API counts on average): prose, lists, a table and fenced
// code in three languages, repeated in sections.
func longAnswer(tokens int) string {
	var b strings.Builder
	for i := 1; b.Len() < tokens*4; i++ {
		fmt.Fprintf(&b, "## Section %d: a day in Lyon\n\n", i)
		b.WriteString("Lyon sits where the **Rhône** and the *Saône* meet. Its old town keeps the `traboules`, " +
			"passages that cut through buildings, and the hill of Fourvière looks down on the Presqu'île. " +
			"Markets, bouchons and museums fill a day easily; this paragraph is long enough to wrap several times.\n\n")
		b.WriteString("- Morning: the basilica and the Roman theatres\n- Noon: lunch in a bouchon\n" +
			"- Afternoon: the Musée des Confluences\n  with its modern building\n- Evening: the quays\n\n")
		b.WriteString("1. Buy a city card\n2. Take the funicular\n3. Walk down through the gardens\n\n")
		b.WriteString("| sight | area | hours |\n|---|---|---|\n| Basilica | Fourvière | 7–19 |\n" +
			"| Traboules | Vieux Lyon | all day |\n| Museum | Confluence | 10–18 |\n\n")
		b.WriteString("```go\nfunc route(stops []string) string {\n\treturn strings.Join(stops, \" → \")\n}\n```\n\n")
		b.WriteString("```python\ndef route(stops):\n    return \" -> \".join(stops)\n```\n\n")
		b.WriteString("```javascript\nconst route = (stops) => stops.join(' → ');\n```\n\n")
		b.WriteString("> Tip: most museums close on Mondays.\n\n")
	}
	return b.String()
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStreamLongAnswer streams a 10,000-token markdown answer in
// 4-character chunks through Update and View, as the studio does, and
// reports the CPU time of the whole stream, the worst single Update+View,
// and the time of one glamour render of the finished answer. The budget
// (issues 3 and 9): the stream costs at most 8 renders of the finished
// answer, and no frame takes 16 ms.
func BenchmarkStreamLongAnswer(b *testing.B) {
	text := longAnswer(10_000)
	st := themes.New(themes.Dark())
	const w, h = 100, 40

	whole, err := glamour.NewTermRenderer(glamour.WithStyles(st.Markdown), glamour.WithWordWrap(w-1), glamour.WithChromaFormatter("terminal16m"))
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if _, err := whole.Render(text); err != nil {
		b.Fatal(err)
	}
	oneRender := time.Since(start)

	var worst time.Duration
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := New(st)
		m.SetSize(w, h)
		m.Start("mistral-small-latest")
		cpu0 := cpuTime()
		for j := 0; j < len(text); j += 4 {
			t0 := time.Now()
			m, _ = m.Update(DeltaMsg{Content: text[j:min(j+4, len(text))]})
			_ = m.View()
			if d := time.Since(t0); d > worst {
				worst = d
			}
		}
		t0 := time.Now()
		m.Finish(Done, "")
		_ = m.View()
		if d := time.Since(t0); d > worst {
			worst = d
		}
		total += cpuTime() - cpu0
	}
	b.StopTimer()
	perStream := total / time.Duration(b.N)
	ratio := float64(perStream) / float64(oneRender)
	b.ReportMetric(float64(perStream.Microseconds())/1000, "cpu-ms/stream")
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-frame-ms")
	b.ReportMetric(float64(oneRender.Microseconds())/1000, "full-render-ms")
	b.ReportMetric(ratio, "x-full-render")
	if ratio > 8 {
		b.Errorf("streaming cost %.1fx one full render (budget 8x)", ratio)
	}
	b.Logf("stream %v, one render %v, worst %v", perStream, oneRender, worst)
	if worst > 16*time.Millisecond {
		b.Errorf("worst frame %v (budget 16ms)", worst)
	}
}
