//! [`RkStream`]: a stream of any streaming operation ([`rk_open`]), pulled in batches.

use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Mutex;

use engine::stream::{AnyStream, CancelHandle};

use crate::cancel::{token_of, RkCancelToken};
use crate::client::RkClient;
use crate::error::RkError;
use crate::{
    block_on, c_string, c_string_opt, guard, header_lines, optional_str, required_str, settle, Failure, RkStatus,
};
use engine::bridge::options::call_options;

/// A stream of any streaming operation. Created by [`rk_open`], read with
/// [`rk_stream_next_batch`], freed with [`rk_stream_free`] (which closes the
/// connection). [`rk_stream_cancel`] may be called from any thread.
pub struct RkStream {
    cancel: CancelHandle,
    /// Reads the route receipt without the stream's lock (a read may be waiting in it).
    receipt: engine::ReceiptHandle,
    state: Mutex<StreamState>,
}

struct StreamState {
    stream: AnyStream,
    /// The last batch handed out (JSON lines or binary records).
    /// Owned here; the caller borrows it until the next call.
    batch: Vec<u8>,
    /// The chunks' JSON text of the last batch, for [`rk_stream_batch_chunk_json`].
    chunks: Vec<String>,
}

/// Any stream operation of the engine's table, by name (`"chat_stream"`,
/// `"completions_stream"`, …); blocks until the response headers arrived (retrying
/// before that as the policy says). This one entry point serves every stream.
///
/// Arguments as [`rk_call`](crate::rk_call) (`request_json` is required). The stream asks
/// for usage (`stream_options.include_usage`) unless the request says otherwise.
/// `cancel` (may be NULL) stops the stream when triggered, like [`rk_stream_cancel`].
///
/// On success `*out` is a new stream owned by the caller ([`rk_stream_free`]).
///
/// # Safety
/// As [`rk_call`](crate::rk_call).
#[no_mangle]
pub unsafe extern "C" fn rk_open(
    client: *const RkClient,
    op: *const c_char,
    request_json: *const c_char,
    options_json: *const c_char,
    cancel: *const RkCancelToken,
    out: *mut *mut RkStream,
    err: *mut *mut RkError,
) -> RkStatus {
    guard(err, || {
        if out.is_null() {
            return Err(Failure::Argument("`out` is NULL".into()));
        }
        *out = std::ptr::null_mut();
        let client = client
            .as_ref()
            .ok_or_else(|| Failure::Argument("`client` is NULL".into()))?;
        let op = engine::Op::from_name(required_str(op, "op")?)?;
        let body = required_str(request_json, "request_json")?;
        // Always a token of our own, so rk_stream_cancel works without one from the caller.
        let token = token_of(cancel).unwrap_or_default();
        let opts = call_options(optional_str(options_json, "options_json")?, Some(token))?;
        let stream = block_on(client.inner.open(op, Some(body), &opts))?;
        let cancel = stream.cancel_handle();
        let receipt = stream.receipt_handle();
        *out = Box::into_raw(Box::new(RkStream {
            cancel,
            receipt,
            state: Mutex::new(StreamState {
                stream,
                batch: Vec::new(),
                chunks: Vec::new(),
            }),
        }));
        Ok(())
    })
}

