package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Chunk types that Mistral sends and accepts inside a content array.
const (
	ChunkText        = "text"
	ChunkThinking    = "thinking"
	ChunkImageURL    = "image_url"
	ChunkDocumentURL = "document_url"
	ChunkReference   = "reference"
	ChunkFile        = "file"
	ChunkInputAudio  = "input_audio"
)

// Content is a message's content as it travels on the wire: either a plain
// string or an array of typed chunks. It remembers which of the two it was so
// that a message read from a response or a session file is sent back exactly
// as it came. The zero value is "no content" and is omitted when encoded.
type Content struct {
	chunks   []Chunk
	isString bool
	isNull   bool
}

// Text returns string content.
func Text(s string) Content {
	return Content{chunks: []Chunk{{Type: ChunkText, Text: s}}, isString: true}
}

// Chunks returns array content made of the given chunks.
func Chunks(chunks ...Chunk) Content {
	return Content{chunks: append([]Chunk(nil), chunks...)}
}

// Null returns content that is encoded as an explicit JSON null.
func Null() Content { return Content{isNull: true} }

// IsZero reports whether the content is absent; `omitzero` relies on it.
func (c Content) IsZero() bool { return c.chunks == nil && !c.isNull && !c.isString }

// IsString reports whether the content travels as a plain string.
func (c Content) IsString() bool { return c.isString }

// Parts returns the chunks; a string content yields one text chunk.
func (c Content) Parts() []Chunk { return c.chunks }

// String returns the answer text: every text chunk joined, thinking left out.
func (c Content) String() string {
	var b strings.Builder
	for _, ch := range c.chunks {
		if ch.Type == ChunkText {
			b.WriteString(ch.Text)
		}
	}
	return b.String()
}

// Thinking returns the text of every thinking chunk joined.
func (c Content) Thinking() string {
	var b strings.Builder
	for _, ch := range c.chunks {
		if ch.Type == ChunkThinking {
			b.WriteString(ch.ThinkingText())
		}
	}
	return b.String()
}

// Append adds text to the content, merging it into a trailing text chunk so a
// streamed answer stays one chunk. String content stays a string.
func (c *Content) Append(ch Chunk) {
	c.isNull = false
	n := len(c.chunks)
	if n > 0 && ch.Type == ChunkText && c.chunks[n-1].Type == ChunkText {
		c.chunks[n-1].Text += ch.Text
		return
	}
	if n > 0 && ch.Type == ChunkThinking && c.chunks[n-1].Type == ChunkThinking {
		last := &c.chunks[n-1]
		last.Thinking = mergeText(last.Thinking, ch.Thinking)
		if ch.Closed != nil {
			last.Closed = ch.Closed
		}
		if ch.Signature != "" {
			last.Signature = ch.Signature
		}
		return
	}
	// A content that starts as text stays a plain string until another chunk
	// type joins it, which is how the server itself would have sent it.
	c.isString = (n == 0 || c.isString) && ch.Type == ChunkText
	c.chunks = append(c.chunks, ch)
}

func mergeText(dst, src []Chunk) []Chunk {
	for _, s := range src {
		n := len(dst)
		if n > 0 && s.Type == ChunkText && dst[n-1].Type == ChunkText {
			dst[n-1].Text += s.Text
			continue
		}
		dst = append(dst, s)
	}
	return dst
}

// MarshalJSON encodes string content as a string and chunk content as an array.
func (c Content) MarshalJSON() ([]byte, error) {
	if c.isNull || (c.chunks == nil && !c.isString) {
		return []byte("null"), nil
	}
	if c.isString {
		return json.Marshal(c.String())
	}
	return json.Marshal(c.chunks)
}

// UnmarshalJSON accepts a string, null or an array of chunks.
func (c *Content) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case bytes.Equal(data, []byte("null")):
		*c = Null()
		return nil
	case len(data) > 0 && data[0] == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*c = Text(s)
		return nil
	case len(data) > 0 && data[0] == '[':
		var chunks []Chunk
		if err := json.Unmarshal(data, &chunks); err != nil {
			return err
		}
		if chunks == nil {
			chunks = []Chunk{}
		}
		*c = Content{chunks: chunks}
		return nil
	case len(data) > 0 && data[0] == '{':
		// The conversations API streams a single chunk object as content.
		var ch Chunk
		if err := json.Unmarshal(data, &ch); err != nil {
			return err
		}
		*c = Content{chunks: []Chunk{ch}}
		return nil
	}
	return fmt.Errorf("content: want a string, null or an array, got %.20s", data)
}

// Chunk is one typed piece of content. Only the fields of its Type are
// encoded; a chunk of a type this package does not know keeps its raw JSON and
// is sent back unchanged.
type Chunk struct {
	Type string

	Text string // text

	ImageURL ImageURL // image_url

	DocumentURL  string // document_url
	DocumentName string

	Thinking  []Chunk // thinking: text (and reference) chunks
	Signature string
	Closed    *bool

	ReferenceIDs []json.RawMessage // reference: ints or strings
	FileID       string            // file
	InputAudio   string            // input_audio

	raw json.RawMessage // the original JSON of an unknown chunk type
}

// TextChunk returns a text chunk.
func TextChunk(s string) Chunk { return Chunk{Type: ChunkText, Text: s} }

