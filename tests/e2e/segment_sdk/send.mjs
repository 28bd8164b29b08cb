// The unmodified Segment Node SDK (@segment/analytics-node) sends one phase of
// the segment_sdk.sh scenario to journeyd. Only `host` points it elsewhere: the
// SDK posts every call to `${host}/v1/batch` (its default path) with HTTP Basic
// auth `writeKey:`, exactly as it would to api.segment.io. flushAt/flushInterval
// only make the batching deterministic: a phase's calls leave as one batch at
// closeAndFlush().
//
// Usage: node send.mjs <phase> <http port> <write key> <anonymousId> <userId>
//   anonymous: page "Home" + track "Product Viewed" under the anonymousId
//   identified: identify (userId + anonymousId: the identity link) + track
//               "Product Added" (price 129) under the userId
// Prints one JSON line {"phase","requests","messageIds":{name: id}} and exits
// 0 only if every HTTP response was 200 {"success":true,"accepted":<batch size>}
// and the SDK reported no error.
import { Analytics } from '@segment/analytics-node';

const [phase, port, writeKey, anonymousId, userId] = process.argv.slice(2);
if (!phase || !port || !writeKey || !anonymousId || !userId) {
  console.error('usage: node send.mjs <anonymous|identified> <port> <writeKey> <anonymousId> <userId>');
  process.exit(2);
}

const problems = [];
const analytics = new Analytics({
  writeKey,
  host: `http://127.0.0.1:${port}`,
  flushAt: 20, // more than a phase sends: one batch per phase, sent by closeAndFlush()
  flushInterval: 60000,
  maxRetries: 3, // journeyd is local; a failure should surface, not back off for minutes
});

// What went over the wire, from the SDK's own instrumentation. Its http_response
// event carries the status but repeats the request body, so journeyd's answer is
// read by observing the global fetch the SDK calls (a tee: the SDK still gets
// the untouched response).
const sent = []; // batches, as posted
const statuses = []; // from the SDK's http_response events
const answers = []; // journeyd's response bodies
analytics.on('http_request', (req) => sent.push({ url: req.url, auth: req.headers.Authorization, body: JSON.parse(req.body) }));
analytics.on('http_response', (res) => statuses.push(res.status));
const fetch = globalThis.fetch;
globalThis.fetch = async (...args) => {
  const res = await fetch(...args);
  answers.push(await res.clone().text());
  return res;
};
analytics.on('error', (err) => problems.push(`SDK error ${err.code}: ${err.reason?.message ?? err.reason}`));

// Every call's callback reports its own delivery.
const calls = [];
const call = (method, params) =>
  calls.push(
    new Promise((resolve) =>
      analytics[method](params, (err) => {
        if (err) problems.push(`${method}: ${err.message ?? err}`);
        resolve();
      }),
    ),
  );

if (phase === 'anonymous') {
  call('page', { anonymousId, name: 'Home', properties: { path: '/', url: 'https://shop.example/' } });
  call('track', { anonymousId, event: 'Product Viewed', properties: { product_id: 'p-42', price: 129 } });
} else if (phase === 'identified') {
  call('identify', { userId, anonymousId, traits: { email: 'ada@example.com', plan: 'pro' } });
  call('track', { userId, anonymousId, event: 'Product Added', properties: { product_id: 'p-42', price: 129 } });
} else {
  console.error(`unknown phase '${phase}'`);
  process.exit(2);
}

await analytics.closeAndFlush({ timeout: 30000 });
await Promise.all(calls);

const expected = calls.length;
const events = sent.flatMap((b) => b.body.batch);
const basic = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
for (const b of sent) {
  if (b.url !== `http://127.0.0.1:${port}/v1/batch`) problems.push(`posted to ${b.url}, not /v1/batch`);
  if (b.auth !== basic) problems.push('the SDK did not send HTTP Basic auth with the write key');
}
if (sent.length !== 1 || events.length !== expected)
  problems.push(`expected one batch of ${expected} events, the SDK posted ${sent.length} request(s) with ${events.length}`);
if (statuses.length !== sent.length || answers.length !== sent.length)
  problems.push(`${sent.length} request(s) but ${statuses.length} response(s) (${answers.length} observed)`);
statuses.forEach((status, i) => {
  let body;
  try {
    body = JSON.parse(answers[i]);
  } catch {
    body = undefined;
  }
  if (status !== 200 || body?.success !== true || body?.accepted !== expected)
    problems.push(`journeyd answered ${status} ${answers[i]}`);
});

const messageIds = {};
for (const e of events) {
  if (!e.messageId) problems.push(`the SDK sent a ${e.type} without messageId`);
  messageIds[e.type === 'track' ? e.event : e.type] = e.messageId;
}
console.log(JSON.stringify({ phase, requests: sent.length, messageIds }));
if (problems.length) {
  for (const p of problems) console.error(`send.mjs (${phase}): ${p}`);
  process.exit(1);
}
