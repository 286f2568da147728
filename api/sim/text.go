package sim

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// newRNG returns a generator seeded from the given parts, so the same
// request gives the same answer.
func newRNG(parts ...any) *rand.Rand {
	h := fnv.New64a()
	for _, p := range parts {
		fmt.Fprintf(h, "%v\x00", p)
	}
	s := h.Sum64()
	return rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))
}

func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

// subject is what the simulator understood of a prompt.
type subject struct {
	text    string // the message the answer is about
	topic   string // a short noun phrase to talk about
	entity  string // a capitalised place or name, if any
	aspects []string
	lang    string // go, python or javascript when code is wanted
	code    bool
	brief   bool
	long    bool
	greet   bool
	target  int // tokens asked for ("about 500 words"), 0 when not asked
}

var (
	wordRE   = regexp.MustCompile(`[\p{L}\p{N}][\p{L}\p{N}'’-]*`)
	entityRE = regexp.MustCompile(`\b(?:in|at|to|from|near|visit|about|of|for)\s+((?:\p{Lu}[\p{L}'’-]+)(?:\s+(?:de|du|la|le|of|the|\p{Lu}[\p{L}'’-]+)){0,3})`)
	targetRE = regexp.MustCompile(`(?i)\b(\d{2,6})\s*(tokens|words)\b`)
	greetRE  = regexp.MustCompile(`(?i)^\s*(hi|hello|hey|bonjour|salut|good (morning|afternoon|evening))\b[\s!.,?]*$`)
)

var stopwords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an the and or but if then so of in on at to for from by with about into over
	under is are was were be been being do does did can could should would will shall may might must i me my we
	our you your he she it its they them their this that these those what which who whom whose why how when where
	please tell give show explain describe write make name list find get one two three some any all more most very
	just also than too not no yes there here many much lot lots really whats what's how's who's up out as thing things like want need know help using use way ways
	short brief concise quick simple sentence sentences answer paragraph word words tokens long detailed example
	examples code function functions program script snippet implement implementation let lets let's see`) {
		stopwords[w] = true
	}
}

var languages = map[string]string{
	"go": "go", "golang": "go", "python": "python", "py": "python",
	"javascript": "javascript", "js": "javascript", "node": "javascript", "typescript": "javascript", "ts": "javascript",
}

