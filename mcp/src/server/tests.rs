//! The handler with a session that records what it is sent.

use std::path::PathBuf;
use std::sync::Mutex;

use super::*;
use crate::tools::Picture;

/// A 1x1 PNG picture.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x50, 0x70, 0x68, 0x00,
    0x00, 0x01, 0x64, 0x00, 0xe1, 0xf9, 0xee, 0x1a, 0x5a, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

/// Answers `ok ` + the line; `error: ...` for lines starting with `bad`,
/// `nope` (without the prefix) for `nope`; panics on `boom`; writes a PNG
/// for `look` unless the line says `scope`.
struct Recorder {
    lines: Mutex<Vec<String>>,
    folder: PathBuf,
}

impl Link for Recorder {
    fn line(&self, text: &str) -> Answer {
        self.lines.lock().unwrap().push(text.to_owned());
        if text == "boom" {
            panic!("boom");
        }
        if text == "nope" {
            return Answer {
                ok: false,
                text: "nope".into(),
            };
        }
        if text.starts_with("bad") {
            return Answer {
                ok: false,
                text: format!("error: unknown command '{text}'"),
            };
        }
        if text.starts_with("look ") && !text.contains("scope") {
            let (_, quoted) = text.split_once(" -o ").unwrap();
            std::fs::write(quoted.trim_matches('"'), PNG).unwrap();
        }
        Answer {
            ok: true,
            text: format!("ok {text}"),
        }
    }

    fn folder(&self) -> PathBuf {
        self.folder.clone()
    }
}

