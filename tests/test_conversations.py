"""Every intent, every medicine and both guides, sent as signed Alexa requests through the real app.

These check what a caller hears: the first words, the step order, the session staying open, the
card with the number, and the limits on how much is said in one turn.
"""

from __future__ import annotations

import re

import pytest

from speech import content, ssml
from speech.content.schema import CRISIS_INTENT, MEDICATIONS, TOPIC_INTENTS
from speech.simulator.envelopes import Reply
from speech.ssml import to_text
from tests.content_rules import (
    DISCLAIMER,
    FORBIDDEN,
    MAX_FIRST_WORDS,
    MAX_OVERDOSE_STEP_WORDS,
    phone_problems,
    says_988_first,
)
from tests.helpers import Alexa

EN = content.load("en-US")


def words(text: str) -> int:
    return len(text.split())


# Launch, help, fallback


async def test_launch_says_what_the_skill_does_how_to_get_emergency_help_and_the_disclaimer(
    alexa: Alexa,
) -> None:
    reply = await alexa.turn(None)
    assert "say emergency" in reply.speech.lower()
    assert DISCLAIMER in reply.speech
    assert reply.reprompt and not reply.end_session


async def test_help_gives_the_same_essentials(alexa: Alexa) -> None:
    reply = await alexa.turn("AMAZON.HelpIntent")
    assert "say emergency" in reply.speech.lower()
    assert DISCLAIMER in reply.speech
    assert not reply.end_session


async def test_fallback_says_what_the_skill_does_and_mentions_911(alexa: Alexa) -> None:
    reply = await alexa.turn("AMAZON.FallbackIntent")
    assert "9 1 1" in reply.speech
    assert "withdrawal" in reply.speech.lower()
    assert not reply.end_session


@pytest.mark.parametrize("intent", ["AMAZON.StopIntent", "AMAZON.CancelIntent"])
async def test_stop_and_cancel_end_the_session(alexa: Alexa, intent: str) -> None:
    reply = await alexa.turn(intent)
    assert reply.end_session
    assert reply.reprompt is None


async def test_navigate_home_and_start_over_return_to_the_welcome(alexa: Alexa) -> None:
    for intent in ("AMAZON.NavigateHomeIntent", "AMAZON.StartOverIntent"):
        reply = await alexa.turn(intent)
        assert "say emergency" in reply.speech.lower()


async def test_session_ended_request_is_accepted(alexa: Alexa) -> None:
    answer = await alexa.send(alexa.session.end())
    assert "outputSpeech" not in answer["response"]


# Topics


@pytest.mark.parametrize("intent", [i for i in TOPIC_INTENTS if i != "MedicationIntent"])
async def test_every_topic_answers_briefly_and_offers_more(alexa: Alexa, intent: str) -> None:
    topic = EN.topics[intent]
    reply = await alexa.turn(intent)
    assert reply.speech.startswith(to_text(topic.answer.speech)[:40])
    assert words(reply.speech) <= MAX_FIRST_WORDS
    assert not reply.end_session and reply.reprompt
    if topic.more:
        assert reply.speech.endswith(to_text(EN.offer(topic.more[0])))


async def test_overdose_signs_ends_with_call_911_before_the_offer(alexa: Alexa) -> None:
    reply = await alexa.turn("OverdoseSignsIntent")
    answer_only = reply.speech.removesuffix(
        to_text(EN.offer(EN.topics["OverdoseSignsIntent"].more[0]))
    )
    assert answer_only.strip().endswith("If this is happening now, call 9 1 1.")


async def test_yes_then_more_walk_the_follow_ups_and_no_closes_the_topic(alexa: Alexa) -> None:
    topic = EN.topics["WithdrawalIntent"]
    await alexa.turn("WithdrawalIntent")
    reply = await alexa.turn("AMAZON.YesIntent")
    assert reply.speech.startswith(to_text(topic.more[0].answer.speech)[:40])
    reply = await alexa.turn("AMAZON.MoreIntent")
    assert reply.speech.startswith(to_text(topic.more[1].answer.speech)[:40])
    reply = await alexa.turn("AMAZON.RepeatIntent")
    assert reply.speech.startswith(to_text(topic.more[1].answer.speech)[:40])
    reply = await alexa.turn("AMAZON.NoIntent")
    assert reply.speech == to_text(EN.prompts["anything_else"].speech)
    assert not reply.end_session


