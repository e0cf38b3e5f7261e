/*
 * The C ABI used directly through include/routerkit.h against the mock gateway:
 * a client, a chat call, models, embeddings, a stream to its end (JSON lines
 * and binary records), a stream
 * cancelled from another thread while blocked, and every error kind.
 * Run under valgrind or ASan by scripts/test.sh: no leak, no invalid access.
 *
 * usage: abi_test BASE_URL   (e.g. http://127.0.0.1:1234/v1)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "routerkit.h"

static int failures = 0;
static int passed = 0;

#define CHECK(cond, ...)                                                   \
  do {                                                                     \
    if (cond) {                                                            \
      passed++;                                                            \
    } else {                                                               \
      failures++;                                                          \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);      \
      fprintf(stderr, __VA_ARGS__);                                        \
      fputc('\n', stderr);                                                 \
    }                                                                      \
  } while (0)

static const char *base_url;

static const char *CHAT =
    "{\"model\":\"openai/gpt-4.1\",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";

static RkClient *new_client(const char *extra) {
  char opts[1024];
  snprintf(opts, sizeof opts,
           "{\"api_key\":\"sk-test-abi-0123456789\",\"base_url\":\"%s\",\"from_env\":false,"
           "\"initial_retry_delay_ms\":1,\"max_retry_delay_ms\":5%s}",
           base_url, extra ? extra : "");
  RkClient *client = NULL;
  RkError *err = NULL;
  RkStatus st = rk_client_new(opts, &client, &err);
  CHECK(st == RK_STATUS_OK && client && !err, "client_new: %s", err ? err->message : "?");
  rk_error_free(err);
  return client;
}

/* Expects `st`/`err` to be a failure of `kind`; frees the error. */
static void expect_kind(const char *what, RkStatus st, RkError *err, const char *kind) {
  CHECK(st == RK_STATUS_ERROR, "%s: status %d", what, (int)st);
  CHECK(err != NULL, "%s: no error", what);
  if (!err) return;
  CHECK(strcmp(err->kind, kind) == 0, "%s: kind %s, want %s (%s)", what, err->kind, kind, err->message);
  CHECK(err->message && err->message[0], "%s: empty message", what);
  CHECK(err->headers != NULL, "%s: headers NULL", what);
  CHECK(strstr(err->message, "sk-test-abi-0123456789") == NULL, "%s: key in message", what);
  rk_error_free(err);
}

static void test_version(void) {
  CHECK(rk_abi_version() == RK_ABI_VERSION, "abi %u", rk_abi_version());
  CHECK(strlen(rk_version()) > 0, "version");
  /* The core's error kinds, one per line: every kind RkError.kind can hold but "panic". */
  const char *kinds = rk_error_kinds();
  CHECK(kinds && strstr(kinds, "status\n") == kinds && strstr(kinds, "\ndecode") != NULL, "kinds %s", kinds ? kinds : "NULL");
}

/* rk_helper: pure JSON in, JSON out; the output is the caller's, freed with rk_string_free. */
static void test_helper(void) {
  char *out = NULL;
  RkError *err = NULL;
  RkStatus st = rk_helper("tool_runner.start",
                          "{\"params\":{\"model\":\"m\",\"messages\":[],\"tools\":[]},\"max_chat_completions\":2}",
                          &out, &err);
  CHECK(st == RK_STATUS_OK && out && !err, "helper: %s", err ? err->message : "?");
  CHECK(out && strstr(out, "\"action\":\"request\"") && strstr(out, "\"tool_choice\":\"auto\""), "helper out %s",
        out ? out : "NULL");
  rk_string_free(out);
  out = NULL;
  st = rk_helper("no.such.helper", "{}", &out, &err);
  CHECK(out == NULL, "helper error leaves out NULL");
  expect_kind("unknown helper", st, err, "invalid_request");
  err = NULL;
  st = rk_helper("tool_runner.start", NULL, &out, &err);
  CHECK(st == RK_STATUS_INVALID_ARGUMENT && err, "helper NULL input: status %d", (int)st);
  rk_error_free(err);
}