/// Waits for the next chunks and hands over every chunk already received, up
/// to `max` (0 means [`RK_BATCH_DEFAULT_MAX`] chunks), in one buffer.
///
/// On `RK_STATUS_OK`: `*out_count` chunks are in `*out_data` (`*out_len` bytes):
/// each chunk's JSON text (the event's `data`, as the gateway sent it) followed by
/// `\n`; a chunk never contains a raw newline (line breaks between JSON tokens
/// are turned into spaces). `*out_count == 0` means the stream ended cleanly
/// (`[DONE]`, or the end of the body after a finish reason); later calls keep
/// returning 0. The buffer belongs to the stream and stays valid until the next
/// call on this stream or [`rk_stream_free`]: copy what you keep.
///
/// On failure: `*err` as usual, `*out_count == 0`. Kinds: `"stream"` (an error
/// event inside the stream, or a stream that ended without `[DONE]` and without a
/// finish reason), `"timeout"` (silence longer than the idle timeout, or the
/// deadline), `"connection"`, `"decode"`, `"cancelled"`. Chunks that arrived
/// before an error are handed over first; the error comes on the next call.
///
/// Calls on one stream must not overlap (use one thread at a time).
///
/// # Safety
/// `stream` is a live stream; the `out_*` pointers are valid; `err` is NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn rk_stream_next_batch(
    stream: *const RkStream,
    max: usize,
    out_data: *mut *const c_char,
    out_len: *mut usize,
    out_count: *mut usize,
    err: *mut *mut RkError,
) -> RkStatus {
    guard(err, || {
        if out_data.is_null() || out_len.is_null() || out_count.is_null() {
            return Err(Failure::Argument("an `out_*` pointer is NULL".into()));
        }
        *out_data = std::ptr::null();
        *out_len = 0;
        *out_count = 0;
        let stream = stream
            .as_ref()
            .ok_or_else(|| Failure::Argument("`stream` is NULL".into()))?;
        let mut state = stream.state.lock().unwrap_or_else(|p| p.into_inner());
        let state = &mut *state;
        let max = if max == 0 { RK_BATCH_DEFAULT_MAX } else { max };
        state.chunks.clear();
        state.batch.clear();
        let chunks: Vec<String> = block_on(state.stream.next_batch(max))?
            .into_iter()
            .map(|c| c.data)
            .collect();
        for chunk in &chunks {
            let start = state.batch.len();
            state.batch.extend_from_slice(chunk.as_bytes());
            // Valid JSON has raw CR/LF only between tokens: spaces there mean the same.
            for b in &mut state.batch[start..] {
                if *b == b'\n' || *b == b'\r' {
                    *b = b' ';
                }
            }
            state.batch.push(b'\n');
        }
        *out_data = state.batch.as_ptr() as *const c_char;
        *out_len = state.batch.len();
        *out_count = chunks.len();
        state.chunks = chunks;
        Ok(())
    })
}

/// Chunks in a batch when the caller passes `max` 0.
///
/// A batch's chunks are allocated by the thread that calls `next_batch` and freed at the next
/// call, often on another thread: Go moves goroutines between OS threads, and glibc gives each
/// thread its own arena, which keeps the high-water mark of every batch it once held. Without a
/// bound a batch took everything already received (a gateway that writes 512 events at a time
/// made batches of about 8,000 chunks): a 10-million-chunk stream peaked at 115 MiB with 2
/// threads and 144 MiB with 8 (95 MiB with `MALLOC_ARENA_MAX=1`), against 14 MiB at the start.
/// 1,024 chunks still cross the ABI once per thousand chunks.
pub const RK_BATCH_DEFAULT_MAX: usize = 1024;

/// Tag of a fast record in [`rk_stream_next_batch_bin`]'s layout (`'F'`).
pub const RK_CHUNK_FAST: u8 = 0x46;
/// Tag of a JSON record in [`rk_stream_next_batch_bin`]'s layout (`'J'`).
pub const RK_CHUNK_JSON: u8 = 0x4A;
/// The `ostr` length that means "absent" in [`rk_stream_next_batch_bin`]'s layout.
pub const RK_CHUNK_ABSENT: u32 = 0xFFFF_FFFF;
/// [`rk_stream_next_batch_bin`] flag: send every chunk as a `'J'` record.
pub const RK_BATCH_JSON_ONLY: u32 = 1;

