"""Where this skill meets ask-sdk-core's internals, kept in one place.

The handlers use the SDK's public API (AbstractRequestHandler, HandlerInput, the response
builder). What sits here makes that API cheap enough to run thousands of times a second:

    serializer   builds and serialises the SDK's models with the reflection done once per class
    attributes   session attributes copied as JSON instead of with `copy.deepcopy`
    input        a HandlerInput with a place for the turn, built once per request
"""
