"""Speech to text for the simulator: what Alexa's speech recognition does before its NLU.

Issue 13 (offline voice in) owns this package and is building the real recogniser on another
branch; what is here is only the smallest real recogniser the browser page's Talk button needs
for its tests, and may be replaced whole. The web app does not import it: the command line
passes a recogniser in (see `speech.simulator.web.engines.Transcribe`).

    grammar     pocketsphinx, restricted to a small grammar from the interaction model
"""
