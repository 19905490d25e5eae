//! Just enough HTTP/1.x for a forward proxy, strictly: reading a bounded message head,
//! parsing a request (line, header fields, body framing), re-serialising it without hop-by-hop
//! fields, relaying exactly one request body, and rewriting a response head.
//!
//! Strictness is deliberate: lines end in CRLF, header names are tokens, no obs-fold, no
//! leading empty lines, at most one body framing (`Content-Length` values agree; or a single
//! `Transfer-Encoding: chunked`; never both). What does not fit is a `400`.

use std::io::{self, BufRead, ErrorKind, Read, Write};
use std::time::Instant;

use super::relay::Duplex;

/// Why a message head could not be read or parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HeadError {
    /// The peer closed before sending a byte (not a request at all).
    Closed,
    /// The peer closed in the middle of the head.
    Truncated,
    /// The head did not arrive in time.
    Timeout,
    /// The head exceeds its byte limit.
    TooLarge,
    /// The first line exceeds its byte limit.
    LineTooLong,
    /// More header fields than allowed.
    TooManyHeaders,
    /// Not HTTP/1.x as this proxy accepts it (the reason is for the host log).
    Malformed(&'static str),
    /// A socket error.
    Io,
}

/// A head and the bytes that followed it in the same reads.
#[derive(Debug)]
pub(crate) struct RawHead {
    pub head: Vec<u8>,
    pub rest: Vec<u8>,
}

/// The first line of `buf` (whatever has arrived), for logging.
pub(crate) fn first_line(buf: &[u8]) -> &[u8] {
    let end = buf
        .iter()
        .position(|&b| b == b'\r' || b == b'\n')
        .unwrap_or(buf.len());
    buf.get(..end).unwrap_or(buf)
}

fn find_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

/// Reads one head (up to and including the empty line) from `stream` within `deadline`.
/// `buf` may hold bytes already read (they come first); on error it holds what was read
/// (for the log).
pub(crate) fn read_head<S: Duplex>(
    stream: &mut S,
    max_head: usize,
    max_line: usize,
    deadline: Instant,
    buf: &mut Vec<u8>,
) -> Result<RawHead, HeadError> {
    let mut chunk = [0u8; 4096];
    loop {
        match buf.windows(2).position(|w| w == b"\r\n") {
            Some(i) if i > max_line => return Err(HeadError::LineTooLong),
            None if buf.len() > max_line => return Err(HeadError::LineTooLong),
            _ => {}
        }
        if let Some(end) = find_end(buf) {
            if end > max_head {
                return Err(HeadError::TooLarge);
            }
            let rest = buf.split_off(end);
            return Ok(RawHead {
                head: std::mem::take(buf),
                rest,
            });
        }
        if buf.len() > max_head {
            return Err(HeadError::TooLarge);
        }
        let Some(left) = deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
        else {
            return Err(HeadError::Timeout);
        };
        stream
            .set_read_timeout_stream(Some(left))
            .map_err(|_| HeadError::Io)?;
        // Never read more than the limit allows (plus one byte to detect overflow).
        let room = (max_head + 1).saturating_sub(buf.len()).min(chunk.len());
        let n = match stream.read(chunk.get_mut(..room).unwrap_or(&mut [])) {
            Ok(0) if buf.is_empty() => return Err(HeadError::Closed),
            Ok(0) => return Err(HeadError::Truncated),
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(HeadError::Timeout);
            }
            Err(_) => return Err(HeadError::Io),
        };
        buf.extend_from_slice(chunk.get(..n).unwrap_or(&[]));
    }
}

/// A header field; the value is bytes (obs-text is legal in values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    pub name: String,
    pub value: Vec<u8>,
}

impl Field {
    fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    fn value_str(&self) -> &str {
        std::str::from_utf8(&self.value).unwrap_or("")
    }
}

/// How the request body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Body {
    None,
    Length(u64),
    Chunked,
}

