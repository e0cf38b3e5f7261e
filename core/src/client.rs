//! The async client: every operation of the table ([`crate::ops`]) through two
//! generic entry points, [`Client::call`] and [`Client::open`], and the typed
//! Rust API as one-liners over them.

use std::sync::Arc;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

pub use crate::call::Response;
use crate::call::{read_body, CallContext, Sender};
use crate::config::{ClientBuilder, ClientConfig, RequestOptions};
use crate::error::{Error, ErrorKind};
use crate::fallback::{Fallback, Hedge, Plan, Rebuild};
use crate::ops::{BodyKind, Check, IntoOp, Op, StreamProtocol};
use crate::receipt::{Served, ServedBody, Trace};
use crate::request::{self, BodyEdits, OpBody, PreparedRequest, RequestTemplate};
use crate::response_types::{ResponseObject, ResponseRequest};
use crate::stream::{AnyStream, ChatStream, CompletionStream, Protocol, ResponseStream, Stream};
use crate::structured::{self, ParseSpec};
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
    /// The models the call may still try (`fallback_models`), when it has a chain.
    fallback: Option<Fallback>,
    /// A stream's hedge (`hedge_after`), when asked for.
    hedge: Option<Hedge>,
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
        let structured = match op.spec().check {
            Check::Plain => None,
            Check::Structured => Some(parse_spec(op, body_json.unwrap_or("{}"))?),
        };
        // The structured check is part of the answer's check: its error carries the call's
        // headers, attempts and receipt as any other (and is not retried: its kinds never are).
        self.exchange(built, opts, |bytes| {
            let (bytes, served) = check_raw(op, bytes)?;
            match &structured {
                None => Ok((bytes, served)),
                Some(spec) => Ok((apply_structured(op, spec, &bytes)?, served)),
            }
        })
        .await
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
        let structured = match op.spec().check {
            Check::Plain => None,
            Check::Structured => Some(parse_spec(op, body_json.unwrap_or("{}"))?),
        };
        match protocol {
            StreamProtocol::Chat => {
                let mut stream: ChatStream = self.start(built, opts).await?;
                if let Some(spec) = structured {
                    stream.check_at_end(crate::stream::EndCheck {
                        spec,
                        check: structured::parse_chat,
                    });
                }
                Ok(AnyStream::Chat(stream))
            }
            StreamProtocol::Completions => Ok(AnyStream::Completions(self.start(built, opts).await?)),
            StreamProtocol::Responses => {
                let mut stream: ResponseStream = self.start(built, opts).await?;
                if let Some(spec) = structured {
                    stream.check_at_end(crate::stream::EndCheck {
                        spec,
                        check: structured::parse_response,
                    });
                }
                Ok(AnyStream::Responses(Box::new(stream)))
            }
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
        self.exchange(built, opts, decode_chat).await
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
        self.exchange(self.build(Op::Models, Input::Json(None), opts)?, opts, decode_plain)
            .await
    }

    /// `GET /models/{id}`; `id` may contain slashes (`openai/gpt-4.1`).
    pub async fn retrieve_model(&self, id: &str, opts: &RequestOptions) -> Result<Response<Model>, Error> {
        let params = serde_json::json!({ "id": id }).to_string();
        self.exchange(
            self.build(Op::ModelsRetrieve, Input::Json(Some(&params)), opts)?,
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
        self.exchange(self.build_typed(Op::Embeddings, request, opts)?, opts, decode_plain)
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
            self.build_typed(Op::Completions, request, opts)?,
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
        self.exchange(self.build_typed(Op::Moderations, request, opts)?, opts, decode_plain)
            .await
    }

    /// `POST /responses` (the Responses API), not streaming.
    pub async fn responses(
        &self,
        request: &ResponseRequest,
        opts: &RequestOptions,
    ) -> Result<Response<ResponseObject>, Error> {
        self.exchange(self.build_typed(Op::Responses, request, opts)?, opts, decode_response)
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

    /// `POST /chat/completions` as structured output (openai's `chat.completions.parse`):
    /// the answer checked as [`crate::structured`] describes, each choice's `parsed`
    /// deserialised into `T` (`None` for a refusal or when the request asked for no JSON).
    pub async fn chat_parse<T: DeserializeOwned>(
        &self,
        request: &ChatCompletionRequest,
        opts: &RequestOptions,
    ) -> Result<Response<Parsed<ChatCompletion, T>>, Error> {
        let json = request::encode(request)?;
        let response = self.call(Op::ChatParse, Some(&json), opts).await?;
        let completion: ChatCompletion = decode_typed(&response.data)?;
        let parsed = completion
            .choices
            .iter()
            .map(|c| typed_parsed(c.message.extra.get("parsed")))
            .collect::<Result<_, _>>()?;
        Ok(response.map(|_| Parsed {
            value: completion,
            parsed,
        }))
    }

    /// `POST /chat/completions` streamed as structured output (the stream helper's `parse`): the
    /// chunks as [`chat_stream`](Self::chat_stream) gives them, and when every choice has
    /// finished, the check [`chat_parse`](Self::chat_parse) makes; a failure replaces the finish
    /// chunk with the typed error.
    pub async fn chat_parse_stream(
        &self,
        request: &ChatCompletionRequest,
        opts: &RequestOptions,
    ) -> Result<ChatStream, Error> {
        let json = request::encode(request)?;
        match self.open(Op::ChatParseStream, Some(&json), opts).await? {
            AnyStream::Chat(stream) => Ok(stream),
            _ => Err(Error::new(
                ErrorKind::Decode,
                "chat.parse_stream opened another protocol",
            )),
        }
    }

    /// `POST /responses` streamed as structured output: the events as
    /// [`responses_stream`](Self::responses_stream) gives them, and at the end the check
    /// [`responses_parse`](Self::responses_parse) makes (a failure is the stream's error).
    pub async fn responses_parse_stream(
        &self,
        request: &ResponseRequest,
        opts: &RequestOptions,
    ) -> Result<ResponseStream, Error> {
        let json = request::encode(request)?;
        match self.open(Op::ResponsesParseStream, Some(&json), opts).await? {
            AnyStream::Responses(stream) => Ok(*stream),
            _ => Err(Error::new(
                ErrorKind::Decode,
                "responses.parse_stream opened another protocol",
            )),
        }
    }

    /// `POST /responses` as structured output (openai's `responses.parse`): `parsed` holds
    /// one entry, the response's `output_parsed` deserialised into `T`.
    pub async fn responses_parse<T: DeserializeOwned>(
        &self,
        request: &ResponseRequest,
        opts: &RequestOptions,
    ) -> Result<Response<Parsed<ResponseObject, T>>, Error> {
        let json = request::encode(request)?;
        let response = self.call(Op::ResponsesParse, Some(&json), opts).await?;
        let object: ResponseObject = decode_typed(&response.data)?;
        let parsed = vec![typed_parsed(object.extra.get("output_parsed"))?];
        Ok(response.map(|_| Parsed { value: object, parsed }))
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
            fallback: None,
            hedge: None,
        };
        self.exchange(built, opts, |bytes| {
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
        self.exchange(built, opts, |bytes| check_raw(op, bytes)).await
    }

    fn build_typed<T: OpBody>(&self, op: Op, request: &T, opts: &RequestOptions) -> Result<Built, Error> {
        request.validate()?;
        let json = request::encode(request)?;
        let mut built = self.build(op, Input::Encoded(json), opts)?;
        built.model = request.model().map(str::to_owned);
        Ok(built)
    }

    /// Validation and request building for any row of the table, with the call's fallback
    /// chain and hedge when it has them.
    fn build(&self, op: Op, input: Input<'_>, opts: &RequestOptions) -> Result<Built, Error> {
        let config = &self.inner.config;
        let chain = opts.fallback_models.as_deref().unwrap_or(&config.fallback_models);
        let follow = opts.follow_gateway_fallbacks.unwrap_or(config.follow_gateway_fallbacks);
        let hedge_after = (op.is_stream() && opts.idempotent != Some(false))
            .then(|| opts.hedge_after.or(config.hedge_after))
            .flatten();
        let routed = op.spec().body != BodyKind::None && (!chain.is_empty() || follow || hedge_after.is_some());
        if !routed {
            return self.build_plain(op, input, opts);
        }
        // Only a call with a chain or a hedge keeps its body to build the request again.
        let body = match &input {
            Input::Json(Some(json)) => (*json).to_owned(),
            Input::Json(None) => return self.build_plain(op, input, opts),
            Input::Encoded(json) => json.clone(),
        };
        let mut built = self.build_plain(op, input, opts)?;
        let Some(first) = first_model(&body, opts) else {
            return Ok(built);
        };
        let rebuild: Rebuild = {
            let client = self.clone();
            let opts = opts.clone();
            Arc::new(move |model: &str| {
                let mut opts = opts.clone();
                opts.extra_body
                    .get_or_insert_with(Default::default)
                    .insert("model".to_owned(), serde_json::Value::String(model.to_owned()));
                Ok(client.build_plain(op, Input::Json(Some(&body)), &opts)?.prepared)
            })
        };
        let fallback = Fallback::new(
            Plan {
                first: &first,
                chain,
                follow_gateway: follow,
                on_status: &config.fallback_on_status,
            },
            rebuild.clone(),
        );
        if let Some(after) = hedge_after {
            let model = fallback.as_ref().and_then(Fallback::peek).unwrap_or(&first).to_owned();
            let prepared = if model == first {
                built.prepared.clone()
            } else {
                rebuild(&model)?
            };
            built.hedge = Some(Hedge {
                after,
                model,
                primary: first.clone(),
                prepared,
            });
        }
        built.fallback = fallback;
        Ok(built)
    }

    /// Validation and request building for any row of the table.
    fn build_plain(&self, op: Op, input: Input<'_>, opts: &RequestOptions) -> Result<Built, Error> {
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
                        edits.body(std::borrow::Cow::Borrowed(json))?
                    }
                    Input::Encoded(json) => edits.body(std::borrow::Cow::Owned(json))?,
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
            fallback: None,
            hedge: None,
        })
    }

    /// One non-streaming call: attempts with retries, each reading the whole
    /// body (a body that breaks off is retried like a failed connection), then `decode`;
    /// then the next model of the fallback chain, if the call has one and the error allows it.
    async fn exchange<T>(
        &self,
        built: Built,
        opts: &RequestOptions,
        decode: impl Fn(&Bytes) -> Result<(T, ServedBody), Error>,
    ) -> Result<Response<T>, Error> {
        let ctx = self.context(opts, built.model.clone());
        let sender = &self.inner.sender;
        let Built {
            mut prepared,
            mut fallback,
            ..
        } = built;
        let mut attempts = 0;
        let ((status, headers, (data, served)), attempts) = loop {
            let tried = sender
                .with_retries(&ctx, attempts, attempts, || async {
                    // The whole attempt within `timeout`, as openai-node and go-openai bound it.
                    let whole = async {
                        let (response, headers) = sender.attempt(&prepared, &ctx).await?;
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
            match tried {
                Ok(done) => break done,
                Err(e) => {
                    attempts = e.attempts();
                    match next_model(fallback.as_mut(), &ctx, &e) {
                        Some(Ok(p)) => prepared = p,
                        Some(Err(build)) => return Err(ctx.trace.finish_error(build)),
                        None => return Err(ctx.trace.finish_error(e)),
                    }
                }
            }
        };
        let request_id = crate::error::request_id_from(&headers);
        Ok(Response {
            data,
            status,
            headers,
            request_id,
            attempts,
            receipt: ctx.trace.finish_call(served),
        })
    }

    /// Sends a stream's request (with retries until a success status, then along the fallback
    /// chain) and starts reading it.
    async fn start<P: Protocol>(&self, built: Built, opts: &RequestOptions) -> Result<Stream<P>, Error> {
        let ctx = self.context(opts, built.model.clone());
        let sender = &self.inner.sender;
        let Built {
            mut prepared,
            usage_added,
            mut fallback,
            hedge,
            ..
        } = built;
        let mut attempts = 0;
        let (response, attempts) = loop {
            match sender.send_with_retries(&prepared, &ctx, attempts, attempts).await {
                Ok(done) => break done,
                Err(e) => {
                    attempts = e.attempts();
                    match next_model(fallback.as_mut(), &ctx, &e) {
                        Some(Ok(p)) => prepared = p,
                        Some(Err(build)) => return Err(ctx.trace.finish_error(build)),
                        None => return Err(ctx.trace.finish_error(e)),
                    }
                }
            }
        };
        let mut stream = Stream::new(sender.clone(), Arc::new(prepared), ctx, response, attempts);
        if usage_added {
            stream.hide_added_usage();
        }
        stream.route(fallback, hedge);
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

/// After a model failed with `error` (its retries spent): the request for the next model of the
/// call's chain, recorded in its receipt, or `None` when the call ends with `error`.
fn next_model(
    fallback: Option<&mut Fallback>,
    ctx: &CallContext,
    error: &Error,
) -> Option<Result<PreparedRequest, Error>> {
    if ctx.deadline_passed() || ctx.cancel.is_cancelled() {
        return None;
    }
    Some(fallback?.next(error)?.map(|(model, prepared)| {
        ctx.trace.use_model(&model);
        prepared
    }))
}

/// The model a call names first: `extra_body`'s `model` (merged last, so it wins), else the body's.
fn first_model(body: &str, opts: &RequestOptions) -> Option<String> {
    if let Some(serde_json::Value::String(m)) = opts.extra_body.as_ref().and_then(|e| e.get("model")) {
        return Some(m.clone());
    }
    #[derive(serde::Deserialize)]
    struct Probe {
        model: Option<String>,
    }
    serde_json::from_str::<Probe>(body).ok()?.model
}

/// A structured answer: the gateway's object (with `parsed` fields in its extras) and
/// each choice's parsed value typed (for a response: one entry, `output_parsed`).
#[derive(Debug, Clone)]
pub struct Parsed<V, T> {
    /// The completion or response as received.
    pub value: V,
    /// Per choice: the parsed content as `T`, `None` for a refusal or an empty content.
    pub parsed: Vec<Option<T>>,
}

impl<V, T> Parsed<V, T> {
    /// The first choice's parsed value (`choices[0].message.parsed`, or `output_parsed`).
    pub fn first(&self) -> Option<&T> {
        self.parsed.first().and_then(Option::as_ref)
    }
}

fn parse_spec(op: Op, body_json: &str) -> Result<ParseSpec, Error> {
    match op.spec().body {
        BodyKind::Response => ParseSpec::for_responses(body_json),
        _ => ParseSpec::for_chat(body_json),
    }
}

fn apply_structured(op: Op, spec: &ParseSpec, body: &Bytes) -> Result<Bytes, Error> {
    match op.spec().body {
        BodyKind::Response => structured::parse_response(spec, body),
        _ => structured::parse_chat(spec, body),
    }
}

/// `parsed` as the caller's type; a value that does not fit it is an output validation error.
fn typed_parsed<T: DeserializeOwned>(parsed: Option<&serde_json::Value>) -> Result<Option<T>, Error> {
    match parsed {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(value) => serde_path_to_error::deserialize(value).map(Some).map_err(|e| {
            let path = e.path().to_string();
            Error::new(
                ErrorKind::OutputValidation,
                format!(
                    "the parsed output does not fit the requested type at `{path}`: {}",
                    e.inner()
                ),
            )
            .with_error_body(serde_json::json!({
                "message": format!("the parsed output does not fit the requested type at `{path}`: {}", e.inner()),
                "code": "schema_mismatch",
                "param": path,
            }))
        }),
    }
}

/// The raw body check of `call`: JSON, and for the operations OpenRouter answers with a
/// 200 carrying an `error` instead of choices (chat, completions), not that.
fn check_raw(op: Op, bytes: &Bytes) -> Result<(Bytes, ServedBody), Error> {
    match op.spec().body {
        BodyKind::Chat | BodyKind::Completion => {
            // Borrowed: the body is the caller's to parse; only what a receipt keeps is copied.
            #[derive(serde::Deserialize)]
            struct Probe<'a> {
                #[serde(borrow)]
                error: Option<&'a RawValue>,
                #[serde(default)]
                choices: Vec<serde::de::IgnoredAny>,
                // What the receipt reads, in the same pass.
                #[serde(borrow)]
                id: Option<&'a RawValue>,
                #[serde(borrow)]
                model: Option<&'a RawValue>,
                #[serde(borrow)]
                provider: Option<&'a RawValue>,
                #[serde(borrow)]
                usage: Option<&'a RawValue>,
            }
            let probe: Probe = decode_typed(bytes)?;
            let error = probe
                .error
                .and_then(|raw| serde_json::from_str::<serde_json::Value>(raw.get()).ok());
            match error_instead_of_choices(error.as_ref(), probe.choices.len()) {
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

/// Any JSON body (the caller's own parser reads it): what the receipt reads from it, borrowed
/// from the body (building `Value`s of them, hashed maps included, cost a raw call about 5,000
/// instructions), the rest skipped as `IgnoredAny` skipped the whole body before (any JSON value
/// is accepted).
#[derive(Default)]
struct ServedProbe<'a> {
    id: Option<&'a RawValue>,
    model: Option<&'a RawValue>,
    provider: Option<&'a RawValue>,
    usage: Option<&'a RawValue>,
}

impl<'de> serde::Deserialize<'de> for ServedProbe<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ServedProbe<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ServedProbe<'de>, A::Error> {
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
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ServedProbe<'de>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(ServedProbe::default())
            }
            fn visit_bool<E>(self, _: bool) -> Result<ServedProbe<'de>, E> {
                Ok(ServedProbe::default())
            }
            fn visit_i64<E>(self, _: i64) -> Result<ServedProbe<'de>, E> {
                Ok(ServedProbe::default())
            }
            fn visit_u64<E>(self, _: u64) -> Result<ServedProbe<'de>, E> {
                Ok(ServedProbe::default())
            }
            fn visit_f64<E>(self, _: f64) -> Result<ServedProbe<'de>, E> {
                Ok(ServedProbe::default())
            }
            fn visit_str<E>(self, _: &str) -> Result<ServedProbe<'de>, E> {
                Ok(ServedProbe::default())
            }
            fn visit_unit<E>(self) -> Result<ServedProbe<'de>, E> {
                Ok(ServedProbe::default())
            }
        }
        d.deserialize_any(V)
    }
}

