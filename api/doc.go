// Package api is mstudio's client for the Mistral API and for self-hosted
// servers of Mistral's open models that speak the OpenAI dialect (vLLM,
// Ollama, llama.cpp server).
//
// It is written to the wire as the real servers behave, not only as the
// OpenAPI spec describes them: content is a string or an array of chunks,
// thinking arrives as its own chunk type, tool calls stream whole or in
// fragments, unknown fields (such as the "p" padding) appear without notice,
// and error bodies come in several shapes. Every exported type decodes
// leniently and encodes only the fields that were set, because the real
// server answers 422 to any field its schema does not know.
//
// The package depends on the standard library only, so the simulator, the
// session engine and the headless commands can all use it without pulling in
// any terminal code.
package api
