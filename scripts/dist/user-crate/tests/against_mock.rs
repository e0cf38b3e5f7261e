//! A user's test against routerkit-mock, spawned as the crate's README shows (its path in
//! ROUTERKIT_MOCK, else `routerkit-mock` on PATH): a chat, a stream, a retried 429.
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use routerkit::{ChatCompletionRequest, ChatMessage, ClientBuilder, ErrorKind, RequestOptions};

struct Mock {
    url: String,
    _child: Child,
}

fn mock() -> Mock {
    let bin = std::env::var("ROUTERKIT_MOCK").unwrap_or_else(|_| "routerkit-mock".into());
    let mut child = Command::new(bin)
        .args(["--port", "0", "--exit-on-stdin-close"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start routerkit-mock");
    let mut url = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    Mock {
        url: url.trim().to_owned(),
        _child: child,
    }
}

fn request() -> ChatCompletionRequest {
    ChatCompletionRequest::new("openai/gpt-4.1", vec![ChatMessage::user("Hi")])
}

#[tokio::test]
async fn chat_and_stream() {
    let mock = mock();
    let client = ClientBuilder::new()
        .api_key("sk-user-test")
        .base_url(format!("{}/v1", mock.url))
        .build()
        .unwrap();
    let reply = client.chat(&request(), &RequestOptions::default()).await.unwrap();
    let text = reply.choices[0].message.content.clone().unwrap_or_default();
    assert!(!text.is_empty(), "an answer");

    let mut stream = client
        .chat_stream(&request(), &RequestOptions::default())
        .await
        .unwrap();
    let mut streamed = String::new();
    while let Some(chunk) = stream.next().await.unwrap() {
        if let Some(piece) = chunk.choices.first().and_then(|c| c.delta.content.as_deref()) {
            streamed.push_str(piece);
        }
    }
    assert_eq!(streamed, text, "the stream carries the same answer");
}

#[tokio::test]
async fn a_429_is_an_error_with_its_status_after_the_retries() {
    let mock = mock();
    let client = ClientBuilder::new()
        .api_key("sk-user-test")
        .base_url(format!("{}/v1", mock.url))
        .max_retries(1)
        .build()
        .unwrap();
    let opts = RequestOptions {
        headers: vec![(
            "x-mock-step".into(),
            r#"{"status":429,"headers":{"retry-after-ms":"10"}}"#.into(),
        )],
        ..Default::default()
    };
    let err = client.chat(&request(), &opts).await.unwrap_err();
    assert_eq!(err.status(), Some(429));
    assert_eq!(err.kind(), ErrorKind::Status);
    assert_eq!(err.attempts(), 2, "one retry");
}