async def test_yes_with_nothing_offered_says_so(alexa: Alexa) -> None:
    reply = await alexa.turn("AMAZON.YesIntent")
    assert reply.speech == to_text(EN.prompts["nothing_pending"].speech)


async def test_find_help_gives_the_helpline_with_a_card(alexa: Alexa) -> None:
    reply = await alexa.turn("FindHelpIntent")
    assert '<say-as interpret-as="telephone">1-800-662-4357</say-as>' in reply.ssml
    assert reply.card is not None and "1-800-662-4357" in reply.card["content"]


async def test_answers_without_a_number_have_no_card(alexa: Alexa) -> None:
    reply = await alexa.turn("TherapyIntent")
    assert not re.search(r"\d{3}", reply.speech)
    assert reply.card is None


# Medicines


@pytest.mark.parametrize("medication", MEDICATIONS)
async def test_every_medicine_has_its_own_answer(alexa: Alexa, medication: str) -> None:
    reply = await alexa.turn("MedicationIntent", medication=medication)
    assert reply.speech.startswith(to_text(EN.medications[medication].answer.speech)[:40])
    assert words(reply.speech) <= MAX_FIRST_WORDS
    assert not reply.end_session


async def test_medication_without_a_value_gives_the_overview(alexa: Alexa) -> None:
    reply = await alexa.turn("MedicationIntent")
    assert reply.speech.startswith(to_text(EN.topics["MedicationIntent"].answer.speech)[:40])


async def test_an_unknown_medicine_names_a_few_we_cover_and_poison_help(alexa: Alexa) -> None:
    envelope = alexa.session.intent("MedicationIntent")
    envelope["request"]["intent"]["slots"] = {
        "medication": {"name": "medication", "value": "aspirin", "confirmationStatus": "NONE"}
    }
    reply = Reply.of(await alexa.send(envelope))
    named = [name for name in MEDICATIONS if name in reply.speech]
    assert 2 <= len(named) <= 4, named  # a few, never all six in one breath
    assert "1-800-222-1222" in reply.speech and not reply.end_session


async def test_methadone_warns_of_fatal_overdose(alexa: Alexa) -> None:
    reply = await alexa.turn("MedicationIntent", medication="methadone")
    assert "overdose" in reply.speech.lower()


# The overdose guide


def step_text(step: str) -> str:
    return to_text(EN.guides["overdose"].steps[step].answer.speech)


async def walk(alexa: Alexa, moves: list[str]) -> list[str]:
    spoken = []
    for intent in moves:
        reply = await alexa.turn(intent)
        assert not reply.end_session, f"session closed after {intent}"
        assert reply.reprompt, f"no reprompt after {intent}"
        assert words(reply.speech) <= MAX_OVERDOSE_STEP_WORDS, reply.speech
        spoken.append(reply.speech)
    return spoken


async def test_the_guide_starts_with_call_911_straight_away(alexa: Alexa) -> None:
    reply = await alexa.turn("OverdoseEmergencyIntent")
    assert reply.speech.startswith("Call 9 1 1")
    assert DISCLAIMER not in reply.speech
    assert reply.card is not None and "911" in reply.card["content"]


Move = tuple[str, dict[str, str]]
NEXT, YES, NO = "AMAZON.NextIntent", "AMAZON.YesIntent", "AMAZON.NoIntent"


async def walk_moves(alexa: Alexa, moves: list[Move]) -> list[str]:
    spoken = []
    for intent, slots in moves:
        reply = await alexa.turn(intent, **slots)
        assert not reply.end_session, f"session closed after {intent}"
        assert reply.reprompt, f"no reprompt after {intent}"
        assert words(reply.speech) <= MAX_OVERDOSE_STEP_WORDS, reply.speech
        spoken.append(reply.speech)
    return spoken


def said(intent: str, **slots: str) -> Move:
    return intent, slots


