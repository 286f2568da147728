#!/usr/bin/env bash
# Whole-process cost of streaming a 10,000-token markdown answer in the
# studio, measured the way docs/PERFORMANCE.md compares mstudio with its
# peers: the real binary in tmux (120x40) against `mstudio sim`, CPU time of
# the studio process (user+system) from ctrl+r to the end of the answer.
#
#   scripts/bench-studio.sh [RATE] [COLUMNS]
#     RATE: tokens/s of the simulator, 0 = as fast as possible
#     COLUMNS: 2 to 4 compares that many models side by side (default 1)
#   MSTUDIO_BIN=PATH measures that binary instead of building the working
#     tree (a tree others are editing may not build at that moment).
#   MSTUDIO_CPUPROFILE=FILE scripts/bench-studio.sh ...  also writes a CPU
#     profile of the studio to FILE (the studio is quit at the end so that
#     it writes it); read it with go tool pprof -top FILE.
set -euo pipefail
rate="${1:-0}"
columns="${2:-1}"
cd "$(dirname "$0")/.."
if [ -n "${MSTUDIO_CPUPROFILE:-}" ]; then
	export MSTUDIO_CPUPROFILE="$(realpath -m "$MSTUDIO_CPUPROFILE")"
fi
work="$(mktemp -d)"
trap 'tmux -S "$work/tmux.sock" kill-server 2>/dev/null || true; kill "$simpid" 2>/dev/null || true; rm -rf "$work"' EXIT
simpid=""
if [ -n "${MSTUDIO_BIN:-}" ]; then
	cp "$MSTUDIO_BIN" "$work/mstudio"
else
	go build -o "$work/mstudio" .
fi
"$work/mstudio" sim --addr 127.0.0.1:0 --rate "$rate" --seed 1 >"$work/sim.out" 2>/dev/null &
simpid=$!
for _ in $(seq 50); do grep -q listening "$work/sim.out" 2>/dev/null && break; sleep 0.1; done
url="$(sed -n 's/^mstudio sim listening on //p' "$work/sim.out")"
models=""
if [ "$columns" -gt 1 ]; then
	models="mstudio.models: [$(echo mistral-small-latest mistral-large-latest mistral-medium-latest ministral-8b-latest | cut -d' ' -f1-"$columns" | sed 's/ /, /g')]"
fi
cat >"$work/bench.prompt" <<P
---
name: bench
model: mistral-small-latest
$models
---
Write a detailed answer of 10000 tokens about Lyon, with tables, lists and code in Go, Python and JavaScript.
P
tmux -S "$work/tmux.sock" new-session -d -x 120 -y 40 -s b -c "$work" env -u MISTRAL_API_KEY TERM=xterm-256color \
	"$work/mstudio" open "$work/bench.prompt" --endpoint "$url" --theme dark
screen() { tmux -S "$work/tmux.sock" capture-pane -p -t b; }
for _ in $(seq 100); do screen | grep -q "Prompt · bench" && break; sleep 0.05; done
pid="$(tmux -S "$work/tmux.sock" display -p -t b "#{pane_pid}")"
ticks() { awk '{print $14+$15}' "/proc/$pid/stat"; }
hz="$(getconf CLK_TCK)"
t0="$(ticks)"; s0="$(date +%s%N)"
tmux -S "$work/tmux.sock" send-keys -t b C-r
if [ "$columns" -gt 1 ]; then
	for _ in $(seq 6000); do screen | grep -qE "[0-9]+ answers|failed" && break; sleep 0.05; done
else
	for _ in $(seq 6000); do screen | grep -q "ttft" && break; sleep 0.05; done
fi
t1="$(ticks)"; s1="$(date +%s%N)"
wall=$(( (s1-s0)/1000000 )); cpu=$(( (t1-t0)*1000/hz ))
echo "rate=${rate} tok/s  columns=${columns}  wall=${wall} ms  studio cpu=${cpu} ms  ($(( cpu*100/(wall>0?wall:1) ))% of a core)"
screen | tail -1
if [ -n "${MSTUDIO_CPUPROFILE:-}" ]; then
	tmux -S "$work/tmux.sock" send-keys -t b C-c
	for _ in $(seq 100); do [ -d "/proc/$pid" ] || break; sleep 0.05; done
	echo "cpu profile: $MSTUDIO_CPUPROFILE"
fi