/// A parsed request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    pub method: String,
    pub target: String,
    pub version: String,
    pub fields: Vec<Field>,
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// Splits a head into CRLF lines (the final empty line excluded); a bare CR or LF is an error.
fn lines(head: &[u8]) -> Result<Vec<&[u8]>, HeadError> {
    let body = head
        .strip_suffix(b"\r\n\r\n")
        .ok_or(HeadError::Malformed("head does not end in CRLF CRLF"))?;
    let mut out: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
    // Every line but the last (whose CRLF went with the terminator) ends in CR.
    let last = out.len().saturating_sub(1);
    for (i, line) in out.iter_mut().enumerate() {
        if i < last {
            *line = line
                .strip_suffix(b"\r")
                .ok_or(HeadError::Malformed("bare LF in head"))?;
        }
        if line.contains(&b'\r') {
            return Err(HeadError::Malformed("bare CR in head"));
        }
    }
    Ok(out)
}

fn parse_fields(lines: &[&[u8]], max_fields: usize) -> Result<Vec<Field>, HeadError> {
    if lines.len() > max_fields {
        return Err(HeadError::TooManyHeaders);
    }
    let mut fields = Vec::with_capacity(lines.len());
    for line in lines {
        if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
            return Err(HeadError::Malformed("obsolete line folding"));
        }
        let colon = line
            .iter()
            .position(|&b| b == b':')
            .ok_or(HeadError::Malformed("header field without a colon"))?;
        let (name, value) = line.split_at(colon);
        if !is_token(name) {
            return Err(HeadError::Malformed("invalid header field name"));
        }
        let value = value.get(1..).unwrap_or(&[]);
        if value
            .iter()
            .any(|&b| b == 0 || (b < 0x20 && b != b'\t') || b == 0x7f)
        {
            return Err(HeadError::Malformed("control character in header value"));
        }
        let value = value.trim_ascii();
        fields.push(Field {
            name: String::from_utf8_lossy(name).into_owned(),
            value: value.to_vec(),
        });
    }
    Ok(fields)
}

/// Parses a request head (`METHOD SP target SP HTTP/1.x`, then fields).
pub(crate) fn parse_request(head: &[u8], max_fields: usize) -> Result<Request, HeadError> {
    let all = lines(head)?;
    let (first, rest) = all
        .split_first()
        .ok_or(HeadError::Malformed("empty head"))?;
    let mut parts = first.split(|&b| b == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(HeadError::Malformed(
            "request line is not `METHOD target HTTP/1.x`",
        ));
    };
    if !is_token(method) {
        return Err(HeadError::Malformed("invalid method"));
    }
    if target.is_empty() || !target.iter().all(|b| b.is_ascii_graphic()) {
        return Err(HeadError::Malformed("invalid request target"));
    }
    if version != b"HTTP/1.1" && version != b"HTTP/1.0" {
        return Err(HeadError::Malformed("unsupported HTTP version"));
    }
    Ok(Request {
        method: String::from_utf8_lossy(method).into_owned(),
        target: String::from_utf8_lossy(target).into_owned(),
        version: String::from_utf8_lossy(version).into_owned(),
        fields: parse_fields(rest, max_fields)?,
    })
}

