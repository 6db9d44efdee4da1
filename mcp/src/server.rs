//! The rmcp handler: the tools, the resources, and serving them on stdio.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListResourcesResult, PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse,
    ServerCapabilities, ServerConfig,
};
use rmcp::service::{QuitReason, RequestContext};
use rmcp::{tool, tool_handler, tool_router, ErrorData, RoleServer, ServerHandler, ServiceExt};

use crate::describe;
use crate::error::{one_line, plain_arguments, McpError};
use crate::looks;
use crate::resources::Docs;
use crate::tools::{
    Checked, CommandArgs, HelpArgs, HistoryArgs, ListenArgs, LoadPatchArgs, LookArgs, PreviewArgs,
    RenderArgs, SavePatchArgs, UndoArgs,
};
use crate::{Answer, Link};

/// The session as the tools share it.
struct Bridge {
    link: Arc<dyn Link>,
    /// Held while a line runs, so lines run one at a time; holds the number
    /// the next picture's name starts looking from.
    turn: Mutex<u64>,
    /// Set once the client has gone: lines still queued are not run.
    closing: AtomicBool,
}

impl Bridge {
    /// `job` run on the session's turn, or `None` when the server is closing.
    fn on_turn<T>(&self, job: impl FnOnce(&dyn Link, &mut u64) -> T) -> Option<T> {
        let mut next = self.turn.lock().unwrap_or_else(PoisonError::into_inner);
        if self.closing.load(Ordering::SeqCst) {
            return None;
        }
        Some(job(self.link.as_ref(), &mut next))
    }
}

/// The MCP server of one Chronus session.
#[derive(Clone)]
pub(crate) struct Chronus {
    session: Arc<Bridge>,
    docs: Arc<Docs>,
    tool_router: ToolRouter<Self>,
}

/// A tool error whose text is `text` on one line, starting with `error: `.
fn refusal(text: &str) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(error_line(text))])
}

/// `text` on one line, starting with `error: `.
fn error_line(text: &str) -> String {
    let text = plain_arguments(&one_line(text));
    if text.starts_with("error:") {
        text
    } else {
        format!("error: {text}")
    }
}

/// The session's reply as a tool result: its text, or a tool error.
fn reply(answer: Answer) -> CallToolResult {
    if answer.ok {
        CallToolResult::success(vec![ContentBlock::text(answer.text)])
    } else {
        refusal(&answer.text)
    }
}

/// The session's folder, checked to be absolute.
fn folder(link: &dyn Link) -> Checked<std::path::PathBuf> {
    let folder = link.folder();
    if folder.is_absolute() {
        Ok(folder)
    } else {
        Err(format!(
            "error: the session's folder is not an absolute path: {}",
            folder.display()
        ))
    }
}

/// A picture drawn by `look`, or why there is none.
fn draw(link: &dyn Link, next: &mut u64, args: &LookArgs) -> Result<CallToolResult, String> {
    let session = folder(link)?;
    let dir = looks::folder(&session)?;
    let out = looks::fresh(&dir, args.picture.word(), next);
    let answer = link.line(&args.line(&out)?);
    if !answer.ok {
        return Ok(refusal(&answer.text));
    }
    let png = looks::read_png(&out)?;
    Ok(CallToolResult::success(vec![
        ContentBlock::image(looks::base64(&png), "image/png"),
        ContentBlock::text(answer.text),
    ]))
}

impl Chronus {
    /// A server for `link`, serving `docs`.
    pub(crate) fn new(link: Arc<dyn Link>, docs: Docs) -> Self {
        Self {
            session: Arc::new(Bridge {
                link,
                turn: Mutex::new(1),
                closing: AtomicBool::new(false),
            }),
            docs: Arc::new(docs),
            tool_router: Self::tool_router(),
        }
    }

    /// `job` run on a blocking thread on the session's turn.
    async fn blocking(
        &self,
        job: impl FnOnce(&dyn Link, &mut u64) -> CallToolResult + Send + 'static,
    ) -> CallToolResult {
        let session = Arc::clone(&self.session);
        match tokio::task::spawn_blocking(move || session.on_turn(job)).await {
            Ok(Some(result)) => result,
            Ok(None) => refusal("the MCP server is closing: the line was not run"),
            Err(e) if e.is_panic() => refusal("the session failed (it panicked) on this line"),
            Err(_) => refusal("the line was cancelled"),
        }
    }

    /// Send the checked `line` and return the reply.
    async fn run(&self, line: Checked<String>) -> CallToolResult {
        match line {
            Ok(line) => self.blocking(move |link, _| reply(link.line(&line))).await,
            Err(e) => refusal(&e),
        }
    }
}

#[tool_router]
impl Chronus {
    #[tool(description = describe::COMMAND, annotations(destructive_hint = true))]
    async fn command(&self, Parameters(args): Parameters<CommandArgs>) -> CallToolResult {
        self.run(args.line()).await
    }

