// The Shardline console page: polls /api/status and /api/history and draws workers, lineage, shards and charts.
// Plain DOM (text is always set as text, never as HTML); Chart.js 4 comes from the jar (chart.umd.js).
'use strict';

const REFRESH_MS = 1500;
const SVG = 'http://www.w3.org/2000/svg';
const PALETTE = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#bc4c00', '#0550ae', '#bf3989', '#4d2d00',
  '#116329', '#953800', '#6639ba', '#57606a'];
const charts = {};

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function ms(v) {
  if (v === null || v === undefined) return '–';
  if (v < 1000) return v + ' ms';
  if (v < 60000) return (v / 1000).toFixed(1) + ' s';
  return Math.floor(v / 60000) + ' m ' + Math.round((v % 60000) / 1000) + ' s';
}

function num(v, div) {
  return v === null || v === undefined ? '–' : (v / (div || 1)).toFixed(1);
}

function shortCheckpoint(c) {
  return /^\d+$/.test(c) && c.length > 12 ? '…' + c.slice(-10) : c;
}

function colour(key) {
  let h = 0;
  for (const ch of key) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

function label(lease, multiStream) {
  return multiStream && lease.stream ? lease.stream + '/' + lease.shardId : lease.shardId;
}

async function getJson(url) {
  const response = await fetch(url, {cache: 'no-store'});
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || ('HTTP ' + response.status));
  return body;
}

function setError(message) {
  const box = document.getElementById('error');
  box.hidden = !message;
  box.textContent = message ? 'reading the application failed: ' + message : '';
}

/** The latest records-in rate per lease key, from the history. */
function latest(history, index) {
  const out = {};
  for (const [key, points] of Object.entries(history.shards || {})) {
    for (let i = points.length - 1; i >= 0; i--) {
      if (points[i][index] !== null) { out[key] = points[i][index]; break; }
    }
  }
  return out;
}

/** Shards well above the median rate of those being read: the ones to look at first. */
function hotShards(status) {
  const rates = status.leases.filter(l => l.recordsPerSecond !== null && l.state !== 'finished')
    .map(l => [l.leaseKey, l.recordsPerSecond]);
  if (rates.length < 2) return new Set();
  const sorted = rates.map(r => r[1]).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return new Set(rates.filter(r => r[1] >= 1 && r[1] > 2 * Math.max(median, 0.5)).map(r => r[0]));
}

function renderHeader(status) {
  document.getElementById('app').textContent = status.application;
  const unattended = status.leases.filter(l => l.unattended).length;
  const health = document.getElementById('health');
  health.className = 'badge ' + (unattended ? 'bad' : 'ok');
  health.textContent = unattended ? unattended + ' shard(s) without a live owner' : 'every shard has a live owner';
  const counts = {};
  status.leases.forEach(l => { counts[l.state] = (counts[l.state] || 0) + 1; });
  const alive = status.workers.filter(w => w.alive === true).length;
  document.getElementById('summary').textContent = status.workers.length + ' workers (' + alive + ' alive) · '
    + status.leases.length + ' leases: ' + Object.entries(counts).map(([s, n]) => n + ' ' + s).join(', ')
    + ' · streams: ' + (status.streams.join(', ') || '–');
  document.getElementById('clock').textContent = 'as of ' + status.time;
  const problems = document.getElementById('problems');
  problems.hidden = status.problems.length === 0;
  problems.replaceChildren(el('h2', {}, 'Problems'), el('ul', {}, status.problems.map(p => el('li', {}, p))));
  const notes = document.getElementById('notes');
  notes.hidden = status.warnings.length === 0;
  notes.replaceChildren(el('h2', {}, 'Notes'), el('ul', {}, status.warnings.map(w => el('li', {}, w))));
}

function chip(lease, hot, multiStream) {
  const classes = ['chip', lease.state];
  if (lease.unattended) classes.push('unattended');
  if (hot.has(lease.leaseKey)) classes.push('hot');
  return el('span', {class: classes.join(' '), title: lease.state + (lease.unattended ? ', no live owner' : '')},
    label(lease, multiStream));
}

