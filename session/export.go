package session

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"mstudio/api"
)

// Export formats.
const (
	FormatCurl       = "curl"
	FormatPython     = "python"
	FormatTypeScript = "typescript"
	FormatGo         = "go"
	FormatMarkdown   = "markdown"
	FormatJSON       = "json"
)

// ExportFormats lists the formats Export writes, in the order help shows
// them.
var ExportFormats = []string{FormatCurl, FormatPython, FormatTypeScript, FormatGo, FormatMarkdown, FormatJSON}

// chatPath is where every export sends the request.
const chatPath = "/v1/chat/completions"

// keyEnv is the variable every export reads the key from: exports never
// carry a key.
const keyEnv = "MISTRAL_API_KEY"

// Export writes a session in format. The code formats (curl, python,
// typescript, go) send one run's exact recorded request: run, or the first
// run when run is 0. markdown and json show the whole session, or only run
// when it is not 0.
func Export(s *Session, run int, format string) (string, error) {
	switch format {
	case FormatMarkdown:
		runs, err := pickRuns(s, run)
		if err != nil {
			return "", err
		}
		return exportMarkdown(s, runs), nil
	case FormatJSON:
		runs, err := pickRuns(s, run)
		if err != nil {
			return "", err
		}
		return exportJSON(s, runs)
	case FormatCurl, FormatPython, FormatTypeScript, FormatGo:
	default:
		return "", fmt.Errorf("unknown export format %q: use %s", format, strings.Join(ExportFormats, ", "))
	}
	if run == 0 && len(s.Runs) > 0 {
		run = s.Runs[0].Run
	}
	r, err := s.Run(run)
	if err != nil {
		return "", err
	}
	if r.API != "" {
		// its body goes to the Conversations API, not to chat completions
		return "", fmt.Errorf("%s: run %d is a call of an agent conversation (%s API): only chat completions export as code; markdown and json show it", s.Path, r.Run, r.API)
	}
	if len(r.Body) == 0 {
		return "", fmt.Errorf("%s: run %d has no recorded request body", s.Path, r.Run)
	}
	body, err := parseJSON(r.Body)
	if err != nil || body.kind != jObject {
		return "", fmt.Errorf("%s: run %d: the recorded request body is not a JSON object", s.Path, r.Run)
	}
	c := codeExport{s: s, r: r, body: body, stream: isStream(body)}
	switch format {
	case FormatCurl:
		return c.curl(), nil
	case FormatPython:
		return c.python(), nil
	case FormatTypeScript:
		return c.typescript(), nil
	default:
		return c.golang(), nil
	}
}

// pickRuns is every run for 0, else the one asked for.
func pickRuns(s *Session, run int) ([]RecordedRun, error) {
	if run == 0 {
		return s.Runs, nil
	}
	r, err := s.Run(run)
	if err != nil {
		return nil, err
	}
	return []RecordedRun{*r}, nil
}

func isStream(body jvalue) bool {
	v, ok := body.get("stream")
	return ok && v.kind == jBool && v.str == "true"
}

// baseURL is where the session's requests went, for exports.
func (s *Session) baseURL() string {
	if s.Header.BaseURL != "" {
		return api.NormalizeBaseURL(s.Header.BaseURL)
	}
	if e, ok := api.PresetEndpoint(s.Header.Endpoint); ok {
		return e.BaseURL
	}
	return api.GlobalURL
}

// codeExport is one run being written as a program.
type codeExport struct {
	s      *Session
	r      *RecordedRun
	body   jvalue
	stream bool
}

// origin says where an export comes from, for its first comment line.
func (c codeExport) origin() string {
	what := fmt.Sprintf("session %s run %d (%s on %s)", c.s.Header.ID, c.r.Run, c.r.Model, c.s.Header.Endpoint)
	if c.s.Header.Prompt != "" {
		p := c.s.Header.Prompt
		if c.s.Header.PromptVersion > 0 {
			p += fmt.Sprintf(" v%d", c.s.Header.PromptVersion)
		}
		what = "prompt " + p + ", " + what
	}
	return "Exported by mstudio from " + what + "."
}

// simNote warns that a run recorded on the built-in simulator went to a
// port that is gone.
func (c codeExport) simNote(comment string) string {
	if c.s.Header.Endpoint != "sim" {
		return ""
	}
	return comment + " Recorded on mstudio's built-in simulator: point the URL at `mstudio sim` or https://api.mistral.ai.\n"
}

