#!/usr/bin/env bash
# Turns the runbook's tarball (r.tgz from bench/on-device.sh) into bench/results/<date>-<gpu>/, ready to commit,
# with report.md: charts, every point, issue #15's targets met or missed (inception report --targets), and each
# profile's slowest steps with their roofline bounds.
#
#   bench/unpack-gpu-results.sh R.tgz [NAME]     NAME defaults to <date of the run>-h200
#
# The date comes from the run's own host.txt, not from today. Refuses to overwrite an existing folder.
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 R.tgz [NAME]" >&2
  exit 2
fi
tgz="$1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -f "$tgz" ]; then
  echo "unpack: $tgz: no such file" >&2
  exit 3
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if ! tar -xzf "$tgz" -C "$tmp"; then
  echo "unpack: $tgz is not a gzip'ed tar file (truncated on the way back?)" >&2
  exit 3
fi
top="$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n 1)"
if [ -z "$top" ] || [ ! -f "$top/summary.txt" ]; then
  echo "unpack: $tgz holds no runbook results (no summary.txt)" >&2
  exit 3
fi
# (a run stopped before it wrote host.txt has none: then today, as below)
date=""
if [ -f "$top/host.txt" ]; then
  date="$(sed -n 's/^date: \([0-9-]*\)T.*/\1/p' "$top/host.txt" | head -n 1)"
fi
name="${2:-${date:-$(date -u +%F)}-h200}"
dest="$root/bench/results/$name"
if [ -e "$dest" ]; then
  echo "unpack: $dest exists; pass another NAME" >&2
  exit 2
fi
mkdir -p "$(dirname "$dest")"
mv "$top" "$dest"
echo "unpacked into ${dest#$root/}:"
cat "$dest/summary.txt"
# max-autotune's measured choices (bench/peers/inductor-cache.sh): the next bundle starts from them. A run seeded from
# the files here leaves supersets of them, named by GPU and software stack, so a newer file replaces an older one.
if [ -d "$dest/inductor-autotune" ]; then
  mkdir -p "$root/bench/peers/inductor-autotune"
  for f in "$dest/inductor-autotune"/*; do
    [ -f "$f" ] && cp "$f" "$root/bench/peers/inductor-autotune/" && echo "autotune cache: $(basename "$f") into bench/peers/inductor-autotune/ for the next bundle"
  done
fi
# charts, every point as a table, issue #15's targets judged (met or missed, by how much) and the profiles' slowest
# steps, in report.md
shopt -s nullglob
results=("$dest"/bench-*.json "$dest"/torch-gpu-*.json "$dest"/profile-*.json)
if [ ${#results[@]} -gt 0 ]; then
  if "$root/bin/inception" report --targets --out "$dest" "${results[@]}" > "$dest/report.md"; then
    echo "report: ${dest#$root/}/report.md"
    sed -n '/^| target |/,$p' "$dest/report.md"
  else
    echo "unpack: 'inception report' failed on the results; they are unpacked all the same" >&2
  fi
fi
