// Ember Studio's page: five tabs over the studio's JSON API. Text from runs and files is set with textContent.
import { api, events, postStream, upload, el } from './api.js';
import { t, setLanguage, language } from './i18n.js';
import { lines, heatmap, bars, resizeAll } from './charts.js';

const $ = id => document.getElementById(id);
let info = null;
let runs = [];

// ---- shell -----------------------------------------------------------------------------------------
function toast(message, ok = false) {
  const box = $('toast');
  box.textContent = message;
  box.className = ok ? 'ok' : '';
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, ok ? 2500 : 7000);
}

async function guarded(fn) {
  try { return await fn(); } catch (e) { toast(e.message); return undefined; }
}

function showTab(name) {
  for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('active', b.dataset.tab === name);
  for (const s of document.querySelectorAll('.tab')) s.classList.toggle('active', s.id === 'tab-' + name);
  document.body.dataset.tab = name;
  if (name === 'runs') refreshRuns();
  if (name === 'evaluate' || name === 'live') refreshRunLists();
  if (name === 'chat') refreshChat();
  setTimeout(resizeAll, 0);
}

function fmtTime(s) {
  if (s == null || !isFinite(s)) return '–';
  s = Math.round(s);
  const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, sec = s % 60;
  return (h ? h + ':' + String(m).padStart(2, '0') : m) + ':' + String(sec).padStart(2, '0');
}

const num = (v, d = 4) => (v == null || !isFinite(v) ? '–' : Number(v).toFixed(d));

// ---- train tab -------------------------------------------------------------------------------------
function preset() { return info.presets.find(p => p.id === $('preset').value); }

function renderPreset() {
  const p = preset();
  $('preset-note').textContent = p.available ? '' : t('train.unavailable') + ': ' + p.reason;
  $('btn-start').disabled = !p.available;
  const ds = $('dataset');
  const current = ds.value;
  ds.replaceChildren();
  for (const d of info.datasets) {
    if (!p.datasets.includes(d.id)) continue;
    const o = el('option', { value: d.id, text: d.title + (d.present ? '' : ' (—)') });
    if (!d.present) o.disabled = true;
    ds.append(o);
  }
  if ([...ds.options].some(o => o.value === current && !o.disabled)) ds.value = current;
  renderDataPath();
  const box = $('params');
  box.replaceChildren();
  for (const prm of p.params) {
    let input;
    if (prm.type === 'choice') {
      input = el('select', { name: prm.name });
      for (const c of prm.choices) input.append(el('option', { value: c, text: c }));
      input.value = prm.value;
    } else if (prm.type === 'text') {
      input = el('input', { name: prm.name, type: 'text', value: String(prm.value) });
    } else {
      input = el('input', { name: prm.name, type: 'number', step: prm.type === 'int' ? '1' : 'any', value: String(prm.value) });
      if (prm.min != null) input.min = prm.min;
      if (prm.max != null) input.max = prm.max;
    }
    input.id = 'param-' + prm.name;
    const row = el('div', { class: 'param' }, el('code', { text: prm.name }), input,
      el('span', { class: 'help', text: language() === 'zh' ? prm.helpZh : prm.help }));
    if (prm.when) row.dataset.when = prm.when;
    box.append(row);
  }
  applyWhen();
}

// parameters that matter for one value of another (lora_rank for method=lora) are shown only then
function applyWhen() {
  for (const row of $('params').querySelectorAll('[data-when]')) {
    const [key, value] = row.dataset.when.split('=');
    const other = $('param-' + key);
    row.hidden = !!other && other.value !== value;
  }
}

function renderDataPath() {
  const needs = ['folder', 'csv', 'text-file', 'instructions'].includes($('dataset').value);
  $('data-path-row').hidden = !needs;
  if (!needs) $('browser').hidden = true;
}

function collectArgs() {
  const a = { preset: $('preset').value, name: $('run-name').value, dataset: $('dataset').value };
  if (!$('data-path-row').hidden) a.data_path = $('data_path').value;
  if ($('resume').value) a.resume = $('resume').value;
  for (const input of $('params').querySelectorAll('[name]')) a[input.name] = input.value;
  return a;
}