async def test_the_naloxone_path_gives_cpr_then_a_new_device_every_2_to_3_minutes(
    alexa: Alexa,
) -> None:
    spoken = await walk(
        alexa,
        ["OverdoseEmergencyIntent", NEXT, NO, YES, NEXT, NO, NEXT, NEXT, NEXT, NEXT],
    )
    expected = ["call", "check", "naloxone", "give_naloxone", "breathing", "cpr"]
    expected += ["repeat_dose", "stay_after_naloxone", "donts", "end"]
    assert spoken == [step_text(step) for step in expected]


async def test_without_naloxone_cpr_and_nothing_about_naloxone_wearing_off(alexa: Alexa) -> None:
    spoken = await walk(alexa, ["OverdoseEmergencyIntent", NEXT, NO, NO, NO, NEXT, NEXT, NEXT])
    expected = ["call", "check", "naloxone", "breathing", "cpr", "stay", "donts", "end"]
    assert spoken == [step_text(step) for step in expected]
    assert not any("wears off" in turn for turn in spoken)


async def test_breathing_but_not_awake_is_the_recovery_position_without_breaths(
    alexa: Alexa,
) -> None:
    *_, recovery = await walk(alexa, ["OverdoseEmergencyIntent", NEXT, NO, NO, YES])
    assert recovery == step_text("recovery")
    assert "breath" not in recovery.replace("breathing", "")


async def test_only_gasping_is_cpr(alexa: Alexa) -> None:
    *_, reply = await walk_moves(
        alexa,
        [
            said("OverdoseEmergencyIntent"),
            said(NEXT),
            said(NO),  # they don't respond
            said("OverdoseEmergencyIntent", sign="gasping"),
            said(NO),  # no naloxone: CPR is next, no breathing question
        ],
    )
    assert reply == step_text("cpr")
    assert "Push hard and fast" in reply


async def test_no_he_doesnt_respond_moves_on_to_the_naloxone_question(alexa: Alexa) -> None:
    replies = await walk_moves(
        alexa,
        [
            said("OverdoseEmergencyIntent"),
            said(NEXT),
            said("OverdoseEmergencyIntent", person="someone", sign="unresponsive"),
        ],
    )
    assert replies[-1] == step_text("naloxone")


async def test_we_have_narcan_at_the_check_is_kept_and_not_asked_again(alexa: Alexa) -> None:
    _, check, kept, then = await walk_moves(
        alexa,
        [
            said("OverdoseEmergencyIntent"),
            said(NEXT),
            said("ReportIntent", report="has_naloxone"),
            said(NO),  # they don't respond
        ],
    )
    assert kept.endswith(check) and kept != check  # acknowledged, then the same question
    assert then == step_text("give_naloxone")


async def test_waking_up_is_what_to_expect_not_are_they_breathing(alexa: Alexa) -> None:
    *_, woke, after = await walk_moves(
        alexa,
        [
            said("OverdoseEmergencyIntent"),
            said(NEXT),
            said(NO),
            said(YES),
            said(NEXT),  # gave it
            said("ReportIntent", person="someone", report="awake"),
            said(NEXT),
        ],
    )
    assert woke == step_text("awake_after_naloxone")
    assert "sick, shaky or angry" in woke and "use again" in woke
    assert after == step_text("stay_after_naloxone")


async def test_breathing_stops_again_starts_cpr_again(alexa: Alexa) -> None:
    *_, recovery, again = await walk_moves(
        alexa,
        [
            said("OverdoseEmergencyIntent"),
            said(NEXT),
            said(NO),
            said(NO),
            said(NO),  # not breathing: CPR
            said("ReportIntent", report="breathing"),
            said("OverdoseEmergencyIntent", sign="not_breathing"),
        ],
    )
    assert recovery.endswith(step_text("recovery"))
    assert again == step_text("cpr")


async def test_how_do_i_give_it_is_the_naloxone_technique(alexa: Alexa) -> None:
    *_, reply = await walk_moves(
        alexa,
        [
            said("OverdoseEmergencyIntent"),
            said(NEXT),
            said("OverdoseEmergencyIntent", need="naloxone_how"),
        ],
    )
    assert reply == step_text("give_naloxone")


