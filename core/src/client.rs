//! The async client: every operation of the table ([`crate::ops`]) through two
//! generic entry points, [`Client::call`] and [`Client::open`], and the typed
//! Rust API as one-liners over them.

use std::sync::Arc;

use bytes::Bytes;
use serde::de::DeserializeOwned;

pub use crate::call::Response;
use crate::call::{read_body, CallContext, Sender};
use crate::config::{ClientBuilder, ClientConfig, RequestOptions};
use crate::error::{Error, ErrorKind};
use crate::ops::{BodyKind, IntoOp, Op, StreamProtocol};
use crate::receipt::{Served, Trace};
use crate::request::{self, BodyEdits, OpBody, PreparedRequest, RequestTemplate};
use crate::response_types::{ResponseObject, ResponseRequest};
use crate::stream::{AnyStream, ChatStream, CompletionStream, Protocol, ResponseStream, Stream};
use crate::transport::Transport;
use crate::types::{
    ChatCompletion, ChatCompletionRequest, Completion, CompletionRequest, EmbeddingRequest, EmbeddingResponse, Model,
    ModelList, ModerationRequest, ModerationResponse,
};
use http::Method;

/// A client for one gateway. Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
}

struct ClientInner {
    config: ClientConfig,
    template: RequestTemplate,
    sender: Arc<Sender>,
}

impl ClientInner {
    fn new(config: ClientConfig, http: Transport) -> Result<ClientInner, Error> {
        Ok(ClientInner {
            template: RequestTemplate::new(&config)?,
            sender: Arc::new(Sender {
                http,
                api_key: config.api_key.clone(),
                max_event_bytes: config.max_event_bytes,
            }),
            config,
        })
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("config", &self.inner.config).finish()
    }
}

impl ClientBuilder {
    /// Validates the configuration and builds the client. (Here rather than in `config.rs`,
    /// so that the configuration does not import the client that imports it.)
    pub fn build(self) -> Result<Client, Error> {
        Client::new(self.build_config()?)
    }
}

/// A request built for one operation.
struct Built {
    prepared: PreparedRequest,
    /// The request's `model`, for the receipt.
    model: Option<String>,
    /// The engine asked for usage on the caller's behalf (a stream hides that usage chunk).
    usage_added: bool,
}

/// How the body of a call arrives.
enum Input<'a> {
    /// JSON text from the caller (bindings): validated here, sent in the caller's key order.
    Json(Option<&'a str>),
    /// A typed body, validated and serialised already.
    Encoded(String),
}

impl Client {
    /// A client from a validated configuration.
    pub fn new(config: ClientConfig) -> Result<Client, Error> {
        let http = Transport::new(&config)?;
        Ok(Client {
            inner: Arc::new(ClientInner::new(config, http)?),
        })
    }