// curl sends the exact body through a quoted heredoc, which the shell
// passes on byte for byte: no quoting of the JSON is needed.
func (c codeExport) curl() string {
	// No line of a JSON text can be the bare word JSON, so the delimiter
	// never clashes with the body.
	const delim = "JSON"
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n# The key is read from $%s.\n", c.origin(), keyEnv)
	b.WriteString(c.simNote("#"))
	fmt.Fprintf(&b, "curl %s", shellQuote(c.s.baseURL()+chatPath))
	if c.stream {
		b.WriteString(" -N") // print each event as it comes
	}
	fmt.Fprintf(&b, " \\\n  -H \"Authorization: Bearer $%s\" \\\n", keyEnv)
	b.WriteString("  -H \"Content-Type: application/json\" \\\n")
	if c.stream {
		b.WriteString("  -H \"Accept: text/event-stream\" \\\n")
	}
	fmt.Fprintf(&b, "  -d @- <<'%s'\n%s\n%s\n", delim, c.r.Body, delim)
	return b.String()
}

// shellQuote quotes a URL for the shell when it needs it.
func shellQuote(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(":/.-_~%+=,@", r)) {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}

// python uses the official SDK; the stream flag is the method's business
// (chat.stream or chat.complete), so it leaves the arguments.
func (c codeExport) python() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n# pip install mistralai; the key is read from $%s.\n", c.origin(), keyEnv)
	b.WriteString(c.simNote("#"))
	b.WriteString("import os\n\nfrom mistralai import Mistral\n\n")
	if base := c.s.baseURL(); base != api.GlobalURL {
		fmt.Fprintf(&b, "client = Mistral(\n    api_key=os.environ[%q],\n    server_url=%s,\n)\n\n", keyEnv, strconv.Quote(base))
	} else {
		fmt.Fprintf(&b, "client = Mistral(api_key=os.environ[%q])\n\n", keyEnv)
	}
	fmt.Fprintf(&b, "body = %s\n\n", c.body.without("stream").literal(pythonStyle))
	if c.stream {
		b.WriteString(`for event in client.chat.stream(**body):
    if not event.data.choices:
        continue
    content = event.data.choices[0].delta.content
    if isinstance(content, str):
        print(content, end="", flush=True)
    elif content:
        for chunk in content:
            if getattr(chunk, "type", None) == "text":
                print(chunk.text, end="", flush=True)
print()
`)
		return b.String()
	}
	b.WriteString(`response = client.chat.complete(**body)
message = response.choices[0].message
print(message.content)
for call in message.tool_calls or []:
    print("tool call:", call.function.name, call.function.arguments)
`)
	return b.String()
}

// typescript uses the official SDK, whose request fields are camelCase. It
// is plain JavaScript too (no type annotations), so node runs it as an
// .mjs file.
func (c codeExport) typescript() string {
	var b strings.Builder
	fmt.Fprintf(&b, "// %s\n// npm install @mistralai/mistralai; the key is read from $%s.\n", c.origin(), keyEnv)
	b.WriteString(c.simNote("//"))
	b.WriteString("import { Mistral } from \"@mistralai/mistralai\";\n\n")
	if base := c.s.baseURL(); base != api.GlobalURL {
		fmt.Fprintf(&b, "const client = new Mistral({\n  apiKey: process.env.%s,\n  serverURL: %s,\n});\n\n", keyEnv, jsString(base))
	} else {
		fmt.Fprintf(&b, "const client = new Mistral({ apiKey: process.env.%s });\n\n", keyEnv)
	}
	args := c.body.without("stream").literal(jsStyle)
	args = strings.ReplaceAll(args, "\n", "\n  ")
	b.WriteString("async function main() {\n")
	if c.stream {
		fmt.Fprintf(&b, "  const stream = await client.chat.stream(%s);\n", args)
		b.WriteString(`  for await (const event of stream) {
    const content = event.data.choices[0]?.delta.content;
    if (typeof content === "string") {
      process.stdout.write(content);
    } else if (content) {
      for (const chunk of content) {
        if (chunk.type === "text") process.stdout.write(chunk.text);
      }
    }
  }
  process.stdout.write("\n");
}
`)
	} else {
		fmt.Fprintf(&b, "  const response = await client.chat.complete(%s);\n", args)
		b.WriteString(`  const message = response.choices?.[0]?.message;
  console.log(message?.content);
  for (const call of message?.toolCalls ?? []) {
    console.log("tool call:", call.function.name, call.function.arguments);
  }
}
`)
	}
	b.WriteString("\nmain().catch((err) => {\n  console.error(err);\n  process.exit(1);\n});\n")
	return b.String()
}

