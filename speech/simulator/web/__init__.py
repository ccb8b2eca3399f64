"""The simulator in a browser: type or speak to the skill, see what Alexa would send, hear the
answer, and review every answer the content holds. A development tool on 127.0.0.1, never part
of the service or the Lambda.

    app           the aiohttp app factory: routes, one cleanup_ctx per resource, thin handlers
    talk          the conversations the open pages hold, and each turn as the page shows it
    review        every answer of every topic, medicine and guide step, with its limits
    audio         answers rendered to WAV once, cached in the state directory by SSML hash
    engines       what the command line plugs in: the voice (SSML to WAV) and the ears
                  (WAV to text); the simulator never imports the speech engine itself
    errors        every error the pages are answered with, in one tree
    server        serving the app: on its own (`heroin-help web`) or beside the chat (`run`)
    static/       the pages: plain HTML, CSS and a little JavaScript, nothing fetched from outside
"""