impl ServedProbe<'_> {
    /// `with_id`: the body's `id` is a generation's (chat, completions, responses). The usage
    /// stays text until the receipt is read.
    fn served(self, with_id: bool) -> ServedBody {
        let id = if with_id { raw_text(self.id) } else { String::new() };
        let provider = Some(raw_text(self.provider))
            .filter(|p| !p.is_empty())
            .map(serde_json::Value::String);
        ServedBody::new(
            Served::new(&id, &raw_text(self.model), provider.as_ref(), None),
            self.usage,
        )
    }
}

/// A borrowed JSON value's text when it is a string, else empty (as `Value::as_str` gave).
fn raw_text(raw: Option<&RawValue>) -> String {
    raw.filter(|r| r.get().starts_with('"'))
        .and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or_default()
}

/// A typed body with an `id` and a `model` (chat, completions, responses) and what the receipt
/// reads from it: those fields and `provider` from the typed value, the usage as the body
/// wrote it (found in the same pass), as the raw path's probe reads them, so that a typed
/// call and a binding's raw call give the same receipt.
fn decode_served<'a, T>(
    bytes: &'a Bytes,
    fields: impl FnOnce(&T) -> (&str, &str, &crate::types::Extra),
) -> Result<(T, ServedBody), Error>
where
    crate::wire_de::WithRaw<'a, T>: serde::Deserialize<'a>,
{
    let crate::wire_de::WithRaw { value, raw } = decode_typed::<crate::wire_de::WithRaw<T>>(bytes)?;
    let (id, model, extra) = fields(&value);
    let served = ServedBody::new(Served::new(id, model, extra.get("provider"), None), raw);
    Ok((value, served))
}

