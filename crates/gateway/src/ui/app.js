// hardclaw Control UI. The token lives in this closure only: never localStorage,
// sessionStorage, cookies or the URL. All server text is inserted with textContent.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  let socket = null;
  let token = null;
  let nextId = 1;

  function setStatus(text) { $('status').textContent = text; }

  function addMessage(text, cls, meta) {
    const li = document.createElement('li');
    if (cls) li.className = cls;
    if (meta) {
      const m = document.createElement('span');
      m.className = 'meta';
      m.textContent = meta;
      li.appendChild(m);
    }
    li.appendChild(document.createTextNode(text));
    $('messages').appendChild(li);
    li.scrollIntoView({ block: 'end' });
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(Object.assign({ v: 1 }, frame)));
    }
  }

  function renderPairing(requests) {
    const ul = $('pairing');
    ul.replaceChildren();
    $('pairing-empty').hidden = requests.length > 0;
    for (const r of requests) {
      const li = document.createElement('li');
      li.dataset.code = r.code;
      li.appendChild(document.createTextNode(r.channel + ' · ' + r.sender + ' · ' + r.code));
      const ok = document.createElement('button');
      ok.type = 'button';
      ok.textContent = 'Approve';
      ok.className = 'approve';
      ok.addEventListener('click', () => send({ type: 'pairing_approve', channel: r.channel, code: r.code }));
      const no = document.createElement('button');
      no.type = 'button';
      no.textContent = 'Reject';
      no.className = 'reject';
      no.addEventListener('click', () => send({ type: 'pairing_reject', channel: r.channel, code: r.code }));
      li.append(ok, no);
      ul.appendChild(li);
    }
  }

  // Pending tool-call approvals, by id.
  const approvals = new Map();

  function approvalItem(a) {
    const li = document.createElement('li');
    li.dataset.id = a.id;
    const head = document.createElement('strong');
    head.className = 'tool';
    head.textContent = a.tool;
    const where = document.createElement('span');
    where.className = 'meta';
    where.textContent = ' ' + a.agent + ' · ' + a.session;
    const reason = document.createElement('div');
    reason.className = 'reason';
    reason.textContent = a.reason + ' (' + a.guard + '/' + a.rule + ')';
    const params = document.createElement('pre');
    params.className = 'params';
    params.textContent = JSON.stringify(a.params, null, 2);
    const expires = document.createElement('div');
    expires.className = 'meta';
    expires.textContent = 'denied unless answered by ' + new Date(a.expires_at).toLocaleTimeString();
    const ok = document.createElement('button');
    ok.type = 'button';
    ok.textContent = 'Approve';
    ok.className = 'approve';
    ok.addEventListener('click', () => send({ type: 'approval_approve', id: a.id }));
    const no = document.createElement('button');
    no.type = 'button';
    no.textContent = 'Deny';
    no.className = 'deny';
    no.addEventListener('click', () => send({ type: 'approval_deny', id: a.id }));
    li.append(head, where, reason, params, expires, ok, no);
    return li;
  }

  function renderApprovals() {
    const ul = $('approvals');
    ul.replaceChildren();
    for (const a of approvals.values()) ul.appendChild(approvalItem(a));
    $('approvals-empty').hidden = approvals.size > 0;
  }

  // Replies being written, one list item per session, replaced by the final message.
  function streamingItem(session) {
    for (const li of $('messages').querySelectorAll('li.streaming')) {
      if (li.dataset.session === session) return li;
    }
    return null;
  }

  function addDelta(session, text) {
    let li = streamingItem(session);
    if (!li) {
      li = document.createElement('li');
      li.className = 'streaming';
      li.dataset.session = session;
      const m = document.createElement('span');
      m.className = 'meta';
      m.textContent = session + ' · writing…';
      li.appendChild(m);
      $('messages').appendChild(li);
    }
    li.appendChild(document.createTextNode(text));
    li.scrollIntoView({ block: 'end' });
  }

  function renderAudit(report) {
    const s = report.summary || {};
    $('audit-summary').textContent =
      (s.critical || 0) + ' critical · ' + (s.warn || 0) + ' warn · ' + (s.info || 0) + ' info';
    const ul = $('audit-findings');
    ul.replaceChildren();
    for (const f of (report.findings || [])) {
      if (f.severity === 'info') continue;
      const li = document.createElement('li');
      li.className = 'sev-' + f.severity;
      li.textContent = f.severity + ': ' + (f.title || f.checkId);
      ul.appendChild(li);
    }
  }

  function onFrame(f) {
    switch (f.type) {
      case 'ready':
        $('login').hidden = true;
        $('app').hidden = false;
        $('session').textContent = f.session;
        $('agent-notice').hidden = !!f.agent;
        setStatus('connected');
        send({ type: 'history', session: f.session });
        send({ type: 'pairing_list' });
        send({ type: 'approvals_list' });
        break;
      case 'history':
        $('messages').replaceChildren();
        for (const m of f.messages) addMessage(m.text, m.role, m.sender);
        break;
      case 'message':
        if (f.role !== 'user') {
          const streaming = streamingItem(f.session);
          if (streaming) streaming.remove();
        }
        addMessage(f.text, f.role, f.channel + ' · ' + f.sender);
        break;
      case 'reply_delta':
        addDelta(f.session, f.text);
        break;
      case 'approvals':
        approvals.clear();
        for (const a of f.requests) approvals.set(a.id, a);
        renderApprovals();
        break;
      case 'approval_request':
        approvals.set(f.id, f);
        renderApprovals();
        break;
      case 'approval_resolved': {
        const a = approvals.get(f.id);
        approvals.delete(f.id);
        renderApprovals();
        addMessage('approval ' + (a ? a.tool : f.id) + ': ' + f.outcome, 'system', 'gateway');
        break;
      }
      case 'ack':
        if (f.status === 'rejected') addMessage(f.reason || 'rejected', 'rejected', 'gateway');
        break;
      case 'pairing':
        renderPairing(f.requests);
        break;
      case 'pairing_requested':
        send({ type: 'pairing_list' });
        break;
      case 'pairing_result':
        addMessage('pairing ' + f.code + ': ' + f.outcome, 'system', 'gateway');
        send({ type: 'pairing_list' });
        break;
      case 'audit':
        renderAudit(f.report);
        break;
      case 'error':
        if (!token || $('app').hidden) {
          $('login-error').textContent = f.message;
          $('login-error').hidden = false;
        } else {
          addMessage(f.message, 'rejected', 'error');
        }
        break;
      default:
        break;
    }
  }

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    socket = new WebSocket(scheme + location.host + '/ws');
    setStatus('connecting');
    socket.addEventListener('open', () => send({ type: 'auth', token: token }));
    socket.addEventListener('message', (ev) => {
      try { onFrame(JSON.parse(ev.data)); } catch (e) { /* ignore malformed */ }
    });
    socket.addEventListener('close', (ev) => {
      setStatus('disconnected');
      if ($('app').hidden && ev.reason) {
        $('login-error').textContent = ev.reason;
        $('login-error').hidden = false;
      }
    });
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('login-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      token = $('token').value.trim();
      $('token').value = '';
      $('login-error').hidden = true;
      connect();
    });
    $('send-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const text = $('message').value;
      if (!text.trim()) return;
      send({ type: 'send', id: String(nextId++), text: text });
      $('message').value = '';
    });
    $('refresh-pairing').addEventListener('click', () => send({ type: 'pairing_list' }));
    $('run-audit').addEventListener('click', () => {
      $('audit-summary').textContent = 'running…';
      send({ type: 'audit' });
    });
  });
})();
