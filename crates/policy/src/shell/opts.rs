//! A small getopt: splits a program's arguments into options, option values and operands,
//! given which short letters and long names take a value.

use super::facts::Arg;

/// Arguments after option parsing.
#[derive(Debug, Default)]
pub(crate) struct Opts<'a> {
    /// Short option letters seen (each letter of every cluster).
    pub short: Vec<char>,
    /// Long option names seen (without `--`, without `=value`).
    pub long: Vec<&'a str>,
    /// Option values: (`c` or long name, value).
    pub values: Vec<(String, Arg)>,
    /// Operands in order.
    pub operands: Vec<&'a Arg>,
    /// Index (into the scanned slice) of the first operand, when options stop at it.
    pub first_operand: Option<usize>,
}

impl Opts<'_> {
    /// Whether short `c` or one of `long` was given.
    pub fn has(&self, c: char, long: &[&str]) -> bool {
        self.short.contains(&c) || self.long.iter().any(|l| long.contains(l))
    }

    /// Every value of short `c` or one of `long`.
    pub fn all(&self, c: char, long: &[&str]) -> impl Iterator<Item = &Arg> {
        let key = c.to_string();
        let long: Vec<String> = long.iter().map(|s| (*s).to_string()).collect();
        self.values
            .iter()
            .filter(move |(k, _)| *k == key || long.contains(k))
            .map(|(_, v)| v)
    }

    /// The first value of short `c` or one of `long`.
    pub fn value(&self, c: char, long: &[&str]) -> Option<&Arg> {
        self.all(c, long).next()
    }
}

/// Scans `args`. `value_short` lists short letters taking a value, `value_long` long names.
/// With `stop_at_operand`, everything from the first operand on is an operand (POSIX mode:
/// needed for wrappers, whose operands are a command with its own options).
pub(crate) fn scan<'a>(
    args: &'a [Arg],
    value_short: &str,
    value_long: &[&str],
    stop_at_operand: bool,
) -> Opts<'a> {
    let mut o = Opts::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let t = a.text();
        if t == "--" {
            o.operands.extend(args[i + 1..].iter());
            if o.first_operand.is_none() && i + 1 < args.len() {
                o.first_operand = Some(i + 1);
            }
            break;
        }
        if let Some(long) = t.strip_prefix("--") {
            if let Some((name, v)) = long.split_once('=') {
                o.long.push(name);
                o.values.push((name.to_string(), value_of(a, v)));
            } else {
                o.long.push(long);
                if value_long.contains(&long)
                    && let Some(v) = args.get(i + 1)
                {
                    o.values.push((long.to_string(), v.clone()));
                    i += 1;
                }
            }
            i += 1;
            continue;
        }
        if t.len() > 1 && t.starts_with('-') {
            let body = &t[1..];
            for (ci, c) in body.char_indices() {
                o.short.push(c);
                if value_short.contains(c) {
                    let rest = &body[ci + c.len_utf8()..];
                    if !rest.is_empty() {
                        o.values.push((c.to_string(), value_of(a, rest)));
                    } else if let Some(v) = args.get(i + 1) {
                        o.values.push((c.to_string(), v.clone()));
                        i += 1;
                    }
                    break;
                }
            }
            i += 1;
            continue;
        }
        if stop_at_operand {
            o.first_operand = Some(i);
            o.operands.extend(args[i..].iter());
            break;
        }
        if o.first_operand.is_none() {
            o.first_operand = Some(i);
        }
        o.operands.push(a);
        i += 1;
    }
    o
}

fn value_of(a: &Arg, v: &str) -> Arg {
    match a {
        Arg::Literal(_) => Arg::Literal(v.to_string()),
        Arg::Dynamic(_) => Arg::Dynamic(v.to_string()),
    }
}
