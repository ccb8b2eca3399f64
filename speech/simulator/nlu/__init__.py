"""Natural-language understanding for the simulator: what Alexa's NLU does in production.

lexicon     the locale's wake words, fillers, contractions and slang (`<locale>.yaml`)
normalise   samples and utterances into one comparable form
resolver    utterance to intent and slots, from the interaction model in `models/`
"""
