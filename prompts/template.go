package prompts

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/mbleigh/raymond/ast"
	"github.com/mbleigh/raymond/parser"
)

// helpers are the names a template may call: Dotprompt's helpers and the
// Handlebars built-ins that raymond registers. Anything else would fail only
// when rendered ("missing helper"), so it is refused when the file is read.
var helpers = []string{
	"json", "role", "history", "section", "media", "ifEquals", "unlessEquals",
	"if", "unless", "with", "each", "log", "lookup", "equal",
}

// templateVars is what a template reads from its input.
type templateVars struct {
	all      map[string]bool // every top-level variable it mentions
	required map[string]bool // those it prints or passes to a helper unguarded
}

// varScan walks the Handlebars AST of a template.
type varScan struct {
	templateVars
	err error
	ln  int // template line of err
}

var raymondLine = regexp.MustCompile(`^Parse error on line (\d+):\n(.*)`)

// scanTemplate parses the template with raymond, the Handlebars engine
// Dotprompt renders with, and lists its variables. The error's line is
// relative to the template's first line.
func scanTemplate(tpl string) (vars templateVars, line int, err error) {
	defer func() {
		// raymond re-panics runtime errors from its parser.
		if r := recover(); r != nil {
			vars, line, err = templateVars{}, 1, fmt.Errorf("template: cannot be parsed (%v)", r)
		}
	}()
	prog, err := parser.Parse(tpl)
	if err != nil {
		if m := raymondLine.FindStringSubmatch(err.Error()); m != nil {
			n, _ := strconv.Atoi(m[1])
			return templateVars{}, n, fmt.Errorf("template: %s", syntaxMsg(m[2], err.Error()))
		}
		return templateVars{}, 1, fmt.Errorf("template: %v", err)
	}
	s := &varScan{templateVars: templateVars{all: map[string]bool{}, required: map[string]bool{}}}
	s.program(prog, 0, nil)
	if s.err != nil {
		return templateVars{}, s.ln, s.err
	}
	return s.templateVars, 0, nil
}

var lexerToken = regexp.MustCompile(`Token: Error\{"(.*)"\}`)

// syntaxMsg shortens raymond's parse errors, whose first line is often only
// "Lexer error" and whose real cause sits on a later line.
func syntaxMsg(first, full string) string {
	first = strings.TrimSpace(first)
	switch {
	case first == "Lexer error":
		if m := lexerToken.FindStringSubmatch(full); m != nil && m[1] != "" {
			return strings.ToLower(m[1][:1]) + m[1][1:] + " (a {{ without its }})"
		}
	case strings.HasSuffix(first, "got: 'EOF'"):
		return "the template ends inside a block: a {{/…}} is missing"
	}
	return first
}

func (s *varScan) fail(n ast.Node, format string, args ...any) {
	if s.err == nil {
		s.err = fmt.Errorf(format, args...)
		s.ln = n.Location().Line
	}
}

// program scans statements at a context depth (0 is the prompt's input;
// each/with and sections step into a value) with the set of variables that an
// enclosing {{#if}} has already tested, which therefore may be absent.
func (s *varScan) program(p *ast.Program, depth int, guarded []string) {
	if p == nil {
		return
	}
	for _, st := range p.Body {
		switch st := st.(type) {
		case *ast.MustacheStatement:
			s.expr(st.Expression, depth, guarded, true)
		case *ast.BlockStatement:
			s.block(st, depth, guarded)
		case *ast.PartialStatement:
			s.fail(st, "template: partials ({{> name}}) are not supported by mstudio yet")
		}
	}
}

