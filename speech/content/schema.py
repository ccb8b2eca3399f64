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
)

# Replies the overdose guide reads while it runs (MODEL_SPEC.md): a fact the caller reports
# ("we have narcan", "he's breathing now"), and a request to count compressions. No topic of
# their own answers them; the guide does.
REPORT_INTENT = "ReportIntent"
CPR_RHYTHM_INTENT = "CprRhythmIntent"
GUIDE_REPLY_INTENTS = (REPORT_INTENT, CPR_RHYTHM_INTENT)

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
