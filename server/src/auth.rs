//! Tenancy: bearer tokens map to tenants.
//!
//! Without a token file every call belongs to one anonymous tenant. With one (lines
//! `TOKEN TENANT`, `#` comments), every call to the machine service must carry
//! `authorization: Bearer TOKEN` with a listed token, or it fails with UNAUTHENTICATED. Tokens
//! are looked up by their SHA-256, so the lookup never compares secrets byte by byte. Health and
//! reflection stay open.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use tonic::{Request, Status};

/// A tenant's name; machines belong to exactly one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Tenant(Arc<str>);

impl Tenant {
    /// The tenant of a server without tokens.
    pub fn anonymous() -> Tenant {
        Tenant::from("anonymous")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Tenant {
    fn from(s: &str) -> Tenant {
        Tenant(Arc::from(s))
    }
}

/// The token table, or none (anonymous).
#[derive(Clone, Debug, Default)]
pub struct Auth {
    tokens: Option<Arc<HashMap<[u8; 32], Tenant>>>,
}

fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Auth {
    /// Every call is the anonymous tenant's.
    pub fn anonymous() -> Auth {
        Auth { tokens: None }
    }

    /// Whether calls must carry a token.
    pub fn required(&self) -> bool {
        self.tokens.is_some()
    }

    /// Parses a token file's text.
    pub fn parse(text: &str) -> Result<Auth> {
        let mut tokens = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let mut words = line.split_whitespace();
            let (Some(token), Some(tenant), None) = (words.next(), words.next(), words.next()) else {
                bail!("line {}: expected `TOKEN TENANT`", i + 1);
            };
            if tokens.insert(hash(token), Tenant::from(tenant)).is_some() {
                bail!("line {}: the token is listed twice", i + 1);
            }
        }
        if tokens.is_empty() {
            bail!("the token file lists no token");
        }
        Ok(Auth { tokens: Some(Arc::new(tokens)) })
    }

    /// Reads a token file.
    pub fn from_file(path: &Path) -> Result<Auth> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Auth::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    /// The tenant a call's metadata names.
    pub fn tenant<T>(&self, req: &Request<T>) -> Result<Tenant, Status> {
        let Some(tokens) = &self.tokens else { return Ok(Tenant::anonymous()) };
        let header = req
            .metadata()
            .get("authorization")
            .ok_or_else(|| Status::unauthenticated("missing `authorization: Bearer TOKEN` metadata"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .ok_or_else(|| Status::unauthenticated("authorization metadata is not `Bearer TOKEN`"))?;
        tokens.get(&hash(token.trim())).cloned().ok_or_else(|| Status::unauthenticated("unknown token"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(auth: Option<&str>) -> Request<()> {
        let mut r = Request::new(());
        if let Some(a) = auth {
            r.metadata_mut().insert("authorization", a.parse().unwrap());
        }
        r
    }

    #[test]
    fn tokens_map_to_tenants() {
        let auth = Auth::parse("# comment\nsecret-a alice\n\nsecret-b bob  # trailing\n").unwrap();
        assert_eq!(auth.tenant(&req(Some("Bearer secret-a"))).unwrap(), Tenant::from("alice"));
        assert_eq!(auth.tenant(&req(Some("Bearer secret-b"))).unwrap(), Tenant::from("bob"));
        let e = auth.tenant(&req(Some("Bearer nope"))).unwrap_err();
        assert_eq!((e.code(), e.message()), (tonic::Code::Unauthenticated, "unknown token"));
        assert_eq!(auth.tenant(&req(None)).unwrap_err().code(), tonic::Code::Unauthenticated);
        assert_eq!(auth.tenant(&req(Some("Basic x"))).unwrap_err().code(), tonic::Code::Unauthenticated);
        assert_eq!(Auth::anonymous().tenant(&req(None)).unwrap(), Tenant::anonymous());
    }

    #[test]
    fn malformed_token_files_are_refused() {
        assert_eq!(Auth::parse("a b c").unwrap_err().to_string(), "line 1: expected `TOKEN TENANT`");
        assert_eq!(Auth::parse("a b\na c").unwrap_err().to_string(), "line 2: the token is listed twice");
        assert_eq!(Auth::parse("# none\n").unwrap_err().to_string(), "the token file lists no token");
    }
}
