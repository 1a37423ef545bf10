//! The parser: text to [`Script`], and [`parse_op`].

use std::collections::HashSet;

use super::names;
use super::{
    Cmp, Expect, Expr, Literal, MachineSpec, NumStyle, OpExpr, PagemapField, ParseError, Query, ResultSpec, Rlimit,
    Script, Sign, SignalSpec, StatusItem, Stmt, StmtKind, TaskField, Term, VmaField, is_keyword, is_valid_name,
};
use crate::config::{
    KNOWN_QUIRKS, MAX_NODE_BYTES, MAX_NODES, MAX_PROMOTION_THRESHOLD, MAX_PTES_LIMIT, MAX_READ_AHEAD_KB,
    MAX_SWAP_BYTES, ThpMode,
};
use crate::errno::Errno;
use crate::ops::{
    Access, Advice, FallocMode, MapFlags, MclFlags, MemfdFlags, MlockFlags, MpolFlags, MremapFlags, Op, OpenFlags,
    PAGE_SIZE, Prot,
};
use crate::proc as procfs;
use crate::task::{Blocked, StepState, SwapinPolicy, TaskStats};
use crate::views::{MapsEntry, SmapsEntry, SmapsRollup, Status};

type Result<T> = std::result::Result<T, ParseError>;

/// Parses a whole script.
pub fn parse(text: &str) -> Result<Script> {
    let mut script = Script::default();
    let mut names: HashSet<String> = HashSet::new();
    let mut seen_step = false;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        // `lines` strips "\r\n"; also accept a lone '\r' ending the last line.
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let (toks, comment) = tokenize(raw, line)?;
        let mut p = LineParser { toks: &toks, pos: 0, line, end_col: raw.chars().count() + 1, names: &names };
        let Some(first) = toks.first() else {
            script.statements.push(Stmt { line, kind: StmtKind::Blank, comment });
            continue;
        };
        if first.is_word("machine") {
            if let Some(m) = &script.machine {
                return Err(p.err_at(first, format!("a second machine line (the first is line {})", m.line)));
            }
            if seen_step {
                return Err(p.err_at(first, "the machine line must come before every operation and expectation"));
            }
            let mut m = p.machine()?;
            m.line = line;
            m.comment = comment;
            script.machine = Some(m);
            continue;
        }
        seen_step = true;
        let kind = if first.is_word("expect") {
            p.pos = 1;
            StmtKind::Expect(p.expect()?)
        } else {
            let (kind, bound) = p.op_statement()?;
            if let Some(b) = bound {
                names.insert(b);
            }
            kind
        };
        script.statements.push(Stmt { line, kind, comment });
    }
    Ok(script)
}

/// Parses one literal operation (no names, no `=> RESULT`), e.g. `munmap 1 0x1000 4p`.
pub fn parse_op(text: &str) -> Result<Op> {
    if text.contains('\n') {
        let col = text.chars().position(|c| c == '\n').unwrap_or(0) + 1;
        return Err(ParseError { line: 1, column: col, message: "an operation is one line".into() });
    }
    let (toks, _comment) = tokenize(text, 1)?;
    let names = HashSet::new();
    let mut p = LineParser { toks: &toks, pos: 0, line: 1, end_col: text.chars().count() + 1, names: &names };
    if toks.is_empty() {
        return Err(p.err_end("missing operation"));
    }
    let op = p.op(toks.len())?;
    literal_op(&op).map_err(|(what, v)| ParseError {
        line: 1,
        column: 1,
        message: format!("{v} is out of range for {what}"),
    })
}

/// Evaluates a literal-only operation; on a range error, what and the value.
fn literal_op(op: &OpExpr) -> std::result::Result<Op, (&'static str, i128)> {
    super::run::eval_op(op, &mut |_: &str| Err(())).map_err(|e| match e {
        super::run::EvalError::Range(what, v) => (what, v),
        super::run::EvalError::Lookup(()) => unreachable!("parse_op accepts no names"),
    })
}

/// One token of a line.
#[derive(Debug)]
struct Tok {
    /// The text, escapes resolved for a quoted string.
    text: String,
    /// Whether it was a double-quoted string.
    quoted: bool,
    /// 1-based column of its first character.
    col: usize,
}

impl Tok {
    fn is_word(&self, w: &str) -> bool {
        !self.quoted && self.text == w
    }
}

fn is_sep(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Splits a line into tokens and its comment.
fn tokenize(raw: &str, line: usize) -> Result<(Vec<Tok>, Option<String>)> {
    let chars: Vec<char> = raw.chars().collect();
    let err = |col: usize, message: String| ParseError { line, column: col, message };
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_sep(c) {
            i += 1;
            continue;
        }
        if c == '#' {
            let comment: String = chars[i + 1..].iter().collect();
            return Ok((toks, Some(comment.trim_end().to_string())));
        }
        let col = i + 1;
        if c == '"' {
            i += 1;
            let mut s = String::new();
            loop {
                let Some(&c) = chars.get(i) else {
                    return Err(err(col, "unterminated string (missing closing '\"')".into()));
                };
                i += 1;
                match c {
                    '"' => break,
                    '\\' => {
                        let Some(&e) = chars.get(i) else {
                            return Err(err(i, "unterminated string (missing closing '\"')".into()));
                        };
                        i += 1;
                        match e {
                            '"' => s.push('"'),
                            '\\' => s.push('\\'),
                            'n' => s.push('\n'),
                            'r' => s.push('\r'),
                            't' => s.push('\t'),
                            'u' => {
                                let start = i - 1;
                                let bad = || err(start, "bad \\u escape (write \\u{HEX})".into());
                                if chars.get(i) != Some(&'{') {
                                    return Err(bad());
                                }
                                let close = chars[i..].iter().position(|&c| c == '}').ok_or_else(bad)? + i;
                                let hex: String = chars[i + 1..close].iter().collect();
                                if hex.is_empty() || hex.len() > 6 {
                                    return Err(bad());
                                }
                                let ch = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32).ok_or_else(bad)?;
                                s.push(ch);
                                i = close + 1;
                            }
                            other => {
                                return Err(err(i - 1, format!("unknown escape '\\{other}' in string")));
                            }
                        }
                    }
                    c => s.push(c),
                }
            }
            if let Some(&c) = chars.get(i).filter(|&&c| !is_sep(c) && c != '#') {
                return Err(err(i + 1, format!("expected a space after the closing '\"', found '{c}'")));
            }
            toks.push(Tok { text: s, quoted: true, col });
            continue;
        }
        let start = i;
        while i < chars.len() && !is_sep(chars[i]) && chars[i] != '#' {
            if chars[i] == '"' {
                return Err(err(i + 1, "unexpected '\"' inside a word (quote the whole string)".into()));
            }
            i += 1;
        }
        toks.push(Tok { text: chars[start..i].iter().collect(), quoted: false, col });
    }
    Ok((toks, None))
}

