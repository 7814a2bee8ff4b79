// popscope train and eval --model end to end on small generated data sets.
#include <doctest/doctest.h>

#include <filesystem>
#include <tuple>

#include <nlohmann/json.hpp>

#include "tests/support/test_support.h"

using namespace popscope;
using test::quote;
using test::run_popscope;
using test::TempDir;

namespace {
// 12 short training recordings (about 10 train, 2 validate: enough for a
// model that beats chance clearly) and 8 test recordings of other seeds.
void make_data(const TempDir& tmp) {
  for (auto [dir, seed, scenes] : {std::tuple<const char*, int, int>{"train", 3, 12}, {"test", 900, 8}}) {
    auto r = run_popscope(std::string("synth --no-progress --out ") + quote(tmp.file(dir)) + " --scenes " +
                          std::to_string(scenes) + " --length 15 --profile mixed --seed " + std::to_string(seed));
    REQUIRE(r.exit_code == 0);
  }
}
}  // namespace

TEST_CASE("train writes a deterministic model with provenance that analyze and eval use") {
  TempDir tmp;
  make_data(tmp);
  auto a = run_popscope("train --no-progress " + quote(tmp.file("train")) + " --out " + quote(tmp.file("a.json")) +
                        " --seed 5 --type mlp");
  INFO(a.err);
  REQUIRE(a.exit_code == 0);
  CHECK(a.out.find("confusion") != std::string::npos);
  CHECK(a.out.find("cavitation") != std::string::npos);
  auto b = run_popscope("train --no-progress " + quote(tmp.file("train")) + " --out " + quote(tmp.file("b.json")) +
                        " --seed 5 --type mlp");
  REQUIRE(b.exit_code == 0);
  // Identical but for the output path recorded in the command.
  auto m = nlohmann::json::parse(test::read_text(tmp.file("a.json")));
  auto mb = nlohmann::json::parse(test::read_text(tmp.file("b.json")));
  CHECK(m["provenance"]["command"] != mb["provenance"]["command"]);
  m["provenance"].erase("command");
  mb["provenance"].erase("command");
  CHECK(m.dump() == mb.dump());
  m = nlohmann::json::parse(test::read_text(tmp.file("a.json")));
  CHECK(m["format"] == "popscope-model");
  CHECK(m["type"] == "mlp");
  CHECK(m["provenance"]["seed"] == 5);
  CHECK(m["provenance"]["command"].get<std::string>().find("--seed 5") != std::string::npos);
  CHECK(m["provenance"]["training_data_hash"].get<std::string>().size() == 16);
  CHECK(m["provenance"]["validation_recordings"].get<int>() >= 1);

  auto an = run_popscope("analyze --format jsonl --model " + quote(tmp.file("a.json")) + " " +
                         quote(tmp.file("test/scene001.wav")));
  REQUIRE(an.exit_code == 0);
  CHECK(an.out.find("\"class\":\"") != std::string::npos);

  auto ev = run_popscope("eval --format json --model " + quote(tmp.file("a.json")) + " " + quote(tmp.file("test")));
  INFO(ev.err);
  REQUIRE(ev.exit_code == 0);
  const auto j = nlohmann::json::parse(ev.out);
  CHECK(j["recordings"] == 8);
  CHECK(j["event"]["overall"]["f1"].get<double>() > 0.3);
  auto det = run_popscope("eval --format json --any-class --model " + quote(tmp.file("a.json")) + " " +
                          quote(tmp.file("test")));
  REQUIRE(det.exit_code == 0);
  const auto d = nlohmann::json::parse(det.out);
  CHECK(d["event"]["class_wise"].size() == 1);
  CHECK(d["event"]["overall"]["f1"].get<double>() >= j["event"]["overall"]["f1"].get<double>());

  // --folds reports cross-validation by recording in the provenance.
  auto f = run_popscope("train --no-progress " + quote(tmp.file("train")) + " --out " + quote(tmp.file("f.json")) +
                        " --folds 2 --type logistic");
  REQUIRE(f.exit_code == 0);
  CHECK(f.out.find("fold 2/2") != std::string::npos);
  CHECK(nlohmann::json::parse(test::read_text(tmp.file("f.json")))["provenance"]["cross_validation"].size() == 2);
}