function applyArgs(a) {
  if (!a || typeof a !== 'object') throw new Error('not an arguments object');
  if (a.preset) { $('preset').value = a.preset; renderPreset(); }
  if (a.dataset) { $('dataset').value = a.dataset; renderDataPath(); }
  $('data_path').value = a.data_path || '';
  $('run-name').value = a.name || '';
  for (const input of $('params').querySelectorAll('[name]')) if (a[input.name] != null) input.value = String(a[input.name]);
  if (a.resume) {
    if (![...$('resume').options].some(o => o.value === a.resume)) $('resume').append(el('option', { value: a.resume, text: a.resume }));
    $('resume').value = a.resume;
  }
}

async function browse(path) {
  const box = $('browser');
  const roots = info.data_roots;
  const data = await guarded(() => api('GET', '/api/files?root=' + (browse.root || 0) + (path ? '&path=' + encodeURIComponent(path) : '')));
  if (!data) return;
  box.replaceChildren();
  const head = el('div', {}, el('b', { text: 'root: ' }));
  const rootSel = el('select', { onchange: e => { browse.root = Number(e.target.value); browse(''); } });
  roots.forEach((r, i) => rootSel.append(el('option', { value: String(i), text: r })));
  rootSel.value = String(browse.root || 0);
  head.append(rootSel);
  box.append(head);
  box.append(el('div', { text: '📂 ' + data.dir, onclick: () => { $('data_path').value = data.dir; } }));
  for (const e of data.entries) {
    box.append(el('div', { text: (e.dir ? '📁 ' : '📄 ') + e.name, onclick: () => {
      $('data_path').value = e.path;
      if (e.dir) browse(e.path);
    } }));
  }
  box.hidden = false;
}

async function refreshResumeChoices() {
  const sel = $('resume');
  const keep = sel.value;
  sel.replaceChildren(el('option', { value: '', text: t('train.noResume'), dataset: { i18n: 'train.noResume' } }));
  for (const r of runs) {
    if (!['mlp', 'cnn', 'gpt', 'chat'].includes(r.preset)) continue;
    const cps = await api('GET', '/api/runs/' + r.id + '/checkpoints').catch(() => []);
    for (const c of cps) if (c !== 'model') sel.append(el('option', { value: r.id + '/checkpoints/' + c + '.safetensors', text: r.name + ' — ' + c }));
  }
  if ([...sel.options].some(o => o.value === keep)) sel.value = keep;
}

// ---- live tab --------------------------------------------------------------------------------------
let live = null;

function followRun(id) {
  if (live && live.source) live.source.close();
  live = { id, steps: [], epochs: [], res: [], tail: [], plan: null, state: null, source: null };
  $('live-tail').textContent = '';
  drawLive();
  if (!id) return;
  const src = events('/api/runs/' + encodeURIComponent(id) + '/events');
  live.source = src;
  const mine = live;
  src.addEventListener('record', e => {
    const r = JSON.parse(e.data);
    if (r.type === 'step') mine.steps.push(r);
    else if (r.type === 'epoch') mine.epochs.push(r);
    scheduleDraw();
  });
  src.addEventListener('resource', e => { mine.res.push(JSON.parse(e.data)); scheduleDraw(); });
  src.addEventListener('log', e => {
    mine.tail.push(JSON.parse(e.data).line);
    if (mine.tail.length > 300) mine.tail.splice(0, mine.tail.length - 300);
    scheduleDraw();
  });
  src.addEventListener('status', e => { const s = JSON.parse(e.data); mine.state = s.state; mine.plan = s.plan; mine.error = s.error; scheduleDraw(); });
  src.addEventListener('end', () => { src.close(); refreshRunLists(); });
  // a dropped connection replays the run from its start: clear what was drawn
  src.onopen = () => { mine.steps = []; mine.epochs = []; mine.res = []; mine.tail = []; };
}

function scheduleDraw() {
  if (scheduleDraw.pending) return;
  scheduleDraw.pending = true;
  requestAnimationFrame(() => { scheduleDraw.pending = false; drawLive(); });
}