async def test_count_for_me_gives_the_beat_and_stays_on_cpr(alexa: Alexa) -> None:
    await walk(alexa, ["OverdoseEmergencyIntent", NEXT, NO, NO, NO])
    beat = await alexa.turn("CprRhythmIntent")
    assert beat.speech.lower().split().count("push") >= 30 and not beat.end_session
    assert alexa.session.attributes["guide"]["step"] == "cpr"


async def test_a_child_who_swallowed_methadone_gets_poison_help_then_911_if_sleepy(
    alexa: Alexa,
) -> None:
    first = await alexa.turn(
        "OverdoseEmergencyIntent", person="child", sign="swallowed", substance="methadone"
    )
    assert first.speech.startswith("Call Poison Help now at 1-800-222-1222")
    assert first.card is not None and "1-800-222-1222" in first.card["content"]
    sleepy = await alexa.turn(YES)
    assert sleepy.speech.startswith("Call 9 1 1")


async def test_a_child_who_swallowed_and_wont_wake_up_gets_911_first(alexa: Alexa) -> None:
    reply = await alexa.turn("OverdoseEmergencyIntent", person="child", sign="unresponsive")
    assert reply.speech.startswith("Call 9 1 1")


async def test_a_pet_gets_the_vet(alexa: Alexa) -> None:
    reply = await alexa.turn(
        "OverdoseEmergencyIntent", person="pet", sign="swallowed", substance="fentanyl"
    )
    assert reply.speech == step_text("pet_vet")


async def test_no_phone_gets_someone_else_to_call(alexa: Alexa) -> None:
    reply = await alexa.turn("OverdoseEmergencyIntent")
    reply = await alexa.turn("ReportIntent", report="no_phone")
    assert reply.speech.endswith(step_text("no_phone"))


async def test_a_waiting_step_says_how_to_come_back(alexa: Alexa) -> None:
    reply = await alexa.turn("OverdoseEmergencyIntent")
    come_back = to_text(EN.guides["overdose"].prompts["come_back"])
    assert reply.reprompt is not None and to_text(reply.reprompt).endswith(come_back)
    assert to_text(reply.reprompt).count("Alexa, ask Heroin Help") == 1


async def test_repeat_says_the_step_word_for_word_and_go_back_returns(alexa: Alexa) -> None:
    first, second, again, back = await walk(
        alexa,
        [
            "OverdoseEmergencyIntent",
            "AMAZON.NextIntent",
            "AMAZON.RepeatIntent",
            "AMAZON.PreviousIntent",
        ],
    )
    assert again == second
    assert back == first


async def test_go_back_at_the_first_step_says_so(alexa: Alexa) -> None:
    _, reply = await walk(alexa, ["OverdoseEmergencyIntent", "AMAZON.PreviousIntent"])
    assert reply.startswith(to_text(EN.guides["overdose"].prompts["at_start"]))
    assert reply.endswith(step_text("call"))


async def test_next_on_a_question_asks_it_again(alexa: Alexa) -> None:
    *_, question, asked_again = await walk(
        alexa, ["OverdoseEmergencyIntent", "AMAZON.NextIntent", "AMAZON.NextIntent"]
    )
    assert question == step_text("check")
    assert asked_again.endswith(question) and asked_again != question


@pytest.mark.parametrize(
    "intent", ["AMAZON.FallbackIntent", "WithdrawalIntent", "MedicationIntent"]
)
async def test_anything_else_repeats_the_step_and_reminds_to_call_911(
    alexa: Alexa, intent: str
) -> None:
    _, _, reply = await walk(alexa, ["OverdoseEmergencyIntent", "AMAZON.NextIntent", intent])
    reminder = to_text(EN.guides["overdose"].prompts["unrecognised"])
    cue = to_text(EN.guides["overdose"].steps["check"].answer.reprompt or "")
    assert reply == f"{reminder} {cue}"
    assert alexa.session.attributes["guide"]["step"] == "check"


async def test_help_inside_the_guide_stays_in_the_guide(alexa: Alexa) -> None:
    _, reply, after = await walk(
        alexa, ["OverdoseEmergencyIntent", "AMAZON.HelpIntent", "AMAZON.RepeatIntent"]
    )
    assert "next" in reply.lower()
    assert after == step_text("call")