TEST_CASE("train --early-decision-ms writes an early-decision model that only listen's --early-model takes") {
  TempDir tmp;
  make_data(tmp);
  auto r = run_popscope("train --no-progress " + quote(tmp.file("train")) + " --out " + quote(tmp.file("early.json")) +
                        " --seed 5 --type logistic --early-decision-ms 10");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("looks at transients 10 ms after their onset") != std::string::npos);
  const auto m = nlohmann::json::parse(test::read_text(tmp.file("early.json")));
  CHECK(m["early_decision_s"].get<double>() == doctest::Approx(0.010));
  CHECK(m["provenance"]["command"].get<std::string>().find("--early-decision-ms 10") != std::string::npos);
  // Early looks outnumber final candidates: every transient is one.
  auto f = run_popscope("train --no-progress " + quote(tmp.file("train")) + " --out " + quote(tmp.file("final.json")) +
                        " --seed 5 --type logistic");
  REQUIRE(f.exit_code == 0);
  const auto mf = nlohmann::json::parse(test::read_text(tmp.file("final.json")));
  CHECK_FALSE(mf.contains("early_decision_s"));
  CHECK(m["provenance"]["training_candidates"].get<int>() > mf["provenance"]["training_candidates"].get<int>());
  // An early-decision model is not a model of final events, and the reverse.
  auto an = run_popscope("analyze --model " + quote(tmp.file("early.json")) + " " + quote(tmp.file("test/scene001.wav")));
  CHECK(an.exit_code != 0);
  CHECK(an.err.find("early-decision model") != std::string::npos);
  auto li = run_popscope("listen --duration 1 --early-model " + quote(tmp.file("final.json")));
  CHECK(li.exit_code != 0);
  CHECK(li.err.find("not an early-decision model") != std::string::npos);
}

TEST_CASE("train and eval refuse bad input with the problem named") {
  TempDir tmp;
  test::run_shell("mkdir -p " + quote(tmp.file("unlabelled")) + " && sox -n -r 16000 " +
                  quote(tmp.file("unlabelled/a.wav")) + " synth 1 sine 440");
  auto r = run_popscope("train " + quote(tmp.file("unlabelled")) + " --out " + quote(tmp.file("m.json")));
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("no label file beside it") != std::string::npos);
  r = run_popscope("train " + quote(tmp.file("missing")) + " --out " + quote(tmp.file("m.json")));
  CHECK(r.exit_code == 3);
  r = run_popscope("train " + quote(tmp.file("unlabelled")) + " --out " + quote(tmp.file("m.json")) + " --folds 1");
  CHECK(r.exit_code == 2);
  // A model for another feature schema is refused by analyze and eval.
  auto m = nlohmann::json::parse(test::read_text(test::source_dir() + "/models/default/popscope-default.json"));
  m["feature_schema_version"] = 99;
  if (m.contains("members"))
    for (auto& member : m["members"]) member["feature_schema_version"] = 99;
  test::write_text(tmp.file("old.json"), m.dump());
  r = run_popscope("analyze --model " + quote(tmp.file("old.json")) + " " +
                   quote(test::source_dir() + "/datasets/samples/knee_contact.wav"));
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("feature schema 99") != std::string::npos);
  r = run_popscope("eval --model " + quote(tmp.file("old.json")) + " " + quote(test::source_dir() + "/datasets/samples"));
  CHECK(r.exit_code == 3);
  r = run_popscope("eval --model default");
  CHECK(r.exit_code == 2);
  r = run_popscope("analyze --class-threshold cavitation=2 " + quote(test::source_dir() + "/datasets/samples/knee_contact.wav"));
  CHECK(r.exit_code == 2);
  r = run_popscope("analyze --class-threshold bogus=0.5 " + quote(test::source_dir() + "/datasets/samples/knee_contact.wav"));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("unknown class 'bogus'") != std::string::npos);
}

