//! The AST walker: every simple command in lists, pipelines, subshells, groups, `if`/`while`/
//! `for`/`case`, functions and substitutions becomes an [`ExecFact`]; wrappers and inline code
//! are unwrapped and re-analysed (bounded by [`Limits::max_depth`]).

use brush_parser::ParserOptions;
use brush_parser::ast::{
    self, AssignmentValue, Command, CommandPrefixOrSuffixItem, CompoundCommand, CompoundList,
    ExtendedTestExpr, IoFileRedirectKind, IoFileRedirectTarget, IoRedirect, Pipeline,
    SeparatorOperator,
};

use super::Limits;
use super::effects;
use super::facts::{Arg, ExecFact, Nesting, ObfuscationFact, RedirectFact, RedirectOp};
use super::limits::{fits_small_stack, prescan};
use super::net;
use super::programs::{base_name, is_interpreter, is_known, is_shell};
use super::unwrap::{self, Inner};
use super::word::{Lowered, lower};

/// Maximum wrapper chain (`env nice timeout sudo ...`).
const MAX_WRAPPERS: usize = 16;

/// Maximum `((cmd))` re-analyses per command (each may yield another).
const MAX_ARITH_FALLBACKS: usize = 32;

/// What the walk found.
#[derive(Debug, Default)]
pub(crate) struct Walk {
    pub facts: Vec<ExecFact>,
    /// Parallel to `facts`: whether the fact runs inside a command substitution.
    pub in_subst: Vec<bool>,
    pub obfuscation: Vec<ObfuscationFact>,
    pub error: Option<String>,
    pub segments: usize,
    /// Set when walking on a small stack met code that is not certainly shallow.
    pub needs_big_stack: bool,
}

/// Walks `command` (already checked against the byte limit). With `small_stack`, gives up
/// (`needs_big_stack`) on any code that [`fits_small_stack`] does not accept.
pub(crate) fn run(command: &str, limits: &Limits, small_stack: bool) -> Walk {
    let mut w = Walker {
        opts: ParserOptions::default(),
        limits: *limits,
        out: Walk::default(),
        segment: 0,
        subst: 0,
        functions: Vec::new(),
        small_stack,
        arith_fallbacks: 0,
        cwds: Vec::new(),
        tty_readers: Vec::new(),
    };
    w.code(command, &Nesting::Top, 0);
    for i in std::mem::take(&mut w.tty_readers) {
        let name = w.out.facts[i].program.clone().unwrap_or_default();
        w.obfuscation(
            "interactive-interpreter",
            format!("`{name}` would read commands from the terminal"),
        );
    }
    w.out
}

struct Walker {
    opts: ParserOptions,
    limits: Limits,
    out: Walk,
    segment: usize,
    subst: usize,
    functions: Vec<String>,
    small_stack: bool,
    arith_fallbacks: usize,
    /// Directories an earlier `cd`/`pushd` may have moved to (besides the starting one).
    cwds: Vec<Arg>,
    /// Shells / interpreters that would read their code from the terminal (no script, no
    /// inline code, no stdin redirection); those fed by a pipe are removed per pipeline.
    tty_readers: Vec<usize>,
}

/// Most candidate directories tracked; beyond, the directory is unknown.
const MAX_CWDS: usize = 16;

impl Walker {
    fn fail(&mut self, why: String) {
        if self.out.error.is_none() {
            self.out.error = Some(why);
        }
    }

    fn obfuscation(&mut self, rule: &str, detail: impl Into<String>) {
        let detail = detail.into();
        if !self
            .out
            .obfuscation
            .iter()
            .any(|o| o.rule == rule && o.detail == detail)
        {
            self.out.obfuscation.push(ObfuscationFact {
                rule: rule.to_string(),
                detail,
            });
        }
    }

    /// Parses and walks shell code.
    fn code(&mut self, code: &str, nesting: &Nesting, depth: usize) {
        if depth > self.limits.max_depth {
            self.fail(format!(
                "nested more than {} levels deep (substitutions / inline code)",
                self.limits.max_depth
            ));
            return;
        }
        if let Err(e) = prescan(code, &self.limits) {
            self.fail(e);
            return;
        }
        if self.small_stack && !fits_small_stack(code) {
            self.out.needs_big_stack = true;
            self.fail("needs the big-stack analyser".into());
            return;
        }
        if code.trim().is_empty() {
            return;
        }
        let mut src = code.to_string();
        if !src.ends_with('\n') {
            src.push('\n');
        }
        let mut parser =
            brush_parser::Parser::new(std::io::Cursor::new(src.as_bytes()), &self.opts);
        match parser.parse_program() {
            Ok(program) => {
                for list in &program.complete_commands {
                    self.list(list, nesting, depth);
                }
            }
            Err(e) => self.fail(format!("syntax error: {e}")),
        }
    }