async def test_stop_ends_the_guide(alexa: Alexa) -> None:
    await alexa.turn("OverdoseEmergencyIntent")
    reply = await alexa.turn("AMAZON.StopIntent")
    assert reply.end_session


async def test_start_over_goes_back_to_calling_911(alexa: Alexa) -> None:
    *_, reply = await walk(
        alexa,
        [
            "OverdoseEmergencyIntent",
            "AMAZON.NextIntent",
            "AMAZON.NextIntent",
            "AMAZON.StartOverIntent",
        ],
    )
    assert reply == step_text("call")


async def test_the_guide_state_lives_in_the_session(alexa: Alexa) -> None:
    await walk(alexa, ["OverdoseEmergencyIntent", "AMAZON.NextIntent"])
    assert alexa.session.attributes["guide"]["step"] == "check"
    alexa.new_session()  # a new session knows nothing of the last one
    reply = await alexa.turn("AMAZON.NextIntent")
    assert reply.speech == to_text(EN.prompts["nothing_pending"].speech)


# The intervention guide


async def test_intervention_is_five_steps_with_next(alexa: Alexa) -> None:
    guide = EN.guides["intervention"]
    replies = [await alexa.turn("InterventionIntent")]
    for _ in range(4):
        replies.append(await alexa.turn("AMAZON.NextIntent"))
    assert len({reply.speech for reply in replies}) == 5
    assert words(replies[0].speech) <= MAX_FIRST_WORDS
    assert all(not reply.end_session for reply in replies)
    finished = await alexa.turn("AMAZON.NextIntent")
    assert finished.speech == to_text(guide.prompts["finished"])


async def test_another_question_leaves_the_intervention_guide(alexa: Alexa) -> None:
    await alexa.turn("InterventionIntent")
    reply = await alexa.turn("CostIntent")
    assert reply.speech.startswith(to_text(EN.topics["CostIntent"].answer.speech)[:40])


async def test_events_that_take_no_speech_get_an_empty_response(alexa: Alexa) -> None:
    envelope = alexa.session.envelope(
        {
            "type": "System.ExceptionEncountered",
            "error": {"type": "INVALID_RESPONSE", "message": "x"},
            "cause": {"requestId": "amzn1.echo-api.request.1"},
        }
    )
    answer = await alexa.send(envelope)
    assert "outputSpeech" not in answer["response"]


async def test_a_medicine_offers_its_follow_ups_too(alexa: Alexa) -> None:
    topic = EN.medications["naloxone"]
    await alexa.turn("MedicationIntent", medication="naloxone")
    reply = await alexa.turn("AMAZON.YesIntent")
    assert reply.speech.startswith(to_text(topic.more[0].answer.speech)[:40])
    reply = await alexa.turn("AMAZON.PreviousIntent")
    assert reply.speech.startswith(to_text(topic.answer.speech)[:40])


# The questions the seeds miss (issue 11), over signed HTTP


NEW_TOPICS = TOPIC_INTENTS[TOPIC_INTENTS.index(CRISIS_INTENT) :]


def forbidden_claims(text: str) -> list[str]:
    return [
        f"{name}: {match.group(0)!r}"
        for name, pattern, exempt in FORBIDDEN
        for match in re.finditer(pattern, text, re.IGNORECASE)
        if not exempt(text, match)
    ]


@pytest.mark.parametrize("intent", NEW_TOPICS)
async def test_every_new_topic_answers_every_part_safely(alexa: Alexa, intent: str) -> None:
    """Each part as a caller hears it: valid SSML Alexa will speak, no number but CONTENT.md's,
    no sponsor, no forbidden claim, and the session open for "yes"."""
    topic = EN.topics[intent]
    replies = [await alexa.turn(intent)]
    replies += [await alexa.turn("AMAZON.YesIntent") for _ in topic.more]
    assert len({reply.speech for reply in replies}) == len(topic.more) + 1
    for reply in replies:
        ssml.validate(reply.ssml)
        for prompt in filter(None, [reply.reprompt]):
            ssml.validate(prompt)
        fragment = reply.ssml.removeprefix("<speak>").removesuffix("</speak>")
        assert phone_problems(fragment) == [], reply.speech
        assert forbidden_claims(reply.speech) == [], reply.speech
        assert not reply.end_session and reply.reprompt
    assert words(replies[0].speech) <= MAX_FIRST_WORDS


