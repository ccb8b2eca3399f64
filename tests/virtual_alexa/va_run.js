#!/usr/bin/env node
// Bespoken's virtual-alexa (pinned in package.json beside this file) as a peer NLU: it matches
// utterances against the interaction model's samples literally, as Bespoken users test with it.
//
//   node va_run.js MODEL.json < utterances.json     (a JSON array of strings)
//
// Prints one JSON line per utterance:
//   {"utterance", "type", "intent", "slots": {name: {"value", "id"}}, "request"}
//   or {"utterance", "error"} when virtual-alexa matches nothing.
// Every request goes to an in-process echo handler and is captured whole ("request"), so the
// caller can replay it to the real skill. VA_DIR names the folder whose node_modules holds
// virtual-alexa (script/virtual-alexa installs it there and prints it).
"use strict";
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = "1"; // aws-sdk v2 prints a banner
const fs = require("fs");
const path = require("path");
const { createRequire } = require("module");

const vaDir = process.env.VA_DIR;
if (!vaDir) {
  console.error("VA_DIR is not set: run script/virtual-alexa, which installs and prints it");
  process.exit(2);
}
const { VirtualAlexa } = createRequire(path.join(vaDir, "node_modules", "_"))("virtual-alexa");

function echo(event, context, callback) {
  callback(null, { version: "1.0", response: { shouldEndSession: false } });
}

function summary(utterance, request) {
  const r = request.request || {};
  const line = { utterance, type: r.type };
  if (r.type === "IntentRequest") {
    line.intent = r.intent.name;
    line.slots = {};
    for (const [name, slot] of Object.entries(r.intent.slots || {})) {
      if (slot.value === undefined) continue; // declared, not filled
      const authority = ((slot.resolutions || {}).resolutionsPerAuthority || [])[0];
      const ids = authority && authority.values ? authority.values.map((v) => v.value.id) : [];
      line.slots[name] = { value: slot.value, id: ids[0] || null, ids };
    }
  }
  line.request = request;
  return line;
}

async function main() {
  const [modelPath] = process.argv.slice(2);
  if (!modelPath) {
    console.error("usage: node va_run.js MODEL.json < utterances.json");
    process.exit(2);
  }
  const utterances = JSON.parse(fs.readFileSync(0, "utf8"));
  const va = VirtualAlexa.Builder().interactionModelFile(path.resolve(modelPath)).handler(echo).create();
  let captured = null;
  va.filter((request) => { captured = JSON.parse(JSON.stringify(request)); });
  for (const utterance of utterances) {
    captured = null;
    let line;
    try {
      await va.utter(utterance);
      line = captured ? summary(utterance, captured) : { utterance, error: "no request" };
    } catch (e) {
      line = { utterance, error: String((e && e.message) || e).split(" to an intent")[0] };
    }
    process.stdout.write(JSON.stringify(line) + "\n");
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
