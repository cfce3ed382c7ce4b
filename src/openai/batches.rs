//! OpenAI's Batch API from the browser: upload the input file, create the
//! batch, check its status, download the output. The file format and the
//! polling rules are in `crate::batch::batch_api`.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::{Deserialize, Serialize};
use web_sys::AbortSignal;

use super::client::{ClientConfig, error_from};
use super::error::ApiError;
use super::request::host_of;

/// The endpoint every line calls.
pub const ENDPOINT: &str = "/v1/chat/completions";

/// Wait before status check `n` (0-based): 2 s doubling to a minute, so a
/// day-long batch costs a few hundred checks, a quick one a few seconds.
pub fn poll_delay_ms(n: u32) -> f64 {
    (2000.0 * 2f64.powi(n.min(5) as i32)).min(60_000.0)
}

/// A batch as the API reports it (the fields Fanout uses).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchObject {
    /// Its id.
    pub id: String,
    /// validating, in_progress, finalizing, completed, failed, expired, cancelling, cancelled.
    pub status: String,
    /// The results, once completed.
    #[serde(default)]
    pub output_file_id: Option<String>,
    /// Lines that failed, if any.
    #[serde(default)]
    pub error_file_id: Option<String>,
    /// Counts so far.
    #[serde(default)]
    pub request_counts: Option<Counts>,
}

/// Request counts of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// All requests.
    pub total: u64,
    /// Answered.
    pub completed: u64,
    /// Failed.
    pub failed: u64,
}

impl BatchObject {
    /// True once the batch will not change any more.
    pub fn is_final(&self) -> bool {
        matches!(
            self.status.as_str(),
            "completed" | "failed" | "expired" | "cancelled"
        )
    }

    /// One line for the page.
    pub fn describe(&self) -> String {
        match self.request_counts {
            Some(c) if c.total > 0 => format!(
                "Batch {}: {} ({} of {} done, {} failed)",
                self.id, self.status, c.completed, c.total, c.failed
            ),
            _ => format!("Batch {}: {}", self.id, self.status),
        }
    }
}

fn authorized(b: RequestBuilder, cfg: &ClientConfig, signal: &AbortSignal) -> RequestBuilder {
    let b = b.abort_signal(Some(signal));
    match cfg.key_header.header(&cfg.api_key) {
        Some((name, value)) => b.header(name, &value),
        None => b,
    }
}

async fn checked(
    resp: Result<Response, gloo_net::Error>,
    cfg: &ClientConfig,
    signal: &AbortSignal,
) -> Result<Response, ApiError> {
    let resp = resp.map_err(|_| {
        if signal.aborted() {
            ApiError::Aborted
        } else {
            ApiError::Network {
                host: host_of(&cfg.base_url).to_string(),
            }
        }
    })?;
    if resp.ok() {
        Ok(resp)
    } else {
        Err(error_from(&resp, &cfg.api_key).await)
    }
}

