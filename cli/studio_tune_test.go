package cli

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestTuneRuntimeLeavesTheEnvironmentsChoice(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	gc := debug.SetGCPercent(100)
	t.Cleanup(func() { runtime.GOMAXPROCS(procs); debug.SetGCPercent(gc) })

	runtime.GOMAXPROCS(2)
	tuneRuntime(func(k string) string { return map[string]string{"GOMAXPROCS": "2", "GOGC": "100"}[k] })
	if got := runtime.GOMAXPROCS(0); got != 2 {
		t.Fatalf("GOMAXPROCS=2 in the environment, the studio set %d", got)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("GOGC=100 in the environment, the studio set %d", got)
	}

	tuneRuntime(func(string) string { return "" })
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Fatalf("GOMAXPROCS %d, want 1", got)
	}
	if got := debug.SetGCPercent(100); got != 200 {
		t.Fatalf("GC percent %d, want 200", got)
	}
}
