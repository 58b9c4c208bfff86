// The cultivation ladder over the years: one line per rung (data from #ladder-data).
(function () {
  var source = document.getElementById("ladder-data");
  var target = document.getElementById("ladder-chart");
  if (!source || !target || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(target);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: data.labels, top: 0, type: "scroll" },
    grid: { left: 50, right: 20, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.rows.map(function (r) { return String(r.year); }) },
    yAxis: { type: "value", minInterval: 1 },
    series: data.labels.map(function (name, i) {
      return { name: name, type: "line", data: data.rows.map(function (r) { return r.counts[i]; }) };
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
