"""Every intent and request-type name the skill routes on, defined once.

The custom intents come from the content's intent contract (`speech.content.schema`); the rest
are Alexa's built-in names.
"""

from __future__ import annotations

from ask_sdk_model.request import Request

from speech.content import schema

# Short names for the custom intents the routes name; their values live in the schema.
EMERGENCY = schema.EMERGENCY_INTENT
INTERVENTION = schema.INTERVENTION_INTENT
MEDICATION = schema.MEDICATION_INTENT
MEDICATION_SLOT = schema.MEDICATION_SLOT
QUESTION_SLOT = schema.QUESTION_SLOT
GUIDE_INTENTS = schema.GUIDE_INTENTS
TOPIC_INTENTS = schema.TOPIC_INTENTS
REPORT_INTENT = schema.REPORT_INTENT
RHYTHM_INTENT = schema.CPR_RHYTHM_INTENT
GOOD_SAMARITAN = schema.GOOD_SAMARITAN_INTENT
CRISIS = schema.CRISIS_INTENT
PERSON_SLOT, SIGN_SLOT, SUBSTANCE_SLOT = schema.PERSON_SLOT, schema.SIGN_SLOT, schema.SUBSTANCE_SLOT
NEED_SLOT, REPORT_SLOT = schema.NEED_SLOT, schema.REPORT_SLOT

YES, NO = "AMAZON.YesIntent", "AMAZON.NoIntent"
NEXT, MORE = "AMAZON.NextIntent", "AMAZON.MoreIntent"
REPEAT, PREVIOUS = "AMAZON.RepeatIntent", "AMAZON.PreviousIntent"
START_OVER, HOME = "AMAZON.StartOverIntent", "AMAZON.NavigateHomeIntent"
HELP, STOP, CANCEL = "AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent"
FALLBACK = "AMAZON.FallbackIntent"

# Built-in intents the interaction model must declare: the guide and topic navigation use them.
BUILT_IN_INTENTS = (
    HELP, STOP, CANCEL, FALLBACK, HOME, YES, NO, REPEAT, NEXT, PREVIOUS, START_OVER, MORE,
)  # fmt: skip
# Every intent the interaction model declares: the only intent names logs and metrics may carry.
INTENTS = frozenset((*BUILT_IN_INTENTS, *schema.CUSTOM_INTENTS))
# Moving through a guide or a topic, as opposed to asking something new.
NAVIGATION = frozenset({NEXT, MORE, REPEAT, PREVIOUS, START_OVER, YES, NO})

LAUNCH_REQUEST = "LaunchRequest"
INTENT_REQUEST = "IntentRequest"
SESSION_ENDED_REQUEST = "SessionEndedRequest"
# Requests that take speech in reply; every other request type (events) gets an empty response.
SPOKEN_REQUESTS = frozenset({LAUNCH_REQUEST, INTENT_REQUEST})
# Every request type the SDK's models know; others are tolerated but never named in logs.
REQUEST_TYPES = frozenset(Request.discriminator_value_class_map)
