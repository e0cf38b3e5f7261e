//! async-openai, the Rust SDK a user would pick today (`--client async-openai`), pinned in
//! Cargo.toml. Built only with the `async-openai` feature (bench/run enables it).

use std::time::{Duration, Instant};

use futures_util::StreamExt;

use crate::Bench;

/// async-openai (`--client async-openai`): `chat().create` and `chat().create_stream`, typed.
#[derive(Clone)]
pub struct Aoa {
    client: async_openai::Client<async_openai::config::OpenAIConfig>,
    req: async_openai::types::chat::CreateChatCompletionRequest,
}

impl Aoa {
    pub fn new(url: &str) -> Aoa {
        use async_openai::types::chat::{ChatCompletionRequestUserMessage, CreateChatCompletionRequestArgs};
        let config = async_openai::config::OpenAIConfig::new()
            .with_api_key("sk-bench-0123456789")
            .with_api_base(format!("{url}/v1"));
        let req = CreateChatCompletionRequestArgs::default()
            .model("m")
            .messages(vec![ChatCompletionRequestUserMessage::from("bench").into()])
            .build()
            .unwrap();
        Aoa {
            client: async_openai::Client::with_config(config),
            req,
        }
    }
}

impl Bench for Aoa {
    async fn chat(&self) {
        let r = self.client.chat().create(self.req.clone()).await.unwrap();
        assert!(r.choices[0].message.content.is_some());
    }
    async fn stream(&self) -> (usize, Duration) {
        let t0 = Instant::now();
        let mut first = Duration::ZERO;
        let mut s = self.client.chat().create_stream(self.req.clone()).await.unwrap();
        let mut n = 0;
        while let Some(chunk) = s.next().await {
            let chunk = chunk.unwrap();
            if chunk
                .choices
                .first()
                .is_some_and(|c| c.delta.content.as_deref().is_some_and(|t| !t.is_empty()))
            {
                if n == 0 {
                    first = t0.elapsed();
                }
                n += 1;
            }
        }
        (n, first)
    }
}
