package compare

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"mstudio/session"
	"mstudio/themes"
)

// markdown builds about n tokens (four characters each) of mixed markdown:
// headings, prose, a list and fenced code, as a model answers.
func markdown(tokens int) string {
	var b strings.Builder
	for i := 1; b.Len() < tokens*4; i++ {
		fmt.Fprintf(&b, "## Part %d\n\n", i)
		b.WriteString("Lyon sits where the **Rhône** and the *Saône* meet; its old town keeps the `traboules`.\n\n")
		b.WriteString("- the basilica\n- the Roman theatres\n- a bouchon for lunch\n\n")
		b.WriteString("```go\nfunc route(stops []string) string { return strings.Join(stops, \" → \") }\n```\n\n")
	}
	return b.String()[:tokens*4]
}

// BenchmarkFourColumnsStreaming streams four columns at once, each 300
// tokens a second of markdown for two simulated seconds (600 tokens, in
// 4-character chunks fed round robin), through Append, Update and View as
// fast as they go, as the root does at each stream event. It reports the
// cost of one Update+View (the key echo the user waits for: DESIGN §5 wants
// it within a frame) and the allocations of one frame.
func BenchmarkFourColumnsStreaming(b *testing.B) {
	const tokensPerColumn = 300 * 2
	text := markdown(tokensPerColumn)
	st := themes.New(themes.Dark())
	cols := []Column{{Model: "a", Params: "t=0"}, {Model: "b", Params: "t=0.5"}, {Model: "c"}, {Model: "d", Params: "max=64"}}
	down := press("down") // at the bottom: a linked scroll of all four that keeps them following
	chunks := len(text) / 4

	var frames int
	var frameTime time.Duration
	var mallocs uint64
	var ms runtime.MemStats
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		m := New(st, cols)
		m.SetSize(160, 40)
		m.Focus()
		for i := range cols {
			m.Start(i)
		}
		runtime.ReadMemStats(&ms)
		m0 := ms.Mallocs
		t0 := time.Now()
		for c := range chunks {
			for i := range cols {
				m.Append(i, text[c*4:c*4+4], "")
				m, _ = m.Update(down)
				_ = m.View()
				frames++
			}
		}
		frameTime += time.Since(t0)
		runtime.ReadMemStats(&ms)
		mallocs += ms.Mallocs - m0
		for i := range cols {
			m.Finish(i, session.Result{FinishReason: "stop"})
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(frameTime.Nanoseconds())/float64(frames), "ns/frame")
	b.ReportMetric(float64(mallocs)/float64(frames), "allocs/frame")
}

// TestFrameUnder16ms checks the budget the benchmark measures on answers
// long enough that a view costing by answer length would show: four
// columns of about 2,000 lines each. The median of 20 frames keeps one
// slow scheduling slice from failing the test.
func TestFrameUnder16ms(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 8,000 lines of markdown")
	}
	st := themes.New(themes.Dark())
	cols := []Column{{Model: "a"}, {Model: "b"}, {Model: "c"}, {Model: "d"}}
	m := newView(t, st, cols, 160, 40)
	text := longText(2000)
	fill(m, text, text, text, text)
	if n := strings.Count(m.cols[0].pane.Answer(), "\n"); n < 2000 {
		t.Fatalf("answer has %d lines", n)
	}
	keys := []string{"up", "down", "k", "j", "g", "G"}
	times := make([]time.Duration, 20)
	for i := range times {
		t0 := time.Now()
		*m, _ = m.Update(press(keys[i%len(keys)]))
		_ = m.View()
		times[i] = time.Since(t0)
	}
	slices.Sort(times)
	median := times[len(times)/2]
	t.Logf("median Update+View %v (max %v)", median, times[len(times)-1])
	if median >= 16*time.Millisecond {
		t.Fatalf("median Update+View %v, budget 16ms", median)
	}
}
