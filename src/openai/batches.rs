//! OpenAI's Batch API from the browser: upload the input file, create the
//! batch, check its status, download the output. The file format and the
//! polling rules are in `crate::batch::batch_api`.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::{Deserialize, Serialize};
use web_sys::AbortSignal;

use super::client::{ClientConfig, error_from};
use super::error::ApiError;
use super::request::host_of;

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
    if cfg.api_key.is_empty() {
        b
    } else {
        b.header("Authorization", &format!("Bearer {}", cfg.api_key))
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
        "endpoint": crate::batch::batch_api::ENDPOINT,
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