    /// Code whose text is not known (dynamic inline code).
    fn unknown_code(&mut self, text: &str, interpreter: &str) {
        self.push(ExecFact {
            argv: vec![Arg::Dynamic(text.to_string())],
            program: None,
            env: Vec::new(),
            redirects: Vec::new(),
            segment: self.segment,
            pipes_to: Vec::new(),
            nesting: Nesting::Inline {
                interpreter: interpreter.to_string(),
            },
            reads: Vec::new(),
            writes: Vec::new(),
            deletes: Vec::new(),
            network: Vec::new(),
            known_program: false,
        });
    }

    fn push(&mut self, fact: ExecFact) -> usize {
        self.out.facts.push(fact);
        self.out.in_subst.push(self.subst > 0);
        self.out.facts.len() - 1
    }

    fn list(&mut self, list: &CompoundList, nesting: &Nesting, depth: usize) {
        for item in &list.0 {
            let background = matches!(item.1, SeparatorOperator::Async);
            for (_, pipeline) in item.0.iter() {
                if depth == 0 && matches!(nesting, Nesting::Top) && self.functions.is_empty() {
                    self.segment = self.out.segments;
                    self.out.segments += 1;
                }
                self.pipeline(pipeline, nesting, depth, background);
            }
        }
    }

    fn pipeline(&mut self, p: &Pipeline, nesting: &Nesting, depth: usize, background: bool) {
        let mut ranges = Vec::with_capacity(p.seq.len());
        let mut pending: Option<Arg> = None;
        for (n, cmd) in p.seq.iter().enumerate() {
            let start = self.out.facts.len();
            self.command(cmd, nesting, depth, pending.take());
            let end = self.out.facts.len();
            pending = echo_payload(&self.out.facts[start..end]);
            ranges.push((start, end));
            if n > 0 {
                // Fed by the pipe, not the terminal.
                self.tty_readers.retain(|&i| i < start || i >= end);
            }
        }
        if p.seq.len() > 1 {
            for (i, &(s, e)) in ranges.iter().enumerate() {
                let mut downstream = Vec::new();
                for &(ds, de) in &ranges[i + 1..] {
                    for k in ds..de {
                        if self.out.in_subst[k] && self.subst == 0 {
                            continue;
                        }
                        let f = &self.out.facts[k];
                        let name = f
                            .program
                            .clone()
                            .or_else(|| f.argv.first().map(|a| a.text().to_string()));
                        if let Some(n) = name
                            && !downstream.contains(&n)
                        {
                            downstream.push(n);
                        }
                    }
                }
                for k in s..e {
                    if self.out.in_subst[k] && self.subst == 0 {
                        continue;
                    }
                    self.out.facts[k]
                        .pipes_to
                        .extend(downstream.iter().cloned());
                }
            }
        }
        // A function that calls itself in a pipeline or in the background: a fork bomb.
        if !self.functions.is_empty() && (p.seq.len() > 1 || background) {
            let start = ranges.first().map_or(0, |r| r.0);
            let end = ranges.last().map_or(0, |r| r.1);
            let recursive = self.out.facts[start..end]
                .iter()
                .filter_map(|f| f.program.as_deref())
                .find(|p| self.functions.iter().any(|n| n == p))
                .map(str::to_string);
            if let Some(name) = recursive {
                self.obfuscation(
                    "fork-bomb",
                    format!("function `{name}` starts copies of itself"),
                );
            }
        }
    }

