// Charts with ECharts (served from its WebJar): line charts, a heat map, bars. No hand-drawn canvas.
/* global echarts */
const charts = new Map();

export function chart(id) {
  const node = document.getElementById(id);
  let c = charts.get(id);
  if (!c || c.isDisposed()) {
    c = echarts.init(node, null, { renderer: 'canvas' });
    charts.set(id, c);
  }
  return c;
}

export function resizeAll() { for (const c of charts.values()) if (!c.isDisposed()) c.resize(); }
window.addEventListener('resize', resizeAll);

const base = {
  animation: false,
  grid: { left: 60, right: 60, top: 56, bottom: 40 },
  tooltip: { trigger: 'axis', renderMode: 'richText' },
  legend: { top: 0, type: 'scroll' },
};

// series: [{name, data: [[x, y], ...], yAxisIndex?, dashed?}]
export function lines(id, series, xName, yNames = [''], opts = {}) {
  const yAxis = yNames.map((n, i) => ({ type: opts.log && i === 0 ? 'log' : 'value', name: n, scale: true, splitLine: { show: i === 0 } }));
  chart(id).setOption({
    ...base,
    xAxis: { type: 'value', name: xName, nameLocation: 'middle', nameGap: 22, min: opts.xmin, max: opts.xmax, scale: opts.xmin === undefined },
    yAxis,
    series: series.map(s => ({
      name: s.name, type: 'line', showSymbol: s.data.length < 30, symbolSize: 5, data: s.data, yAxisIndex: s.yAxisIndex || 0,
      lineStyle: { width: s.width || 2, type: s.dashed ? 'dashed' : 'solid', opacity: s.opacity || 1 },
    })),
  }, true);
}

export function heatmap(id, matrix, labels, xName, yName) {
  const data = [];
  let max = 1;
  matrix.forEach((row, i) => row.forEach((v, j) => { data.push([j, i, v]); max = Math.max(max, v); }));
  chart(id).setOption({
    animation: false,
    // richText: tooltips drawn on the canvas, so class names from a user's CSV are never parsed as HTML
    tooltip: { renderMode: 'richText', formatter: p => `${yName}: ${labels[p.data[1]]}\n${xName}: ${labels[p.data[0]]}\n${p.data[2]}` },
    grid: { left: 110, right: 20, top: 10, bottom: 90 },
    xAxis: { type: 'category', data: labels, name: xName, nameLocation: 'middle', nameGap: 70, axisLabel: { rotate: 40 } },
    yAxis: { type: 'category', data: labels, name: yName, inverse: true, nameLocation: 'middle', nameGap: 84, nameRotate: 90 },
    visualMap: { min: 0, max, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, show: false,
      inRange: { color: ['#f8f9fa', '#ffd8a8', '#f76707', '#862e9c'] } },
    series: [{ type: 'heatmap', data, label: { show: true, fontSize: 10 } }],
  }, true);
}

export function bars(id, names, values, name) {
  chart(id).setOption({
    animation: false,
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    grid: { left: 120, right: 20, top: 10, bottom: 30 },
    xAxis: { type: 'value', name },
    yAxis: { type: 'category', data: names, inverse: true },
    series: [{ type: 'bar', data: values, itemStyle: { color: '#d9480f' } }],
  }, true);
}
