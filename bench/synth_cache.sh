# Sourced by scripts that keep generated recordings between runs ($popscope:
# the binary whose generator makes them). made_by_this_generator DIR: DIR holds
# a whole dataset from this generator version. regenerate_unless_current DIR
# SYNTH_ARGS...: makes it (again) unless it does; a dataset from another
# generator version is replaced.
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
