package fileerr

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestListSortsAndJoins(t *testing.T) {
	l := List{File: "/tmp/x.yaml"}
	if l.Err() != nil {
		t.Fatal("no problems, no error")
	}
	l.Addf(7, "endpoints.local.dialect", "%q is not one of mistral, openai", "grpc")
	l.Addf(2, "", "YAML syntax: bad")
	err := l.Err()
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 2 || lines[0] != "/tmp/x.yaml:2: YAML syntax: bad" || lines[1] != `/tmp/x.yaml:7: endpoints.local.dialect: "grpc" is not one of mistral, openai` {
		t.Fatalf("%q", lines)
	}
	var e *Error
	if !errors.As(err, &e) || e.Line != 2 {
		t.Fatal("errors.As finds the first")
	}
}

func TestLabelAndHome(t *testing.T) {
	if got := (&Error{Label: "config", Msg: "m"}).Error(); got != "config: m" {
		t.Fatalf("%q", got)
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "/" {
		t.Skip("no home folder")
	}
	p := filepath.Join(home, ".config", "mstudio", "config.yaml")
	if got := DisplayPath(p); !strings.HasPrefix(got, "~"+string(filepath.Separator)) {
		t.Fatalf("%q", got)
	}
}
