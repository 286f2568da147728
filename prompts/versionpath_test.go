package prompts

import (
	"path/filepath"
	"testing"
)

func TestVersionOf(t *testing.T) {
	st := NewStore(t.TempDir())
	if _, _, err := st.Save("trip", "---\nname: trip\n---\nHi\n", ""); err != nil {
		t.Fatal(err)
	}
	vs, err := st.Versions("trip")
	if err != nil || len(vs) != 1 {
		t.Fatalf("%v %v", vs, err)
	}
	dir, name, n, ok := VersionOf(vs[0].Path)
	if !ok || dir != st.Dir || name != "trip" || n != 1 {
		t.Fatalf("VersionOf(%s) = %q %q %d %v", vs[0].Path, dir, name, n, ok)
	}
	if StoreDir(vs[0].Path) != st.Dir || StoreDir(filepath.Join(st.Dir, "trip.prompt")) != st.Dir {
		t.Fatal("StoreDir")
	}
	for _, p := range []string{filepath.Join(st.Dir, "trip.prompt"), "a/.versions/trip/notes.prompt", "a/versions/trip/0001.prompt", "a/.versions/trip/0000.prompt"} {
		if _, _, _, ok := VersionOf(p); ok {
			t.Errorf("%s is not a version file", p)
		}
	}
}