static void test_chat_models_embeddings(RkClient *client) {
  RkResponse *resp = NULL;
  RkError *err = NULL;
  RkStatus st = rk_call(client, "chat", CHAT, NULL, NULL, &resp, &err);
  CHECK(st == RK_STATUS_OK && resp && !err, "chat: %s", err ? err->message : "?");
  if (resp) {
    CHECK(resp->status == 200, "status %d", resp->status);
    CHECK(resp->attempts == 1, "attempts %u", resp->attempts);
    CHECK(resp->body_len == strlen(resp->body), "body_len");
    CHECK(strstr(resp->body, "\"choices\"") != NULL, "body %s", resp->body);
    CHECK(resp->request_id != NULL, "request id");
    CHECK(strstr(resp->headers, "x-request-id: ") != NULL, "headers %s", resp->headers);
    CHECK(resp->receipt != NULL, "receipt");
    char *text = rk_receipt_json(resp->receipt);
    CHECK(text && strstr(text, "\"complete\":true"), "receipt %s", text ? text : "(null)");
    rk_string_free(text);
  }
  rk_response_free(resp);
  rk_error_free(err);

  /* A receipt taken out of its response outlives it, and is the caller's to free. */
  resp = NULL;
  st = rk_call(client, "chat", CHAT, NULL, NULL, &resp, &err);
  CHECK(st == RK_STATUS_OK && resp, "chat again: %s", err ? err->message : "?");
  RkReceipt *taken = rk_response_take_receipt(resp);
  CHECK(taken != NULL && resp && resp->receipt == NULL, "take receipt");
  CHECK(rk_response_take_receipt(resp) == NULL, "a receipt is taken once");
  rk_response_free(resp);
  char *taken_text = rk_receipt_json(taken);
  CHECK(taken_text && strstr(taken_text, "\"attempts\":[") != NULL, "taken receipt %s", taken_text ? taken_text : "(null)");
  rk_string_free(taken_text);
  rk_receipt_free(taken);
  rk_error_free(err);
  CHECK(rk_receipt_json(NULL) == NULL && rk_response_take_receipt(NULL) == NULL, "NULL receipt");
  rk_receipt_free(NULL);

  resp = NULL;
  st = rk_call(client, "models", NULL, NULL, NULL, &resp, &err);
  CHECK(st == RK_STATUS_OK && resp && strstr(resp->body, "\"data\""), "models");
  rk_response_free(resp);
  rk_error_free(err);
  err = NULL;

  resp = NULL;
  st = rk_call(client, "embeddings", "{\"model\":\"openai/text-embedding-3-small\",\"input\":[\"a\",\"b\"]}", NULL, NULL,
                     &resp, &err);
  CHECK(st == RK_STATUS_OK && resp && strstr(resp->body, "\"embedding\""), "embeddings: %s",
        err ? err->message : "?");
  rk_response_free(resp);
  rk_error_free(err);

  /* Retried 503 then success: attempts counted. */
  resp = NULL;
  err = NULL;
  st = rk_call(client, "chat", CHAT,
               "{\"headers\":{\"x-mock-session\":\"c-retry\"}}", NULL, &resp, &err);
  /* No script for c-retry: default answer. */
  CHECK(st == RK_STATUS_OK, "chat with session header");
  rk_response_free(resp);
  rk_error_free(err);
}

/* Reads a stream to its end; returns the number of chunks. */
static size_t drain(RkStream *stream, RkError **err_out, RkStatus *st_out) {
  size_t total = 0;
  for (;;) {
    const char *data = NULL;
    size_t len = 0, count = 0;
    RkError *err = NULL;
    RkStatus st = rk_stream_next_batch(stream, 0, &data, &len, &count, &err);
    if (st != RK_STATUS_OK) {
      *err_out = err;
      *st_out = st;
      return total;
    }
    if (count == 0) break;
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
      if (data[i] == '\n') lines++;
    CHECK(lines == count, "lines %zu count %zu", lines, count);
    CHECK(data[0] == '{', "chunk starts with %c", data[0]);
    total += count;
  }
  *err_out = NULL;
  *st_out = RK_STATUS_OK;
  return total;
}

