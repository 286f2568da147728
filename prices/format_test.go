package prices

import (
	"math"
	"strings"
	"testing"
)

func TestFormat(t *testing.T) {
	cases := map[float64]string{
		0:                        "$0",
		0.00000001:               "<$0.0001",
		0.00009999:               "<$0.0001",
		0.0001:                   "$0.0001",
		0.000123:                 "$0.0001",
		0.00016:                  "$0.0002",
		0.0025:                   "$0.0025",
		0.005:                    "$0.005",
		0.00999:                  "$0.01",
		0.01:                     "$0.01",
		0.1234:                   "$0.12",
		0.12:                     "$0.12",
		1:                        "$1.00",
		12.345678:                "$12.35",
		12.34:                    "$12.34",
		1234567.891:              "$1234567.89",
		1e21:                     "$1000000000000000000000.00",
		-0.5:                     "-$0.50",
		math.NaN():               "$?",
		math.Inf(1):              "$?",
		(312*0.5 + 96*1.5) / 1e6: "$0.0003",
	}
	for in, want := range cases {
		if got := Format(in); got != want {
			t.Errorf("Format(%v) = %q, want %q", in, got, want)
		}
		if got := Format(in); strings.ContainsAny(got, "eE+") {
			t.Errorf("Format(%v) = %q uses scientific notation", in, got)
		}
	}
}
