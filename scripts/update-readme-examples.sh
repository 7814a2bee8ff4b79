#!/usr/bin/env bash
# Regenerates the example outputs in README.md from the built program, or, with
# --check, fails when one of them no longer matches what its commands print.
# Usage: scripts/update-readme-examples.sh [--check] [POPSCOPE_BINARY]
#   POPSCOPE_BINARY  the program to run (default build/popscope)
#
# An example is a fenced block between an opening <!-- example --> comment and
# <!-- /example -->. Its lines starting with "$ " are commands; the lines after
# a command are what it prints (standard output and standard error together).
# The opening comment can name a folder shared by several examples, and list
# setup commands that run first without being shown, one per line:
#
#   <!-- example in=log
#   popscope log --location knee --pain 4 --at 2026-11-20T14:30
#   -->
#
# Each example runs in an empty scratch folder (the same one for examples with
# the same in=NAME, in README order) in which datasets/, models/ and tests/ are
# the repository's, so paths read as from the repository root. The environment
# is reset: the built program is `popscope` on PATH, HOME and POPSCOPE_DB point
# into that folder, TZ=UTC, LC_ALL=C. The folder's path is shown as /tmp/rd.
#
# Outputs are compared with dates, clock times, run times ("in 1.3 s"), the
# version number and trailing blanks masked. --check exits 1 on any other
# difference. Otherwise the examples that differ are rewritten in README.md,
# together with the others of the same in=NAME folder (one session, whose dates
# follow from each other), and the rest are left as they are.
set -euo pipefail

usage() {
  echo "usage: scripts/update-readme-examples.sh [--check] [POPSCOPE_BINARY]" >&2
  exit 2
}
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
[ $# -le 1 ] || usage
case "${1:-}" in -*) usage ;; esac

root=$(cd "$(dirname "$0")/.." && pwd)
readme=$root/README.md
binary=${1:-$root/build/popscope}
if [ ! -x "$binary" ] || [ -d "$binary" ]; then
  echo "update-readme-examples: no program at $binary (build it first: scripts/build.sh)" >&2
  exit 2
fi
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
shown_dir=/tmp/rd

scratch=$(mktemp -d "${TMPDIR:-/tmp}/popscope-readme.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/bin" "$scratch/folders"
ln -s "$binary" "$scratch/bin/popscope"

# What two outputs are compared on.
mask() {
  sed -E \
    -e 's/[[:space:]]+$//' \
    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}/YYYY-MM-DD/g' \
    -e 's/[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?/hh:mm/g' \
    -e 's/ in [0-9]+(\.[0-9]+)? ?(s|ms|min)\b/ in (run time)/g' \
    -e 's/popscope [0-9]+\.[0-9]+\.[0-9]+[^ )]*/popscope (version)/g'
}