// golang is a whole program with net/http and nothing else, so it runs
// with `go run` alone.
func (c codeExport) golang() string {
	var b strings.Builder
	fmt.Fprintf(&b, "// %s\n// Run with `go run main.go`; the key is read from $%s.\n", c.origin(), keyEnv)
	b.WriteString(c.simNote("//"))
	b.WriteString("package main\n\nimport (\n")
	imports := []string{"fmt", "io", "log", "net/http", "os", "strings"}
	if c.stream {
		imports = []string{"bufio", "encoding/json", "fmt", "io", "log", "net/http", "os", "strings"}
	}
	for _, imp := range imports {
		fmt.Fprintf(&b, "\t%q\n", imp)
	}
	b.WriteString(")\n\n")
	fmt.Fprintf(&b, "const url = %s\n\n", strconv.Quote(c.s.baseURL()+chatPath))
	b.WriteString("// body is the exact request mstudio sent.\n")
	body := string(c.r.Body)
	if strings.Contains(body, "`") || strings.Contains(body, "\r") {
		fmt.Fprintf(&b, "const body = %s\n\n", strconv.Quote(body))
	} else {
		fmt.Fprintf(&b, "const body = `%s`\n\n", body)
	}
	accept := "application/json"
	if c.stream {
		accept = "text/event-stream"
	}
	fmt.Fprintf(&b, `func main() {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+os.Getenv(%q))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", %q)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(resp.Body)
		log.Fatalf("%%s: %%s", resp.Status, msg)
	}
`, keyEnv, accept)
	if !c.stream {
		b.WriteString(`	if _, err := io.Copy(os.Stdout, resp.Body); err != nil {
		log.Fatal(err)
	}
	fmt.Println()
}
`)
		return b.String()
	}
	b.WriteString(`	// Each event is a line "data: {chunk}"; the answer is the text of
	// every chunk's delta, a string or a list of typed parts.
	lines := bufio.NewScanner(resp.Body)
	lines.Buffer(make([]byte, 64*1024), 16<<20)
	for lines.Scan() {
		data, ok := strings.CutPrefix(lines.Text(), "data: ")
		if !ok || data == "[DONE]" {
			continue
		}
		var chunk struct {
			Choices []struct {
				Delta struct {
					Content json.RawMessage ` + "`json:\"content\"`" + `
				} ` + "`json:\"delta\"`" + `
			} ` + "`json:\"choices\"`" + `
		}
		if err := json.Unmarshal([]byte(data), &chunk); err != nil || len(chunk.Choices) == 0 {
			continue
		}
		var text string
		var parts []struct{ Type, Text string }
		content := chunk.Choices[0].Delta.Content
		if json.Unmarshal(content, &text) == nil {
			fmt.Print(text)
		} else if json.Unmarshal(content, &parts) == nil {
			for _, p := range parts {
				if p.Type == "text" {
					fmt.Print(p.Text)
				}
			}
		}
	}
	if err := lines.Err(); err != nil {
		log.Fatal(err)
	}
	fmt.Println()
}
`)
	return b.String()
}

// exportJSON is the session as one JSON object.
func exportJSON(s *Session, runs []RecordedRun) (string, error) {
	type runJSON struct {
		Run      int             `json:"run"`
		Model    string          `json:"model"`
		Endpoint string          `json:"endpoint"`
		Request  json.RawMessage `json:"request"`
		Record   *RunRecord      `json:"record"`
		Events   int             `json:"events"`
	}
	out := struct {
		Header    Header    `json:"header"`
		Runs      []runJSON `json:"runs"`
		Truncated bool      `json:"truncated"`
	}{Header: s.Header, Runs: []runJSON{}, Truncated: s.Truncated}
	for _, r := range runs {
		body := r.Body
		if len(body) == 0 {
			body = json.RawMessage("null")
		}
		out.Runs = append(out.Runs, runJSON{Run: r.Run, Model: r.Model, Endpoint: r.Endpoint, Request: body, Record: r.Result, Events: len(r.Events)})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return "", fmt.Errorf("%s: %w", s.Path, err)
	}
	return buf.String(), nil
}
