package cli

import (
	"fmt"
	"slices"

	"mstudio/api"
	"mstudio/prompts"
	"mstudio/session"
	"mstudio/untrusted"
)

// matrixRecord is one cell of `mstudio run --vars-file --json`: the usual
// run record, the row's number (from 1, as the studio and the table
// show it: row 1 is the CSV's first data line) and its variables.
type matrixRecord struct {
	session.RunRecord
	Row  int               `json:"row"`
	Vars map[string]string `json:"vars"`
}

// readMatrix reads --vars-file and renders the prompt once per row: the
// row's values override --var and the prompt's defaults; --set applies to
// every row.
func readMatrix(p *prompts.Prompt, o runOptions) ([]map[string]string, []api.ChatRequest, error) {
	rows, err := session.ReadRows(o.varsFile)
	if err != nil {
		return nil, nil, usagef("--vars-file: %v", err)
	}
	base, err := readVars(o.vars)
	if err != nil {
		return nil, nil, err
	}
	reqs := make([]api.ChatRequest, len(rows))
	for i, row := range rows {
		vars := make(map[string]any, len(base)+len(row))
		for k, v := range base {
			vars[k] = v
		}
		for k, v := range row {
			vars[k] = v
		}
		req, err := buildWith(p, vars, o.sets, func(err error) error {
			return usagef("--vars-file %s: row %d: %v", o.varsFile, i+1, err)
		})
		if err != nil {
			return nil, nil, err
		}
		reqs[i] = req
	}
	return rows, reqs, nil
}

// rowVarNames is every variable name of the rows, sorted: the order the
// table's row labels show values in.
func rowVarNames(rows []map[string]string) []string {
	var names []string
	for _, r := range rows {
		for k := range r {
			if !slices.Contains(names, k) {
				names = append(names, k)
			}
		}
	}
	slices.Sort(names)
	return names
}

// runMatrix runs every row on every target through session.Run (the
// matrix recorded as one group with its rows) and prints one record per
// cell (--json) or a table. Exit 1 when a cell failed.
func (a *app) runMatrix(engine *session.Engine, spec session.Spec, rows []map[string]string, models int, jsonOutput bool) int {
	results := make([][]session.Result, len(rows))
	for i := range results {
		results[i] = make([]session.Result, models)
	}
	for ev := range session.Run(a.ctx, engine, spec) {
		if ev.Finish != nil {
			results[ev.Lane.Row][ev.Lane.Column] = ev.Finish.Result
		}
	}
	status := ExitOK
	records := []matrixRecord{}
	for ri, row := range results {
		for ci := range row {
			r := &results[ri][ci]
			r.Err = explain(*r)
			if r.Failed() {
				status = ExitFailed
				a.note("row %d: %s: %s", ri+1, untrusted.StripLine(r.Model), untrusted.StripLine(r.Err.Error()))
			}
			records = append(records, matrixRecord{RunRecord: r.Record(), Row: ri + 1, Vars: rows[ri]})
		}
	}
	if jsonOutput {
		if err := writeJSON(a.stdout, records); err != nil {
			return a.fail("run", err)
		}
		return status
	}
	fmt.Fprint(a.stdout, matrixTable(rows, rowVarNames(rows), results, a.width))
	return status
}
