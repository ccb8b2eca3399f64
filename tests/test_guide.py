"""The overdose guide's engine over the real content: every path a caller can take.

The guide is pure functions over the guide's data, so these tests walk it without HTTP: every
opening, yes and no at each question, each report at each step, and every turn a caller can reach
from any opening stays within the emergency's word limit.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

import pytest

from intents import guide as guides
from intents.guide import GuideState
from speech import content, ssml
from speech.content.model import UNKNOWN
from tests.content_rules import MAX_OVERDOSE_STEP_WORDS, words

OVERDOSE = content.load("en-US").guides["overdose"]
REPORTS = sorted(OVERDOSE.reports)


def opened(*reports: str) -> GuideState:
    return guides.open_guide(OVERDOSE, guides.facts_of(OVERDOSE, reports))


def walk(state: GuideState, *moves: str) -> GuideState:
    """Apply moves: "next", "yes", "no", or a report id."""
    for move in moves:
        if move == "next":
            outcome = guides.move_on(OVERDOSE, state)
        elif move in {"yes", "no"}:
            outcome = guides.answer(OVERDOSE, state, yes=move == "yes")
        else:
            outcome = guides.report(OVERDOSE, state, [move])
        state = outcome.state
    return state


# Openings: what the first response is, for what the caller first said


@pytest.mark.parametrize(
    ("reports", "first"),
    [
        ((), "call"),
        (("emergency",), "call"),
        (("not_breathing",), "call"),
        (("gasping",), "call"),
        (("naloxone_how",), "call"),
        (("called",), "call"),  # 911 is the first word of the first response, whatever was said
        (("no_phone",), "no_phone"),
        (("swallowed",), "poison_help"),
        (("swallowed", "unresponsive"), "call"),
        (("swallowed", "slow_breathing"), "call"),
        (("pet", "swallowed"), "pet_vet"),
    ],
)
def test_the_first_response(reports: tuple[str, ...], first: str) -> None:
    assert opened(*reports).step == first


def test_the_first_words_are_call_911_unless_poison_help_or_the_vet_come_first() -> None:
    for reports in ((), ("overdosing",), ("blue",), ("collapsed",), ("awake",)):
        heard = ssml.to_text(OVERDOSE.steps[opened(*reports).step].answer.speech)
        assert heard.startswith("Call 9 1 1"), reports


# Yes and no at each question


@pytest.mark.parametrize(
    ("path", "answer", "then"),
    [
        (("next",), "yes", "keep_awake"),  # they respond
        (("next",), "no", "naloxone"),
        (("next", "no"), "yes", "give_naloxone"),
        (("next", "no"), "no", "breathing"),
        (("next", "no", "no"), "yes", "recovery"),
        (("next", "no", "no"), "no", "cpr"),
        (("next", "no", "yes", "next"), "yes", "recovery"),
        (("next", "no", "yes", "next"), "no", "cpr"),
    ],
)
def test_yes_and_no_at_each_question(path: tuple[str, ...], answer: str, then: str) -> None:
    state = walk(opened(), *path)
    assert OVERDOSE.steps[state.step].is_question
    assert walk(state, answer).step == then


def test_next_on_a_question_is_refused_not_guessed() -> None:
    state = walk(opened(), "next")
    outcome = guides.move_on(OVERDOSE, state)
    assert outcome.blocked and outcome.state == state


def test_yes_to_an_instruction_means_done_and_no_means_not_yet() -> None:
    state = opened()
    assert walk(state, "yes").step == "check"
    assert walk(state, "no") == state


# The whole paths


def steps_of(state: GuideState) -> list[str]:
    return [*state.history, state.step]


def test_with_naloxone_cpr_and_repeat_doses_then_stay_then_donts() -> None:
    state = walk(opened(), "next", "no", "yes", "next", "no", "next", "next", "next", "next")
    assert steps_of(state) == [
        "call", "check", "naloxone", "give_naloxone", "breathing", "cpr",
        "repeat_dose", "stay_after_naloxone", "donts", "end",
    ]  # fmt: skip
    assert guides.move_on(OVERDOSE, state).blocked  # the end has no next


def test_without_naloxone_no_dose_step_and_no_wearing_off() -> None:
    state = walk(opened(), "next", "no", "no", "no", "next", "next", "next")
    assert steps_of(state) == [
        "call",
        "check",
        "naloxone",
        "breathing",
        "cpr",
        "stay",
        "donts",
        "end",
    ]


def test_they_respond_keep_them_awake_and_stay() -> None:
    state = walk(opened(), "next", "yes", "next", "next")
    assert steps_of(state) == ["call", "check", "keep_awake", "stay", "donts"]


# Reports count wherever they come


def test_a_report_that_answers_the_question_is_not_a_guess() -> None:
    at_check = walk(opened(), "next")
    assert walk(at_check, "unresponsive").step == "naloxone"
    at_naloxone = walk(at_check, "no")
    assert walk(at_naloxone, "has_naloxone").step == "give_naloxone"
    assert walk(at_naloxone, "no_naloxone").step == "breathing"
    at_breathing = walk(at_naloxone, "no")
    assert walk(at_breathing, "gasping").step == "cpr"
    assert walk(at_breathing, "breathing").step == "recovery"


def test_not_breathing_said_at_the_responsiveness_check_is_a_no() -> None:
    at_check = walk(opened(), "next")
    for report in ("not_breathing", "gasping"):
        after = walk(at_check, report)
        assert after.step == "naloxone" and after.fact("responds") == "no", report
    # Said before the check, it does not answer it: the check is still asked.
    assert walk(opened("not_breathing"), "next").step == "check"


def test_a_report_for_later_is_kept_and_the_question_it_answers_is_skipped() -> None:
    at_check = walk(opened(), "next")
    kept = walk(at_check, "has_naloxone")
    assert kept.step == "check" and kept.fact("naloxone") == "yes"
    assert walk(kept, "no").step == "give_naloxone"  # never asked "do you have naloxone?"


def test_i_gave_it_counts_as_the_dose() -> None:
    state = walk(opened(), "next", "no", "gave_naloxone")
    assert state.step == "breathing" and state.fact("dosed") == "yes"


def test_waking_up_is_what_to_expect_never_are_they_breathing() -> None:
    with_dose = walk(opened(), "next", "no", "yes", "next", "awake")
    assert with_dose.step == "awake_after_naloxone"
    without = walk(opened(), "next", "no", "no", "awake")
    assert without.step == "awake_now"
    assert walk(with_dose, "next").step == "stay_after_naloxone"


def test_breathing_stops_again_cpr_again() -> None:
    at_cpr = walk(opened(), "next", "no", "yes", "next", "no")
    assert at_cpr.step == "cpr"
    recovered = walk(at_cpr, "breathing")
    assert recovered.step == "recovery"
    assert walk(recovered, "not_breathing").step == "cpr"


def test_how_do_i_give_it_is_answered_at_once() -> None:
    for path in ((), ("next",), ("next", "no"), ("next", "no", "no", "no")):
        state = walk(opened(), *path)
        if state.step != "call":
            assert walk(state, "naloxone_how").step == "give_naloxone", path
    dosed = walk(opened(), "next", "no", "yes", "next")
    assert walk(dosed, "naloxone_how").step != "give_naloxone"  # already given: what's next


def test_no_phone_mid_guide_asks_someone_else_to_call() -> None:
    assert walk(opened(), "no_phone").step == "no_phone"
    assert walk(opened(), "next", "no_phone").step == "check"  # already called


def test_swallowing_poison_help_then_watch_or_911() -> None:
    first = opened("swallowed")
    assert walk(first, "no").step == "poison_watch"
    assert OVERDOSE.steps["poison_watch"].final
    assert walk(first, "yes").step == "call"
    assert walk(first, "unresponsive").step == "call"


def test_a_pet_gets_the_vet_and_nothing_else() -> None:
    first = opened("pet", "swallowed")
    assert first.step == "pet_vet" and OVERDOSE.steps["pet_vet"].final
    assert guides.move_on(OVERDOSE, first).blocked


def test_go_back_and_start_over() -> None:
    state = walk(opened(), "next", "no")
    back = guides.back(OVERDOSE, state)
    assert back.moved and back.state.step == "check"
    assert guides.back(OVERDOSE, opened()).blocked
    assert guides.start_over(OVERDOSE) == opened()


def test_the_state_survives_the_session_as_json() -> None:
    state = walk(opened("gasping"), "next", "has_naloxone")
    again = GuideState.from_session(state.to_session(), {OVERDOSE.name: OVERDOSE})
    assert again == state


@pytest.mark.parametrize(
    "saved",
    [
        None,
        [],
        {"name": "overdose", "step": "nowhere"},
        {"name": "overdose", "step": "cpr", "facts": {"pulse": "no"}},
        {"name": "overdose", "step": "cpr", "facts": {"breathing": 0}},
        {"name": "overdose", "step": "cpr", "done": ["nowhere"]},
        {"name": "overdose", "step": "cpr", "history": "call"},
        {"name": "cooking", "step": "cpr"},
    ],
)
def test_a_saved_state_that_no_longer_fits_the_content_is_ignored(saved: object) -> None:
    assert GuideState.from_session(saved, {OVERDOSE.name: OVERDOSE}) is None


# Every reachable turn


DEPTH = 5  # turns after the first: past that, new states only repeat what was already seen


def reachable() -> Iterator[tuple[GuideState, str | None, GuideState]]:
    """Every (state, report, next state) within DEPTH turns of an opening, by every move."""
    openings = [opened(), opened("swallowed"), opened("no_phone"), opened("gasping")]
    seen: set[tuple[str, tuple[tuple[str, str], ...], tuple[str, ...]]] = set()
    queue = deque((state, 0) for state in openings)
    while queue:
        state, depth = queue.popleft()
        key = (state.step, tuple(sorted(state.facts.items())), tuple(sorted(state.done)))
        if key in seen or depth > DEPTH:
            continue
        seen.add(key)
        moves: list[tuple[str | None, GuideState]] = [
            (None, walk(state, "next")),
            (None, walk(state, "yes")),
            (None, walk(state, "no")),
        ]
        moves += [(report, walk(state, report)) for report in REPORTS]
        for report, after in moves:
            yield state, report, after
            queue.append((after, depth + 1))


REACHABLE = list(reachable())


def test_the_walk_covers_every_step() -> None:
    spoken = {after.step for _, _, after in REACHABLE}
    assert spoken == set(OVERDOSE.steps)


def test_every_reachable_turn_is_at_most_45_words() -> None:
    for _, report, after in REACHABLE:
        acknowledgement = OVERDOSE.acknowledgements.get(report or "", "")
        turn = f"{acknowledgement} {OVERDOSE.steps[after.step].answer.speech}"
        assert words(turn) <= MAX_OVERDOSE_STEP_WORDS, (after.step, report)


def test_every_turn_is_the_step_the_facts_call_for() -> None:
    """After a report, the guide is where the plan puts it (or stays, when nothing is due)."""
    for before, report, after in REACHABLE:
        if report is None:
            continue
        due = guides.due(OVERDOSE, after)
        assert after.step == (due or before.step), (before.step, report)


def test_a_question_whose_answer_is_known_is_never_asked() -> None:
    for before, _, after in REACHABLE:
        asks = OVERDOSE.steps[after.step].asks
        if asks is not None and after.step != before.step:
            assert after.facts.get(asks, UNKNOWN) == UNKNOWN, after.step