static void test_stream_to_end(RkClient *client) {
  RkStream *stream = NULL;
  RkError *err = NULL;
  const char *req =
      "{\"model\":\"openai/gpt-4.1\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"count to ten "
      "please, slowly and clearly\"}]}";
  RkStatus st = rk_open(client, "chat_stream", req, NULL, NULL, &stream, &err);
  CHECK(st == RK_STATUS_OK && stream, "chat_stream: %s", err ? err->message : "?");
  rk_error_free(err);
  if (!stream) return;
  char *rid = rk_stream_request_id(stream);
  CHECK(rid != NULL, "stream request id");
  rk_string_free(rid);
  char *headers = rk_stream_headers(stream);
  CHECK(headers && strstr(headers, "content-type: text/event-stream"), "stream headers %s", headers);
  rk_string_free(headers);
  CHECK(rk_stream_attempts(stream) == 1, "attempts");
  RkStatus end_st;
  size_t n = drain(stream, &err, &end_st);
  CHECK(end_st == RK_STATUS_OK && !err, "drain: %s", err ? err->message : "?");
  rk_error_free(err);
  CHECK(n >= 2, "chunks %zu", n);
  /* After the end: still 0, no error. */
  const char *data;
  size_t len, count = 99;
  st = rk_stream_next_batch(stream, 0, &data, &len, &count, &err);
  CHECK(st == RK_STATUS_OK && count == 0, "after end");
  char *completion = rk_stream_completion_json(stream);
  CHECK(completion && strstr(completion, "\"finish_reason\":\"stop\""), "completion %s", completion);
  CHECK(strstr(completion, "\"usage\"") != NULL, "usage in completion");
  rk_string_free(completion);
  char *receipt = rk_stream_receipt(stream);
  CHECK(receipt && strstr(receipt, "\"complete\":true") && strstr(receipt, "\"time_to_first_token_ms\":"), "receipt %s", receipt);
  rk_string_free(receipt);
  rk_stream_free(stream);
}

/* Little-endian reads of rk_stream_next_batch_bin's layout; NULL-safe cursor. */
struct cursor {
  const uint8_t *p, *end;
  int bad;
};

static uint32_t rd_u32(struct cursor *c) {
  if (c->end - c->p < 4) { c->bad = 1; return 0; }
  uint32_t v = (uint32_t)c->p[0] | (uint32_t)c->p[1] << 8 | (uint32_t)c->p[2] << 16 | (uint32_t)c->p[3] << 24;
  c->p += 4;
  return v;
}

static void skip(struct cursor *c, size_t n) {
  if ((size_t)(c->end - c->p) < n) { c->bad = 1; c->p = c->end; return; }
  c->p += n;
}

/* A `str` / `ostr`: appends its text to `into` (if given, up to `cap`); returns its length or -1 if absent. */
static long rd_str(struct cursor *c, int optional, char *into, size_t cap) {
  uint32_t n = rd_u32(c);
  if (optional && n == RK_CHUNK_ABSENT) return -1;
  if (into && (size_t)(c->end - c->p) >= n) {
    size_t have = strlen(into);
    size_t take = n < cap - have - 1 ? n : cap - have - 1;
    memcpy(into + have, c->p, take);
    into[have + take] = 0;
  }
  skip(c, n);
  return (long)n;
}

/* Streams the default answer with rk_stream_next_batch_bin and walks every record. The request asks
 * for usage itself, so that its choices: [] chunk is handed over (one the engine asked for is not). */
