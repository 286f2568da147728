package cli

// The help texts are written by hand rather than generated from the flag
// sets, so that each flag is explained in words and grouped with its kin.

const mainHelp = `mstudio: a terminal studio for the Mistral API

Usage:
  mstudio [flags]                    open the studio on the newest prompt in ./prompts
  mstudio open FILE [flags]          open the studio on one prompt file
  mstudio run FILE|-p TEXT [flags]   run a prompt headless, on one model or several
  mstudio models [--json]            list the endpoint's models with capabilities, context, price
  mstudio sim [--addr HOST:PORT]     serve the built-in simulator
  mstudio versions NAME [--json]     list a prompt's saved versions
  mstudio diff NAME A B              show what changed between two versions
  mstudio replay SESSION [flags]     replay a saved session, offline or --live
  mstudio export SESSION --format F  write a session as curl, python, typescript,
                                     go, markdown or json
  mstudio help [COMMAND]             show help for a command
  mstudio --version                  print the version

Every command takes --help. Flags may come before or after file arguments.

The API key comes from MISTRAL_API_KEY (or the variable an endpoint names
with key_env in the config file). With no key and no endpoint, run and models
use the built-in simulator and say so: the output is offline and simulated.

Exit status: 0 ok, 1 a run failed, 2 bad usage or input.
`

const commonFlagsHelp = `
Endpoint flags:
  --endpoint NAME|URL  global (https://api.mistral.ai), eu (api.eu.mistral.ai),
                       us (api.us.mistral.ai), ollama, vllm, llamacpp, sim (the
                       built-in simulator), a name from the config file, or a
                       base URL such as http://127.0.0.1:8089
  --config PATH        config file (default $XDG_CONFIG_HOME/mstudio/config.yaml)
  --retries N          retries of 429 and 5xx answers before the first byte
                       (default 3; 0 = none)
  --dir DIR            prompts folder (default ./prompts)
`

const runHelp = `Usage: mstudio run FILE|-p TEXT [flags]

Runs a prompt and prints the answer. FILE is a .prompt file (Dotprompt), or
a prompt name in the prompts folder; "-" reads a .prompt file from stdin.
-p TEXT is an inline template, one user message ({{variables}} allowed);
-p - reads it from stdin.

Without --json, the answer streams to stdout as it arrives, thinking goes to
stderr, and a summary line follows on stderr:
  model · endpoint · ttft ms · tok/s · tokens in / out · cost
With several models, each answer is printed when all are done, under a
header line with its model and figures; on a terminal, as a side-by-side
table instead: one column per model, its figures, then its answer.

Flags:
  -p, --prompt TEXT    inline prompt template ("-" = stdin)
  -m, --model ID       model to run on; repeat (or use commas) to run on
                       several models at once. Default: the prompt's model,
                       else the config file's, else mistral-small-latest
  --var NAME=VALUE     fill a template variable; VALUE @FILE reads a file
                       (@@ for a literal @); repeatable
  --set PARAM=VALUE    set a request parameter, e.g. temperature=0.2,
                       max_tokens=200, reasoning_effort=high; repeatable
  --json               print one JSON record (an array for several models)
                       and nothing else on stdout
  --parallel N         runs at once with several models (default: the config
                       file's parallel, else 4)
  --vars-file FILE     a matrix run: the prompt's variables from a CSV file
                       (header row = names) or JSON Lines (.jsonl, .ndjson;
                       one object a line); every row on every -m model, at
                       most --parallel at once. Row values override --var.
                       Prints a table (row, model, state, latency, tokens,
                       cost, answer), or with --json an array with one record
                       per cell plus "row" (from 0) and "vars"
  --save               record the run(s) in a session file (the exact request,
                       every event with its time, the results; never the key),
                       sessions/YYYY-MM-DD/HHMMSS-PROMPT.jsonl; its path is
                       printed on stderr. See mstudio replay and mstudio export
  --sessions DIR       where --save writes (default ./sessions; implies --save)
  --max-turns N        model calls allowed in the agent loop (default: the
                       prompt's maxTurns, else 5; 1 = no loop). When the
                       prompt offers tools, each tool call is answered as
                       mstudio.tools says (mock or command), shown on stderr
                       as "→ name(args) = result", and the conversation goes
                       on until an answer without tool calls. A tool with no
                       mock or command (answered by hand in the studio) fails
                       the run
  --agent ID           talk to a Mistral agent (agent:ID or ID) through the
                       Conversations API instead of chat completions: the
                       prompt's messages are the inputs, its mstudio.tools
                       answer the agent's function calls (as the loop does,
                       up to --max-turns); --json adds conversation_id,
                       turns and tool_results. No -m, no --vars-file
  --trust              trust this prompt file (as it is now: its sha256) to
                       run its command tools; recorded in
                       $XDG_STATE_HOME/mstudio/trust.json. An edited file is
                       untrusted again
` + commonFlagsHelp + `
JSON record fields: model, endpoint, content, reasoning, tool_calls (id, name,
arguments as a JSON string), finish_reason, usage (prompt_tokens,
completion_tokens, total_tokens), ttft_ms, latency_ms, cost_usd, error. A run through the agent loop adds turns (the
number of model calls) and tool_results, every call of the conversation:
id, name, arguments, result, error, state (answered, failed, or pending when
--max-turns stopped the loop first), turn, schema_errors; its tool_calls
are the last answer's, its usage and cost_usd those of all model calls.

Ctrl+C stops the run and keeps the partial answer (exit status 1).
Exit status: 0 ok, 1 a run failed, 2 bad usage or input.

Examples:
  mstudio run -p "Name one sight in {{city}}" --var city=Lyon
  mstudio run prompts/hello.prompt -m mistral-small-latest -m mistral-large-latest
  mstudio run -p "Say hi" --set temperature=0.2 --json
`

