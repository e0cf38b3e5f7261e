'use strict';
// TLS: the mock gateway with --tls (a throw-away test CA). `tlsCaCert` trusts it; an unknown CA or a
// certificate for another name is refused with an APIConnectionError that says so; a plain http://
// baseURL to a non-loopback host throws a TypeError naming base_url unless `allowInsecureHttp`.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { spawn } = require('node:child_process');
const { ROOT } = require('./helpers');
const OpenAI = require('..');
const { APIConnectionError } = OpenAI;

const TARGET = process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target');
const MOCK = process.env.ROUTERKIT_MOCK || path.join(TARGET, 'debug', 'routerkit-mock');
const KEY = 'sk-secret-tls-0123456789abcdefghijkl';
const MSG = [{ role: 'user', content: 'over tls' }];
const EXPECTED = 'Hello from routerkit-mock! You said: over tls';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerkit-node-tls-'));
const children = [];

async function startTlsMock(tag, extra = []) {
  const ca = path.join(dir, `${tag}.pem`);
  const child = spawn(MOCK, ['--port', '0', '--exit-on-stdin-close', '--tls', '--tls-ca-out', ca, ...extra], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  const rl = readline.createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`routerkit-mock exited with ${code}`)));
    rl.once('line', (line) => resolve(line.trim()));
  });
  assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
  return { url, port: url.split(':').pop(), ca };
}

let tls;
let wrongName;
before(async () => {
  tls = await startTlsMock('ok');
  wrongName = await startTlsMock('name', ['--tls-name', 'gateway.test']);
});
after(() => {
  for (const c of children) {
    c.stdin.end();
    c.kill();
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

async function chatAndStream(client) {
  const r = await client.chat.completions.create({ model: 'openai/gpt-4.1', messages: MSG });
  assert.equal(r.choices[0].message.content, EXPECTED);
  const stream = await client.chat.completions.create({ model: 'openai/gpt-4.1', messages: MSG, stream: true });
  let text = '';
  for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
  assert.equal(text, EXPECTED);
}

test('tlsCaCert as a path trusts the mock CA (127.0.0.1 and localhost)', async () => {
  await chatAndStream(new OpenAI({ apiKey: KEY, baseURL: `${tls.url}/v1`, tlsCaCert: tls.ca }));
  await chatAndStream(new OpenAI({ apiKey: KEY, baseURL: `https://localhost:${tls.port}/v1`, tlsCaCert: tls.ca }));
});

test('tlsCaCert as PEM text, a Buffer, an array; and through withOptions', async () => {
  const pem = fs.readFileSync(tls.ca);
  await chatAndStream(new OpenAI({ apiKey: KEY, baseURL: `${tls.url}/v1`, tlsCaCert: pem }));
  await chatAndStream(new OpenAI({ apiKey: KEY, baseURL: `${tls.url}/v1`, tlsCaCert: pem.toString('utf8') }));
  await chatAndStream(new OpenAI({ apiKey: KEY, baseURL: `${tls.url}/v1`, tlsCaCert: [wrongName.ca, pem] }));
  const plain = new OpenAI({ apiKey: KEY, baseURL: `${tls.url}/v1`, maxRetries: 0 });
  await chatAndStream(plain.withOptions({ tlsCaCert: tls.ca }));
});

function assertCertificateError(e, why) {
  assert.ok(e instanceof APIConnectionError, String(e));
  assert.match(e.message, /^TLS certificate verification failed/);
  assert.ok(e.message.includes(why), e.message);
  assert.ok(!e.message.includes(KEY));
  return true;
}

test('an unknown CA is refused with a clear APIConnectionError', async () => {
  const client = new OpenAI({ apiKey: KEY, baseURL: `${tls.url}/v1`, maxRetries: 0 });
  await assert.rejects(client.chat.completions.create({ model: 'm', messages: MSG }), (e) => assertCertificateError(e, 'not trusted'));
  await assert.rejects(
    client.chat.completions.create({ model: 'm', messages: MSG, stream: true }),
    (e) => assertCertificateError(e, 'not trusted'),
  );
});

test('a certificate for another name is refused', async () => {
  const client = new OpenAI({ apiKey: KEY, baseURL: `${wrongName.url}/v1`, tlsCaCert: wrongName.ca, maxRetries: 0 });
  const why = 'not issued for this host name';
  await assert.rejects(client.chat.completions.create({ model: 'm', messages: MSG }), (e) => assertCertificateError(e, why));
  await assert.rejects(
    client.chat.completions.create({ model: 'm', messages: MSG, stream: true }),
    (e) => assertCertificateError(e, why),
  );
});

test('plain http:// to a non-loopback host needs allowInsecureHttp', () => {
  for (const baseURL of ['http://example.invalid/v1', 'http://192.0.2.10:8080/v1']) {
    assert.throws(
      () => new OpenAI({ apiKey: KEY, baseURL }),
      (e) => e instanceof TypeError && e.field === 'base_url' && e.message.includes('allow_insecure_http'),
    );
    const c = new OpenAI({ apiKey: KEY, baseURL, allowInsecureHttp: true });
    assert.equal(c.baseURL, baseURL);
  }
  assert.doesNotThrow(() => new OpenAI({ apiKey: KEY, baseURL: 'http://localhost:9/v1' }));
});

test('a bad tlsCaCert names the field', () => {
  assert.throws(
    () => new OpenAI({ apiKey: KEY, baseURL: 'https://x.test/v1', tlsCaCert: path.join(dir, 'missing.pem') }),
    (e) => e instanceof TypeError && e.field === 'tls_ca_cert',
  );
  assert.throws(
    () => new OpenAI({ apiKey: KEY, baseURL: 'https://x.test/v1', tlsCaCert: Buffer.from('not a certificate') }),
    (e) => e instanceof TypeError && e.field === 'tls_ca_cert',
  );
  assert.throws(() => new OpenAI({ apiKey: KEY, baseURL: 'https://x.test/v1', tlsCaCert: 42 }), TypeError);
});
