#pragma once
// The bad-input matrix: every bad input popscope is tried with and what the
// user sees. tests/cli/test_cli_bad_input.cpp runs each row and checks that the
// README's "## Bad input" table is this table (regenerate it with
//   POPSCOPE_UPDATE_README=1 build/tests/test_cli -tc="README*bad input*"
// after adding a row).
//
// A row runs in a fresh folder: `setup` makes its inputs (sox, popscope synth
// and the helpers in kBadInputPrelude), then `command` runs with popscope on
// the PATH; its exit code must be `exit_code`, its stderr must hold `err_has`
// and its stdout `out_has` (either may be empty), and `check` (if any) must
// then succeed. After every row no temporary file (*.tmp*) may be left
// anywhere in the folder: nothing half-written survives a failure.

namespace popscope::test {

struct BadInputRow {
  const char* tried;    // what is tried, as the README lists it
  const char* setup;    // shell: makes the inputs
  const char* command;  // shell: what the user runs
  int exit_code;
  const char* err_has;  // substring of stderr (what the user sees on failure)
  const char* out_has;  // substring of stdout
  const char* check;    // shell run afterwards that must exit 0 ("" for none)
};

// Shell helpers for the rows:
//   scene NAME.wav SECONDS  a mono 48 kHz synthetic recording with pops and its
//                           labels NAME.txt (popscope synth, seed 3)
//   tone NAME.wav           a 2 s 440 Hz tone at -6 dBFS
//   stop SIG COMMAND...     starts COMMAND, sends SIG until it has ended,
//                           returns its exit code
//   $AS_USER                runs a command as an unprivileged user when the
//                           tests run as root (root reads any file, whatever
//                           its mode), so permissions are tested for real
inline const char* kBadInputPrelude = R"sh(
scene() { popscope synth --out "$1.d" --scenes 1 --length "$2" --seed 3 --profile home --channels 1 --rate 48000 --no-progress >/dev/null && mv "$1.d/scene001.wav" "$1" && mv "$1.d/scene001.txt" "${1%.wav}.txt" && rm -r "$1.d"; }
tone() { sox -n -r 48000 -c 1 -b 16 "$1" synth 2 sine 440 vol 0.5; }
stop() { sig=$1; shift; "$@" & pid=$!; sleep 0.5; while kill -"$sig" "$pid" 2>/dev/null; do sleep 0.2; done; wait "$pid"; }
if [ "$(id -u)" = 0 ]; then AS_USER="setpriv --reuid=65534 --regid=65534 --clear-groups"; else AS_USER=""; fi
chmod 755 .
)sh";

