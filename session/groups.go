package session

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// RecordedGroup is one run group of a session as loaded.
type RecordedGroup struct {
	GroupRecord
	Runs          []int // its runs' numbers, in order
	ToolResults   []LaneToolResult
	Conversations []LaneConversation
	// Legacy marks a group made up for runs of a format 1 file.
	Legacy bool
}

// LaneToolResult is one recorded tool call's end, with its lane.
type LaneToolResult struct {
	Lane   Lane
	Record ToolResultRecord
}

// LaneConversation is one recorded agent conversation, with its lane.
type LaneConversation struct {
	Lane Lane
	ConversationRecord
}

// Group returns the group numbered n.
func (s *Session) Group(n int) (*RecordedGroup, error) {
	for i := range s.Groups {
		if s.Groups[i].Group == n {
			return &s.Groups[i], nil
		}
	}
	return nil, fmt.Errorf("%s: no group %d (%d groups)", s.Path, n, len(s.Groups))
}

// GroupOf returns the group a run belongs to.
func (s *Session) GroupOf(run int) *RecordedGroup {
	for i := range s.Groups {
		if slices.Contains(s.Groups[i].Runs, run) {
			return &s.Groups[i]
		}
	}
	return nil
}

func (p *parser) parseGroup(text []byte) error {
	var l groupLine
	if err := json.Unmarshal(text, &l); err != nil {
		return p.errorf("group: %s", jsonProblem(err))
	}
	if l.Group < 1 {
		return p.errorf("group: group %d: groups are numbered from 1", l.Group)
	}
	if _, dup := p.groups[l.Group]; dup {
		return p.errorf("group: group %d is recorded twice", l.Group)
	}
	if l.Kind == "" {
		return p.errorf(`group: group %d has no "kind"`, l.Group)
	}
	p.groups[l.Group] = len(p.s.Groups)
	p.s.Groups = append(p.s.Groups, RecordedGroup{GroupRecord: l.GroupRecord})
	return nil
}

func (p *parser) group(what string, n int) (*RecordedGroup, error) {
	i, ok := p.groups[n]
	if !ok {
		return nil, p.errorf("%s of group %d, which has no group line before it", what, n)
	}
	return &p.s.Groups[i], nil
}

func (p *parser) parseToolResult(text []byte) error {
	var l toolResultLine
	if err := json.Unmarshal(text, &l); err != nil {
		return p.errorf("tool_result: %s", jsonProblem(err))
	}
	g, err := p.group("tool_result", l.Group)
	if err != nil {
		return err
	}
	if l.Record == nil {
		return p.errorf(`tool_result: no "record"`)
	}
	g.ToolResults = append(g.ToolResults, LaneToolResult{Lane: l.Lane, Record: *l.Record})
	return nil
}

func (p *parser) parseConversation(text []byte) error {
	var l conversationLine
	if err := json.Unmarshal(text, &l); err != nil {
		return p.errorf("conversation: %s", jsonProblem(err))
	}
	g, err := p.group("conversation", l.Group)
	if err != nil {
		return err
	}
	g.Conversations = append(g.Conversations, LaneConversation{Lane: l.Lane, ConversationRecord: l.ConversationRecord})
	return nil
}

// gatherGroups files every run under its group, and makes groups up for
// the runs that have none (files of format 1).
func (s *Session) gatherGroups() {
	byNum := map[int]int{}
	for i, g := range s.Groups {
		byNum[g.Group] = i
	}
	var loose []int
	for i, r := range s.Runs {
		if gi, ok := byNum[r.Group]; ok && r.Group != 0 {
			s.Groups[gi].Runs = append(s.Groups[gi].Runs, r.Run)
			continue
		}
		loose = append(loose, i)
	}
	for _, g := range legacyGroups(s.Runs, loose) {
		g.Group = len(s.Groups) + 1
		for _, n := range g.Runs {
			for i := range s.Runs {
				if s.Runs[i].Run == n {
					s.Runs[i].Group = g.Group
				}
			}
		}
		// the lanes were set by legacyGroups on the copies: set them here
		s.Groups = append(s.Groups, g.RecordedGroup)
		for n, lane := range g.lanes {
			for i := range s.Runs {
				if s.Runs[i].Run == n {
					s.Runs[i].Lane = lane
				}
			}
		}
	}
	slices.SortFunc(s.Groups, func(a, b RecordedGroup) int { return a.Group - b.Group })
}