fn server(name: &str) -> (Chronus, Arc<Recorder>) {
    let folder =
        std::env::temp_dir().join(format!("chronus-mcp-server-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let link = Arc::new(Recorder {
        lines: Mutex::new(Vec::new()),
        folder,
    });
    let docs = Docs::new(vec![(
        "commands".into(),
        "Commands".into(),
        "# Commands".into(),
    )]);
    (Chronus::new(link.clone(), docs), link)
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn text(result: &CallToolResult, i: usize) -> &str {
    result.content[i]
        .as_text()
        .map(|t| t.text.as_str())
        .unwrap_or("")
}

fn sent(link: &Recorder) -> Vec<String> {
    link.lines.lock().unwrap().clone()
}

#[test]
fn lines_go_through_and_replies_come_back() {
    let (s, link) = server("lines");
    let r = block_on(s.command(Parameters(CommandArgs {
        line: "create kick; play all".into(),
    })));
    assert_eq!(r.is_error, Some(false));
    assert_eq!(text(&r, 0), "ok create kick; play all");
    let r = block_on(s.status());
    assert_eq!(text(&r, 0), "ok status");
    let r = block_on(s.history(Parameters(HistoryArgs { count: Some(5) })));
    assert_eq!(text(&r, 0), "ok history 5");
    assert_eq!(
        sent(&link),
        ["create kick; play all", "status", "history 5"]
    );
}

#[test]
fn bad_arguments_send_nothing() {
    let (s, link) = server("bad-args");
    let r = block_on(s.listen(Parameters(ListenArgs {
        track: Some("a;b".into()),
        bars: None,
    })));
    assert_eq!(r.is_error, Some(true));
    assert!(
        text(&r, 0).starts_with("error: expected a track name"),
        "{}",
        text(&r, 0)
    );
    let r = block_on(s.render(Parameters(RenderArgs {
        bars: None,
        file: Some("../x.wav".into()),
    })));
    assert_eq!(r.is_error, Some(true));
    let r = block_on(s.look(Parameters(LookArgs {
        picture: Picture::Roll,
        track: None,
        bars: Some(0),
    })));
    assert_eq!(r.is_error, Some(true));
    let r = block_on(s.command(Parameters(CommandArgs {
        line: "stop all\nquit".into(),
    })));
    assert_eq!(r.is_error, Some(true));
    assert!(sent(&link).is_empty());
    assert!(!link.folder.exists(), "nothing was written");
}

#[test]
fn error_replies_are_tool_errors_starting_with_error() {
    let (s, _) = server("errors");
    let r = block_on(s.command(Parameters(CommandArgs {
        line: "bad thing".into(),
    })));
    assert_eq!(r.is_error, Some(true));
    assert_eq!(text(&r, 0), "error: unknown command 'bad thing'");
    let r = block_on(s.command(Parameters(CommandArgs {
        line: "nope".into(),
    })));
    assert_eq!(text(&r, 0), "error: nope");
    let r = block_on(s.command(Parameters(CommandArgs {
        line: "boom".into(),
    })));
    assert_eq!(r.is_error, Some(true));
    assert!(text(&r, 0).contains("panicked"), "{}", text(&r, 0));
    let r = block_on(s.status());
    assert_eq!(text(&r, 0), "ok status", "a panic does not stop the server");
}

#[test]
fn look_returns_the_picture() {
    let (s, link) = server("look");
    let r = block_on(s.look(Parameters(LookArgs {
        picture: Picture::Spectrogram,
        track: Some("kick".into()),
        bars: Some(2),
    })));
    assert_eq!(r.is_error, Some(false), "{r:?}");
    let image = r.content[0].as_image().unwrap();
    assert_eq!(image.mime_type, "image/png");
    assert_eq!(image.data, looks::base64(PNG));
    let out = link.folder.join("looks/spectrogram-1.png");
    assert_eq!(
        text(&r, 1),
        format!("ok look spectrogram kick bars=2 -o \"{}\"", out.display())
    );
    let again = block_on(s.look(Parameters(LookArgs {
        picture: Picture::Spectrogram,
        track: None,
        bars: None,
    })));
    assert!(
        text(&again, 1).contains("spectrogram-2.png"),
        "{}",
        text(&again, 1)
    );
    // The session said ok but wrote nothing.
    let r = block_on(s.look(Parameters(LookArgs {
        picture: Picture::Scope,
        track: None,
        bars: None,
    })));
    assert_eq!(r.is_error, Some(true));
    assert!(
        text(&r, 0).starts_with("error: the session answered ok but no picture"),
        "{}",
        text(&r, 0)
    );
    std::fs::remove_dir_all(&link.folder).unwrap();
}

#[test]
fn render_writes_under_the_folder() {
    let (s, link) = server("render");
    let r = block_on(s.render(Parameters(RenderArgs {
        bars: Some(2),
        file: Some("groove.wav".into()),
    })));
    let out = link.folder.join("groove.wav");
    assert_eq!(
        text(&r, 0),
        format!("ok render bars=2 -o \"{}\"", out.display())
    );
    let r = block_on(s.render(Parameters(RenderArgs::default())));
    assert_eq!(text(&r, 0), "ok render");
}

#[test]
fn rmcp_refusals_become_error_lines() {
    let r = errors_as_lines(CallToolResult::error(vec![ContentBlock::text(
        "failed to deserialize parameters: invalid type: string \"x\",\nexpected i64",
    )]));
    assert_eq!(
        r.content[0].as_text().unwrap().text,
        "error: the arguments do not fit the tool: got the text \"x\", expected a whole number"
    );
    let ok = errors_as_lines(CallToolResult::success(vec![ContentBlock::text("{\n}")]));
    assert_eq!(ok.content[0].as_text().unwrap().text, "{\n}");
}

#[test]
fn info_names_chronus_and_tells_the_loop() {
    let (s, _) = server("info");
    let info = s.get_info();
    assert_eq!(info.server_info.name, "chronus");
    assert_eq!(info.server_info.version, env!("CARGO_PKG_VERSION"));
    assert!(info.capabilities.tools.is_some());
    assert!(info.capabilities.resources.is_some());
    let how = info.instructions.unwrap();
    for word in [
        "`command`",
        "`preview`",
        "`listen`",
        "`look`",
        "`undo`",
        "`history`",
    ] {
        assert!(how.contains(word), "{word}");
    }
}

#[test]
fn every_tool_has_a_description_and_an_object_schema() {
    let (s, _) = server("tools");
    let mut names: Vec<String> = s
        .tool_router
        .list_all()
        .iter()
        .map(|t| t.name.to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "command",
            "help",
            "history",
            "listen",
            "load_patch",
            "look",
            "preview",
            "render",
            "save_patch",
            "status",
            "undo"
        ]
    );
    for tool in s.tool_router.list_all() {
        let about = tool.description.as_deref().unwrap_or("");
        assert!(about.len() > 80, "{}: {about}", tool.name);
        assert_eq!(
            tool.input_schema.get("type").and_then(|t| t.as_str()),
            Some("object"),
            "{}",
            tool.name
        );
    }
    let listen = s.tool_router.get("listen").unwrap();
    let bars = &listen.input_schema["properties"]["bars"];
    assert_eq!(bars["minimum"], 1, "{bars}");
    assert_eq!(bars["maximum"], 64, "{bars}");
    let look = s.tool_router.get("look").unwrap();
    let required = look.input_schema["required"].as_array().unwrap();
    assert_eq!(required.len(), 1);
    assert_eq!(required[0], "picture");
    let pictures = &look.input_schema["properties"]["picture"]["enum"];
    assert_eq!(
        *pictures,
        serde_json::json!(["spectrogram", "scope", "levels", "roll"]),
        "the pictures are listed inline, with no $ref: {}",
        serde_json::Value::Object((*look.input_schema).clone())
    );
}
