package sim

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"mstudio/api"
)

func getJSON(t *testing.T, url string, v any) *http.Response {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if v != nil {
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
	}
	return resp
}

func TestModelsList(t *testing.T) {
	ts, _ := startServer(t, Options{})
	var list struct {
		Object string                       `json:"object"`
		Data   []map[string]json.RawMessage `json:"data"`
	}
	resp := getJSON(t, ts.URL+"/v1/models", &list)
	if resp.StatusCode != 200 || list.Object != "list" || len(list.Data) < 40 {
		t.Fatalf("status %d object %q, %d cards", resp.StatusCode, list.Object, len(list.Data))
	}
	if resp.Header.Get("mistral-correlation-id") == "" || resp.Header.Get("x-ratelimit-limit-req-minute") == "" {
		t.Errorf("missing headers: %v", resp.Header)
	}
	var typed api.ModelList
	getJSON(t, ts.URL+"/v1/models", &typed)
	cards := map[string]api.ModelCard{}
	for i, c := range typed.Data {
		cards[c.ID] = c
		raw := list.Data[i]
		// Every card carries every key the live endpoint sends, nulls
		// included, and all fourteen capabilities.
		for _, k := range []string{"id", "object", "created", "owned_by", "capabilities", "name", "description",
			"max_context_length", "aliases", "deprecation", "deprecation_replacement_model", "default_model_temperature", "type"} {
			if _, ok := raw[k]; !ok {
				t.Errorf("%s: no %q", c.ID, k)
			}
		}
		var caps map[string]bool
		_ = json.Unmarshal(raw["capabilities"], &caps)
		if len(caps) != 14 {
			t.Errorf("%s: %d capabilities", c.ID, len(caps))
		}
	}

	small, alias := cards["mistral-small-2603"], cards["mistral-small-latest"]
	if small.ID == "" || alias.ID == "" {
		t.Fatal("mistral-small-2603 or its alias missing")
	}
	if len(small.Aliases) != 1 || small.Aliases[0] != "mistral-small-latest" || alias.Name != "mistral-small-2603" {
		t.Errorf("aliases: canonical %v, alias card name %q", small.Aliases, alias.Name)
	}
	if !small.Capabilities.CompletionChat || !small.Capabilities.FunctionCalling || !small.Capabilities.Vision || small.MaxContextLength != 262144 {
		t.Errorf("mistral-small-2603 card: %+v", small)
	}
	if !cards["codestral-latest"].Capabilities.CompletionFIM || !cards["magistral-medium-latest"].Capabilities.Reasoning ||
		!cards["mistral-ocr-latest"].Capabilities.OCR || cards["mistral-embed"].Capabilities.CompletionChat {
		t.Error("capabilities not mapped from the catalogue")
	}
	if cards["codestral-embed"].DefaultModelTemperature != nil || cards["mistral-large-latest"].DefaultModelTemperature == nil {
		t.Error("default_model_temperature: want null for embeddings, a number for chat models")
	}

	dep := cards["magistral-medium-2509"]
	if !dep.Deprecated() || dep.DeprecationReplacementModel != "mistral-medium-3-5" {
		t.Errorf("deprecated card: %+v", dep)
	}
	if _, err := time.Parse(time.RFC3339, dep.Deprecation); err != nil {
		t.Errorf("deprecation %q: %v", dep.Deprecation, err)
	}
	if cards["mistral-large-2512"].Deprecated() {
		t.Error("a current model is marked deprecated")
	}
	if _, retired := cards["open-mistral-7b"]; retired {
		t.Error("retired model listed")
	}

	var ft api.ModelCard
	var ftRaw map[string]json.RawMessage
	for i, c := range typed.Data {
		if c.Type == "fine-tuned" {
			ft, ftRaw = c, list.Data[i]
		}
	}
	if !ft.FineTuned() || ft.Job == "" || ft.Root != "ministral-8b-2512" || string(ftRaw["archived"]) != "false" {
		t.Errorf("fine-tuned card: %+v archived=%s", ft, ftRaw["archived"])
	}

	// The studio folds the list; every alias lands in one entry.
	folded := api.FoldAliases(typed.Data)
	e, ok := api.Find(folded, "mistral-medium-latest")
	if !ok || e.ID != "mistral-medium-3-5" || len(folded) >= len(typed.Data) {
		t.Errorf("fold: %+v ok=%v, %d entries of %d cards", e, ok, len(folded), len(typed.Data))
	}
	if got := len(Models()); got != len(typed.Data) {
		t.Errorf("Models() = %d cards, endpoint %d", got, len(typed.Data))
	}
}

func TestModelByID(t *testing.T) {
	ts, _ := startServer(t, Options{})
	var card api.ModelCard
	if resp := getJSON(t, ts.URL+"/v1/models/codestral-latest", &card); resp.StatusCode != 200 || card.ID != "codestral-latest" {
		t.Fatalf("status %d card %+v", resp.StatusCode, card)
	}
	resp, err := http.Get(ts.URL + "/v1/models/gpt-4o")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := `{"object":"error","message":"Invalid model: gpt-4o","type":"invalid_model","param":null,"code":"1500"}`
	if resp.StatusCode != 404 || string(data) != want {
		t.Errorf("got %d %s", resp.StatusCode, data)
	}
}