function drawLive() {
  const L = live || { steps: [], epochs: [], res: [], tail: [] };
  const badge = $('live-state');
  badge.textContent = L.state || '';
  badge.className = 'badge ' + (L.state || '');
  $('btn-abort').disabled = L.state !== 'running';
  const last = L.steps.length ? L.steps[L.steps.length - 1] : (L.epochs.length ? L.epochs[L.epochs.length - 1] : null);
  const total = L.plan ? L.plan.total_steps : null;
  const step = last ? last.step : 0;
  const elapsed = last ? last.elapsed : null;
  const done = L.state === 'finished';
  const frac = done ? 1 : total ? Math.min(1, step / total) : 0;
  $('live-bar').style.width = (100 * frac).toFixed(1) + '%';
  const remaining = total && step > 0 && elapsed != null && !done ? elapsed / step * (total - step) : (done ? 0 : null);
  // a language model's sample is a window of tokens: its throughput is shown in tokens/s
  const perSample = L.plan && L.plan.tokens_per_sample ? L.plan.tokens_per_sample : null;
  const rate = r => r.samples_per_sec == null ? null : perSample ? r.samples_per_sec * perSample : r.samples_per_sec;
  const rateName = perSample ? t('live.tokens') : t('live.throughput');
  const stats = $('live-progress');
  stats.replaceChildren(
    el('span', {}, t('live.step') + ' ', el('b', { id: 'live-step', text: step + (total ? ' / ' + total : '') })),
    el('span', {}, t('live.epoch') + ' ', el('b', { text: last ? String(last.epoch + 1) + (L.plan ? ' / ' + L.plan.epochs : '') : '–' })),
    el('span', {}, t('live.elapsed') + ' ', el('b', { text: fmtTime(elapsed) })),
    el('span', {}, t('live.remaining') + ' ', el('b', { text: fmtTime(remaining) })),
    el('span', {}, rateName + ' ', el('b', { id: 'live-rate', text: last && last.samples_per_sec != null ? Math.round(rate(last)).toString() : '–' })),
    el('span', {}, 'loss ', el('b', { text: last ? num(last.loss) : '–' })));
  if (L.error) stats.append(el('span', { class: 'error', text: L.error }));
  // loss: raw steps and an exponential moving average (0.9)
  const raw = L.steps.filter(r => r.loss != null).map(r => [r.step, r.loss]);
  const smooth = [];
  let ema = null;
  for (const [x, y] of raw) { ema = ema == null ? y : 0.9 * ema + 0.1 * y; smooth.push([x, ema]); }
  const epochLoss = L.epochs.filter(r => r.loss != null).map(r => [r.step, r.loss]);
  lines('chart-loss', [{ name: 'loss', data: raw, width: 1, opacity: 0.45 }, { name: 'smoothed', data: smooth },
    { name: 'epoch train loss', data: epochLoss, dashed: true }], 'step', ['loss']);
  $('chart-loss').dataset.points = String(raw.length + epochLoss.length);
  const keys = new Set();
  for (const r of L.epochs) for (const k of Object.keys(r.metrics || {})) keys.add(k);
  const mseries = [...keys].map(k => ({ name: k, data: L.epochs.filter(r => r.metrics[k] != null).map(r => [r.epoch + 1, r.metrics[k]]),
    yAxisIndex: k.endsWith('loss') ? 1 : 0 }));
  lines('chart-metrics', mseries, perSample ? 'evaluation' : 'epoch', [keys.has('val_perplexity') ? 'perplexity' : 'accuracy', 'loss']);
  $('chart-metrics').dataset.points = String(L.epochs.length);
  lines('chart-lr', [{ name: 'lr', data: L.steps.filter(r => r.lr != null).map(r => [r.step, r.lr]) },
    { name: rateName, data: L.steps.filter(r => r.samples_per_sec != null).map(r => [r.step, rate(r)]), yAxisIndex: 1 }],
  'step', ['lr', rateName]);
  lines('chart-memory', [{ name: 'heap used (MB)', data: L.res.map(r => [r.elapsed, r.heap_used_mb]) },
    { name: 'RSS (MB)', data: L.res.filter(r => r.rss_mb != null).map(r => [r.elapsed, r.rss_mb]) },
    { name: 'heap max (MB)', data: L.res.map(r => [r.elapsed, r.heap_max_mb]), dashed: true }], 'seconds', ['MB']);
  const tail = $('live-tail');
  const atBottom = tail.scrollTop + tail.clientHeight >= tail.scrollHeight - 4;
  tail.textContent = L.tail.slice(-200).join('\n');
  if (atBottom) tail.scrollTop = tail.scrollHeight;
}

