#include "src/log/report.h"

namespace popscope::log {

const std::vector<SymptomField>& symptom_fields() {
  static const std::vector<SymptomField> v = {
      {"stiffness", "--stiffness", "The joint feels stiff", "Does it feel stiff?", false, &Symptoms::stiffness},
      {"reduced_movement", "--reduced-movement", "You cannot move it as far as usual",
       "Can you move it less far than usual?", false, &Symptoms::reduced_movement},
      {"numbness", "--numbness", "Numbness in an arm or leg", "Any numbness in an arm or a leg?", false,
       &Symptoms::numbness},
      {"tingling", "--tingling", "Tingling or pins and needles in an arm or leg",
       "Any tingling or pins and needles in an arm or a leg?", false, &Symptoms::tingling},
      {"weakness", "--weakness", "Weakness in an arm or leg", "Is an arm or a leg weaker than usual?", false,
       &Symptoms::weakness},
      {"spreading", "--spreading", "Pain or numbness spreads away from the joint (e.g. down a leg or arm)",
       "Is the pain or numbness spreading away from the spot (e.g. down a leg or an arm)?", false,
       &Symptoms::spreading},
      {"swelling", "--swelling", "The joint is swollen", "Is the joint swollen?", false, &Symptoms::swelling},
      {"giving_way", "--giving-way", "The joint gives way under load", "Does the joint give way when you put weight on it?",
       false, &Symptoms::giving_way},
      {"night_pain", "--night-pain", "Pain at night that does not ease with rest",
       "Does the pain wake you at night or stay even when you rest?", true, &Symptoms::night_pain},
      {"weight_loss", "--weight-loss", "Weight loss you cannot explain", "Have you lost weight without trying?", true,
       &Symptoms::weight_loss},
      {"bladder_bowel", "--bladder-bowel", "New trouble passing urine, or loss of bladder or bowel control",
       "Any new trouble passing urine, or loss of bladder or bowel control?", true, &Symptoms::bladder_bowel},
      {"saddle_numbness", "--saddle-numbness", "Numbness around the genitals, buttocks or inner thighs",
       "Any numbness around the genitals, buttocks or inner thighs (where you would sit on a saddle)?", true,
       &Symptoms::saddle_numbness},
      {"both_legs", "--both-legs", "Sciatica (pain, numbness or weakness) in both legs",
       "Pain, numbness or weakness going down both legs?", true, &Symptoms::both_legs},
      {"fever", "--fever", "Fever or feeling hot and unwell", "Do you have a fever or feel hot and unwell?", true,
       &Symptoms::fever},
      {"trauma", "--trauma", "It started with a fall, a crash or a blow", "Did it start with a fall, a crash or a blow?",
       true, &Symptoms::trauma},
      {"dizziness", "--dizziness", "Dizziness (e.g. after a neck adjustment)", "Do you feel dizzy or is the room spinning?",
       true, &Symptoms::dizziness},
      {"double_vision", "--double-vision", "Double vision", "Do you see double?", true, &Symptoms::double_vision},
      {"slurred_speech", "--slurred-speech", "Slurred speech", "Is your speech slurred?", true,
       &Symptoms::slurred_speech},
      {"trouble_swallowing", "--trouble-swallowing", "Trouble swallowing", "Do you have trouble swallowing?", true,
       &Symptoms::trouble_swallowing},
      {"drop_attack", "--drop-attack", "Sudden falls without losing consciousness (drop attacks)",
       "Have you suddenly fallen to the ground without fainting?", true, &Symptoms::drop_attack},
      {"severe_headache", "--severe-headache", "A sudden, severe headache unlike any before",
       "A sudden, severe headache unlike any you have had before?", true, &Symptoms::severe_headache},
      {"facial_numbness", "--facial-numbness", "Numbness in the face", "Any numbness in your face?", true,
       &Symptoms::facial_numbness},
  };
  return v;
}

}  // namespace popscope::log
