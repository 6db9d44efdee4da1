//! The documents served as resources `chronus://docs/NAME`.

use rmcp::model::{ListResourcesResult, ReadResourceResult, Resource, ResourceContents};

/// Where every document's address starts.
pub(crate) const PREFIX: &str = "chronus://docs/";
/// The type every document has.
pub(crate) const MIME: &str = "text/markdown";

/// One document.
#[derive(Debug, Clone)]
struct Doc {
    name: String,
    title: String,
    text: String,
}

/// The documents, in the order given (a later one of the same name wins).
#[derive(Debug, Clone, Default)]
pub(crate) struct Docs {
    docs: Vec<Doc>,
}

impl Docs {
    /// The documents from (name, title, markdown text) triples.
    pub(crate) fn new(docs: Vec<(String, String, String)>) -> Self {
        let mut out: Vec<Doc> = Vec::with_capacity(docs.len());
        for (name, title, text) in docs {
            let doc = Doc { name, title, text };
            match out.iter_mut().find(|d| d.name == doc.name) {
                Some(old) => *old = doc,
                None => out.push(doc),
            }
        }
        Self { docs: out }
    }

    /// The address of the document `name`.
    pub(crate) fn uri(name: &str) -> String {
        format!("{PREFIX}{name}")
    }

    /// Every document, as `resources/list` gives them.
    pub(crate) fn list(&self) -> ListResourcesResult {
        ListResourcesResult::with_all_items(
            self.docs
                .iter()
                .map(|d| {
                    Resource::new(Self::uri(&d.name), d.name.clone())
                        .with_title(d.title.clone())
                        .with_mime_type(MIME)
                        .with_size(d.text.len() as u64)
                })
                .collect(),
        )
    }

    /// The document at `uri`, as `resources/read` gives it, or the one-line
    /// reason there is none.
    pub(crate) fn read(&self, uri: &str) -> Result<ReadResourceResult, String> {
        let doc = uri
            .strip_prefix(PREFIX)
            .and_then(|name| self.docs.iter().find(|d| d.name == name));
        match doc {
            Some(d) => Ok(ReadResourceResult::new(vec![ResourceContents::text(
                d.text.clone(),
                uri,
            )
            .with_mime_type(MIME)])),
            None => {
                let known: Vec<String> = self.docs.iter().map(|d| Self::uri(&d.name)).collect();
                let shown: String = uri.escape_debug().take(80).collect();
                Err(if known.is_empty() {
                    format!("no document at '{shown}': this server has none")
                } else {
                    format!("no document at '{shown}': there are {}", known.join(", "))
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs() -> Docs {
        Docs::new(vec![
            ("commands".into(), "Commands".into(), "# Commands\n".into()),
            ("songs".into(), "Songs".into(), "# Songs\n".into()),
            ("commands".into(), "All commands".into(), "# All\n".into()),
        ])
    }

    #[test]
    fn lists_each_name_once() {
        let list = docs().list();
        let uris: Vec<&str> = list.resources.iter().map(|r| r.uri.as_str()).collect();
        assert_eq!(uris, ["chronus://docs/commands", "chronus://docs/songs"]);
        let first = &list.resources[0];
        assert_eq!(first.name, "commands");
        assert_eq!(first.title.as_deref(), Some("All commands"));
        assert_eq!(first.mime_type.as_deref(), Some("text/markdown"));
        assert_eq!(first.size, Some(6));
    }

    #[test]
    fn reads_by_address() {
        let read = docs().read("chronus://docs/songs").unwrap();
        let json = serde_json::to_value(&read).unwrap();
        assert_eq!(json["contents"][0]["text"], "# Songs\n");
        assert_eq!(json["contents"][0]["mimeType"], "text/markdown");
        assert_eq!(json["contents"][0]["uri"], "chronus://docs/songs");
        let e = docs().read("chronus://docs/nothing").unwrap_err();
        assert_eq!(
            e,
            "no document at 'chronus://docs/nothing': there are chronus://docs/commands, chronus://docs/songs"
        );
        assert!(docs().read("file:///etc/passwd").is_err());
        assert!(Docs::new(Vec::new())
            .read("chronus://docs/x")
            .unwrap_err()
            .contains("none"));
    }
}
