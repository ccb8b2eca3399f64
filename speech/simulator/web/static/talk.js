"use strict";
// The conversation page: each line, button or recording is one turn, shown newest first.
(() => {
  const $ = (id) => document.getElementById(id);
  const form = $("say-form"), input = $("say-text"), talk = $("talk"), locale = $("locale");
  const turns = $("turns"), status = $("status"), problem = $("problem"), latest = $("latest");
  const { element, api, Problem, explain } = window.Common;
  let info = null, conversation = null, busy = false, recording = null, count = 0;

  function show(message) { problem.textContent = message; problem.hidden = !message; }
  function say(message) { status.textContent = message; }

  function sessionState(open) {
    $("session-state").textContent = open
      ? "Session open: Alexa is listening for the caller's reply."
      : "Session closed: the next thing you say opens Heroin Help again.";
  }

  async function startConversation(wanted) {
    conversation = null;
    const started = await api("POST", "/api/conversations", { locale: wanted });
    conversation = started.id;
    turns.replaceChildren();
    $("empty").hidden = false;
    $("session-state").textContent = "No session yet: the first thing you say opens Heroin Help.";
  }

  // One request at a time, as one person talks; errors go to the alert, never the console.
  async function turn(work, after) {
    if (busy || !conversation) return;
    busy = true;
    turns.setAttribute("aria-busy", "true");
    try {
      show("");
      const shown = await work();
      if (shown) after(shown);
    } catch (error) {
      show(explain(error));
      say("");
    } finally {
      busy = false;
      turns.removeAttribute("aria-busy");
    }
  }

  function sendText(text, by, label) {
    turn(async () => {
      say("Waiting for the skill…");
      const data = await api("POST", `/api/conversations/${conversation}/say`, { text, by });
      return render(data, by === "keyboard" ? `“${text}”` : `Pressed ${label}`);
    }, (speech) => {
      if (by === "keyboard") { input.value = ""; input.focus(); } else speech.focus();
    });
  }

  function facts(rows) {
    const list = element("dl", { class: "facts" });
    for (const [term, ...definition] of rows) {
      list.append(element("dt", { text: term }), element("dd", {}, ...definition));
    }
    return list;
  }

  function json(title, value, open = false) {
    const details = element("details", { class: "json" },
      element("summary", { text: title }),
      element("pre", {}, element("code", { text: JSON.stringify(value, null, 2) })));
    details.open = open;
    return details;
  }

  const percent = (value) => (value === null || value === undefined ? null : value.toFixed(2));

  function render(data, title) {
    const number = ++count;
    $("empty").hidden = true;
    const heard = data.heard;
    const rows = [];
    for (const exchange of data.exchanges) {
      const request = exchange.request.request;
      if (request.type === "SessionEndedRequest") rows.push(["Session ended", `reason ${request.reason}`]);
    }
    if (heard) {
      const how = { keyboard: "typed", button: "button", microphone: "microphone" }[heard.by] || heard.by;
      const sure = percent(heard.confidence);
      rows.push(["Heard", heard.text, element("span", { class: "aside",
        text: ` (${how}${sure ? `, recogniser confidence ${sure}` : ""})` })]);
    }
    const resolver = percent(data.confidence);
    rows.push(["Intent", element("code", { text: data.intent }),
      resolver ? element("span", { class: "aside", text: ` (resolver confidence ${resolver})` }) : null]);
    const slots = Object.entries(data.slots || {});
    rows.push(["Slots", slots.length ? slots.map(([name, value]) => `${name} = ${value}`).join(", ") : "none"]);

    const answer = data.answer || { text: "", reprompt: null, card: null };
    const speech = element("p", { class: "speech", tabindex: "-1", text: answer.text || "(nothing spoken)" });
    let audio = null;
    if (data.audio) {
      audio = element("audio", { controls: "", preload: "auto", src: data.audio,
        "aria-label": `Answer ${number}, spoken by espeak-ng` });
    }
    const card = answer.card
      ? [element("strong", { text: answer.card.title || "" }), ` ${answer.card.content || answer.card.text || ""}`]
      : ["none"];
    const after = facts([
      ["Reprompt", answer.reprompt || "none"],
      ["Card", ...card],
      ["Session", data.session_open ? "stays open" : "ended"],
    ]);
    const panels = [];
    data.exchanges.forEach((exchange, index) => {
      const kind = exchange.request.request.type;
      const label = data.exchanges.length > 1 ? ` ${index + 1} of ${data.exchanges.length}` : "";
      panels.push(json(`Request JSON${label}: ${kind}`, exchange.request));
      panels.push(json(`Response JSON${label}`, exchange.response));
    });
    panels.push(json("Session attributes", data.attributes));

    const id = `turn-${number}`;
    const article = element("article", { "aria-labelledby": id },
      element("h3", { id, text: title }),
      facts(rows),
      element("div", { class: "answer" }, element("h4", { text: "Alexa says" }), speech, audio),
      after, ...panels);
    turns.prepend(element("li", { class: "turn" }, article));
    for (const other of turns.querySelectorAll("audio")) if (other !== audio) other.pause();
    if (audio && $("autoplay").checked) audio.play().catch(() => {}); // autoplay may be refused
    latest.textContent = `Alexa: ${answer.text}`;
    sessionState(data.session_open);
    say("");
    return speech;
  }

  function microphoneProblem(error) {
    const name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError") {
      return "The browser did not allow the microphone. Allow it for this page (the icon in the address bar), or type instead.";
    }
    if (name === "NotFoundError" || name === "OverconstrainedError") {
      return "No microphone was found. Connect one, or type instead.";
    }
    if (name === "NotReadableError") return "The microphone is busy in another program. Close it, or type instead.";
    if (!navigator.mediaDevices) {
      return "The browser allows the microphone only on 127.0.0.1 or localhost. Open the page there, or type instead.";
    }
    return `The microphone could not start (${name || error}). Type instead.`;
  }

  async function listen() {
    if (recording) { recording.stop(); return; }
    if (!info.ears) { show(info.ears_missing); return; }
    turn(async () => {
      for (const audio of turns.querySelectorAll("audio")) audio.pause();
      talk.setAttribute("aria-pressed", "true");
      say("Listening… speak, then pause, or click Talk again to stop.");
      let captured;
      try {
        recording = window.Capture.start();
        captured = await recording.done;
      } catch (error) {
        throw new Problem(microphoneProblem(error));
      } finally {
        recording = null;
        talk.setAttribute("aria-pressed", "false");
      }
      if (!captured.heard) { say("Nothing was heard. Click Talk and speak, or type instead."); return null; }
      say("Recognising…");
      const data = await api("POST", `/api/conversations/${conversation}/hear`, captured.wav, "audio/wav");
      if (!data.intent) {
        say("Nothing the recogniser knows was heard, so nothing was sent. Try again, or type instead.");
        return null;
      }
      return render(data, `Said “${data.heard.text}”`);
    }, (speech) => speech.focus());
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (text) sendText(text, "keyboard");
  });
  for (const button of document.querySelectorAll("[data-say]")) {
    button.addEventListener("click", () => sendText(button.dataset.say, "button", button.textContent));
  }
  talk.addEventListener("click", listen);
  $("come-back").addEventListener("click", () => turn(async () => {
    say("The session times out, then you open Heroin Help again…");
    const data = await api("POST", `/api/conversations/${conversation}/come-back-later`);
    return render(data, "Came back later");
  }, (speech) => speech.focus()));

  async function restart(wanted) {
    if (busy) return;
    show("");
    try {
      if (conversation) await api("DELETE", `/api/conversations/${conversation}`);
    } catch (error) {
      // The old session could not be ended (the service may be down); start afresh anyway.
    }
    try {
      await startConversation(wanted);
      say("New session, as a new caller.");
      input.focus();
    } catch (error) {
      show(explain(error));
    }
  }
  $("new-session").addEventListener("click", () => restart(locale.value));
  locale.addEventListener("change", () => restart(locale.value));

  (async () => {
    try {
      info = await api("GET", "/api/info");
      const wanted = new URLSearchParams(location.search).get("locale") || info.locales[0];
      for (const name of info.locales) locale.append(element("option", { value: name, text: name }));
      locale.value = wanted;
      await startConversation(wanted);
      input.focus();
    } catch (error) {
      show(explain(error));
    }
  })();
})();
