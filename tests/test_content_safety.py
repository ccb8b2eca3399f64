"""Enforce /work/shared/CONTENT.md over everything the skill can say in en-US.

Every check runs over every answer (speech and reprompt), every first response and follow-up as
heard (speech plus the appended offer question), every guide prompt, and every card title and
offer. Failure messages name the content key so a reviewer can find the line to fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import yaml

from speech import ssml
from speech.content import SOURCES_FILE, model, schema
from tests.content_rules import (
    ALL_TEXT,
    ALLOWED_EN_US_NUMBERS,
    DISCLAIMER,
    FORBIDDEN,
    GOOD_SAMARITAN_SENTENCE,
    LOCALE,
    LOCKED_AWAY_SENTENCE,
    MAT_MISCONCEPTION,
    MAX_FIRST_WORDS,
    MAX_FOLLOW_UP_WORDS,
    MAX_OVERDOSE_PROMPT_WORDS,
    MAX_OVERDOSE_STEP_WORDS,
    MAX_PROMPT_WORDS,
    SAID_AS_MYTH,
    SEEDS_DIR,
    SPOKEN,
    C,
    heard_responses,
    ids,
    long_lists,
    phone_problems,
    punctuation_for_the_eye,
    repeated_numbers,
    says_988_first,
    strip_caveat_missing,
    texts,
    words,
    xylazine_without_give_anyway,
)


@pytest.mark.parametrize(("key", "text"), ALL_TEXT, ids=[key for key, _ in ALL_TEXT])
def test_no_forbidden_claim(key: str, text: str) -> None:
    for name, pattern, exempt in FORBIDDEN:
        for match in re.finditer(pattern, text, re.IGNORECASE):
            assert exempt(text, match), (
                f"{key}: forbidden claim ({name}) {match.group(0)!r} in: {text}"
            )


@pytest.mark.parametrize(("key", "fragment"), SPOKEN, ids=ids(SPOKEN))
def test_mat_trading_addictions_only_as_misconception(key: str, fragment: str) -> None:
    heard, _ = texts(fragment)
    if MAT_MISCONCEPTION.search(heard):
        assert SAID_AS_MYTH.search(heard), (
            f"{key}: voices 'trading one addiction for another' without calling it a "
            f"misconception: {heard}"
        )


@pytest.mark.parametrize(
    ("sentence", "allowed"),
    [
        ("Quitting cold turkey on your own is not recommended.", True),
        ("Don't quit cold turkey alone.", True),
        ("You can quit cold turkey.", False),
        ("Cold turkey is enough for a short habit.", False),
        ("Detox alone is enough.", False),
        ("Detox alone isn't enough.", True),
        ("Treatment doesn't need to be voluntary to work.", True),
        ("Treatment needs to be voluntary to work.", False),
        ("Treatment must be completely voluntary.", False),
        ("Please don't stop suddenly on your own.", True),
        ("Stop methadone suddenly if it makes you sleepy.", False),
    ],
)
def test_negation_rules_are_careful(sentence: str, allowed: bool) -> None:
    rules = {name: (pattern, exempt) for name, pattern, exempt in FORBIDDEN}
    names = ("cold turkey", "detox alone is enough", "treatment must be voluntary", "stop suddenly")
    flagged = [
        name
        for name in names
        for match in re.finditer(rules[name][0], sentence, re.IGNORECASE)
        if not rules[name][1](sentence, match)
    ]
    assert (not flagged) is allowed, (
        f"{sentence!r} should be {'allowed' if allowed else 'flagged'}, flagged by {flagged}"
    )


def test_forbidden_patterns_catch_the_seed_claims() -> None:
    """Each seed error, quoted from the seeds, is caught by the table."""
    seed_claims = [
        "It treats severe pain but is safer than heroin because there is no overdose risk.",
        "naloxone can reduce and reverse all symptoms of overdose",
        "there will be relatively few options, short of using more heroin",
        "Sedative medications might be used to reduce the heroin withdrawal symptoms",
        "making any drug use or abuse ineffective",
        "Methadone doses are gradually reduced until a person is drug-free.",
        "admission to a treatment facility needs to be 100% voluntary",
        "Heroin addiction treatment programs almost always begin with inpatient treatment.",
        "heroin is often cut with other substances such as sugar, starch, powdered milk",
        "symptoms usually peak between 48 and 72 hours after the last dose",
        "heroin interventions can cost between $2,500 and $10,000",
        "Injecting the drug is the most effective way to get high from low-purity heroin",
        "Paid advertising from Centric Behavioral Health",
        "call us at +1 (888) 791-1317",
        "Verify Insurance",
        "over 9 out of 10 heroin users use at least one other drug",
        "increased 600% from 2001 to 2014",
        # the skill's own old wording, corrected by the revised CONTENT.md
        "It comes as Suboxone, which also contains naloxone, and as Subutex.",
        "Therapy is at the heart of treatment.",
        "Medicine helps most alongside counseling.",
        "Step one: get help from a professional interventionist or an addiction counselor.",
        "A negative strip means it's safe to use.",
        "Naloxone reverses xylazine too.",
        "Signs of heroin abuse include tiny pupils.",
        "Where can I get clean needles?",
        "Junkies often share needles.",
        "Help for the addict in your family.",
    ]
    for claim in seed_claims:
        caught = [
            name
            for name, pattern, exempt in FORBIDDEN
            for match in re.finditer(pattern, claim, re.IGNORECASE)
            if not exempt(claim, match)
        ]
        assert caught, f"seed claim not caught by any rule: {claim!r}"


# --- phone numbers ------------------------------------------------------------------------------


def test_locale_numbers_are_exactly_content_md() -> None:
    numbers = {phone.number for phone in C.phone_numbers}
    assert numbers == ALLOWED_EN_US_NUMBERS, f"locale.yaml:phone_numbers: {sorted(numbers)}"
    assert C.emergency_number == "911", "locale.yaml:emergency_number"
    assert C.locale == LOCALE, "locale.yaml:locale"


@pytest.mark.parametrize(("key", "fragment"), SPOKEN, ids=ids(SPOKEN))
def test_only_allowed_phone_numbers(key: str, fragment: str) -> None:
    problems = phone_problems(fragment)
    assert not problems, f"{key}: {problems}"


@pytest.mark.parametrize(
    ("fragment", "ok"),
    [
        ("Call 9 1 1 now.", True),
        ("Call or text 9 8 8.", True),
        ('Call <say-as interpret-as="telephone">1-800-662-4357</say-as>.', True),
        ("Call 911 now.", False),
        ("Call 1-800-662-4357.", False),
        ("Call (888) 694-1249.", False),
        ('Call <say-as interpret-as="telephone">1-888-319-2606</say-as>.', False),
        ("Call 9 9 9.", False),
        ("Wait 2 to 3 minutes; it wears off in 30 to 90 minutes.", True),
        ("Push 100 to 120 times a minute.", True),
        ("Push 100 times a minute.", False),
    ],
)
def test_phone_check_is_strict(fragment: str, ok: bool) -> None:
    assert (not phone_problems(fragment)) is ok, phone_problems(fragment)


# --- SSML and length ----------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "fragment"), SPOKEN, ids=ids(SPOKEN))
def test_valid_ssml(key: str, fragment: str) -> None:
    assert "<speak" not in fragment, f"{key}: content is a fragment, no <speak>"
    assert "&" not in fragment, f"{key}: write 'and', not '&'"
    try:
        ssml.validate(ssml.wrap(fragment))
    except ssml.SSMLError as error:
        pytest.fail(f"{key}: {error}")


@pytest.mark.parametrize(
    ("key", "response"), list(heard_responses()), ids=ids(list(heard_responses()))
)
def test_topic_responses_are_short(key: str, response: str) -> None:
    limit = MAX_FOLLOW_UP_WORDS if ".more[" in key else MAX_FIRST_WORDS
    assert words(response) <= limit, f"{key}: {words(response)} words (max {limit})"


def test_topics_and_medications_have_follow_ups() -> None:
    for file, topics in (("topics.yaml", C.topics), ("medications.yaml", C.medications)):
        for key, topic in topics.items():
            assert 1 <= len(topic.more) <= 3, f"{file}:{key}: 1 to 3 follow-ups"
            for index, follow_up in enumerate(topic.more):
                offer = C.offer(follow_up)
                assert offer.endswith("?"), f"{file}:{key}.more[{index}]: offer is a question"


def test_offer_template_is_a_yes_no_question() -> None:
    template = C.templates["offer"]
    assert "{offer}" in template, "prompts.yaml:templates.offer: needs {offer}"
    assert template.rstrip().endswith("?"), "prompts.yaml:templates.offer: a question"


@pytest.mark.parametrize("name", list(C.prompts))
def test_prompts_are_short(name: str) -> None:
    answer = C.prompts[name]
    assert words(answer.speech) <= MAX_PROMPT_WORDS, (
        f"prompts.yaml:responses.{name}: {words(answer.speech)} words"
    )


def test_launch_is_at_most_70_words() -> None:
    launch = C.prompts["launch"].speech
    assert words(launch) <= 70, f"prompts.yaml:responses.launch: {words(launch)} words"


@pytest.mark.parametrize("name", [name for name in C.prompts if name != "goodbye"])
def test_open_session_prompts_have_reprompts(name: str) -> None:
    assert C.prompts[name].reprompt, f"prompts.yaml:responses.{name}: needs a reprompt"


# --- required wording ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["launch", "help"])
def test_launch_and_help_have_disclaimer_and_emergency(name: str) -> None:
    heard = ssml.to_text(C.prompts[name].speech)
    assert DISCLAIMER in heard, f"prompts.yaml:responses.{name}: missing the disclaimer"
    assert "say emergency" in heard.lower(), f"prompts.yaml:responses.{name}: 'say emergency'"


def test_help_says_how_to_reach_the_emergency_first() -> None:
    """A frightened caller who says "help" hears Alexa's help answer: the way to the emergency
    guide comes before anything else, not after the menu."""
    words = ssml.to_text(C.prompts["help"].speech).lower().split()
    assert "emergency" in " ".join(words[:8]), " ".join(words[:8])


def test_fallback_and_error_mention_911() -> None:
    assert "9 1 1" in ssml.to_text(C.prompts["fallback"].speech), "prompts.yaml:responses.fallback"
    error = ssml.to_text(C.prompts["error"].speech).lower()
    assert "in an emergency, call 9 1 1" in error, "prompts.yaml:responses.error"


def test_unknown_medication_names_a_few_medicines_not_all_six() -> None:
    """Six medicine names in one breath is a list no one holds: at most three per sentence, and
    the caller can still ask about any of them."""
    heard = ssml.to_text(C.prompts["unknown_medication"].speech).lower()
    named = [name for name in schema.MEDICATIONS if name in heard]
    assert 2 <= len(named) < len(schema.MEDICATIONS), (
        f"prompts.yaml:responses.unknown_medication: names {named}"
    )
    assert "1-800-222-1222" in heard, "prompts.yaml:responses.unknown_medication: Poison Help"


@pytest.mark.parametrize(("key", "fragment"), SPOKEN, ids=ids(SPOKEN))
def test_disclaimer_only_in_launch_and_help(key: str, fragment: str) -> None:
    if key.startswith(("prompts.yaml:responses.launch", "prompts.yaml:responses.help")):
        return
    heard = ssml.to_text(fragment).lower()
    assert "medical advice" not in heard, f"{key}: the disclaimer belongs in launch and help"


def test_overdose_signs_ends_with_call_911() -> None:
    heard = ssml.to_text(C.topics["OverdoseSignsIntent"].answer.speech)
    assert heard.endswith("If this is happening now, call 9 1 1."), (
        "topics.yaml:OverdoseSignsIntent: must end with 'If this is happening now, call 9 1 1.'"
    )


def _heard(answer: model.Answer) -> str:
    return ssml.to_text(answer.speech)


def _topic_text(topic: model.Topic) -> str:
    return " ".join([_heard(topic.answer), *(_heard(f.answer) for f in topic.more)])


# The corrected facts themselves must be voiced (not just the bad claims left out).
REQUIRED_FACTS = [
    ("medications.yaml:methadone", "first", [r"can cause a fatal overdose", r"12 months"]),
    ("medications.yaml:methadone", "first", [r"alcohol", r"other opioids", r"as prescribed"]),
    ("medications.yaml:methadone", "first", [r"long-term maintenance"]),
    ("medications.yaml:buprenorphine", "first", [r"Suboxone", r"monthly injection", r"long-term"]),
    ("medications.yaml:buprenorphine", "first", [r"film or tablet with naloxone", r"on its own"]),
    ("medications.yaml:naltrexone", "first", [r"opioids only", r"7 to 10", r"Vivitrol"]),
    ("medications.yaml:naltrexone", "all", [r"overdose"]),
    (
        "medications.yaml:naloxone",
        "first",
        [r"Anyone can give", r"over the counter", r"opioids only", r"30 to 90", r"9 1 1"],
    ),
    ("medications.yaml:naloxone", "first", [r"repeat doses|more than one dose", r"anyway"]),
    ("medications.yaml:lofexidine", "first", [r"Lucemyra", r"withdrawal"]),
    ("medications.yaml:clonidine", "first", [r"blood pressure", r"off-label", r"withdrawal"]),
    ("topics.yaml:WithdrawalIntent", "all", [r"first one to three days", r"about a week"]),
    ("topics.yaml:WithdrawalIntent", "all", [r"tolerance drops", r"first step"]),
    ("topics.yaml:WithdrawalIntent", "all", [r"lofexidine", r"clonidine", r"buprenorphine"]),
    ("topics.yaml:TreatmentOptionsIntent", "first", [r"No single treatment fits everyone"]),
    ("topics.yaml:TreatmentOptionsIntent", "first", [r"inpatient", r"outpatient"]),
    ("topics.yaml:TreatmentOptionsIntent", "first", [r"Medicine is the most effective treatment"]),
    (
        "topics.yaml:TreatmentOptionsIntent",
        "all",
        [r"intensive outpatient", r"partial hospitalization"],
    ),
    ("topics.yaml:InterventionRefusedIntent", "first", [r"doesn't need to be voluntary"]),
    ("topics.yaml:InterventionRefusedIntent", "first", [r"boundaries", r"later"]),
    ("topics.yaml:InterventionRefusedIntent", "all", [r"craft", r"Nar-Anon"]),
    ("topics.yaml:PregnancyIntent", "first", [r"methadone", r"buprenorphine", r"doctor"]),
    ("topics.yaml:PregnancyIntent", "first", [r"don't stop suddenly"]),
    ("topics.yaml:MixingDrugsIntent", "first", [r"fentanyl", r"alcohol", r"benzodiazepines"]),
    ("topics.yaml:MixingDrugsIntent", "first", [r"anxiety or sleep", r"other opioids"]),
    ("topics.yaml:HeroinFactsIntent", "first", [r"morphine"]),
    ("topics.yaml:HeroinFactsIntent", "all", [r"prescription pain", r"tolerance"]),
    (
        "topics.yaml:HealthEffectsIntent",
        "all",
        [r"HIV", r"hepatitis", r"abscesses", r"heart"],
    ),
    ("topics.yaml:FindHelpIntent", "first", [r"1-800-662-4357", r"free", r"confidential"]),
    ("topics.yaml:FindHelpIntent", "first", [r"24 hours", r"doctor"]),
    ("topics.yaml:FindHelpIntent", "all", [r"treatment locator", r"9 8 8", r"1-800-222-1222"]),
    ("topics.yaml:TreatmentLengthIntent", "first", [r"three months", r"12 months", r"ongoing"]),
    (
        "topics.yaml:CostIntent",
        "first",
        [r"insurance", r"payment plans", r"sliding scale"],
    ),
    (
        "topics.yaml:AftercareIntent",
        "first",
        [r"relapse prevention", r"Narcotics Anonymous", r"SMART Recovery", r"sober living"],
    ),
    (
        "topics.yaml:TherapyIntent",
        "first",
        [r"cognitive behavioral", r"contingency management", r"counseling", r"family therapy"],
    ),
    # Medicines first (National Academies 2019): before therapy, and no one waits for counseling.
    (
        "topics.yaml:TherapyIntent",
        "first",
        [r"^Medicines are the most effective treatment", r"no one should wait"],
    ),
    ("topics.yaml:MedicationIntent", "first", [r"most effective treatment", r"no one should wait"]),
    # A confrontational intervention is one option; CRAFT beside it (Meyers et al. 1999).
    (
        "topics.yaml:InterventionTypesIntent",
        "first",
        [r"brief", r"formal", r"confrontational", r"craft", r"best evidence"],
    ),
    (
        "topics.yaml:InterventionTypesIntent",
        "all",
        [r"family system", r"crisis", r"Johnson model", r"Community Reinforcement"],
    ),
    # The topics the seeds miss, with what CONTENT.md says they must hold.
    ("topics.yaml:CrisisIntent", "first", [r"9 8 8", r"9 1 1", r"in danger right now"]),
    ("topics.yaml:FentanylIntent", "first", [r"test strips", r"much stronger than heroin"]),
    ("topics.yaml:FentanylIntent", "all", [r"legal varies by state|varies by state"]),
    (
        "topics.yaml:XylazineIntent",
        "first",
        [r"isn't an opioid", r"naloxone anyway", r"9 1 1", r"CPR"],
    ),
    ("topics.yaml:GetNaloxoneIntent", "first", [r"pharmacies", r"without a prescription", r"free"]),
    ("topics.yaml:NeverUseAloneIntent", "first", [r"not to use alone", r"naloxone", r"9 1 1"]),
    ("topics.yaml:HarmReductionIntent", "first", [r"sterile", r"naloxone", r"treatment"]),
    (
        "topics.yaml:WithdrawalOrOverdoseIntent",
        "first",
        [r"can't be woken", r"breathing", r"awake", r"9 1 1"],
    ),
    ("topics.yaml:AfterOverdoseIntent", "first", [r"hospital", r"30 to 90", r"buprenorphine"]),
    (
        "topics.yaml:QuitIntent",
        "first",
        [r"most effective treatment", r"doctor", r"1-800-662-4357", r"cold turkey"],
    ),
    ("topics.yaml:FamilyHelpIntent", "first", [r"craft", r"Nar-Anon", r"yourself", r"naloxone"]),
    ("topics.yaml:FamilyHelpIntent", "all", [r"Community Reinforcement and Family Training"]),
]


@pytest.mark.parametrize(("key", "scope", "patterns"), REQUIRED_FACTS)
def test_required_facts_are_voiced(key: str, scope: str, patterns: list[str]) -> None:
    file, name = key.split(":")
    topic = (C.medications if file == "medications.yaml" else C.topics)[name]
    text = _heard(topic.answer) if scope == "first" else _topic_text(topic)
    for pattern in patterns:
        assert re.search(pattern, text, re.IGNORECASE), f"{key}: must say {pattern!r}"


# --- sources ------------------------------------------------------------------------------------

SOURCES = yaml.safe_load(SOURCES_FILE.read_text(encoding="utf-8"))


def all_answers() -> Iterator[tuple[str, model.Answer]]:
    for answer in C.answers():
        yield answer.key, answer


@pytest.mark.parametrize(
    ("key", "answer"),
    [(k, a) for k, a in all_answers() if not k.startswith("prompts.yaml")],
    ids=[k for k, _ in all_answers() if not k.startswith("prompts.yaml")],
)
def test_every_content_answer_cites_a_source(key: str, answer: model.Answer) -> None:
    assert answer.sources, f"{key}: list at least one source"


def test_cited_seeds_exist() -> None:
    listed = set(SOURCES["seeds"])
    for key, answer in all_answers():
        for source in answer.sources:
            if source.startswith("seed:"):
                name = source.removeprefix("seed:")
                assert name in listed, f"{key}: {source} is not listed in sources.yaml:seeds"
    if not SEEDS_DIR.is_dir():
        pytest.skip(f"{SEEDS_DIR} is absent")
    on_disk = {path.name for path in SEEDS_DIR.iterdir()}
    assert listed == on_disk, f"sources.yaml:seeds should list exactly {sorted(on_disk)}"
    for key, answer in all_answers():
        for source in answer.sources:
            if source.startswith("seed:"):
                assert source.removeprefix("seed:") in on_disk, f"{key}: no seed {source}"


# A correction, when voiced, cites the authority CONTENT.md names for it (any one of them).
CORRECTION_AUTHORITIES = [
    (r"can cause a fatal overdose", {"FDA methadone label", "FDA naltrexone label"}),
    (r"30 to 90", {"SAMHSA Opioid Overdose Prevention Toolkit", "FDA OTC Narcan"}),
    (r"over the counter", {"FDA OTC Narcan"}),
    (
        r"opioids only",
        {
            "FDA naltrexone label",
            "NIDA",
            "FDA OTC Narcan",
            "SAMHSA Opioid Overdose Prevention Toolkit",
        },
    ),
    (r"7 to 10", {"FDA naltrexone label", "NIDA"}),
    (r"12 months|long-term maintenance", {"NIDA"}),
    (r"one to three days|about a week", {"NIDA"}),
    (r"cold turkey|first step", {"NIDA Principles", "WHO 2009 guidelines"}),
    (r"tolerance drops", {"NIDA", "WHO 2009 guidelines"}),
    (r"voluntary", {"NIDA Principles"}),
    (r"no single treatment", {"NIDA Principles"}),
    (r"fentanyl", {"NIDA", "CDC", "FDA OTC Narcan"}),
    (r"most effective treatment|save lives", {"National Academies 2019"}),
    (r"\bcraft\b|Community Reinforcement", {"Meyers et al. 1999"}),
    (r"protect the person who calls|good samaritan", {"CDC"}),
    (r"xylazine|test strips?|syringe services", {"CDC"}),
    (r"start CPR", {"AHA"}),
    (r"locked away|kill a child", {"FDA methadone label", "FDA", "Poison Help"}),
    (r"pregnan", {"ACOG", "SAMHSA"}),
    (r"misconception|myth", {"NIDA"}),
    (r"9 8 8", {"988 Suicide and Crisis Lifeline"}),
    (r"1-800-222-1222", {"Poison Help"}),
    (r"1-800-662-4357", {"SAMHSA National Helpline", "seed:000_5f3a02ada4275c82.txt"}),
]


@pytest.mark.parametrize(
    ("key", "answer"),
    list(all_answers()),
    ids=[k for k, _ in all_answers()],
)
def test_corrections_cite_their_authority(key: str, answer: model.Answer) -> None:
    heard = ssml.to_text(answer.speech)
    for pattern, authorities in CORRECTION_AUTHORITIES:
        if re.search(pattern, heard, re.IGNORECASE):
            assert authorities & set(answer.sources), (
                f"{key}: says {pattern!r}, so cite one of {sorted(authorities)}"
            )


# --- written for the ear -----------------------------------------------------------------------

HEARD = [(key, ssml.to_text(fragment)) for key, fragment in SPOKEN]


@pytest.mark.parametrize(("key", "heard"), HEARD, ids=ids(HEARD))
def test_no_parentheses_or_semicolons(key: str, heard: str) -> None:
    assert not punctuation_for_the_eye(heard), f"{key}: {punctuation_for_the_eye(heard)} in {heard}"


@pytest.mark.parametrize(("key", "heard"), HEARD, ids=ids(HEARD))
def test_spoken_lists_have_at_most_three_items(key: str, heard: str) -> None:
    assert not long_lists(heard), f"{key}: more than three items in {long_lists(heard)}"


@pytest.mark.parametrize(("key", "heard"), HEARD, ids=ids(HEARD))
def test_each_phone_number_is_said_once(key: str, heard: str) -> None:
    assert not repeated_numbers(heard), f"{key}: {repeated_numbers(heard)} said twice: {heard}"


@pytest.mark.parametrize(
    "old",
    [
        # The wording these rules replaced, quoted from the content before the revision.
        "No single treatment fits everyone. Options include medical detox, to get through "
        "withdrawal safely; inpatient or residential care, where you live on site; outpatient "
        "care, where you live at home; and medicine such as methadone or buprenorphine.",
        "I can tell you about methadone, buprenorphine, naltrexone, naloxone, lofexidine and "
        "clonidine.",
        "Signs of an opioid overdose include: they won't wake up or respond, breathing that is "
        "very slow, shallow or has stopped, choking, gurgling or snoring sounds, tiny pupils, "
        "pale, cold, clammy skin, and blue or gray lips and fingertips.",
        "Mixing heroin with alcohol, benzodiazepines, sleeping pills or other opioids is "
        "especially dangerous.",
        "Lofexidine, sold as Lucemyra, is a non-opioid medicine that eases withdrawal symptoms "
        "such as aches, chills, sweating, stomach cramps and anxiety during detox.",
        "Naloxone (Narcan) reverses an overdose.",
        "Call 1-800-662-4357 now. The number is 1-800-662-4357.",
    ],
)
def test_the_ear_rules_catch_the_old_wording(old: str) -> None:
    assert long_lists(old) or punctuation_for_the_eye(old) or repeated_numbers(old), old


# --- CONTENT.md's revised rules: each check, and the old wording it catches ------------------


def _first(key: str) -> str:
    file, name = key.split(":")
    return _heard((C.medications if file == "medications.yaml" else C.topics)[name].answer)


def test_crisis_says_988_first() -> None:
    heard = _first("topics.yaml:CrisisIntent")
    assert says_988_first(heard), f"topics.yaml:CrisisIntent: 9 8 8 in the first 12 words: {heard}"


def test_crisis_rule_catches_988_last() -> None:
    """The old answer to "i want to kill myself" was the treatment helpline, with 988 last."""
    old = (
        "Call the SAMHSA National Helpline at 1-800-662-4357. It's free, confidential and open 24 "
        "hours a day, every day. For a mental health crisis, call or text 9 8 8."
    )
    assert not says_988_first(old)


def test_every_crisis_part_gives_988() -> None:
    topic = C.topics["CrisisIntent"]
    for index, follow_up in enumerate(topic.more):
        assert "9 8 8" in _heard(follow_up.answer), f"topics.yaml:CrisisIntent.more[{index}]"


def test_good_samaritan_answer_opens_with_cdc_wording() -> None:
    heard = _first("topics.yaml:GoodSamaritanIntent")
    assert heard.startswith(GOOD_SAMARITAN_SENTENCE), f"topics.yaml:GoodSamaritanIntent: {heard}"
    old = "If you call 9 1 1, the police may come, so think about whether to call."
    assert not old.startswith(GOOD_SAMARITAN_SENTENCE)


@pytest.mark.parametrize(("key", "heard"), HEARD, ids=ids(HEARD))
def test_test_strips_come_with_negative_does_not_mean_safe(key: str, heard: str) -> None:
    assert not strip_caveat_missing(heard), f"{key}: a negative strip doesn't mean safe: {heard}"


def test_strip_rule_catches_strips_without_the_caveat() -> None:
    assert strip_caveat_missing("Fentanyl test strips show whether fentanyl is in a drug.")
    assert not strip_caveat_missing(
        "Test strips can show fentanyl, but a negative strip doesn't mean it's safe."
    )


@pytest.mark.parametrize(("key", "heard"), HEARD, ids=ids(HEARD))
def test_xylazine_answers_say_give_naloxone_anyway(key: str, heard: str) -> None:
    assert not xylazine_without_give_anyway(heard), f"{key}: give naloxone anyway: {heard}"


def test_xylazine_rule_catches_reverses_opioids_only() -> None:
    old = "Xylazine is not an opioid. Naloxone reverses opioids only, so it won't help."
    assert xylazine_without_give_anyway(old)


@pytest.mark.parametrize("medicine", ["methadone", "buprenorphine"])
def test_methadone_and_buprenorphine_say_keep_it_locked_away(medicine: str) -> None:
    topic = C.medications[medicine]
    assert LOCKED_AWAY_SENTENCE in _heard(topic.answer), f"medications.yaml:{medicine}"
    safety = topic.more[topic.lead_for("safety") - 1]
    assert "one dose can kill a child" in _heard(safety.answer).lower(), (
        f"medications.yaml:{medicine}: the safety part warns of children too"
    )
    assert "1-800-222-1222" in _heard(safety.answer), f"medications.yaml:{medicine}: Poison Help"


def test_locked_away_rule_catches_the_old_methadone_answer() -> None:
    old = (
        "Methadone is a long-acting opioid medicine that eases withdrawal and cravings. It's a "
        "long-term maintenance treatment, and 12 months is a usual minimum."
    )
    assert LOCKED_AWAY_SENTENCE not in old


def test_the_intervention_guide_does_not_make_an_interventionist_essential() -> None:
    first = ssml.to_text(C.guides["intervention"].first_step.answer.speech)
    assert "craft" in first.lower(), "guides.yaml:intervention: offer CRAFT beside a confrontation"
    assert "interventionist" not in first.lower(), (
        "guides.yaml:intervention: step one must not present an interventionist as the way"
    )


# --- the guides ---------------------------------------------------------------------------------

OVERDOSE = C.guides["overdose"]
INTERVENTION = C.guides["intervention"]

ACKNOWLEDGEMENTS = list(OVERDOSE.acknowledgements.values())


def test_the_overdose_guide_holds_the_session_and_opens_with_911() -> None:
    assert OVERDOSE.sticky, "guides.yaml:overdose.sticky must be true"
    fallback = OVERDOSE.opening[-1]
    assert fallback.step == "call" and not fallback.when, (
        "guides.yaml:overdose.opening: when nothing else holds, the first response is the call"
    )


@pytest.mark.parametrize("guide", [OVERDOSE, INTERVENTION], ids=lambda g: g.name)
def test_every_step_is_well_formed(guide: model.Guide) -> None:
    for step in guide.steps.values():
        where = f"guides.yaml:{guide.name}.steps.{step.id}"
        assert step.answer.reprompt, f"{where}: needs a reprompt (the session stays open)"
        if step.is_question:
            heard = ssml.to_text(step.answer.speech)
            assert "?" in heard and "yes or no" in heard, f"{where}: ask, and say how to answer"
            assert not step.sets and not step.final, f"{where}: a question only asks"
    finals = [step.id for step in guide.steps.values() if step.final]
    assert finals, f"guides.yaml:{guide.name}: a guide ends somewhere"


def test_overdose_first_words_are_call_911() -> None:
    heard = ssml.to_text(OVERDOSE.steps["call"].answer.speech)
    assert heard.startswith("Call 9 1 1"), f"guides.yaml:overdose.steps.call: starts {heard!r}"
    for phrase in ("can't dial", "speaker", "address", "not breathing", "won't wake up"):
        assert phrase in heard, f"guides.yaml:overdose.steps.call: say {phrase!r}"
    assert "dispatcher" in heard, "guides.yaml:overdose.steps.call: follow the dispatcher"


@pytest.mark.parametrize("step", list(OVERDOSE.steps.values()), ids=lambda s: s.id)
def test_overdose_steps_are_short_and_plain(step: model.GuideStep) -> None:
    where = f"guides.yaml:overdose.steps.{step.id}"
    heard = ssml.to_text(step.answer.speech)
    longest = max(["", *ACKNOWLEDGEMENTS], key=words)
    with_acknowledgement = f"{longest} {step.answer.speech}"
    assert words(with_acknowledgement) <= MAX_OVERDOSE_STEP_WORDS, (
        f"{where}: {words(with_acknowledgement)} words with the longest acknowledgement "
        f"(max {MAX_OVERDOSE_STEP_WORDS})"
    )
    lowered = heard.lower()
    for phrase in ("medical advice", "general information", "welcome", "hello", "heroin help"):
        assert phrase not in lowered, f"{where}: no greeting or disclaimer ({phrase!r})"
    for sentence in re.split(r"(?<=[.?!])\s+", heard):
        assert len(sentence.split()) <= 20, f"{where}: one short sentence per instruction"


@pytest.mark.parametrize("step", list(OVERDOSE.steps.values()), ids=lambda s: s.id)
def test_a_reminder_with_the_steps_own_cue_is_short(step: model.GuideStep) -> None:
    cue = step.answer.reprompt or step.answer.speech
    for name in ("unrecognised", "good_samaritan"):
        turn = f"{OVERDOSE.prompts[name]} {cue}"
        assert words(turn) <= MAX_OVERDOSE_STEP_WORDS, f"guides.yaml:overdose.steps.{step.id}"


@pytest.mark.parametrize("name", list(OVERDOSE.prompts))
def test_overdose_prompts_are_short(name: str) -> None:
    prompt = OVERDOSE.prompts[name]
    assert words(prompt) <= MAX_OVERDOSE_PROMPT_WORDS, f"guides.yaml:overdose.prompts.{name}"
    assert "medical advice" not in ssml.to_text(prompt), f"guides.yaml:overdose.prompts.{name}"


def test_overdose_unrecognised_reminds_to_call() -> None:
    assert "9 1 1" in ssml.to_text(OVERDOSE.prompts["unrecognised"]), (
        "guides.yaml:overdose.prompts.unrecognised: remind the caller to call 9 1 1"
    )


def test_the_come_back_line_is_one_short_sentence() -> None:
    line = ssml.to_text(OVERDOSE.prompts["come_back"])
    assert line == "When you're ready, say: Alexa, ask Heroin Help for the next step."


def test_the_good_samaritan_answer_is_cdc_wording_in_one_sentence() -> None:
    heard = ssml.to_text(OVERDOSE.prompts["good_samaritan"])
    assert heard.startswith("Call anyway: most states have laws that protect")
    assert heard.count(".") == 1


# CONTENT.md "The emergency answer", revised after the clinical review: what each step must say.
REQUIRED_STEP_WORDING = {
    "check": ["Shout their name", "breastbone", "Do they respond?"],
    "naloxone": ["Narcan"],
    "give_naloxone": [
        "on their back",
        "until your fingers touch the nose",
        "press the plunger",
        "one dose",
        "don't test it",
    ],
    "breathing": ["Gasping or gurgling is not breathing"],
    "cpr": [
        "Push hard and fast in the middle of the chest",
        "100 to 120 times a minute",
        "2 breaths after every 30 pushes",
        "Follow the dispatcher",
        "Don't stop to talk to me",
        "Keep going",
    ],
    "repeat_dose": ["2 to 3 minutes", "other nostril", "new device", "Fentanyl may need more"],
    "recovery": ["onto their side"],
    "awake_after_naloxone": ["sick, shaky or angry", "withdrawal", "Don't let them use again"],
    "awake_now": ["Don't let them use again", "Stay with them"],
    "stay_after_naloxone": [
        "30 to 90 minutes",
        "If breathing stops again, give another dose and start CPR again",
    ],
    "stay": ["Stay with them until help arrives", "start CPR"],
    "donts": ["vomit", "cold bath", "inject", "alone", "sleep it off"],
    "poison_help": ["Poison Help", "1-800-222-1222", "even if they seem fine", "hours later"],
    "poison_watch": ["call 9 1 1", "locked away"],
    "pet_vet": ["vet", "emergency animal hospital"],
}


@pytest.mark.parametrize(("step", "phrases"), list(REQUIRED_STEP_WORDING.items()))
def test_overdose_step_content(step: str, phrases: list[str]) -> None:
    heard = ssml.to_text(OVERDOSE.steps[step].answer.speech)
    for phrase in phrases:
        assert phrase in heard, f"guides.yaml:overdose.steps.{step}: say {phrase!r}"


# What the clinical review found wrong in the old guide: breaths without chest compressions,
# and steps that assume naloxone or breaths the caller never gave.
OLD_GUIDE_WORDING = [
    r"rescue breath",
    r"one breath every 5 seconds",
    r"keep giving breaths",
    r"one spray into one nostril",
]


@pytest.mark.parametrize("step", list(OVERDOSE.steps.values()), ids=lambda s: s.id)
def test_no_step_says_what_the_clinical_review_took_out(step: model.GuideStep) -> None:
    heard = ssml.to_text(f"{step.answer.speech} {step.answer.reprompt or ''}")
    for pattern in OLD_GUIDE_WORDING:
        assert not re.search(pattern, heard, re.IGNORECASE), (
            f"guides.yaml:overdose.steps.{step.id}: {pattern!r} was removed after the review"
        )


def test_naloxone_wearing_off_is_said_only_after_a_dose() -> None:
    for entry in OVERDOSE.plan:
        heard = ssml.to_text(OVERDOSE.steps[entry.step].answer.speech)
        if "wears off" in heard:
            assert entry.when.get("dosed") == ("yes",), (
                f"guides.yaml:overdose.plan: {entry.step} says naloxone wears off; "
                "it must be due only after a dose"
            )


def test_the_cpr_beat_is_long_enough_to_follow() -> None:
    assert OVERDOSE.rhythm is not None, "guides.yaml:overdose.rhythm"
    beats = ssml.to_text(OVERDOSE.rhythm.speech).lower().split().count("push")
    assert beats >= 30, "guides.yaml:overdose.rhythm: one round of 30 pushes at least"


def test_intervention_guide() -> None:
    assert not INTERVENTION.sticky, "guides.yaml:intervention.sticky must be false"
    order = [INTERVENTION.steps[entry.step] for entry in INTERVENTION.plan]
    assert len(order) == 5, "guides.yaml:intervention: five steps, one per turn"
    first = ssml.to_text(order[0].answer.speech)
    assert first.startswith("Here's how to stage an intervention"), (
        "guides.yaml:intervention.steps.professional: start with the one-sentence intro"
    )
    for step in order:
        assert words(step.answer.speech) <= 70, f"guides.yaml:intervention.steps.{step.id}"
    assert "No single treatment fits everyone" in ssml.to_text(order[-1].answer.speech), (
        f"guides.yaml:intervention.steps.{order[-1].id}: no single treatment fits everyone"
    )
    assert order[-1].final, "guides.yaml:intervention: the last step ends the guide"