func (s *varScan) block(b *ast.BlockStatement, depth int, guarded []string) {
	e := b.Expression
	if e == nil {
		return
	}
	name := e.HelperName()
	switch {
	case name == "if" || name == "unless":
		// A missing condition is simply false: that is what #if is for.
		tested := s.params(e, depth, guarded, false)
		in := append(slices.Clone(guarded), tested...)
		if name == "if" {
			s.program(b.Program, depth, in)
			s.program(b.Inverse, depth, guarded)
		} else {
			s.program(b.Program, depth, guarded)
			s.program(b.Inverse, depth, in)
		}
	case name == "ifEquals" || name == "unlessEquals":
		s.params(e, depth, guarded, false)
		s.program(b.Program, depth, guarded)
		s.program(b.Inverse, depth, guarded)
	case name == "each" || name == "with":
		s.params(e, depth, guarded, true)
		s.program(b.Program, depth+1, nil)
		s.program(b.Inverse, depth, guarded)
	case slices.Contains(helpers, name):
		s.params(e, depth, guarded, true)
		s.program(b.Program, depth, guarded)
		s.program(b.Inverse, depth, guarded)
	case len(e.Params) > 0 || e.Hash != nil:
		s.fail(b, "template: unknown helper %q (known: %s)", name, strings.Join(helpers, ", "))
	default:
		// A Mustache section {{#items}}…{{/items}}: skipped when the value
		// is missing or empty, and its body runs inside the value.
		if p, ok := e.Path.(*ast.PathExpression); ok {
			s.path(p, depth, guarded, false)
		}
		s.program(b.Program, depth+1, nil)
		s.program(b.Inverse, depth, guarded)
	}
}

// expr scans {{x}} or {{helper a b k=v}}.
func (s *varScan) expr(e *ast.Expression, depth int, guarded []string, required bool) {
	if e == nil {
		return
	}
	name := e.HelperName()
	if name == "role" {
		s.role(e)
	}
	if slices.Contains(helpers, name) {
		s.params(e, depth, guarded, required)
		return
	}
	if len(e.Params) > 0 || e.Hash != nil {
		s.fail(e, "template: unknown helper %q (known: %s)", name, strings.Join(helpers, ", "))
		return
	}
	if p, ok := e.Path.(*ast.PathExpression); ok {
		s.path(p, depth, guarded, required)
	}
}

// roles are the {{role}} names that map to Mistral roles.
var roles = []string{"system", "user", "model", "assistant"}

// role checks {{role "x"}} now: Dotprompt only recognises lowercase roles
// and would otherwise send {{role "System"}} as literal marker text.
func (s *varScan) role(e *ast.Expression) {
	if len(e.Params) != 1 {
		s.fail(e, "template: role takes one name: {{role \"system\"}}, \"user\" or \"model\"")
		return
	}
	if lit, ok := e.Params[0].(*ast.StringLiteral); ok && !slices.Contains(roles, lit.Value) {
		s.fail(e, "template: role %q is not supported (system, user, model)", lit.Value)
	}
}

// params scans a helper's arguments and returns the variables among them.
func (s *varScan) params(e *ast.Expression, depth int, guarded []string, required bool) []string {
	var names []string
	args := slices.Clone(e.Params)
	if e.Hash != nil {
		for _, pair := range e.Hash.Pairs {
			args = append(args, pair.Val)
		}
	}
	for _, a := range args {
		switch a := a.(type) {
		case *ast.PathExpression:
			if n := s.path(a, depth, guarded, required); n != "" {
				names = append(names, n)
			}
		case *ast.SubExpression:
			s.expr(a.Expression, depth, guarded, required)
		case *ast.Expression:
			s.expr(a, depth, guarded, required)
		}
	}
	return names
}

// path records a variable read at depth and returns its name, or "" when the
// path reads something else (a loop item, @index, this).
func (s *varScan) path(p *ast.PathExpression, depth int, guarded []string, required bool) string {
	parts := p.Parts
	if p.Data {
		// @root.x is the input's x; other @ names are loop data or
		// Dotprompt's context, never input variables.
		if len(parts) < 2 || parts[0] != "root" {
			return ""
		}
		parts, depth = parts[1:], 0
	} else {
		depth -= p.Depth
	}
	if depth != 0 || len(parts) == 0 {
		return ""
	}
	name := parts[0]
	s.all[name] = true
	if required && !slices.Contains(guarded, name) {
		s.required[name] = true
	}
	return name
}