/// [`rk_stream_next_batch`] with the chunks in a binary layout: the engine has
/// already parsed each chunk, so the common chunk shape crosses as
/// length-prefixed fields a caller copies out without a JSON parser; any other
/// chunk crosses as its JSON text, so nothing is ever dropped.
///
/// `flags`: 0, or [`RK_BATCH_JSON_ONLY`] to get every chunk as a `'J'` record.
/// Everything else (`max`, the end of the stream, errors, ownership and lifetime
/// of `*out_data`, no overlapping calls) is as for [`rk_stream_next_batch`]:
/// `*out_count` records fill `*out_len` bytes, borrowed until the next call on
/// this stream or [`rk_stream_free`].
///
/// Layout: records back to back; every integer little-endian. A record is one
/// tag byte, then:
///
/// - [`RK_CHUNK_JSON`] (`'J'`): `u32 len`, then `len` bytes: the chunk's JSON
///   text (the event's `data` as the gateway sent it, not NUL-terminated; it
///   may contain newlines).
/// - [`RK_CHUNK_FAST`] (`'F'`): `str id`, `str object`, `i64 created`,
///   `str model`, `ostr system_fingerprint`, `u8 has_usage` (0 or 1) and, when 1,
///   `u32 prompt_tokens`, `u32 completion_tokens`, `u32 total_tokens`; then
///   `u32 n_choices` (at least 1) and per choice: `u32 index`, `ostr delta.role`,
///   `ostr delta.content`, `ostr delta.reasoning_content`, `ostr delta.reasoning`,
///   `ostr finish_reason`.
///
/// `str` is a `u32` byte length then that many UTF-8 bytes (not NUL-terminated;
/// may contain NUL). `ostr` is the same, except that the length
/// [`RK_CHUNK_ABSENT`] (`0xFFFFFFFF`) means the field was missing or `null`, with
/// no bytes after it; `""` is length 0.
///
/// A chunk is `'F'` only when the record carries everything it holds: no field
/// beyond those above at the chunk, choice, delta or usage level (so no
/// `tool_calls`, `refusal`, `logprobs`, `reasoning_details`, usage details or
/// cost, gateway fields such as `provider`), at least one choice (a chunk without
/// choices is `'J'`, so `"choices": []` and a missing key stay distinguishable),
/// and every index and token count at most 2^31 - 1. Readers must accept either
/// tag for any chunk.
///
/// # Safety
/// As [`rk_stream_next_batch`].
#[no_mangle]
pub unsafe extern "C" fn rk_stream_next_batch_bin(
    stream: *const RkStream,
    max: usize,
    flags: u32,
    out_data: *mut *const u8,
    out_len: *mut usize,
    out_count: *mut usize,
    err: *mut *mut RkError,
) -> RkStatus {
    guard(err, || {
        if out_data.is_null() || out_len.is_null() || out_count.is_null() {
            return Err(Failure::Argument("an `out_*` pointer is NULL".into()));
        }
        *out_data = std::ptr::null();
        *out_len = 0;
        *out_count = 0;
        let stream = stream
            .as_ref()
            .ok_or_else(|| Failure::Argument("`stream` is NULL".into()))?;
        let mut state = stream.state.lock().unwrap_or_else(|p| p.into_inner());
        let state = &mut *state;
        let max = if max == 0 { RK_BATCH_DEFAULT_MAX } else { max };
        state.chunks.clear();
        state.batch.clear();
        let json_only = flags & RK_BATCH_JSON_ONLY != 0;
        let decode = |msg| Failure::Engine(engine::Error::new(engine::ErrorKind::Decode, msg));
        // Fast records are made from the parsed chat chunk; other protocols' chunks are JSON records.
        let count = match &mut state.stream {
            AnyStream::Chat(s) => {
                let chunks = block_on(s.next_batch(max))?;
                for c in &chunks {
                    crate::chunkbin::encode(&mut state.batch, &c.data, c.chunk.as_ref(), json_only).map_err(decode)?;
                }
                state.chunks.extend(chunks.into_iter().map(|c| c.data));
                state.chunks.len()
            }
            other => {
                let items = block_on(other.next_batch(max))?;
                for c in &items {
                    crate::chunkbin::encode(&mut state.batch, &c.data, None, true).map_err(decode)?;
                }
                state.chunks.extend(items.into_iter().map(|c| c.data));
                state.chunks.len()
            }
        };
        *out_data = state.batch.as_ptr();
        *out_len = state.batch.len();
        *out_count = count;
        Ok(())
    })
}

/// The JSON text of chunk `index` (0-based) of the last batch handed out by
/// [`rk_stream_next_batch`] or [`rk_stream_next_batch_bin`], as the gateway sent
/// it (for a reader that got a `'F'` record and wants the text after all).
///
/// Returns true and sets `*out_data` / `*out_len` (not NUL-terminated) when the
/// chunk exists; false (and NULL / 0) for a NULL stream or an index past the
/// batch. The text belongs to the stream, like the batch: valid until the next
/// `next_batch` call on this stream or [`rk_stream_free`].
///
/// # Safety
/// `stream` is NULL or a live stream, not inside a `next_batch` call on another
/// thread; `out_data` and `out_len` are valid pointers.
#[no_mangle]
pub unsafe extern "C" fn rk_stream_batch_chunk_json(
    stream: *const RkStream,
    index: usize,
    out_data: *mut *const u8,
    out_len: *mut usize,
) -> bool {
    if out_data.is_null() || out_len.is_null() {
        return false;
    }
    *out_data = std::ptr::null();
    *out_len = 0;
    let Some(s) = stream.as_ref() else { return false };
    catch_unwind(AssertUnwindSafe(|| {
        let state = s.state.lock().unwrap_or_else(|p| p.into_inner());
        match state.chunks.get(index) {
            Some(c) => {
                // The String lives in `state.chunks` until the next batch call or the free.
                *out_data = c.as_ptr();
                *out_len = c.len();
                true
            }
            None => false,
        }
    }))
    .unwrap_or(false)
}

