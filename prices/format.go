package prices

import (
	"math"
	"strconv"
	"strings"
)

// Format renders a cost for a status line: "$0.0001", "$0.0025", "$0.12",
// "$12.34". Costs under a cent keep four decimals because a single chat turn
// usually costs a fraction of a cent and "$0.00" would hide it; anything under
// $0.0001 but above zero shows as "<$0.0001" rather than as zero. The result
// never uses scientific notation.
func Format(usd float64) string {
	switch {
	case math.IsNaN(usd) || math.IsInf(usd, 0):
		return "$?"
	case usd < 0:
		return "-" + Format(-usd)
	case usd == 0:
		return "$0"
	case usd < 0.0001:
		return "<$0.0001"
	case usd < 0.01:
		s := strconv.FormatFloat(usd, 'f', 4, 64)
		// "0.0050" reads better as "$0.005"; never trim to fewer than 2 decimals.
		for strings.HasSuffix(s, "0") && len(s) > len("0.00") {
			s = s[:len(s)-1]
		}
		return "$" + s
	default:
		return "$" + strconv.FormatFloat(usd, 'f', 2, 64)
	}
}
