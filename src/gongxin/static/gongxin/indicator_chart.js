// An indicator's months over three years, one line a year (data from #indicator-data).
(function () {
  var source = document.getElementById("indicator-data");
  var target = document.getElementById("indicator-chart");
  if (!source || !target || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  if (!data) return;
  var chart = echarts.init(target);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 70, right: 20, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", name: data.unit },
    series: data.years.map(function (y) {
      return { name: String(y.year), type: "line", data: y.values, connectNulls: false };
    })
  });
  target.setAttribute("data-rendered", String(data.years.length));
  window.addEventListener("resize", function () { chart.resize(); });
})();