    fn command(&mut self, cmd: &Command, nesting: &Nesting, depth: usize, stdin: Option<Arg>) {
        match cmd {
            Command::Simple(sc) => self.simple(sc, nesting, depth, stdin),
            Command::Compound(cc, redirects) => {
                self.compound(cc, nesting, depth);
                if let Some(r) = redirects {
                    self.redirect_only(&r.0, nesting, depth);
                }
            }
            Command::Function(f) => {
                self.functions.push(f.fname.value.clone());
                self.compound(&f.body.0, nesting, depth);
                if let Some(r) = &f.body.1 {
                    self.redirect_only(&r.0, nesting, depth);
                }
                self.functions.pop();
            }
            Command::ExtendedTest(t, redirects) => {
                self.test_expr(&t.expr, depth);
                if let Some(r) = redirects {
                    self.redirect_only(&r.0, nesting, depth);
                }
            }
        }
    }

    fn test_expr(&mut self, e: &ExtendedTestExpr, depth: usize) {
        match e {
            ExtendedTestExpr::And(a, b) | ExtendedTestExpr::Or(a, b) => {
                self.test_expr(a, depth);
                self.test_expr(b, depth);
            }
            ExtendedTestExpr::Not(a) | ExtendedTestExpr::Parenthesized(a) => {
                self.test_expr(a, depth)
            }
            ExtendedTestExpr::UnaryTest(_, w) => {
                self.word(&w.value, depth, false);
            }
            ExtendedTestExpr::BinaryTest(_, a, b) => {
                self.word(&a.value, depth, false);
                self.word(&b.value, depth, false);
            }
        }
    }

    fn redirect_only(&mut self, redirects: &[IoRedirect], nesting: &Nesting, depth: usize) {
        let mut out = Vec::new();
        let mut stdin = None;
        for r in redirects {
            self.redirect(r, &mut out, &mut stdin, depth);
        }
        if !out.is_empty() {
            self.emit(Vec::new(), Vec::new(), out, None, nesting.clone(), depth, 0);
        }
    }

    fn compound(&mut self, cc: &CompoundCommand, nesting: &Nesting, depth: usize) {
        match cc {
            CompoundCommand::BraceGroup(b) => self.list(&b.list, nesting, depth),
            CompoundCommand::Subshell(s) => self.list(&s.list, nesting, depth),
            CompoundCommand::ForClause(f) => {
                for w in f.values.iter().flatten() {
                    self.word(&w.value, depth, false);
                }
                self.list(&f.body.list, nesting, depth);
            }
            CompoundCommand::CaseClause(c) => {
                self.word(&c.value.value, depth, false);
                for item in &c.cases {
                    if let Some(l) = &item.cmd {
                        self.list(l, nesting, depth);
                    }
                }
            }
            CompoundCommand::IfClause(i) => {
                self.list(&i.condition, nesting, depth);
                self.list(&i.then, nesting, depth);
                for e in i.elses.iter().flatten() {
                    if let Some(c) = &e.condition {
                        self.list(c, nesting, depth);
                    }
                    self.list(&e.body, nesting, depth);
                }
            }
            CompoundCommand::WhileClause(w) | CompoundCommand::UntilClause(w) => {
                self.list(&w.0, nesting, depth);
                self.list(&w.1.list, nesting, depth);
            }
            CompoundCommand::Arithmetic(a) => {
                self.arith(&a.expr.value, depth);
                // `((rm -rf /))`: bash falls back to nested subshells when the text is not
                // arithmetic; analyse text that starts with a known program as commands.
                let text = a.expr.value.trim_start_matches(['(', ' ']);
                let first = text.split([' ', ')', ';']).next().unwrap_or("");
                if is_known(base_name(first)) && !first.is_empty() {
                    self.arith_fallbacks += 1;
                    if self.arith_fallbacks > MAX_ARITH_FALLBACKS {
                        self.fail("too many nested `((` commands".into());
                        return;
                    }
                    self.code(
                        a.expr
                            .value
                            .trim_matches(|c: char| c == '(' || c == ')' || c.is_whitespace()),
                        nesting,
                        depth,
                    );
                }
            }
            CompoundCommand::ArithmeticForClause(a) => {
                for e in [&a.initializer, &a.condition, &a.updater]
                    .into_iter()
                    .flatten()
                {
                    self.arith(&e.value, depth);
                }
                self.list(&a.body.list, nesting, depth);
            }
            CompoundCommand::Coprocess(c) => self.command(&c.body, nesting, depth, None),
        }
    }

    fn arith(&mut self, text: &str, depth: usize) {
        if text.contains("$(") || text.contains('`') {
            self.word(&format!("\"{text}\""), depth, false);
        }
    }

