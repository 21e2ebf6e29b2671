pub const COHERE_API_KEY: &str = "n88HxjSI6bWHtP3fS2qHx6kwXoIIXGvO";
pub const MAX_TOKENS: usize = 8192;

pub fn api_key() -> String {
    std::env::var("COHERE_API_KEY").unwrap_or_default()
}