// ---- runs tab --------------------------------------------------------------------------------------
async function refreshRunLists() {
  const list = await guarded(() => api('GET', '/api/runs'));
  if (!list) return;
  runs = list;
  for (const id of ['live-run', 'eval-run']) {
    const sel = $(id);
    const keep = sel.value;
    sel.replaceChildren();
    for (const r of runs) sel.append(el('option', { value: r.id, text: r.name + ' · ' + r.preset + ' · ' + r.state }));
    if ([...sel.options].some(o => o.value === keep)) sel.value = keep;
  }
  if (!live && runs.length) followRun($('live-run').value);
  if (runs.length) refreshCheckpoints();
}

function argsSummary(args) {
  const skip = new Set(['preset', 'name', 'dataset', 'data_path']);
  return Object.entries(args).filter(([k]) => !skip.has(k)).map(([k, v]) => k + '=' + v).join('  ');
}

async function refreshRuns() {
  await refreshRunLists();
  const body = $('runs-table').querySelector('tbody');
  body.replaceChildren();
  for (const r of runs) {
    const check = el('input', { type: 'checkbox', value: r.id, class: 'pick' });
    const rename = el('button', { text: t('runs.rename'), class: 'rename', onclick: async () => {
      const name = prompt(t('runs.renamePrompt'), r.name);
      if (name == null) return;
      await guarded(() => api('POST', '/api/runs/' + r.id + '/rename', { name }));
      refreshRuns();
    } });
    const del = el('button', { text: t('runs.delete'), class: 'danger delete', onclick: async () => {
      if (!confirm(t('runs.deleteConfirm'))) return;
      await guarded(() => api('DELETE', '/api/runs/' + r.id));
      refreshRuns();
    } });
    if (r.state === 'running') del.disabled = true;
    body.append(el('tr', { dataset: { id: r.id } },
      el('td', {}, check),
      el('td', { class: 'run-name', text: r.name }),
      el('td', { text: r.preset + ' / ' + (r.dataset || '') }),
      el('td', {}, el('span', { class: 'badge ' + r.state, text: r.state })),
      el('td', { class: 'best', text: r.best_metric ? r.best_metric + ' ' + num(r.best_value)
        + (r.best_perplexity != null ? ' (' + t('runs.ppl') + ' ' + num(r.best_perplexity, 2) + ')' : '') : '–' }),
      el('td', { class: 'args', text: argsSummary(r.args) }),
      el('td', { text: new Date(r.created).toLocaleString() }),
      el('td', {}, rename, ' ', del)));
  }
  refreshResumeChoices();
}

async function compare() {
  const ids = [...document.querySelectorAll('#runs-table .pick:checked')].map(c => c.value);
  if (!ids.length) { toast(t('runs.pickTwo')); return; }
  const data = await guarded(() => api('GET', '/api/compare?ids=' + ids.join(',')));
  if (!data) return;
  $('compare-box').hidden = false;
  const series = [];
  for (const r of data.runs) {
    const ep = r.records.filter(x => x.type === 'epoch');
    const acc = ep.filter(x => x.metrics && (x.metrics.val_accuracy ?? x.metrics.test_accuracy) != null)
      .map(x => [x.epoch + 1, x.metrics.val_accuracy ?? x.metrics.test_accuracy]);
    const loss = ep.filter(x => x.metrics && x.metrics.val_loss != null).map(x => [x.epoch + 1, x.metrics.val_loss]);
    // a language model has no accuracy: its perplexity takes the left axis
    const ppl = ep.filter(x => x.metrics && x.metrics.val_perplexity != null).map(x => [x.epoch + 1, x.metrics.val_perplexity]);
    if (ppl.length) series.push({ name: r.name + ' ppl', data: ppl });
    else series.push({ name: r.name + ' acc', data: acc });
    if (loss.length) series.push({ name: r.name + ' val_loss', data: loss, dashed: true, yAxisIndex: 1 });
  }
  const anyPpl = data.runs.some(r => r.preset === 'gpt' || r.preset === 'chat');
  const anyAcc = data.runs.some(r => r.preset !== 'gpt' && r.preset !== 'chat');
  lines('chart-compare', series, 'epoch', [[anyAcc ? 'accuracy' : null, anyPpl ? 'perplexity' : null].filter(x => x).join(' / '), 'loss']);
  const head = $('compare-diff').querySelector('thead');
  head.replaceChildren(el('tr', {}, el('th', { text: t('runs.key') }), ...data.runs.map(r => el('th', { text: r.name }))));
  const body = $('compare-diff').querySelector('tbody');
  body.replaceChildren();
  for (const row of data.diff) {
    body.append(el('tr', { class: row.differs ? 'differs' : '' }, el('td', { text: row.key }), ...row.values.map(v => el('td', { text: v ?? '–' }))));
  }
  setTimeout(resizeAll, 0);
}

