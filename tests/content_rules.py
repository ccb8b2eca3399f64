"""CONTENT.md's rules as data and functions: what the skill can say, and the claims it must not.

The content-safety and conversation tests both check against these, so each rule is written once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from speech import content, ssml

LOCALE = "en-US"
C = content.load(LOCALE)
REPO = Path(__file__).resolve().parents[1]
SEEDS_DIR = REPO.parent / "shared" / "seeds"

DISCLAIMER = "I share general information, not medical advice. In an emergency, call 9 1 1."
MAX_FIRST_WORDS = 70
MAX_FOLLOW_UP_WORDS = 70
MAX_OVERDOSE_STEP_WORDS = 45
MAX_OVERDOSE_PROMPT_WORDS = 45
MAX_PROMPT_WORDS = 70

# CONTENT.md's en-US phone table: the only numbers the skill may speak.
ALLOWED_EN_US_NUMBERS = {"911", "1-800-662-4357", "988", "1-800-222-1222"}
# Four-digit runs that are years, not phone numbers ("sold over the counter since 2023").
ALLOWED_YEARS = {"2023"}
# Rates that are not phone numbers: chest compressions a minute (AHA).
ALLOWED_RATES = {"100 to 120"}


# --- what the skill can say -------------------------------------------------------------------


def words(fragment: str) -> int:
    """Words as heard: whitespace-separated tokens of the plain text, tags removed."""
    return len(ssml.to_text(fragment).split())


def spoken_items() -> Iterator[tuple[str, str]]:
    """(key, SSML fragment) for every separate thing the skill can speak."""
    for answer in C.answers():
        yield answer.key, answer.speech
        if answer.reprompt is not None:
            yield f"{answer.key}.reprompt", answer.reprompt
    for key, response in heard_responses():
        yield f"{key} (as heard)", response
    for guide in C.guides.values():
        for name, prompt in guide.prompts.items():
            yield f"guides.yaml:{guide.name}.prompts.{name}", prompt


def heard_responses() -> Iterator[tuple[str, str]]:
    """Topic and medication responses as spoken: speech plus the offer question appended."""
    for file, topics in (("topics.yaml", C.topics), ("medications.yaml", C.medications)):
        for key, topic in topics.items():
            first = topic.answer.speech
            if topic.more:
                first = f"{first} {C.offer(topic.more[0])}"
            yield f"{file}:{key}", first
            for index, follow_up in enumerate(topic.more):
                response = follow_up.answer.speech
                if index + 1 < len(topic.more):
                    response = f"{response} {C.offer(topic.more[index + 1])}"
                yield f"{file}:{key}.more[{index}]", response


def written_items() -> Iterator[tuple[str, str]]:
    """Plain text shown on cards or used in offers (titles, offers, guide titles)."""
    for file, topics in (("topics.yaml", C.topics), ("medications.yaml", C.medications)):
        for key, topic in topics.items():
            yield f"{file}:{key}.title", topic.title
            for index, follow_up in enumerate(topic.more):
                yield f"{file}:{key}.more[{index}].offer", follow_up.offer
    for guide in C.guides.values():
        yield f"guides.yaml:{guide.name}.title", guide.title


def texts(fragment: str) -> tuple[str, str]:
    """What is heard (sub aliases) and what is written (sub content), both as plain text."""
    heard = ssml.to_text(fragment)
    written = " ".join(re.sub(r"<[^>]+>", " ", fragment).split())
    return heard, written


SPOKEN = list(spoken_items())
WRITTEN = list(written_items())
ALL_TEXT = [(key, text) for key, fragment in SPOKEN for text in texts(fragment)] + WRITTEN


def ids(items: list[tuple[str, str]]) -> list[str]:
    return [key for key, _ in items]


# --- negation: a correction may name a bad claim only to deny it ------------------------------

_NEGATION = re.compile(
    r"\b(not|never|no|don't|doesn't|isn't|aren't|won't|can't|cannot|rarely|avoid)\b|n't\b",
    re.IGNORECASE,
)


def _sentence_around(text: str, start: int, end: int) -> tuple[str, str, str]:
    """The sentence containing text[start:end], split into before, match, after."""
    left = max(text.rfind(mark, 0, start) for mark in ".!?;:") + 1
    rights = [i for i in (text.find(mark, end) for mark in ".!?;:") if i != -1]
    right = min(rights) if rights else len(text)
    return text[left:start], text[start:end], text[end:right]


def negated_before(text: str, match: re.Match[str]) -> bool:
    """A negation earlier in the same sentence: "doesn't need to be voluntary"."""
    before, _, _ = _sentence_around(text, match.start(), match.end())
    return bool(_NEGATION.search(before))


def negated_in_sentence(text: str, match: re.Match[str]) -> bool:
    """A negation or warning anywhere in the sentence: "cold turkey is not recommended"."""
    before, _, after = _sentence_around(text, match.start(), match.end())
    return bool(_NEGATION.search(before) or _NEGATION.search(after))


def always_bad(text: str, match: re.Match[str]) -> bool:
    return False


# (name, pattern, exemption) — the bad claims from CONTENT.md's corrections and never-voice list.
Exemption = Callable[[str, re.Match[str]], bool]

FORBIDDEN: list[tuple[str, str, Exemption]] = [
    # methadone has "no overdose risk" (FDA methadone label)
    (
        "methadone no overdose risk",
        r"\bno (risk of )?overdose|no overdose risk|impossible to overdose|"
        r"\b(cannot|can't|won't|will not|does not|doesn't) (cause|lead to) (an |a fatal )?overdose|"
        r"without (any )?(the )?risk of overdose|safer than heroin because",
        always_bad,
    ),
    # naloxone given once in medical care, reverses "all symptoms" (SAMHSA toolkit; FDA OTC Narcan)
    (
        "naloxone reverses all",
        r"\breverses? all|\ball (of the |the )?symptoms|\b(all|any|every) overdoses?\b|"
        r"works on (all|any|every)|reverses? (any|every) (drug|substance)|"
        r"only (in|at) (a |the )?hospital|only (a )?(doctors?|nurses?|paramedics?|medical"
        r" (staff|professionals?)) can|(one|a single) dose is (always )?enough",
        always_bad,
    ),
    # "few options short of using more heroin" (NIDA; WHO 2009 guidelines)
    (
        "withdrawal: few options but more heroin",
        r"\b(few|no|not many) options|short of using|only (way|thing|option)\b.{0,30}"
        r"\b(use|using|take|taking) more",
        always_bad,
    ),
    # "cold turkey" / detox alone is enough (NIDA Principles; WHO)
    ("cold turkey", r"\bcold[- ]turkey\b", negated_in_sentence),
    (
        "detox alone is enough",
        r"\bdetox(ing|ification)?( alone| on (your|their) own| at home| by itself)? "
        r"(is|was|can be) (enough|sufficient|all (you|they) need|fine|safe)",
        negated_before,
    ),
    # "sedative medications" (FDA boxed warning) — never voiced, in any form
    ("sedative", r"\bsedat", always_bad),
    # naltrexone makes "any drug use" ineffective (FDA label; NIDA)
    (
        "naltrexone blocks any drug",
        r"\b(any|every|all)( other)? drugs?\b(?! that)|\bineffective\b|"
        r"(blocks|stops) (alcohol|cocaine|meth|stimulants)",
        always_bad,
    ),
    # methadone / buprenorphine tapered off quickly (NIDA)
    (
        "quick taper",
        r"\btaper(ed|ing)? (off )?(quickly|rapidly|fast|soon)|\b(quickly|rapidly) (taper|wean)|"
        r"\bwean(ed|ing)? (off )?(quickly|rapidly|fast)|reduced until .{0,30}drug[- ]free|"
        r"(methadone|buprenorphine)\b.{0,60}\bshort[- ]term|\bshort[- ]term\b.{0,60}"
        r"(methadone|buprenorphine)",
        always_bad,
    ),
    # treatment must be 100% voluntary (NIDA Principles)
    (
        "treatment must be voluntary",
        r"\b(must|has to|have to|needs? to|should) be (100 ?%|one hundred percent|completely|"
        r"fully|entirely|totally)? ?voluntary",
        negated_before,
    ),
    ("100% voluntary", r"100 ?%|hundred percent voluntary", always_bad),
    # treatment almost always starts inpatient (NIDA Principles)
    (
        "always starts inpatient",
        r"\b(almost )?always (begins?|starts?) (with|in) (inpatient|residential)|"
        r"\b(must|has to|needs to) (begin|start) (with |in )?(inpatient|residential)|"
        r"\binpatient (treatment |care )?is (always )?required|\brequires? (an )?inpatient",
        always_bad,
    ),
    # heroin is cut with sugar, starch, milk, quinine (NIDA: fentanyl is the danger)
    ("cut with fillers", r"\b(sugar|starch|quinine|powdered milk)\b|\bcut with\b", always_bad),
    # withdrawal peaks at 48-72 h (NIDA)
    (
        "withdrawal peaks at 48-72 hours",
        r"\b48 ?(to|and|or|-|–) ?72\b|\b(48|72) hours\b|\bpeaks? (at|between|around|by)\b",
        always_bad,
    ),
    # pregnancy: stopping suddenly without a doctor (ACOG; SAMHSA); also any sudden stop advice
    (
        "stop suddenly",
        r"\b(stop|quit)(ping)? (\w+ )?(suddenly|abruptly|right away|immediately|cold turkey)",
        negated_before,
    ),
    # MAT as "trading one addiction for another" is voiced only as a misconception (checked below)
    # intervention fees and any price
    (
        "fees or prices",
        r"\$|\bdollars?\b|\bcents?\b|\d{1,3},\d{3}|\bcosts? (between|from|about|around|up to|"
        r"roughly)\b|\bfees? (of|range|between|start)",
        always_bad,
    ),
    # statistics (the seeds disagree with each other)
    (
        "statistics",
        r"\d+(\.\d+)? ?(%|percent|per ?cent)|\bper ?cent\b|\b(million|billion|thousand|hundred)s?\b"
        r"|\b\d+ (out of|in) (\d+|ten|a hundred)\b|\b(one|two|three|four|five|six|seven|eight|nine)"
        r" (out of|in) (ten|five|four|three|a hundred|\d+)\b|\b(doubled|tripled|quadrupled)\b|"
        r"\btimes (more|higher|as likely)\b|\bdeaths? (per|each|every) year\b",
        always_bad,
    ),
    # how to use heroin, or which route "works best"
    (
        "routes of use",
        r"\b(snort|sniff)\w*|\bsmok(e|es|ed|ing) (heroin|it)\b|\bworks? best\b|"
        r"\b(best|safest|most effective) (way|route)|\broutes?\b|\bget(ting)? high\b|"
        r"\bhow to (inject|snort|smoke|shoot|use heroin)|\bshoot(ing)? up\b",
        always_bad,
    ),
    # commercial content
    (
        "sponsor or commercial content",
        r"centric|american addiction centers|\baac\b|better ?help|addiction group|addiction help|"
        r"rehabs directory|association of intervention specialists|paid advertising|\bsponsor|"
        r"verify (your )?insurance|insurance checker|find treatment now|\b8(88|77|66|55|44|33)\b",
        always_bad,
    ),
    # no blame, in the skill's own words
    (
        "stigmatising words",
        r"\baddicts?\b|\bjunkies?\b|\babus(e|er|ers|ing)\b|\b(drug|heroin|opioid) users?\b|"
        r"\bdope ?fiends?\b|\bclean\b|\bdirty\b",
        always_bad,
    ),
]

MAT_MISCONCEPTION = re.compile(
    r"trad(e|es|ing) one addiction|(replac|swap|substitut)\w* one (addiction|drug)|"
    r"one (addiction|drug) for another",
    re.IGNORECASE,
)
SAID_AS_MYTH = re.compile(r"\b(misconception|myth)\b", re.IGNORECASE)
