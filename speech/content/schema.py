"""The intent contract, written once: which intents the skill answers and with what content.

The content files must hold exactly these entries, the interaction model must declare these
intents, and the skill routes them; tests derive every other list from here.
"""

from __future__ import annotations

# Custom intents that start a step-by-step guide, and the guide each starts.
EMERGENCY_INTENT = "OverdoseEmergencyIntent"
INTERVENTION_INTENT = "InterventionIntent"
GUIDE_INTENTS = {EMERGENCY_INTENT: "overdose", INTERVENTION_INTENT: "intervention"}
GUIDES = tuple(GUIDE_INTENTS.values())

# The medicine question carries the medicine in a slot; each value has its own answer.
MEDICATION_INTENT = "MedicationIntent"
MEDICATION_SLOT = "medication"
MEDICATION_SLOT_TYPE = "MEDICATION"
MEDICATIONS = ("methadone", "buprenorphine", "naltrexone", "naloxone", "lofexidine", "clonidine")

# Someone who says they want to die or hurt themselves hears 988 first: this intent outranks
# every other but a present-tense overdose (the resolver's lexicon holds the rule).
CRISIS_INTENT = "CrisisIntent"
GOOD_SAMARITAN_INTENT = "GoodSamaritanIntent"  # inside the emergency guide: one sentence

# Custom intents answered by a topic in topics.yaml (the topic key is the intent name).
TOPIC_INTENTS = (
    "OverdoseSignsIntent",
    MEDICATION_INTENT,
    "WithdrawalIntent",
    "UseSignsIntent",
    "TreatmentOptionsIntent",
    "TherapyIntent",
    "InterventionTypesIntent",
    "InterventionRefusedIntent",
    "AftercareIntent",
    "FindHelpIntent",
    "TreatmentLengthIntent",
    "CostIntent",
    "PregnancyIntent",
    "HeroinFactsIntent",
    "HealthEffectsIntent",
    "MixingDrugsIntent",
    # The questions the seeds miss (CONTENT.md, "Topics a user will ask that the seeds miss").
    CRISIS_INTENT,
    GOOD_SAMARITAN_INTENT,
    "FentanylIntent",
    "XylazineIntent",
    "GetNaloxoneIntent",
    "NeverUseAloneIntent",
    "HarmReductionIntent",
    "WithdrawalOrOverdoseIntent",
    "AfterOverdoseIntent",
    "QuitIntent",
    "FamilyHelpIntent",
)

# What the caller asked about a topic ("how long does withdrawal last", "is methadone safe"):
# a follow-up that names the question in its `answers` is said first. Only these intents take
# the slot; the ids are the QUESTION slot type's values in the interaction model.
QUESTION_SLOT = "question"
QUESTION_SLOT_TYPE = "QUESTION"
QUESTIONS = (
    "how_long",
    "safety",
    "how_it_works",
    "side_effects",
    "cost",
    "where",
    "comparison",
    "for_family",
    "legal",
    "myths",
)
QUESTION_INTENTS = (
    MEDICATION_INTENT,
    "WithdrawalIntent",
    "TherapyIntent",
    "TreatmentOptionsIntent",
    "FentanylIntent",
    "XylazineIntent",
    "HarmReductionIntent",
    "AfterOverdoseIntent",
    "QuitIntent",
    "FamilyHelpIntent",
)

# Replies the overdose guide reads while it runs (MODEL_SPEC.md): a fact the caller reports
# ("we have narcan", "he's breathing now"), and a request to count compressions. No topic of
# their own answers them; the guide does.
REPORT_INTENT = "ReportIntent"
REPORT_SLOT = "report"
CPR_RHYTHM_INTENT = "CprRhythmIntent"
GUIDE_REPLY_INTENTS = (REPORT_INTENT, CPR_RHYTHM_INTENT)
# The emergency's slots: who, what is happening (a SIGN is also a report), and what they need.
PERSON_SLOT, SIGN_SLOT, SUBSTANCE_SLOT, NEED_SLOT = "person", "sign", "substance", "need"

CUSTOM_INTENTS = (*GUIDE_INTENTS, *TOPIC_INTENTS, *GUIDE_REPLY_INTENTS)

# Fixed responses in prompts.yaml, the templates beside them, and each guide's own prompts.
PROMPTS = (
    "launch",
    "help",
    "fallback",
    "goodbye",
    "error",
    "anything_else",
    "nothing_pending",
    "no_more",
    "unknown_medication",
)
TEMPLATES = ("offer",)
GUIDE_PROMPTS = ("yes_or_no", "unrecognised", "at_start", "finished", "help")
# A guide that holds the caller through an emergency also says how to come back, answers the
# fear of arrest in one sentence, and gives 988 to a caller who says they want to die.
GUIDE_EXTRAS = ("come_back", "good_samaritan", "crisis")
