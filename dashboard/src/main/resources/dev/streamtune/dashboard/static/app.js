// Streamtune dashboard: renders /events (server-sent events carrying the whole state) into
// Chart.js charts and plain tables. Everything that comes from Kafka is set as text, never as HTML.
(function () {
  'use strict';

  const COLORS = { indigo: '#4f46e5', teal: '#0d9488', amber: '#d97706', rose: '#e11d48', cyan: '#0891b2', violet: '#7c3aed' };
  const state = { latest: null, task: decodeURIComponent(location.hash.slice(1)) || null, updates: 0 };

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = '#6b7280';
  Chart.defaults.borderColor = '#eef0f4';

  const fmt = {
    num: (v, digits) => (v === null || v === undefined || !isFinite(v)) ? '–' : Number(v).toFixed(digits),
    int: v => (v === null || v === undefined) ? '–' : Math.round(v).toLocaleString(),
    time: ms => new Date(ms).toLocaleTimeString([], { hour12: false }),
  };

  function lineChart(id, xTitle, xTicks, yTitle, datasets, yRange) {
    return new Chart(document.getElementById(id), {
      type: 'line',
      data: { datasets: datasets.map(d => Object.assign({
        data: [], borderWidth: 2, pointRadius: 2.5, pointHoverRadius: 5, tension: 0.25, spanGaps: true,
        backgroundColor: d.color + '22', borderColor: d.color, pointBackgroundColor: d.color,
      }, d)) },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        layout: { padding: { top: 6, right: 10 } },  // room for the ringed champion point at the edge
        interaction: { mode: 'nearest', intersect: false },
        plugins: {
          legend: { display: datasets.length > 1, position: 'bottom', labels: { boxWidth: 12, boxHeight: 12 } },
          tooltip: { callbacks: { title: items => items.length ? xTicks(items[0].parsed.x) : '' } },
        },
        scales: {
          x: { type: 'linear', title: { display: true, text: xTitle }, ticks: { callback: xTicks, maxTicksLimit: 8 } },
          y: Object.assign({ title: { display: true, text: yTitle }, grace: '5%' }, yRange || {}),
        },
      },
    });
  }

  const versionTick = v => Number.isInteger(v) ? 'v' + v : '';
  const timeTick = ms => fmt.time(ms);

  const charts = {
    f1: lineChart('chart-f1', 'version', versionTick, 'macro-F1', [
      { label: 'validation macro-F1', color: COLORS.indigo, fill: true },
    ], { suggestedMin: 0.5, max: 1, grace: 0 }),
    loss: lineChart('chart-loss', 'version', versionTick, 'loss', [
      { label: 'training loss', color: COLORS.amber },
      { label: 'validation log-loss', color: COLORS.violet },
    ], { beginAtZero: true }),
    prequential: lineChart('chart-prequential', 'time', timeTick, 'accuracy', [
      { label: 'cumulative', color: COLORS.teal, fill: true },
      { label: 'recent window', color: COLORS.cyan, borderDash: [5, 4], pointRadius: 0 },
    ], { suggestedMin: 0.5, max: 1, grace: 0 }),
    throughput: lineChart('chart-throughput', 'time', timeTick, 'examples/s', [
      { label: 'examples/s', color: COLORS.rose, fill: true },
    ], { beginAtZero: true }),
  };
  // the champion's point on the F1 chart is drawn larger and ringed
  const f1Set = charts.f1.data.datasets[0];
  f1Set.pointRadius = ctx => (state.champion !== null && ctx.raw && ctx.raw.x === state.champion) ? 7 : 2.5;
  f1Set.pointBorderColor = ctx => (state.champion !== null && ctx.raw && ctx.raw.x === state.champion) ? COLORS.teal : COLORS.indigo;
  f1Set.pointBorderWidth = ctx => (state.champion !== null && ctx.raw && ctx.raw.x === state.champion) ? 3 : 1;

  const points = (rows, x, y) => rows.filter(r => y(r) !== null && y(r) !== undefined).map(r => ({ x: x(r), y: y(r) }));

  function setText(id, text) { document.getElementById(id).textContent = text; }

  function cell(row, text, className) {
    const td = document.createElement('td');
    if (className) td.className = className;
    if (text instanceof Node) td.appendChild(text); else td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function fillTable(id, rows, render, emptyText, columns) {
    const body = document.querySelector('#' + id + ' tbody');
    body.replaceChildren();
    if (!rows.length) {
      const tr = document.createElement('tr');
      const td = cell(tr, emptyText, 'empty');
      td.colSpan = columns;
      body.appendChild(tr);
      return;
    }
    rows.forEach(r => { const tr = document.createElement('tr'); render(tr, r); body.appendChild(tr); });
  }

  function renderTaskSelector(tasks) {
    const select = document.getElementById('task-select');
    const names = Object.keys(tasks);
    if (!state.task || !tasks[state.task]) state.task = names.length ? names[0] : null;
    const current = Array.from(select.options).map(o => o.value).join('\n');
    if (current !== names.join('\n')) {
      select.replaceChildren(...names.map(n => { const o = document.createElement('option'); o.value = n; o.textContent = n; return o; }));
    }
    select.value = state.task || '';
    select.disabled = names.length < 2;
  }

  function renderCharts(task) {
    const versions = task ? task.versions : [];
    charts.f1.data.datasets[0].data = points(versions, v => v.version, v => v.validation.macro_f1);
    charts.loss.data.datasets[0].data = points(versions, v => v.version, v => v.trainingLoss);
    charts.loss.data.datasets[1].data = points(versions, v => v.version, v => v.validation.log_loss);
    const preq = task ? task.prequential : [];
    charts.prequential.data.datasets[0].data = points(preq, p => p.timestamp, p => p.accuracy);
    charts.prequential.data.datasets[1].data = points(preq, p => p.timestamp, p => p.windowAccuracy);
    charts.throughput.data.datasets[0].data = points(task ? task.throughput : [], p => p.timestamp, p => p.examplesPerS);
    Object.values(charts).forEach(c => c.update('none'));
  }

  // which tasks are trained, and which have examples but no trainer (their examples go nowhere: say so)
  function renderTrainers(snapshot) {
    const tasks = Object.values(snapshot.tasks);
    const trained = tasks.filter(t => t.trainer.state === 'TRAINING').map(t => t.task);
    setText('trainers', 'trainers: ' + (trained.length ? trained.join(', ') : 'none'));
    const examples = t => Math.max(t.ingest.accepted || 0, t.examplesTrained || 0);
    const untrained = tasks.filter(t => examples(t) > 0 && t.trainer.state !== 'TRAINING')
      .map(t => t.task + ' (' + fmt.int(examples(t)) + ' examples, trainer ' + t.trainer.state.toLowerCase() + ')');
    setText('untrained', untrained.length ? 'no trainer: ' + untrained.join(', ') : '');
  }

  function renderKpis(task, snapshot) {
    const champion = task && task.championVersion !== null
      ? task.versions.find(v => v.version === task.championVersion) : null;
    setText('kpi-champion', champion ? 'v' + champion.version : '–');
    setText('kpi-technique', champion && champion.technique ? champion.technique : (task ? 'no promotion yet' : ''));
    const test = champion ? champion.test : {};
    setText('kpi-test-f1', fmt.num(test.macro_f1, 3));
    setText('kpi-test-acc', test.accuracy !== undefined ? 'accuracy ' + fmt.num(test.accuracy, 3) : '');
    const preq = task && task.prequential.length ? task.prequential[task.prequential.length - 1] : null;
    setText('kpi-prequential', preq ? fmt.num(preq.accuracy, 3) : '–');
    setText('kpi-prequential-n', preq && preq.examples ? fmt.int(preq.examples) + ' examples scored' : '');
    const speed = task && task.throughput.length ? task.throughput[task.throughput.length - 1] : null;
    setText('kpi-speed', speed ? fmt.int(speed.examplesPerS) : '–');
    setText('kpi-versions', task ? task.versions.length + ' versions' : '');
    setText('kpi-promotions', task ? String(task.promotions) : '–');
    setText('kpi-rollbacks', task ? task.rollbacks + ' rollbacks' : '');
    const dlq = Object.values(snapshot.deadLetters).reduce((a, b) => a + b, 0);
    setText('kpi-dlq', fmt.int(dlq));
    setText('kpi-ingest', task && task.ingest.accepted !== undefined ? fmt.int(task.ingest.accepted) + ' accepted' : '');
  }

  function renderHistory(task) {
    const rows = task ? task.history.slice().reverse() : [];
    fillTable('history-table', rows, (tr, h) => {
      cell(tr, fmt.time(h.timestamp), 'nowrap');
      const badge = document.createElement('span');
      badge.className = 'badge badge-' + (['PROMOTE', 'ROLLBACK'].includes(h.action) ? h.action : 'UNKNOWN');
      badge.textContent = h.action.toLowerCase();
      cell(tr, badge);
      cell(tr, 'v' + h.version + (h.previousVersion !== null ? ' ← v' + h.previousVersion : ''), 'nowrap');
      cell(tr, h.technique || '–');
      cell(tr, fmt.num(h.validation.macro_f1, 3), 'num');
      cell(tr, fmt.num(h.test.macro_f1, 3), 'num');
      cell(tr, h.reason || '', 'reason');
    }, 'No promotions yet.', 7);
  }

  function renderConfusion(task) {
    const box = document.getElementById('confusion');
    const confusion = task ? task.confusion : null;
    if (!confusion) {
      setText('confusion-caption', '');
      const p = document.createElement('p'); p.className = 'empty'; p.textContent = 'No champion evaluated yet.';
      box.replaceChildren(p);
      return;
    }
    setText('confusion-caption', '· v' + confusion.version + ' on ' + confusion.split.toLowerCase());
    const table = document.createElement('table');
    const head = document.createElement('tr');
    cell(head, '', 'axis');
    confusion.labels.forEach(l => cell(head, 'predicted ' + l, 'axis nowrap'));
    table.appendChild(head);
    confusion.matrix.forEach((row, i) => {
      const total = row.reduce((a, b) => a + b, 0) || 1;
      const tr = document.createElement('tr');
      cell(tr, 'true ' + confusion.labels[i], 'axis rowlabel nowrap');
      row.forEach((count, j) => {
        const share = count / total;
        const td = cell(tr, String(count), 'cell');
        const rgb = i === j ? '13, 148, 136' : '225, 29, 72';
        td.style.background = 'rgba(' + rgb + ', ' + (0.08 + 0.82 * share).toFixed(3) + ')';
        td.style.color = share > 0.45 ? '#fff' : '#1f2937';
        const small = document.createElement('small'); small.textContent = (100 * share).toFixed(1) + '%';
        td.appendChild(small);
      });
      table.appendChild(tr);
    });
    box.replaceChildren(table);
  }

  function renderDeadLetters(snapshot) {
    const rows = Object.entries(snapshot.deadLetters).sort((a, b) => b[1] - a[1]);
    const max = rows.length ? rows[0][1] : 1;
    fillTable('dlq-table', rows, (tr, [reason, count]) => {
      cell(tr, reason);
      cell(tr, fmt.int(count), 'num');
      const bar = document.createElement('div'); bar.className = 'bar'; bar.style.width = (100 * count / max) + '%';
      cell(tr, bar, 'bar-col');
    }, 'No rejected records.', 3);
  }

  function renderLag(snapshot) {
    const lag = snapshot.lag;
    setText('lag-caption', lag.error ? '· ' + lag.error : (lag.polledAt ? '· polled ' + fmt.time(lag.polledAt) : ''));
    fillTable('lag-table', lag.groups, (tr, g) => {
      cell(tr, g.group);
      cell(tr, fmt.int(g.lag), 'num');
      cell(tr, String(g.partitions), 'num');
      cell(tr, Object.entries(g.byTopic).map(([t, n]) => t + ': ' + n.toLocaleString()).join(', '), 'reason');
    }, 'No consumer group has committed offsets yet.', 4);
  }

  function render(snapshot) {
    state.latest = snapshot;
    state.updates++;
    renderTaskSelector(snapshot.tasks);
    const task = state.task ? snapshot.tasks[state.task] : null;
    state.champion = task ? task.championVersion : null;
    renderKpis(task, snapshot);
    renderTrainers(snapshot);
    renderCharts(task);
    renderHistory(task);
    renderConfusion(task);
    renderDeadLetters(snapshot);
    renderLag(snapshot);
    const records = Object.values(snapshot.consumer.records).reduce((a, b) => a + b, 0);
    setText('footer-status', records.toLocaleString() + ' records read · revision ' + snapshot.revision
      + ' · updated ' + fmt.time(snapshot.generatedAt));
  }

  document.getElementById('task-select').addEventListener('change', e => {
    state.task = e.target.value;
    location.hash = encodeURIComponent(state.task);
    if (state.latest) render(state.latest);
  });

  function connect() {
    const pill = document.getElementById('connection');
    const source = new EventSource('/events');
    source.addEventListener('state', e => render(JSON.parse(e.data)));
    source.onopen = () => { pill.textContent = 'live'; pill.className = 'pill pill-live'; };
    // EventSource reconnects by itself (the server sets retry); only the pill changes
    source.onerror = () => { pill.textContent = 'reconnecting…'; pill.className = 'pill pill-wait'; };
  }

  window.streamtune = { charts, state };
  connect();
})();
