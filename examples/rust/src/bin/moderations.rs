//! Moderations (`POST /moderations`): which inputs a moderation model flags, and for what.
use routerkit::{Client, ModerationRequest, RequestOptions};

#[tokio::main]
async fn main() -> Result<(), routerkit::Error> {
    let client = Client::from_env()?;
    let inputs = ["Have a nice day.", "I will attack you, idiot."];
    let request = ModerationRequest {
        input: serde_json::json!(inputs),
        model: Some("omni-moderation-latest".into()),
        ..Default::default()
    };
    let moderation = client.moderations(&request, &RequestOptions::default()).await?.data;
    for (text, result) in inputs.iter().zip(&moderation.results) {
        let flagged: Vec<&str> = result
            .categories
            .iter()
            .filter(|(_, hit)| hit.as_bool() == Some(true))
            .map(|(name, _)| name.as_str())
            .collect();
        println!("{text:?}: flagged={} {flagged:?}", result.flagged);
    }
    Ok(())
}