static void test_stream_bin(RkClient *client, uint32_t flags) {
  RkStream *stream = NULL;
  RkError *err = NULL;
  const char *req = "{\"model\":\"openai/gpt-4.1\",\"messages\":[{\"role\":\"user\",\"content\":\"count to ten\"}],"
                    "\"stream_options\":{\"include_usage\":true}}";
  RkStatus st = rk_open(client, "chat_stream", req, NULL, NULL, &stream, &err);
  CHECK(st == RK_STATUS_OK && stream, "chat_stream: %s", err ? err->message : "?");
  rk_error_free(err);
  if (!stream) return;
  size_t fast = 0, json = 0, finished = 0;
  char content[4096] = "";
  for (;;) {
    const uint8_t *data = NULL;
    size_t len = 0, count = 0;
    err = NULL;
    st = rk_stream_next_batch_bin(stream, 0, flags, &data, &len, &count, &err);
    CHECK(st == RK_STATUS_OK && !err, "next_batch_bin: %s", err ? err->message : "?");
    rk_error_free(err);
    if (st != RK_STATUS_OK || count == 0) break;
    struct cursor c = {data, data + len, 0};
    for (size_t i = 0; i < count && !c.bad; i++) {
      uint8_t tag = *c.p++;
      if (tag == RK_CHUNK_JSON) {
        uint32_t n = rd_u32(&c);
        CHECK(n > 0 && c.p[0] == '{', "json record");
        skip(&c, n);
        json++;
      } else {
        CHECK(tag == RK_CHUNK_FAST, "tag %d", tag);
        if (tag != RK_CHUNK_FAST) break;
        fast++;
        CHECK(rd_str(&c, 0, NULL, 0) > 0, "id");
        char object[64] = "";
        rd_str(&c, 0, object, sizeof object);
        CHECK(strcmp(object, "chat.completion.chunk") == 0, "object %s", object);
        skip(&c, 8); /* created */
        CHECK(rd_str(&c, 0, NULL, 0) > 0, "model");
        rd_str(&c, 1, NULL, 0); /* system_fingerprint */
        uint8_t has_usage = c.p < c.end ? *c.p++ : 2;
        CHECK(has_usage <= 1, "has_usage %d", has_usage);
        if (has_usage == 1) skip(&c, 12);
        uint32_t n_choices = rd_u32(&c);
        CHECK(n_choices >= 1, "choices %u", n_choices);
        for (uint32_t k = 0; k < n_choices && !c.bad; k++) {
          rd_u32(&c);                                   /* index */
          rd_str(&c, 1, NULL, 0);                       /* role */
          rd_str(&c, 1, content, sizeof content);       /* content */
          rd_str(&c, 1, NULL, 0);                       /* reasoning_content */
          rd_str(&c, 1, NULL, 0);                       /* reasoning */
          if (rd_str(&c, 1, NULL, 0) > 0) finished++;   /* finish_reason */
        }
      }
      /* Every chunk's JSON text stays available until the next batch. */
      const uint8_t *text = NULL;
      size_t text_len = 0;
      CHECK(rk_stream_batch_chunk_json(stream, i, &text, &text_len) && text_len > 0 && text[0] == '{',
            "chunk json %zu", i);
    }
    CHECK(!c.bad && c.p == c.end, "records fill the batch exactly");
    const uint8_t *text = NULL;
    size_t text_len = 7;
    CHECK(!rk_stream_batch_chunk_json(stream, count, &text, &text_len) && !text && text_len == 0, "index past the batch");
  }
  if (flags & RK_BATCH_JSON_ONLY) {
    CHECK(fast == 0 && json >= 2, "json only: fast %zu json %zu", fast, json);
  } else {
    CHECK(fast >= 2, "fast records %zu", fast);
    CHECK(json >= 1, "the usage chunk (no choices) is JSON: %zu", json);
    CHECK(strlen(content) > 0, "content from fast records");
    CHECK(finished == 1, "one finish reason, got %zu", finished);
  }
  rk_stream_free(stream);
}

struct canceller {
  RkCancelToken *token;
  RkStream *stream;
};

