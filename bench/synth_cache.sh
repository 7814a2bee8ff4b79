# Sourced by scripts that keep generated recordings between runs ($popscope:
# the binary whose generator makes them). made_by_this_generator DIR: DIR holds
# a whole dataset from this generator version. regenerate_unless_current DIR
# SYNTH_ARGS...: makes it (again) unless it does; a dataset from another
# generator version is replaced.
# physics_unless_current DIR SCENES SEED SNR: first-principles recordings
# ($physics_scenes: the bench/physics_scenes binary), made again when that
# binary is newer than them. default_member1 OUT: the default model's first
# member (trained on synth recordings only) as a model file of its own; the
# whole model when it is no ensemble.
generator_version() { "$popscope" --version | sed -n 's/.*(recording generator \([^)]*\)).*/\1/p'; }
made_by_this_generator() {
  [ -f "$1/manifest.json" ] && grep -q "\"generator_version\": \"$(generator_version)\"" "$1/manifest.json"
}
regenerate_unless_current() {
  local dir=$1
  shift
  made_by_this_generator "$dir" && return 0
  [ -f "$dir/manifest.json" ] && rm -rf "$dir"
  "$popscope" synth --out "$dir" "$@"
}
physics_unless_current() {
  if [ ! -f "$1/done" ] || [ "$physics_scenes" -nt "$1/done" ]; then
    rm -rf "${1:?}"
    "$physics_scenes" --out "$1" --scenes "$2" --seed "$3" --snr-db "$4" >/dev/null
    touch "$1/done"
  fi
}
default_member1() {
  python3 - models/default/popscope-default.json "$1" <<'PY'
import json, sys
model = json.load(open(sys.argv[1]))
member = model["members"][0] if model["type"] == "ensemble" else model
json.dump(member, open(sys.argv[2], "w"), indent=1)
PY
}
