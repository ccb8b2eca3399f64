"""Alexa without Amazon: talk to the skill offline, in text, as Alexa would send it.

    nlu/          utterance to intent and slots, from the interaction model
    asr/          speech to text, offline: `listen`, the chat's :wav and --voice-in, the Talk button
    web/          the simulator in a browser: talk, see the JSON, review every answer
    envelopes     request envelopes as Alexa builds them, and the reply as a listener hears it
    transports    in process, or signed HTTP to a running service, and a recording of both
    devpki        a throwaway CA imitating Alexa's signing chain
    devservice    the one way to start `serve` trusting that CA (run, tests, bench)
    conversation  one person's turns and sessions
    dialogs       YAML conversation scripts and what each turn must hear
    chat          the `chat`, `run` and `test-dialogs` commands

A tool around the skill: it imports the skill and the service, and nothing imports it but the
command line. Installed with the "sim" extra.
"""
