// Package config reads mstudio's user configuration file and knows where the
// studio keeps its per-user state.
//
// The file lives at $XDG_CONFIG_HOME/mstudio/config.yaml (by default
// ~/.config/mstudio/config.yaml). It is optional: a missing file is the
// default configuration. Every key is optional too:
//
//	endpoint: global            # default endpoint: a preset name (global, eu, us, ollama, vllm, llamacpp), a name below, or a URL
//	model: mistral-small-latest # default model
//	theme: dark                 # dark, light, high-contrast, auto, or a theme file name in the config folder
//	endpoints:
//	  work-eu:
//	    url: https://api.eu.mistral.ai
//	    key_env: MISTRAL_WORK_KEY    # the NAME of the environment variable holding the key; keys are never written in this file
//	    dialect: mistral             # mistral (default) or openai (vLLM, Ollama, llama.cpp)
//	    regional: true               # bill at 1.1x (default: true for api.eu/api.us hosts)
//	  local:
//	    url: http://127.0.0.1:8000
//	    dialect: openai
//	prices:                          # USD per 1M tokens, override or add models
//	  my-finetune:
//	    input: 0.2
//	    output: 0.6
//	    cached_input: 0.02           # default: 10% of input
//	parallel: 4                      # how many runs at once in compare/matrix runs (1 to 32)
//
// The same example, loaded by the tests, is example.yaml in this folder.
//
// The file is read strictly, because a misspelt key silently ignored is a
// setting the user believes in but does not have: unknown keys, values of the
// wrong kind, and invalid values are all errors that name the file, the line
// and the key, such as
//
//	~/.config/mstudio/config.yaml:7: endpoints.local.dialect: "grpc" is not one of mistral, openai
//
// API keys are never read from this file (it tends to end up in dotfile
// repositories); an endpoint names the environment variable that holds its
// key with key_env, and a key written in the file is refused.
//
// The state folder, $XDG_STATE_HOME/mstudio (by default
// ~/.local/state/mstudio), holds what the studio writes for itself: editor
// drafts and the list of trusted prompt files.
package config
