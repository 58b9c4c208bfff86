// The cockpit's charts (data from #cockpit-data): output by month, this year against the
// year before; output by district; projects by health; on the large screen also chains'
// revenue and the open warnings. Each chart marks its element data-rendered when drawn.
(function () {
  var source = document.getElementById("cockpit-data");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var dark = document.body.classList.contains("screen");
  var theme = dark ? "dark" : null;
  var charts = [];

  function draw(id, option, count) {
    var el = document.getElementById(id);
    if (!el) return;
    var chart = echarts.init(el, theme);
    if (dark) option.backgroundColor = "transparent";
    chart.setOption(option);
    el.setAttribute("data-rendered", String(count));
    charts.push(chart);
  }

  draw("cockpit-trend", {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 60, right: 20, top: 36, bottom: 30 },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value" },
    series: data.trend.map(function (y, i) {
      return { name: String(y.year), type: i === data.trend.length - 1 ? "bar" : "line", data: y.values };
    })
  }, data.trend.length);

  if (data.districts.length) {
    draw("cockpit-districts", {
      tooltip: { trigger: "axis" },
      grid: { left: 90, right: 20, top: 10, bottom: 20 },
      xAxis: { type: "value" },
      yAxis: { type: "category", inverse: true, data: data.districts.map(function (d) { return d.name; }) },
      series: [{ type: "bar", data: data.districts.map(function (d) { return d.value; }) }]
    }, data.districts.length);
  }

  if (data.chains.length) {
    draw("cockpit-chains", {
      tooltip: { trigger: "axis" },
      grid: { left: 110, right: 20, top: 10, bottom: 20 },
      xAxis: { type: "value" },
      yAxis: { type: "category", inverse: true, data: data.chains.map(function (c) { return c.name; }) },
      series: [{ type: "bar", data: data.chains.map(function (c) { return c.value; }) }]
    }, data.chains.length);
  }

  var h = data.health;
  draw("cockpit-health", {
    tooltip: { trigger: "item" },
    legend: { bottom: 0 },
    series: [{
      type: "pie", radius: ["40%", "70%"],
      data: [
        { name: data.health_labels.green, value: h.green, itemStyle: { color: "#2e9e5b" } },
        { name: data.health_labels.yellow, value: h.yellow, itemStyle: { color: "#e0a100" } },
        { name: data.health_labels.red, value: h.red, itemStyle: { color: "#d64541" } }
      ]
    }]
  }, h.green + h.yellow + h.red);

  draw("cockpit-alerts", {
    tooltip: { trigger: "axis" },
    grid: { left: 150, right: 20, top: 10, bottom: 20 },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: data.alerts.map(function (a) { return a.name; }) },
    series: [{ type: "bar", data: data.alerts.map(function (a) { return a.value; }), itemStyle: { color: "#e0a100" } }]
  }, data.alerts.length);

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
