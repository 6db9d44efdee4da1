//! One reply per command line: `ok ...` or `error: ...`, or one JSON object.

/// The answer to one command line.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    /// True for `ok`.
    pub ok: bool,
    /// What changed (after `ok `) or what was wrong (after `error: `).
    pub text: String,
    /// The bar (1-based) where the change takes effect, when it has one.
    pub bar: Option<u64>,
    /// The frame where the change takes effect, when it has one.
    pub frame: Option<u64>,
    /// The line asked the session to end.
    pub quit: bool,
}

impl Reply {
    /// An `ok` reply.
    pub fn ok(text: impl Into<String>) -> Self {
        Reply {
            ok: true,
            text: text.into(),
            bar: None,
            frame: None,
            quit: false,
        }
    }

    /// An `error:` reply.
    pub fn error(text: impl Into<String>) -> Self {
        Reply {
            ok: false,
            ..Reply::ok(text)
        }
    }

    /// The reply as one line of text (newlines in the text become spaces).
    pub fn line(&self) -> String {
        let text = self.text.replace(['\n', '\r'], " ");
        if self.ok {
            if text.is_empty() {
                "ok".into()
            } else {
                format!("ok {text}")
            }
        } else {
            format!("error: {text}")
        }
    }

    /// The reply as one JSON object on one line.
    pub fn json(&self) -> String {
        let mut v = serde_json::json!({
            "ok": self.ok,
            "reply": self.text,
        });
        if let Some(b) = self.bar {
            v["bar"] = b.into();
        }
        if let Some(f) = self.frame {
            v["frame"] = f.into();
        }
        if self.quit {
            v["quit"] = true.into();
        }
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_either_way() {
        let mut r = Reply::ok("sequence kick: from bar 3 (frame 192000)");
        r.bar = Some(3);
        r.frame = Some(192_000);
        assert_eq!(r.line(), "ok sequence kick: from bar 3 (frame 192000)");
        assert_eq!(
            r.json(),
            r#"{"bar":3,"frame":192000,"ok":true,"reply":"sequence kick: from bar 3 (frame 192000)"}"#
        );
        assert_eq!(Reply::error("a\nb").line(), "error: a b");
    }
}
