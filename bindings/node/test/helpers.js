'use strict';
// Test helpers: start the mock gateway (first stdout line is its URL), script it per session,
// read its request log. Every test uses its own session (x-mock-session header).

const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const TARGET = process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target');
const MOCK = process.env.ROUTERKIT_MOCK || path.join(TARGET, 'debug', 'routerkit-mock');

let mock;
let counter = 0;

async function startMock() {
  if (mock) return mock;
  const child = spawn(MOCK, ['--port', '0', '--exit-on-stdin-close'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const rl = readline.createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`routerkit-mock exited with ${code} (built? cargo build -p routerkit-mock)`)));
    rl.once('line', (line) => resolve(line.trim()));
  });
  child.unref();
  child.stdout.unref?.();
  child.stdin.unref?.();
  mock = { url, baseURL: `${url}/v1`, child };
  return mock;
}

function stopMock() {
  if (mock) {
    mock.child.stdin.end();
    mock.child.kill();
    mock = undefined;
  }
}

function session(name = 'node') {
  counter += 1;
  return `${name}-${process.pid}-${counter}-${Date.now()}`;
}

async function control(method, p, body) {
  const r = await fetch(`${mock.url}/__mock/${p}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 400) throw new Error(`mock control ${method} ${p}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const script = (sid, steps) => control('POST', `sessions/${encodeURIComponent(sid)}/script`, steps);
const requests = (sid) => control('GET', `sessions/${encodeURIComponent(sid)}/requests`);

/** Polls the request log until `pred(log)` holds (the mock notices a close asynchronously). */
async function waitFor(sid, pred, ms = 3000) {
  const until = Date.now() + ms;
  let log;
  while (Date.now() < until) {
    log = await requests(sid);
    if (pred(log)) return log;
    await new Promise((r) => setTimeout(r, 25));
  }
  return log;
}

module.exports = { startMock, stopMock, session, script, requests, waitFor, ROOT };