inline const BadInputRow kBadInputMatrix[] = {
    // Files that cannot be read at all.
    {"Missing file", "", "popscope analyze take1.wav", 3, "take1.wav: no such file", "", ""},
    {"File without read permission", "tone take1.wav && chmod 000 take1.wav", "$AS_USER popscope info take1.wav", 3,
     "take1.wav: cannot be read (Permission denied)", "", ""},
    {"Path through a regular file", "tone take1.wav", "popscope info take1.wav/left.wav", 3,
     "take1.wav/left.wav: Not a directory", "", ""},
    {"A folder given as a file", "mkdir take1.wav", "popscope info take1.wav", 3,
     "take1.wav: is a directory, not an audio file", "", ""},
    {"Empty file", ": > take1.wav", "popscope analyze take1.wav", 3, "take1.wav: empty file (0 bytes)", "", ""},
    {"Header cut short (30 bytes)", "tone full.wav && head -c 30 full.wav > take1.wav", "popscope analyze take1.wav", 3,
     "take1.wav: not a readable audio file (Error in WAV file. No 'data' chunk marker.)", "", ""},
    {"Not audio at all", "yes 'not audio' | head -c 4096 > take1.wav", "popscope analyze take1.wav", 3,
     "take1.wav: not a readable audio file (Format not recognised.)", "", ""},
    {"WAV header saying 0 channels",
     "tone take1.wav && printf '\\000\\000' | dd of=take1.wav bs=1 seek=22 conv=notrunc 2>/dev/null",
     "popscope info take1.wav", 3, "take1.wav: not a readable audio file (Channel count is zero.)", "", ""},
    // Files that are damaged but hold usable audio.
    {"FLAC stream cut short", "scene full.wav 8 && sox full.wav full.flac && head -c 20000 full.flac > take1.flac",
     "popscope analyze take1.flac", 3, "take1.flac: read error after", "", ""},
    {"WAV data cut short (header says 8 s, 3.1 s present): a warning, then the 3.1 s present are read",
     "scene full.wav 8 && head -c 300000 full.wav > take1.wav", "popscope info take1.wav", 0,
     "take1.wav: warning: the audio data ends before its header says (768000 bytes declared, 299956 present): the "
     "file was probably cut off",
     "duration    3.125 s (149978 frames)", ""},
    {"WAV data cut short, analyze", "scene full.wav 8 && head -c 300000 full.wav > take1.wav",
     "popscope analyze take1.wav --format csv > out.csv", 0, "take1.wav: warning: the audio data ends before", "",
     "[ $(wc -l < out.csv) -gt 1 ]"},
    {"Header claiming a 4 GB data chunk (as streamed WAV has): the audio present is read",
     "tone full.wav && { head -c 4 full.wav; printf '\\370\\377\\377\\377'; tail -c +9 full.wav | head -c 32; "
     "printf '\\360\\377\\377\\377'; tail -c +45 full.wav | head -c 4000; } > take1.wav",
     "popscope info take1.wav", 0, "", "duration    0.042 s (2000 frames)", ""},
    {"NaN and infinite samples (32-bit float WAV)", "@nan", "popscope analyze take1.wav", 3,
     "take1.wav: 120 non-finite samples (NaN or infinity), the first at 0.020833 s; the file is damaged", "", ""},
    {"NaN and infinite samples, info", "@nan", "popscope info take1.wav", 3,
     "take1.wav: 120 non-finite samples (NaN or infinity)", "non-finite  120 samples", ""},
    // Unusual but valid audio: analysed normally.
    // The DC blocker (0.5 Hz, dsp/band_activity.cpp) settles within 3 s of the
    // offset appearing at the start; from then on the events must be the same.
    // (sox -D: without dither, every copy holds the same signal shifted.)
    {"DC offset of 0.3: the same events as without it (after the first 3 s)",
     "scene plain.wav 20 && sox -D plain.wav take1.wav dcshift 0.3 2>/dev/null",
     "popscope analyze take1.wav --format csv | awk -F, 'NR > 1 && $3 >= 3 { print $2, $3, $4 }' > dc.txt", 0, "",
     "",
     "popscope analyze plain.wav --format csv | awk -F, 'NR > 1 && $3 >= 3 { print $2, $3, $4 }' > plain.txt && "
     "[ $(wc -l < plain.txt) -gt 10 ] && cmp plain.txt dc.txt"},
    {"Full-scale clipping: info counts the clipped samples", "scene s.wav 8 && sox -D s.wav take1.wav gain 30 2>/dev/null",
     "popscope info take1.wav", 0, "", "clipped     512 samples", ""},
    {"Full-scale clipping: analyze still finds the events",
     "scene s.wav 8 && sox -D s.wav take1.wav gain 30 2>/dev/null", "popscope analyze take1.wav --format csv > out.csv",
     0, "", "", "[ $(wc -l < out.csv) -gt 2 ]"},
    {"8 kHz recording", "scene s.wav 8 && sox s.wav -r 8000 take1.wav",
     "popscope analyze take1.wav --format csv > out.csv", 0, "", "", "[ $(wc -l < out.csv) -gt 2 ]"},
    {"192 kHz recording", "scene s.wav 8 && sox s.wav -r 192000 take1.wav",
     "popscope analyze take1.wav --format csv > out.csv", 0, "", "", "[ $(wc -l < out.csv) -gt 2 ]"},
    {"8 channels", "scene s.wav 8 && sox -M s.wav s.wav s.wav s.wav s.wav s.wav s.wav s.wav take1.wav",
     "popscope analyze take1.wav --format csv > out.csv", 0, "", "", "[ $(wc -l < out.csv) -gt 2 ]"},
    {"9 channels", "tone t.wav && sox -M t.wav t.wav t.wav t.wav t.wav t.wav t.wav t.wav t.wav take1.wav",
     "popscope analyze take1.wav", 3, "take1.wav: 9 channels; popscope reads 1 to 8 channels", "", ""},
    // Label files.
    {"CSV labels without an onset_s column", "printf 'onset,offset\\n0.1,0.2\\n' > ref.csv && : > est.txt",
     "popscope eval --ref ref.csv --est est.txt", 3, "ref.csv:1: CSV header has no 'onset_s' column", "", ""},
    {"Audacity labels with text in a time column", "printf '0.1\\tfoo\\tpop\\n' > ref.txt && : > est.txt",
     "popscope eval --ref ref.txt --est est.txt", 3, "ref.txt:1: end time 'foo' is not a number", "", ""},
    {"CSV labels naming a column twice", "printf 'label,onset_s,offset_s,label\\npop,0.1,0.2\\n' > ref.csv && : > est.txt",
     "popscope eval --ref ref.csv --est est.txt", 3, "ref.csv:1: CSV header names the column 'label' twice", "", ""},
    {"JSON-lines labels without onset_s", "printf '{\"onset\": 1}\\n' > ref.jsonl && : > est.txt",
     "popscope eval --ref ref.jsonl --est est.txt", 3, "ref.jsonl:1: missing 'onset_s'", "", ""},
    // Model files.
    {"Model file of another program", "tone take1.wav && echo '{\"format\": \"other-tool\", \"version\": 3}' > m.json",
     "popscope analyze take1.wav --model m.json", 3, "m.json: not a popscope model file", "", ""},
    {"Model trained on another feature schema",
     "scene a.wav 8 && mkdir d && scene d/a.wav 20 && popscope train d --out m0.json --type logistic --no-progress "
     "2>/dev/null >/dev/null && sed 's/\"feature_schema_version\": *[0-9]*/\"feature_schema_version\": 99/' m0.json "
     "> m.json",
     "popscope analyze a.wav --model m.json", 3, "m.json: the model was trained on feature schema 99", "", ""},
    {"Model file of a newer format",
     "scene a.wav 8 && mkdir d && scene d/a.wav 20 && popscope train d --out m0.json --type logistic --no-progress "
     "2>/dev/null >/dev/null && sed 's/\"format_version\": *[0-9]*/\"format_version\": 99/' m0.json > m.json",
     "popscope analyze a.wav --model m.json", 3, "m.json: model file format 99 is newer than this popscope reads", "",
     ""},
    // Outputs that cannot be written.
    {"analyze --output-dir in a read-only folder", "scene a.wav 8 && mkdir ro && chmod 555 ro",
     "$AS_USER popscope analyze a.wav --output-dir ro/labels", 4, "ro/labels: cannot create the folder", "",
     "[ ! -e ro/labels ]"},
    {"synth --out in a read-only folder", "mkdir ro && chmod 555 ro",
     "$AS_USER popscope synth --out ro/data --scenes 1 --length 2", 4, "ro/data: cannot create folder", "",
     "[ ! -e ro/data ]"},
    {"analyze --output-dir on a full disk (file-size limit): the previous output is kept",
     "scene a.wav 8 && popscope analyze a.wav --format jsonl --output-dir out 2>/dev/null && cp out/a.jsonl before",
     "ulimit -f 1; popscope analyze a.wav --format jsonl --output-dir out", 4,
     "out/a.jsonl: write failed (File too large)", "", "cmp before out/a.jsonl"},
    {"analyze to standard output on a full disk", "scene a.wav 8", "popscope analyze a.wav --format table > /dev/full", 4,
     "standard output: write failed (No space left on device)", "", ""},
    {"synth --out on a full disk (file-size limit)", "", "ulimit -f 100; popscope synth --out data --scenes 2 --length 20",
     4, "data/scene001.wav: write failed", "", "[ ! -e data/scene001.wav ]"},
    // The severity log: health data is never lost or overwritten.
    {"Severity log in a read-only folder", "mkdir ro && chmod 555 ro",
     "$AS_USER popscope log --location knee --pain 2 --db ro/log.db", 5, "ro/log.db: cannot create the log", "",
     "[ ! -e ro/log.db ]"},
    {"A file that is not a SQLite database at the log path: left untouched",
     "echo 'my notes' > log.db && cp log.db before", "popscope log --location knee --pain 2 --db log.db", 5,
     "log.db: is not a SQLite database (wrong header); popscope left it untouched", "", "cmp before log.db"},
    {"Severity log on a full disk (file-size limit): earlier reports kept",
     "popscope log --location knee --pain 1 --db log.db >/dev/null",
     "ulimit -f 1; popscope log --location knee --pain 3 --db log.db", 5, "log.db: ", "",
     "popscope export --format csv --table reports --db log.db | grep -c knee | grep -qx 1"},
    {"Severity log locked by another program for over 10 s",
     "popscope log --location knee --pain 1 --db log.db >/dev/null",
     "python3 -c \"import sqlite3,time; c=sqlite3.connect('log.db', isolation_level=None); c.execute('BEGIN "
     "EXCLUSIVE'); time.sleep(13)\" & sleep 1; popscope log --location knee --pain 3 --db log.db", 5,
     "log.db: the database stayed locked by another program for too long", "", ""},
    // Stopped by a signal: exit 130, finished outputs complete, nothing half-written.
    {"SIGINT during analyze of 40 files",
     "scene a.wav 600 && mkdir in && for i in $(seq 40); do ln a.wav in/take$i.wav; done",
     "stop INT popscope analyze in --output-dir out --jobs 1", 130,
     "stopped by SIGINT; outputs finished before it are complete", "", "[ $(ls out | wc -l) -lt 40 ]"},
    {"SIGTERM during analyze of 40 files",
     "scene a.wav 600 && mkdir in && for i in $(seq 40); do ln a.wav in/take$i.wav; done",
     "stop TERM popscope analyze in --output-dir out --jobs 1", 130, "stopped by SIGTERM", "",
     "[ $(ls out | wc -l) -lt 40 ]"},
    {"SIGINT during synth", "", "stop INT popscope synth --out data --scenes 400 --length 60", 130,
     "stopped by SIGINT", "", "[ ! -e data/manifest.json ]"},
    {"SIGTERM during train",
     "mkdir d && scene d/a.wav 600 && for i in $(seq 30); do ln d/a.wav d/take$i.wav; ln d/a.txt d/take$i.txt; done",
     "stop TERM popscope train d --out model.json", 130, "stopped by SIGTERM", "", "[ ! -e model.json ]"},
};

}  // namespace popscope::test
