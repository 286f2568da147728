package session

import (
	"strconv"
	"time"
)

// Millis spells a duration of a run's figures (time to first token,
// latency) in whole milliseconds, as every view of a run shows it; a
// duration under a millisecond, such as a local simulator's first token,
// reads "<1 ms" rather than a "0 ms" that looks like a missing figure.
func Millis(d time.Duration) string {
	if d > 0 && d < time.Millisecond {
		return "<1 ms"
	}
	return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
}
