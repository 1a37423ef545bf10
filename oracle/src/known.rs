//! Known divergences: differences between the model and this kernel that are accepted, each with
//! its reason (oracle/known-divergences.toml). A divergence matching no entry is a failure.
//!
//! An entry matches on the field key (`*` matches any run of characters), and optionally on the
//! operation of the step (`op`), the script's file name (`script`) and the operations the script
//! uses (`uses`).

use serde::Deserialize;

/// One accepted difference.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct KnownDivergence {
    /// Field key pattern, e.g. `status.VmPTE` or `kpageflags.*`.
    pub field: String,
    /// Only at steps running this operation (`fork`, `mlock`, ...).
    pub op: Option<String>,
    /// Only in scripts whose file name matches this pattern.
    pub script: Option<String>,
    /// Only in scripts that use one of these operations (`open`, ...).
    pub uses: Option<Vec<String>>,
    /// Why the difference is accepted.
    pub reason: String,
}

/// The known-divergences file.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Known {
    #[serde(default)]
    pub divergence: Vec<KnownDivergence>,
}

/// The file shipped with the oracle.
pub const DEFAULT_KNOWN: &str = include_str!("../known-divergences.toml");

impl Known {
    pub fn parse(text: &str) -> Result<Known, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// The entry accepting a divergence of `field` at a step running `op` in `script`, a script
    /// using the operations `used`.
    pub fn find(&self, field: &str, op: &str, script: &str, used: &[&str]) -> Option<&KnownDivergence> {
        self.divergence.iter().find(|k| {
            glob(&k.field, field)
                && k.op.as_deref().is_none_or(|o| o == op)
                && k.script.as_deref().is_none_or(|s| glob(s, script))
                && k.uses.as_ref().is_none_or(|u| u.iter().any(|x| used.contains(&x.as_str())))
        })
    }
}

/// `*` matches any run of characters; everything else matches itself.
pub fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, rest)) => {
            let Some(tail) = text.strip_prefix(head) else { return false };
            (0..=tail.len()).filter(|&i| tail.is_char_boundary(i)).any(|i| glob(rest, &tail[i..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_runs() {
        assert!(glob("kpageflags.*", "kpageflags.LRU"));
        assert!(glob("*.mms", "60-x.mms"));
        assert!(glob("a*b*c", "aXbYc"));
        assert!(!glob("a*b", "ac"));
        assert!(!glob("status.VmPTE", "status.VmLck"));
    }

    #[test]
    fn entries_match_on_field_op_and_script() {
        let k = Known::parse(
            "[[divergence]]\nfield = \"status.VmPTE\"\nop = \"fork\"\nreason = \"r\"\n\
             [[divergence]]\nfield = \"smaps.*\"\nscript = \"9*\"\nreason = \"s\"\n\
             [[divergence]]\nfield = \"pagemap.*\"\nuses = [\"open\"]\nreason = \"u\"\n",
        )
        .unwrap();
        assert_eq!(k.find("status.VmPTE", "fork", "x.mms", &[]).map(|e| e.reason.as_str()), Some("r"));
        assert!(k.find("status.VmPTE", "mmap", "x.mms", &[]).is_none());
        assert_eq!(k.find("smaps.Rss", "mmap", "90.mms", &[]).map(|e| e.reason.as_str()), Some("s"));
        assert!(k.find("smaps.Rss", "mmap", "10.mms", &[]).is_none());
        assert_eq!(k.find("pagemap.present", "read", "x.mms", &["mmap", "open"]).map(|e| e.reason.as_str()), Some("u"));
        assert!(k.find("pagemap.present", "read", "x.mms", &["mmap"]).is_none());
    }

    #[test]
    fn the_shipped_file_parses_and_every_entry_has_a_reason() {
        let k = Known::parse(DEFAULT_KNOWN).unwrap();
        assert!(k.divergence.iter().all(|d| d.reason.len() > 20));
    }
}