# run_example FOLDER_NAME SETUP_FILE COMMANDS_FILE: prints the block's new body.
run_example() {
  local name=$1 setup=$2 commands=$3 dir script n=0 line
  dir=$scratch/folders/$name
  if [ ! -d "$dir" ]; then
    mkdir "$dir"
    for d in datasets models tests; do ln -s "$root/$d" "$dir/$d"; done
  fi
  script=$scratch/run.sh
  {
    echo 'cd "$EXAMPLE_DIR" || exit 97'
    while IFS= read -r line; do
      printf '{ %s\n} >/dev/null 2>>"$EXAMPLE_SCRATCH/setup.err" </dev/null || { echo %q >&2; exit 97; }\n' \
        "$line" "setup command failed: $line"
    done <"$setup"
    while IFS= read -r line; do
      n=$((n + 1))
      printf '{ %s\n} >"$EXAMPLE_SCRATCH/out.%d" 2>&1 </dev/null\n' "$line" "$n"
    done <"$commands"
    echo 'exit 0'
  } >"$script"
  : >"$scratch/setup.err"
  if ! env -i PATH="$scratch/bin:/usr/local/bin:/usr/bin:/bin" HOME="$dir" POPSCOPE_DB="$dir/popscope.db" \
      TZ=UTC LC_ALL=C EXAMPLE_DIR="$dir" EXAMPLE_SCRATCH="$scratch" \
      bash --noprofile --norc "$script" 2>>"$scratch/setup.err"; then
    cat "$scratch/setup.err" >&2
    return 1
  fi
  n=0
  local out
  while IFS= read -r line; do
    n=$((n + 1))
    printf '$ %s\n' "$line"
    out=$(cat "$scratch/out.$n"; echo x)
    out=${out%x}
    out=${out//"$dir"/$shown_dir}
    printf '%s' "$out"
    if [ -n "$out" ] && [ "${out: -1}" != $'\n' ]; then echo; fi
  done <"$commands"
}

mapfile -t lines <"$readme"
total=${#lines[@]}
skeleton=$scratch/skeleton  # README.md with each example's body replaced by a marker line
: >"$skeleton"
examples=0
declare -a ex_line ex_folder ex_differs
i=0
while [ "$i" -lt "$total" ]; do
  line=${lines[$i]}
  if [[ ! "$line" =~ ^'<!-- example'( |$) ]]; then
    printf '%s\n' "$line" >>"$skeleton"
    i=$((i + 1))
    continue
  fi
  start=$((i + 1))
  k=$examples
  examples=$((examples + 1))
  # The opening comment: "<!-- example [in=NAME] [-->]", setup lines, "-->".
  opening=${line#<!-- example}
  closed=0
  if [[ "$opening" == *'-->' ]]; then closed=1; opening=${opening%-->}; fi
  folder=example$k
  for word in $opening; do
    case "$word" in
      in=?*) folder=in-${word#in=} ;;
      *) echo "README.md:$start: unknown word '$word' in the example comment" >&2; exit 2 ;;
    esac
  done
  printf '%s\n' "$line" >>"$skeleton"
  i=$((i + 1))
  : >"$scratch/setup"
  if [ "$closed" = 0 ]; then
    while [ "$i" -lt "$total" ] && [ "${lines[$i]}" != "-->" ]; do
      printf '%s\n' "${lines[$i]}" >>"$scratch/setup"
      printf '%s\n' "${lines[$i]}" >>"$skeleton"
      i=$((i + 1))
    done
    [ "$i" -lt "$total" ] || { echo "README.md:$start: example comment is not closed by a '-->' line" >&2; exit 2; }
    printf '%s\n' "${lines[$i]}" >>"$skeleton"
    i=$((i + 1))
  fi
  if [ "$i" -ge "$total" ] || [[ ! "${lines[$i]}" =~ ^'```' ]]; then
    echo "README.md:$start: an example comment must be followed by a fenced block" >&2
    exit 2
  fi
  printf '%s\n' "${lines[$i]}" >>"$skeleton"
  i=$((i + 1))
  old=$scratch/old.$k now=$scratch/now.$k
  : >"$old"
  : >"$scratch/commands"
  while [ "$i" -lt "$total" ] && [ "${lines[$i]}" != '```' ]; do
    printf '%s\n' "${lines[$i]}" >>"$old"
    case "${lines[$i]}" in '$ '*) printf '%s\n' "${lines[$i]#\$ }" >>"$scratch/commands" ;; esac
    i=$((i + 1))
  done
  if [ "$i" -ge $((total - 1)) ] || [ "${lines[$((i + 1))]}" != '<!-- /example -->' ]; then
    echo "README.md:$start: the example's block must end with a '\`\`\`' line and then '<!-- /example -->'" >&2
    exit 2
  fi
  if [[ "$(head -n 1 "$old")" != '$ '* ]]; then
    echo "README.md:$start: an example block must start with a '\$ COMMAND' line" >&2
    exit 2
  fi
  if ! run_example "$folder" "$scratch/setup" "$scratch/commands" >"$now"; then
    echo "README.md:$start: the example could not be run" >&2
    exit 1
  fi
  ex_line[$k]=$start
  ex_folder[$k]=$folder
  ex_differs[$k]=0
  diff -q <(mask <"$old") <(mask <"$now") >/dev/null || ex_differs[$k]=1
  printf '%s\n%s\n%s\n' "@@example-body-$k@@" '```' '<!-- /example -->' >>"$skeleton"
  i=$((i + 2))
done

if [ "$examples" = 0 ]; then
  echo "update-readme-examples: no examples found in README.md" >&2
  exit 2
fi

differ=0
for ((k = 0; k < examples; k++)); do
  [ "${ex_differs[$k]}" = 1 ] || continue
  differ=$((differ + 1))
  if [ "$check" = 1 ]; then
    echo "README.md:${ex_line[$k]}: the example's output is not what its commands print now (compared with dates, times, run times and the version masked):"
    diff -u --label README.md --label now <(mask <"$scratch/old.$k") <(mask <"$scratch/now.$k") || true
  fi
done
if [ "$check" = 1 ]; then
  if [ "$differ" -gt 0 ]; then
    echo "$differ of $examples README examples are out of date; run scripts/update-readme-examples.sh to regenerate them"
    exit 1
  fi
  echo "all $examples README examples match what their commands print"
  exit 0
fi

# Examples that share a folder are one session (the dates in one follow from
# the others), so when one of them changes they are all rewritten.
declare -A folder_changed
for ((k = 0; k < examples; k++)); do
  [ "${ex_differs[$k]}" = 1 ] && folder_changed[${ex_folder[$k]}]=1
done
rewritten=0
: >"$scratch/README.md"
while IFS= read -r line; do
  if [[ "$line" =~ ^@@example-body-([0-9]+)@@$ ]]; then
    k=${BASH_REMATCH[1]}
    if [ -n "${folder_changed[${ex_folder[$k]}]:-}" ]; then
      cat "$scratch/now.$k" >>"$scratch/README.md"
      rewritten=$((rewritten + 1))
      echo "README.md:${ex_line[$k]}: example rewritten"
    else
      cat "$scratch/old.$k" >>"$scratch/README.md"
    fi
  else
    printf '%s\n' "$line" >>"$scratch/README.md"
  fi
done <"$skeleton"
if [ "$rewritten" -gt 0 ]; then
  cp "$scratch/README.md" "$readme.new"
  mv "$readme.new" "$readme"
fi
echo "$differ of $examples README examples differed; $rewritten rewritten"
