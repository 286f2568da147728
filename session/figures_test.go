package session

import (
	"testing"
	"time"
)

func TestMillis(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                       "0 ms",
		300 * time.Microsecond:  "<1 ms",
		time.Millisecond:        "1 ms",
		1499 * time.Microsecond: "1 ms",
		210 * time.Millisecond:  "210 ms",
		3 * time.Second:         "3000 ms",
	} {
		if got := Millis(d); got != want {
			t.Errorf("Millis(%v) = %q, want %q", d, got, want)
		}
	}
}
