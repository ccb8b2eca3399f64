"use strict";
// The review page: every answer, filtered and sorted in the page; the server renders the audio.
(() => {
  const $ = (id) => document.getElementById(id);
  const body = document.querySelector("#answers tbody"), player = $("player");
  const { element, api, explain } = window.Common;
  let items = [], playing = null;

  const sorts = {
    order: (a, b) => a.index - b.index,
    seconds: (a, b) => (b.seconds ?? 0) - (a.seconds ?? 0) || a.index - b.index,
    words: (a, b) => b.words - a.words || a.index - b.index,
    title: (a, b) => a.title.localeCompare(b.title) || a.index - b.index,
  };

  function matches(item, find, kind, over) {
    if (kind && item.kind !== kind) return false;
    if (over && !item.over.length) return false;
    if (!find) return true;
    const haystack = [item.title, item.group, item.key, item.text, item.reprompt || "", ...item.sources];
    return haystack.join(" ").toLowerCase().includes(find);
  }

  function row(item) {
    const flags = item.over.map((what) => element("p", { class: "flag", text: `Over the limit: ${what}` }));
    const answer = element("td", {},
      element("p", { class: "title" }, element("strong", { text: item.title }),
        item.group !== item.title ? element("span", { class: "aside", text: ` · ${item.group}` }) : null),
      element("p", { class: "text", text: item.text }),
      item.reprompt ? element("p", { class: "aside", text: `Reprompt: ${item.reprompt}` }) : null,
      element("p", { class: "key", text: item.key }), ...flags);
    const limit = (max) => element("span", { class: "aside", text: max ? ` / ${max}` : "" });
    let listen = element("td", { text: "—" });
    if (item.audio) {
      const button = element("button", { type: "button", class: "play", "aria-label": `Play ${item.title}`, text: "Play" });
      button.addEventListener("click", () => play(item, button));
      listen = element("td", {}, button);
    }
    const tr = element("tr", { class: item.over.length ? "over" : "" },
      answer,
      element("td", { text: item.kind }),
      element("td", { class: "number" }, `${item.words}`, limit(item.limit.words)),
      element("td", { class: "number" }, item.seconds === null ? "—" : item.seconds.toFixed(1),
        limit(item.limit.seconds)),
      listen,
      element("td", {}, item.sources.length
        ? element("ul", { class: "sources" },
          ...item.sources.map((source) => element("li", { text: source.replace(/^seed:/, "seed page ") })))
        : element("span", { class: "aside", text: "none stated" })));
    return tr;
  }

  function show() {
    const find = $("find").value.trim().toLowerCase(), kind = $("kind").value, over = $("over").checked;
    const shown = items.filter((item) => matches(item, find, kind, over)).sort(sorts[$("sort").value]);
    body.replaceChildren(...shown.map(row));
    const flagged = items.filter((item) => item.over.length).length;
    $("status").textContent = `Showing ${shown.length} of ${items.length} answers; ${flagged} over a limit.`;
  }

  function play(item, button) {
    if (playing === button && !player.paused) { player.pause(); return; }
    if (playing) playing.textContent = "Play";
    playing = button;
    player.src = item.audio;
    $("playing").textContent = `Playing: ${item.title} (${item.key})`;
    player.play().catch(() => {});  // a refused autoplay leaves the controls to the reviewer
    button.textContent = "Pause";
  }
  player.addEventListener("pause", () => { if (playing) playing.textContent = "Play"; });
  player.addEventListener("play", () => { if (playing) playing.textContent = "Pause"; });

  async function load(locale) {
    $("status").textContent = "Rendering every answer with espeak-ng; the first time takes a little while…";
    $("problem").hidden = true;
    let data;
    try {
      data = await api("GET", `/api/review?locale=${encodeURIComponent(locale)}`);
    } catch (error) {
      $("problem").textContent = explain(error);
      $("problem").hidden = false;
      $("status").textContent = "";
      return;
    }
    items = data.items.map((item, index) => ({ ...item, index }));
    const kinds = [...new Set(items.map((item) => item.kind))];
    $("kind").replaceChildren(element("option", { value: "", text: "every kind" }),
      ...kinds.map((kind) => element("option", { value: kind, text: kind })));
    $("answers").hidden = false;
    show();
    if (data.note) $("status").textContent += ` ${data.note}`;
  }

  for (const id of ["find", "kind", "sort", "over"]) $(id).addEventListener("input", show);

  (async () => {
    let info;
    try {
      info = await api("GET", "/api/info");
    } catch (error) {
      $("problem").textContent = explain(error);
      $("problem").hidden = false;
      return;
    }
    const wanted = new URLSearchParams(location.search).get("locale") || info.locales[0];
    for (const name of info.locales) $("locale").append(element("option", { value: name, text: name }));
    $("locale").value = wanted;
    $("locale").addEventListener("change", () => load($("locale").value));
    await load(wanted);
  })();
})();