/// Stops the stream from any thread: a waiting or later [`rk_stream_next_batch`]
/// fails with kind `"cancelled"` and the connection is closed. Idempotent; NULL is a no-op.
/// A stream not ended yet ends its route receipt here (its attempt cancelled): what
/// [`rk_stream_receipt`] returns after this is final.
///
/// # Safety
/// `stream` is NULL or a live stream.
#[no_mangle]
pub unsafe extern "C" fn rk_stream_cancel(stream: *const RkStream) {
    if let Some(s) = stream.as_ref() {
        let _ = catch_unwind(AssertUnwindSafe(|| {
            s.cancel.cancel();
            s.receipt.close();
        }));
    }
}

/// The stream's route receipt as JSON text (the core's wire form, `ReceiptWire`: models asked
/// and served, provider, gateway ids, attempts with their delays, timings in ms, usage, cost,
/// `complete`), owned by the caller ([`rk_string_free`](crate::rk_string_free)): so far during the
/// stream, final after its end or [`rk_stream_cancel`]. Callable from any thread, also while
/// [`rk_stream_next_batch`] waits. NULL only for a NULL stream.
///
/// # Safety
/// `stream` is NULL or a live stream.
#[no_mangle]
pub unsafe extern "C" fn rk_stream_receipt(stream: *const RkStream) -> *mut c_char {
    let Some(s) = stream.as_ref() else {
        return std::ptr::null_mut();
    };
    catch_unwind(AssertUnwindSafe(|| {
        c_string(&engine::bridge::wire::receipt_json(&s.receipt.receipt()))
    }))
    .unwrap_or(std::ptr::null_mut())
}

/// Runs `f` on the stream under its lock; a NULL stream gives `None`.
unsafe fn with_stream<T>(stream: *const RkStream, f: impl FnOnce(&AnyStream) -> T) -> Option<T> {
    let s = stream.as_ref()?;
    catch_unwind(AssertUnwindSafe(|| {
        f(&s.state.lock().unwrap_or_else(|p| p.into_inner()).stream)
    }))
    .ok()
}

/// The gateway's request id, owned by the caller ([`rk_string_free`](crate::rk_string_free)); NULL if none.
///
/// # Safety
/// `stream` is NULL or a live stream, not inside `rk_stream_next_batch` on another thread.
#[no_mangle]
pub unsafe extern "C" fn rk_stream_request_id(stream: *const RkStream) -> *mut c_char {
    with_stream(stream, |s| c_string_opt(s.request_id())).unwrap_or(std::ptr::null_mut())
}

/// Response headers of the attempt that is streaming, one `name: value\n` line
/// each; owned by the caller ([`rk_string_free`](crate::rk_string_free)). NULL only for a NULL stream.
///
/// # Safety
/// As [`rk_stream_request_id`].
#[no_mangle]
pub unsafe extern "C" fn rk_stream_headers(stream: *const RkStream) -> *mut c_char {
    with_stream(stream, |s| c_string(&header_lines(s.headers()))).unwrap_or(std::ptr::null_mut())
}

/// Attempts made so far (retries before the first event included). 0 for a NULL stream.
///
/// # Safety
/// As [`rk_stream_request_id`].
#[no_mangle]
pub unsafe extern "C" fn rk_stream_attempts(stream: *const RkStream) -> u32 {
    with_stream(stream, |s| s.attempts()).unwrap_or(0)
}

/// The completion accumulated from the chunks received so far (content, reasoning,
/// tool calls merged by index with `""` arguments given as `"{}"`, finish reason,
/// usage) as JSON text, owned by the caller
/// ([`rk_string_free`](crate::rk_string_free)). NULL only for a NULL stream.
///
/// # Safety
/// As [`rk_stream_request_id`].
#[no_mangle]
pub unsafe extern "C" fn rk_stream_completion_json(stream: *const RkStream) -> *mut c_char {
    with_stream(stream, |s| match s {
        AnyStream::Chat(s) => {
            let completion = s.accumulator().clone().finish();
            c_string(&serde_json::to_string(&completion).unwrap_or_else(|_| "null".into()))
        }
        other => c_string(&other.snapshot_json()),
    })
    .unwrap_or(std::ptr::null_mut())
}

/// Frees the stream, closing its connection (cancelling it if still open). NULL is a no-op.
///
/// # Safety
/// `stream` is NULL or a stream from [`rk_open`], not freed before, and
/// not in use by another thread during or after this call (cancel it first,
/// then wait for the reader to return, then free).
#[no_mangle]
pub unsafe extern "C" fn rk_stream_free(stream: *mut RkStream) {
    if !stream.is_null() {
        let _ = catch_unwind(AssertUnwindSafe(|| {
            let s = Box::from_raw(stream);
            s.cancel.cancel();
            // Dropping the engine stream drops the response: inside the runtime, so
            // the connection's teardown runs now.
            settle(async move { drop(s) });
        }));
    }
}
