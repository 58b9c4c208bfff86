// The statistics page's chart: demands received and resolved (bars), on-time and
// satisfaction rates (lines, right axis), one group per row of the table.
(function () {
  var holder = document.getElementById("stats-chart");
  var source = document.getElementById("stats-data");
  if (!holder || !source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  if (!data.labels.length) { holder.style.display = "none"; return; }
  var d = holder.dataset;
  var chart = echarts.init(holder);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0, data: [d.received, d.resolved, d.onTime, d.satisfaction] },
    grid: { left: 50, right: 50, top: 50, bottom: 20, containLabel: true },
    xAxis: {
      type: "category",
      data: data.labels,
      axisLabel: { rotate: 30, interval: 0, width: 120, overflow: "truncate" }
    },
    yAxis: [{ type: "value" }, { type: "value", name: "%", max: 100, splitLine: { show: false } }],
    series: [
      { name: d.received, type: "bar", data: data.received, itemStyle: { color: "#1f5fa8" } },
      { name: d.resolved, type: "bar", data: data.resolved, itemStyle: { color: "#2e8b57" } },
      { name: d.onTime, type: "line", yAxisIndex: 1, data: data.on_time, itemStyle: { color: "#d68910" } },
      { name: d.satisfaction, type: "line", yAxisIndex: 1, data: data.satisfaction, itemStyle: { color: "#c0392b" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