// legacyBurst is how close together runs of a format 1 file must have been
// sent to be taken for one comparison or matrix: they were sent by one
// ctrl+r, where separate runs are a person's keystrokes apart.
const legacyBurst = 1500 * time.Millisecond

type legacyGroup struct {
	RecordedGroup
	lanes map[int]Lane // run number -> lane
}

// legacyGroups makes groups for runs recorded without one: runs sent
// within legacyBurst of one another form a group, a matrix when a model
// comes back (rows in the order recorded), a comparison otherwise; a run
// on its own is a single run.
func legacyGroups(runs []RecordedRun, idx []int) []legacyGroup {
	if len(idx) == 0 {
		return nil
	}
	order := slices.Clone(idx)
	slices.SortStableFunc(order, func(a, b int) int {
		if c := cmp.Compare(runs[a].At, runs[b].At); c != 0 {
			return c
		}
		return runs[a].Run - runs[b].Run
	})
	var bursts [][]int
	for k, i := range order {
		if k == 0 || runs[i].At-runs[order[k-1]].At > legacyBurst {
			bursts = append(bursts, nil)
		}
		bursts[len(bursts)-1] = append(bursts[len(bursts)-1], i)
	}
	var out []legacyGroup
	for _, b := range bursts {
		slices.SortFunc(b, func(x, y int) int { return runs[x].Run - runs[y].Run })
		g := legacyGroup{RecordedGroup: RecordedGroup{Legacy: true}, lanes: map[int]Lane{}}
		col := map[string]int{}
		perModel := map[string]int{}
		repeat := false
		for _, i := range b {
			r := runs[i]
			if _, ok := col[r.Model]; !ok {
				col[r.Model] = len(g.Columns)
				g.Columns = append(g.Columns, ColumnRecord{Model: r.Model})
			} else {
				repeat = true
			}
			g.Runs = append(g.Runs, r.Run)
		}
		switch {
		case len(b) == 1:
			g.Kind = KindSingle
			g.lanes[runs[b[0]].Run] = Lane{}
		case repeat && !sameSentMessages(runs, b):
			g.Kind = KindMatrix
			rows := 0
			for _, i := range b {
				r := runs[i]
				g.lanes[r.Run] = Lane{Column: col[r.Model], Row: perModel[r.Model]}
				perModel[r.Model]++
				rows = max(rows, perModel[r.Model])
			}
			g.Rows = make([]map[string]string, rows)
			for k := range g.Rows {
				g.Rows[k] = map[string]string{}
			}
		default:
			g.Kind = KindCompare
			for k, i := range b {
				g.lanes[runs[i].Run] = Lane{Column: k}
			}
			g.Columns = nil
			for _, i := range b {
				g.Columns = append(g.Columns, ColumnRecord{Model: runs[i].Model})
			}
		}
		out = append(out, g)
	}
	return out
}

// sameSentMessages reports whether the runs sent the same messages: the
// columns of a comparison do (the same model may be in two columns at two
// temperatures), the rows of a matrix do not.
func sameSentMessages(runs []RecordedRun, idx []int) bool {
	var first []byte
	for k, i := range idx {
		var body struct {
			Messages json.RawMessage `json:"messages"`
		}
		if json.Unmarshal(runs[i].Body, &body) != nil {
			return false
		}
		if k == 0 {
			first = body.Messages
		} else if !bytes.Equal(first, body.Messages) {
			return false
		}
	}
	return true
}

// Lanes returns the group's runs by lane, each lane's runs in order (a
// conversation has one run per model call).
func (s *Session) Lanes(g *RecordedGroup) map[Lane][]*RecordedRun {
	out := map[Lane][]*RecordedRun{}
	for _, n := range g.Runs {
		r, err := s.Run(n)
		if err != nil {
			continue
		}
		out[r.Lane] = append(out[r.Lane], r)
	}
	return out
}
