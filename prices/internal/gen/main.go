// Command gen turns the docs model catalogue (mistral-models.json, extracted
// from mistralai/platform-docs-public) into the compact price table that the
// prices package embeds. It is run by hand when the catalogue changes:
//
//	go run ./prices/internal/gen -in ../shared/mistral-models.json -out prices/models.json
//
// The build never runs it, so the binary never depends on the catalogue file.
// A copy of the catalogue the committed table was built from is kept in
// testdata/ so that a test can check the table is still what the generator
// makes of it.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	in := flag.String("in", "", "the docs model catalogue (mistral-models.json)")
	out := flag.String("out", "prices/models.json", "where to write the embedded price table")
	flag.Parse()
	if *in == "" {
		fmt.Fprintln(os.Stderr, "gen: -in is required (for example ../shared/mistral-models.json)")
		os.Exit(2)
	}
	src, err := os.ReadFile(*in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	table, err := generate(src)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gen: %s: %v\n", *in, err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, table, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
