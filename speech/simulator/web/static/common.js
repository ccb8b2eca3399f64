"use strict";
// What both pages use: building elements without HTML strings, and calling the simulator.
window.Common = (() => {
  function element(tag, attributes = {}, ...children) {
    const made = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name === "text") made.textContent = value; else made.setAttribute(name, value);
    }
    made.append(...children.filter((child) => child !== null && child !== undefined));
    return made;
  }

  // A failure the page shows as it is: the simulator's own message, in words.
  class Problem extends Error {}

  async function api(method, path, body, type = "application/json") {
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: body === undefined ? {} : { "Content-Type": type },
        body: body === undefined ? undefined : type === "application/json" ? JSON.stringify(body) : body,
      });
    } catch (error) {
      throw new Problem("The simulator is not answering. Is heroin-help web still running?");
    }
    if (response.status === 204) return null;
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Problem(data.error || `The simulator answered HTTP ${response.status}.`);
    return data;
  }

  const explain = (error) => (error instanceof Problem ? error.message : `Something went wrong: ${error.message || error}`);

  return { element, api, Problem, explain };
})();
