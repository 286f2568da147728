// Package prompts loads `.prompt` files, renders them to Mistral chat
// requests, and keeps every saved version of them (Store).
//
// A prompt file is a Dotprompt document: YAML front matter (model, config,
// input defaults and schema, output schema, tool definitions, mstudio.*
// extension fields) followed by a Handlebars template whose
// {{role "system"}}, {{role "user"}} and {{role "model"}} blocks become the
// conversation's messages. Parsing and rendering go through
// github.com/google/dotprompt/go so that a file edited in the studio behaves
// the same in Genkit and any other Dotprompt tool.
//
// The Dotprompt library is lenient where a studio must not be: it ignores
// malformed front matter, unknown keys and values of the wrong type, and it
// reports no line numbers. This package therefore reads the front matter a
// second time with github.com/goccy/go-yaml's parser, checks every key and
// value against the Mistral parameter table of package api, and names the
// file and line of each problem ("hello.prompt:4: config.temperature: 3 is
// out of range (0 … 1.5)") before anything is sent.
//
// # Versions
//
// A Store keeps every save of a prompt as an immutable version, in files
// that git diffs and merges well:
//
//	prompts/NAME.prompt                  the newest version, a plain Dotprompt file
//	prompts/.versions/NAME/0001.prompt   version 1, never rewritten
//	prompts/.versions/NAME/0002.prompt   version 2, …
//	prompts/.versions/NAME/index.jsonl   one line per version, appended:
//	    {"version":2,"saved":"2025-06-01T09:30:00Z","sha256":"…","model":"…","note":"…"}
//
// NAME.prompt stays where Genkit and every Dotprompt tool look, and is
// byte-identical to the newest version file (the save writes
// `version: "N"`, a string as Dotprompt wants, into its front matter).
// Version files are created with O_EXCL and never opened for writing again;
// the index is only appended to, with a fixed key order; times live in the
// index, never in prompt text, so saving the same prompt twice changes
// nothing and two clones produce the same files. The hidden .versions
// folder keeps tools that glob prompts/*.prompt from seeing old versions.
//
// Reading is forgiving where a crash or a hand edit may leave the folder:
// a cut-off last index line is ignored (and cut away by the next save), a
// version file missing from the index is listed from the file, and a
// NAME.prompt that differs from the newest version is listed as the next,
// unsaved version and recorded as such by the next save.
//
// A Prompt is immutable once parsed and safe for concurrent Render calls, so
// compare mode can render the same prompt for several models at once.
package prompts
