// Package prompts loads `.prompt` files and renders them to Mistral chat
// requests.
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
// A Prompt is immutable once parsed and safe for concurrent Render calls, so
// compare mode can render the same prompt for several models at once.
package prompts