    #[tool(description = describe::STATUS, annotations(read_only_hint = true))]
    async fn status(&self) -> CallToolResult {
        self.run(Ok("status".into())).await
    }

    #[tool(description = describe::HELP, annotations(read_only_hint = true))]
    async fn help(&self, Parameters(args): Parameters<HelpArgs>) -> CallToolResult {
        self.run(args.line()).await
    }

    #[tool(description = describe::LISTEN, annotations(read_only_hint = true))]
    async fn listen(&self, Parameters(args): Parameters<ListenArgs>) -> CallToolResult {
        self.run(args.line()).await
    }

    #[tool(description = describe::PREVIEW, annotations(read_only_hint = true))]
    async fn preview(&self, Parameters(args): Parameters<PreviewArgs>) -> CallToolResult {
        self.run(args.line()).await
    }

    #[tool(description = describe::LOOK, annotations(read_only_hint = true))]
    async fn look(&self, Parameters(args): Parameters<LookArgs>) -> CallToolResult {
        if let Err(e) = args.check() {
            return refusal(&e);
        }
        self.blocking(move |link, next| draw(link, next, &args).unwrap_or_else(|e| refusal(&e)))
            .await
    }

    #[tool(description = describe::RENDER, annotations(destructive_hint = false))]
    async fn render(&self, Parameters(args): Parameters<RenderArgs>) -> CallToolResult {
        if let Err(e) = args.check() {
            return refusal(&e);
        }
        self.blocking(
            move |link, _| match folder(link).and_then(|f| args.line(&f)) {
                Ok(line) => reply(link.line(&line)),
                Err(e) => refusal(&e),
            },
        )
        .await
    }

    #[tool(description = describe::SAVE_PATCH, annotations(destructive_hint = false))]
    async fn save_patch(&self, Parameters(args): Parameters<SavePatchArgs>) -> CallToolResult {
        self.run(args.line()).await
    }

    #[tool(description = describe::LOAD_PATCH, annotations(destructive_hint = true))]
    async fn load_patch(&self, Parameters(args): Parameters<LoadPatchArgs>) -> CallToolResult {
        self.run(args.line()).await
    }

    #[tool(description = describe::UNDO, annotations(destructive_hint = true))]
    async fn undo(&self, Parameters(args): Parameters<UndoArgs>) -> CallToolResult {
        self.run(args.line()).await
    }

    #[tool(description = describe::HISTORY, annotations(read_only_hint = true))]
    async fn history(&self, Parameters(args): Parameters<HistoryArgs>) -> CallToolResult {
        self.run(args.line()).await
    }
}

/// `result` with the text of a tool error made one `error: ...` line (rmcp's
/// own refusals of arguments that do not fit the schema included).
fn errors_as_lines(mut result: CallToolResult) -> CallToolResult {
    if result.is_error == Some(true) {
        for block in &mut result.content {
            if let ContentBlock::Text(text) = block {
                text.text = error_line(&text.text);
            }
        }
    }
    result
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Chronus {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(
            Implementation::new("chronus", env!("CARGO_PKG_VERSION")).with_title("Chronus"),
        )
        .with_instructions(describe::INSTRUCTIONS)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let call = ToolCallContext::new(self, request, context);
        match self.tool_router.call(call).await? {
            CallToolResponse::Complete(result) => Ok(errors_as_lines(result).into()),
            other => Ok(other),
        }
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(self.docs.list())
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        match self.docs.read(&request.uri) {
            Ok(read) => Ok(read.into()),
            Err(why) => Err(ErrorData::resource_not_found(why, None)),
        }
    }
}

/// Serve `link` and `docs` on stdin and stdout until the client closes.
pub(crate) fn serve_stdio(
    link: Arc<dyn Link>,
    docs: Vec<(String, String, String)>,
) -> Result<(), McpError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(McpError::Runtime)?;
    let server = Chronus::new(link, Docs::new(docs));
    let session = Arc::clone(&server.session);
    let served = runtime.block_on(async move {
        let running = server
            .serve(rmcp::transport::stdio_pipes())
            .await
            .map_err(|e| McpError::Handshake(e.to_string()))?;
        match running.waiting().await {
            Ok(QuitReason::Closed | QuitReason::Cancelled) => Ok(()),
            Ok(QuitReason::JoinError(e)) => Err(McpError::Connection(e.to_string())),
            Err(e) => Err(McpError::Connection(e.to_string())),
            #[allow(unreachable_patterns)]
            Ok(_) => Ok(()),
        }
    });
    // Let a line that runs now finish; lines still queued see `closing`.
    session.closing.store(true, Ordering::SeqCst);
    drop(session.turn.lock().unwrap_or_else(PoisonError::into_inner));
    runtime.shutdown_timeout(Duration::from_secs(1));
    served
}

#[cfg(test)]
mod tests;
