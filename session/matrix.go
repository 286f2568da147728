package session

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"mstudio/api"
)

// ReadRows reads the variables of a matrix run: a CSV file (.csv; the
// header row names the variables, RFC 4180) or a JSON Lines file (.jsonl,
// .ndjson; one object per line, strings kept as they are, other values as
// compact JSON). Errors name the file and line.
func ReadRows(path string) ([]map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rows []map[string]string
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		rows, err = readCSVRows(path, b)
	case ".jsonl", ".ndjson":
		rows, err = readJSONLRows(path, b)
	default:
		return nil, fmt.Errorf("%s: unknown rows format: use .csv, .jsonl or .ndjson", path)
	}
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s:1: no rows", path)
	}
	return rows, nil
}

func readCSVRows(path string, b []byte) ([]map[string]string, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // a BOM from spreadsheets
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1 // checked here, to say which line
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s:1: no header row", path)
	}
	if err != nil {
		return nil, csvError(path, err)
	}
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if h == "" {
			return nil, fmt.Errorf("%s:1: column %d has an empty name", path, i+1)
		}
		if seen[h] {
			return nil, fmt.Errorf("%s:1: column %q appears twice", path, h)
		}
		seen[h] = true
		header[i] = h
	}
	var rows []map[string]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(path, err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) != len(header) {
			return nil, fmt.Errorf("%s:%d: %d columns, the header has %d", path, line, len(rec), len(header))
		}
		row := make(map[string]string, len(header))
		for i, h := range header {
			row[h] = rec[i]
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func csvError(path string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d: %v", path, pe.Line, pe.Err)
	}
	return fmt.Errorf("%s: %v", path, err)
}

func readJSONLRows(path string, b []byte) ([]map[string]string, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), len(b)+1)
	var rows []map[string]string
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if line == 1 {
			text = bytes.TrimPrefix(text, []byte("\xef\xbb\xbf"))
		}
		if len(text) == 0 {
			continue
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(text, &obj); err != nil || obj == nil {
			if err == nil {
				err = errors.New("not a JSON object")
			}
			return nil, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		row := make(map[string]string, len(obj))
		for k, v := range obj {
			if k == "" {
				return nil, fmt.Errorf("%s:%d: an empty variable name", path, line)
			}
			var s string
			if len(v) > 0 && v[0] == '"' && json.Unmarshal(v, &s) == nil {
				row[k] = s
				continue
			}
			var buf bytes.Buffer
			if err := json.Compact(&buf, v); err != nil {
				return nil, fmt.Errorf("%s:%d: %v", path, line, err)
			}
			row[k] = buf.String()
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return rows, nil
}

// RunMatrix runs every request (one per row) on every target at once, at
// most parallel cells at a time across the whole matrix (parallel < 1 means
// all at once), and returns the results as [row][target]. One cell's
// failure never stops the others. onCell, when not nil, sees each cell as
// it finishes, on the calling goroutine. With a Recorder the matrix is one
// group and every cell is its own run, numbered row by row in target
// order. It is a thin user of session.Run.
func (e *Engine) RunMatrix(ctx context.Context, targets []Target, reqs []api.ChatRequest, parallel int, onCell func(row, col int, r Result)) [][]Result {
	return e.RunMatrixRows(ctx, targets, reqs, nil, parallel, onCell)
}

// RunMatrixRows is RunMatrix that records each row's variables with the
// group, so that a reopened matrix shows them.
func (e *Engine) RunMatrixRows(ctx context.Context, targets []Target, reqs []api.ChatRequest, rows []map[string]string, parallel int, onCell func(row, col int, r Result)) [][]Result {
	results := make([][]Result, len(reqs))
	for i := range results {
		results[i] = make([]Result, len(targets))
	}
	if len(reqs)*len(targets) == 0 {
		return results
	}
	for ev := range Run(ctx, e, MatrixSpec(targets, reqs, rows, parallel)) {
		if ev.Finish != nil {
			results[ev.Lane.Row][ev.Lane.Column] = ev.Finish.Result
			if onCell != nil {
				onCell(ev.Lane.Row, ev.Lane.Column, ev.Finish.Result)
			}
		}
	}
	return results
}

// MatrixSpec is the Spec of a matrix: one lane per cell, row by row in
// target order; rows (may be nil) are each row's variables. Its lanes send
// no text deltas: a matrix shows each cell when it ends.
func MatrixSpec(targets []Target, reqs []api.ChatRequest, rows []map[string]string, parallel int) Spec {
	spec := Spec{Kind: KindMatrix, Parallel: parallel, NoDeltas: true}
	for r, req := range reqs {
		for c, t := range targets {
			l := LaneSpec{Lane: Lane{Column: c, Row: r}, Target: t, Request: req}
			if r < len(rows) {
				l.Vars = rows[r]
			}
			spec.Lanes = append(spec.Lanes, l)
		}
	}
	return spec
}