    /// A builder with the peers' defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from `THEROUTER_*` / `OPENAI_*` variables or `.env`.
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::new().from_env().build()
    }

    /// The configuration this client was built from.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// A client with another configuration that shares this one's connection
    /// pool when the connect timeout is the same (openai's `with_options`).
    pub fn with_config(&self, config: ClientConfig) -> Result<Client, Error> {
        if config.connect_timeout == self.inner.config.connect_timeout
            && config.extra_root_certificates == self.inner.config.extra_root_certificates
        {
            return Ok(Client {
                inner: Arc::new(ClientInner::new(config, self.inner.sender.http.clone())?),
            });
        }
        Client::new(config)
    }

    // ---- the two generic entry points ----

    /// Calls a non-streaming operation of the table (`"chat"`, `"models"`,
    /// `"models.retrieve"`, `"embeddings"`, `"completions"`, `"moderations"`, or an [`Op`])
    /// with `body_json` as the caller wrote it: validated as the operation's typed body
    /// is, sent with the caller's key order and values byte for byte (the engine's own
    /// edits, `stream` and `extra_body`, applied in place), retried per the policy.
    /// For an operation without a body, `body_json` holds its path parameters
    /// (`{"id": "openai/gpt-4.1"}`). Returns the response body as received, checked to be JSON
    /// (and, for chat and completions, not a 200 carrying an `error` instead of choices).
    pub async fn call(
        &self,
        op: impl IntoOp,
        body_json: Option<&str>,
        opts: &RequestOptions,
    ) -> Result<Response<Bytes>, Error> {
        let op = op.into_op()?;
        if op.is_stream() {
            return Err(Error::invalid("op", format!("{op} is a stream: open it with `open`")));
        }
        let built = self.build(op, Input::Json(body_json), opts)?;
        self.exchange(&built, opts, |bytes| check_raw(op, bytes)).await
    }

    /// Opens a streaming operation of the table (`"chat_stream"`, `"completions_stream"`,
    /// or an [`Op`]) with `body_json` as [`call`](Self::call) takes it. Returns once the
    /// response headers arrived; the chunks are pulled from the stream.
    pub async fn open(
        &self,
        op: impl IntoOp,
        body_json: Option<&str>,
        opts: &RequestOptions,
    ) -> Result<AnyStream, Error> {
        let op = op.into_op()?;
        let Some(protocol) = op.spec().stream else {
            return Err(Error::invalid(
                "op",
                format!("{op} is not a stream: call it with `call`"),
            ));
        };
        let built = self.build(op, Input::Json(body_json), opts)?;
        match protocol {
            StreamProtocol::Chat => Ok(AnyStream::Chat(self.start(built, opts).await?)),
            StreamProtocol::Completions => Ok(AnyStream::Completions(self.start(built, opts).await?)),
            StreamProtocol::Responses => Ok(AnyStream::Responses(Box::new(self.start(built, opts).await?))),
        }
    }

    // ---- the typed API ----

    /// `POST /chat/completions`, not streaming.
    pub async fn chat(
        &self,
        request: &ChatCompletionRequest,
        opts: &RequestOptions,
    ) -> Result<Response<ChatCompletion>, Error> {
        let built = self.build_typed(Op::Chat, request, opts)?;
        self.exchange(&built, opts, decode_chat).await
    }

    /// `POST /chat/completions`, returning the body as received (checked to be JSON).
    /// Bindings use it to build native objects with their own JSON parser.
    pub async fn chat_raw(
        &self,
        request: &ChatCompletionRequest,
        opts: &RequestOptions,
    ) -> Result<Response<Bytes>, Error> {
        self.call_typed(Op::Chat, request, opts).await
    }

    /// `POST /chat/completions` with `stream: true`. Returns once the response
    /// headers arrived; the events are pulled with [`ChatStream::next`].
    pub async fn chat_stream(
        &self,
        request: &ChatCompletionRequest,
        opts: &RequestOptions,
    ) -> Result<ChatStream, Error> {
        self.start(self.build_typed(Op::ChatStream, request, opts)?, opts).await
    }

    /// `GET /models`.
    pub async fn list_models(&self, opts: &RequestOptions) -> Result<Response<ModelList>, Error> {
        self.exchange(&self.build(Op::Models, Input::Json(None), opts)?, opts, decode_plain)
            .await
    }

    /// `GET /models/{id}`; `id` may contain slashes (`openai/gpt-4.1`).
    pub async fn retrieve_model(&self, id: &str, opts: &RequestOptions) -> Result<Response<Model>, Error> {
        let params = serde_json::json!({ "id": id }).to_string();
        self.exchange(
            &self.build(Op::ModelsRetrieve, Input::Json(Some(&params)), opts)?,
            opts,
            decode_plain,
        )
        .await
    }

    /// `POST /embeddings`.
    pub async fn embeddings(
        &self,
        request: &EmbeddingRequest,
        opts: &RequestOptions,
    ) -> Result<Response<EmbeddingResponse>, Error> {
        self.exchange(&self.build_typed(Op::Embeddings, request, opts)?, opts, decode_plain)
            .await
    }

    /// `POST /embeddings`, returning the body as received (checked to be JSON).
    pub async fn embeddings_raw(
        &self,
        request: &EmbeddingRequest,
        opts: &RequestOptions,
    ) -> Result<Response<Bytes>, Error> {
        self.call_typed(Op::Embeddings, request, opts).await
    }

    /// `POST /completions` (legacy text completions), not streaming.
    pub async fn completions(
        &self,
        request: &CompletionRequest,
        opts: &RequestOptions,
    ) -> Result<Response<Completion>, Error> {
        self.exchange(
            &self.build_typed(Op::Completions, request, opts)?,
            opts,
            decode_completion,
        )
        .await
    }

    /// `POST /completions` with `stream: true`.
    pub async fn completions_stream(
        &self,
        request: &CompletionRequest,
        opts: &RequestOptions,
    ) -> Result<CompletionStream, Error> {
        self.start(self.build_typed(Op::CompletionsStream, request, opts)?, opts)
            .await
    }

    /// `POST /moderations`.
    pub async fn moderations(
        &self,
        request: &ModerationRequest,
        opts: &RequestOptions,
    ) -> Result<Response<ModerationResponse>, Error> {
        self.exchange(&self.build_typed(Op::Moderations, request, opts)?, opts, decode_plain)
            .await
    }

    /// `POST /responses` (the Responses API), not streaming.
    pub async fn responses(
        &self,
        request: &ResponseRequest,
        opts: &RequestOptions,
    ) -> Result<Response<ResponseObject>, Error> {
        self.exchange(&self.build_typed(Op::Responses, request, opts)?, opts, decode_response)
            .await
    }

    /// `POST /responses` with `stream: true`: typed events, ended by `response.completed`.
    pub async fn responses_stream(
        &self,
        request: &ResponseRequest,
        opts: &RequestOptions,
    ) -> Result<ResponseStream, Error> {
        self.start(self.build_typed(Op::ResponsesStream, request, opts)?, opts)
            .await
    }

    /// Any JSON endpoint under the base URL, with retries: the body as received (checked to be JSON).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Bytes>,
        opts: &RequestOptions,
    ) -> Result<Response<Bytes>, Error> {
        let prepared = self.inner.template.prepare(method, path, body, false, opts)?;
        let built = Built {
            prepared,
            model: None,
            usage_added: false,
        };
        self.exchange(&built, opts, |bytes| {
            decode_typed::<ServedProbe>(bytes).map(|p| (bytes.clone(), p.served(false)))
        })
        .await
    }

    // ---- the machinery ----

    async fn call_typed<T: OpBody>(
        &self,
        op: Op,
        request: &T,
        opts: &RequestOptions,
    ) -> Result<Response<Bytes>, Error> {
        let built = self.build_typed(op, request, opts)?;
        self.exchange(&built, opts, |bytes| check_raw(op, bytes)).await
    }

    fn build_typed<T: OpBody>(&self, op: Op, request: &T, opts: &RequestOptions) -> Result<Built, Error> {
        request.validate()?;
        let json = serde_json::to_string(request).map_err(|e| Error::invalid("request", e))?;
        let mut built = self.build(op, Input::Encoded(json), opts)?;
        built.model = request.model().map(str::to_owned);
        Ok(built)
    }

    /// Validation and request building for any row of the table.
    fn build(&self, op: Op, input: Input<'_>, opts: &RequestOptions) -> Result<Built, Error> {
        let spec = op.spec();
        let stream = spec.stream.is_some();
        let mut model = None;
        let (path, body, usage_added) = match (spec.body, input) {
            (BodyKind::None, Input::Json(params)) => (request::op_path(op, params)?, None, false),
            (BodyKind::None, Input::Encoded(params)) => (request::op_path(op, Some(&params))?, None, false),
            (kind, input) => {
                let edits = BodyEdits {
                    kind,
                    stream,
                    usage_by_default: self.inner.config.include_usage_by_default,
                    extra: opts.extra_body.as_ref(),
                };
                let (body, usage_added) = match input {
                    Input::Json(None) => return Err(Error::invalid("request", "a body is required")),
                    Input::Json(Some(json)) => {
                        model = request::validate_json(kind, json)?;
                        match edits.apply(json)? {
                            (Some(edited), usage) => (Bytes::from(edited), usage),
                            (None, usage) => (Bytes::copy_from_slice(json.as_bytes()), usage),
                        }
                    }
                    Input::Encoded(json) => edits.apply_owned(json)?,
                };
                (request::op_path(op, None)?, Some(body), usage_added)
            }
        };
        let prepared = self
            .inner
            .template
            .prepare(spec.method.as_http(), &path, body, stream, opts)?;
        Ok(Built {
            prepared,
            model,
            usage_added,
        })
    }

    /// One non-streaming call: attempts with retries, each reading the whole
    /// body (a body that breaks off is retried like a failed connection), then `decode`.
    async fn exchange<T>(
        &self,
        built: &Built,
        opts: &RequestOptions,
        decode: impl Fn(&Bytes) -> Result<(T, Served), Error>,
    ) -> Result<Response<T>, Error> {
        let ctx = self.context(opts, built.model.clone());
        let sender = &self.inner.sender;
        let result = sender
            .with_retries(&ctx, 0, || async {
                // The whole attempt within `timeout`, as openai-node and go-openai bound it.
                let whole = async {
                    let (response, headers) = sender.attempt(&built.prepared, &ctx).await?;
                    let status = response.status().as_u16();
                    let bytes = read_body(response, &ctx).await?;
                    Ok::<_, Error>((status, headers, bytes))
                };
                let (status, headers, bytes) = tokio::time::timeout(ctx.idle, whole)
                    .await
                    .map_err(|_| ctx.total_error())??;
                match crate::limits::check_body(bytes).and_then(|bytes| decode(&bytes)) {
                    Ok(data) => Ok((status, headers, data)),
                    Err(e) => Err(e.with_headers(headers)),
                }
            })
            .await;
        let ((status, headers, (data, served)), attempts) = result.map_err(|e| ctx.trace.finish_error(e))?;
        let request_id = crate::error::request_id_from(&headers);
        Ok(Response {
            data,
            status,
            headers,
            request_id,
            attempts,
            receipt: ctx.trace.finish(Some(served)),
        })
    }

    /// Sends a stream's request (with retries until a success status) and starts reading it.
    async fn start<P: Protocol>(&self, built: Built, opts: &RequestOptions) -> Result<Stream<P>, Error> {
        let ctx = self.context(opts, built.model.clone());
        let sender = &self.inner.sender;
        let (response, attempts) = sender
            .send_with_retries(&built.prepared, &ctx, 0)
            .await
            .map_err(|e| ctx.trace.finish_error(e))?;
        let mut stream = Stream::new(sender.clone(), Arc::new(built.prepared), ctx, response, attempts);
        if built.usage_added {
            stream.hide_added_usage();
        }
        Ok(stream)
    }

    fn context(&self, opts: &RequestOptions, model: Option<String>) -> CallContext {
        let config = &self.inner.config;
        let mut policy = config.retry.clone();
        if let Some(n) = opts.max_retries {
            policy.max_retries = n;
        }
        let idle = opts.timeout.unwrap_or(config.timeout);
        CallContext {
            idle,
            keepalive: (opts.keepalive_timeout.or(config.keepalive_timeout))
                .unwrap_or(crate::limits::DEFAULT_KEEPALIVE_TIMEOUT.max(idle)),
            max_body: config.max_body_bytes,
            deadline_at: opts
                .deadline
                .or(config.deadline)
                .map(|d| tokio::time::Instant::now() + d),
            cancel: opts.cancel.clone().unwrap_or_default(),
            policy,
            trace: Trace::new(model, config.on_receipt.clone(), Some(config.api_key.clone())),
        }
    }
}