/// Levenshtein distance, for "did you mean" hints.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// ` (did you mean 'x'?)` when a candidate is close.
fn hint<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let best = candidates
        .into_iter()
        .map(|c| (distance(word, c), c))
        .filter(|&(d, c)| d > 0 && d <= 2.max(c.chars().count() / 4) && d < c.chars().count())
        .min();
    match best {
        Some((_, c)) => format!(" (did you mean '{c}'?)"),
        None => String::new(),
    }
}

const OP_USAGE: &[(&str, &str)] = &[
    ("spawn", "spawn"),
    ("fork", "fork PID"),
    ("exit", "exit PID"),
    ("mmap", "mmap PID ADDR LEN PROT FLAGS [fd=FD] [off=OFFSET]"),
    ("munmap", "munmap PID ADDR LEN"),
    ("mprotect", "mprotect PID ADDR LEN PROT"),
    ("mremap", "mremap PID OLD_ADDR OLD_LEN NEW_LEN [FLAGS] [to=NEW_ADDR]"),
    ("madvise", "madvise PID ADDR LEN ADVICE"),
    ("read", "read PID ADDR"),
    ("write", "write PID ADDR VALUE"),
    ("touch", "touch PID ADDR LEN read|write"),
    ("memfd_create", "memfd_create PID NAME [FLAGS]"),
    ("open", "open PID PATH FLAGS"),
    ("pwrite", "pwrite PID FD OFFSET VALUE"),
    ("pread", "pread PID FD OFFSET"),
    ("ftruncate", "ftruncate PID FD LEN"),
    ("fallocate", "fallocate PID FD MODE OFFSET LEN"),
    ("close", "close PID FD"),
    ("mlock", "mlock PID ADDR LEN"),
    ("mlock2", "mlock2 PID ADDR LEN FLAGS"),
    ("munlock", "munlock PID ADDR LEN"),
    ("mlockall", "mlockall PID FLAGS"),
    ("munlockall", "munlockall PID"),
    ("setrlimit_memlock", "setrlimit_memlock PID BYTES|unlimited"),
    ("cap_ipc_lock", "cap_ipc_lock PID on|off"),
    ("move_pages", "move_pages PID ADDR[,ADDR...]|[] [nodes=NODE[,NODE...]] [FLAGS]"),
    ("reclaim", "reclaim NID PAGES"),
    ("khugepaged", "khugepaged"),
    (
        "task",
        "task fault PID ADDR read|write  |  task reclaim PID ADDR  |  task migrate PID ADDR NODE  |  task OP ARGS... (a writer or truncation)",
    ),
    ("step", "step TASK"),
    ("io_complete", "io_complete TASK"),
    ("run_until_idle", "run_until_idle"),
];

const EXPECT_USAGE: &[(&str, &str)] = &[
    ("smaps_rollup", "expect smaps_rollup PID FIELD CMP VALUE [kB]"),
    ("smaps", "expect smaps PID ADDR FIELD CMP VALUE [kB]  |  expect smaps PID ADDR VmFlags has|lacks FLAG"),
    ("status", "expect status PID FIELD CMP VALUE [kB]"),
    ("maps", "expect maps PID count CMP VALUE"),
    ("vma", "expect vma PID ADDR start|end|offset CMP VALUE"),
    ("meminfo", "expect meminfo [node=N] FIELD CMP VALUE [kB]"),
    ("vmstat", "expect vmstat FIELD CMP VALUE"),
    ("pagemap", "expect pagemap PID ADDR present|swap|file|exclusive|pfn CMP VALUE"),
    ("kpagecount", "expect kpagecount PID ADDR count CMP VALUE"),
    ("kpageflags", "expect kpageflags PID ADDR FLAG CMP 0|1"),
    ("value", "expect value PID ADDR value CMP VALUE"),
    ("invariants", "expect invariants violations CMP VALUE"),
    ("task", "expect task TASK latency|waited|done|errno CMP VALUE"),
    ("tasks", "expect tasks FIELD CMP VALUE"),
];

/// Operations whose result can be bound to a name.
const VALUE_OPS: &[&str] = &[
    "spawn",
    "fork",
    "mmap",
    "mremap",
    "read",
    "memfd_create",
    "open",
    "pread",
    "reclaim",
    "khugepaged",
    "task",
    "run_until_idle",
];

/// Where a negative expression is allowed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sign0 {
    Unsigned,
    Signed,
}

struct LineParser<'a> {
    toks: &'a [Tok],
    pos: usize,
    line: usize,
    /// Column just past the end of the line, for "missing ..." errors.
    end_col: usize,
    names: &'a HashSet<String>,
}

impl<'a> LineParser<'a> {
    fn err_col(&self, column: usize, message: impl Into<String>) -> ParseError {
        ParseError { line: self.line, column, message: message.into() }
    }
    fn err_at(&self, t: &Tok, message: impl Into<String>) -> ParseError {
        self.err_col(t.col, message)
    }
    fn err_end(&self, message: impl Into<String>) -> ParseError {
        self.err_col(self.end_col, message)
    }