impl Request {
    /// The body framing, refusing anything ambiguous (request smuggling).
    pub(crate) fn body(&self) -> Result<Body, HeadError> {
        let te: Vec<&Field> = self
            .fields
            .iter()
            .filter(|f| f.is("transfer-encoding"))
            .collect();
        let cl: Vec<&Field> = self
            .fields
            .iter()
            .filter(|f| f.is("content-length"))
            .collect();
        match (te.as_slice(), cl.as_slice()) {
            ([], []) => Ok(Body::None),
            ([], [first, more @ ..]) => {
                if more.iter().any(|f| f.value != first.value) {
                    return Err(HeadError::Malformed("conflicting Content-Length"));
                }
                let v = first.value_str();
                if v.is_empty() || v.len() > 18 || !v.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(HeadError::Malformed("invalid Content-Length"));
                }
                v.parse()
                    .map(Body::Length)
                    .map_err(|_| HeadError::Malformed("invalid Content-Length"))
            }
            ([one], []) if one.value_str().eq_ignore_ascii_case("chunked") => Ok(Body::Chunked),
            ([_], []) | ([_, _, ..], []) => Err(HeadError::Malformed(
                "unsupported Transfer-Encoding (only a single `chunked`)",
            )),
            (_, _) => Err(HeadError::Malformed(
                "both Transfer-Encoding and Content-Length",
            )),
        }
    }

    /// Whether the client sent `Expect: 100-continue`.
    pub(crate) fn expects_continue(&self) -> bool {
        self.fields
            .iter()
            .any(|f| f.is("expect") && f.value_str().eq_ignore_ascii_case("100-continue"))
    }
}

/// Header fields never forwarded: hop-by-hop (RFC 9110 §7.6.1), proxy credentials, and the
/// ones the proxy sets itself.
const DROPPED_REQUEST_FIELDS: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
    "host",
    "expect",
];

/// Response fields dropped (the body is passed through as framed, so `Transfer-Encoding`
/// stays).
const DROPPED_RESPONSE_FIELDS: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "trailer",
    "upgrade",
];