static void *cancel_later(void *arg) {
  struct canceller *c = arg;
  struct timespec ts = {0, 150 * 1000 * 1000};
  nanosleep(&ts, NULL);
  if (c->token) rk_cancel_token_cancel(c->token);
  if (c->stream) rk_stream_cancel(c->stream);
  return NULL;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A slow stream cancelled from another thread while next_batch blocks: by token and by rk_stream_cancel. */
static void test_cancelled_stream(RkClient *client, int by_token) {
  const char *opts =
      "{\"headers\":{\"x-mock-step\":\"{\\\"stream\\\":{\\\"content\\\":\\\"a b c d e f\\\",\\\"pieces\\\":6,"
      "\\\"delay_ms_between\\\":5000}}\"}}";
  RkCancelToken *token = by_token ? rk_cancel_token_new() : NULL;
  RkStream *stream = NULL;
  RkError *err = NULL;
  RkStatus st = rk_open(client, "chat_stream", CHAT, opts, token, &stream, &err);
  CHECK(st == RK_STATUS_OK && stream, "slow stream: %s", err ? err->message : "?");
  rk_error_free(err);
  if (!stream) {
    rk_cancel_token_free(token);
    return;
  }
  const char *data;
  size_t len, count;
  st = rk_stream_next_batch(stream, 0, &data, &len, &count, &err);
  CHECK(st == RK_STATUS_OK && count >= 1, "first batch");
  struct canceller c = {token, by_token ? NULL : stream};
  pthread_t th;
  pthread_create(&th, NULL, cancel_later, &c);
  double t0 = now_s();
  st = rk_stream_next_batch(stream, 0, &data, &len, &count, &err);
  double took = now_s() - t0;
  pthread_join(th, NULL);
  expect_kind("cancelled stream", st, err, "cancelled");
  CHECK(took < 2.0, "cancel took %.2fs", took);
  CHECK(rk_cancel_token_is_cancelled(token) == (token != NULL), "token state");
  rk_stream_free(stream);
  rk_cancel_token_free(token);
}

static void test_error_kinds(RkClient *client) {
  RkResponse *resp = NULL;
  RkError *err = NULL;
  RkStatus st;

  /* status: 429 with retry-after, no retries. */
  st = rk_call(client, "chat", CHAT,
               "{\"max_retries\":0,\"headers\":{\"x-mock-step\":\"{\\\"status\\\":429,\\\"headers\\\":{\\\"retry-after\\\":\\\"7\\\"}}\"}}",
               NULL, &resp, &err);
  CHECK(resp == NULL, "no response on error");
  if (err) {
    CHECK(err->status == 429, "status %d", err->status);
    CHECK(err->retry_after_ms == 7000, "retry_after_ms %lld", (long long)err->retry_after_ms);
    CHECK(err->attempts == 1, "attempts %u", err->attempts);
    CHECK(err->request_id != NULL, "request id");
    CHECK(err->body_json && strstr(err->body_json, "rate_limit_error"), "body %s", err->body_json);
    CHECK(err->error_type && strcmp(err->error_type, "rate_limit_error") == 0, "type");
    CHECK(err->code != NULL, "code");
  }
  expect_kind("status", st, err, "status");

  /* status after retries: 503 three times with max_retries 2 → attempts 3. */
  err = NULL;
  st = rk_call(client, "chat", CHAT, "{\"headers\":{\"x-mock-step\":\"{\\\"status\\\":503}\"}}", NULL, &resp, &err);
  if (err) CHECK(err->attempts == 3, "attempts after retries %u", err->attempts);
  expect_kind("status 503", st, err, "status");

  /* connection: nothing listens on port 9 of loopback. */
  {
    RkClient *dead = NULL;
    err = NULL;
    st = rk_client_new("{\"api_key\":\"sk-test-abi-0123456789\",\"base_url\":\"http://127.0.0.1:9/v1\","
                       "\"from_env\":false,\"max_retries\":0}",
                       &dead, &err);
    CHECK(st == RK_STATUS_OK, "dead client");
    rk_error_free(err);
    err = NULL;
    st = rk_call(dead, "chat", CHAT, NULL, NULL, &resp, &err);
    expect_kind("connection", st, err, "connection");
    rk_client_free(dead);
  }

  /* timeout: slow headers beyond the idle timeout. */
  err = NULL;
  st = rk_call(client, "chat", CHAT,
               "{\"timeout_ms\":100,\"max_retries\":0,\"headers\":{\"x-mock-step\":\"{\\\"delay_headers_ms\\\":3000}\"}}",
               NULL, &resp, &err);
  expect_kind("timeout", st, err, "timeout");

  /* stream: an error event after two chunks; the chunks come first. */
  {
    RkStream *stream = NULL;
    err = NULL;
    st = rk_open(client, "chat_stream", CHAT,
                        "{\"headers\":{\"x-mock-step\":\"{\\\"stream\\\":{\\\"content\\\":\\\"one two three four\\\","
                        "\\\"error_after\\\":2,\\\"error_event\\\":{\\\"error\\\":{\\\"message\\\":\\\"upstream "
                        "overloaded\\\",\\\"code\\\":502}}}}\"}}",
                        NULL, &stream, &err);
    CHECK(st == RK_STATUS_OK, "error stream open");
    rk_error_free(err);
    RkStatus end_st;
    size_t n = drain(stream, &err, &end_st);
    CHECK(n == 2, "chunks before the error %zu", n);
    if (err) {
      CHECK(strstr(err->message, "upstream overloaded") != NULL, "message %s", err->message);
      CHECK(err->code && strcmp(err->code, "502") == 0, "code %s", err->code);
    }
    expect_kind("stream error event", end_st, err, "stream");
    rk_stream_free(stream);
  }

  /* stream: truncated (no [DONE], no finish reason). */
  {
    RkStream *stream = NULL;
    err = NULL;
    st = rk_open(client, "chat_stream", CHAT,
                        "{\"headers\":{\"x-mock-step\":\"{\\\"stream\\\":{\\\"content\\\":\\\"one two\\\","
                        "\\\"done\\\":false,\\\"finish_reason\\\":null}}\"}}",
                        NULL, &stream, &err);
    CHECK(st == RK_STATUS_OK, "truncated stream open");
    rk_error_free(err);
    RkStatus end_st;
    drain(stream, &err, &end_st);
    expect_kind("truncated stream", end_st, err, "stream");
    rk_stream_free(stream);
  }

  /* decode: a 200 that is not JSON. */
  err = NULL;
  st = rk_call(client, "chat", CHAT,
               "{\"max_retries\":0,\"headers\":{\"x-mock-step\":\"{\\\"body_raw\\\":\\\"<html>oops</html>\\\"}\"}}",
               NULL, &resp, &err);
  expect_kind("decode", st, err, "decode");

  /* invalid_request: bad configuration names the field. */
  {
    RkClient *bad = NULL;
    err = NULL;
    st = rk_client_new("{\"api_key\":\"sk-test-abi-0123456789\",\"base_url\":\"not a url\",\"from_env\":false}", &bad,
                       &err);
    CHECK(bad == NULL, "no client on error");
    if (err) CHECK(err->field && strcmp(err->field, "base_url") == 0, "field %s", err->field);
    expect_kind("bad base_url", st, err, "invalid_request");
  }
  /* invalid_request: a wrongly typed request field. */
  err = NULL;
  st = rk_call(client, "chat", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":\"hot\"}",
               NULL, NULL, &resp, &err);
  if (err) CHECK(err->field && strcmp(err->field, "temperature") == 0, "field %s", err->field);
  expect_kind("bad temperature", st, err, "invalid_request");
  /* invalid_request: unknown option key. */
  err = NULL;
  st = rk_call(client, "chat", CHAT, "{\"timeout_msec\":5}", NULL, &resp, &err);
  expect_kind("bad option", st, err, "invalid_request");

  /* cancelled: a token triggered during the backoff sleep of a retried 503. */
  {
    RkClient *slow = new_client(",\"max_retries\":3");
    /* backoff is 1-5 ms: use a long retry-after instead so the sleep is what we cut. */
    RkCancelToken *token = rk_cancel_token_new();
    struct canceller c = {token, NULL};
    pthread_t th;
    pthread_create(&th, NULL, cancel_later, &c);
    double t0 = now_s();
    err = NULL;
    st = rk_call(slow, "chat", CHAT,
                 "{\"headers\":{\"x-mock-step\":\"{\\\"status\\\":503,\\\"headers\\\":{\\\"retry-after\\\":\\\"5\\\"}}\"}}",
                 token, &resp, &err);
    double took = now_s() - t0;
    pthread_join(th, NULL);
    expect_kind("cancelled during backoff", st, err, "cancelled");
    CHECK(took < 2.0, "cancel during backoff took %.2fs", took);
    rk_cancel_token_free(token);
    rk_client_free(slow);
  }

  /* NULL arguments: RK_STATUS_INVALID_ARGUMENT, not a crash. */
  err = NULL;
  st = rk_call(NULL, "chat", CHAT, NULL, NULL, &resp, &err);
  CHECK(st == RK_STATUS_INVALID_ARGUMENT, "null client %d", (int)st);
  CHECK(err && strcmp(err->kind, "invalid_request") == 0, "null client kind");
  rk_error_free(err);
  st = rk_call(client, NULL, CHAT, NULL, NULL, &resp, NULL); /* err may be NULL too */
  CHECK(st == RK_STATUS_INVALID_ARGUMENT, "null op %d", (int)st);
  /* Frees accept NULL. */
  rk_error_free(NULL);
  rk_response_free(NULL);
  rk_stream_free(NULL);
  rk_client_free(NULL);
  rk_cancel_token_free(NULL);
  rk_string_free(NULL);
}

/* tls_ca_cert / allow_insecure_http are checked at construction (no traffic). */
static void test_tls_options(void) {
  RkClient *c = NULL;
  RkError *err = NULL;
  RkStatus st = rk_client_new("{\"api_key\":\"sk-test-abi-0123456789\",\"from_env\":false,"
                              "\"base_url\":\"http://example.invalid/v1\"}", &c, &err);
  CHECK(st == RK_STATUS_ERROR && !c && err, "plain http to a non-loopback host refused");
  if (err) {
    CHECK(strcmp(err->kind, "invalid_request") == 0, "kind %s", err->kind);
    CHECK(err->field && strcmp(err->field, "base_url") == 0, "field %s", err->field ? err->field : "NULL");
    CHECK(strstr(err->message, "allow_insecure_http") != NULL, "message %s", err->message);
  }
  rk_error_free(err);
  err = NULL;
  st = rk_client_new("{\"api_key\":\"sk-test-abi-0123456789\",\"from_env\":false,"
                     "\"base_url\":\"http://example.invalid/v1\",\"allow_insecure_http\":true}", &c, &err);
  CHECK(st == RK_STATUS_OK && c && !err, "allow_insecure_http: %s", err ? err->message : "?");
  rk_client_free(c);
  rk_error_free(err);
  c = NULL;
  err = NULL;
  st = rk_client_new("{\"api_key\":\"sk-test-abi-0123456789\",\"from_env\":false,"
                     "\"tls_ca_cert\":[\"/nonexistent/routerkit-ca.pem\"]}", &c, &err);
  CHECK(st == RK_STATUS_ERROR && !c && err && err->field && strcmp(err->field, "tls_ca_cert") == 0,
        "bad tls_ca_cert: %s", err ? err->message : "?");
  rk_error_free(err);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s BASE_URL\n", argv[0]);
    return 2;
  }
  base_url = argv[1];
  test_version();
  test_helper();
  test_tls_options();
  RkClient *client = new_client(NULL);
  if (!client) return 1;
  test_chat_models_embeddings(client);
  test_stream_to_end(client);
  test_stream_bin(client, 0);
  test_stream_bin(client, RK_BATCH_JSON_ONLY);
  test_cancelled_stream(client, 1);
  test_cancelled_stream(client, 0);
  test_error_kinds(client);
  rk_client_free(client);
  printf("%d passed, %d failed\n", passed, failures);
  return failures ? 1 : 0;
}