async def test_a_crisis_hears_988_first_and_again_if_silent(alexa: Alexa) -> None:
    reply = await alexa.turn(CRISIS_INTENT)
    assert says_988_first(reply.speech), reply.speech
    assert "9 1 1" in reply.speech
    assert reply.reprompt is not None and "9 8 8" in to_text(reply.reprompt)
    assert reply.card is not None and "988" in reply.card["content"]


async def test_quitting_gives_the_helpline_once_and_on_the_card(alexa: Alexa) -> None:
    reply = await alexa.turn("QuitIntent")
    assert reply.ssml.count("1-800-662-4357") == 1
    assert reply.card is not None and "1-800-662-4357" in reply.card["content"]


# Questions answered first: the part that answers, then the others, each offered


async def test_how_long_withdrawal_lasts_gets_the_timeline_first(alexa: Alexa) -> None:
    topic = EN.topics["WithdrawalIntent"]
    timeline = topic.more[topic.lead_for("how_long") - 1]
    reply = await alexa.turn("WithdrawalIntent", question="how_long")
    assert reply.speech.startswith(to_text(timeline.answer.speech))
    assert reply.speech.endswith(f"Want to hear about {topic.offer}?")
    # Yes: the first answer, offering the follow-up after the timeline, never the timeline again.
    reply = await alexa.turn("AMAZON.YesIntent")
    assert reply.speech.startswith(to_text(topic.answer.speech))
    assert reply.speech.endswith(f"Want to hear about {topic.more[1].offer}?")
    heard = [reply.speech]
    for _ in topic.more[1:]:
        heard.append((await alexa.turn("AMAZON.YesIntent")).speech)
    assert not any(to_text(timeline.answer.speech) in speech for speech in heard)
    done = await alexa.turn("AMAZON.YesIntent")
    assert done.speech == to_text(EN.prompts["no_more"].speech)


async def test_go_back_after_a_question_returns_to_the_part_that_answered_it(alexa: Alexa) -> None:
    await alexa.turn("WithdrawalIntent", question="how_long")
    await alexa.turn("AMAZON.YesIntent")
    reply = await alexa.turn("AMAZON.PreviousIntent")
    assert reply.speech.startswith("Withdrawal symptoms can start within hours")


async def test_is_methadone_safe_gets_the_safety_answer(alexa: Alexa) -> None:
    reply = await alexa.turn("MedicationIntent", medication="methadone", question="safety")
    assert reply.speech.startswith("Methadone can cause a fatal overdose")
    assert "alcohol" in reply.speech and "lowers the risk of overdose" in reply.speech
    assert reply.speech != (await alexa.turn("MedicationIntent", medication="methadone")).speech


async def test_a_question_no_part_answers_gets_the_first_answer(alexa: Alexa) -> None:
    reply = await alexa.turn("MedicationIntent", medication="naltrexone", question="cost")
    assert reply.speech.startswith(to_text(EN.medications["naltrexone"].answer.speech)[:40])
    reply = await alexa.turn("FentanylIntent", question="no_such_question")
    assert reply.speech.startswith(to_text(EN.topics["FentanylIntent"].answer.speech)[:40])


@pytest.mark.parametrize(
    ("intent", "prompt"),
    [("GoodSamaritanIntent", "good_samaritan"), ("CrisisIntent", "crisis")],
)
async def test_arrest_and_crisis_get_one_sentence_and_the_guide_goes_on(
    alexa: Alexa, intent: str, prompt: str
) -> None:
    _, _, reply = await walk(alexa, ["OverdoseEmergencyIntent", "AMAZON.NextIntent", intent])
    guide = EN.guides["overdose"]
    cue = to_text(guide.steps["check"].answer.reprompt or "")
    assert reply == f"{to_text(guide.prompts[prompt])} {cue}"
    assert alexa.session.attributes["guide"]["step"] == "check"