// ---- evaluate tab ----------------------------------------------------------------------------------
async function refreshCheckpoints() {
  const id = $('eval-run').value;
  const sel = $('eval-checkpoint');
  sel.replaceChildren();
  if (!id) return;
  const cps = await api('GET', '/api/runs/' + id + '/checkpoints').catch(() => []);
  for (const c of cps) sel.append(el('option', { value: c, text: c }));
}

async function evaluate() {
  const out = await guarded(() => api('POST', '/api/evaluate', { run: $('eval-run').value, checkpoint: $('eval-checkpoint').value || 'model',
    limit: $('eval-limit').value }));
  if (!out) return;
  $('eval-out').hidden = false;
  const mt = $('eval-metrics').querySelector('tbody');
  mt.replaceChildren(...Object.entries(out.metrics).map(([k, v]) => el('tr', { dataset: { key: k } }, el('td', { text: k }),
    el('td', { text: Number.isInteger(v) ? String(v) : num(v) }))));
  // a language model: perplexity (and a chat model's answers); the classification widgets stay for classifiers
  const language = out.kind === 'language';
  for (const id of ['eval-per-class', 'eval-confusion-card', 'eval-roc-card', 'eval-pr-card', 'eval-wrong-card']) $(id).hidden = language;
  $('eval-samples-card').hidden = !(language && out.samples);
  if (language) {
    const body = $('eval-samples').querySelector('tbody');
    body.replaceChildren(...(out.samples || []).map(r => el('tr', {}, el('td', { text: r.question }), el('td', { text: r.reference }),
      el('td', { text: r.answer }), el('td', { text: num(r.f1, 2) }))));
    return;
  }
  const pc = $('eval-per-class');
  pc.querySelector('thead').replaceChildren(el('tr', {}, ...['class', 'precision', 'recall', 'f1', 'support', 'roc_auc', 'AP'].map(h => el('th', { text: h }))));
  pc.querySelector('tbody').replaceChildren(...out.per_class.map(r => el('tr', {}, el('td', { text: r.class }), el('td', { text: num(r.precision, 3) }),
    el('td', { text: num(r.recall, 3) }), el('td', { text: num(r.f1, 3) }), el('td', { text: String(r.support) }),
    el('td', { text: num(r.roc_auc, 3) }), el('td', { text: num(r.average_precision, 3) }))));
  heatmap('chart-confusion', out.confusion, out.classes, t('eval.predicted'), t('eval.actual'));
  $('chart-confusion').dataset.cells = String(out.confusion.length * out.confusion.length);
  lines('chart-roc', [...out.roc.map(c => ({ name: c.class + ' ' + num(c.auc, 3), data: c.points, width: 1.5 })),
    { name: 'chance', data: [[0, 0], [1, 1]], dashed: true, width: 1 }], 'false positive rate', ['true positive rate'], { xmin: 0, xmax: 1 });
  lines('chart-pr', out.pr.map(c => ({ name: c.class + ' ' + num(c.ap, 3), data: c.points, width: 1.5 })), 'recall', ['precision'], { xmin: 0, xmax: 1 });
  const g = $('misclassified');
  g.replaceChildren();
  for (const w of out.misclassified) {
    const fig = el('figure', {});
    if (w.image) fig.append(el('img', { src: w.image, alt: w.true }));
    else fig.append(el('pre', { class: 'mono', text: Object.entries(w.features).map(([k, v]) => k + ' ' + num(v, 2)).join('\n') }));
    fig.append(el('figcaption', { text: '#' + w.index + ' ' + t('eval.true') + ': ' + w.true + ' · ' + t('eval.pred') + ': ' + w.predicted + ' (' + num(w.confidence, 2) + ')' }));
    g.append(fig);
  }
  setTimeout(resizeAll, 0);
}

