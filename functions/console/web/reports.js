// Reports: chats and offline messages per day and the median time to the
// first operator reply, drawn as SVG bar charts without any library.

import {api, qs} from './api.js';
import {h, clear, svg, duration} from './dom.js';

const day = d => d.toISOString().slice(0, 10);

export async function showReports(app, main) {
  const to = new Date();
  const from = new Date(to.getTime() - 13 * 86400000);
  const fromIn = h('input', {type: 'date', id: 'rep-from', name: 'from', value: day(from)});
  const toIn = h('input', {type: 'date', id: 'rep-to', name: 'to', value: day(to)});
  const out = h('div', {class: 'report-body'});
  const form = h('form', {class: 'toolbar wrap report-range'},
    h('label', {for: 'rep-from'}, 'From'), fromIn, h('label', {for: 'rep-to'}, 'To'), toIn,
    h('button', {type: 'submit', class: 'secondary'}, 'Show'));
  const load = async () => {
    try {
      const res = await api('GET', 'reports' + qs({from: fromIn.value, to: toIn.value}));
      draw(out, res);
    } catch (e) {
      clear(out, h('p', {class: 'form-error', role: 'alert'}, e.message));
    }
  };
  form.addEventListener('submit', ev => { ev.preventDefault(); load(); });
  clear(main, h('div', {class: 'view-head'}, h('h1', {}, 'Reports')), form, out);
  await load();
}

function draw(out, res) {
  const chats = res.days.reduce((n, d) => n + d.chats, 0);
  const msgs = res.days.reduce((n, d) => n + d.messages, 0);
  clear(out,
    h('div', {class: 'kpis'},
      kpi('Chats', String(chats)),
      kpi('Offline messages', String(msgs)),
      kpi('Median first response', res.responses ? duration(res.median_first_response_seconds) : '—', res.responses ? `over ${res.responses} chats` : 'no answered chats yet')),
    h('section', {class: 'card chart-card'}, h('h2', {}, 'Chats per day'), bars(res.days, 'chats', 'var(--chart-1)', 'Chats per day')),
    h('section', {class: 'card chart-card'}, h('h2', {}, 'Offline messages per day'), bars(res.days, 'messages', 'var(--chart-2)', 'Offline messages per day')),
    table(res.days));
}

function kpi(label, value, note) {
  return h('div', {class: 'kpi card'}, h('span', {class: 'kpi-label'}, label), h('span', {class: 'kpi-value'}, value), note ? h('span', {class: 'kpi-note'}, note) : null);
}

// bars draws one value per day; the chart scales to its container.
function bars(days, key, color, title) {
  const W = 640, H = 220, left = 34, bottom = 28, top = 10;
  const max = Math.max(1, ...days.map(d => d[key]));
  const step = niceStep(max);
  const top2 = Math.ceil(max / step) * step;
  const bw = (W - left - 8) / Math.max(1, days.length);
  const y = v => top + (H - top - bottom) * (1 - v / top2);
  const g = svg('svg', {viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title});
  g.append(svg('title', {}, title));
  for (let v = 0; v <= top2; v += step) {
    g.append(svg('line', {x1: left, x2: W - 4, y1: y(v), y2: y(v), class: 'grid'}),
      svg('text', {x: left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis'}, String(v)));
  }
  const every = Math.ceil(days.length / 10);
  days.forEach((d, i) => {
    const x = left + i * bw;
    const v = d[key];
    const rect = svg('rect', {x: x + bw * 0.15, y: y(v), width: bw * 0.7, height: Math.max(0, y(0) - y(v)), rx: 2, fill: color});
    rect.append(svg('title', {}, `${d.date}: ${v}`));
    g.append(rect);
    if (i % every === 0) g.append(svg('text', {x: x + bw / 2, y: H - 8, 'text-anchor': 'middle', class: 'axis'}, d.date.slice(5)));
  });
  return g;
}

function niceStep(max) {
  const raw = max / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return Math.max(1, m * p);
  return Math.max(1, 10 * p);
}

function table(days) {
  return h('details', {class: 'card'}, h('summary', {}, 'Figures by day'),
    h('table', {class: 'data'},
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Day'), h('th', {scope: 'col'}, 'Chats'), h('th', {scope: 'col'}, 'Offline messages'))),
      h('tbody', {}, days.map(d => h('tr', {}, h('th', {scope: 'row'}, d.date), h('td', {}, String(d.chats)), h('td', {}, String(d.messages)))))));
}
