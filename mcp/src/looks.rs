//! The pictures `look` asks for: a fresh file for each, and reading back
//! the PNG the session wrote there.

use std::path::{Path, PathBuf};

/// The eight bytes every PNG file starts with.
const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
/// The largest picture returned, in bytes.
const MOST_BYTES: u64 = 32 * 1024 * 1024;

/// The folder the pictures go to, `FOLDER/looks`, made if need be.
pub(crate) fn folder(session: &Path) -> Result<PathBuf, String> {
    let looks = session.join("looks");
    std::fs::create_dir_all(&looks).map_err(|e| {
        format!(
            "error: cannot make the folder for pictures {}: {e}",
            looks.display()
        )
    })?;
    Ok(looks)
}

/// A name in `looks` that no file has: `PICTURE-N.png` with the first free
/// `N` from `*next` on (which is moved past it).
pub(crate) fn fresh(looks: &Path, picture: &str, next: &mut u64) -> PathBuf {
    loop {
        let n = *next;
        *next = next.saturating_add(1);
        let candidate = looks.join(format!("{picture}-{n}.png"));
        if !candidate.exists() || n == u64::MAX {
            return candidate;
        }
    }
}

/// The PNG file at `path`, read and checked to be one.
pub(crate) fn read_png(path: &Path) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| {
        format!(
            "error: the session answered ok but no picture is at {}: {e}",
            path.display()
        )
    })?;
    if meta.len() > MOST_BYTES {
        return Err(format!(
            "error: the picture at {} is too large to send ({} bytes, at most {MOST_BYTES})",
            path.display(),
            meta.len()
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| format!("error: cannot read the picture {}: {e}", path.display()))?;
    if !bytes.starts_with(&PNG_SIGNATURE) {
        return Err(format!(
            "error: the file at {} is not a PNG picture",
            path.display()
        ));
    }
    Ok(bytes)
}

/// `bytes` in standard base64 (RFC 4648, with `=` padding).
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let sextet = |shift: u32| char::from(ALPHABET[((n >> shift) & 0x3f) as usize]);
        out.push(sextet(18));
        out.push(sextet(12));
        out.push(if chunk.len() > 1 { sextet(6) } else { '=' });
        out.push(if chunk.len() > 2 { sextet(0) } else { '=' });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), coded, "{plain}");
        }
        assert_eq!(base64(&[0xfb, 0xff, 0xbf]), "+/+/");
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("chronus-mcp-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn fresh_names_skip_files_that_exist() {
        let dir = scratch("fresh");
        let looks = folder(&dir).unwrap();
        assert_eq!(looks, dir.join("looks"));
        let mut next = 1;
        let first = fresh(&looks, "scope", &mut next);
        assert_eq!(first, looks.join("scope-1.png"));
        std::fs::write(looks.join("scope-2.png"), b"x").unwrap();
        std::fs::write(looks.join("scope-3.png"), b"x").unwrap();
        assert_eq!(fresh(&looks, "scope", &mut next), looks.join("scope-4.png"));
        assert_eq!(next, 5);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn only_png_files_are_read() {
        let dir = scratch("png");
        std::fs::create_dir_all(&dir).unwrap();
        let missing = read_png(&dir.join("none.png")).unwrap_err();
        assert!(
            missing.starts_with("error: the session answered ok but no picture"),
            "{missing}"
        );
        std::fs::write(dir.join("text.png"), b"not a picture").unwrap();
        assert!(read_png(&dir.join("text.png"))
            .unwrap_err()
            .contains("not a PNG"));
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend_from_slice(b"rest");
        std::fs::write(dir.join("ok.png"), &png).unwrap();
        assert_eq!(read_png(&dir.join("ok.png")).unwrap(), png);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