async function explain() {
  const out = await guarded(() => api('POST', '/api/explain', { run: $('eval-run').value, checkpoint: $('eval-checkpoint').value || 'model',
    index: $('explain-index').value, steps: $('explain-steps').value }));
  if (!out) return;
  $('explain-out').hidden = false;
  $('explain-image').src = out.image;
  $('explain-saliency').src = out.saliency;
  $('explain-ig').src = out.integrated_gradients;
  $('explain-text').replaceChildren(
    el('span', {}, t('eval.true') + ' ', el('b', { text: out.true })),
    el('span', {}, t('eval.pred') + ' ', el('b', { text: out.predicted + ' (' + num(out.probability, 3) + ')' })),
    el('span', {}, t('eval.completeness') + ' ', el('b', { text: num(out.ig_sum, 4) })),
    el('span', {}, t('eval.diff') + ' ', el('b', { text: num(out.score_difference, 4) })));
}

async function importances() {
  const out = await guarded(() => api('GET', '/api/runs/' + $('eval-run').value + '/importances'));
  if (!out) return;
  $('importances-out').hidden = false;
  bars('chart-importances', out.features.map(f => f.feature), out.features.map(f => f.importance), 'importance');
  const img = $('importances-map');
  img.hidden = !out.map;
  if (out.map) img.src = out.map;
  setTimeout(resizeAll, 0);
}

// ---- chat tab --------------------------------------------------------------------------------------
let chatAvailable = false, chatLoaded = false, chatStream = null;

async function refreshChat() {
  const s = await guarded(() => api('GET', '/api/chat'));
  if (!s) return;
  chatAvailable = s.available;
  chatLoaded = !!s.loaded;
  $('chat-status').textContent = !s.available ? t('chat.none') : s.loaded ? t('chat.loaded') + ': ' + s.loaded : t('chat.notLoaded');
  $('btn-chat-load').disabled = !s.available;
  $('btn-chat-export').hidden = !s.can_export;
  $('btn-chat-send').disabled = !s.loaded || chatStream !== null;
  refreshChatRuns();
  refreshServe();
}

// finished language-model runs, to load in one click: a GPT with ChatML, a fine-tuned model, or a base with its adapter
async function refreshChatRuns() {
  const list = await guarded(() => api('GET', '/api/runs'));
  if (!list) return;
  const sel = $('chat-run');
  const keep = sel.value;
  sel.replaceChildren(el('option', { value: '', text: t('chat.fromRunNone') }));
  for (const r of list) if (r.chat) sel.append(el('option', { value: r.id, text: r.name + ' · ' + r.preset + (r.args.method ? ' ' + r.args.method : '') }));
  if ([...sel.options].some(o => o.value === keep)) sel.value = keep;
  chatRuns = Object.fromEntries(list.filter(r => r.chat).map(r => [r.id, r.chat]));
}

let chatRuns = {};

const history = [];

