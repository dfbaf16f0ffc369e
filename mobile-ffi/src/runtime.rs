//! The tokio runtime owned by the library, one per process.
//!
//! A sync round needs tokio's IO and time drivers (WebSocket, HTTP with timeouts), but the
//! apps calling in run their own event loops (Kotlin coroutines, Swift concurrency, asyncio)
//! and have no tokio runtime. So async calls spawn their work here and await only the
//! task's handle, which any executor can poll. The runtime starts on first use and lives
//! until the process exits.

use std::sync::LazyLock;

use tokio::runtime::{Builder, Runtime};

use crate::error::{DeviceClientError, internal};

/// Worker threads of the runtime. A phone runs one sync round at a time, and the blocking
/// SQLite work inside a round runs on tokio's separate blocking pool, so two workers are enough.
const WORKER_THREADS: usize = 2;

/// The runtime, or the reason it failed to start. A failure is kept for the life of the
/// process, so every later call reports the same error.
static RUNTIME: LazyLock<Result<Runtime, String>> = LazyLock::new(|| {
    Builder::new_multi_thread()
        .worker_threads(WORKER_THREADS)
        .thread_name("dms-ffi-runtime")
        .enable_all()
        .build()
        .map_err(|error| error.to_string())
});

/// Returns the library's runtime, starting it on first use.
pub(crate) fn runtime() -> Result<&'static Runtime, DeviceClientError> {
    RUNTIME
        .as_ref()
        .map_err(|reason| internal(format!("failed to start the background runtime: {reason}")))
}
