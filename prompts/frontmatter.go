package prompts

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/google/dotprompt/go/dotprompt"
)

// Error is a problem in a prompt file, located at a line so that the editor
// can jump to it and the command line can print "file:line: message".
type Error struct {
	File string // the path given to Load, or the name given to Parse
	Line int    // 1-based line in the file; 0 when the problem has no line
	Msg  string
}

// Error formats the problem the way compilers do, so that terminals and
// editors recognise the location.
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// document is a prompt file split the way Dotprompt splits it, with the
// offsets Dotprompt throws away.
type document struct {
	source      string // what Dotprompt parses (a trailing newline may be added)
	front       string // the YAML text between the --- lines, "" when none
	frontLine   int    // file line of the first line of front
	hasFront    bool   // the file starts with a front matter block
	templateLn  int    // file line where Dotprompt's template text starts
	lines       map[string]int
	ordered     yaml.MapSlice // the front matter with its key order kept
	orderedKeys []string      // top-level keys in file order
}

// lineAt returns the file line of a front matter path such as
// "config.temperature" or "toolDefs[1].name". A path that is not in the file
// (a value that came through a YAML alias, say) falls back to its nearest
// parent, so an error always points somewhere useful.
func (d *document) lineAt(path string) int {
	for path != "" {
		if ln, ok := d.lines[path]; ok {
			return ln
		}
		cut := strings.LastIndexAny(path, ".[")
		if cut < 0 {
			break
		}
		path = path[:cut]
	}
	if d.hasFront {
		return d.frontLine
	}
	return 1
}

// lineOf counts the lines before byte offset off.
func lineOf(s string, off int) int {
	if off > len(s) {
		off = len(s)
	}
	return 1 + strings.Count(s[:off], "\n")
}

// splitDocument finds the front matter with Dotprompt's own regular
// expressions, so that this package and Dotprompt always agree on where the
// YAML ends and the template begins, and keeps the offsets for line numbers.
func splitDocument(source string) (*document, error) {
	// Some Windows editors start files with a byte order mark, which would
	// hide the opening --- from Dotprompt and send the YAML as the prompt.
	source = strings.TrimPrefix(source, "\ufeff")
	d := &document{source: source, templateLn: 1}
	m := dotprompt.FrontmatterAndBodyRegex.FindStringSubmatchIndex(source)
	if m == nil && opensFront(source) {
		// Dotprompt wants a newline after the closing ---; a file that
		// ends right after it would otherwise be read as one user message
		// holding the YAML text.
		if alt := source + "\n"; dotprompt.FrontmatterAndBodyRegex.MatchString(alt) {
			d.source = alt
			m = dotprompt.FrontmatterAndBodyRegex.FindStringSubmatchIndex(alt)
		}
	}
	if m != nil {
		d.hasFront = true
		d.front = d.source[m[2]:m[3]]
		d.frontLine = lineOf(d.source, m[2])
		if d.front == "" {
			// Dotprompt treats an empty block as no front matter and
			// keeps the body with only odd spaces trimmed.
			d.templateLn = lineOf(d.source, m[4])
			return d, nil
		}
		body := d.source[m[4]:m[5]]
		lead := len(body) - len(strings.TrimLeft(body, " \t\r\n\v\f"))
		d.templateLn = lineOf(d.source, m[4]+lead)
		return d, nil
	}
	if m := dotprompt.EmptyFrontmatterRegex.FindStringSubmatchIndex(d.source); m != nil {
		d.hasFront = true
		d.frontLine = 2
		d.templateLn = lineOf(d.source, m[2])
		return d, nil
	}
	if opensFront(source) {
		return nil, &Error{Line: 1, Msg: "front matter opened with --- is never closed: add a line with --- before the template"}
	}
	return d, nil
}

// opensFront reports whether the first line is a front matter fence.
func opensFront(source string) bool {
	first, _, _ := strings.Cut(source, "\n")
	return strings.TrimRight(first, " \t\r") == "---"
}