/// Names listed in `Connection` (they are hop-by-hop too).
fn connection_options(fields: &[Field]) -> Vec<String> {
    fields
        .iter()
        .filter(|f| f.is("connection"))
        .flat_map(|f| {
            f.value_str()
                .split(',')
                .map(|s| s.trim().to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn keep(field: &Field, dropped: &[&str], options: &[String]) -> bool {
    !dropped.iter().any(|d| field.is(d)) && !options.iter().any(|o| field.is(o))
}

/// The request as sent upstream: origin-form target, the checked `Host`, hop-by-hop fields
/// removed, `Connection: close`.
pub(crate) fn upstream_request(req: &Request, origin_form: &str, host: &str) -> Vec<u8> {
    let options = connection_options(&req.fields);
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(format!("{} {origin_form} {}\r\n", req.method, req.version).as_bytes());
    out.extend_from_slice(format!("Host: {host}\r\n").as_bytes());
    for f in req
        .fields
        .iter()
        .filter(|f| keep(f, DROPPED_REQUEST_FIELDS, &options))
    {
        out.extend_from_slice(f.name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(&f.value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"Connection: close\r\n\r\n");
    out
}

/// A response head's status code.
pub(crate) fn response_status(head: &[u8]) -> Result<u16, HeadError> {
    let line = first_line(head);
    let rest = line
        .strip_prefix(b"HTTP/1.1 ")
        .or_else(|| line.strip_prefix(b"HTTP/1.0 "))
        .ok_or(HeadError::Malformed("bad status line"))?;
    let code = rest
        .get(..3)
        .filter(|c| c.iter().all(u8::is_ascii_digit))
        .ok_or(HeadError::Malformed("bad status code"))?;
    std::str::from_utf8(code)
        .ok()
        .and_then(|c| c.parse().ok())
        .ok_or(HeadError::Malformed("bad status code"))
}

/// The response head as sent to the client: hop-by-hop fields removed, `Connection: close`.
pub(crate) fn client_response(head: &[u8], max_fields: usize) -> Result<Vec<u8>, HeadError> {
    let all = lines(head)?;
    let (status, rest) = all
        .split_first()
        .ok_or(HeadError::Malformed("empty head"))?;
    let fields = parse_fields(rest, max_fields)?;
    let options = connection_options(&fields);
    let mut out = Vec::with_capacity(head.len() + 32);
    out.extend_from_slice(status);
    out.extend_from_slice(b"\r\n");
    for f in fields
        .iter()
        .filter(|f| keep(f, DROPPED_RESPONSE_FIELDS, &options))
    {
        out.extend_from_slice(f.name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(&f.value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"Connection: close\r\n\r\n");
    Ok(out)
}

/// Why a request body could not be relayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyError {
    /// Broken chunked framing.
    Malformed,
    /// A socket error or early close.
    Io,
}

impl From<io::Error> for BodyError {
    fn from(_: io::Error) -> Self {
        BodyError::Io
    }
}

const MAX_CHUNK_LINE: usize = 4096;
const MAX_TRAILER_BYTES: usize = 16 * 1024;

fn read_line_limited(src: &mut impl BufRead, limit: usize) -> Result<Vec<u8>, BodyError> {
    let mut line = Vec::new();
    loop {
        let buf = src.fill_buf()?;
        if buf.is_empty() {
            return Err(BodyError::Io);
        }
        let (take, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        line.extend_from_slice(buf.get(..take).unwrap_or(&[]));
        src.consume(take);
        if line.len() > limit {
            return Err(BodyError::Malformed);
        }
        if done {
            return line
                .strip_suffix(b"\r\n")
                .map(<[u8]>::to_vec)
                .ok_or(BodyError::Malformed);
        }
    }
}

fn copy_exact(src: &mut impl Read, dst: &mut impl Write, n: u64) -> Result<(), BodyError> {
    let copied = io::copy(&mut src.take(n), dst)?;
    if copied == n {
        Ok(())
    } else {
        Err(BodyError::Io)
    }
}

/// Relays exactly one body from `src` to `dst` in the framing `body` says; chunked bodies are
/// re-framed as read (trailers are dropped).
pub(crate) fn relay_body(
    body: Body,
    src: &mut impl BufRead,
    dst: &mut impl Write,
) -> Result<(), BodyError> {
    match body {
        Body::None => Ok(()),
        Body::Length(n) => copy_exact(src, dst, n),
        Body::Chunked => loop {
            let line = read_line_limited(src, MAX_CHUNK_LINE)?;
            let size_text = line
                .split(|&b| b == b';')
                .next()
                .unwrap_or(&[])
                .trim_ascii();
            if size_text.is_empty()
                || size_text.len() > 15
                || !size_text.iter().all(u8::is_ascii_hexdigit)
            {
                return Err(BodyError::Malformed);
            }
            let size = std::str::from_utf8(size_text)
                .ok()
                .and_then(|s| u64::from_str_radix(s, 16).ok())
                .ok_or(BodyError::Malformed)?;
            if size == 0 {
                let mut trailers = 0usize;
                loop {
                    let t = read_line_limited(src, MAX_CHUNK_LINE)?;
                    trailers += t.len() + 2;
                    if trailers > MAX_TRAILER_BYTES {
                        return Err(BodyError::Malformed);
                    }
                    if t.is_empty() {
                        break;
                    }
                }
                dst.write_all(b"0\r\n\r\n")?;
                return Ok(());
            }
            dst.write_all(format!("{size:x}\r\n").as_bytes())?;
            copy_exact(src, dst, size)?;
            let mut crlf = [0u8; 2];
            src.read_exact(&mut crlf)?;
            if &crlf != b"\r\n" {
                return Err(BodyError::Malformed);
            }
            dst.write_all(b"\r\n")?;
        },
    }
}

/// `prefix` then `inner` (bytes read past a head, then the rest of the stream).
#[derive(Debug)]
pub(crate) struct Prefixed<'a, R> {
    prefix: &'a [u8],
    inner: &'a mut R,
}

impl<'a, R: Read> Prefixed<'a, R> {
    pub(crate) fn new(prefix: &'a [u8], inner: &'a mut R) -> Self {
        Prefixed { prefix, inner }
    }
}

impl<R: Read> Read for Prefixed<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.prefix.is_empty() {
            return self.inner.read(buf);
        }
        let n = self.prefix.len().min(buf.len());
        let (now, later) = self.prefix.split_at(n);
        if let Some(dst) = buf.get_mut(..n) {
            dst.copy_from_slice(now);
        }
        self.prefix = later;
        Ok(n)
    }
}
