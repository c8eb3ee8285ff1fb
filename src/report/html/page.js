// The HTML report's behaviour, run in the browser: reads the embedded report data and draws the
// case table and, for the chosen case, its stat tiles, a zoomable timeline (a lane per device and
// the server), its violations (filtered, grouped, searched), the chosen one's write history, and charts.
(() => {
  'use strict';
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const SVG = 'http://www.w3.org/2000/svg';
  const COLORS = ['#0969da', '#bf3989', '#1a7f37', '#9a6700', '#8250df', '#cf222e', '#116329', '#953800'];
  const FAULT_COLORS = { partition: '#cf222e', kill: '#8250df', clock: '#9a6700', batch_failure: '#bc4c00', backup_restore: '#116329', reinstall: '#0a3069', suspend: '#57606a', upgrade: '#0969da', server_restart: '#bf3989', server_restore: '#a40e26', latency: '#d4a72c', loss: '#fa4549', duplicate: '#6639ba', reorder: '#1b7c83', tombstone_retention: '#4d2d00' };
  /** The narrowest frame the timeline zooms to: ticks stay a tenth of a second apart at least. */
  const MIN_FRAME_MS = 1000;
  /** How much of the run either side of a violation's writes its zoom shows at least: the writes just before and after. */
  const CONTEXT_MS = 5000;
  const SEARCH_PAUSE_MS = 150;

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

  /** A latency: 40ms below a second, else as `clock` says it. */
  function duration(ms) {
    return ms < 1000 ? `${Math.round(ms)}ms` : clock(ms);
  }

  const shortId = (id) => id.slice(0, 8);
  const verdictText = (verdict) => ({ pass: 'PASS', fail: 'FAIL', error: 'ERROR' })[verdict];
  const faultColor = (kind) => FAULT_COLORS[kind] || '#57606a';
  const faultText = (fault) => `${fault.kind}${fault.mode ? ` (${fault.mode})` : ''}${fault.targets ? ` on ${fault.targets.join(', ')}` : ' on the server'}: ${clock(fault.startMs)} – ${fault.stopMs === undefined ? 'never healed' : clock(fault.stopMs)}`;

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

  /**
   * One case's page. `state` is what the reader chose: the timeline's frame, the violation
   * filter (checker and search text), the grouping, and the chosen violation; `redraw` repaints
   * the parts that depend on it.
   */
  function drawCase(each) {
    const timeline = each.timeline;
    const wholeRun = { fromMs: 0, toMs: Math.max(1, timeline ? timeline.endMs : each.simulatedMs) };
    const state = { frame: wholeRun, checker: 'all', search: '', groupBy: 'checker', chosen: undefined };
    const faultsById = new Map((timeline ? timeline.faults : []).map((fault) => [fault.faultId, fault]));
    const deviceColor = (device) => COLORS[(timeline ? timeline.devices.indexOf(device) : 0) % COLORS.length];

    detail.replaceChildren(
      el('h2', {}, `${each.scenario} · seed ${each.seed} · `, el('span', { class: each.verdict }, verdictText(each.verdict))),
      replayLine(each.replay),
      tiles(each),
      checkerCounts(each),
    );
    if (each.error) detail.append(el('h3', { class: 'error' }, 'The system under test failed'), el('pre', { class: 'mono' }, each.error.message));

    const timelineBox = el('div', { id: 'timeline-box' });
    const frameText = el('span', { id: 'zoom-frame', class: 'muted' });
    const resetZoom = el('button', { type: 'button', id: 'reset-zoom' }, 'Reset zoom');
    resetZoom.addEventListener('click', () => zoom(wholeRun));
    const chartsBox = el('div', { class: 'charts' });
    if (timeline) {
      detail.append(
        el('h3', {}, 'Timeline'),
        el('div', { class: 'zoom-bar' }, frameText, resetZoom, el('span', { class: 'muted' }, 'Drag across the timeline to zoom; choosing a violation zooms to its writes.')),
        legend(timeline, deviceColor),
        timelineBox,
      );
    } else {
      detail.append(el('p', { class: 'muted' }, 'No timeline for this case (the report keeps timelines for the failing cases and the first passing ones).'));
    }

    const checkerSelect = el('select', { id: 'filter-checker', 'aria-label': 'checker' },
      el('option', { value: 'all' }, `every checker (${each.violations.length})`),
      ...byChecker(each).map(([checker, count]) => el('option', { value: checker }, `${checker} (${count})`)));
    const groupSelect = el('select', { id: 'group-by', 'aria-label': 'group by' },
      el('option', { value: 'checker' }, 'group by checker'), el('option', { value: 'record' }, 'group by record'), el('option', { value: 'none' }, 'no grouping'));
    const searchBox = el('input', { id: 'search', type: 'search', placeholder: 'search summaries, record ids, devices', 'aria-label': 'search violations' });
    const shown = el('span', { id: 'violations-shown', class: 'muted' });
    checkerSelect.addEventListener('change', () => { state.checker = checkerSelect.value; redrawList(); });
    groupSelect.addEventListener('change', () => { state.groupBy = groupSelect.value; redrawList(); });
    // redrawn once typing pauses, not on every keystroke of a long run's list
    let typing;
    searchBox.addEventListener('input', () => {
      clearTimeout(typing);
      typing = setTimeout(() => { state.search = searchBox.value.trim().toLowerCase(); redrawList(); }, SEARCH_PAUSE_MS);
    });
    const list = el('div', { id: 'violations', class: 'violations' });
    const history = el('div', { id: 'history' }, el('span', { class: 'muted' }, each.violations.length > 0 ? 'Choose a violation to see its write history.' : 'No violations.'));
    detail.append(el('h3', {}, `Violations (${each.violations.length})`));
    if (each.violations.length > 0) detail.append(el('div', { class: 'filters' }, checkerSelect, groupSelect, searchBox, shown));
    detail.append(list, history);
    if (timeline) detail.append(chartsBox);

    function matches(violation) {
      if (state.checker !== 'all' && violation.checker !== state.checker) return false;
      if (!state.search) return true;
      const record = violation.record ? `${violation.record.entity} ${violation.record.id}` : '';
      return `${violation.checker} ${violation.kind || ''} ${violation.summary} ${record} ${violation.device || ''}`.toLowerCase().includes(state.search);
    }

    /** The violations the filter lets through, root cause first (the order the report computed). */
    const visible = () => each.order.filter((index) => matches(each.violations[index]));

    function redrawList() {
      const indices = visible();
      shown.textContent = `showing ${indices.length} of ${each.violations.length}`;
      list.replaceChildren(...groups(indices).map(([label, members]) => {
        const items = members.map((index) => {
          const violation = each.violations[index];
          const button = el('button', { class: `violation${index === state.chosen ? ' chosen' : ''}`, type: 'button', 'data-index': String(index), 'data-checker': violation.checker }, `[${violation.checker}] ${violation.summary}`);
          button.addEventListener('click', () => chooseViolation(index));
          return el('li', {}, button);
        });
        return label === undefined ? el('ul', {}, ...items) : el('details', { open: '', class: 'group' }, el('summary', {}, label), el('ul', {}, ...items));
      }));
      markInvolved();
    }

    /** Marks red the timeline's writes that a listed violation involves. */
    function markInvolved() {
      const involved = new Set(visible().flatMap((index) => (each.views ? each.views[index].writes : [])));
      for (const mark of timelineBox.querySelectorAll('.write')) mark.classList.toggle('involved', involved.has(mark.dataset.write));
    }

    /** Groups in the order their first member comes: by checker, by record, or one unlabelled group. */
    function groups(indices) {
      if (state.groupBy === 'none') return [[undefined, indices]];
      const keyOf = (violation) => (state.groupBy === 'checker' ? violation.checker : violation.record ? violation.record.id : '');
      const grouped = new Map();
      for (const index of indices) {
        const key = keyOf(each.violations[index]);
        grouped.set(key, [...(grouped.get(key) || []), index]);
      }
      return [...grouped].map(([key, members]) => [groupLabel(key, members), members]);
    }

    function groupLabel(key, members) {
      const count = `${members.length} violation${members.length === 1 ? '' : 's'}`;
      if (state.groupBy === 'checker') return `${key} · ${count}`;
      if (key === '') return `no record · ${count}`;
      const checkers = [...new Set(members.map((index) => each.violations[index].checker))].join(', ');
      return `${each.violations[members[0]].record.entity} ${shortId(key)} · ${count}: ${checkers}`;
    }

    function chooseViolation(index) {
      state.chosen = index;
      for (const button of list.querySelectorAll('button.violation')) button.classList.toggle('chosen', button.dataset.index === String(index));
      const view = each.views && each.views[index];
      showHistory(index);
      if (view && view.fromMs !== undefined) zoom(paddedFrame(view.fromMs, view.toMs));
      else redrawPlots();
    }

    /** The span with a quarter of its width (at least CONTEXT_MS) either side, inside the run. */
    function paddedFrame(fromMs, toMs) {
      const pad = Math.max((toMs - fromMs) / 4, CONTEXT_MS);
      return { fromMs: Math.max(0, fromMs - pad), toMs: Math.min(wholeRun.toMs, toMs + pad) };
    }

    function zoom(target) {
      const width = Math.max(MIN_FRAME_MS, target.toMs - target.fromMs);
      const fromMs = Math.max(0, Math.min(target.fromMs, wholeRun.toMs - width));
      state.frame = { fromMs, toMs: Math.min(wholeRun.toMs, fromMs + width) };
      redrawPlots();
    }

    function redrawPlots() {
      if (!timeline) return;
      const zoomed = state.frame.fromMs > wholeRun.fromMs || state.frame.toMs < wholeRun.toMs;
      frameText.textContent = `showing ${clock(state.frame.fromMs)} – ${clock(state.frame.toMs)}${zoomed ? ` of ${clock(wholeRun.toMs)}` : ' (the whole run)'}`;
      timelineBox.dataset.fromMs = String(state.frame.fromMs);
      timelineBox.dataset.toMs = String(state.frame.toMs);
      resetZoom.disabled = !zoomed;
      const chosenView = state.chosen !== undefined && each.views ? each.views[state.chosen] : undefined;
      timelineBox.replaceChildren(drawTimeline(timeline, state.frame, chosenView, deviceColor, zoom));
      markInvolved();
      chartsBox.replaceChildren(
        el('div', {}, el('h3', {}, 'Save-to-commit latency (log scale)'), latencyChart(timeline, each.summary, state.frame, chosenView, deviceColor)),
        el('div', {}, el('h3', {}, 'Queue depth over time'), queueChart(timeline, state.frame, chosenView, deviceColor)),
      );
    }

    /** The chosen violation's writes with their faults: only those in force while the writes were saved and committed. */
    function showHistory(index) {
      const violation = each.violations[index];
      const view = each.views && each.views[index];
      const byKey = new Map((timeline ? timeline.writes : []).map((write) => [`${write.device}:${write.op}`, write]));
      const refs = new Map((violation.writes || []).map((ref) => [`${ref.device}:${ref.op}`, ref]));
      const writes = view ? view.writes.map((key) => ({ ...byKey.get(key), ...refs.get(key) })) : [];
      const faults = view ? view.faultIds.map((id) => faultsById.get(id)) : [];
      const title = violation.record ? `Write history of ${violation.record.entity} ${violation.record.id}` : 'Writes involved';
      const table = el('table', { class: 'write-history' },
        el('thead', {}, el('tr', {}, ...['device', 'op', 'operation', 'saved at', 'outcome', 'server commit', 'field', 'token'].map((name) => el('th', {}, name)))),
        el('tbody', {}, ...writes.map((write) => el('tr', {},
          el('td', {}, write.device), el('td', { class: 'num' }, String(write.op)), el('td', {}, write.f), el('td', { class: 'num' }, clock(write.atMs)),
          el('td', {}, write.outcome), el('td', { class: 'num' }, write.committedMs === undefined ? 'never' : clock(write.committedMs)),
          el('td', {}, write.field || ''), el('td', {}, el('code', {}, write.token || ''))))));
      const onlyRecord = el('button', { type: 'button', id: 'only-record' }, 'Only this record’s violations');
      onlyRecord.addEventListener('click', () => {
        searchBox.value = violation.record.id;
        state.search = violation.record.id.toLowerCase();
        state.checker = checkerSelect.value = 'all';
        redrawList();
      });
      history.replaceChildren(
        el('h3', {}, title),
        el('p', {}, violation.summary),
        ...(violation.record ? [onlyRecord] : []),
        writes.length > 0 ? table : el('p', { class: 'muted' }, violation.record ? 'The history holds no write to this record.' : 'The checker names no write for this violation.'),
        el('h3', {}, `Faults during these writes (${faults.length})`),
        view && view.fromMs !== undefined ? el('p', { class: 'muted' }, view.toMs > view.fromMs ? `The faults in force between ${clock(view.fromMs)} and ${clock(view.toMs)}, from the first save to the last server commit (or acknowledgement).` : `The faults in force at ${clock(view.fromMs)}, when the write was saved.`) : '',
        faults.length > 0 ? el('ul', { class: 'faults' }, ...faults.map((fault) => el('li', {}, faultText(fault)))) : el('p', { class: 'muted' }, 'None.'),
      );
    }

    redrawPlots();
    redrawList();
  }

  /** The replay command with a button that copies it. */
  function replayLine(replay) {
    const code = el('code', { id: 'replay' }, replay);
    const button = el('button', { type: 'button', id: 'copy-replay' }, 'Copy');
    button.addEventListener('click', () => {
      const copied = navigator.clipboard ? navigator.clipboard.writeText(replay) : Promise.reject(new Error('no clipboard'));
      copied.then(() => { button.textContent = 'Copied'; }, () => {
        // no clipboard access (a browser's policy for local files): select the command for Ctrl+C
        getSelection().selectAllChildren(code);
        button.textContent = 'Selected: press Ctrl+C';
      });
    });
    return el('div', { class: 'replay' }, el('span', { class: 'muted' }, 'replay: '), code, button);
  }

  /** The case's numbers, each read from the report.json field its `data-stat` names. */
  function tiles(each) {
    const summary = each.summary;
    const latency = summary && summary.saveToAckMs;
    const facts = [
      ['writes attempted', 'summary.attempted'],
      ['saved on device', 'summary.acknowledged'],
      ['lost', 'summary.lost', true],
      ['resurrected', 'summary.resurrected', true],
      ['duplicated', 'summary.duplicated', true],
      ['unknown outcome', 'summary.unknownOutcome', true],
      ['overwritten (conflict logged)', 'summary.overwritten'],
      ['kept in a conflict copy', 'summary.kept'],
      ['conflicts', 'counts.conflicts'],
      ['peak queue depth', 'metrics.peakQueueDepth'],
      ['retries', 'metrics.retries'],
      ['messages', 'metrics.wire.messages'],
    ];
    const valueAt = (path) => path.split('.').reduce((value, name) => (value === undefined ? undefined : value[name]), each);
    const tile = (name, value, attributes) => el('div', attributes, el('b', {}, value), el('span', { class: 'muted' }, name));
    return el('div', { class: 'metrics' },
      ...facts.map(([name, path, bad]) => {
        const value = valueAt(path);
        return tile(name, value === undefined ? '—' : String(value), { 'data-stat': path, class: bad && value > 0 ? 'bad' : '' });
      }),
      tile('save→commit p50 / p95 / p99 / max', latency ? `${duration(latency.p50)} / ${duration(latency.p95)} / ${duration(latency.p99)} / ${duration(latency.max)}` : '—', {}));
  }

  /** [checker, count] for each checker with a violation, root cause first. */
  function byChecker(each) {
    const counts = new Map();
    for (const index of each.order) counts.set(each.violations[index].checker, (counts.get(each.violations[index].checker) || 0) + 1);
    return [...counts];
  }

  function checkerCounts(each) {
    if (each.violations.length === 0) return '';
    const records = new Set(each.violations.flatMap((violation) => (violation.record ? [violation.record.id] : []))).size;
    return el('p', { id: 'checker-counts' }, byChecker(each).map(([checker, count]) => `${count} ${checker}`).join(' · '), ` (${records} record${records === 1 ? '' : 's'} affected)`);
  }

  function legend(timeline, deviceColor) {
    const kinds = [...new Set(timeline.faults.map((fault) => fault.kind))];
    const item = (text, color, opacity) => el('span', { style: `--swatch:${color};--swatch-opacity:${opacity}` }, text);
    return el('div', { class: 'legend', id: 'legend' },
      el('span', { class: 'legend-title' }, 'devices:'), ...timeline.devices.map((device) => item(device, deviceColor(device), 1)),
      el('span', { class: 'legend-title' }, 'faults:'), ...(kinds.length > 0 ? kinds.map((kind) => item(kind, faultColor(kind), 0.35)) : [el('span', { class: 'none' }, 'none in this run')]),
      el('span', { class: 'legend-title' }, 'marks:'),
      item('write', '#57606a', 1), item('write of a listed violation', '#cf222e', 1), item('chosen violation', '#0969da', 1), item('server commit', '#1a7f37', 0.6), item('kill', '#cf222e', 1));
  }

  const TIME_STEPS_MS = [100, 200, 500, 1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 108e5, 216e5, 432e5, 864e5];

  /** Round moments in the frame, at most about `count` of them. */
  function timeTicks(frame, count) {
    const span = frame.toMs - frame.fromMs;
    const step = TIME_STEPS_MS.find((ms) => span / ms <= count) || TIME_STEPS_MS[TIME_STEPS_MS.length - 1];
    const ticks = [];
    for (let ms = Math.ceil(frame.fromMs / step) * step; ms <= frame.toMs; ms += step) ticks.push(ms);
    return ticks;
  }

  /** The x scale of a plot `left`..`right` px wide showing `frame`, and whether a span shows in it. */
  function xScale(frame, left, right) {
    const x = (ms) => left + ((right - left) * (ms - frame.fromMs)) / (frame.toMs - frame.fromMs);
    const clamp = (ms) => x(Math.max(frame.fromMs, Math.min(frame.toMs, ms)));
    const overlaps = (fromMs, toMs) => fromMs <= frame.toMs && toMs >= frame.fromMs;
    return { x, clamp, overlaps };
  }

  const LANE = 26, LEFT = 48, RIGHT = 990, WIDTH = 1000, AXIS = 22;

  function drawTimeline(timeline, frame, chosenView, deviceColor, zoom) {
    const lanes = ['server', ...timeline.devices];
    const laneOf = new Map(lanes.map((name, i) => [name, i]));
    const { x, clamp, overlaps } = xScale(frame, LEFT, RIGHT);
    const bottom = lanes.length * LANE;
    const height = bottom + AXIS;
    const root = svg('svg', { viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', 'aria-label': 'timeline', id: 'timeline' });
    for (const ms of timeTicks(frame, 10)) {
      root.append(svg('line', { class: 'grid', x1: x(ms), x2: x(ms), y1: 0, y2: bottom }), svg('line', { class: 'axis', x1: x(ms), x2: x(ms), y1: bottom, y2: bottom + 4 }),
        svg('text', { class: 'tick', x: x(ms), y: height - 6, 'text-anchor': 'middle' }, clock(ms)));
    }
    root.append(svg('line', { class: 'axis', x1: LEFT, x2: RIGHT, y1: bottom, y2: bottom }));
    lanes.forEach((name, i) => {
      root.append(svg('line', { class: 'lane', x1: LEFT, x2: RIGHT, y1: i * LANE + LANE / 2, y2: i * LANE + LANE / 2 }));
      root.append(svg('text', { class: 'lane-label', x: 4, y: i * LANE + LANE / 2 + 4, ...(i > 0 && { fill: deviceColor(name) }) }, name));
    });
    if (chosenView && chosenView.fromMs !== undefined) root.append(spanBand(chosenView, clamp, 0, bottom));
    for (const fault of timeline.faults) {
      const stopMs = fault.stopMs === undefined ? timeline.endMs : fault.stopMs;
      if (!overlaps(fault.startMs, stopMs)) continue;
      for (const target of fault.targets && fault.targets.length > 0 ? fault.targets : ['server']) {
        const lane = laneOf.get(target);
        if (lane === undefined) continue;
        root.append(svg('rect', { class: 'fault', 'data-kind': fault.kind, x: clamp(fault.startMs), y: lane * LANE + 2, width: Math.max(2, clamp(stopMs) - clamp(fault.startMs)), height: LANE - 4, fill: faultColor(fault.kind) },
          svg('title', {}, faultText(fault))));
      }
    }
    const chosen = new Set(chosenView ? chosenView.writes : []);
    for (const write of timeline.writes) {
      const key = `${write.device}:${write.op}`;
      const lane = laneOf.get(write.device);
      if (overlaps(write.atMs, write.atMs)) {
        const mark = svg('line', { class: `write ${write.outcome}${chosen.has(key) ? ' chosen' : ''}`, x1: x(write.atMs), x2: x(write.atMs), y1: lane * LANE + 5, y2: lane * LANE + LANE - 5, 'data-write': key },
          svg('title', {}, `${write.device} op ${write.op}: ${write.f} ${write.entity || ''} ${write.id || ''} at ${clock(write.atMs)} (${write.outcome}${write.committedMs === undefined ? ', never committed' : `, committed ${clock(write.committedMs)}`})`));
        root.append(mark);
      }
      if (write.committedMs !== undefined && overlaps(write.committedMs, write.committedMs)) root.append(svg('line', { class: 'ack', x1: x(write.committedMs), x2: x(write.committedMs), y1: 6, y2: LANE - 6 }));
    }
    for (const kill of timeline.kills) {
      const lane = laneOf.get(kill.device);
      if (lane === undefined || !overlaps(kill.atMs, kill.atMs)) continue;
      const cx = x(kill.atMs), cy = lane * LANE + LANE / 2;
      root.append(svg('path', { class: 'kill', d: `M${cx - 4} ${cy - 4}L${cx + 4} ${cy + 4}M${cx + 4} ${cy - 4}L${cx - 4} ${cy + 4}` }, svg('title', {}, `${kill.device} killed at ${clock(kill.atMs)}`)));
    }
    dragToZoom(root, frame, height, zoom);
    return root;
  }

  /** The chosen violation's span, shaded behind a plot. */
  function spanBand(view, clamp, top, bottom) {
    return svg('rect', { class: 'violation-span', x: clamp(view.fromMs), y: top, width: Math.max(3, clamp(view.toMs) - clamp(view.fromMs)), height: bottom - top },
      svg('title', {}, `the chosen violation's writes: ${clock(view.fromMs)} – ${clock(view.toMs)}`));
  }

  /** A drag across the timeline zooms every plot to the part it crossed. */
  function dragToZoom(root, frame, height, zoom) {
    const brush = svg('rect', { class: 'brush', x: 0, y: 0, width: 0, height, visibility: 'hidden' });
    root.append(brush);
    const toViewBox = (event) => {
      const box = root.getBoundingClientRect();
      return Math.max(LEFT, Math.min(RIGHT, ((event.clientX - box.left) * WIDTH) / box.width));
    };
    let startX;
    root.addEventListener('pointerdown', (event) => {
      startX = toViewBox(event);
      root.setPointerCapture(event.pointerId);
    });
    root.addEventListener('pointermove', (event) => {
      if (startX === undefined) return;
      const atX = toViewBox(event);
      brush.setAttribute('x', String(Math.min(startX, atX)));
      brush.setAttribute('width', String(Math.abs(atX - startX)));
      brush.setAttribute('visibility', 'visible');
    });
    root.addEventListener('pointerup', (event) => {
      if (startX === undefined) return;
      const endX = toViewBox(event);
      const fromX = Math.min(startX, endX), toX = Math.max(startX, endX);
      startX = undefined;
      brush.setAttribute('visibility', 'hidden');
      const msAt = (px) => frame.fromMs + ((px - LEFT) / (RIGHT - LEFT)) * (frame.toMs - frame.fromMs);
      if (toX - fromX >= 5) zoom({ fromMs: msAt(fromX), toMs: msAt(toX) });
    });
  }

  const W = 480, H = 210, L = 52, R = 472, TOP = 8, B = 24;

  /**
   * An x–y chart of the frame: time ticks below, `yTicks` (value, label) left, the faults in force
   * as bands behind the data (with the chosen violation's span), and what `draw` adds given the scales.
   */
  function chart(label, timeline, frame, chosenView, yTicks, y, draw) {
    const { x, clamp, overlaps } = xScale(frame, L, R);
    const bottom = H - B;
    const clipId = `clip-${label.replace(/\W+/g, '-')}`;
    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label, class: 'chart' },
      svg('defs', {}, svg('clipPath', { id: clipId }, svg('rect', { x: L, y: TOP, width: R - L, height: bottom - TOP }))));
    for (const fault of timeline.faults) {
      const stopMs = fault.stopMs === undefined ? timeline.endMs : fault.stopMs;
      if (!overlaps(fault.startMs, stopMs)) continue;
      root.append(svg('rect', { class: 'fault-band', 'data-kind': fault.kind, x: clamp(fault.startMs), y: TOP, width: Math.max(2, clamp(stopMs) - clamp(fault.startMs)), height: bottom - TOP, fill: faultColor(fault.kind) },
        svg('title', {}, faultText(fault))));
    }
    if (chosenView && chosenView.fromMs !== undefined && overlaps(chosenView.fromMs, chosenView.toMs)) root.append(spanBand(chosenView, clamp, TOP, bottom));
    for (const [value, text] of yTicks) {
      root.append(svg('line', { class: 'grid', x1: L, x2: R, y1: y(value), y2: y(value) }), svg('text', { class: 'tick', x: L - 4, y: y(value) + 4, 'text-anchor': 'end' }, text));
    }
    for (const ms of timeTicks(frame, 5)) {
      root.append(svg('line', { class: 'axis', x1: x(ms), x2: x(ms), y1: bottom, y2: bottom + 4 }), svg('text', { class: 'tick', x: x(ms), y: H - 6, 'text-anchor': 'middle' }, clock(ms)));
    }
    root.append(svg('line', { class: 'axis', x1: L, x2: R, y1: bottom, y2: bottom }), svg('line', { class: 'axis', x1: L, x2: L, y1: TOP, y2: bottom }));
    const plot = svg('g', { 'clip-path': `url(#${clipId})` });
    draw(plot, x, overlaps);
    root.append(plot);
    return root;
  }

  /** Faster commits are drawn on the chart's floor: below it a log scale only spreads noise. */
  const LATENCY_FLOOR_MS = 10;
  /** Round latencies a log axis marks, and the ones it keeps when it spans more than three decades. */
  const LATENCY_TICKS_MS = [10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 3e4, 6e4, 12e4, 3e5, 6e5, 12e5, 18e5, 36e5, 72e5, 216e5, 864e5];
  const MAJOR_LATENCY_TICKS_MS = [10, 100, 1e3, 1e4, 6e4, 6e5, 36e5, 864e5];

  /**
   * Latency on a log scale, so one slow write does not flatten the rest: from the round latency
   * below the fastest commit to the one above the slowest, and the summary's p50/p95/p99 as lines.
   */
  function latencyChart(timeline, summary, frame, chosenView, deviceColor) {
    // As the run summary measures it: from the app's acknowledgement to the server's commit.
    const latency = (write) => Math.max(0, write.committedMs - write.okMs);
    const acked = timeline.writes.filter((write) => write.committedMs !== undefined && write.okMs !== undefined);
    const values = acked.map(latency);
    const fastest = Math.max(LATENCY_FLOOR_MS, Math.min(...values, 1e3)), slowest = Math.max(...values, 1e3);
    const low = LATENCY_TICKS_MS.filter((ms) => ms <= fastest).pop();
    const high = Math.max(LATENCY_TICKS_MS.find((ms) => ms >= slowest && ms > low) || slowest, low * 10);
    const bottom = H - B;
    const y = (ms) => bottom - ((bottom - TOP) * (Math.log10(Math.max(low, ms)) - Math.log10(low))) / (Math.log10(high) - Math.log10(low));
    const ticks = (high / low > 1000 ? MAJOR_LATENCY_TICKS_MS : LATENCY_TICKS_MS).filter((ms) => ms >= low && ms <= high).map((ms) => [ms, duration(ms)]);
    const percentiles = summary && summary.saveToAckMs ? ['p50', 'p95', 'p99'].map((name) => [name, summary.saveToAckMs[name]]) : [];
    return chart('save-to-commit latency', timeline, frame, chosenView, ticks, y, (plot, x, overlaps) => {
      percentiles.forEach(([name, ms], i) => {
        // side by side, so close percentiles do not print over each other; below a line at the top
        plot.append(svg('line', { class: 'percentile', x1: L, x2: R, y1: y(ms), y2: y(ms) }), svg('text', { class: 'tick percentile-label', x: R - 2 - 90 * (2 - i), y: y(ms) - TOP < 12 ? y(ms) + 11 : y(ms) - 3, 'text-anchor': 'end' }, `${name} ${duration(ms)}`));
      });
      for (const write of acked) {
        if (!overlaps(write.atMs, write.atMs)) continue;
        plot.append(svg('circle', { class: 'latency', cx: x(write.atMs), cy: y(latency(write)), r: 2.4, fill: deviceColor(write.device) },
          svg('title', {}, `${write.device} op ${write.op}: ${duration(latency(write))}`)));
      }
    });
  }

  function queueChart(timeline, frame, chosenView, deviceColor) {
    const series = Object.entries(timeline.queueDepth);
    const maxDepth = Math.max(1, ...series.flatMap(([, points]) => points.map(([, depth]) => depth)));
    const step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000].find((each) => maxDepth / each <= 5) || Math.ceil(maxDepth / 5);
    const top = Math.ceil(maxDepth / step) * step;
    const bottom = H - B;
    const y = (depth) => bottom - ((bottom - TOP) * depth) / top;
    const ticks = [];
    for (let depth = 0; depth <= top; depth += step) ticks.push([depth, String(depth)]);
    return chart('queue depth', timeline, frame, chosenView, ticks, y, (plot, x) => {
      for (const [device, points] of series) {
        let d = '';
        points.forEach(([ms, depth], i) => { d += i === 0 ? `M${x(ms)} ${y(depth)}` : `H${x(ms)}V${y(depth)}`; });
        d += `H${x(timeline.endMs)}`;
        plot.append(svg('path', { class: 'queue', d, fill: 'none', stroke: deviceColor(device), 'stroke-width': 1.5 }, svg('title', {}, device)));
      }
    });
  }

  const first = data.cases.findIndex((each) => each.verdict !== 'pass');
  if (data.cases.length > 0) choose(first === -1 ? 0 : first);
})();
