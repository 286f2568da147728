package editor

import (
	"slices"
	"strings"
)

// docVariables lists the {{variables}} used in a document's system prompt
// and turns, sorted, each once.
func docVariables(doc Document) []string {
	seen := map[string]bool{}
	add := func(n string) { seen[n] = true }
	scanVariables(doc.System, add)
	for _, t := range doc.Turns {
		scanVariables(t.Text, add)
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// noArgNames are the single words between braces that are not variables:
// Handlebars keywords and Dotprompt helpers that take no argument.
var noArgNames = map[string]bool{"else": true, "this": true, "history": true}

// literals are parameter words that are values, not names.
var literals = map[string]bool{"true": true, "false": true, "null": true, "undefined": true}

// scanVariables calls add for every variable a Handlebars template reads.
//
// It is not a full Handlebars parser, only what telling the user which
// values to fill in needs: {{name}} and {{ name }} and {{{name}}} count;
// so do the parameters of helpers and blocks ({{json x}}, {{#if x}},
// {{media url=x}}, {{#each items}}); helper names themselves, string and
// number literals, comments, partials and @data do not. Inside {{#each}} and
// {{#with}} bare names belong to the item, so they count only when written
// ../name or @root.name. Of a path such as user.name the first part counts,
// as that is the input the user supplies.
func scanVariables(text string, add func(string)) {
	var blocks []string // open block helpers, innermost last
	scoped := func() bool {
		for _, b := range blocks {
			if b == "each" || b == "with" {
				return true
			}
		}
		return false
	}
	for {
		i := strings.Index(text, "{{")
		if i < 0 {
			return
		}
		escaped := i > 0 && text[i-1] == '\\' // \{{ is literal text in Handlebars
		text = text[i+2:]
		if strings.HasPrefix(text, "!--") {
			j := strings.Index(text, "--}}")
			if j < 0 {
				return
			}
			text = text[j+4:]
			continue
		}
		triple := strings.HasPrefix(text, "{")
		if triple {
			text = text[1:]
		}
		j := strings.Index(text, "}}")
		if j < 0 {
			return
		}
		expr := text[:j]
		text = text[j+2:]
		if triple {
			text = strings.TrimPrefix(text, "}")
		}
		if escaped {
			continue
		}
		expr = strings.TrimSpace(strings.Trim(strings.TrimSpace(expr), "~"))
		if expr == "" {
			continue
		}
		switch expr[0] {
		case '!', '>': // comment, partial
			continue
		case '/':
			if n := len(blocks); n > 0 {
				blocks = blocks[:n-1]
			}
			continue
		case '#', '^':
			if strings.HasPrefix(expr, "#*") || strings.HasPrefix(expr, "#>") { // decorators, partial blocks
				continue
			}
			toks := tokenize(expr[1:])
			if len(toks) == 0 {
				continue
			}
			if expr[0] == '^' && len(toks) == 1 { // {{^x}}: inverse section on x
				candidate(toks[0], scoped(), add)
				blocks = append(blocks, "")
				continue
			}
			params(toks[1:], scoped(), add) // a block's parameters are read outside it
			blocks = append(blocks, toks[0])
			continue
		}
		toks := tokenize(expr)
		switch {
		case len(toks) == 0:
		case toks[0] == "else" || toks[0] == "^": // {{else if x}}
			params(toks[min(2, len(toks)):], scoped(), add)
		case len(toks) == 1:
			if !noArgNames[toks[0]] {
				candidate(toks[0], scoped(), add)
			}
		default:
			params(toks[1:], scoped(), add) // toks[0] is a helper
		}
	}
}

// tokenize splits an expression into words, quoted strings (kept with their
// quotes, so they are known as literals) and the parentheses of
// sub-expressions.
func tokenize(expr string) []string {
	var toks []string
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			toks = append(toks, string(c))
			i++
		case c == '"' || c == '\'':
			j := strings.IndexByte(expr[i+1:], c)
			if j < 0 {
				j = len(expr) - i - 1
			}
			toks = append(toks, expr[i:min(len(expr), i+j+2)])
			i += j + 2
		default:
			j := i
			for j < len(expr) && !strings.ContainsRune(" \t\n\r()", rune(expr[j])) {
				if (expr[j] == '"' || expr[j] == '\'') && j > i && expr[j-1] == '=' {
					break // key="value": the value is its own token
				}
				j++
			}
			toks = append(toks, expr[i:j])
			i = j
		}
	}
	return toks
}

// params adds the names among a helper's parameters: the word after "(" is
// a sub-expression's helper, and key=value counts its value.
func params(toks []string, scoped bool, add func(string)) {
	helperNext := false
	for _, t := range toks {
		switch {
		case t == "(":
			helperNext = true
			continue
		case t == ")":
		case helperNext:
		default:
			if k, v, ok := strings.Cut(t, "="); ok && k != "" {
				t = v
			}
			candidate(t, scoped, add)
		}
		helperNext = false
	}
}

// candidate adds the input a path expression reads, if it is one.
func candidate(t string, scoped bool, add func(string)) {
	if t == "" || t[0] == '"' || t[0] == '\'' || literals[t] {
		return
	}
	outer := false
	for strings.HasPrefix(t, "../") {
		t, outer = t[3:], true
	}
	if rest, ok := strings.CutPrefix(t, "@root."); ok {
		t, outer = rest, true
	}
	if scoped && !outer {
		return
	}
	if i := strings.IndexAny(t, "./["); i >= 0 {
		t = t[:i]
	}
	if !isIdent(t) || noArgNames[t] {
		return
	}
	add(t)
}

// isIdent reports whether s can name an input: a letter or underscore, then
// letters, digits, underscores or hyphens.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		letter := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !letter && (i == 0 || !(r == '-' || (r >= '0' && r <= '9'))) {
			return false
		}
	}
	return true
}