/// The raw body check of `call`: JSON, and for the operations OpenRouter answers with a
/// 200 carrying an `error` instead of choices (chat, completions), not that.
fn check_raw(op: Op, bytes: &Bytes) -> Result<(Bytes, Served), Error> {
    match op.spec().body {
        BodyKind::Chat | BodyKind::Completion => {
            #[derive(serde::Deserialize)]
            struct Probe {
                error: Option<serde_json::Value>,
                #[serde(default)]
                choices: Vec<serde::de::IgnoredAny>,
                // What the receipt reads, in the same pass.
                id: Option<serde_json::Value>,
                model: Option<serde_json::Value>,
                provider: Option<serde_json::Value>,
                usage: Option<serde_json::Value>,
            }
            let probe: Probe = decode_typed(bytes)?;
            match error_instead_of_choices(probe.error.as_ref(), probe.choices.len()) {
                Some(error) => Err(error),
                None => Ok((
                    bytes.clone(),
                    ServedProbe {
                        id: probe.id,
                        model: probe.model,
                        provider: probe.provider,
                        usage: probe.usage,
                    }
                    .served(true),
                )),
            }
        }
        BodyKind::Response => decode_response(bytes).map(|(_, served)| (bytes.clone(), served)),
        _ => decode_typed::<ServedProbe>(bytes).map(|p| (bytes.clone(), p.served(false))),
    }
}