function renderWorkers(status, hot, multiStream) {
  const byKey = Object.fromEntries(status.leases.map(l => [l.leaseKey, l]));
  const cards = status.workers.map(w => {
    const failover = w.failoverMillis || 3000;
    const age = w.heartbeatAgeMillis;
    const state = w.alive === true ? el('span', {class: 'alive'}, 'alive')
      : w.alive === false ? el('span', {class: 'dead-label'}, 'DEAD') : el('span', {}, 'liveness unknown');
    const width = age === null ? 0 : Math.min(100, Math.round(100 * age / failover));
    return el('div', {class: 'worker' + (w.alive === false ? ' dead' : ''), 'data-worker': w.workerId},
      el('div', {class: 'id'}, w.workerId), state,
      el('div', {class: 'beat'}, 'heartbeat ' + (age === null ? 'unknown' : ms(age) + ' ago') + ' · failover '
        + ms(failover) + ' · ' + w.leases.length + ' lease(s)' + (w.draining ? ' · draining (closing)' : '')),
      el('div', {class: 'bar', title: 'heartbeat age against the failover time'},
        el('div', {style: 'width:' + width + '%'})),
      el('div', {}, w.leases.map(k => byKey[k]).filter(Boolean).map(l => chip(l, hot, multiStream))));
  });
  const orphans = status.leases.filter(l => l.owner === null && (l.state === 'open' || l.state === 'closed'));
  if (orphans.length) {
    cards.push(el('div', {class: 'worker dead unowned'}, el('div', {class: 'id'}, 'no owner'),
      el('div', {class: 'beat'}, 'shards that should be read and that nobody holds'),
      el('div', {}, orphans.map(l => chip(l, hot, multiStream)))));
  }
  const waiting = status.leases.filter(l => l.state === 'waiting');
  if (waiting.length) {
    cards.push(el('div', {class: 'worker unowned'}, el('div', {class: 'id'}, 'waiting for parents'),
      el('div', {class: 'beat'}, 'children that start once every parent is finished'),
      el('div', {}, waiting.map(l => chip(l, hot, multiStream)))));
  }
  document.getElementById('workers').replaceChildren(...cards);
}

/** One SVG per stream: generations left to right, an arrow from each parent to each child. */
function renderLineage(status) {
  const W = 230, H = 42, GX = 50, GY = 10;
  const streams = [...new Set(status.leases.map(l => l.stream || '(stream unknown)'))];
  const out = [];
  for (const stream of streams) {
    const leases = status.leases.filter(l => (l.stream || '(stream unknown)') === stream);
    const nodes = new Map(leases.map(l => [l.shardId, {id: l.shardId, lease: l, parents: l.parentShardIds}]));
    for (const l of leases) {
      for (const p of l.parentShardIds) {
        if (!nodes.has(p)) nodes.set(p, {id: p, lease: null, parents: []}); // a parent whose lease is gone
      }
    }
    const depth = new Map();
    const depthOf = (id, seen) => {
      if (depth.has(id)) return depth.get(id);
      const n = nodes.get(id);
      let d = 0;
      if (n && !seen.has(id)) {
        seen.add(id);
        for (const p of n.parents) if (nodes.has(p)) d = Math.max(d, depthOf(p, seen) + 1);
      }
      depth.set(id, d);
      return d;
    };
    nodes.forEach((n, id) => depthOf(id, new Set()));
    const columns = [];
    nodes.forEach((n, id) => { (columns[depth.get(id)] = columns[depth.get(id)] || []).push(n); });
    const pos = new Map();
    let rows = 0;
    columns.forEach((column, d) => {
      column.sort((a, b) => {
        const ya = a.parents.length ? Math.min(...a.parents.map(p => (pos.get(p) || {y: 0}).y)) : 0;
        const yb = b.parents.length ? Math.min(...b.parents.map(p => (pos.get(p) || {y: 0}).y)) : 0;
        return ya - yb || a.id.localeCompare(b.id);
      });
      column.forEach((n, i) => pos.set(n.id, {x: 4 + d * (W + GX), y: 4 + i * (H + GY)}));
      rows = Math.max(rows, column.length);
    });
    const width = 8 + columns.length * (W + GX) - GX;
    const height = 8 + rows * (H + GY) - GY;
    const picture = svg('svg', {width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
      'aria-label': 'shard lineage of ' + stream});
    nodes.forEach(n => {
      for (const p of n.parents) {
        const a = pos.get(p), b = pos.get(n.id);
        if (!a || !b) continue;
        const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2;
        picture.append(svg('g', {class: 'edge', 'data-parent': p, 'data-child': n.id},
          svg('title', {}, p + ' → ' + n.id),
          svg('path', {d: `M${x1},${y1} C${x1 + GX / 2},${y1} ${x2 - GX / 2},${y2} ${x2},${y2}`})));
      }
    });
    nodes.forEach(n => {
      const p = pos.get(n.id);
      const l = n.lease;
      const classes = ['node', l ? l.state : 'gone'];
      if (l && l.unattended) classes.push('unattended');
      const sub = l ? l.state + ' · ' + (l.owner ? l.owner + (l.ownerAlive === false ? ' (dead)' : '') : 'no owner')
        : 'finished, lease cleaned up';
      picture.append(svg('g', {class: classes.join(' '), 'data-shard': n.id, transform: `translate(${p.x},${p.y})`},
        svg('title', {}, n.id + ': ' + sub),
        svg('rect', {width: W, height: H, rx: 5}),
        svg('text', {x: 8, y: 17}, n.id),
        svg('text', {x: 8, y: 33, class: 'sub'}, sub.length > 34 ? sub.slice(0, 33) + '…' : sub)));
    });
    out.push(el('div', {class: 'stream'}, 'stream ' + stream), picture);
  }
  if (!out.length) out.push(el('p', {class: 'hint'}, 'no leases yet'));
  document.getElementById('lineage').replaceChildren(...out);
}

