// The Assistants flow through the official `openai` npm package, against a running fake-assistants server.
//
//   node tests/server/node/assistants_flow.mjs http://127.0.0.1:4010
//
// The argument is the server's root (the control API is at /__fake__/, the API at /v1). The `openai`
// package (a version that still has `beta.assistants`, e.g. 5.x) must be resolvable from the working
// directory. Every step asserts on what it got; any failure exits non-zero.
//
// With FAKE_ASSISTANTS_FLOW_MODEL=1 the turns come from a model behind the server (`serve --model-base-url`,
// e.g. `python tests/support/chat_backend.py --flow node`, which answers what the script would) instead of
// the script: nothing is scripted, and the same assertions hold.
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { AssistantStream } from 'openai/lib/AssistantStream';

const root = (process.argv[2] ?? 'http://127.0.0.1:4010').replace(/\/+$/, '');
const client = new OpenAI({ baseURL: `${root}/v1`, apiKey: process.env.FAKE_ASSISTANTS_API_KEY ?? 'sk-node', maxRetries: 0 });

async function control(method, path, body) {
  const response = await fetch(`${root}/__fake__/${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${client.apiKey}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  assert.equal(response.status, 200, `control ${method} ${path}: ${JSON.stringify(json)}`);
  return json;
}

const fromModel = Boolean(process.env.FAKE_ASSISTANTS_FLOW_MODEL);

async function script(turns) {
  if (!fromModel) await control('POST', 'script', { turns });
}

function text(message) {
  assert.equal(message.content[0].type, 'text');
  return message.content[0].text.value;
}

async function polledRun() {
  await script([{ type: 'reply', text: 'x = 1, Jane.' }]);
  const assistant = await client.beta.assistants.create({
    name: 'Math Tutor',
    instructions: 'You are a personal math tutor.',
    tools: [{ type: 'code_interpreter' }],
    model: 'gpt-4o',
  });
  assert.match(assistant.id, /^asst_/);
  assert.equal(assistant.name, 'Math Tutor');

  const thread = await client.beta.threads.create();
  assert.match(thread.id, /^thread_/);
  const message = await client.beta.threads.messages.create(thread.id, {
    role: 'user',
    content: 'I need to solve the equation `3x + 11 = 14`. Can you help me?',
  });
  assert.equal(message.role, 'user');

  const run = await client.beta.threads.runs.createAndPoll(thread.id, {
    assistant_id: assistant.id,
    instructions: 'Please address the user as Jane Doe.',
  });
  assert.equal(run.status, 'completed');
  assert.equal(run.instructions, 'Please address the user as Jane Doe.');
  assert.ok(run.usage.total_tokens > 0);

  const messages = await client.beta.threads.messages.list(thread.id, { order: 'asc' });
  assert.deepEqual(messages.data.map((m) => m.role), ['user', 'assistant']);
  assert.equal(text(messages.data[1]), 'x = 1, Jane.');
  assert.equal(messages.data[1].run_id, run.id);
  return assistant;
}

async function streamedRun(assistant) {
  const answer = 'Three times one plus eleven is fourteen.';
  await script([{ type: 'reply', text: answer }]);
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Check x = 1' }] });

  const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
  assert.ok(stream instanceof AssistantStream);
  const events = [];
  let deltas = '';
  stream.on('event', (event) => events.push(event.event));
  stream.on('textDelta', (delta) => { deltas += delta.value; });
  const run = await stream.finalRun();
  const final = await stream.finalMessages();

  assert.equal(run.status, 'completed');
  assert.deepEqual(events.slice(0, 3), ['thread.run.created', 'thread.run.queued', 'thread.run.in_progress']);
  assert.equal(events.at(-1), 'thread.run.completed');
  for (const name of ['thread.run.step.created', 'thread.message.created', 'thread.message.delta',
    'thread.message.completed', 'thread.run.step.completed']) {
    assert.ok(events.includes(name), `no ${name} in ${events.join(', ')}`);
  }
  assert.equal(deltas, answer);
  assert.equal(text(final[0]), answer);
}

async function functionCall() {
  await script([
    { type: 'call_function', name: 'get_weather', arguments: { city: 'Paris' } },
    { type: 'reply', text: 'It is sunny in Paris.' },
  ]);
  const assistant = await client.beta.assistants.create({
    model: 'gpt-4o',
    tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
  });
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Weather in Paris?' }] });

  const waiting = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  assert.equal(waiting.status, 'requires_action');
  const calls = waiting.required_action.submit_tool_outputs.tool_calls;
  assert.equal(calls.length, 1);
  assert.equal(calls[0].function.name, 'get_weather');
  assert.deepEqual(JSON.parse(calls[0].function.arguments), { city: 'Paris' });

  const done = await client.beta.threads.runs.submitToolOutputsAndPoll(waiting.id, {
    thread_id: thread.id,
    tool_outputs: [{ tool_call_id: calls[0].id, output: '{"sky": "sunny"}' }],
  });
  assert.equal(done.status, 'completed');
  assert.equal(done.required_action, null);

  const steps = await client.beta.threads.runs.steps.list(done.id, { thread_id: thread.id, order: 'asc' });
  assert.deepEqual(steps.data.map((s) => s.type), ['tool_calls', 'message_creation']);
  assert.equal(steps.data[0].step_details.tool_calls[0].function.output, '{"sky": "sunny"}');

  const messages = await client.beta.threads.messages.list(thread.id);
  assert.equal(text(messages.data[0]), 'It is sunny in Paris.');
}

async function errors() {
  await assert.rejects(client.beta.assistants.retrieve('asst_doesnotexist'), (error) => {
    assert.ok(error instanceof OpenAI.NotFoundError);
    assert.equal(error.status, 404);
    assert.equal(error.error.message, "No assistant found with id 'asst_doesnotexist'.");
    return true;
  });
}

await control('POST', 'reset');
const assistant = await polledRun();
await streamedRun(assistant);
await functionCall();
await errors();
const pending = await control('GET', 'script');
assert.equal(pending.pending, 0, 'every scripted turn was used');
const calls = await control('GET', 'calls?route=runs.create');
assert.ok(calls.data.length >= 1);
console.log(`node assistants flow: ok${fromModel ? ' (the model answered)' : ''}`);