// parseFront reads the front matter twice: once as an AST for the line of
// every key, and once as ordered values (key order matters in JSON schemas,
// where models fill fields in the order given). Doing the same
// yaml.Unmarshal that Dotprompt does first also guarantees Dotprompt will
// not meet a YAML error, which it would print to stdout and then ignore.
func (d *document) parseFront() error {
	d.lines = map[string]int{}
	if strings.TrimSpace(d.front) == "" {
		return nil
	}
	file, err := parser.ParseBytes([]byte(d.front), 0)
	if err != nil {
		return d.yamlError(err)
	}
	if len(file.Docs) > 1 {
		return &Error{Line: d.frontLine, Msg: "front matter holds several YAML documents; keep one"}
	}
	var root ast.Node
	if len(file.Docs) == 1 {
		root = unwrap(file.Docs[0].Body)
	}
	switch root.(type) {
	case nil, *ast.NullNode, *ast.CommentGroupNode:
		return nil
	case *ast.MappingNode:
	default:
		return &Error{Line: d.nodeLine(root), Msg: "front matter must be a YAML mapping of keys (model:, config:, …)"}
	}
	d.index(root, "")

	var plain map[string]any
	if err := yaml.Unmarshal([]byte(d.front), &plain); err != nil {
		return d.yamlError(err)
	}
	var ordered yaml.MapSlice
	if err := yaml.UnmarshalWithOptions([]byte(d.front), &ordered, yaml.UseOrderedMap()); err != nil {
		return d.yamlError(err)
	}
	d.ordered = ordered
	for _, it := range ordered {
		d.orderedKeys = append(d.orderedKeys, fmt.Sprint(it.Key))
	}
	return nil
}

var yamlAt = regexp.MustCompile(`at \[(\d+):\d+\]`)

// yamlError turns a go-yaml error into a file line and its bare message
// (go-yaml's own text repeats the source with a caret, which is noise once
// the line is given).
func (d *document) yamlError(err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		line := d.frontLine
		tk := ye.GetToken()
		if tk != nil && tk.Next != nil && tk.Next.Value == ":" && strings.Contains(tk.Origin, "\n") {
			// A misindented key is read as the continuation of the value
			// above it ("x\n config"), and go-yaml blames that value; the
			// line to fix is the one with the stray colon.
			tk = tk.Next
		}
		if tk != nil && tk.Position != nil && tk.Position.Line > 0 {
			line = d.frontLine + tk.Position.Line - 1
		}
		// go-yaml places other keys relative to the YAML text ("already
		// defined at [1:1]"); say the file line instead.
		msg := yamlAt.ReplaceAllStringFunc(ye.GetMessage(), func(s string) string {
			n, _ := strconv.Atoi(yamlAt.FindStringSubmatch(s)[1])
			return "at line " + strconv.Itoa(d.frontLine+n-1)
		})
		return &Error{Line: line, Msg: "YAML: " + msg}
	}
	return &Error{Line: d.frontLine, Msg: "YAML: " + err.Error()}
}

// nodeLine is the file line of a node of the front matter AST.
func (d *document) nodeLine(n ast.Node) int {
	if n == nil {
		return d.frontLine
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil && tk.Position.Line > 0 {
		return d.frontLine + tk.Position.Line - 1
	}
	return d.frontLine
}

// index records the line of every key and sequence item under path.
func (d *document) index(n ast.Node, path string) {
	switch n := unwrap(n).(type) {
	case *ast.MappingNode:
		for _, mv := range n.Values {
			d.indexPair(mv, path)
		}
	case *ast.MappingValueNode:
		d.indexPair(n, path)
	case *ast.SequenceNode:
		for i, v := range n.Values {
			p := path + "[" + strconv.Itoa(i) + "]"
			if _, seen := d.lines[p]; !seen {
				d.lines[p] = d.nodeLine(v)
			}
			d.index(v, p)
		}
	}
}

func (d *document) indexPair(mv *ast.MappingValueNode, path string) {
	if mv == nil || mv.Key == nil {
		return
	}
	key := keyText(mv.Key)
	p := key
	if path != "" {
		p = path + "." + key
	}
	if _, seen := d.lines[p]; !seen {
		d.lines[p] = d.nodeLine(mv.Key)
	}
	d.index(mv.Value, p)
}

// keyText is a mapping key as written, without quotes.
func keyText(k ast.MapKeyNode) string {
	if s, ok := k.(ast.ScalarNode); ok {
		if v := s.GetValue(); v != nil {
			return fmt.Sprint(v)
		}
	}
	if tk := k.GetToken(); tk != nil {
		return tk.Value
	}
	return ""
}

// unwrap looks through anchors and tags to the value they decorate.
func unwrap(n ast.Node) ast.Node {
	for i := 0; i < 64 && n != nil; i++ {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		default:
			return n
		}
	}
	return n
}

// lookup walks the ordered front matter along keys.
func lookup(v any, keys ...string) (any, bool) {
	for _, k := range keys {
		ms, ok := v.(yaml.MapSlice)
		if !ok {
			return nil, false
		}
		found := false
		for _, it := range ms {
			if fmt.Sprint(it.Key) == k {
				v, found = it.Value, true
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	return v, true
}
