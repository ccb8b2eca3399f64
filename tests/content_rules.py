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
    """Topic and medication responses as spoken: each part with the offer of the part after it,
    in every order a question can start (see LocaleContent.heard)."""
    for heard in C.heard():
        if heard.key.startswith(("topics.yaml", "medications.yaml")):
            yield heard.key, heard.speech


def written_items() -> Iterator[tuple[str, str]]:
    """Plain text shown on cards or used in offers (titles, offers, guide titles)."""
    for file, topics in (("topics.yaml", C.topics), ("medications.yaml", C.medications)):
        for key, topic in topics.items():
            yield f"{file}:{key}.title", topic.title
            if topic.offer is not None:
                yield f"{file}:{key}.offer", topic.offer
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


# --- phone numbers: only CONTENT.md's, said as digits or a telephone say-as -----------------


def _digits(number: str) -> str:
    return re.sub(r"\D", "", number)


ALLOWED_DIGITS = {_digits(phone.number) for phone in C.phone_numbers}


def phone_problems(fragment: str) -> list[str]:
    problems: list[str] = []
    root = ssml.parse(fragment)
    telephones = []
    for element in root.iter("say-as"):
        if element.get("interpret-as") == "telephone":
            number = "".join(element.itertext()).strip()
            telephones.append(number)
            if _digits(number) not in ALLOWED_DIGITS:
                problems.append(f"telephone {number!r} is not an allowed number")
            elif len(_digits(number)) <= 3:
                problems.append(f"short number {number!r} must be plain spaced digits")
    heard, written = texts(fragment)
    for text in (heard, written):
        for number in telephones:
            text = text.replace(number, " ")
        # Spaced digits ("9 1 1", "9 8 8") are read digit by digit: a phone number.
        for match in re.finditer(r"(?<![\d-])\d(?: \d){2,}(?![\d-])", text):
            if _digits(match.group(0)) not in ALLOWED_DIGITS:
                problems.append(f"spaced number {match.group(0)!r} is not an allowed number")
        text = re.sub(r"(?<![\d-])\d(?: \d){2,}(?![\d-])", " ", text)
        # Anything else: small numbers only ("5 seconds", "30 to 90", "7 to 10", "12 months").
        for match in re.finditer(r"\d[\d\-.() ]*\d|\d", text):
            run = match.group(0).strip()
            for part in re.findall(r"\d+", run):
                if len(part) <= 2 or part in ALLOWED_YEARS:
                    continue
                problems.append(
                    f"number {run!r} must be an allowed number written as spaced digits or "
                    "a telephone say-as"
                )
    return problems


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
    # buprenorphine: the Subutex brand is no longer sold in the US (FDA)
    ("Subutex", r"\bsubutex\b", always_bad),
    # medicines first: therapy is not "at the heart of" treatment, and medicine is not an add-on
    # to counseling (National Academies 2019; NIDA)
    (
        "therapy at the heart of treatment",
        r"\bheart of (the |all )?(treatment|recovery)|\b(therapy|counsel+ing) is the (core|center|"
        r"centre|most important part)",
        always_bad,
    ),
    (
        "medicine only alongside counseling",
        r"\balongside (counsel+ing|therapy)|\b(medicine|medication)s? (helps?|works?) (best|most) "
        r"(alongside|with|when combined with) (counsel+ing|therapy)|only (alongside|with) "
        r"(counsel+ing|therapy)",
        always_bad,
    ),
    # a professional interventionist is not essential (Meyers et al. 1999; SAMHSA)
    (
        "interventionist essential",
        r"\bget help from a professional interventionist|\binterventionists? (is|are) (essential|"
        r"necessary|required|a must)|\b(need|must have|must hire|have to hire) an? (professional )?"
        r"interventionist",
        always_bad,
    ),
    # a negative fentanyl test strip does not mean safe (CDC)
    (
        "negative strip means safe",
        r"\bnegative (strip|result|test)s? (means?|shows?) (it'?s |it is |the drug is )?safe",
        always_bad,
    ),
    # naloxone does not reverse xylazine, but is given anyway (CDC)
    (
        "naloxone reverses xylazine",
        r"\b(naloxone|narcan) (reverses|works on|wakes (people|someone) (up )?from) "
        r"(xylazine|tranq)",
        negated_before,
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


# --- CONTENT.md's positive rules: what an answer must say, as checks on its heard text ---------

CRISIS_988_WITHIN_WORDS = 12
GOOD_SAMARITAN_SENTENCE = (
    "Call anyway: most states have laws that protect the person who calls and the person "
    "overdosing from some drug charges."
)
LOCKED_AWAY_SENTENCE = "Keep it locked away: one dose can kill a child."
_SPOKEN_NUMBERS = {
    "9 1 1": "911",
    "9 8 8": "988",
    "1-800-662-4357": "1-800-662-4357",
    "1-800-222-1222": "1-800-222-1222",
}


def says_988_first(heard: str) -> bool:
    """Someone who says they want to die hears 988 before anything else: in the first 12 words."""
    first = " ".join(heard.split()[:CRISIS_988_WITHIN_WORDS])
    return "9 8 8" in first


def strip_caveat_missing(heard: str) -> bool:
    """Test strips are mentioned without "a negative strip doesn't mean it's safe" (CDC)."""
    if not re.search(r"\btest strips?\b|\bstrips?\b.{0,40}\bfentanyl", heard, re.IGNORECASE):
        return False
    return not re.search(
        r"\bnegative\b[^.]{0,30}\b(doesn't|does not|won't|will not) mean\b[^.]{0,20}\bsafe",
        heard,
        re.IGNORECASE,
    )


def xylazine_without_give_anyway(heard: str) -> bool:
    """Xylazine and naloxone are spoken of together without "give it anyway" (CDC)."""
    if not re.search(r"\b(xylazine|tranq|trank)\b", heard, re.IGNORECASE):
        return False
    if not re.search(r"\b(naloxone|narcan)\b", heard, re.IGNORECASE):
        return False
    return not re.search(r"\bgive (it|naloxone|narcan)[^.]{0,20}\banyway\b", heard, re.IGNORECASE)


def repeated_numbers(heard: str) -> list[str]:
    """Phone numbers said more than once in one response: each is said once."""
    return [written for spoken, written in _SPOKEN_NUMBERS.items() if heard.count(spoken) > 1]


def punctuation_for_the_eye(heard: str) -> list[str]:
    """Parentheses and semicolons: a listener hears neither, so a list joined by them blurs."""
    return [mark for mark in "();" if mark in heard]


def long_lists(heard: str) -> list[str]:
    """Sentences that list more than three things ("a, b, c and d"), by a rule of thumb.

    Between commas, a short item (one or two words) adds one; a part that opens with "and" or
    "or" adds one and ends the list; a part whose second or third word is "and" or "or" ("sleeping
    pills or ...") adds two and ends it. The part before a list holds its first item. Sentences
    the rule misreads are read by ear and listed in LISTS_READ_BY_EAR.
    """
    found = []
    for sentence in re.split(r"(?<=[.?!:])\s+", heard):
        items = 0
        for index, part in enumerate(p.strip() for p in sentence.split(",")):
            words = part.rstrip(".?!:").split()
            before = items or (1 if index else 0)  # the part before the list holds an item
            if words[:1] in (["and"], ["or"]):
                items, done = before + 1, True
            elif any(w in ("and", "or") for w in words[1:3]):
                items, done = before + 2, True
            elif len(words) <= 2:
                items, done = before + 1, False
            else:
                items, done = 0, True
            if items > 3:
                found.append(sentence)
                break
            if done:
                items = 0
    return [sentence for sentence in found if sentence not in LISTS_READ_BY_EAR]


# Sentences the rule of thumb counts wrong, each read by ear: the count it makes, and the truth.
LISTS_READ_BY_EAR = {
    # guides.yaml:overdose.steps.end: "say repeat" is the first item, not a lead-in: three items.
    "To hear the steps again, say repeat, go back, or start over.",
}
