// The HTML report's behaviour, run in the browser: reads the embedded report data and draws the
// case table, the chosen case's timeline (a lane per device and one for the server), its
// violations, the write history of the chosen violation, and the latency and queue-depth charts.
(() => {
  'use strict';
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const SVG = 'http://www.w3.org/2000/svg';
  const COLORS = ['#0969da', '#bf3989', '#1a7f37', '#9a6700', '#8250df', '#cf222e', '#116329', '#953800'];
  const FAULT_COLORS = { partition: '#cf222e', kill: '#8250df', clock: '#9a6700', batch_failure: '#bc4c00', backup_restore: '#116329', suspend: '#57606a', upgrade: '#0969da', server_restart: '#bf3989', latency: '#d4a72c', loss: '#fa4549', duplicate: '#6639ba', reorder: '#1b7c83' };

  /** An HTML element with text and attributes; children are appended in order. */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    for (const child of children) node.append(child);
    return node;
  }

  function svg(tag, attributes, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, String(value));
    for (const child of children) node.append(child);
    return node;
  }

  /** Simulated time as a person reads it: 1h02m03s, 4m05s, 12.5s. */
  function clock(ms) {
    if (ms === undefined || ms === null) return '—';
    const s = Math.floor(ms / 1000) % 60, m = Math.floor(ms / 60000) % 60, h = Math.floor(ms / 3600000);
    const pad = (n) => String(n).padStart(2, '0');
    if (h > 0) return `${h}h${pad(m)}m${pad(s)}s`;
    if (m > 0) return `${m}m${pad(s)}s`;
    return `${(ms / 1000).toFixed(1)}s`;
  }

  function verdictText(verdict) {
    return { pass: 'PASS', fail: 'FAIL', error: 'ERROR' }[verdict];
  }

  const header = document.getElementById('header');
  const t = data.totals;
  header.append(
    el('h1', { class: data.verdict }, headline()),
    el('div', { class: 'muted' }, `Run `, el('code', {}, data.runId), ` · started ${data.startedAt}`),
  );

  function headline() {
    const counts = `${t.failed} failed, ${t.errors} crashed, ${t.passed} passed`;
    if (data.interrupted) return `sync-chaos: interrupted (SIGINT) after ${t.cases} of ${data.interrupted.planned} cases: ${counts}`;
    if (data.verdict !== 'pass') return `sync-chaos: ${counts} (${t.cases} case${t.cases === 1 ? '' : 's'})`;
    return t.cases === 1 ? 'sync-chaos: the case passed' : `sync-chaos: all ${t.cases} cases passed`;
  }

  const caseTable = document.getElementById('cases');
  const rows = [];
  caseTable.append(el('thead', {}, el('tr', {}, ...['scenario', 'seed', 'verdict', 'violations', 'writes', 'conflicts', 'simulated', 'hash'].map((name, i) => el('th', { class: i === 1 || (i >= 3 && i <= 6) ? 'num' : '' }, name)))));
  const body = el('tbody');
  data.cases.forEach((each, index) => {
    const row = el(
      'tr',
      { class: 'case-row', 'data-index': String(index) },
      el('td', {}, each.scenario),
      el('td', { class: 'num' }, String(each.seed)),
      el('td', { class: each.verdict }, verdictText(each.verdict)),
      el('td', { class: 'num' }, String(each.violations.length)),
      el('td', { class: 'num' }, String(each.counts.writes)),
      el('td', { class: 'num' }, String(each.counts.conflicts)),
      el('td', { class: 'num' }, clock(each.simulatedMs)),
      el('td', {}, el('code', {}, each.eventLogHash)),
    );
    row.addEventListener('click', () => choose(index));
    rows.push(row);
    body.append(row);
  });
  caseTable.append(body);

  const detail = document.getElementById('case');

  function choose(index) {
    rows.forEach((row, i) => row.classList.toggle('chosen', i === index));
    drawCase(data.cases[index]);
  }

  function drawCase(each) {
    detail.replaceChildren();
    detail.append(
      el('h2', {}, `${each.scenario} · seed ${each.seed} · `, el('span', { class: each.verdict }, verdictText(each.verdict))),
      el('div', { class: 'muted' }, 'replay: ', el('code', {}, each.replay)),
    );
    const m = each.metrics;
    const latency = each.summary && each.summary.saveToAckMs;
    const facts = [
      ['writes', each.counts.writes],
      ['acknowledged', each.counts.acknowledged],
      ['lost', each.summary ? each.summary.lost : '—'],
      ['conflicts', Object.entries(m.conflictsByPolicy).map(([policy, n]) => `${n} ${policy}`).join(', ') || '0'],
      ['save→commit p50 / p95 / max', latency ? `${clock(latency.p50)} / ${clock(latency.p95)} / ${clock(latency.max)}` : '—'],
      ['peak queue depth', m.peakQueueDepth],
      ['retries', m.retries],
      ['messages', `${m.wire.messages} (${(m.wire.bytes / 1024).toFixed(1)} KiB)`],
    ];
    detail.append(el('div', { class: 'metrics' }, ...facts.map(([name, value]) => el('div', {}, el('b', {}, String(value)), el('span', { class: 'muted' }, name)))));
    if (each.error) detail.append(el('h3', { class: 'error' }, 'The system under test failed'), el('pre', { class: 'mono' }, each.error.message));

    const timeline = each.timeline;
    let marks = null;
    if (timeline) {
      detail.append(el('h3', {}, 'Timeline'), legend(timeline));
      const drawn = drawTimeline(timeline, each.violations);
      marks = drawn.marks;
      detail.append(drawn.node);
    } else {
      detail.append(el('p', { class: 'muted' }, 'No timeline for this case (the report keeps timelines for the failing cases and the first passing ones).'));
    }

    detail.append(el('h3', {}, `Violations (${each.violations.length})`));
    const history = el('div', { id: 'history' }, el('span', { class: 'muted' }, each.violations.length > 0 ? 'Choose a violation to see its write history.' : 'No violations.'));
    const list = el('ul', { class: 'violations' });
    const buttons = each.violations.map((violation, index) => {
      const button = el('button', { class: 'violation', type: 'button', 'data-index': String(index) }, `[${violation.checker}] ${violation.summary}`);
      button.addEventListener('click', () => {
        buttons.forEach((other) => other.classList.toggle('chosen', other === button));
        showHistory(history, violation, timeline, marks);
      });
      list.append(el('li', {}, button));
      return button;
    });
    detail.append(list, history);

    if (timeline) {
      detail.append(
        el('div', { class: 'charts' },
          el('div', {}, el('h3', {}, 'Save-to-ack latency (app ok → server commit)'), latencyChart(timeline)),
          el('div', {}, el('h3', {}, 'Queue depth over time'), queueChart(timeline))),
      );
    }
  }

  function legend(timeline) {
    const kinds = [...new Set(timeline.faults.map((fault) => fault.kind))];
    const item = (text, color, opacity) => el('span', { style: `--swatch:${color};--swatch-opacity:${opacity}` }, text);
    return el('div', { class: 'legend' },
      item('write', '#57606a', 1), item('write in a violation', '#cf222e', 1), item('server commit', '#1a7f37', 0.6), item('kill', '#cf222e', 1),
      ...kinds.map((kind) => item(`${kind} (fault)`, FAULT_COLORS[kind] || '#57606a', 0.28)));
  }

  const LANE = 26, LEFT = 48, WIDTH = 1000;

  function drawTimeline(timeline, violations) {
    const lanes = ['server', ...timeline.devices];
    const laneOf = new Map(lanes.map((name, i) => [name, i]));
    const x = (ms) => LEFT + ((WIDTH - LEFT - 10) * ms) / Math.max(1, timeline.endMs);
    const height = lanes.length * LANE + 24;
    const root = svg('svg', { viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', 'aria-label': 'timeline', id: 'timeline' });
    lanes.forEach((name, i) => {
      root.append(svg('line', { class: 'axis', x1: LEFT, x2: WIDTH - 10, y1: i * LANE + LANE / 2, y2: i * LANE + LANE / 2 }));
      root.append(svg('text', { class: 'lane-label', x: 4, y: i * LANE + LANE / 2 + 4 }, name));
    });
    for (const fault of timeline.faults) {
      const targets = fault.targets && fault.targets.length > 0 ? fault.targets : ['server'];
      for (const target of targets) {
        const lane = laneOf.get(target);
        if (lane === undefined) continue;
        const stop = fault.stopMs === undefined ? timeline.endMs : fault.stopMs;
        root.append(svg('rect', { class: 'fault', x: x(fault.startMs), y: lane * LANE + 2, width: Math.max(2, x(stop) - x(fault.startMs)), height: LANE - 4, fill: FAULT_COLORS[fault.kind] || '#57606a' },
          svg('title', {}, `${fault.kind} on ${target}: ${clock(fault.startMs)} – ${fault.stopMs === undefined ? 'never healed' : clock(fault.stopMs)}`)));
      }
    }
    const involved = new Set(violations.flatMap((v) => (v.record ? [v.record.id] : [])));
    const involvedOps = new Set(violations.flatMap((v) => (v.writes || []).map((w) => `${w.device}:${w.op}`)));
    const marks = new Map();
    for (const write of timeline.writes) {
      const lane = laneOf.get(write.device);
      const key = `${write.device}:${write.op}`;
      const hit = (write.id && involved.has(write.id)) || involvedOps.has(key);
      const mark = svg('line', { class: `write ${write.outcome}${hit ? ' involved' : ''}`, x1: x(write.atMs), x2: x(write.atMs), y1: lane * LANE + 5, y2: lane * LANE + LANE - 5, 'data-write': key },
        svg('title', {}, `${write.device} op ${write.op}: ${write.f} ${write.entity || ''} ${write.id || ''} at ${clock(write.atMs)} (${write.outcome}${write.committedMs === undefined ? ', never committed' : `, committed ${clock(write.committedMs)}`})`));
      marks.set(key, mark);
      root.append(mark);
      if (write.committedMs !== undefined) root.append(svg('line', { class: 'ack', x1: x(write.committedMs), x2: x(write.committedMs), y1: 6, y2: LANE - 6 }));
    }
    for (const kill of timeline.kills) {
      const lane = laneOf.get(kill.device);
      if (lane === undefined) continue;
      const cx = x(kill.atMs), cy = lane * LANE + LANE / 2;
      root.append(svg('path', { class: 'kill', d: `M${cx - 4} ${cy - 4}L${cx + 4} ${cy + 4}M${cx + 4} ${cy - 4}L${cx - 4} ${cy + 4}` }, svg('title', {}, `${kill.device} killed at ${clock(kill.atMs)}`)));
    }
    for (const violation of violations) {
      const lane = laneOf.get(violation.device);
      if (lane === undefined) continue;
      root.append(svg('path', { class: 'violation-mark', d: `M${WIDTH - 10} ${lane * LANE + LANE / 2}l-8 -6v12z` }, svg('title', {}, violation.summary)));
    }
    for (let i = 0; i <= 4; i++) {
      const ms = (timeline.endMs * i) / 4;
      root.append(svg('text', { x: x(ms), y: height - 6, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle' }, clock(ms)));
    }
    return { node: root, marks };
  }

  /** The chosen violation's writes (the checker's, or every write to its record) with their faults. */
  function showHistory(panel, violation, timeline, marks) {
    const byKey = new Map((timeline ? timeline.writes : []).map((write) => [`${write.device}:${write.op}`, write]));
    const writes = violation.writes && violation.writes.length > 0
      ? violation.writes.map((ref) => ({ ...byKey.get(`${ref.device}:${ref.op}`), ...ref }))
      : timeline && violation.record ? timeline.writes.filter((write) => write.id === violation.record.id) : [];
    if (marks) for (const [key, mark] of marks) mark.classList.toggle('chosen', writes.some((write) => `${write.device}:${write.op}` === key));
    const start = Math.min(...writes.map((write) => write.atMs));
    const end = Math.max(...writes.map((write) => (write.committedMs === undefined ? write.atMs : write.committedMs)));
    const faults = violation.faults && violation.faults.length > 0
      ? violation.faults
      : timeline ? timeline.faults.filter((fault) => fault.startMs <= end && (fault.stopMs === undefined || fault.stopMs >= start)) : [];
    const title = violation.record ? `Write history of ${violation.record.entity} ${violation.record.id}` : 'Writes involved';
    const table = el('table', { class: 'write-history' },
      el('thead', {}, el('tr', {}, ...['device', 'op', 'operation', 'saved at', 'outcome', 'server commit', 'field', 'token'].map((name) => el('th', {}, name)))),
      el('tbody', {}, ...writes.map((write) => el('tr', {},
        el('td', {}, write.device), el('td', { class: 'num' }, String(write.op)), el('td', {}, write.f), el('td', { class: 'num' }, clock(write.atMs)),
        el('td', {}, write.outcome), el('td', { class: 'num' }, write.committedMs === undefined ? 'never' : clock(write.committedMs)),
        el('td', {}, write.field || ''), el('td', {}, el('code', {}, write.token || ''))))));
    panel.replaceChildren(
      el('h3', {}, title),
      el('p', {}, violation.summary),
      writes.length > 0 ? table : el('p', { class: 'muted' }, 'The history holds no write to this record.'),
      el('h3', {}, `Faults during these writes (${faults.length})`),
      faults.length > 0
        ? el('ul', {}, ...faults.map((fault) => el('li', {}, `${fault.kind}${fault.targets ? ` on ${fault.targets.join(', ')}` : ''}: ${clock(fault.startMs)} – ${fault.stopMs === undefined ? 'never healed' : clock(fault.stopMs)}`)))
        : el('p', { class: 'muted' }, 'None.'),
    );
  }

  /** An x–y chart: axes, the y maximum, and what `draw` adds given the scales. */
  function chart(label, endMs, maxY, draw) {
    const W = 480, H = 200, L = 44, B = 22;
    const x = (ms) => L + ((W - L - 8) * ms) / Math.max(1, endMs);
    const y = (value) => H - B - ((H - B - 8) * value) / Math.max(1, maxY);
    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label, class: 'chart' },
      svg('line', { class: 'axis', x1: L, x2: W - 8, y1: H - B, y2: H - B }), svg('line', { class: 'axis', x1: L, x2: L, y1: 8, y2: H - B }),
      svg('text', { x: 2, y: 16 }, label.includes('latency') ? clock(maxY) : String(maxY)), svg('text', { x: 2, y: H - B }, '0'),
      svg('text', { x: L, y: H - 4 }, '0s'), svg('text', { x: W - 8, y: H - 4, 'text-anchor': 'end' }, clock(endMs)));
    draw(root, x, y);
    return root;
  }

  function latencyChart(timeline) {
    // As the run summary measures it: from the app's acknowledgement to the server's commit.
    const latency = (write) => Math.max(0, write.committedMs - write.okMs);
    const acked = timeline.writes.filter((write) => write.committedMs !== undefined && write.okMs !== undefined);
    const maxY = Math.max(1, ...acked.map(latency));
    const devices = timeline.devices;
    return chart('save-to-ack latency', timeline.endMs, maxY, (root, x, y) => {
      for (const write of acked) {
        root.append(svg('circle', { cx: x(write.atMs), cy: y(latency(write)), r: 2.2, fill: COLORS[devices.indexOf(write.device) % COLORS.length] },
          svg('title', {}, `${write.device} op ${write.op}: ${clock(latency(write))}`)));
      }
    });
  }

  function queueChart(timeline) {
    const series = Object.entries(timeline.queueDepth);
    const maxY = Math.max(1, ...series.flatMap(([, points]) => points.map(([, depth]) => depth)));
    return chart('queue depth', timeline.endMs, maxY, (root, x, y) => {
      for (const [device, points] of series) {
        let d = '';
        points.forEach(([ms, depth], i) => { d += i === 0 ? `M${x(ms)} ${y(depth)}` : `H${x(ms)}V${y(depth)}`; });
        d += `H${x(timeline.endMs)}`;
        root.append(svg('path', { d, fill: 'none', stroke: COLORS[timeline.devices.indexOf(device) % COLORS.length], 'stroke-width': 1.5 }, svg('title', {}, device)));
      }
    });
  }

  const first = data.cases.findIndex((each) => each.verdict !== 'pass');
  if (data.cases.length > 0) choose(first === -1 ? 0 : first);
})();