async function sendChat() {
  const text = $('chat-input').value.trim();
  if (!text || chatStream) return;
  $('chat-input').value = '';
  history.push({ role: 'user', content: text });
  $('chat-log').append(el('div', { class: 'msg user', text }));
  const bubble = el('div', { class: 'msg assistant', text: '' });
  $('chat-log').append(bubble);
  let reply = '';
  chatStream = new AbortController();
  $('btn-chat-send').disabled = true;
  $('btn-chat-stop').disabled = false;
  const body = { messages: history, temperature: $('chat-temperature').value, top_k: $('chat-top-k').value, top_p: $('chat-top-p').value,
    max_new_tokens: $('chat-max').value, seed: $('chat-seed').value };
  try {
    await postStream('/api/chat/stream', body, (name, data) => {
      if (name === 'token') { reply += data.text; bubble.textContent = reply; $('chat-log').scrollTop = $('chat-log').scrollHeight; }
      if (name === 'done') bubble.title = data.tokens + ' ' + t('chat.tokens');
    }, chatStream.signal);
  } catch (e) {
    if (e.name === 'AbortError') bubble.title = t('chat.stopped');
    else toast(e.message);
  }
  history.push({ role: 'assistant', content: reply });
  bubble.dataset.done = 'true';
  chatStream = null;
  $('btn-chat-stop').disabled = true;
  $('btn-chat-send').disabled = !chatLoaded;
}

function resetChat() {
  if (chatStream) chatStream.abort();
  history.length = 0;
  $('chat-log').replaceChildren();
}

// the OpenAI-compatible server started from this tab: its state is polled while it starts
async function refreshServe() {
  const s = await guarded(() => api('GET', '/api/serve'));
  if (!s) return;
  const running = s.state === 'serving' || s.state === 'starting';
  $('serve-status').textContent = t('chat.serveState') + ': ' + s.state + (running ? ' — ' + s.url + ' (model ' + s.model + ')' : '')
    + (s.state === 'failed' && s.log ? '\n' + s.log : '');
  $('serve-status').dataset.state = s.state;
  $('btn-serve-start').disabled = running || !chatAvailable;
  $('btn-serve-stop').disabled = !running;
  $('serve-example').hidden = s.state !== 'serving';
  if (s.state === 'serving')
    $('serve-example').textContent = 'curl ' + s.url + "/chat/completions -H 'Content-Type: application/json' \\\n  -d '"
      + JSON.stringify({ model: s.model, messages: [{ role: 'user', content: 'Hello' }], stream: true }) + "'";
  clearTimeout(refreshServe.timer);
  if (s.state === 'starting') refreshServe.timer = setTimeout(refreshServe, 1000);
}

