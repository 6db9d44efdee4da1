//! A kit's sample folder in Dirt-Samples layout: a sub-folder per sound
//! name, its WAV files in name order (`bd:3` is the fourth file of `bd/`).
//!
//! The kit's voices and its patterns both number the files with [`scan`],
//! so a name and index resolve to the same slot on either side: slot `k`
//! (counting the files of all names in name order) plays as note
//! `FIRST_SLOT + k`, above the General MIDI drum notes.

use std::path::{Path, PathBuf};

/// The note of the first sample slot.
pub const FIRST_SLOT: u32 = 128;

/// The folder's sounds: each name with its files, names and files sorted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KitSamples {
    /// `(name, files)` in name order.
    pub sounds: Vec<(String, Vec<PathBuf>)>,
}

impl KitSamples {
    /// The note that plays file `index` (wrapping) of sound `name`, if the
    /// folder has that sound.
    pub fn note(&self, name: &str, index: usize) -> Option<u32> {
        let mut first = FIRST_SLOT;
        for (n, files) in &self.sounds {
            if n == name {
                return Some(first + (index % files.len()) as u32);
            }
            first += files.len() as u32;
        }
        None
    }

    /// Every file, slot by slot.
    pub fn files(&self) -> impl Iterator<Item = &PathBuf> {
        self.sounds.iter().flat_map(|(_, f)| f.iter())
    }
}

fn is_wav(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("wav"))
}

/// Read the sounds of folder `dir`.
///
/// # Errors
/// The folder cannot be read, or holds no sub-folder with WAV files.
pub fn scan(dir: &Path) -> Result<KitSamples, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("cannot find the folder '{}'", dir.display()),
        _ => format!("cannot read the folder '{}': {e}", dir.display()),
    })?;
    let mut sounds = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(&path)
            .map(|r| {
                r.flatten()
                    .map(|e| e.path())
                    .filter(|p| is_wav(p))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        if !files.is_empty() {
            sounds.push((name, files));
        }
    }
    sounds.sort();
    if sounds.is_empty() {
        return Err(format!(
            "'{}' has no sounds: expected a folder per sound name holding WAV files (bd/, sn/, ...)",
            dir.display()
        ));
    }
    Ok(KitSamples { sounds })
}
