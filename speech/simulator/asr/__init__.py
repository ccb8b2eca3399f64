"""Speech to text for the simulator: what Alexa's speech recognition does before its NLU.

Offline, with pocketsphinx's en-US acoustic model and a language model built from the skill's own
interaction model (cached by a hash of its inputs), so what the recogniser expects is what the
skill understands, plus everyday requests that are not the skill's.

    audio       any WAV (rate, channels, width) to 16 kHz mono 16-bit PCM
    corpus      the language model's sentences: samples with slot values, background, twins
    ngram       a Kneser-Ney trigram model in ARPA format
    pronounce   pronunciations CMUdict lacks: a hand table and espeak-ng's reading
    build       the cached build of language model and dictionary
    recogniser  pocketsphinx over that build: audio to readings with scores
    understand  the reading the resolver understands best; Listener and the web app's Ears
    endpoint    where speech starts and stops in live audio
    microphone  push-to-talk from the default input device (sounddevice)
    listen      the `listen` command: WAV files or the microphone to JSON lines
"""