    /// The next token, or a "missing WHAT" error naming the usage.
    fn next(&mut self, limit: usize, what: &str, usage: &str) -> Result<&'a Tok> {
        if self.pos < limit {
            self.pos += 1;
            Ok(&self.toks[self.pos - 1])
        } else {
            let col = self.toks.get(limit).map_or(self.end_col, |t| t.col);
            Err(self.err_col(col, format!("missing {what} (usage: {usage})")))
        }
    }

    /// The next token as a plain word (not a quoted string).
    fn word(&mut self, limit: usize, what: &str, usage: &str) -> Result<&'a Tok> {
        let t = self.next(limit, what, usage)?;
        if t.quoted {
            return Err(self.err_at(t, format!("expected {what}, found a quoted string")));
        }
        Ok(t)
    }

    fn done(&self, limit: usize, usage: &str) -> Result<()> {
        match self.toks[..limit].get(self.pos) {
            None => Ok(()),
            Some(t) => Err(self.err_at(t, format!("unexpected '{}' (usage: {usage})", t.text))),
        }
    }

    // ---- numbers and expressions ----

    fn literal(&self, text: &str, col: usize) -> Result<Literal> {
        let bad = || self.err_col(col, format!("bad number '{text}'"));
        if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
            if hex.is_empty() || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(bad());
            }
            let value = u64::from_str_radix(hex, 16)
                .map_err(|_| self.err_col(col, format!("number '{text}' does not fit in 64 bits")))?;
            return Ok(Literal { value, style: NumStyle::Hex });
        }
        let digits_end = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
        let (digits, suffix) = text.split_at(digits_end);
        if digits.is_empty() {
            return Err(bad());
        }
        let style = match suffix {
            "" => NumStyle::Dec,
            "K" | "k" => NumStyle::Kilo,
            "M" | "m" => NumStyle::Mega,
            "G" | "g" => NumStyle::Giga,
            "p" => NumStyle::Pages,
            _ => {
                return Err(
                    self.err_col(col, format!("bad number '{text}' (suffixes: K, M, G, p; hex numbers start with 0x)"))
                );
            }
        };
        let value = digits
            .parse::<u64>()
            .ok()
            .and_then(|v| v.checked_mul(style.unit()))
            .ok_or_else(|| self.err_col(col, format!("number '{text}' does not fit in 64 bits")))?;
        Ok(Literal { value, style })
    }

    fn name_ref(&self, text: &str, col: usize) -> Result<String> {
        let ident = text.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ident {
            return Err(self.err_col(col, format!("bad number or name '{text}'")));
        }
        if !self.names.contains(text) {
            let mut known: Vec<&str> = self.names.iter().map(String::as_str).collect();
            known.sort_unstable();
            let msg = if is_keyword(text) {
                format!("'{text}' is a keyword, not a name")
            } else {
                format!("unknown name '{text}'{}", hint(text, known))
            };
            return Err(self.err_col(col, msg));
        }
        Ok(text.to_string())
    }

    fn expr_text(&self, text: &str, col: usize, sign: Sign0) -> Result<Expr> {
        let mut terms = Vec::new();
        let mut pos = 0;
        let mut cur_sign = Sign::Plus;
        if let Some(rest) = text.strip_prefix('-') {
            if sign == Sign0::Unsigned {
                return Err(self.err_col(col, format!("negative number '{text}' (only an fd may be negative)")));
            }
            if rest.is_empty() {
                return Err(self.err_col(col, format!("bad number '{text}'")));
            }
            cur_sign = Sign::Minus;
            pos = 1;
        }
        loop {
            let end = text[pos..].find(['+', '-']).map_or(text.len(), |k| pos + k);
            let t = &text[pos..end];
            let tcol = col + text[..pos].chars().count();
            if t.is_empty() {
                return Err(self.err_col(tcol, format!("bad expression '{text}'")));
            }
            let term = if t.starts_with(|c: char| c.is_ascii_digit()) {
                Term::Lit(self.literal(t, tcol)?)
            } else {
                Term::Name(self.name_ref(t, tcol)?)
            };
            terms.push((cur_sign, term));
            if end == text.len() {
                break;
            }
            cur_sign = if text.as_bytes()[end] == b'+' { Sign::Plus } else { Sign::Minus };
            pos = end + 1;
        }
        Ok(Expr { terms })
    }

    fn expr(&mut self, limit: usize, what: &str, usage: &str) -> Result<Expr> {
        let t = self.word(limit, what, usage)?;
        self.expr_text(&t.text, t.col, Sign0::Unsigned)
    }

    /// A comma list of expressions without spaces, optionally in brackets: `a,a+1p`, `[a,b]`;
    /// `[]` is the empty list. `what` names one item.
    fn expr_list(&self, text: &str, col: usize, what: &str) -> Result<Vec<Expr>> {
        let (inner, mut icol) = match (text.strip_prefix('['), text.ends_with(']')) {
            (Some(rest), true) => (&rest[..rest.len() - 1], col + 1),
            (Some(_), false) => {
                return Err(self.err_col(col, format!("missing ']' in '{text}' (a list is one word: no spaces)")));
            }
            (None, true) => return Err(self.err_col(col, format!("missing '[' in '{text}'"))),
            (None, false) => (text, col),
        };
        if inner.is_empty() {
            if text.is_empty() {
                return Err(self.err_col(col, format!("missing {what} list (write [] for none)")));
            }
            return Ok(Vec::new());
        }
        let mut items = Vec::new();
        for item in inner.split(',') {
            if item.is_empty() {
                return Err(self.err_col(icol, format!("empty {what} in list '{text}'")));
            }
            items.push(self.expr_text(item, icol, Sign0::Unsigned)?);
            icol += item.chars().count() + 1;
        }
        Ok(items)
    }

    fn fd_expr(&mut self, limit: usize, usage: &str) -> Result<Expr> {
        let t = self.word(limit, "FD", usage)?;
        self.expr_text(&t.text, t.col, Sign0::Signed)
    }

    // ---- flag-like arguments ----

    fn prot(&mut self, limit: usize, usage: &str) -> Result<Prot> {
        let t = self.word(limit, "PROT", usage)?;
        let s = t.text.as_str();
        if s == "none" {
            return Ok(Prot::empty());
        }
        if s.starts_with("0x") || s.starts_with("0X") {
            return Ok(Prot::from_bits_retain(self.hex_u32(s, t.col)?));
        }
        let mut bits = Prot::empty();
        let mut rest = s;
        for (c, b) in [('r', Prot::READ), ('w', Prot::WRITE), ('x', Prot::EXEC)] {
            if let Some(r) = rest.strip_prefix(c) {
                bits |= b;
                rest = r;
            }
        }
        if s.is_empty() || !rest.is_empty() {
            return Err(self.err_at(t, format!("bad PROT '{s}' (none, letters r w x in that order, or 0x...)")));
        }
        Ok(bits)
    }

    fn hex_u32(&self, s: &str, col: usize) -> Result<u32> {
        let hex = &s[2..];
        if hex.is_empty() || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(self.err_col(col, format!("bad number '{s}'")));
        }
        u32::from_str_radix(hex, 16).map_err(|_| self.err_col(col, format!("'{s}' does not fit in 32 bits")))
    }

    fn flags_text(&self, t: &Tok, kind: &str, table: &[(&str, u32)]) -> Result<u32> {
        if t.text == "0" {
            return Ok(0);
        }
        let mut bits = 0u32;
        let mut col = t.col;
        for item in t.text.split(',') {
            if item.starts_with("0x") || item.starts_with("0X") {
                bits |= self.hex_u32(item, col)?;
            } else if let Some(&(_, b)) = table.iter().find(|(n, _)| *n == item) {
                bits |= b;
            } else if item.is_empty() {
                return Err(self.err_col(col, format!("empty item in {kind} flags '{}'", t.text)));
            } else {
                let known: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
                return Err(self.err_col(
                    col,
                    format!(
                        "unknown {kind} flag '{item}'{} (known: {})",
                        hint(item, known.iter().copied()),
                        known.join(" ")
                    ),
                ));
            }
            col += item.chars().count() + 1;
        }
        Ok(bits)
    }

    fn flags(&mut self, limit: usize, kind: &str, table: &[(&str, u32)], what: &str, usage: &str) -> Result<u32> {
        let t = self.word(limit, what, usage)?;
        self.flags_text(t, kind, table)
    }

    /// A string argument (NAME, PATH).
    fn string(&mut self, limit: usize, what: &str, usage: &str) -> Result<String> {
        Ok(self.next(limit, what, usage)?.text.clone())
    }

    // ---- statements ----

    /// `[NAME =] OP ARGS [=> RESULT]`; returns the statement and the name it binds.
    fn op_statement(&mut self) -> Result<(StmtKind, Option<String>)> {
        let toks = self.toks;
        let mut bind = None;
        if toks.len() >= 2 && toks[1].is_word("=") {
            let n = &toks[0];
            if n.quoted || !is_valid_name(&n.text) {
                let why = if is_keyword(&n.text) { " (it is a keyword)" } else { "" };
                return Err(self.err_at(n, format!("bad name '{}'{why}: names are [A-Za-z_][A-Za-z0-9_]*", n.text)));
            }
            bind = Some(n.text.clone());
            self.pos = 2;
            if toks.len() == 2 {
                return Err(self.err_end(format!("missing operation after '{} ='", n.text)));
            }
        }
        let arrow = toks.iter().position(|t| t.is_word("=>"));
        let limit = arrow.unwrap_or(toks.len());
        let op_tok = &toks[self.pos];
        if arrow == Some(self.pos) {
            return Err(self.err_at(op_tok, "missing operation before '=>'"));
        }
        let op = self.op(limit)?;
        let result = match arrow {
            None => None,
            Some(a) => {
                let Some(r) = toks.get(a + 1) else {
                    return Err(self.err_end("missing RESULT after '=>' (ok, an errno, a signal, or a value)"));
                };
                // The result first: a status list split by spaces gets its own message.
                let result = self.result(r)?;
                if let Some(extra) = toks.get(a + 2) {
                    return Err(self.err_at(extra, format!("unexpected '{}' after the result", extra.text)));
                }
                Some(result)
            }
        };
        if matches!(result, Some(ResultSpec::Statuses(_))) && !matches!(op, OpExpr::MovePages { .. }) {
            let a = arrow.expect("a result follows '=>'");
            return Err(
                self.err_at(&toks[a + 1], format!("{} returns no status list (only move_pages does)", op.name()))
            );
        }
        if let Some(b) = &bind {
            if !VALUE_OPS.contains(&op.name()) {
                return Err(self.err_at(&toks[0], format!("{} returns no value to bind to '{b}'", op.name())));
            }
            if matches!(result, Some(ResultSpec::Errno(_) | ResultSpec::Signal(_))) {
                return Err(
                    self.err_at(&toks[0], format!("'{b} = ...' binds nothing: the operation is expected to fail"))
                );
            }
        }
        Ok((StmtKind::Op { bind: bind.clone(), op, result }, bind))
    }

    fn result(&self, t: &Tok) -> Result<ResultSpec> {
        if t.quoted {
            return Err(self.err_at(t, "expected a RESULT, found a quoted string"));
        }
        let s = t.text.as_str();
        if s == "ok" {
            return Ok(ResultSpec::Ok);
        }
        if s == "ran" {
            return Ok(ResultSpec::Step(StepState::Ran));
        }
        if s == "done" {
            return Ok(ResultSpec::Step(StepState::Done));
        }
        if let Some(what) = s.strip_prefix("waits(").and_then(|r| r.strip_suffix(')')) {
            let Some(b) = Blocked::from_name(what) else {
                let known: Vec<&str> = Blocked::ALL.iter().map(|b| b.name()).collect();
                return Err(self.err_at(t, format!("unknown wait '{what}' (known: {})", known.join(" "))));
            };
            return Ok(ResultSpec::Step(StepState::Waits(b)));
        }
        if let Some(e) = Errno::from_name(s) {
            return Ok(ResultSpec::Errno(e));
        }
        if let Some(sig) = SignalSpec::from_name(s) {
            return Ok(ResultSpec::Signal(sig));
        }
        if s.starts_with('E') && s.chars().all(|c| c.is_ascii_uppercase()) {
            let names = Errno::ALL.iter().map(|e| e.name());
            return Err(self.err_at(t, format!("unknown errno '{s}'{}", hint(s, names))));
        }
        if s.starts_with('[') {
            return Ok(ResultSpec::Statuses(self.statuses(s, t.col)?));
        }
        if s.starts_with("SIG") {
            return Err(
                self.err_at(t, format!("unknown signal '{s}' (SIGSEGV, SIGSEGV(MAPERR), SIGSEGV(ACCERR), SIGBUS)"))
            );
        }
        Ok(ResultSpec::Value(self.expr_text(s, t.col, Sign0::Unsigned)?))
    }

    /// `[0,-2,-EFAULT]`: a status list of move_pages.
    fn statuses(&self, s: &str, col: usize) -> Result<Vec<StatusItem>> {
        const FORM: &str = "a status list is one word like [0,1,-ENOENT,-14]";
        let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) else {
            return Err(self.err_col(col, format!("missing ']' in '{s}' ({FORM})")));
        };
        let mut items = Vec::new();
        let mut icol = col + 1;
        for item in inner.split(',').filter(|_| !inner.is_empty()) {
            let (neg, body) = match item.strip_prefix('-') {
                Some(b) => (true, b),
                None => (false, item),
            };
            let bad = |why: String| self.err_col(icol, why);
            if body.is_empty() {
                return Err(bad(format!("empty status in '{s}' ({FORM})")));
            }
            let st = if body.starts_with(|c: char| c.is_ascii_digit()) {
                if !body.chars().all(|c| c.is_ascii_digit()) {
                    return Err(bad(format!("bad status '{item}' (a decimal number or -ERRNO)")));
                }
                let v: i64 = body.parse().map_err(|_| bad(format!("status '{item}' does not fit in 32 bits")))?;
                let v = if neg { -v } else { v };
                StatusItem::Num(i32::try_from(v).map_err(|_| bad(format!("status '{item}' does not fit in 32 bits")))?)
            } else if let Some(e) = Errno::from_name(body) {
                if !neg {
                    return Err(bad(format!("write -{body}: move_pages reports an errno as a negative status")));
                }
                StatusItem::Errno(e)
            } else {
                let names = Errno::ALL.iter().map(|e| e.name());
                return Err(bad(format!("bad status '{item}' (a decimal number or -ERRNO){}", hint(body, names))));
            };
            items.push(st);
            icol += item.chars().count() + 1;
        }
        Ok(items)
    }

    /// The operation starting at `self.pos`, ending before `limit`.
    fn op(&mut self, limit: usize) -> Result<OpExpr> {
        let t = self.word(limit, "operation", "OP ARGS...")?;
        let name = t.text.as_str();
        let Some(&(_, usage)) = OP_USAGE.iter().find(|(n, _)| *n == name) else {
            if name.contains('=') {
                return Err(
                    self.err_at(t, format!("unknown operation '{name}' (write 'NAME = OP' with spaces around '=')"))
                );
            }
            let h = hint(name, OP_USAGE.iter().map(|(n, _)| *n));
            let msg = if h.is_empty() {
                let all: Vec<&str> = OP_USAGE.iter().map(|(n, _)| *n).collect();
                format!("unknown operation '{name}' (operations: {})", all.join(" "))
            } else {
                format!("unknown operation '{name}'{h}")
            };
            return Err(self.err_at(t, msg));
        };
        let l = limit;
        let u = usage;
        let op = match name {
            "spawn" => OpExpr::Spawn,
            "fork" => OpExpr::Fork { pid: self.expr(l, "PID", u)? },
            "exit" => OpExpr::Exit { pid: self.expr(l, "PID", u)? },
            "mmap" => {
                let pid = self.expr(l, "PID", u)?;
                let addr = self.expr(l, "ADDR", u)?;
                let len = self.expr(l, "LEN", u)?;
                let prot = self.prot(l, u)?;
                let flags = MapFlags::from_bits_retain(self.flags(l, "mmap", names::MMAP, "FLAGS", u)?);
                let (mut fd, mut offset) = (None, None);
                while self.pos < l {
                    let t = self.word(l, "fd= or off=", u)?;
                    if let Some(v) = t.text.strip_prefix("fd=") {
                        if fd.is_some() {
                            return Err(self.err_at(t, "fd= given twice"));
                        }
                        fd = Some(self.expr_text(v, t.col + 3, Sign0::Signed)?);
                    } else if let Some(v) = t.text.strip_prefix("off=") {
                        if offset.is_some() {
                            return Err(self.err_at(t, "off= given twice"));
                        }
                        offset = Some(self.expr_text(v, t.col + 4, Sign0::Unsigned)?);
                    } else {
                        return Err(self.err_at(t, format!("unexpected '{}' (usage: {u})", t.text)));
                    }
                }
                OpExpr::Mmap { pid, addr, len, prot, flags, fd: drop_default(fd, -1), offset: drop_default(offset, 0) }
            }
            "munmap" => OpExpr::Munmap {
                pid: self.expr(l, "PID", u)?,
                addr: self.expr(l, "ADDR", u)?,
                len: self.expr(l, "LEN", u)?,
            },
            "mprotect" => OpExpr::Mprotect {
                pid: self.expr(l, "PID", u)?,
                addr: self.expr(l, "ADDR", u)?,
                len: self.expr(l, "LEN", u)?,
                prot: self.prot(l, u)?,
            },
            "mremap" => {
                let pid = self.expr(l, "PID", u)?;
                let old_addr = self.expr(l, "OLD_ADDR", u)?;
                let old_len = self.expr(l, "OLD_LEN", u)?;
                let new_len = self.expr(l, "NEW_LEN", u)?;
                let mut flags = MremapFlags::empty();
                let mut new_addr = None;
                if self.pos < l && !self.toks[self.pos].text.starts_with("to=") {
                    flags = MremapFlags::from_bits_retain(self.flags(l, "mremap", names::MREMAP, "FLAGS", u)?);
                }
                if self.pos < l {
                    let t = self.word(l, "to=NEW_ADDR", u)?;
                    let Some(v) = t.text.strip_prefix("to=") else {
                        return Err(self.err_at(t, format!("unexpected '{}' (usage: {u})", t.text)));
                    };
                    new_addr = drop_default(Some(self.expr_text(v, t.col + 3, Sign0::Unsigned)?), 0);
                }
                OpExpr::Mremap { pid, old_addr, old_len, new_len, flags, new_addr }
            }
            "madvise" => {
                let pid = self.expr(l, "PID", u)?;
                let addr = self.expr(l, "ADDR", u)?;
                let len = self.expr(l, "LEN", u)?;
                let t = self.word(l, "ADVICE", u)?;
                let advice = match Advice::from_name(&t.text) {
                    Some(a) => a,
                    None => match t.text.parse::<i32>() {
                        Ok(n) if t.text.starts_with(|c: char| c.is_ascii_digit() || c == '-') => Advice(n),
                        _ => {
                            let names = Advice::NAMED.iter().map(|(_, n)| *n);
                            return Err(self.err_at(t, format!("unknown advice '{}'{}", t.text, hint(&t.text, names))));
                        }
                    },
                };
                OpExpr::Madvise { pid, addr, len, advice }
            }
            "read" => OpExpr::Read { pid: self.expr(l, "PID", u)?, addr: self.expr(l, "ADDR", u)? },
            "write" => OpExpr::Write {
                pid: self.expr(l, "PID", u)?,
                addr: self.expr(l, "ADDR", u)?,
                value: self.expr(l, "VALUE", u)?,
            },
            "touch" => {
                let pid = self.expr(l, "PID", u)?;
                let addr = self.expr(l, "ADDR", u)?;
                let len = self.expr(l, "LEN", u)?;
                let t = self.word(l, "read|write", u)?;
                let access = match t.text.as_str() {
                    "read" => Access::Read,
                    "write" => Access::Write,
                    other => return Err(self.err_at(t, format!("bad access '{other}' (read or write)"))),
                };
                OpExpr::Touch { pid, addr, len, access }
            }
            "memfd_create" => {
                let pid = self.expr(l, "PID", u)?;
                let name = self.string(l, "NAME", u)?;
                let mut flags = MemfdFlags::empty();
                if self.pos < l {
                    flags = MemfdFlags::from_bits_retain(self.flags(l, "memfd", names::MEMFD, "FLAGS", u)?);
                }
                OpExpr::MemfdCreate { pid, name, flags }
            }
            "open" => OpExpr::Open {
                pid: self.expr(l, "PID", u)?,
                path: self.string(l, "PATH", u)?,
                flags: OpenFlags::from_bits_retain(self.flags(l, "open", names::OPEN, "FLAGS", u)?),
            },
            "pwrite" => OpExpr::Pwrite {
                pid: self.expr(l, "PID", u)?,
                fd: self.fd_expr(l, u)?,
                offset: self.expr(l, "OFFSET", u)?,
                value: self.expr(l, "VALUE", u)?,
            },
            "pread" => OpExpr::Pread {
                pid: self.expr(l, "PID", u)?,
                fd: self.fd_expr(l, u)?,
                offset: self.expr(l, "OFFSET", u)?,
            },
            "ftruncate" => OpExpr::Ftruncate {
                pid: self.expr(l, "PID", u)?,
                fd: self.fd_expr(l, u)?,
                len: self.expr(l, "LEN", u)?,
            },
            "fallocate" => OpExpr::Fallocate {
                pid: self.expr(l, "PID", u)?,
                fd: self.fd_expr(l, u)?,
                mode: FallocMode::from_bits_retain(self.flags(l, "fallocate", names::FALLOC, "MODE", u)?),
                offset: self.expr(l, "OFFSET", u)?,
                len: self.expr(l, "LEN", u)?,
            },
            "close" => OpExpr::Close { pid: self.expr(l, "PID", u)?, fd: self.fd_expr(l, u)? },
            "mlock" => OpExpr::Mlock {
                pid: self.expr(l, "PID", u)?,
                addr: self.expr(l, "ADDR", u)?,
                len: self.expr(l, "LEN", u)?,
            },
            "mlock2" => OpExpr::Mlock2 {
                pid: self.expr(l, "PID", u)?,
                addr: self.expr(l, "ADDR", u)?,
                len: self.expr(l, "LEN", u)?,
                flags: MlockFlags::from_bits_retain(self.flags(l, "mlock2", names::MLOCK, "FLAGS", u)?),
            },
            "munlock" => OpExpr::Munlock {
                pid: self.expr(l, "PID", u)?,
                addr: self.expr(l, "ADDR", u)?,
                len: self.expr(l, "LEN", u)?,
            },
            "mlockall" => OpExpr::Mlockall {
                pid: self.expr(l, "PID", u)?,
                flags: MclFlags::from_bits_retain(self.flags(l, "mlockall", names::MCL, "FLAGS", u)?),
            },
            "munlockall" => OpExpr::Munlockall { pid: self.expr(l, "PID", u)? },
            "setrlimit_memlock" => {
                let pid = self.expr(l, "PID", u)?;
                let t = self.word(l, "BYTES", u)?;
                let bytes = if t.text == "unlimited" {
                    Rlimit::Unlimited
                } else {
                    let h = hint(&t.text, ["unlimited"]);
                    Rlimit::Bytes(self.expr_text(&t.text, t.col, Sign0::Unsigned).map_err(|e| {
                        if h.is_empty() { e } else { self.err_at(t, format!("bad BYTES '{}'{h}", t.text)) }
                    })?)
                };
                OpExpr::SetMemlockLimit { pid, bytes }
            }
            "cap_ipc_lock" => {
                let pid = self.expr(l, "PID", u)?;
                let on = self.keyword(l, u, &["on", "off"])? == 0;
                OpExpr::SetCapIpcLock { pid, on }
            }
            "move_pages" => {
                let pid = self.expr(l, "PID", u)?;
                let t = self.word(l, "ADDR[,ADDR...]", u)?;
                let addrs = self.expr_list(&t.text, t.col, "address")?;
                let (mut nodes, mut flags) = (None, None);
                while self.pos < l {
                    let t = self.word(l, "nodes= or FLAGS", u)?;
                    if let Some(v) = t.text.strip_prefix("nodes=") {
                        if nodes.is_some() {
                            return Err(self.err_at(t, "nodes= given twice"));
                        }
                        nodes = Some(self.expr_list(v, t.col + 6, "node")?);
                    } else if flags.is_none() {
                        flags = Some(self.flags_text(t, "move_pages", names::MPOL)?);
                    } else {
                        return Err(self.err_at(t, format!("unexpected '{}' (usage: {u})", t.text)));
                    }
                }
                OpExpr::MovePages {
                    pid,
                    addrs,
                    nodes: nodes.unwrap_or_default(),
                    flags: MpolFlags::from_bits_retain(flags.unwrap_or(0)),
                }
            }
            "reclaim" => OpExpr::Reclaim { nid: self.expr(l, "NID", u)?, pages: self.expr(l, "PAGES", u)? },
            "khugepaged" => OpExpr::Khugepaged,
            "task" => {
                if self.toks.get(self.pos).is_some_and(|t| t.is_word("fault")) && self.pos < l {
                    self.pos += 1;
                    let pid = self.expr(l, "PID", u)?;
                    let addr = self.expr(l, "ADDR", u)?;
                    let access = match self.keyword(l, u, &["read", "write"])? {
                        0 => Access::Read,
                        _ => Access::Write,
                    };
                    OpExpr::TaskFault { pid, addr, access }
                } else if self.toks.get(self.pos).is_some_and(|t| t.is_word("reclaim")) && self.pos < l {
                    self.pos += 1;
                    OpExpr::TaskReclaim { pid: self.expr(l, "PID", u)?, addr: self.expr(l, "ADDR", u)? }
                } else if self.toks.get(self.pos).is_some_and(|t| t.is_word("migrate")) && self.pos < l {
                    self.pos += 1;
                    let pid = self.expr(l, "PID", u)?;
                    let addr = self.expr(l, "ADDR", u)?;
                    OpExpr::TaskMigrate { pid, addr, node: self.expr(l, "NODE", u)? }
                } else {
                    let at = self.toks.get(self.pos).filter(|_| self.pos < l);
                    let op = self.op(l)?;
                    if !crate::task::WRITER_OP_NAMES.contains(&op.name()) {
                        let col = at.map_or(self.end_col, |t| t.col);
                        let msg = format!(
                            "'{}' is not a writer task (writers: {})",
                            op.name(),
                            crate::task::WRITER_OP_NAMES.join(" ")
                        );
                        return Err(self.err_col(col, msg));
                    }
                    OpExpr::TaskWriter(Box::new(op))
                }
            }
            "step" => OpExpr::TaskStep { task: self.expr(l, "TASK", u)? },
            "io_complete" => OpExpr::IoComplete { task: self.expr(l, "TASK", u)? },
            "run_until_idle" => OpExpr::RunUntilIdle,
            _ => unreachable!("every name in OP_USAGE is handled"),
        };
        self.done(limit, usage)?;
        Ok(op)
    }

    fn machine(&mut self) -> Result<MachineSpec> {
        const USAGE: &str = "machine [nodes=N] [node_mem=SIZE] [swap=SIZE] [memlock=SIZE] [thp=never|madvise|always] [quirks=a,b] \
             [max_ptes_none=N] [max_ptes_swap=N] [max_ptes_shared=N] [promotion_threshold=N] [read_ahead_kb=N] [swapin_policy=retry|wait]";
        let mut m = MachineSpec::default();
        for t in &self.toks[1..] {
            let Some((k, v)) = t.text.split_once('=').filter(|_| !t.quoted) else {
                return Err(self.err_at(t, format!("expected KEY=VALUE, found '{}' (usage: {USAGE})", t.text)));
            };
            let vcol = t.col + k.chars().count() + 1;
            let dup = || self.err_at(t, format!("machine key '{k}' given twice"));
            let size = |max: u64, min: u64, what: &str| -> Result<Literal> {
                let l = self.literal(v, vcol)?;
                if !l.value.is_multiple_of(PAGE_SIZE) {
                    return Err(self.err_col(vcol, format!("{what} must be a multiple of the page size (4096)")));
                }
                if l.value > max || l.value < min {
                    return Err(self.err_col(vcol, format!("{what} must be between {min} and {max} bytes")));
                }
                Ok(l)
            };
            match k {
                "nodes" => {
                    if m.nodes.is_some() {
                        return Err(dup());
                    }
                    let l = self.literal(v, vcol)?;
                    if l.value == 0 || l.value > u64::from(MAX_NODES) {
                        return Err(self.err_col(vcol, format!("nodes must be between 1 and {MAX_NODES}")));
                    }
                    m.nodes = Some(l);
                }
                "node_mem" => {
                    if m.node_mem.is_some() {
                        return Err(dup());
                    }
                    m.node_mem = Some(size(MAX_NODE_BYTES, 16 * PAGE_SIZE, "node_mem")?);
                }
                "swap" => {
                    if m.swap.is_some() {
                        return Err(dup());
                    }
                    m.swap = Some(size(MAX_SWAP_BYTES, 0, "swap")?);
                }
                "memlock" => {
                    if m.memlock.is_some() {
                        return Err(dup());
                    }
                    m.memlock = Some(self.literal(v, vcol)?);
                }
                "thp" => {
                    if m.thp.is_some() {
                        return Err(dup());
                    }
                    m.thp =
                        Some(ThpMode::from_name(v).ok_or_else(|| {
                            self.err_col(vcol, format!("bad thp mode '{v}' (never, madvise or always)"))
                        })?);
                }
                "quirks" => {
                    if m.quirks.is_some() {
                        return Err(dup());
                    }
                    let mut qs = Vec::new();
                    let mut qcol = vcol;
                    for q in v.split(',').filter(|_| !v.is_empty()) {
                        if !KNOWN_QUIRKS.contains(&q) {
                            let known = if KNOWN_QUIRKS.is_empty() {
                                "none exist yet".to_string()
                            } else {
                                KNOWN_QUIRKS.join(" ")
                            };
                            return Err(self.err_col(
                                qcol,
                                format!(
                                    "unknown quirk '{q}'{} (known: {known})",
                                    hint(q, KNOWN_QUIRKS.iter().copied())
                                ),
                            ));
                        }
                        qs.push(q.to_string());
                        qcol += q.chars().count() + 1;
                    }
                    m.quirks = Some(qs);
                }
                "max_ptes_none" | "max_ptes_swap" | "max_ptes_shared" => {
                    let slot = match k {
                        "max_ptes_none" => &mut m.max_ptes_none,
                        "max_ptes_swap" => &mut m.max_ptes_swap,
                        _ => &mut m.max_ptes_shared,
                    };
                    if slot.is_some() {
                        return Err(dup());
                    }
                    let l = self.literal(v, vcol)?;
                    if l.value > u64::from(MAX_PTES_LIMIT) {
                        return Err(self.err_col(vcol, format!("{k} must be between 0 and {MAX_PTES_LIMIT}")));
                    }
                    *slot = Some(l);
                }
                "promotion_threshold" => {
                    if m.promotion_threshold.is_some() {
                        return Err(dup());
                    }
                    let l = self.literal(v, vcol)?;
                    if l.value == 0 || l.value > u64::from(MAX_PROMOTION_THRESHOLD) {
                        return Err(self.err_col(
                            vcol,
                            format!("promotion_threshold must be between 1 and {MAX_PROMOTION_THRESHOLD}"),
                        ));
                    }
                    m.promotion_threshold = Some(l);
                }
                "swapin_policy" => {
                    if m.swapin_policy.is_some() {
                        return Err(dup());
                    }
                    let Some(p) = SwapinPolicy::from_name(v) else {
                        return Err(self.err_col(vcol, format!("swapin_policy must be retry or wait, not '{v}'")));
                    };
                    m.swapin_policy = Some(p);
                }
                "read_ahead_kb" => {
                    if m.read_ahead_kb.is_some() {
                        return Err(dup());
                    }
                    let l = self.literal(v, vcol)?;
                    if l.value > u64::from(MAX_READ_AHEAD_KB) {
                        return Err(
                            self.err_col(vcol, format!("read_ahead_kb must be between 0 and {MAX_READ_AHEAD_KB}"))
                        );
                    }
                    m.read_ahead_kb = Some(l);
                }
                _ => {
                    let keys = [
                        "nodes",
                        "node_mem",
                        "swap",
                        "memlock",
                        "thp",
                        "quirks",
                        "max_ptes_none",
                        "max_ptes_swap",
                        "max_ptes_shared",
                        "promotion_threshold",
                        "read_ahead_kb",
                        "swapin_policy",
                    ];
                    return Err(self.err_at(t, format!("unknown machine key '{k}'{} (usage: {USAGE})", hint(k, keys))));
                }
            }
        }
        Ok(m)
    }

    fn expect(&mut self) -> Result<Expect> {
        let l = self.toks.len();
        let views = EXPECT_USAGE.iter().map(|(n, _)| *n);
        let vt = self.word(l, "VIEW", "expect VIEW [SELECTOR...] FIELD CMP VALUE [kB]")?;
        let Some(&(view, u)) = EXPECT_USAGE.iter().find(|(n, _)| *n == vt.text) else {
            return Err(self.err_at(
                vt,
                format!(
                    "unknown view '{}'{} (views: {})",
                    vt.text,
                    hint(&vt.text, views.clone()),
                    views.collect::<Vec<_>>().join(" ")
                ),
            ));
        };
        let query = match view {
            "smaps_rollup" => {
                let pid = self.expr(l, "PID", u)?;
                let field =
                    self.field(l, u, "smaps_rollup", |f| procfs::smaps_rollup_field(&SmapsRollup::default(), f))?;
                Query::SmapsRollup { pid, field }
            }
            "smaps" => {
                let pid = self.expr(l, "PID", u)?;
                let addr = self.expr(l, "ADDR", u)?;
                if self.toks.get(self.pos).is_some_and(|t| t.is_word("VmFlags")) {
                    self.pos += 1;
                    let t = self.word(l, "has|lacks", u)?;
                    let has = match t.text.as_str() {
                        "has" => true,
                        "lacks" => false,
                        other => return Err(self.err_at(t, format!("expected 'has' or 'lacks', found '{other}'"))),
                    };
                    let ft = self.word(l, "FLAG", u)?;
                    if procfs::vmflag_by_mnemonic(&ft.text).is_none() {
                        return Err(
                            self.err_at(ft, format!("unknown VmFlags mnemonic '{}' (like rd, wr, lo)", ft.text))
                        );
                    }
                    let flag = ft.text.clone();
                    self.done(l, u)?;
                    return Ok(Expect::VmFlags { pid, addr, has, flag });
                }
                let dummy = dummy_smaps_entry();
                let field = self.field(l, u, "smaps", |f| procfs::smaps_field(&dummy, f))?;
                Query::Smaps { pid, addr, field }
            }
            "status" => {
                let pid = self.expr(l, "PID", u)?;
                let field = self.field(l, u, "status", |f| procfs::status_field(&Status::default(), f))?;
                Query::Status { pid, field }
            }
            "maps" => {
                let pid = self.expr(l, "PID", u)?;
                self.keyword(l, u, &["count"])?;
                Query::MapsCount { pid }
            }
            "vma" => {
                let pid = self.expr(l, "PID", u)?;
                let addr = self.expr(l, "ADDR", u)?;
                let i = self.keyword(l, u, &VmaField::ALL.map(VmaField::name))?;
                Query::Vma { pid, addr, field: VmaField::ALL[i] }
            }
            "meminfo" => {
                let mut node = None;
                if let Some(t) = self.toks.get(self.pos).filter(|t| !t.quoted && t.text.starts_with("node=")) {
                    self.pos += 1;
                    node = Some(self.expr_text(&t.text[5..], t.col + 5, Sign0::Unsigned)?);
                }
                let field =
                    self.field(l, u, "meminfo", |f| procfs::meminfo_field(&crate::views::Meminfo::default(), f))?;
                Query::Meminfo { node, field }
            }
            "vmstat" => {
                let t = self.word(l, "FIELD", u)?;
                if t.text.is_empty() || !t.text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(self.err_at(t, format!("bad vmstat item '{}'", t.text)));
                }
                Query::Vmstat { field: t.text.clone() }
            }
            "pagemap" => {
                let pid = self.expr(l, "PID", u)?;
                let addr = self.expr(l, "ADDR", u)?;
                let i = self.keyword(l, u, &PagemapField::ALL.map(PagemapField::name))?;
                Query::Pagemap { pid, addr, field: PagemapField::ALL[i] }
            }
            "kpagecount" => {
                let pid = self.expr(l, "PID", u)?;
                let addr = self.expr(l, "ADDR", u)?;
                self.keyword(l, u, &["count"])?;
                Query::Kpagecount { pid, addr }
            }
            "kpageflags" => {
                let pid = self.expr(l, "PID", u)?;
                let addr = self.expr(l, "ADDR", u)?;
                let t = self.word(l, "FLAG", u)?;
                if procfs::kpageflag_by_name(&t.text).is_none() {
                    return Err(self.err_at(t, format!("unknown kpageflags flag '{}'", t.text)));
                }
                Query::Kpageflags { pid, addr, flag: t.text.clone() }
            }
            "value" => {
                let pid = self.expr(l, "PID", u)?;
                let addr = self.expr(l, "ADDR", u)?;
                self.keyword(l, u, &["value"])?;
                Query::Value { pid, addr }
            }
            "invariants" => {
                self.keyword(l, u, &["violations"])?;
                Query::Invariants
            }
            "task" => {
                let task = self.expr(l, "TASK", u)?;
                let i = self.keyword(l, u, &TaskField::ALL.map(TaskField::name))?;
                Query::Task { task, field: TaskField::ALL[i] }
            }
            "tasks" => {
                let i = self.keyword(l, u, TaskStats::FIELDS)?;
                Query::Tasks { field: TaskStats::FIELDS[i].to_string() }
            }
            _ => unreachable!("every view in EXPECT_USAGE is handled"),
        };
        let ct = self.word(l, "CMP", u)?;
        let cmp = Cmp::from_symbol(&ct.text)
            .ok_or_else(|| self.err_at(ct, format!("bad comparison '{}' (== != < <= > >=)", ct.text)))?;
        let value = self.expr(l, "VALUE", u)?;
        let kb = self.toks.get(self.pos).is_some_and(|t| t.is_word("kB"));
        if kb {
            self.pos += 1;
        }
        self.done(l, u)?;
        Ok(Expect::Compare { query, cmp, value, kb })
    }

    /// A FIELD checked with `lookup` (which returns `Some` for a known field).
    fn field(&mut self, l: usize, u: &str, view: &str, lookup: impl Fn(&str) -> Option<u64>) -> Result<String> {
        let t = self.word(l, "FIELD", u)?;
        if lookup(&t.text).is_none() {
            return Err(self.err_at(t, format!("unknown {view} field '{}'", t.text)));
        }
        Ok(t.text.clone())
    }

    /// One of a fixed set of words; returns its index.
    fn keyword(&mut self, l: usize, u: &str, words: &[&str]) -> Result<usize> {
        let what = words.join("|");
        let t = self.word(l, &what, u)?;
        words
            .iter()
            .position(|w| *w == t.text)
            .ok_or_else(|| self.err_at(t, format!("expected {what}, found '{}'", t.text)))
    }
}

/// `None` for an optional argument written as its default literal value.
fn drop_default(e: Option<Expr>, default: i128) -> Option<Expr> {
    e.filter(|e| e.literal_value() != Some(default))
}

fn dummy_smaps_entry() -> SmapsEntry {
    SmapsEntry {
        map: MapsEntry {
            start: 0,
            end: 0,
            prot: Prot::empty(),
            shared: false,
            offset: 0,
            dev_major: 0,
            dev_minor: 0,
            inode: 0,
            name: String::new(),
        },
        size: 0,
        mss: Default::default(),
        thp_eligible: false,
        vm_flags: Vec::new(),
    }
}
