//! The client-side fallback chain and hedged streams: which model a call tries next.
//!
//! **Fallback.** A call names a model; `fallback_models` (per client, or per call, which
//! replaces the client's list) are tried after it, in order, when the call fails *before any
//! output reached the caller* and, on the model that failed, either:
//! - the error is retryable ([`crate::retry::is_retryable`]) and that model's own retries are
//!   spent (each model gets `max_retries`; a `retry-after` over 60 s moves on at once), or
//! - its status is one of `fallback_on_status` (not retried, but another model may serve it:
//!   a context-length 400, a moderation 403), or
//! - the gateway says the model itself is unavailable (an `error.availability` object), or
//! - `follow_gateway_fallbacks` is on and the gateway named `fallback_models`: those are tried
//!   first, before the rest of the chain.
//!
//! A model is tried at most once per call. Never after output: a stream that handed a chunk
//! reports its failure, as the retry rules do. Cancellation, invalid input and a passed deadline
//! end the call. The body's own `models` field (the gateway's server-side fallback) is sent
//! untouched: only the top-level `model` changes between tries.
//!
//! **Hedging** (streams, opt-in `hedge_after`): when no chunk has arrived `hedge_after` after the
//! stream opened, the same request starts on the next model of the chain (the same model when the
//! chain is empty). The first of the two to yield a chunk (or to end) is handed to the caller; the
//! other is dropped, which closes its connection so that the gateway stops generating (and, for
//! the providers OpenRouter lists, billing) it. A call marked `idempotent: false` is never hedged.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, ErrorKind};
use crate::request::PreparedRequest;

/// Builds the request of one call for another model.
pub(crate) type Rebuild = Arc<dyn Fn(&str) -> Result<PreparedRequest, Error> + Send + Sync>;

/// The models a call may still try, and how to build a request for one.
pub(crate) struct Fallback {
    queue: VecDeque<String>,
    tried: Vec<String>,
    follow_gateway: bool,
    on_status: Vec<u16>,
    rebuild: Rebuild,
}

impl std::fmt::Debug for Fallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fallback")
            .field("queue", &self.queue)
            .field("tried", &self.tried)
            .finish()
    }
}

/// What a fallback needs to know about a call.
pub(crate) struct Plan<'a> {
    pub first: &'a str,
    pub chain: &'a [String],
    pub follow_gateway: bool,
    pub on_status: &'a [u16],
}

impl Fallback {
    /// The plan of a call whose first model is `first`; `None` when no other model may be tried.
    pub(crate) fn new(plan: Plan<'_>, rebuild: Rebuild) -> Option<Fallback> {
        if plan.chain.is_empty() && !plan.follow_gateway {
            return None;
        }
        let mut queue = VecDeque::new();
        for m in plan.chain {
            if m != plan.first && !queue.contains(m) {
                queue.push_back(m.clone());
            }
        }
        Some(Fallback {
            queue,
            tried: vec![plan.first.to_owned()],
            follow_gateway: plan.follow_gateway,
            on_status: plan.on_status.to_vec(),
            rebuild,
        })
    }

    /// The model a hedge starts on: the next of the chain, if any.
    pub(crate) fn peek(&self) -> Option<&str> {
        self.queue.front().map(String::as_str)
    }

    /// After the current model failed with `error` (its retries spent), the next model and its
    /// request, or `None` when the call ends with `error`.
    pub(crate) fn next(&mut self, error: &Error) -> Option<Result<(String, PreparedRequest), Error>> {
        if !self.moves_on(error) {
            return None;
        }
        if self.follow_gateway {
            // The gateway's suggestions go first, in its order, ahead of the caller's chain.
            for m in error.fallback_models().iter().rev() {
                if !self.tried.contains(m) {
                    self.queue.retain(|q| q != m);
                    self.queue.push_front(m.clone());
                }
            }
        }
        let model = loop {
            let m = self.queue.pop_front()?;
            if !self.tried.contains(&m) {
                break m;
            }
        };
        self.tried.push(model.clone());
        crate::log::fallback(&model, error);
        Some((self.rebuild)(&model).map(|p| (model, p)))
    }

    fn moves_on(&self, error: &Error) -> bool {
        if matches!(error.kind(), ErrorKind::Cancelled | ErrorKind::InvalidRequest) {
            return false;
        }
        crate::retry::is_retryable(error)
            || error.status().is_some_and(|s| self.on_status.contains(&s))
            || error.availability_code().is_some()
            || (self.follow_gateway && !error.fallback_models().is_empty())
    }
}

/// A hedge planned for a stream: when, and the request it sends.
pub(crate) struct Hedge {
    pub after: Duration,
    /// The model the hedge starts on.
    pub model: String,
    /// The model of the stream it races.
    pub primary: String,
    pub prepared: PreparedRequest,
}

impl std::fmt::Debug for Hedge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hedge")
            .field("after", &self.after)
            .field("model", &self.model)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fallback(chain: &[&str], follow: bool, on_status: &[u16]) -> Fallback {
        let chain: Vec<String> = chain.iter().map(|s| s.to_string()).collect();
        let rebuild: Rebuild = Arc::new(|_| Err(Error::invalid("model", "test")));
        Fallback::new(
            Plan {
                first: "a",
                chain: &chain,
                follow_gateway: follow,
                on_status,
            },
            rebuild,
        )
        .unwrap()
    }

    fn status(s: u16, body: serde_json::Value) -> Error {
        crate::call::status_error(s, vec![], body.to_string().as_bytes())
    }

    fn next_model(f: &mut Fallback, e: &Error) -> Option<String> {
        f.next(e).map(|r| {
            assert!(r.is_err());
            f.tried.last().unwrap().clone()
        })
    }

    #[test]
    fn the_chain_in_order_each_model_once() {
        let mut f = fallback(&["a", "b", "c", "b"], false, &[]);
        let e = status(503, serde_json::json!({}));
        assert_eq!(next_model(&mut f, &e).as_deref(), Some("b"));
        assert_eq!(next_model(&mut f, &e).as_deref(), Some("c"));
        assert_eq!(next_model(&mut f, &e), None);
    }

    #[test]
    fn what_moves_a_call_on() {
        let mut f = fallback(&["b", "c"], false, &[400]);
        assert_eq!(next_model(&mut f, &status(401, serde_json::json!({}))), None);
        assert_eq!(next_model(&mut f, &Error::cancelled()), None);
        assert_eq!(
            next_model(&mut f, &status(400, serde_json::json!({}))).as_deref(),
            Some("b")
        );
        let unavailable =
            serde_json::json!({"error": {"availability": {"code": "model_not_found", "retryable": false}}});
        assert_eq!(next_model(&mut f, &status(404, unavailable)).as_deref(), Some("c"));
    }

    #[test]
    fn gateway_suggestions_only_when_followed_and_first() {
        let body = serde_json::json!({"error": {"code": 404, "metadata": {"error_type": "not_found"},
            "availability": {"code": "free_variant_ended", "retryable": false, "fallback_models": ["g/paid", "c"]}}});
        let mut f = fallback(&["b", "c"], true, &[]);
        assert_eq!(
            next_model(&mut f, &status(404, body.clone())).as_deref(),
            Some("g/paid")
        );
        assert_eq!(next_model(&mut f, &status(404, body.clone())).as_deref(), Some("c"));
        assert_eq!(next_model(&mut f, &status(404, body.clone())).as_deref(), Some("b"));
        let mut f = fallback(&["b"], false, &[]);
        assert_eq!(next_model(&mut f, &status(404, body)).as_deref(), Some("b"));
    }
}