// ---- start -----------------------------------------------------------------------------------------
async function init() {
  for (const b of document.querySelectorAll('#tabs button')) b.addEventListener('click', () => showTab(b.dataset.tab));
  $('lang').addEventListener('click', () => {
    setLanguage(language() === 'zh' ? 'en' : 'zh');
    $('lang').textContent = language() === 'zh' ? 'English' : '中文';
    if (info) renderPreset();
    drawLive();
  });
  setLanguage(language());
  $('lang').textContent = language() === 'zh' ? 'English' : '中文';
  info = await guarded(() => api('GET', '/api/info'));
  if (!info) return;
  $('footer').textContent = 'Ember ' + info.version + ' · runs: ' + info.runs_dir + ' · data roots: ' + info.data_roots.join(', ');
  for (const p of info.presets) $('preset').append(el('option', { value: p.id, text: p.title + (p.available ? '' : ' — ' + t('train.unavailable')) }));
  $('preset').value = 'mlp';
  renderPreset();
  $('preset').addEventListener('change', renderPreset);
  $('params').addEventListener('change', applyWhen);
  $('dataset').addEventListener('change', renderDataPath);
  $('btn-browse').addEventListener('click', () => browse($('data_path').value));
  $('upload-file').addEventListener('change', async e => {
    const f = e.target.files[0];
    if (!f) return;
    if (f.size > info.max_upload_bytes) { toast(f.name + ': more than ' + info.max_upload_bytes + ' bytes'); e.target.value = ''; return; }
    const r = await guarded(() => upload(f));
    if (r) { $('data_path').value = r.path; toast(r.path, true); }
    e.target.value = '';
  });
  $('btn-preview').addEventListener('click', async () => {
    const r = await guarded(() => api('POST', '/api/preview', collectArgs()));
    if (r) $('preview-output').textContent = r.command;
  });
  $('btn-save-args').addEventListener('click', async () => {
    const checked = await guarded(() => api('POST', '/api/args/check', collectArgs()));
    if (!checked) return;
    const blob = new Blob([JSON.stringify(checked, null, 2)], { type: 'application/json' });
    const a = el('a', { href: URL.createObjectURL(blob), download: (checked.name || 'run').replace(/[^A-Za-z0-9._-]+/g, '_') + '.args.json' });
    a.click();
    URL.revokeObjectURL(a.href);
  });
  $('load-args').addEventListener('change', async e => {
    const f = e.target.files[0];
    if (!f) return;
    await guarded(async () => applyArgs(JSON.parse(await f.text())));
    e.target.value = '';
  });
  $('btn-start').addEventListener('click', async () => {
    const r = await guarded(() => api('POST', '/api/runs', collectArgs()));
    if (!r) return;
    toast(t('train.started') + ': ' + r.name, true);
    await refreshRunLists();
    $('live-run').value = r.id;
    followRun(r.id);
    showTab('live');
  });
  $('live-run').addEventListener('change', () => followRun($('live-run').value));
  $('btn-abort').addEventListener('click', async () => {
    if (!live) return;
    await guarded(() => api('POST', '/api/runs/' + live.id + '/abort'));
  });
  $('btn-resume').addEventListener('click', async () => {
    if (!live) return;
    const cps = await guarded(() => api('GET', '/api/runs/' + live.id + '/checkpoints'));
    const cp = cps && (cps.includes('last') ? 'last' : cps.includes('best') ? 'best' : null);
    if (!cp) { toast('no checkpoint yet'); return; }
    const args = await guarded(() => api('GET', '/api/runs/' + live.id + '/args'));
    if (!args) return;
    args.resume = live.id + '/checkpoints/' + cp + '.safetensors';
    applyArgs(args);
    showTab('train');
  });
  $('btn-refresh').addEventListener('click', refreshRuns);
  $('btn-compare').addEventListener('click', compare);
  $('eval-run').addEventListener('change', refreshCheckpoints);
  $('btn-evaluate').addEventListener('click', evaluate);
  $('btn-explain').addEventListener('click', explain);
  $('btn-importances').addEventListener('click', importances);
  $('btn-chat-load').addEventListener('click', async () => {
    $('btn-chat-load').disabled = true;
    const r = await guarded(() => api('POST', '/api/chat/load', { weights: $('chat-weights').value, adapter: $('chat-adapter').value,
      chat_template: $('chat-template').value }));
    $('btn-chat-load').disabled = false;
    if (r) { resetChat(); refreshChat(); }
  });
  $('chat-run').addEventListener('change', () => {
    const c = chatRuns[$('chat-run').value];
    if (!c) return;
    $('chat-weights').value = c.weights;
    $('chat-adapter').value = c.adapter;
    $('chat-template').value = c.chat_template;
  });
  $('btn-chat-stop').addEventListener('click', () => { if (chatStream) chatStream.abort(); });
  $('btn-chat-reset').addEventListener('click', resetChat);
  $('chat-input').addEventListener('keydown', e => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); sendChat(); } });
  $('btn-serve-start').addEventListener('click', async () => {
    const r = await guarded(() => api('POST', '/api/serve/start', { weights: $('chat-weights').value, adapter: $('chat-adapter').value,
      port: $('serve-port').value, chat_template: $('chat-template').value }));
    if (r) refreshServe();
  });
  $('btn-serve-stop').addEventListener('click', async () => {
    const r = await guarded(() => api('POST', '/api/serve/stop'));
    if (r) refreshServe();
  });
  $('btn-chat-export').addEventListener('click', async () => {
    const base = ($('chat-weights').value.split('/').filter(x => x).pop() || 'model').replace(/[^A-Za-z0-9._-]+/g, '-');
    const name = prompt(t('chat.exportName'), base + '-merged');
    if (!name) return;
    const r = await guarded(() => api('POST', '/api/chat/export', { name }));
    if (r) toast(t('chat.exported') + ': ' + r.path + ' (' + r.weights + ')', true);
  });
  $('btn-chat-send').addEventListener('click', sendChat);
  await refreshRunLists();
  refreshResumeChoices();
  document.body.dataset.ready = 'true';
}

init();
