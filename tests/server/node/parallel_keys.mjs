// Test files in parallel on one server started with `--one-fake-per-key`, through the official `openai` npm
// package: each "file" (an async function here, all running at once) builds its clients with its own API key,
// scripts its own turns and faults, resets its own fake, and must see nothing of the others'.
//
//   node tests/server/node/parallel_keys.mjs http://127.0.0.1:4010
//
// The argument is the server's root. Any failure exits non-zero.
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const root = (process.argv[2] ?? 'http://127.0.0.1:4010').replace(/\/+$/, '');
const FILES = 6;
const ROUNDS = 5;

function file(index) {
  const key = `test-file-${index}`;
  const client = new OpenAI({ baseURL: `${root}/v1`, apiKey: key, maxRetries: 0 });
  async function control(method, path, body) {
    const response = await fetch(`${root}/__fake__/${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json();
    assert.equal(response.status, 200, `${key}: control ${method} ${path}: ${JSON.stringify(json)}`);
    return json;
  }
  return { key, client, control };
}

async function oneTest({ key, client, control }, round) {
  await control('POST', 'reset');  // this file's fake only: the others' runs go on
  const answer = `answer of ${key}, round ${round}`;
  await control('POST', 'script', { turns: [
    { type: 'call_function', name: 'lookup', arguments: { who: key } },
    { type: 'reply', text: answer },
  ] });
  await control('POST', 'faults', { kind: 'rate_limit', route: 'threads.create', retry_after_ms: 1 });
  await assert.rejects(client.beta.threads.create(), (error) => error.status === 429, `${key}: its own fault`);
  const assistant = await client.beta.assistants.create({
    model: 'gpt-4o', tools: [{ type: 'function', function: { name: 'lookup' } }],
  });
  let run = await client.beta.threads.createAndRunPoll({
    assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'who am I?' }] },
  }, { pollIntervalMs: 1 });
  assert.equal(run.status, 'requires_action', `${key}: its own call_function turn`);
  const call = run.required_action.submit_tool_outputs.tool_calls[0];
  assert.deepEqual(JSON.parse(call.function.arguments), { who: key });
  run = await client.beta.threads.runs.submitToolOutputsAndPoll(
    run.id, { thread_id: run.thread_id, tool_outputs: [{ tool_call_id: call.id, output: 'you' }] },
    { pollIntervalMs: 1 });
  assert.equal(run.status, 'completed');
  const [newest] = (await client.beta.threads.messages.list(run.thread_id)).data;
  assert.equal(newest.content[0].text.value, answer, `${key}: its own reply`);
  const script = await control('GET', 'script');
  assert.equal(script.pending, 0, `${key}: every turn it scripted was used by its own runs`);
  const faults = await control('GET', 'faults');
  assert.deepEqual(faults.data, [], `${key}: its fault was spent by its own request`);
  const checked = await control('GET', 'check');  // what an afterEach asks: fake.check() over HTTP
  assert.equal(checked.passed, true, `${key}: ${checked.message}`);
  return assistant.id;
}

const files = Array.from({ length: FILES }, (_, index) => file(index));
const ids = await Promise.all(files.map(async (each) => {
  const made = [];
  for (let round = 0; round < ROUNDS; round += 1) made.push(await oneTest(each, round));
  return made;
}));

// Each key's ids come from the seed and the key: one file's id is a 404 to another.
assert.equal(new Set(ids.map((made) => made[0])).size, FILES, 'each file has ids of its own');
await assert.rejects(files[1].client.beta.assistants.retrieve(ids[0].at(-1)), (error) => error.status === 404);
console.log(`parallel keys: ${FILES} files x ${ROUNDS} tests on one server, each on its own fake`);