async fn json<T: for<'de> Deserialize<'de>>(resp: Response) -> Result<T, ApiError> {
    let text = resp
        .text()
        .await
        .map_err(|e| ApiError::Malformed(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| ApiError::Malformed(format!("unexpected JSON ({e})")))
}

/// Uploads a Batch API input file (`POST /files`, purpose `batch`); returns its id.
pub async fn upload_batch_file(
    cfg: &ClientConfig,
    name: &str,
    content: &str,
    signal: &AbortSignal,
) -> Result<String, ApiError> {
    let form = web_sys::FormData::new().map_err(|_| ApiError::Malformed("no FormData".into()))?;
    let blob: web_sys::Blob =
        gloo_file::Blob::new_with_options(content, Some("application/jsonl")).into();
    form.append_with_str("purpose", "batch")
        .and_then(|()| form.append_with_blob_and_filename("file", &blob, name))
        .map_err(|_| ApiError::Malformed("could not build the upload".into()))?;
    let req = authorized(
        Request::post(&format!("{}/files", cfg.base_url)),
        cfg,
        signal,
    )
    .body(form)
    .map_err(|e| ApiError::Malformed(e.to_string()))?;
    #[derive(Deserialize)]
    struct FileObject {
        id: String,
    }
    let file: FileObject = json(checked(req.send().await, cfg, signal).await?).await?;
    Ok(file.id)
}

/// Creates a batch over an uploaded file, with the 24-hour window.
pub async fn create_batch(
    cfg: &ClientConfig,
    file_id: &str,
    signal: &AbortSignal,
) -> Result<BatchObject, ApiError> {
    let body = serde_json::json!({
        "input_file_id": file_id,
        "endpoint": ENDPOINT,
        "completion_window": "24h",
    });
    let req = authorized(
        Request::post(&format!("{}/batches", cfg.base_url)),
        cfg,
        signal,
    )
    .header("Content-Type", "application/json")
    .body(body.to_string())
    .map_err(|e| ApiError::Malformed(e.to_string()))?;
    json(checked(req.send().await, cfg, signal).await?).await
}

/// The batch's current state.
pub async fn get_batch(
    cfg: &ClientConfig,
    id: &str,
    signal: &AbortSignal,
) -> Result<BatchObject, ApiError> {
    let req = authorized(
        Request::get(&format!("{}/batches/{id}", cfg.base_url)),
        cfg,
        signal,
    );
    json(checked(req.send().await, cfg, signal).await?).await
}

/// A file's content (the batch output).
pub async fn file_content(
    cfg: &ClientConfig,
    id: &str,
    signal: &AbortSignal,
) -> Result<String, ApiError> {
    let req = authorized(
        Request::get(&format!("{}/files/{id}/content", cfg.base_url)),
        cfg,
        signal,
    );
    checked(req.send().await, cfg, signal)
        .await?
        .text()
        .await
        .map_err(|e| ApiError::Malformed(e.to_string()))
}

/// Uploads `file`, creates its batch, checks it with back-off until it is
/// final (saying where it stands through `status`), then returns the output
/// and error files' content, one after the other. The error says what went
/// wrong; a cancel stops checking (the batch goes on at the provider).
pub async fn run_to_end(
    cfg: &ClientConfig,
    file: &str,
    signal: &AbortSignal,
    status: &dyn Fn(String),
) -> Result<String, String> {
    status("Uploading the input file…".into());
    let file_id = upload_batch_file(cfg, "fanout-batch-input.jsonl", file, signal)
        .await
        .map_err(|e| e.to_string())?;
    let mut batch = create_batch(cfg, &file_id, signal)
        .await
        .map_err(|e| e.to_string())?;
    let mut n = 0;
    while !batch.is_final() {
        let wait = poll_delay_ms(n);
        status(format!(
            "{} · next check in {}",
            batch.describe(),
            crate::format::duration_ms(wait)
        ));
        gloo_timers::future::sleep(std::time::Duration::from_secs_f64(wait / 1000.0)).await;
        if signal.aborted() {
            return Err(format!(
                "Stopped checking {}; it keeps running at the provider.",
                batch.id
            ));
        }
        batch = get_batch(cfg, &batch.id, signal)
            .await
            .map_err(|e| e.to_string())?;
        n += 1;
    }
    status(batch.describe());
    let mut content = String::new();
    for id in [&batch.output_file_id, &batch.error_file_id]
        .into_iter()
        .flatten()
    {
        content.push_str(
            &file_content(cfg, id, signal)
                .await
                .map_err(|e| e.to_string())?,
        );
        content.push('\n');
    }
    Ok(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polling_backs_off_to_a_minute_and_final_states_stop_it() {
        let d: Vec<f64> = (0..8).map(poll_delay_ms).collect();
        assert_eq!(
            d,
            [
                2000.0, 4000.0, 8000.0, 16000.0, 32000.0, 60000.0, 60000.0, 60000.0
            ]
        );
        let b: BatchObject = serde_json::from_str(
            r#"{"id":"batch_1","object":"batch","status":"in_progress","request_counts":{"total":4,"completed":1,"failed":0}}"#,
        )
        .unwrap();
        assert!(!b.is_final());
        assert_eq!(
            b.describe(),
            "Batch batch_1: in_progress (1 of 4 done, 0 failed)"
        );
        for s in ["completed", "failed", "expired", "cancelled"] {
            assert!(
                BatchObject {
                    status: s.into(),
                    ..b.clone()
                }
                .is_final()
            );
        }
    }
}
