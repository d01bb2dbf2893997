// The live page of a served fake: polls GET /__fake__/overview and redraws what changed. No library, no build.
// Every value from the fake is put in the page as text (textContent), never as HTML.
"use strict";

const POLL_MS = 500;
const KEY_STORE = "fake-assistants-key";
let lastBody = null;
let overview = null;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function clock(at) {
  return new Date(at * 1000).toISOString().replace("T", " ").replace(".000Z", " UTC");
}

function time(at) {
  return new Date(at * 1000).toISOString().slice(11, 19);
}

function apiKey() {
  const match = /(?:^#|&)key=([^&]*)/.exec(window.location.hash);
  if (match) {
    sessionStorage.setItem(KEY_STORE, decodeURIComponent(match[1]));
    history.replaceState(null, "", window.location.pathname);  // keep the key out of the address bar
  }
  return sessionStorage.getItem(KEY_STORE);
}

async function poll() {
  if (document.getElementById("paused").checked) return schedule();
  const live = document.getElementById("live");
  try {
    const headers = {};
    const key = apiKey();
    if (key) headers.Authorization = "Bearer " + key;
    const response = await fetch("/__fake__/overview", {headers, cache: "no-store"});
    if (response.status === 401) {
      document.getElementById("key-form").hidden = false;
      live.textContent = "needs the API key";
      live.className = "live off";
      return schedule();
    }
    const body = await response.text();
    if (!response.ok) throw new Error(response.status + " " + body.slice(0, 200));
    live.textContent = "live";
    live.className = "live on";
    if (body !== lastBody) {
      lastBody = body;
      overview = JSON.parse(body);
      draw();
    }
  } catch (error) {
    live.textContent = "not reachable";
    live.className = "live off";
    live.title = String(error);
  }
  schedule();
}

function schedule() {
  window.setTimeout(poll, POLL_MS);
}

function draw() {
  const data = overview;
  document.getElementById("clock").textContent = clock(data.now) + (data.manual_clock ? " (manual clock)" : "");
  const transcript = data.transcript;
  document.getElementById("counts").textContent =
    transcript.thread_count + " thread(s) · " + data.calls.total + " call(s)";
  drawThreads(transcript);
  drawScript(data.script);
  drawFaults(data.faults);
  drawCalls();
}

function drawThreads(transcript) {
  const box = document.getElementById("threads");
  box.replaceChildren();
  if (!transcript.threads.length) box.append(el("p", "empty", "No threads yet."));
  if (transcript.shortened.threads) {
    box.append(el("p", "gap", transcript.shortened.threads + " older thread(s) not shown"));
  }
  for (const thread of transcript.threads.slice().reverse()) {  // the newest first
    const card = el("article", "thread");
    card.dataset.threadId = thread.id;
    card.append(el("h2", null, thread.id + " · " + clock(thread.at)));
    if (!thread.entries.length) card.append(el("p", "empty", "No messages."));
    for (const entry of thread.entries) {
      if (entry.kind === "message") card.append(message(entry));
      else if (entry.kind === "run") card.append(run(entry));
      else card.append(el("p", "gap", "… " + entry.messages + " message(s) and " + entry.runs +
                                       " run(s) not shown (" + entry.first_id + " … " + entry.last_id + ") …"));
    }
    for (const note of thread.calls) card.append(el("p", "error", callNote(note)));
    box.append(card);
  }
  for (const note of transcript.calls) box.append(el("p", "error", callNote(note)));
}

function message(view) {
  const bubble = el("div", "msg " + view.role);
  bubble.dataset.messageId = view.id;
  let meta = view.role + " · " + view.id + " · " + time(view.at);
  if (view.status !== "completed") meta += " · " + view.status + (view.incomplete ? " (" + view.incomplete + ")" : "");
  bubble.append(el("span", "meta", meta));
  bubble.append(document.createTextNode(view.text));
  for (const image of view.images) bubble.append(el("span", "meta", "image " + image));
  if (view.attachments.length) bubble.append(el("span", "meta", "attachments: " + view.attachments.join("; ")));
  if (view.annotations.length) bubble.append(el("span", "meta", "annotations: " + view.annotations.join("; ")));
  return bubble;
}

function run(view) {
  const box = el("div", "run " + view.status);
  box.dataset.runId = view.id;
  const who = view.assistant_id + (view.assistant_name ? " (" + view.assistant_name + ")" : "");
  box.append(el("span", "meta", "run " + view.id + " · " + who + " · " + view.model));
  const chips = el("div", "chips");
  for (const status of view.statuses) chips.append(el("span", "chip " + status.status, status.status + " " + time(status.at)));
  if (view.streamed) chips.append(el("span", "chip streamed", "streamed"));
  box.append(chips);
  if (view.instructions !== null) box.append(el("div", "tool", "instructions: " + view.instructions));
  if (view.tools.length) box.append(el("span", "meta", "tools: " + view.tools.join(", ")));
  for (const step of view.steps) box.append(stepView(step));
  for (const extra of view.messages) box.append(message(extra));
  if (view.last_error) box.append(el("p", "error", "last_error: " + view.last_error));
  if (view.incomplete_details) box.append(el("p", "error", "incomplete: " + view.incomplete_details));
  if (view.usage) box.append(el("span", "meta", "usage: " + view.usage));
  return box;
}

function stepView(step) {
  const box = el("div", "step");
  box.append(el("span", "meta", "step " + step.id + " · " + step.type + (step.status === "completed" ? "" : " · " + step.status)));
  if (step.message) box.append(message(step.message));
  for (const call of step.tool_calls) {
    let text;
    if (call.type === "function") {
      text = call.name + "(" + call.arguments + ") → " + (call.output === null ? "(no output yet)" : call.output);
    } else if (call.type === "code_interpreter") {
      text = "code_interpreter: " + call.input + call.logs.map((l) => "\nlogs: " + l).join("") +
             call.images.map((i) => "\nimage " + i).join("");
    } else if (call.type === "file_search") {
      text = "file_search: " + call.results.length + " result(s)" + call.results.map((r) => "\n" + r).join("");
    } else {
      text = call.type;
    }
    const tool = el("div", "tool", text);
    tool.dataset.callId = call.id;
    box.append(tool);
  }
  if (step.last_error) box.append(el("p", "error", "last_error: " + step.last_error));
  return box;
}

function callNote(note) {
  return "#" + note.index + " " + note.method + " " + note.path + " → " + (note.status === null ? "no answer" : note.status) +
         (note.fault ? " · injected " + note.fault : "") + (note.error ? " · " + note.error : "");
}

function drawScript(script) {
  document.getElementById("script-count").textContent = script.pending.length + " pending, " + script.consumed + " used";
  const list = document.getElementById("script");
  list.replaceChildren(...script.pending.map((turn) =>
    el("li", null, turn.action + (turn.assistant_id ? " (assistant " + turn.assistant_id + ")" : ""))));
}

function drawFaults(faults) {
  const list = document.getElementById("faults");
  if (!faults.length) return list.replaceChildren(el("li", "muted", "none pending"));
  list.replaceChildren(...faults.map((f) => el("li", null, f.kind + " on " + (f.route || "every route") +
    (f.status ? " · " + f.status : "") + " · " + (f.remaining === null ? "every time" : f.remaining + " left") +
    " · fired " + f.hits + "×")));
}

function routeMatches(pattern, route) {
  if (!pattern) return true;
  const escaped = pattern.trim().replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp("^" + escaped + "$").test(route || "");
}

function drawCalls() {
  if (!overview) return;
  const pattern = document.getElementById("filter-route").value;
  const status = document.getElementById("filter-status").value;
  const chosen = overview.calls.data.filter((call) => {
    const refused = call.status === null || call.status >= 400;
    if (status === "ok" && (refused || call.fault)) return false;
    if (status === "refused" && !refused) return false;
    if (status === "fault" && !call.fault) return false;
    return routeMatches(pattern, call.route);
  });
  document.getElementById("calls-count").textContent =
    chosen.length + " shown of " + overview.calls.total + " (newest first)";
  document.getElementById("calls").replaceChildren(...chosen.map((call) => {
    const refused = call.status === null || call.status >= 400;
    return el("li", call.fault ? "fault" : refused ? "refused" : null, "#" + call.index + " " + call.line);
  }));
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("filter-route").addEventListener("input", drawCalls);
  document.getElementById("filter-status").addEventListener("change", drawCalls);
  document.getElementById("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY_STORE, document.getElementById("key").value);
    document.getElementById("key-form").hidden = true;
    lastBody = null;
  });
  poll();
});