/// Any JSON body (the caller's own parser reads it): what the receipt reads from it, the
/// rest skipped as `IgnoredAny` skipped the whole body before (any JSON value is accepted).
#[derive(Default)]
struct ServedProbe {
    id: Option<serde_json::Value>,
    model: Option<serde_json::Value>,
    provider: Option<serde_json::Value>,
    usage: Option<serde_json::Value>,
}

impl<'de> serde::Deserialize<'de> for ServedProbe {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ServedProbe;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ServedProbe, A::Error> {
                let mut p = ServedProbe::default();
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    let slot = match key.as_ref() {
                        "id" => &mut p.id,
                        "model" => &mut p.model,
                        "provider" => &mut p.provider,
                        "usage" => &mut p.usage,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    *slot = Some(map.next_value()?);
                }
                Ok(p)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ServedProbe, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(ServedProbe::default())
            }
            fn visit_bool<E>(self, _: bool) -> Result<ServedProbe, E> {
                Ok(ServedProbe::default())
            }
            fn visit_i64<E>(self, _: i64) -> Result<ServedProbe, E> {
                Ok(ServedProbe::default())
            }
            fn visit_u64<E>(self, _: u64) -> Result<ServedProbe, E> {
                Ok(ServedProbe::default())
            }
            fn visit_f64<E>(self, _: f64) -> Result<ServedProbe, E> {
                Ok(ServedProbe::default())
            }
            fn visit_str<E>(self, _: &str) -> Result<ServedProbe, E> {
                Ok(ServedProbe::default())
            }
            fn visit_unit<E>(self) -> Result<ServedProbe, E> {
                Ok(ServedProbe::default())
            }
        }
        d.deserialize_any(V)
    }
}

