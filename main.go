// Command mstudio is a terminal studio for the Mistral API. The command line
// lives in package cli; this file only hands it the process's arguments and
// streams.
package main

import (
	"os"

	"mstudio/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
