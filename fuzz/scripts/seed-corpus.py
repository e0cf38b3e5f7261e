#!/usr/bin/env python3
"""Rebuilds the committed seed corpora (fuzz/corpus/<target>/) from the
conformance scenarios: each scenario's script is played against the real mock
gateway and what the mock really sent is kept, in each target's input format.

    cargo build -p routerkit-mock && python3 fuzz/scripts/seed-corpus.py

Stdlib only. Seeds above 32 KiB are skipped to keep the corpus small.
"""
import hashlib
import http.client
import json
import os
import pathlib
import shutil
import socket
import struct
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "fuzz" / "corpus"
MAX_SEED = 32 * 1024
TARGETS = ["sse_decoder", "chunk_accumulator", "error_body", "retry_after", "parse_request"]
RETRY_HEADERS = ("retry-after", "retry-after-ms", "x-should-retry")

# Hand-written seeds for shapes the scenarios do not reach (edge values the parsers must survive).
EXTRA = {
    "retry_after": {
        "http-date": "retry-after: Wed, 21 Oct 2015 07:28:00 GMT\n",
        "rfc850-date": "retry-after: Sunday, 06-Nov-94 08:49:37 GMT\n",
        "asctime-date": "retry-after: Sun Nov  6 08:49:37 1994\n",
        "far-date": "retry-after: Fri, 31 Dec 9999 23:59:59 GMT\n",
        "huge-seconds": "retry-after: 1e308\nretry-after-ms: -0\n",
        "nan-inf": "retry-after-ms: NaN\nretry-after: inf\n",
        "ms-fraction": "retry-after-ms: 0.5\nx-should-retry: true\n",
        "negative": "retry-after: -1\nretry-after-ms: -5\n",
    },
    "parse_request": {
        "chat-full": '{"model":"openai/gpt-4.1","messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"data:,"}}]},{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c","content":"r"}],"temperature":0,"top_p":1,"n":1,"max_tokens":5,"stop":["a","b"],"seed":-1,"tools":[{"type":"function","function":{"name":"f","parameters":{}}}],"tool_choice":"auto","response_format":{"type":"json_object"},"logit_bias":{"50256":-100},"provider":{"order":["a"]},"models":["x/y"],"reasoning":{"effort":"high"}}',
        "chat-wrong-type": '{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":"hot"}',
        "chat-no-model": '{"messages":[{"role":"user","content":"hi"}]}',
        "chat-big-numbers": '{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":18446744073709551615,"seed":-9223372036854775808,"temperature":1e308}',
        "embeddings-array": '{"model":"m","input":["a","b"],"dimensions":8,"encoding_format":"base64"}',
        "embeddings-tokens": '{"model":"m","input":[[1,2,3]],"user":"u"}',
    },
}


def main():
    mock_bin = os.environ.get("ROUTERKIT_MOCK") or str(
        pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "debug" / "routerkit-mock")
    mock = subprocess.Popen([mock_bin, "--port", "0", "--exit-on-stdin-close"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    url = mock.stdout.readline().strip()
    host, port = url.removeprefix("http://").split(":")
    seeds = {t: {} for t in TARGETS}

    def add(target, name, data):
        if isinstance(data, str):
            data = data.encode()
        if len(data) > MAX_SEED or data in seeds[target].values():
            return
        seeds[target][name] = data

    try:
        for path in sorted((ROOT / "tests" / "conformance" / "scenarios").glob("*.json")):
            scenario = json.loads(path.read_text())
            name = path.stem
            call = scenario["call"]
            op = call["op"]
            request = dict(call.get("request") or {})
            if op == "chat_stream":
                request.setdefault("stream", True)
                request.setdefault("stream_options", {"include_usage": True})
            if request:
                add("parse_request", name, json.dumps(request))
            method, api_path = {"chat": ("POST", "/v1/chat/completions"),
                                "chat_stream": ("POST", "/v1/chat/completions"),
                                "models": ("GET", "/v1/models"),
                                "embeddings": ("POST", "/v1/embeddings")}[op]
            session = "seed-" + name
            post(host, port, "POST", f"/__mock/sessions/{session}/script", json.dumps(scenario["mock"]).encode(), {})
            for i, _ in enumerate(scenario["mock"]):
                status, headers, body = fetch(host, port, method, api_path,
                                              json.dumps(request).encode() if request else None, session)
                tag = f"{name}-{i}"
                retry = "".join(f"{k}: {v}\n" for k, v in headers if k in RETRY_HEADERS)
                if retry:
                    add("retry_after", tag, struct.pack("<Q", int(time.time())) + retry.encode())
                if status is None:
                    continue  # reset before the response
                if status >= 400 or not body.lstrip().startswith((b"{", b"data", b":", b"\xef")):
                    head = "".join(f"{k}: {v}\n" for k, v in headers if k in RETRY_HEADERS + ("x-request-id",))
                    add("error_body", tag, struct.pack(">H", status) + head.encode() + b"\n" + body)
                if dict(headers).get("content-type", "").startswith("text/event-stream"):
                    add("sse_decoder", tag, bytes([len(seeds["sse_decoder"]) % 128]) + body)
                    events = sse_data(body)
                    chunks = [e for e in events if e != "[DONE]"]
                    if chunks:
                        add("chunk_accumulator", tag, "\n".join(chunks))
                    for e in chunks:
                        try:
                            obj = json.loads(e)
                        except ValueError:
                            continue
                        if isinstance(obj, dict) and "error" in obj:
                            add("error_body", tag + "-event", struct.pack(">H", 200) + b"\n" + e.encode())
    finally:
        mock.stdin.close()
        mock.wait(timeout=10)

    now = struct.pack("<Q", int(time.time()))
    for name, text in EXTRA["retry_after"].items():
        add("retry_after", name, now + text.encode())
    for name, text in EXTRA["parse_request"].items():
        add("parse_request", name, text)
    for target, named in seeds.items():
        out = CORPUS / target
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        for name, data in named.items():
            (out / name).write_bytes(data)
        print(f"{target}: {len(named)} seeds, {sum(map(len, named.values()))} bytes")


def post(host, port, method, path, body, headers):
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    conn.request(method, path, body=body, headers={"content-type": "application/json", **headers})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    if resp.status != 200:
        sys.exit(f"{path}: {resp.status} {data!r}")


def fetch(host, port, method, path, body, session):
    """Status, headers and the body bytes as far as they came (resets and stalls cut them short)."""
    conn = http.client.HTTPConnection(host, int(port), timeout=2)
    headers = {"x-mock-session": session, "authorization": "Bearer sk-fuzz-0123456789abcdef"}
    if body is not None:
        headers["content-type"] = "application/json"
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
    except (OSError, http.client.HTTPException):
        conn.close()
        return None, [], b""
    pieces = []
    try:
        while True:
            piece = resp.read1(65536)
            if not piece:
                break
            pieces.append(piece)
            if sum(map(len, pieces)) > MAX_SEED:
                break
    except (OSError, http.client.HTTPException, socket.timeout):
        pass
    conn.close()
    return resp.status, [(k.lower(), v) for k, v in resp.getheaders()], b"".join(pieces)


def sse_data(body):
    """The data of each event (a plain reading: enough to seed chunk sequences)."""
    body = body.removeprefix(b"\xef\xbb\xbf").replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    events, data = [], []
    for line in body.decode("utf-8", "replace").split("\n"):
        if not line:
            if data:
                events.append("\n".join(data))
            data = []
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    if data:
        events.append("\n".join(data))
    return events


if __name__ == "__main__":
    main()