impl ServedProbe {
    /// `with_id`: the body's `id` is a generation's (chat, completions, responses).
    fn served(self, with_id: bool) -> Served {
        let text = |v: &Option<serde_json::Value>| v.as_ref().and_then(|v| v.as_str()).unwrap_or("").to_owned();
        let id = if with_id { text(&self.id) } else { String::new() };
        let usage = self.usage.filter(|u| u.is_object());
        Served::new(&id, &text(&self.model), self.provider.as_ref(), usage)
    }
}

/// What the receipt reads from a body the typed path decoded: the same probe as the raw
/// path's, so that a typed call and a binding's raw call give the same receipt.
fn probe(bytes: &Bytes, with_id: bool) -> Served {
    decode_typed::<ServedProbe>(bytes)
        .map(|p| p.served(with_id))
        .unwrap_or_default()
}

fn decode_chat(bytes: &Bytes) -> Result<(ChatCompletion, Served), Error> {
    let completion: ChatCompletion = decode_typed(bytes)?;
    match error_instead_of_choices(completion.extra.get("error"), completion.choices.len()) {
        Some(error) => Err(error),
        None => Ok((completion, probe(bytes, true))),
    }
}

fn decode_completion(bytes: &Bytes) -> Result<(Completion, Served), Error> {
    let completion: Completion = decode_typed(bytes)?;
    match error_instead_of_choices(completion.extra.get("error"), completion.choices.len()) {
        Some(error) => Err(error),
        None => Ok((completion, probe(bytes, true))),
    }
}

fn decode_response(bytes: &Bytes) -> Result<(ResponseObject, Served), Error> {
    let response: ResponseObject = decode_typed(bytes)?;
    match failed_response(&response) {
        Some(error) => Err(error),
        None => Ok((response, probe(bytes, true))),
    }
}

/// A typed body of the other rows (models, embeddings, moderations): its `model` and `usage`
/// (its `id` is no generation's: a model's or a moderation's).
fn decode_plain<T: DeserializeOwned>(bytes: &Bytes) -> Result<(T, Served), Error> {
    decode_typed(bytes).map(|t| (t, probe(bytes, false)))
}

/// A 200 whose response failed (`status: "failed"` with an `error`), or that carries only an
/// `error`, is the gateway's error, as in a stream's `response.failed`.
fn failed_response(response: &ResponseObject) -> Option<Error> {
    let error = response.error.as_ref().filter(|e| !e.is_null())?;
    let failed =
        response.status.as_deref() == Some("failed") || (response.output.is_empty() && response.status.is_none());
    failed.then(|| {
        Error::new(ErrorKind::Stream, "the gateway reported an error in a 200 response")
            .with_error_body(serde_json::json!({ "error": error }))
    })
}

fn decode_typed<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, Error> {
    serde_json::from_slice(bytes).map_err(|e| {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned();
        Error::new(
            ErrorKind::Decode,
            format!("the response is not the expected JSON ({e}): {head:?}"),
        )
    })
}

/// OpenRouter answers some failures with HTTP 200 and an `error` object instead of choices:
/// the typed and the raw paths all ask this one question.
fn error_instead_of_choices(error: Option<&serde_json::Value>, choices: usize) -> Option<Error> {
    let error = error.filter(|e| !e.is_null() && choices == 0)?;
    Some(
        Error::new(ErrorKind::Stream, "the gateway reported an error in a 200 response")
            .with_error_body(serde_json::json!({ "error": error })),
    )
}