    /// Lowers a word, analysing its substitutions and noting obfuscation.
    fn word(&mut self, raw: &str, depth: usize, program_position: bool) -> Lowered {
        let l = lower(raw, &self.opts);
        for body in &l.substitutions {
            self.subst += 1;
            self.code(body, &Nesting::Substitution, depth + 1);
            self.subst -= 1;
        }
        if l.uses_ifs {
            self.obfuscation(
                "ifs-abuse",
                format!("`{raw}` uses $IFS to hide word boundaries"),
            );
        }
        if program_position {
            if l.ansi_c_escapes > 0 {
                self.obfuscation(
                    "ansi-c-escape",
                    format!("command name `{raw}` is written with escapes"),
                );
            }
            if l.brace_expansion {
                self.obfuscation(
                    "brace-expansion",
                    format!("command name `{raw}` comes from brace expansion"),
                );
            }
            if l.empty_quote_splits > 0 || l.needless_escapes >= 2 || l.pieces >= 4 && l.literal {
                self.obfuscation(
                    "quote-splitting",
                    format!("command name `{raw}` is split by quotes or escapes"),
                );
            }
        } else {
            if l.ansi_c_escapes >= 2 {
                self.obfuscation("ansi-c-escape", format!("`{raw}` hides text in escapes"));
            }
            if l.needless_escapes >= 3 {
                self.obfuscation(
                    "excessive-escaping",
                    format!("`{raw}` escapes ordinary characters"),
                );
            }
        }
        l
    }

    fn redirect(
        &mut self,
        r: &IoRedirect,
        out: &mut Vec<RedirectFact>,
        stdin: &mut Option<Arg>,
        depth: usize,
    ) {
        match r {
            IoRedirect::File(fd, kind, target) => match target {
                IoFileRedirectTarget::Filename(w) => {
                    let l = self.word(&w.value, depth, false);
                    let op = match kind {
                        IoFileRedirectKind::Read | IoFileRedirectKind::DuplicateInput => {
                            RedirectOp::Read
                        }
                        IoFileRedirectKind::Append => RedirectOp::Append,
                        IoFileRedirectKind::ReadAndWrite => RedirectOp::ReadWrite,
                        _ => RedirectOp::Write,
                    };
                    let _ = fd;
                    out.push(RedirectFact {
                        op,
                        target: l.arg(&w.value),
                    });
                }
                IoFileRedirectTarget::Duplicate(w) => {
                    let l = self.word(&w.value, depth, false);
                    let t = l.text.as_str();
                    if !(t == "-" || t.trim_end_matches('-').chars().all(|c| c.is_ascii_digit())) {
                        let op = if matches!(kind, IoFileRedirectKind::DuplicateInput) {
                            RedirectOp::Read
                        } else {
                            RedirectOp::Write
                        };
                        out.push(RedirectFact {
                            op,
                            target: l.arg(&w.value),
                        });
                    }
                }
                IoFileRedirectTarget::Fd(_) => {}
                IoFileRedirectTarget::ProcessSubstitution(_, sub) => {
                    self.subst += 1;
                    self.list(&sub.list, &Nesting::Substitution, depth + 1);
                    self.subst -= 1;
                }
            },
            IoRedirect::HereDocument(_, doc) => {
                let body = &doc.doc.value;
                if doc.requires_expansion {
                    let l = match brush_parser::word::parse_heredoc(body, &self.opts) {
                        Ok(pieces) => pieces.iter().any(|p| {
                            !matches!(
                                p.piece,
                                brush_parser::word::WordPiece::Text(_)
                                    | brush_parser::word::WordPiece::EscapeSequence(_)
                            )
                        }),
                        Err(_) => true,
                    };
                    // Substitutions in an unquoted heredoc run.
                    let subs = lower(&format!("\"{}\"", body.replace('"', "\\\"")), &self.opts)
                        .substitutions;
                    for s in subs {
                        self.subst += 1;
                        self.code(&s, &Nesting::Substitution, depth + 1);
                        self.subst -= 1;
                    }
                    *stdin = Some(if l {
                        Arg::Dynamic(body.clone())
                    } else {
                        Arg::Literal(body.clone())
                    });
                } else {
                    *stdin = Some(Arg::Literal(body.clone()));
                }
            }
            IoRedirect::HereString(_, w) => {
                let l = self.word(&w.value, depth, false);
                *stdin = Some(l.arg(&w.value).clone());
                if let Arg::Literal(_) = l.arg(&w.value) {
                    *stdin = Some(Arg::Literal(l.text.clone()));
                }
            }
            IoRedirect::OutputAndError(w, append) => {
                let l = self.word(&w.value, depth, false);
                out.push(RedirectFact {
                    op: if *append {
                        RedirectOp::Append
                    } else {
                        RedirectOp::Write
                    },
                    target: l.arg(&w.value),
                });
            }
        }
    }