/** Shard ids that wrap between ids, never inside one. */
function ids(list) {
  return list.length ? list.flatMap(id => [el('span', {class: 'nowrap'}, id), ' ']) : '–';
}

function renderShards(status, history, hot, multiStream) {
  const recordsIn = latest(history, 2);
  const rows = status.leases.map(l => {
    const classes = [l.state];
    if (l.unattended) classes.push('unattended');
    const owner = l.owner === null ? '–' : l.owner;
    return el('tr', {class: classes.join(' '), 'data-shard': l.shardId},
      el('td', {}, l.stream || '?'),
      el('td', {class: 'mono'}, l.shardId, hot.has(l.leaseKey) ? el('span', {class: 'tag hot'}, 'hot') : null),
      el('td', {}, l.state),
      el('td', {class: 'mono'}, owner, l.ownerAlive === false ? el('span', {class: 'tag dead'}, 'dead') : null,
        l.checkpointOwner ? ' ← ' + l.checkpointOwner + ' (handoff)' : null),
      el('td', {class: 'mono', title: l.checkpoint}, shortCheckpoint(l.checkpoint)),
      el('td', {class: 'num'}, ms(l.millisBehindLatest)),
      el('td', {class: 'num'}, num(recordsIn[l.leaseKey])),
      el('td', {class: 'num'}, num(l.recordsPerSecond)),
      el('td', {class: 'num'}, num(l.bytesPerSecond, 1024)),
      el('td', {class: 'mono wrap'}, ids(l.parentShardIds)),
      el('td', {class: 'mono wrap'}, ids(l.childShardIds)));
  });
  document.querySelector('#shards tbody').replaceChildren(...rows);
}

/** A line chart per measure, one line per shard (or worker), x in seconds before now. */
function renderChart(id, series, index, shown) {
  if (typeof Chart === 'undefined') return false;
  const now = Date.now();
  const datasets = [];
  let any = false;
  for (const [key, points] of Object.entries(series)) {
    if (!shown(key)) continue;
    const data = points.filter(p => p[index] !== null).map(p => ({x: (p[0] - now) / 1000, y: p[index]}));
    any = any || data.length > 0;
    datasets.push({label: key, data, borderColor: colour(key), backgroundColor: colour(key), borderWidth: 1.5,
      pointRadius: 0, tension: 0});
  }
  if (!charts[id]) {
    charts[id] = new Chart(document.getElementById(id), {
      type: 'line',
      data: {datasets},
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, parsing: false,
        scales: {x: {type: 'linear', suggestedMin: -120, max: 0, ticks: {callback: v => v + ' s'}},
          y: {beginAtZero: true}},
        plugins: {legend: {labels: {boxWidth: 10, font: {size: 11}}}}
      }
    });
  } else {
    charts[id].data.datasets = datasets;
    charts[id].update('none');
  }
  return any;
}

function renderCharts(status, history) {
  const reading = new Set(status.leases.filter(l => l.state !== 'finished').map(l => l.leaseKey));
  const shards = history.shards || {};
  renderChart('lagChart', shards, 1, k => reading.has(k));
  const anyIn = renderChart('inChart', shards, 2, k => reading.has(k));
  const anyOut = renderChart('outChart', shards, 3, k => k in shards);
  renderChart('beatChart', history.workers || {}, 1, () => true);
  document.getElementById('inHint').textContent = anyIn ? ''
    : 'Records written per shard are known when the console runs in the producing process (shardline demo --console).';
  document.getElementById('outHint').textContent = anyOut ? ''
    : 'No throughput is stored on these leases yet (each owner stores shardlineRecordsPerSecond and throughputKBps'
      + ' on its leases as it reads).';
}

function render(status, history) {
  const multiStream = status.streams.length > 1;
  const hot = hotShards(status);
  renderHeader(status);
  renderWorkers(status, hot, multiStream);
  renderLineage(status);
  renderShards(status, history, hot, multiStream);
  if (typeof Chart === 'undefined') {
    setError('chart.umd.js did not load: charts are off');
  } else {
    renderCharts(status, history);
  }
}

async function refresh() {
  try {
    const [status, history] = await Promise.all([getJson('api/status'), getJson('api/history')]);
    render(status, history);
    setError(history.error);
    document.body.dataset.rendered = status.time;
  } catch (e) {
    setError(String(e.message || e));
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

refresh();