const modelsHelp = `Usage: mstudio models [--json] [flags]

Lists the endpoint's models, with the ids that are aliases of one model
folded into one row: capabilities, context length, price in/out in USD per
1M tokens (from mstudio's price table and the config file's prices; regional
endpoints bill 1.1x), deprecation date and fine-tuned marker.

Flags:
  --json               print a JSON array of {id, aliases, name, capabilities,
                       max_context_length, deprecation, type, price_input,
                       price_output}; unknown prices are null
` + commonFlagsHelp

const simHelp = `Usage: mstudio sim [flags]

Serves the built-in simulator: an offline stand-in for the Mistral API that
speaks its wire format (models, streamed chat, tool calls, errors, rate
limits). Prints one line once it listens,
  mstudio sim listening on http://HOST:PORT
then serves until interrupted (SIGINT or SIGTERM).

Flags:
  --addr HOST:PORT     where to listen (default 127.0.0.1:8089; :0 picks a port)
  --rate N             tokens per second of streamed answers (default 0: as
                       fast as the client reads)
  --fault SPEC         inject a fault; repeatable. SPEC is key=value pairs:
                       status=429,retry-after=2   quota=0   status=500,times=always
                       cut=20 (end the stream after 20 tokens)   stall=5s,at=10
                       malformed=3   first-byte=2s   model=ID   body=TEXT
  --key KEY            require this API key (default: accept any)
  --seed N             make answers and ids repeatable (default 0: they vary)
`

const versionsHelp = `Usage: mstudio versions NAME [--json] [--dir DIR]

Lists the saved versions of the prompt NAME (prompts/NAME.prompt; a path
such as prompts/hello.prompt works too), oldest first: the version number,
when it was saved (local time), its model, the start of its SHA-256, and
the note given when it was saved. The newest is marked with a *.

Every save in the studio writes a new version and never changes an old one:
  prompts/NAME.prompt                  the newest version, a plain Dotprompt file
  prompts/.versions/NAME/0001.prompt   version 1, 0002.prompt version 2, …
  prompts/.versions/NAME/index.jsonl   one line per version: time, hash, model, note
When prompts/NAME.prompt was changed outside mstudio (or never saved by it),
it is listed as the next version, "(unsaved)"; the next save records it.

Flags:
  --json               print a JSON array of {version, saved, sha256, model,
                       note, path} (and "unsaved": true on such a file)
  --dir DIR            prompts folder (default ./prompts)

Exit status: 0 ok, 1 the files could not be read, 2 an unknown prompt (the
prompts that exist are listed) or a damaged index (file:line: problem).
`