    fn simple(
        &mut self,
        sc: &ast::SimpleCommand,
        nesting: &Nesting,
        depth: usize,
        stdin: Option<Arg>,
    ) {
        let mut cmd = Pending {
            env: Vec::new(),
            redirects: Vec::new(),
            stdin,
            argv: Vec::new(),
        };
        for item in sc.prefix.iter().flat_map(|p| p.0.iter()) {
            self.item(item, true, &mut cmd, depth);
        }
        if let Some(w) = &sc.word_or_name {
            let l = self.word(&w.value, depth, true);
            cmd.argv.push(l.arg(&w.value));
        }
        for item in sc.suffix.iter().flat_map(|s| s.0.iter()) {
            self.item(item, false, &mut cmd, depth);
        }
        // `IFS= read -r line` is the idiom, not an attack.
        if cmd.argv.first().and_then(Arg::literal) == Some("read") {
            self.out
                .obfuscation
                .retain(|o| !(o.rule == "ifs-abuse" && o.detail.starts_with("`IFS=")));
        }
        self.emit(
            cmd.argv,
            cmd.env,
            cmd.redirects,
            cmd.stdin,
            nesting.clone(),
            depth,
            0,
        );
    }

    fn item(
        &mut self,
        item: &CommandPrefixOrSuffixItem,
        is_prefix: bool,
        cmd: &mut Pending,
        depth: usize,
    ) {
        match item {
            CommandPrefixOrSuffixItem::IoRedirect(r) => {
                self.redirect(r, &mut cmd.redirects, &mut cmd.stdin, depth);
            }
            CommandPrefixOrSuffixItem::Word(w) => {
                let l = self.word(&w.value, depth, false);
                cmd.argv.push(l.arg(&w.value));
            }
            CommandPrefixOrSuffixItem::AssignmentWord(a, w) if is_prefix => {
                let name = match &a.name {
                    ast::AssignmentName::VariableName(n)
                    | ast::AssignmentName::ArrayElementName(n, _) => n.clone(),
                };
                let value = match &a.value {
                    AssignmentValue::Scalar(v) => self.word(&v.value, depth, false).arg(&v.value),
                    AssignmentValue::Array(items) => {
                        for (_, v) in items {
                            self.word(&v.value, depth, false);
                        }
                        Arg::Dynamic(w.value.clone())
                    }
                };
                if name == "IFS" {
                    self.obfuscation("ifs-abuse", format!("`{}` changes word splitting", w.value));
                }
                cmd.env.push((name, value));
            }
            CommandPrefixOrSuffixItem::AssignmentWord(_, w) => {
                let l = self.word(&w.value, depth, false);
                cmd.argv.push(l.arg(&w.value));
            }
            CommandPrefixOrSuffixItem::ProcessSubstitution(kind, sub) => {
                self.subst += 1;
                self.list(&sub.list, &Nesting::Substitution, depth + 1);
                self.subst -= 1;
                let sign = if matches!(kind, ast::ProcessSubstitutionKind::Read) {
                    "<"
                } else {
                    ">"
                };
                cmd.argv.push(Arg::Dynamic(format!("{sign}({})", sub.list)));
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn emit(
        &mut self,
        argv: Vec<Arg>,
        env: Vec<(String, Arg)>,
        redirects: Vec<RedirectFact>,
        stdin: Option<Arg>,
        nesting: Nesting,
        depth: usize,
        wraps: usize,
    ) {
        let program = argv
            .first()
            .and_then(Arg::literal)
            .map(|p| base_name(p).to_string());
        let mut fact = ExecFact {
            known_program: program.as_deref().is_some_and(is_known),
            argv,
            program: program.clone(),
            env,
            redirects,
            segment: self.segment,
            pipes_to: Vec::new(),
            nesting,
            reads: Vec::new(),
            writes: Vec::new(),
            deletes: Vec::new(),
            network: Vec::new(),
        };
        for r in &fact.redirects {
            if let Some(d) = r.target.literal().and_then(net::from_dev_tcp) {
                fact.network.push(d);
                continue;
            }
            match r.op {
                RedirectOp::Read => fact.reads.push(r.target.clone()),
                RedirectOp::Write | RedirectOp::Append => fact.writes.push(r.target.clone()),
                RedirectOp::ReadWrite => {
                    fact.reads.push(r.target.clone());
                    fact.writes.push(r.target.clone());
                }
            }
        }
        if let Some(p) = &program {
            let args = fact.argv.get(1..).unwrap_or(&[]).to_vec();
            effects::apply(p, &args, &mut fact);
        }
        self.rebase(&mut fact);
        if matches!(program.as_deref(), Some("cd" | "pushd")) {
            self.change_dir(&fact.argv);
        }
        // `env -C DIR cmd`, `sudo -D DIR cmd`: the wrapped command runs in DIR.
        if let Some(flags) = match program.as_deref() {
            Some("env") => Some(["-C", "--chdir"]),
            Some("sudo") => Some(["-D", "--chdir"]),
            _ => None,
        } {
            let args = fact.argv.get(1..).unwrap_or(&[]);
            let dir = args.iter().enumerate().find_map(|(i, a)| {
                let t = a.text();
                if flags.contains(&t) {
                    args.get(i + 1).cloned()
                } else {
                    t.strip_prefix("--chdir=").map(|v| match a {
                        Arg::Literal(_) => Arg::Literal(v.to_string()),
                        Arg::Dynamic(_) => Arg::Dynamic(v.to_string()),
                    })
                }
            });
            if let Some(d) = dir {
                fact.reads.push(d.clone());
                self.change_dir(&[Arg::Literal("cd".into()), d]);
            }
        }
        let args = fact.argv.get(1..).unwrap_or(&[]).to_vec();
        let idx = self.push(fact);
        let Some(p) = program else {
            return;
        };
        if wraps > MAX_WRAPPERS {
            self.fail(format!("more than {MAX_WRAPPERS} nested wrappers"));
            return;
        }
        for inner in unwrap::inner(&p, &args) {
            match inner {
                Inner::Command { wrapper, argv, env } => {
                    self.emit(
                        argv,
                        env,
                        Vec::new(),
                        stdin.clone(),
                        Nesting::Wrapped { wrapper },
                        depth,
                        wraps + 1,
                    );
                }
                Inner::ShellCode { interpreter, code } => self.inline(&code, &interpreter, depth),
                Inner::Unknown { interpreter, text } => self.unknown_code(&text, &interpreter),
                Inner::Foreign { interpreter, code } => {
                    effects::scan_foreign(&code, &mut self.out.facts[idx]);
                    self.foreign_calls(&code, &interpreter, depth);
                }
                Inner::Stdin => match &stdin {
                    Some(code) if matches!(p.as_str(), "tclsh" | "wish" | "expect") => {
                        self.unknown_code(code.text(), &p);
                    }
                    Some(code) if is_shell(&p) => self.inline(code, &p, depth),
                    Some(code) if is_interpreter(&p) => {
                        effects::scan_foreign(code.text(), &mut self.out.facts[idx]);
                        self.foreign_calls(code.text(), &p, depth);
                    }
                    None if !self.out.facts[idx]
                        .redirects
                        .iter()
                        .any(|r| matches!(r.op, RedirectOp::Read | RedirectOp::ReadWrite)) =>
                    {
                        self.tty_readers.push(idx);
                    }
                    _ => {}
                },
            }
        }
    }

    /// After a `cd`, relative paths may be relative to any directory it may have moved to:
    /// each relative path (and, for unknown programs, each relative argument) is also
    /// recorded joined to every candidate directory (the original stays: the `cd` may have
    /// failed or run in a subshell).
    fn rebase(&self, fact: &mut ExecFact) {
        if self.cwds.is_empty() {
            return;
        }
        let rel = |a: &Arg| {
            let t = a.text();
            !t.is_empty() && t != "-" && !effects::is_absolute(t) && !t.starts_with('$')
        };
        let mut extra: Vec<Arg> = Vec::new();
        if !fact.known_program {
            for a in fact.argv.iter().skip(1) {
                let t = a.text();
                let v = if t.starts_with('-') {
                    t.split_once('=').map(|(_, v)| v)
                } else {
                    Some(t)
                };
                if let Some(v) = v.filter(|v| !v.is_empty()) {
                    let v = match a {
                        Arg::Literal(_) => Arg::Literal(v.to_string()),
                        Arg::Dynamic(_) => Arg::Dynamic(v.to_string()),
                    };
                    if rel(&v) {
                        extra.push(v);
                    }
                }
            }
        }
        for (list, more) in [
            (&mut fact.reads, extra),
            (&mut fact.writes, Vec::new()),
            (&mut fact.deletes, Vec::new()),
        ] {
            let base: Vec<Arg> = list
                .iter()
                .filter(|a| rel(a))
                .cloned()
                .chain(more)
                .collect();
            for a in base {
                for d in &self.cwds {
                    let j = effects::join_arg(d, &a);
                    if !list.contains(&j) {
                        list.push(j);
                    }
                }
            }
        }
    }

    /// Records where `cd`/`pushd` (argv) may move to.
    fn change_dir(&mut self, argv: &[Arg]) {
        let target = argv
            .iter()
            .skip(1)
            .find(|a| !a.text().starts_with('-') || a.text() == "-")
            .cloned()
            .unwrap_or_else(|| Arg::Literal("~".into()));
        let t = target.text();
        if t == "-" || t.starts_with('+') {
            // Back to a directory already tracked.
            return;
        }
        let mut new = Vec::new();
        match &target {
            Arg::Dynamic(_) => new.push(Arg::Dynamic(t.to_string())),
            Arg::Literal(_) if effects::is_absolute(t) => new.push(target.clone()),
            Arg::Literal(_) => {
                new.push(target.clone());
                for d in &self.cwds {
                    new.push(effects::join_arg(d, &target));
                }
            }
        }
        for n in new {
            if !self.cwds.contains(&n) {
                self.cwds.push(n);
            }
        }
        if self.cwds.len() > MAX_CWDS {
            self.cwds = vec![Arg::Dynamic("$CWD".into())];
        }
    }

    /// Shell code run by `interpreter`. Dynamic code (a word with expansions) is analysed in
    /// its quote-removed form, expansions kept as written: `sh -c "rm $X"` is still `rm`, and
    /// `sh -c "$X"` becomes a program with no known name.
    fn inline(&mut self, code: &Arg, interpreter: &str, depth: usize) {
        let nesting = Nesting::Inline {
            interpreter: interpreter.to_string(),
        };
        match code {
            Arg::Literal(c) => self.code(c, &nesting, depth + 1),
            Arg::Dynamic(raw) => {
                let text = lower(raw, &self.opts).text;
                self.code(&text, &nesting, depth + 1);
            }
        }
    }

    /// Shell commands started from code of another language (`os.system("...")`).
    fn foreign_calls(&mut self, code: &str, interpreter: &str, depth: usize) {
        for call in unwrap::string_calls(code, unwrap::FOREIGN_EXEC_CALLS) {
            match call {
                Arg::Literal(c) => self.inline(&Arg::Literal(c), interpreter, depth),
                Arg::Dynamic(t) => self.unknown_code(&t, interpreter),
            }
        }
    }
}

/// A simple command being assembled.
struct Pending {
    env: Vec<(String, Arg)>,
    redirects: Vec<RedirectFact>,
    stdin: Option<Arg>,
    argv: Vec<Arg>,
}

/// What `echo LITERAL` / `printf LITERAL` writes to the next pipeline stage (when known).
fn echo_payload(facts: &[ExecFact]) -> Option<Arg> {
    let [f] = facts else { return None };
    let prog = f.program.as_deref()?;
    if !matches!(prog, "echo" | "printf") {
        return None;
    }
    let mut words = Vec::new();
    for (i, a) in f.argv.iter().enumerate().skip(1) {
        let t = a.literal()?;
        if prog == "echo" && i == 1 && matches!(t, "-n" | "-e" | "-E" | "-ne" | "-en") {
            continue;
        }
        words.push(t.to_string());
    }
    let text = words.join(" ");
    if prog == "printf" && (text.contains('%') || text.contains('\\')) {
        return Some(Arg::Dynamic(text));
    }
    Some(Arg::Literal(text))
}