// ThinkingChunk returns a thinking chunk holding one text chunk.
func ThinkingChunk(s string) Chunk {
	return Chunk{Type: ChunkThinking, Thinking: []Chunk{TextChunk(s)}}
}

// ThinkingText joins the text inside a thinking chunk.
func (ch Chunk) ThinkingText() string {
	var b strings.Builder
	for _, t := range ch.Thinking {
		if t.Type == ChunkText {
			b.WriteString(t.Text)
		}
	}
	return b.String()
}

// ImageURL is an image reference: on the wire either a plain URL string or an
// object with a detail level.
type ImageURL struct {
	URL    string
	Detail string
	object bool
}

// MarshalJSON keeps the form the image URL arrived in.
func (u ImageURL) MarshalJSON() ([]byte, error) {
	if !u.object && u.Detail == "" {
		return json.Marshal(u.URL)
	}
	type obj struct {
		URL    string `json:"url"`
		Detail string `json:"detail,omitempty"`
	}
	return json.Marshal(obj{URL: u.URL, Detail: u.Detail})
}

// UnmarshalJSON accepts a string or {"url", "detail"}.
func (u *ImageURL) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '"' {
		return json.Unmarshal(data, &u.URL)
	}
	var o struct {
		URL    string `json:"url"`
		Detail string `json:"detail"`
	}
	if err := json.Unmarshal(data, &o); err != nil {
		return err
	}
	*u = ImageURL{URL: o.URL, Detail: o.Detail, object: true}
	return nil
}

// wireChunk is the union of every chunk field, used for decoding.
type wireChunk struct {
	Type         string            `json:"type"`
	Text         *string           `json:"text,omitempty"`
	ImageURL     *ImageURL         `json:"image_url,omitempty"`
	DocumentURL  string            `json:"document_url,omitempty"`
	DocumentName string            `json:"document_name,omitempty"`
	Thinking     []Chunk           `json:"thinking,omitempty"`
	Signature    string            `json:"signature,omitempty"`
	Closed       *bool             `json:"closed,omitempty"`
	ReferenceIDs []json.RawMessage `json:"reference_ids,omitempty"`
	FileID       string            `json:"file_id,omitempty"`
	InputAudio   string            `json:"input_audio,omitempty"`
}

// MarshalJSON encodes only the fields that belong to the chunk's type.
func (ch Chunk) MarshalJSON() ([]byte, error) {
	switch ch.Type {
	case ChunkText:
		return json.Marshal(struct {
			Type string `json:"type"`
			Text string `json:"text"`
		}{ch.Type, ch.Text})
	case ChunkThinking:
		th := ch.Thinking
		if th == nil {
			th = []Chunk{}
		}
		return json.Marshal(struct {
			Type      string  `json:"type"`
			Thinking  []Chunk `json:"thinking"`
			Signature string  `json:"signature,omitempty"`
			Closed    *bool   `json:"closed,omitempty"`
		}{ch.Type, th, ch.Signature, ch.Closed})
	case ChunkImageURL:
		return json.Marshal(struct {
			Type     string   `json:"type"`
			ImageURL ImageURL `json:"image_url"`
		}{ch.Type, ch.ImageURL})
	case ChunkDocumentURL:
		return json.Marshal(struct {
			Type         string `json:"type"`
			DocumentURL  string `json:"document_url"`
			DocumentName string `json:"document_name,omitempty"`
		}{ch.Type, ch.DocumentURL, ch.DocumentName})
	case ChunkReference:
		ids := ch.ReferenceIDs
		if ids == nil {
			ids = []json.RawMessage{}
		}
		return json.Marshal(struct {
			Type         string            `json:"type"`
			ReferenceIDs []json.RawMessage `json:"reference_ids"`
		}{ch.Type, ids})
	case ChunkFile:
		return json.Marshal(struct {
			Type   string `json:"type"`
			FileID string `json:"file_id"`
		}{ch.Type, ch.FileID})
	case ChunkInputAudio:
		return json.Marshal(struct {
			Type       string `json:"type"`
			InputAudio string `json:"input_audio"`
		}{ch.Type, ch.InputAudio})
	}
	if ch.raw != nil {
		return ch.raw, nil
	}
	return nil, fmt.Errorf("content chunk: unknown type %q", ch.Type)
}

// UnmarshalJSON decodes any chunk; unknown types keep their raw JSON.
func (ch *Chunk) UnmarshalJSON(data []byte) error {
	var w wireChunk
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*ch = Chunk{
		Type: w.Type, DocumentURL: w.DocumentURL, DocumentName: w.DocumentName,
		Thinking: w.Thinking, Signature: w.Signature, Closed: w.Closed,
		ReferenceIDs: w.ReferenceIDs, FileID: w.FileID, InputAudio: w.InputAudio,
	}
	if w.Text != nil {
		ch.Text = *w.Text
	}
	if w.ImageURL != nil {
		ch.ImageURL = *w.ImageURL
	}
	switch w.Type {
	case ChunkText, ChunkThinking, ChunkImageURL, ChunkDocumentURL, ChunkReference, ChunkFile, ChunkInputAudio:
	default:
		ch.raw = append(json.RawMessage(nil), data...)
	}
	return nil
}
