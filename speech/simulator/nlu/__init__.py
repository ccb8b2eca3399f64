"""Natural-language understanding for the simulator: what Alexa's NLU does in production.

lexicon     the locale's wake words, fillers, contractions, slang and routing cues (`<locale>.yaml`)
normalise   samples and utterances into one comparable form
phonetic    words speech recognition split ("nar can"), joined back by sound
slots       slot values and synonyms found in the words
background  what people ask a speaker that is not for this skill (`background/<locale>.yaml`)
index       the classifier: every sample and class scored against an utterance
routing     CONTENT.md's routing rule: a person in danger goes to the emergency
resolver    utterance to intent, slots and confidence, from the interaction model in `models/`
"""
