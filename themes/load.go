package themes

import (
	"errors"
	"fmt"
	"io/fs"
	"mstudio/fileerr"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Error is one problem in a theme file: the file, the line, the key and
// what is wrong (see package fileerr). Load returns one, or several joined
// with errors.Join (one per line, in line order) so that a user fixes the
// whole file in one go; errors.As finds the first.
type Error = fileerr.Error

// topKeys are the keys a theme file may have, in the order help lists them.
var topKeys = []string{"name", "base", "colors", "code"}

// Resolve turns the theme setting of config.yaml (or --theme) into a palette:
//
//   - "" or "auto": Dark or Light, following darkBackground (the terminal's
//     background, detected by the TUI at start);
//   - "dark", "light", "high-contrast": the built-in palette;
//   - a bare name such as "solarized" or "solarized.yaml": the file
//     <configDir>/themes/solarized.yaml;
//   - a name with a path separator: that file (".yaml" added when it has no
//     extension).
//
// A theme that is neither built in nor a file is an error listing the
// built-in names and the file looked for.
func Resolve(name, configDir string, darkBackground bool) (Palette, error) {
	switch name {
	case "", NameAuto:
		if darkBackground {
			return Dark(), nil
		}
		return Light(), nil
	}
	if p, ok := Builtin(name); ok {
		return p, nil
	}
	path := name
	if filepath.Ext(path) != ".yaml" && filepath.Ext(path) != ".yml" {
		path += ".yaml"
	}
	if !strings.ContainsRune(name, '/') && !strings.ContainsRune(name, filepath.Separator) {
		if configDir == "" {
			return Palette{}, fmt.Errorf("theme %q is not one of %s, and there is no config folder to look for a theme file in",
				name, strings.Join(choices(), ", "))
		}
		path = filepath.Join(configDir, "themes", path)
	}
	p, err := Load(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Palette{}, fmt.Errorf("theme %q is not one of %s, and there is no theme file %s",
			name, strings.Join(choices(), ", "), fileerr.DisplayPath(path))
	}
	return p, err
}

// choices lists what the theme setting accepts besides files.
func choices() []string { return append([]string{NameAuto}, Names()...) }

// Load reads a user theme file (the format is in the package comment). Colours
// not given come from the file's base palette; Dark follows the background's
// lightness when the file sets one. Problems are reported as *Error values
// naming the file, line and key; a file that cannot be read is the os error
// (errors.Is(err, fs.ErrNotExist) holds for a missing one).
func Load(path string) (Palette, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Palette{}, err
	}
	return parse(path, data)
}

// problems collects the errors found in one file.
type problems struct{ fileerr.List }

func (ps *problems) addf(line int, field, format string, args ...any) {
	ps.Addf(line, field, format, args...)
}

func (ps *problems) err() error { return ps.Err() }

// setting is a value read from the file with the line it came from, applied
// once the whole file is read because "base" may come after "colors".
type setting struct {
	line  int
	value string
}

func parse(path string, data []byte) (Palette, error) {
	ps := &problems{fileerr.List{File: path}}
	// The AST rather than yaml.Unmarshal: it keeps the line of every key and
	// value, and sees keys a struct decoder would silently drop.
	// Duplicates are allowed here and reported below, with the key's path
	// and in the same words as every other problem.
	f, err := parser.ParseBytes(data, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		var yerr yaml.Error
		if errors.As(err, &yerr) {
			ps.addf(line(yerr.GetToken()), "", "%s", yerr.GetMessage())
		} else {
			ps.addf(0, "", "%v", err)
		}
		return Palette{}, ps.err()
	}
	var body ast.Node
	for i, doc := range f.Docs {
		if doc == nil || doc.Body == nil || doc.Body.Type() == ast.CommentType {
			continue
		}
		if body != nil {
			ps.addf(nodeLine(doc), "", "a theme file holds one YAML document; this is document %d", i+1)
			return Palette{}, ps.err()
		}
		body = doc.Body
	}
	if body == nil {
		ps.addf(1, "", "the theme file is empty: give at least a base and some colors")
		return Palette{}, ps.err()
	}
	pairs, ok := mapping(body)
	if !ok {
		ps.addf(nodeLine(body), "", "a theme file is a mapping of %s", strings.Join(topKeys, ", "))
		return Palette{}, ps.err()
	}

	var name, base, code setting
	colors := map[string]setting{}
	seen := map[string]bool{}
	for _, mv := range pairs {
		key, kline := keyOf(mv)
		if seen[key] {
			ps.addf(kline, key, "given twice; keep one")
			continue
		}
		seen[key] = true
		switch key {
		case "name":
			name = stringValue(ps, mv, key, kline)
		case "base":
			base = stringValue(ps, mv, key, kline)
			if base.value != "" {
				if _, ok := Builtin(base.value); !ok {
					ps.addf(base.line, key, "%q is not one of %s", base.value, strings.Join(Names(), ", "))
				}
			}
		case "code":
			code = stringValue(ps, mv, key, kline)
			if code.value != "" {
				if _, ok := styles.Registry[strings.ToLower(code.value)]; !ok {
					ps.addf(code.line, key, "%q is not a chroma style (for example monokai, github, dracula, solarized-dark; see https://xyproto.github.io/splash/docs/)", code.value)
				}
			}
		case "colors":
			readColors(ps, mv, colors)
		default:
			ps.addf(kline, key, "unknown key %s", suggest(key, "a theme file has", topKeys))
		}
	}
	if err := ps.err(); err != nil {
		return Palette{}, err
	}

	p := Dark()
	if base.value != "" {
		p, _ = Builtin(base.value)
	}
	p.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if name.value != "" {
		p.Name = name.value
	}
	p.Code = code.value
	for _, f := range colorFields {
		if s, ok := colors[f.key]; ok {
			*f.get(&p) = s.value
		}
	}
	if bg, ok := colors["background"]; ok {
		// A light background on a dark base (or the reverse) is a light (or
		// dark) theme: glamour's base style must follow what is on screen.
		p.Dark = IsDarkColor(lipgloss.Color(bg.value))
	}
	return p, nil
}

