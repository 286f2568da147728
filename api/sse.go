package api

import (
	"bufio"
	"bytes"
	"io"
	"strings"
)

// Event is one server-sent event. Chat completion streams carry only data
// lines; conversation streams carry an event name too.
type Event struct {
	Type string // the "event:" field, empty when absent
	Data string // the "data:" lines joined with newlines
	ID   string
	// Truncated marks an event whose last line was cut off by the end of
	// the body.
	Truncated bool
}

// SSEDecoder reads server-sent events as the WHATWG spec defines them: lines
// end in \n, \r\n or \r; a blank line dispatches; lines starting with ':' are
// comments; "data:" lines accumulate. Lines may be of any length (a chunk with
// a whole tool call can be long).
type SSEDecoder struct {
	r       *bufio.Reader
	pending bool // the previous line ended in \r: a following \n belongs to it
}

// NewSSEDecoder reads events from r.
func NewSSEDecoder(r io.Reader) *SSEDecoder {
	return &SSEDecoder{r: bufio.NewReaderSize(r, 16<<10)}
}

// Next returns the next event, or io.EOF when the body ends between events.
// An event whose data lines are whole but that lacks the closing blank line
// is still dispatched (servers often end on "data: [DONE]\n"). A last line
// with no terminator at all is dispatched with Truncated set: the connection
// was cut in the middle of it.
func (d *SSEDecoder) Next() (Event, error) {
	var (
		ev      Event
		data    strings.Builder
		hasData bool
	)
	for {
		line, err := d.readLine()
		if err != nil {
			if line != nil {
				d.field(line, &ev, &data, &hasData)
				ev.Truncated = true
			}
			if hasData {
				ev.Data = data.String()
				return ev, nil
			}
			return Event{}, err
		}
		if len(line) == 0 {
			if hasData {
				ev.Data = data.String()
				return ev, nil
			}
			ev = Event{} // an event with no data is ignored
			continue
		}
		d.field(line, &ev, &data, &hasData)
	}
}

func (d *SSEDecoder) field(line []byte, ev *Event, data *strings.Builder, hasData *bool) {
	if line[0] == ':' {
		return
	}
	name, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		name, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	switch string(name) {
	case "data":
		if *hasData {
			data.WriteByte('\n')
		}
		data.Write(value)
		*hasData = true
	case "event":
		ev.Type = string(value)
	case "id":
		ev.ID = string(value)
	}
}

// readLine returns one line without its terminator. At EOF it returns the
// unterminated rest (or nil) with io.EOF.
func (d *SSEDecoder) readLine() ([]byte, error) {
	var buf []byte
	for {
		b, err := d.r.ReadByte()
		if err != nil {
			if len(buf) > 0 {
				return buf, io.EOF
			}
			return nil, err
		}
		if d.pending {
			d.pending = false
			if b == '\n' {
				continue
			}
		}
		switch b {
		case '\n':
			if buf == nil {
				buf = []byte{}
			}
			return buf, nil
		case '\r':
			d.pending = true
			if buf == nil {
				buf = []byte{}
			}
			return buf, nil
		}
		buf = append(buf, b)
	}
}