/// What the receipt reads from a body the typed path decoded: the same probe as the raw
/// path's, so that a typed call and a binding's raw call give the same receipt.
fn probe(bytes: &Bytes, with_id: bool) -> ServedBody {
    decode_typed::<ServedProbe>(bytes)
        .map(|p| p.served(with_id))
        .unwrap_or_default()
}

fn decode_chat(bytes: &Bytes) -> Result<(ChatCompletion, ServedBody), Error> {
    let (completion, served) = decode_served(bytes, |c: &ChatCompletion| (&c.id, &c.model, &c.extra))?;
    match error_instead_of_choices(completion.extra.get("error"), completion.choices.len()) {
        Some(error) => Err(error),
        None => Ok((completion, served)),
    }
}

fn decode_completion(bytes: &Bytes) -> Result<(Completion, ServedBody), Error> {
    let (completion, served) = decode_served(bytes, |c: &Completion| (&c.id, &c.model, &c.extra))?;
    match error_instead_of_choices(completion.extra.get("error"), completion.choices.len()) {
        Some(error) => Err(error),
        None => Ok((completion, served)),
    }
}

fn decode_response(bytes: &Bytes) -> Result<(ResponseObject, ServedBody), Error> {
    let (response, served) = decode_served(bytes, |r: &ResponseObject| (&r.id, &r.model, &r.extra))?;
    match failed_response(&response) {
        Some(error) => Err(error),
        None => Ok((response, served)),
    }
}

/// A typed body of the other rows (models, embeddings, moderations): its `model` and `usage`
/// (its `id` is no generation's: a model's or a moderation's).
fn decode_plain<T: DeserializeOwned>(bytes: &Bytes) -> Result<(T, ServedBody), Error> {
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

fn decode_typed<'a, T: serde::Deserialize<'a>>(bytes: &'a Bytes) -> Result<T, Error> {
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
