# Sourced by the accuracy benches (needs $popscope, the binary to run).
# One row: detection F1 (any class), per-class P/R/F1 and macro F1 over the
# classes with reference events, per-thrust pop-count error.
row() {
  local name=$1 m=$2 dir=$3
  local det cls
  det=$("$popscope" eval --model "$m" "$dir" --any-class --format json)
  cls=$("$popscope" eval --model "$m" "$dir" --format json)
  python3 - "$name" "$det" "$cls" <<'PY'
import json, sys
name, det, cls = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
d = det["event"]["overall"]
cw = cls["event"]["class_wise"]
present = {k: v for k, v in cw.items() if v["nref"] > 0}
if not present:
    present = cw
f1s = [v["f1"] for v in present.values()]
cells = []
for c in ("cavitation", "crepitus", "snap", "other"):
    v = cw.get(c)
    cells.append("-" if v is None or c not in present else "%.2f/%.2f/%.2f" % (v["precision"], v["recall"], v["f1"]))
mae = cls.get("thrust_pop_count_mae")
print("| %s | %.3f | %.3f | %s | %.3f | %s |" % (name, d["precision"], d["recall"], " | ".join([("%.3f" % d["f1"])] + cells),
      sum(f1s) / len(f1s), "-" if mae is None else "%.2f" % mae))
PY
}
