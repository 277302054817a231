/**
 * The dashboard's script, plain browser JavaScript (no framework, no build step): a hash router over
 * three views — the deployments, one deployment (its traffic timeline as SVG, its checks, its
 * controls), the delivery metrics. It builds every element with `textContent`/`setAttribute`, so no
 * text from the API is ever parsed as markup. Served as a file of its own (the page's CSP allows
 * scripts from its own origin only). Kept free of backticks and `${`, so it is one raw string here.
 */
export const DASHBOARD_SCRIPT = String.raw`'use strict';
(function () {
  var API = document.body.getAttribute('data-api') || '';
  var OPEN = ['PENDING', 'RUNNING', 'AWAITING_APPROVAL'];
  var STATUSES = ['PENDING', 'RUNNING', 'AWAITING_APPROVAL', 'SUCCEEDED', 'NO_CHANGE', 'ROLLED_BACK', 'DRIFTED', 'FAILED', 'REJECTED'];
  var POLL_MS = 2000;
  var LIST_POLL_MS = 5000;
  var SVGNS = 'http://www.w3.org/2000/svg';
  var main = document.getElementById('main');
  var announce = document.getElementById('announce');
  var timer = null;
  var generation = 0;

  /* Elements are built with text only: nothing from the API is ever parsed as markup. */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }
  function svg(tag, attrs, children) {
    var node = document.createElementNS(SVGNS, tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }
  function setAttrs(node, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (key) {
      var value = attrs[key];
      if (value === undefined || value === null || value === false) return;
      if (key === 'onclick' || key === 'onsubmit' || key === 'onchange') node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    });
  }
  function append(node, children) {
    if (children === undefined || children === null) return;
    (Array.isArray(children) ? children : [children]).forEach(function (child) {
      if (child === undefined || child === null || child === false) return;
      node.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
    });
  }
  function say(text) {
    announce.textContent = '';
    window.setTimeout(function () { announce.textContent = text; }, 50);
  }

  function request(method, path, body) {
    var init = { method: method, headers: { accept: 'application/json', 'x-fledge-dashboard': '1' }, credentials: 'same-origin' };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(API + path, init).then(function (response) {
      return response.text().then(function (text) {
        var parsed = {};
        try { parsed = text ? JSON.parse(text) : {}; } catch (e) { parsed = { error: { message: 'the answer was not JSON (HTTP ' + response.status + ')' } }; }
        if (!response.ok) {
          var error = new Error((parsed.error && parsed.error.message) || parsed.message || ('HTTP ' + response.status));
          error.status = response.status;
          throw error;
        }
        return parsed;
      });
    });
  }

  function when(iso) {
    if (!iso) return '–';
    return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  }
  function duration(ms) {
    if (ms === null || ms === undefined) return '–';
    var s = Math.round(ms / 1000);
    if (s < 60) return s + 's';
    if (s < 3600) return Math.floor(s / 60) + 'm ' + String(s % 60).padStart(2, '0') + 's';
    return Math.floor(s / 3600) + 'h ' + String(Math.floor((s % 3600) / 60)).padStart(2, '0') + 'm';
  }
  function statusCell(status) {
    var cell = el('span', { class: 'status status-' + status }, status);
    return status === 'AWAITING_APPROVAL' ? [cell, el('span', { class: 'badge' }, 'waiting for approval')] : cell;
  }
  function setNav(which) {
    Array.prototype.forEach.call(document.querySelectorAll('nav a'), function (a) {
      if (a.getAttribute('data-nav') === which) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    });
  }
  function showError(error) {
    return el('div', { class: 'error', role: 'alert' }, 'fledge\'s API answered: ' + error.message);
  }
  function stopPolling() {
    if (timer !== null) window.clearTimeout(timer);
    timer = null;
  }
  function later(ms, fn) {
    stopPolling();
    var mine = generation;
    timer = window.setTimeout(function () { if (mine === generation) fn(); }, ms);
  }

  /* ---- the list ---- */
  var listState = { function: '', status: '', since: '', sinceIso: '', cursors: [], cursor: undefined };

  function renderList() {
    setNav('list');
    document.title = 'Deployments · fledge';
    var form = el('form', { class: 'filters', role: 'search', 'aria-label': 'Filter deployments', onsubmit: function (event) {
      event.preventDefault();
      listState.function = form.elements.namedItem('function').value.trim();
      listState.status = form.elements.namedItem('status').value;
      listState.since = form.elements.namedItem('since').value;
      // Fixed when applied: the API binds a page's cursor to the filters it was issued for.
      listState.sinceIso = listState.since ? new Date(Date.now() - SINCE_MS[listState.since]).toISOString() : '';
      listState.cursors = [];
      listState.cursor = undefined;
      loadList(true);
    } }, [
      el('label', {}, ['Function', el('input', { name: 'function', type: 'text', value: listState.function, autocomplete: 'off', spellcheck: 'false', placeholder: 'all functions' })]),
      el('label', {}, ['Status', el('select', { name: 'status' }, [el('option', { value: '' }, 'any')].concat(STATUSES.map(function (s) { return el('option', { value: s, selected: s === listState.status }, s); })))]),
      el('label', {}, ['Created', el('select', { name: 'since' }, [['', 'any time'], ['1h', 'last hour'], ['24h', 'last 24 hours'], ['7d', 'last 7 days'], ['30d', 'last 30 days']].map(function (o) { return el('option', { value: o[0], selected: o[0] === listState.since }, o[1]); }))]),
      el('button', { type: 'submit', class: 'primary' }, 'Apply'),
    ]);
    main.replaceChildren(el('h1', {}, 'Deployments'), form, el('div', { id: 'list' }, el('p', {}, 'Loading…')));
    loadList(false);
  }

  var SINCE_MS = { '1h': 3600000, '24h': 86400000, '7d': 7 * 86400000, '30d': 30 * 86400000 };

  function loadList(announceIt) {
    var mine = ++generation;
    var params = new URLSearchParams({ limit: '20' });
    if (listState.function) params.set('function', listState.function);
    if (listState.status) params.set('status', listState.status);
    if (listState.sinceIso) params.set('since', listState.sinceIso);
    if (listState.cursor) params.set('cursor', listState.cursor);
    request('GET', '/deployments?' + params.toString()).then(function (page) {
      if (mine !== generation) return;
      var items = page.items || [];
      // In progress first (waiting for approval before the rest of them), then as the API ordered them: newest first.
      var rank = function (d) { return d.status === 'AWAITING_APPROVAL' ? 0 : OPEN.indexOf(d.status) >= 0 ? 1 : 2; };
      var ordered = items.map(function (d, i) { return { d: d, i: i }; }).sort(function (a, b) { return rank(a.d) - rank(b.d) || a.i - b.i; }).map(function (x) { return x.d; });
      var table = el('table', { id: 'deployments' }, [
        el('caption', { class: 'visually-hidden' }, 'Deployments, in progress first'),
        el('thead', {}, el('tr', {}, ['Deployment', 'Function', 'Alias', 'Status', 'Traffic on new', 'Versions', 'Created', 'By'].map(function (h) { return el('th', { scope: 'col', class: h === 'Traffic on new' ? 'num' : undefined }, h); }))),
        el('tbody', {}, ordered.map(function (d) {
          return el('tr', { class: d.status === 'AWAITING_APPROVAL' ? 'awaiting' : undefined, 'data-deployment': d.deploymentId, 'data-status': d.status }, [
            el('td', {}, el('a', { href: '#/d/' + encodeURIComponent(d.deploymentId) }, d.deploymentId)),
            el('td', {}, d.functionName), el('td', {}, d.alias), el('td', {}, statusCell(d.status)),
            el('td', { class: 'num' }, (d.currentWeight === undefined ? 0 : d.currentWeight) + '%'),
            el('td', {}, (d.previousVersion ? 'v' + d.previousVersion : '–') + ' → ' + (d.newVersion ? 'v' + d.newVersion : '?')),
            el('td', {}, when(d.createdAt)), el('td', {}, d.startedBy),
          ]);
        })),
      ]);
      var pager = el('div', { class: 'controls' }, [
        el('button', { type: 'button', disabled: listState.cursors.length === 0, onclick: function () { listState.cursor = listState.cursors.pop(); loadList(true); } }, 'Previous page'),
        el('button', { type: 'button', disabled: !page.cursor, onclick: function () { listState.cursors.push(listState.cursor); listState.cursor = page.cursor; loadList(true); } }, 'Next page'),
      ]);
      var holder = document.getElementById('list');
      if (!holder) return;
      holder.replaceChildren(items.length === 0 ? el('p', {}, 'No deployments match.') : table, pager);
      if (announceIt) say(items.length + ' deployments shown');
      // The first page follows what happens; later pages hold still while read.
      if (!listState.cursor) later(LIST_POLL_MS, function () { loadList(false); });
    }).catch(function (error) {
      if (mine !== generation) return;
      var holder = document.getElementById('list');
      if (holder) holder.replaceChildren(showError(error));
    });
  }

  /* ---- one deployment ---- */
  function renderDeployment(id) {
    setNav('');
    main.replaceChildren(el('p', {}, 'Loading ' + id + '…'));
    loadDeployment(id, true);
  }

  function loadDeployment(id, first) {
    var mine = ++generation;
    request('GET', '/deployments/' + encodeURIComponent(id)).then(function (d) {
      if (mine !== generation) return;
      var focused = document.activeElement && document.activeElement.id;
      drawDeployment(d);
      if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
      if (first) document.title = d.deploymentId + ' · fledge';
      if (OPEN.indexOf(d.status) >= 0) later(POLL_MS, function () { loadDeployment(id, false); });
    }).catch(function (error) {
      if (mine !== generation) return;
      main.replaceChildren(el('h1', {}, 'Deployment ' + id), showError(error), el('p', {}, el('a', { href: '#/' }, 'Back to the deployments')));
    });
  }

  function drawDeployment(d) {
    var facts = [
      ['Function', d.functionName + ':' + d.alias], ['Status', statusCell(d.status)],
      ['Versions', (d.previousVersion ? 'v' + d.previousVersion : '–') + ' → ' + (d.newVersion ? 'v' + d.newVersion : '?')],
      ['Traffic on the new version', (d.currentWeight === undefined ? 0 : d.currentWeight) + '%'],
      ['Started by', d.startedBy], ['Created', when(d.createdAt)],
    ];
    if (d.evidence) facts.push(['Promoted on', d.evidence.invocations + ' invocations of version ' + d.evidence.version + ' over ' + d.evidence.checks + ' checks']);
    var children = [
      el('p', {}, el('a', { href: '#/' }, '← All deployments')),
      el('h1', {}, 'Deployment ' + d.deploymentId),
      el('dl', { class: 'facts' }, facts.reduce(function (all, f) { return all.concat([el('dt', {}, f[0]), el('dd', {}, f[1])]); }, [])),
    ];
    if (d.reason && ['ROLLED_BACK', 'FAILED', 'REJECTED', 'DRIFTED'].indexOf(d.status) >= 0) children.push(el('div', { class: 'reason', id: 'reason' }, [el('strong', {}, d.status === 'ROLLED_BACK' ? 'Rolled back: ' : 'Why: '), d.reason]));
    if (d.status === 'AWAITING_APPROVAL') children.push(el('div', { class: 'notice' }, 'This deployment waits for a person to approve or reject it.'));
    children.push(controls(d));
    children.push(el('h2', { id: 'timeline-title' }, 'Traffic on version ' + (d.newVersion || '?') + ' over time'));
    children.push(timeline(d));
    children.push(el('h2', {}, 'Health checks'));
    children.push(checksTable(d));
    children.push(el('h2', {}, 'Each version per check interval'));
    children.push(el('div', { id: 'versions' }, el('p', { class: 'muted' }, 'Loading from CloudWatch…')));
    children.push(el('h2', {}, 'History'));
    children.push(el('ol', { id: 'events' }, (d.events || []).map(function (e) {
      return el('li', { 'data-kind': e.kind }, [el('time', { datetime: e.at }, when(e.at)), ' ', el('strong', {}, e.kind), ': ', e.message]);
    })));
    main.replaceChildren.apply(main, children);
    loadTraffic(d);
  }

  /* Each version's traffic from CloudWatch, read again only when a new check is recorded (each read costs a GetMetricData). */
  var trafficState = { id: null, checks: -1, data: null };
  function loadTraffic(d) {
    var checks = (d.events || []).filter(function (e) { return e.kind === 'check'; }).length + (OPEN.indexOf(d.status) >= 0 ? 0 : 1000);
    var put = function (node) { var holder = document.getElementById('versions'); if (holder) holder.replaceChildren(node); };
    if (trafficState.id === d.deploymentId && trafficState.checks === checks && trafficState.data) return put(versionsTable(trafficState.data));
    request('GET', '/deployments/' + encodeURIComponent(d.deploymentId) + '/traffic').then(function (t) {
      trafficState = { id: d.deploymentId, checks: checks, data: t };
      put(versionsTable(t));
    }).catch(function (error) { put(showError(error)); });
  }

  function versionsTable(t) {
    var rows = [];
    t.versions.forEach(function (v) {
      v.periods.forEach(function (p) { rows.push({ v: v, p: p }); });
    });
    rows.sort(function (a, b) { return a.p.start < b.p.start ? -1 : a.p.start > b.p.start ? 1 : a.v.role === 'previous' ? -1 : 1; });
    if (rows.length === 0) return el('p', { class: 'muted' }, 'No invocations recorded yet.');
    var ms = function (x) { return x === null ? '–' : x + ' ms'; };
    return el('table', { id: 'versions-table' }, [
      el('caption', { class: 'muted' }, 'From CloudWatch, per ' + (t.periodSeconds / 60) + '-minute period: each version\'s invocations through the alias, errors, error rate and latency.'),
      el('thead', {}, el('tr', {}, ['Period from', 'Version', 'Invocations', 'Errors', 'Error rate', 'Latency p50', 'Latency p99'].map(function (h) { return el('th', { scope: 'col' }, h); }))),
      el('tbody', {}, rows.map(function (r) {
        return el('tr', { 'data-version': r.v.version, 'data-role': r.v.role, 'data-start': r.p.start }, [
          el('td', {}, el('time', { datetime: r.p.start }, when(r.p.start))),
          el('td', {}, 'v' + r.v.version + (r.v.role === 'new' ? ' (new)' : ' (old)')),
          el('td', { class: 'num' }, r.p.invocations), el('td', { class: 'num' }, r.p.errors),
          el('td', { class: 'num' }, r.p.errorRatePercent === null ? '–' : r.p.errorRatePercent + '%'),
          el('td', { class: 'num' }, ms(r.p.p50Ms)), el('td', { class: 'num' }, ms(r.p.p99Ms)),
        ]);
      })),
    ]);
  }

  function controls(d) {
    var box = el('div', { class: 'controls', role: 'group', 'aria-label': 'Act on this deployment' });
    var add = function (label, action, className, question, withComment) {
      box.appendChild(el('button', { type: 'button', id: 'action-' + action, class: className, onclick: function () { confirmAction(d, action, question, withComment); } }, label));
    };
    if (d.status === 'AWAITING_APPROVAL' && d.approvalId) {
      add('Approve', 'approve', 'primary', 'Approve deployment ' + d.deploymentId + ' of ' + d.functionName + ':' + d.alias + '? Traffic moves on to version ' + (d.newVersion || '?') + '.', true);
      add('Reject', 'reject', 'danger', 'Reject deployment ' + d.deploymentId + '? It rolls back to version ' + (d.previousVersion || 'before') + '.', true);
    }
    if (OPEN.indexOf(d.status) >= 0) add('Stop', 'stop', 'danger', 'Stop deployment ' + d.deploymentId + '? It rolls back at its next check.', true);
    if (d.status === 'RUNNING') add('Promote now', 'promote', '', 'Promote version ' + (d.newVersion || '?') + ' of ' + d.functionName + ':' + d.alias + ' at its next green check?', false);
    if (!box.firstChild) box.appendChild(el('span', { class: 'muted' }, OPEN.indexOf(d.status) >= 0 ? 'Nothing to decide right now.' : 'This deployment has ended.'));
    return box;
  }

  function confirmAction(d, action, question, withComment) {
    var dialog = document.getElementById('confirm');
    document.getElementById('confirm-title').textContent = action.charAt(0).toUpperCase() + action.slice(1) + '?';
    document.getElementById('confirm-text').textContent = question;
    var comment = document.getElementById('confirm-comment');
    comment.value = '';
    document.getElementById('confirm-comment-row').hidden = !withComment;
    var ok = document.getElementById('confirm-ok');
    ok.textContent = action.charAt(0).toUpperCase() + action.slice(1);
    stopPolling();
    dialog.returnValue = '';
    dialog.addEventListener('close', function onClose() {
      dialog.removeEventListener('close', onClose);
      var back = document.getElementById('action-' + action);
      if (dialog.returnValue !== 'ok') {
        say('Cancelled; nothing was sent');
        loadDeployment(d.deploymentId, false);
        if (back) back.focus();
        return;
      }
      var text = comment.value.trim();
      var body = action === 'approve' || action === 'reject' ? Object.assign({ approvalId: d.approvalId }, text ? { comment: text } : {}) : action === 'stop' ? (text ? { reason: text } : {}) : undefined;
      request('POST', '/deployments/' + encodeURIComponent(d.deploymentId) + '/' + action, body).then(function (answer) {
        say(action === 'approve' ? 'Approved' + (answer.by ? ' by ' + answer.by : '') : action === 'reject' ? 'Rejected' : action === 'stop' ? 'Stop requested' : 'Promotion requested');
        loadDeployment(d.deploymentId, false);
      }).catch(function (error) {
        main.insertBefore(showError(error), main.children[2] || null);
        say('Failed: ' + error.message);
        later(POLL_MS, function () { loadDeployment(d.deploymentId, false); });
      });
    });
    dialog.showModal();
    (withComment ? comment : ok).focus();
  }

  /* The traffic on the new version as a step plot, from the history: each weight the engine set,
     the promotion (100%), the rollback (0%); checks, approvals and the ending marked on the time axis. */
  function trafficPoints(d) {
    var points = [];
    (d.events || []).forEach(function (e) {
      var at = Date.parse(e.at);
      if (e.kind === 'weight' && e.data && typeof e.data.percent === 'number') points.push({ at: at, iso: e.at, weight: e.data.percent, kind: 'weight' });
      else if (e.kind === 'promoted') points.push({ at: at, iso: e.at, weight: 100, kind: 'promoted' });
      else if (e.kind === 'rolledBack') points.push({ at: at, iso: e.at, weight: 0, kind: 'rolledBack' });
    });
    return points;
  }

  function timeline(d) {
    var W = 900, H = 260, L = 48, R = 16, T = 16, B = 46;
    var events = d.events || [];
    var points = trafficPoints(d);
    var start = Date.parse(d.startedAt || d.createdAt);
    var times = events.map(function (e) { return Date.parse(e.at); });
    var open = OPEN.indexOf(d.status) >= 0;
    var end = Math.max.apply(null, [start + 1000].concat(times, open && d.serverTime ? [Date.parse(d.serverTime)] : []));
    var x = function (t) { return L + ((t - start) / (end - start)) * (W - L - R); };
    var y = function (w) { return T + (1 - w / 100) * (H - T - B); };
    var round = function (n) { return Math.round(n * 10) / 10; };
    var label = 'Traffic on version ' + (d.newVersion || '?') + ': ' + (points.length === 0 ? 'none yet' : points.map(function (p) { return p.weight + '% at ' + when(p.iso); }).join(', '));
    var plot = svg('svg', { class: 'timeline', id: 'timeline', viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-labelledby': 'timeline-title timeline-desc', 'data-start': new Date(start).toISOString(), 'data-end': new Date(end).toISOString() });
    plot.appendChild(svg('desc', { id: 'timeline-desc' }, label));
    [0, 25, 50, 75, 100].forEach(function (w) {
      plot.appendChild(svg('line', { class: w === 0 ? 'axis' : 'grid', x1: L, x2: W - R, y1: y(w), y2: y(w) }));
      plot.appendChild(svg('text', { x: L - 6, y: y(w) + 4, 'text-anchor': 'end' }, w + '%'));
    });
    plot.appendChild(svg('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - B }));
    plot.appendChild(svg('text', { x: L, y: H - 8 }, when(new Date(start).toISOString())));
    plot.appendChild(svg('text', { x: W - R, y: H - 8, 'text-anchor': 'end' }, when(new Date(end).toISOString())));
    // The step line: each weight holds until the next change (or now / the end).
    if (points.length > 0) {
      var path = 'M ' + round(x(start)) + ' ' + round(y(0));
      points.forEach(function (p) { path += ' H ' + round(x(p.at)) + ' V ' + round(y(p.weight)); });
      path += ' H ' + round(x(end));
      plot.appendChild(svg('path', { class: 'weight-line', d: path }));
    }
    points.forEach(function (p) {
      plot.appendChild(svg('circle', { class: 'weight-point', cx: round(x(p.at)), cy: round(y(p.weight)), r: 5, 'data-at': p.iso, 'data-weight': p.weight, 'data-kind': p.kind }, svg('title', {}, p.weight + '% at ' + when(p.iso) + ' (' + p.kind + ')')));
    });
    events.forEach(function (e) {
      var cls = null;
      if (e.kind === 'check') cls = e.data && ['unhealthy', 'failed'].indexOf(e.data.verdict) >= 0 ? 'mark-check-bad' : 'mark-check-ok';
      else if (e.kind.indexOf('approval') === 0) cls = 'mark-approval';
      else if (e.kind === 'promoted') cls = 'mark-end-ok';
      else if (e.kind === 'rolledBack' || e.kind === 'failed' || e.kind === 'drifted') cls = 'mark-end-bad';
      else if (e.kind === 'stopRequested' || e.kind === 'promoteRequested') cls = 'mark-other';
      if (!cls) return;
      var t = Date.parse(e.at);
      var full = cls.indexOf('mark-end') === 0 || cls === 'mark-approval' || cls === 'mark-other';
      plot.appendChild(svg('line', { class: 'event-mark ' + cls, x1: round(x(t)), x2: round(x(t)), y1: full ? T : H - B - 8, y2: H - B + 8, 'data-kind': e.kind, 'data-at': e.at }, svg('title', {}, when(e.at) + ' ' + e.kind + ': ' + e.message)));
    });
    return el('figure', {}, [plot, el('figcaption', { class: 'legend' }, 'Blue: share of traffic on the new version. Ticks on the time axis: green a passed check, red a failed one; amber lines: approvals; grey: stop or promote requests; dashed: the ending.')]);
  }

  function checksTable(d) {
    var checks = (d.events || []).filter(function (e) { return e.kind === 'check'; });
    if (checks.length === 0) return el('p', { class: 'muted' }, 'No health check yet.');
    return el('table', { id: 'checks' }, [
      el('caption', { class: 'visually-hidden' }, 'Each check: the new version\'s invocations, errors and error rate since the previous check, and the other signals with the old version\'s values'),
      el('thead', {}, el('tr', {}, ['Time', 'Weight', 'Invocations (new)', 'Errors (new)', 'Error rate', 'Evidence this pause', 'Signals (new / old)', 'Verdict'].map(function (h) { return el('th', { scope: 'col' }, h); }))),
      el('tbody', {}, checks.map(function (e) {
        var data = e.data || {};
        var rate = data.errorRate;
        var signals = (data.signals || []).map(function (s) { return s.name + ': ' + (s.value === undefined ? '–' : s.value) + (s.baseline === undefined ? '' : ' / ' + s.baseline) + ' (' + s.verdict + ')'; }).join('; ');
        return el('tr', { 'data-at': e.at }, [
          el('td', {}, el('time', { datetime: e.at }, when(e.at))),
          el('td', { class: 'num' }, (data.weight === undefined ? '–' : data.weight + '%')),
          el('td', { class: 'num' }, rate ? rate.invocations : '–'),
          el('td', { class: 'num' }, rate ? rate.errors : '–'),
          el('td', { class: 'num' }, rate ? rate.ratePercent + '%' : '–'),
          el('td', { class: 'num' }, data.evidence ? data.evidence.invocations + ' of ' + data.evidence.required : '–'),
          el('td', {}, signals || '–'),
          el('td', {}, data.verdict || '–'),
        ]);
      })),
    ]);
  }

  /* ---- delivery metrics ---- */
  function renderMetrics() {
    setNav('metrics');
    document.title = 'Delivery metrics · fledge';
    var form = el('form', { class: 'filters', 'aria-label': 'Metrics window', onsubmit: function (event) {
      event.preventDefault();
      loadMetrics(form.elements.namedItem('function').value.trim(), form.elements.namedItem('since').value);
    } }, [
      el('label', {}, ['Function', el('input', { name: 'function', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'all functions' })]),
      el('label', {}, ['Window', el('select', { name: 'since' }, [['7d', 'last 7 days'], ['30d', 'last 30 days'], ['90d', 'last 90 days'], ['26w', 'last 26 weeks'], ['365d', 'last year']].map(function (o) { return el('option', { value: o[0], selected: o[0] === '90d' }, o[1]); }))]),
      el('button', { type: 'submit', class: 'primary' }, 'Show'),
    ]);
    main.replaceChildren(el('h1', {}, 'Delivery metrics'), form, el('div', { id: 'metrics' }, el('p', {}, 'Loading…')));
    loadMetrics('', '90d');
  }

  function loadMetrics(fn, since) {
    var mine = ++generation;
    var params = new URLSearchParams({ since: since });
    if (fn) params.set('function', fn);
    request('GET', '/metrics?' + params.toString()).then(function (m) {
      if (mine !== generation) return;
      var pct = function (r) { return r === null ? '–' : Math.round(r * 1000) / 10 + '%'; };
      var spread = function (s) { return s.samples === 0 ? '–' : duration(s.medianMs) + ' (p90 ' + duration(s.p90Ms) + ', n=' + s.samples + ')'; };
      var head = function (first) { return el('thead', {}, el('tr', {}, [first, 'Deployments', 'Per week', 'Change failure rate', 'Lead time (median)', 'Time to restore (median)'].map(function (h) { return el('th', { scope: 'col' }, h); }))); };
      var row = function (label, s) { return el('tr', { 'data-row': label }, [el('th', { scope: 'row' }, label), el('td', { class: 'num' }, s.deployments), el('td', { class: 'num' }, s.deploymentsPerWeek), el('td', { class: 'num' }, pct(s.changeFailureRate)), el('td', {}, spread(s.leadTime)), el('td', {}, spread(s.timeToRestore))]); };
      var most = Math.max.apply(null, [1].concat(m.weekly.map(function (w) { return w.deployments; })));
      var holder = document.getElementById('metrics');
      if (!holder) return;
      holder.replaceChildren(
        el('p', { class: 'muted' }, 'Deployments that ended from ' + when(m.from) + ' to ' + when(m.to) + '. A deployment counts when its new version served traffic; change failures are those rolled back or failed.'),
        el('table', { id: 'metrics-summary' }, [head('Function'), el('tbody', {}, [row('all functions', m.overall)].concat(m.functions.map(function (f) { return row(f.functionName, f); })))]),
        el('h2', {}, 'By ISO week'),
        el('table', { id: 'metrics-weekly' }, [head('Week'), el('tbody', {}, m.weekly.map(function (w) {
          var r = row(w.week, w);
          r.children[1].appendChild(el('span', { class: 'bar', 'aria-hidden': 'true', style: undefined, 'data-width': Math.round((w.deployments / most) * 100) }));
          return r;
        }))]),
      );
      Array.prototype.forEach.call(holder.querySelectorAll('.bar'), function (bar) { bar.style.width = bar.getAttribute('data-width') + 'px'; bar.style.marginLeft = '6px'; });
    }).catch(function (error) {
      if (mine !== generation) return;
      var holder = document.getElementById('metrics');
      if (holder) holder.replaceChildren(showError(error));
    });
  }

  function route() {
    stopPolling();
    generation += 1;
    var hash = location.hash || '#/';
    var match = /^#\/d\/(.+)$/.exec(hash);
    if (match) renderDeployment(decodeURIComponent(match[1]));
    else if (hash === '#/metrics') renderMetrics();
    else renderList();
  }
  window.addEventListener('hashchange', function () { route(); main.focus(); });
  route();
})();
`;
