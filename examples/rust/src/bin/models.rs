//! Models: list what the gateway serves, then retrieve one by its id (ids contain a slash);
//! an id the gateway does not know is a status error, 404.
use routerkit::{Client, ErrorKind, RequestOptions};

#[tokio::main]
async fn main() -> Result<(), routerkit::Error> {
    let client = Client::from_env()?;
    let opts = RequestOptions::default();
    for model in client.list_models(&opts).await?.data.data {
        println!("{}", model.id);
    }

    let model = client.retrieve_model("openai/gpt-4.1", &opts).await?.data;
    println!("{}: owned by {}, created {}", model.id, model.owned_by, model.created);

    match client.retrieve_model("nobody/no-such-model", &opts).await {
        Err(e) if e.kind() == ErrorKind::Status => println!("not found: {}", e.status().unwrap_or(0)),
        Err(e) => return Err(e),
        Ok(m) => println!("unexpectedly found {}", m.data.id),
    }
    Ok(())
}