// readColors checks the colors mapping and stores each colour, normalised
// to "#rrggbb", under its key.
func readColors(ps *problems, mv *ast.MappingValueNode, out map[string]setting) {
	keys := make([]string, len(colorFields))
	for i, f := range colorFields {
		keys[i] = f.key
	}
	pairs, ok := mapping(mv.Value)
	if !ok {
		if _, null := mv.Value.(*ast.NullNode); null {
			return // "colors:" with nothing under it: all from the base
		}
		ps.addf(nodeLine(mv.Value), "colors", "want a mapping of colour names to \"#rrggbb\"")
		return
	}
	for _, c := range pairs {
		key, kline := keyOf(c)
		field := "colors." + key
		if !slices.Contains(keys, key) {
			ps.addf(kline, field, "unknown colour %s", suggest(key, "the colours are", keys))
			continue
		}
		if _, dup := out[key]; dup {
			ps.addf(kline, field, "given twice; keep one")
			continue
		}
		if _, null := c.Value.(*ast.NullNode); null {
			// The usual cause: an unquoted # starts a YAML comment.
			ps.addf(kline, field, "no colour given; quote hex colours (%s: \"#268bd2\"), a bare # starts a YAML comment", key)
			continue
		}
		s := stringValue(ps, c, field, kline)
		if s.line == 0 {
			continue
		}
		h, ok := normalizeHex(s.value)
		if !ok {
			ps.addf(s.line, field, "%q is not a colour (want \"#rrggbb\")", s.value)
			continue
		}
		out[key] = setting{line: s.line, value: h}
	}
}

// mapping returns the key/value pairs of a mapping node. Older go-yaml
// versions give a one-pair mapping as a bare MappingValueNode.
func mapping(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}, true
	}
	return nil, false
}

// keyOf returns a pair's key as text and its line.
func keyOf(mv *ast.MappingValueNode) (string, int) {
	k := mv.Key
	if s, ok := k.(*ast.StringNode); ok {
		return s.Value, nodeLine(k)
	}
	return k.String(), nodeLine(k)
}

// stringValue returns a scalar value as text; for anything else it records a
// problem and returns a zero setting (line 0).
func stringValue(ps *problems, mv *ast.MappingValueNode, field string, kline int) setting {
	v := mv.Value
	vline := nodeLine(v)
	if vline == 0 {
		vline = kline
	}
	switch n := v.(type) {
	case *ast.StringNode:
		return setting{vline, n.Value}
	case *ast.NullNode:
		ps.addf(kline, field, "no value given")
		return setting{}
	case *ast.LiteralNode:
		return setting{vline, strings.TrimSpace(n.Value.Value)}
	case ast.ScalarNode:
		return setting{vline, fmt.Sprint(n.GetValue())}
	}
	ps.addf(vline, field, "want a single value, not a %s", strings.ToLower(v.Type().String()))
	return setting{}
}

func nodeLine(n ast.Node) int {
	if n == nil {
		return 0
	}
	return line(n.GetToken())
}

func line(tk *token.Token) int {
	if tk == nil || tk.Position == nil {
		return 0
	}
	return tk.Position.Line
}

// suggest returns `(did you mean "x"?)` when key differs from a known key
// only in case, dashes, underscores or British spelling, the usual slips, and
// otherwise the list of known keys.
func suggest(key, intro string, known []string) string {
	norm := func(s string) string {
		s = strings.ToLower(s)
		return strings.NewReplacer("_", "", "-", "", " ", "", "colour", "color").Replace(s)
	}
	for _, k := range known {
		if norm(k) == norm(key) {
			return fmt.Sprintf("(did you mean %q?)", k)
		}
	}
	return "(" + intro + " " + strings.Join(known, ", ") + ")"
}
