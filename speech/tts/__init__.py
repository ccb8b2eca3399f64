"""Offline text-to-speech with pyttsx3 and espeak-ng: hear the skill, and review how it sounds.

    engine     renders SSML or text to WAV, one engine per process
    wav        WAV durations, and joining pieces with real silence
    playback   plays a WAV when there is a sound device; `Voice` speaks each chat answer
    review     `say` and `say --all`: every answer rendered, with a report for reviewers

A tool around the skill, installed with the "tts" extra; nothing imports it but the command line.
"""