TEST_CASE("train --ensemble-with writes an ensemble with its own pop threshold that analyze uses") {
  TempDir tmp;
  make_data(tmp);
  const std::string train = quote(tmp.file("train")), valid = quote(tmp.file("test"));
  auto a = run_popscope("train --no-progress " + train + " --validation " + valid + " --out " + quote(tmp.file("a.json")) +
                        " --seed 5 --type logistic");
  REQUIRE(a.exit_code == 0);
  auto e = run_popscope("train --no-progress " + train + " --validation " + valid + " --out " + quote(tmp.file("e.json")) +
                        " --seed 6 --type mlp --ensemble-with " + quote(tmp.file("a.json")) + " --ensemble-weight 0.4");
  INFO(e.err);
  REQUIRE(e.exit_code == 0);
  CHECK(e.err.find("ensemble with") != std::string::npos);
  CHECK(e.out.find("model ensemble") == std::string::npos);
  CHECK(e.out.find("held-out recordings, ensemble") != std::string::npos);
  const auto m = nlohmann::json::parse(test::read_text(tmp.file("e.json")));
  CHECK(m["type"] == "ensemble");
  REQUIRE(m["members"].size() == 2);
  CHECK(m["members"][0]["type"] == "logistic");
  CHECK(m["members"][1]["type"] == "mlp");
  CHECK(m["member_weights"][0].get<double>() == doctest::Approx(0.6));
  CHECK(m["member_weights"][1].get<double>() == doctest::Approx(0.4));
  // The given model is kept as it was, provenance included.
  const auto ma = nlohmann::json::parse(test::read_text(tmp.file("a.json")));
  CHECK(m["members"][0]["layers"] == ma["layers"]);
  CHECK(m["members"][0]["provenance"] == ma["provenance"]);
  CHECK(m["min_confidence"].contains("cavitation"));
  CHECK(m["provenance"]["command"].get<std::string>().find("--ensemble-weight 0.4") != std::string::npos);
  CHECK(m["provenance"].contains("new_member_validation"));
  auto an = run_popscope("analyze --format jsonl --model " + quote(tmp.file("e.json")) + " " +
                         quote(tmp.file("test/scene001.wav")));
  REQUIRE(an.exit_code == 0);
  CHECK(an.out.find("\"class\":\"") != std::string::npos);
  auto dir = run_popscope("analyze --model " + quote(tmp.file("e.json")) + " --output-dir " + quote(tmp.file("out")) +
                          " " + quote(tmp.file("test/scene001.wav")));
  REQUIRE(dir.exit_code == 0);
  const auto run = nlohmann::json::parse(test::read_text(tmp.file("out/popscope-run.json")));
  CHECK(run["model"]["type"] == "ensemble");

  // Refused before any recording is read, with the problem named.
  auto r = run_popscope("train " + train + " --out " + quote(tmp.file("x.json")) + " --ensemble-with " +
                        quote(tmp.file("a.json")));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--ensemble-with needs --validation") != std::string::npos);
  r = run_popscope("train " + train + " --out " + quote(tmp.file("x.json")) + " --ensemble-weight 0.3");
  CHECK(r.exit_code == 2);
  r = run_popscope("train " + train + " --validation " + valid + " --out " + quote(tmp.file("x.json")) +
                   " --ensemble-with " + quote(tmp.file("a.json")) + " --ensemble-weight 1");
  CHECK(r.exit_code == 2);
  r = run_popscope("train " + train + " --validation " + valid + " --out " + quote(tmp.file("x.json")) +
                   " --ensemble-with " + quote(tmp.file("e.json")));
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("already an ensemble") != std::string::npos);
  r = run_popscope("train " + train + " --validation " + valid + " --out " + quote(tmp.file("x.json")) +
                   " --ensemble-with " + quote(tmp.file("missing.json")));
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("missing.json") != std::string::npos);
  auto old = ma;
  old["feature_schema_version"] = 99;
  test::write_text(tmp.file("old.json"), old.dump());
  r = run_popscope("train " + train + " --validation " + valid + " --out " + quote(tmp.file("x.json")) +
                   " --ensemble-with " + quote(tmp.file("old.json")));
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("feature schema 99") != std::string::npos);
  auto early = ma;
  early["early_decision_s"] = 0.01;
  test::write_text(tmp.file("early.json"), early.dump());
  r = run_popscope("train " + train + " --validation " + valid + " --out " + quote(tmp.file("x.json")) +
                   " --ensemble-with " + quote(tmp.file("early.json")));
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("is an early-decision model; give --early-decision-ms 10 to match it") != std::string::npos);
  r = run_popscope("train " + train + " --validation " + valid + " --out " + quote(tmp.file("x.json")) +
                   " --ensemble-with " + quote(tmp.file("a.json")) + " --early-decision-ms 10");
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("decides on final events, not early; leave out --early-decision-ms") != std::string::npos);
  // Validation recordings without a single candidate cannot set the threshold.
  test::run_shell("mkdir -p " + quote(tmp.file("silent")) + " && sox -n -r 16000 -b 16 " +
                  quote(tmp.file("silent/a.wav")) + " trim 0 2 && : > " + quote(tmp.file("silent/a.txt")));
  r = run_popscope("train --no-progress " + train + " --validation " + quote(tmp.file("silent")) + " --out " +
                   quote(tmp.file("x.json")) + " --type logistic --ensemble-with " + quote(tmp.file("a.json")));
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("gave no detector candidates") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(tmp.file("x.json")));
}
