'use strict';
// The core's error kinds are all mapped: a kind added to the core fails here until
// lib/errors.js gives it a class.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const native = require('../lib/native');
const { BY_KIND, fromNative, APIError, OpenAIError } = require('../lib/errors');

// Structured outputs' errors are openai-node's, beside APIError (they still carry the call's fields).
const BESIDE_API_ERROR = ['length_finish_reason', 'content_filter_finish_reason', 'output_validation'];

const PREFIX = '{"routerkit":1,';

test('every core error kind has a class in lib/errors.js', () => {
  const kinds = native.errorKinds();
  assert.ok(kinds.length >= 7 && kinds.includes('status'), String(kinds));
  const unmapped = kinds.filter((k) => !Object.hasOwn(BY_KIND, k));
  assert.deepEqual(unmapped, [], `core error kinds without a JS class: ${unmapped}`);
});

test('each kind converts from its wire form', () => {
  for (const kind of native.errorKinds()) {
    const wire = { kind, message: 'm', status: kind === 'status' ? 500 : null, code: null, type: null, param: null,
      field: 'x', body: null, headers: [], request_id: 'req_9', retry_after_ms: 1500, attempts: 2 };
    const e = fromNative(new Error(PREFIX + JSON.stringify(wire).slice(1)));
    assert.ok(e instanceof Error, kind);
    if (kind === 'invalid_request') assert.equal(e.field, 'x');
    else {
      assert.ok(BESIDE_API_ERROR.includes(kind) ? e instanceof OpenAIError && !(e instanceof APIError) : e instanceof APIError, kind);
      assert.equal(e.attempts, 2, kind);
    }
  }
});