// understand reads a prompt the way the simulated model "reads" it.
func understand(text, system string, rng *rand.Rand) subject {
	s := subject{text: strings.TrimSpace(text)}
	lower := strings.ToLower(text + " " + system)
	s.greet = greetRE.MatchString(text)
	for _, w := range wordRE.FindAllString(strings.ToLower(text), -1) {
		if l, ok := languages[w]; ok && s.lang == "" {
			s.lang = l
		}
	}
	for _, k := range []string{"code", "function", "implement", "snippet", "script", "program", "algorithm", "class", "api", "regex", "sql", "bug"} {
		if strings.Contains(lower, k) {
			s.code = true
		}
	}
	s.code = s.code || s.lang != ""
	for _, k := range []string{"one sentence", "one short sentence", "brief", "briefly", "in short", "one word", "concise", "tl;dr", "short answer", "be short"} {
		if strings.Contains(lower, k) {
			s.brief = true
		}
	}
	for _, k := range []string{"detailed", "in depth", "in-depth", "long", "essay", "comprehensive", "thorough", "article"} {
		if strings.Contains(lower, k) {
			s.long = true
		}
	}
	if m := targetRE.FindStringSubmatch(text); m != nil {
		n, _ := strconv.Atoi(m[1])
		if strings.EqualFold(m[2], "words") {
			n = n * 4 / 3
		}
		s.target = n
	}
	for _, m := range entityRE.FindAllStringSubmatch(text, -1) {
		if _, isLang := languages[strings.ToLower(m[1])]; !isLang {
			s.entity = strings.TrimSpace(m[1])
			break
		}
	}
	var content []string
	for _, w := range wordRE.FindAllString(text, -1) {
		lw := strings.ToLower(w)
		if stopwords[lw] || len([]rune(lw)) < 3 || languages[lw] != "" || isNumber(lw) {
			continue
		}
		content = append(content, lw)
		if len(content) == 3 {
			break
		}
	}
	switch {
	case s.entity != "":
		s.topic = s.entity
	case len(content) > 0:
		s.topic = strings.Join(content, " ")
	default:
		s.topic = pick(rng, []string{"the question", "this topic", "the idea"})
	}
	pool := generalAspects
	switch {
	case s.code:
		pool = codeAspects
	case s.entity != "":
		pool = placeAspects
	}
	s.aspects = shuffled(rng, pool)
	return s
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

func shuffled(rng *rand.Rand, list []string) []string {
	out := append([]string(nil), list...)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

var (
	generalAspects = []string{"context", "cost", "timing", "trade-offs", "common pitfalls", "best practices", "history",
		"alternatives", "risks", "long-term value", "the people involved", "constraints", "quality", "evidence"}
	codeAspects = []string{"readability", "performance", "error handling", "testing", "edge cases", "memory use",
		"concurrency", "naming", "dependencies", "API design", "complexity", "tooling"}
	placeAspects = []string{"the old town", "local food", "museums", "getting around", "the best season", "viewpoints",
		"markets", "day trips", "neighbourhoods", "architecture", "parks", "evenings out"}
)

// title capitalises a phrase for a heading.
func title(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		r := []rune(w)
		if i > 0 && len(r) <= 3 && stopwords[w] {
			continue
		}
		r[0] = unicode.ToUpper(r[0])
		words[i] = string(r)
	}
	return strings.Join(words, " ")
}

func capFirst(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// fill replaces {t} (topic), {T} (topic, capitalised) and {a} {b} {c}
// (aspects) in a template.
func fill(tpl string, s subject, off int) string {
	asp := func(i int) string { return s.aspects[(off+i)%len(s.aspects)] }
	return strings.NewReplacer("{t}", s.topic, "{T}", capFirst(s.topic), "{a}", asp(0), "{b}", asp(1), "{c}", asp(2),
		"{A}", capFirst(asp(0))).Replace(tpl)
}

var (
	intros = []string{
		"{T} is a good example of how {a} and {b} shape the result. Here is a short overview of what matters most, with a few practical notes.",
		"When people ask about {t}, the useful answer usually comes down to {a}, {b} and {c}. Let's take them in order.",
		"There is no single right answer for {t}, but a few points make most of the difference: {a}, {b} and, to a lesser extent, {c}.",
		"Here is a practical way to think about {t}. Start with {a}, because it frames everything else, then look at {b}.",
	}
	paragraphs = []string{
		"In practice, {a} matters more than it first appears. It decides how much room you have for everything else, so it is worth a few minutes of thought before going further.",
		"A common mistake is to focus on {a} and forget {b}. The two are linked: improving one without the other rarely gives the result you expect.",
		"If you only have time for one thing, pick {a}. It is the part people remember, and the easiest to get right with a little care.",
		"It also helps to compare {t} with what you already know. The differences in {b} and {c} are usually where the interesting questions are.",
		"None of this is fixed: as your needs change, revisit {a} first. Small adjustments there tend to pay off quickly.",
	}
	bulletNotes = []string{
		"it sets the tone for everything else, so start here.",
		"worth checking early, because it is hard to change later.",
		"often overlooked, yet it explains most of the differences you will notice.",
		"keep it simple; the obvious choice is usually the right one.",
		"compare two or three options before you commit.",
		"measure before optimising: intuition is often wrong here.",
		"a little planning saves a lot of time later.",
		"ask someone who has done it before; their shortcuts are worth having.",
	}
	subheads = []string{"Key points", "What to know", "In practice", "Things to watch", "A closer look", "Details", "Going further"}
	closings = []string{
		"In short, {t} rewards attention to {a}. If you tell me more about your goal, I can go deeper into any of these points.",
		"That should give you a solid starting point. Let me know if you want more detail on {b} or a concrete example.",
		"To sum up: start with {a}, keep an eye on {b}, and adjust as you learn more about {t}.",
	}
	briefs = []string{
		"{T} mostly comes down to {a}: get that right and the rest follows.",
		"The short answer: focus on {a} and {b}, and {t} will take care of itself.",
		"{T} is best approached through {a}, with {b} as a close second.",
	}
	placeBriefs = []string{
		"In {t}, start with {a}: it gives you the best sense of the place in a single walk.",
		"Don't miss {a} in {t}, ideally early in the day before the crowds arrive.",
	}
)

// answerText writes a markdown answer about the subject.
func answerText(s subject, rng *rand.Rand) string {
	if s.greet {
		return pick(rng, []string{"Hello! How can I help you today?", "Hi there! What would you like to work on?"})
	}
	if s.brief && s.target == 0 {
		if s.entity != "" {
			return fill(pick(rng, placeBriefs), s, rng.IntN(4))
		}
		return fill(pick(rng, briefs), s, rng.IntN(4))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n%s\n\n", title(s.topic), fill(pick(rng, intros), s, 0))
	sections := 1
	if s.long {
		sections = 3 + rng.IntN(3)
	}
	for i := 0; i < sections; i++ {
		writeSection(&b, s, rng, i)
		if s.target > 0 && estimateTokens(b.String()) >= s.target {
			break
		}
	}
	if s.code || rng.IntN(4) == 0 {
		writeCode(&b, s, rng)
	}
	// Asked for a length: keep writing sections until it is reached; the
	// caller cuts the token list to the exact count.
	for i := sections; s.target > 0 && estimateTokens(b.String()) < s.target+40; i++ {
		writeSection(&b, s, rng, i)
	}
	b.WriteString(fill(pick(rng, closings), s, 0))
	return b.String()
}

func writeSection(b *strings.Builder, s subject, rng *rand.Rand, i int) {
	off := i * 3
	if i > 0 || rng.IntN(2) == 0 {
		fmt.Fprintf(b, "### %s\n\n", pick(rng, subheads))
	}
	n := 3 + rng.IntN(3)
	notes := shuffled(rng, bulletNotes)
	for j := 0; j < n; j++ {
		fmt.Fprintf(b, "- **%s**: %s\n", capFirst(s.aspects[(off+j)%len(s.aspects)]), notes[j%len(notes)])
	}
	b.WriteString("\n")
	fmt.Fprintf(b, "%s\n\n", fill(pick(rng, paragraphs), s, off+rng.IntN(3)))
	if rng.IntN(3) == 0 || (s.long && i == 1) {
		b.WriteString("| Aspect | Notes | Priority |\n|---|---|---|\n")
		for j := 0; j < 3; j++ {
			a := s.aspects[(off+j+1)%len(s.aspects)]
			fmt.Fprintf(b, "| %s | %s | %s |\n", capFirst(a), strings.TrimSuffix(capFirst(notes[(n+j)%len(notes)]), "."),
				[]string{"High", "Medium", "Low"}[j])
		}
		b.WriteString("\n")
	}
}

// ident turns the topic into an identifier in the given case.
func ident(topic string, camel bool) string {
	var words []string
	for _, w := range wordRE.FindAllString(strings.ToLower(topic), -1) {
		w = strings.Map(func(r rune) rune {
			if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
				return r
			}
			return -1
		}, w)
		if w != "" {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		words = []string{"item"}
	}
	if !camel {
		return strings.Join(words, "_")
	}
	for i := 1; i < len(words); i++ {
		words[i] = capFirst(words[i])
	}
	out := strings.Join(words, "")
	if out[0] >= '0' && out[0] <= '9' {
		out = "x" + out
	}
	return out
}

func writeCode(b *strings.Builder, s subject, rng *rand.Rand) {
	lang := s.lang
	if lang == "" {
		lang = pick(rng, []string{"go", "python", "javascript"})
	}
	camel, snake := ident(s.topic, true), ident(s.topic, false)
	fmt.Fprintf(b, "Here is a small %s example:\n\n", map[string]string{"go": "Go", "python": "Python", "javascript": "JavaScript"}[lang])
	var code string
	switch lang {
	case "go":
		code = pick(rng, []string{
			"```go\npackage main\n\nimport (\n\t\"fmt\"\n\t\"strings\"\n)\n\n// " + camel + " joins the non-empty parts of {t}.\nfunc " + camel + "(parts []string) string {\n\tvar out []string\n\tfor _, p := range parts {\n\t\tif p = strings.TrimSpace(p); p != \"\" {\n\t\t\tout = append(out, p)\n\t\t}\n\t}\n\treturn strings.Join(out, \", \")\n}\n\nfunc main() {\n\tfmt.Println(" + camel + "([]string{\"{a}\", \"\", \"{b}\"}))\n}\n```",
			"```go\n// " + capFirst(camel) + " scores {t} by how many checks pass.\ntype " + capFirst(camel) + " struct {\n\tChecks map[string]bool\n}\n\nfunc (x " + capFirst(camel) + ") Score() float64 {\n\tif len(x.Checks) == 0 {\n\t\treturn 0\n\t}\n\tn := 0\n\tfor _, ok := range x.Checks {\n\t\tif ok {\n\t\t\tn++\n\t\t}\n\t}\n\treturn float64(n) / float64(len(x.Checks))\n}\n```",
		})
	case "python":
		code = pick(rng, []string{
			"```python\ndef " + snake + "(items: list[str]) -> dict[str, int]:\n    \"\"\"Count how often each item of {t} appears.\"\"\"\n    counts: dict[str, int] = {}\n    for item in items:\n        counts[item] = counts.get(item, 0) + 1\n    return counts\n\n\nprint(" + snake + "([\"{a}\", \"{b}\", \"{a}\"]))\n```",
			"```python\nfrom dataclasses import dataclass\n\n\n@dataclass\nclass " + capFirst(camel) + ":\n    name: str\n    score: float = 0.0\n\n    def describe(self) -> str:\n        return f\"{self.name}: {self.score:.1f}\"\n\n\nprint(" + capFirst(camel) + "(\"{a}\", 4.5).describe())\n```",
		})
	default:
		code = pick(rng, []string{
			"```javascript\n// Group {t} entries by their first letter.\nfunction " + camel + "(entries) {\n  return entries.reduce((groups, entry) => {\n    const key = entry[0].toUpperCase();\n    (groups[key] ??= []).push(entry);\n    return groups;\n  }, {});\n}\n\nconsole.log(" + camel + "([\"{a}\", \"{b}\", \"{c}\"]));\n```",
			"```javascript\nasync function " + camel + "(url) {\n  const res = await fetch(url);\n  if (!res.ok) {\n    throw new Error(`request failed: ${res.status}`);\n  }\n  return res.json();\n}\n```",
		})
	}
	b.WriteString(fill(code, s, 0))
	b.WriteString("\n\n")
}

// thinkingText is the reasoning the simulated model shows before answering;
// effort sets how long it thinks.
func thinkingText(s subject, effort string, rng *rand.Rand) string {
	steps := []string{
		fill("The user is asking about {t}.", s, 0),
		fill("Let me think about what matters most here: {a}, {b} and {c}.", s, 0),
		"I should start with a short overview, then give the key points as a list.",
		fill("{A} is probably the most important part, so it goes first.", s, 0),
		"A small table could help compare the options at a glance.",
		"I need to keep the answer accurate and not overstate anything.",
		fill("Is there a common mistake worth mentioning? Yes, forgetting {b}.", s, 0),
		"Let me check the structure once more: heading, overview, list, closing line.",
		"The tone should stay practical and concise.",
		"Okay, I think the answer is clear now.",
	}
	if s.code {
		steps[4] = fmt.Sprintf("A short %s example would make this concrete.", map[string]string{"": "code", "go": "Go", "python": "Python", "javascript": "JavaScript"}[s.lang])
	}
	n := map[string]int{"minimal": 2, "low": 3, "medium": 5, "high": 8, "xhigh": 10}[effort]
	if n == 0 {
		n = 4 + rng.IntN(3)
	}
	out := append([]string(nil), steps[:2]...)
	out = append(out, shuffled(rng, steps[2:len(steps)-1])[:max(n-3, 0)]...)
	out = append(out, steps[len(steps)-1])
	return strings.Join(out[:min(n, len(out))], " ")
}

// estimateTokens is the simulator's token count: about four characters a
// token, as Mistral's tokenizer averages on English.
func estimateTokens(s string) int { return (len(s) + 3) / 4 }

// tokenRE finds token-sized units: a word with its leading space, one
// punctuation mark, or a run of newlines.
var tokenRE = regexp.MustCompile(`\n+|[ \t]*[\p{L}\p{N}'’]+|[ \t]*[^\s\p{L}\p{N}]|[ \t]+`)

// pieces cuts text into stream tokens as a BPE tokenizer roughly would:
// short words whole with their leading space, long words in pieces of three
// to five characters, punctuation on its own.
func pieces(text string, rng *rand.Rand) []string {
	var out []string
	for _, w := range tokenRE.FindAllString(text, -1) {
		r := []rune(w)
		if w[0] == '\n' {
			for len(r) > 2 {
				out = append(out, "\n\n")
				r = r[2:]
			}
			out = append(out, string(r))
			continue
		}
		for len(r) > 6 {
			n := 3 + rng.IntN(3)
			out = append(out, string(r[:n]))
			r = r[n:]
		}
		out = append(out, string(r))
	}
	return out
}
