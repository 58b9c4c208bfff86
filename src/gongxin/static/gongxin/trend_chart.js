// Monthly trend of one figure (bars) with its year-on-year growth (line, right axis).
(function () {
  var holder = document.getElementById("trend-chart");
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var tabs = document.getElementById("figure-tabs");
  if (!holder || !window.echarts) return;
  var chart = echarts.init(holder);
  var yoyLabel = holder.dataset.yoyLabel;

  function show(index) {
    var s = data[index];
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: [s.label + "（" + s.unit + "）", yoyLabel] },
      grid: { left: 60, right: 60, top: 40, bottom: 60 },
      xAxis: { type: "category", data: s.periods },
      yAxis: [{ type: "value", name: s.unit }, { type: "value", name: "%", splitLine: { show: false } }],
      dataZoom: [{ type: "slider", start: Math.max(0, 100 - 2400 / Math.max(1, s.periods.length)), end: 100 }],
      series: [
        { name: s.label + "（" + s.unit + "）", type: "bar", data: s.values, itemStyle: { color: "#1f5fa8" } },
        { name: yoyLabel, type: "line", yAxisIndex: 1, data: s.yoy, connectNulls: false, itemStyle: { color: "#c0392b" } }
      ]
    }, true);
    Array.prototype.forEach.call(tabs.children, function (b, i) { b.classList.toggle("active", i === index); });
  }
  data.forEach(function (s, i) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = s.label;
    b.addEventListener("click", function () { show(i); });
    tabs.appendChild(b);
  });
  show(0);
  window.addEventListener("resize", function () { chart.resize(); });
})();
