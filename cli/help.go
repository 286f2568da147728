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
header line with its model and figures.

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
` + commonFlagsHelp + `
JSON record fields: model, endpoint, content, reasoning, tool_calls (id, name,
arguments as a JSON string), finish_reason, usage (prompt_tokens,
completion_tokens, total_tokens), ttft_ms, latency_ms, cost_usd, error.

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

// commandHelp is each command's help, for `mstudio help COMMAND`.
var commandHelp = map[string]string{
	"run":    runHelp,
	"models": modelsHelp,
	"sim":    simHelp,
	"help":   mainHelp,
	"open":   openHelp,
}