const diffHelp = `Usage: mstudio diff NAME A B [--color auto|always|never] [--dir DIR]

Shows a unified diff from version A to version B of the prompt NAME. A and
B are version numbers (3 or v3), or latest (or 0) for the newest. The diff
goes to stdout; when the versions are identical, stdout stays empty and a
note says so on stderr. Either way the exit status is 0.

Flags:
  --color WHEN         colour added and removed lines: auto (default: when
                       stdout is a terminal and NO_COLOR is unset), always
                       (for a pager: less -R), or never
  --dir DIR            prompts folder (default ./prompts)

Exit status: 0 ok (different or not), 1 the files could not be read, 2 an
unknown prompt or version (those that exist are listed).

Examples:
  mstudio diff hello 1 2
  mstudio diff hello v1 latest --color always | less -R
`

const replayHelp = `Usage: mstudio replay SESSION [--speed X | --live [-m MODEL]] [--run N] [--json]

Replays a session file written by mstudio run --save or the studio.

Offline (the default), the recorded events go through the same decoder as a
live answer, with their original timing and no network: the answer streams
to stdout and the summary line follows on stderr, as with mstudio run. Each
run is replayed as it ran: a tool conversation as one answer with its tool
results (on stderr as "→ name(args) = result", in --json as tool_results),
an agent's answer from its record. A session of several runs (a compare, a
matrix, runs one after the other) prints each answer under a header line.

With --live, the recorded requests are sent again, byte for byte the same
body, to the recorded endpoint (or --endpoint) and on the recorded model
(or -m MODEL); the figures of both go to stderr and a unified diff from the
recorded answer to the live one to stdout (coloured on a terminal). Same
answers print no diff.

Flags:
  --speed X            replay X times as fast: 1 the original timing (the
                       default), 2 twice as fast, 0 at once
  --live               send the recorded requests again and diff the answers
  -m, --model ID       with --live: the model to send them to
  --run N              only run N of the session (default: every run)
  --json               offline: the run records, as mstudio run --json prints
                       them (timings scaled by --speed); with --live:
                       {run, recorded, live, diff} (an array for several runs)
` + commonFlagsHelp + `
A session file cut off by a crash replays up to its last whole line. Exit
status: 0 ok, 1 a (recorded or live) run failed, 2 bad usage or a bad session
file (file:line: problem).

Examples:
  mstudio replay sessions/2026-03-14/092653-hello.jsonl
  mstudio replay sessions/2026-03-14/092653-hello.jsonl --speed 0 --json
  mstudio replay sessions/2026-03-14/092653-hello.jsonl --live -m mistral-large-latest
`

const exportHelp = `Usage: mstudio export SESSION --format FORMAT [--run N] [-o FILE]

Writes a recorded session as code that sends the same request, or as a
document. Code reads the key from $MISTRAL_API_KEY; no export holds a key.

Formats:
  curl         a curl command with the exact body sent (in a quoted heredoc;
               -N for streamed requests): mstudio export S --format curl | bash
  python       the official mistralai package (chat.complete or chat.stream)
  typescript   @mistralai/mistralai (camelCase fields, as the SDK wants)
  go           a whole Go program using net/http, the body as sent
  markdown     a transcript: the conversation, each run's answer, reasoning,
               tool calls, tokens, cost and timings
  json         {header, runs: [{run, model, endpoint, request, record, events}]}

Flags:
  --format F           one of the formats above (ts, py and md work too)
  --run N              the run to export; default: the first run for code, every
                       run for markdown and json
  -o, --output FILE    write to FILE (atomically) instead of stdout

Exit status: 0 ok, 1 the file could not be written, 2 bad usage or a bad
session file (file:line: problem).
`

// commandHelp is each command's help, for `mstudio help COMMAND`.
var commandHelp = map[string]string{
	"run":      runHelp,
	"models":   modelsHelp,
	"sim":      simHelp,
	"help":     mainHelp,
	"open":     openHelp,
	"versions": versionsHelp,
	"diff":     diffHelp,
	"replay":   replayHelp,
	"export":   exportHelp,
}
