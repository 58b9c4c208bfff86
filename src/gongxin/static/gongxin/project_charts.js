// Key project charts: a project's investment by month (#investment-data), the timeline of
// projects as a Gantt chart (#timeline-data), the statistics by group (#statistics-data).
(function () {
  if (!window.echarts) return;
  var charts = [];
  function data(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }
  function init(id) {
    var target = document.getElementById(id);
    if (!target) return null;
    var chart = echarts.init(target);
    charts.push(chart);
    return chart;
  }

  // One project: bars per month, lines of the totals to date (10k yuan).
  var investment = data("investment-data");
  var chart = investment && init("investment-chart");
  if (chart) {
    var l = investment.labels;
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 60, right: 60, top: 40, bottom: 30 },
      xAxis: { type: "category", data: investment.months },
      yAxis: [{ type: "value", name: "万元" }, { type: "value", name: "万元", splitLine: { show: false } }],
      series: [
        { name: l.planned, type: "bar", data: investment.planned, itemStyle: { color: "#b0bec5" } },
        { name: l.completed, type: "bar", data: investment.completed, itemStyle: { color: "#1e6fd9" } },
        { name: l.equipment, type: "bar", data: investment.equipment, itemStyle: { color: "#26a69a" } },
        { name: l.planned_total, type: "line", yAxisIndex: 1, data: investment.planned_total, lineStyle: { type: "dashed" }, itemStyle: { color: "#78909c" } },
        { name: l.completed_total, type: "line", yAxisIndex: 1, data: investment.completed_total, itemStyle: { color: "#0d47a1" } }
      ]
    });
    chart.getDom().setAttribute("data-rendered", String(investment.months.length));
  }

  // The timeline: a bar from the first to the last planned stage per project, the stages
  // reached as dots, those planned and not reached as crosses, today as a line.
  var timeline = data("timeline-data");
  chart = timeline && timeline.bars.length && init("timeline-chart");
  if (chart) {
    var colours = { red: "#d32f2f", yellow: "#f9a825", green: "#2e7d32" };
    var names = timeline.bars.map(function (b) { return b.name; });
    var day = function (text) { return new Date(text + "T00:00:00").getTime(); };
    var reached = [], open = [], late = [];
    timeline.bars.forEach(function (b, i) {
      b.steps.forEach(function (s) {
        if (s.reached) reached.push({ value: [day(s.reached), i], label: s.label, when: s.reached });
        else if (s.planned) (s.planned < timeline.today ? late : open).push({ value: [day(s.planned), i], label: s.label, when: s.planned });
      });
    });
    var point = function (p) { return names[p.value[1]] + "<br>" + p.data.label + " " + p.data.when; };
    chart.setOption({
      tooltip: { formatter: function (p) { return p.seriesType === "custom" ? p.name + "<br>" + p.value[3] + " — " + p.value[4] : point(p); } },
      grid: { left: 260, right: 30, top: 30, bottom: 40 },
      xAxis: { type: "time", position: "top" },
      yAxis: { type: "category", data: names, inverse: true, axisLabel: { width: 240, overflow: "truncate" },
        triggerEvent: true },
      dataZoom: [{ type: "inside", xAxisIndex: 0 }, { type: "slider", xAxisIndex: 0, bottom: 5, height: 16 }],
      series: [
        {
          type: "custom",
          renderItem: function (params, api) {
            var start = api.coord([api.value(1), api.value(0)]);
            var end = api.coord([api.value(2), api.value(0)]);
            var height = api.size([0, 1])[1] * 0.5;
            return {
              type: "rect",
              shape: { x: start[0], y: start[1] - height / 2, width: Math.max(end[0] - start[0], 2), height: height },
              style: { fill: colours[timeline.bars[params.dataIndex].health] || "#90a4ae", opacity: 0.35 }
            };
          },
          encode: { x: [1, 2], y: 0 },
          data: timeline.bars.map(function (b, i) {
            return { name: b.name, value: [i, day(b.start), day(b.end), b.start, b.end] };
          })
        },
        { name: timeline.labels.reached, type: "scatter", symbolSize: 9, itemStyle: { color: "#1e6fd9" }, data: reached },
        { name: timeline.labels.planned, type: "scatter", symbol: "diamond", symbolSize: 9, itemStyle: { color: "#90a4ae" }, data: open },
        { name: timeline.labels.late, type: "scatter", symbol: "triangle", symbolSize: 10, itemStyle: { color: "#d32f2f" }, data: late,
          markLine: { symbol: "none", label: { formatter: timeline.labels.today }, lineStyle: { color: "#d32f2f" },
            data: [{ xAxis: day(timeline.today) }] } }
      ]
    });
    chart.getDom().setAttribute("data-rendered", String(timeline.bars.length));
    chart.on("click", function (p) {
      var index = p.componentType === "yAxis" ? names.indexOf(p.value) : (p.seriesType === "custom" ? p.dataIndex : p.value && p.value[1]);
      var bar = timeline.bars[index];
      if (bar) window.location.href = bar.url;
    });
  }

  // Statistics: planned and completed investment by group.
  var stats = data("statistics-data");
  chart = stats && stats.labels.length && init("statistics-chart");
  if (chart) {
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 70, right: 20, top: 40, bottom: 80 },
      xAxis: { type: "category", data: stats.labels, axisLabel: { rotate: 30, interval: 0 } },
      yAxis: { type: "value", name: "万元" },
      series: [
        { name: stats.names.planned, type: "bar", data: stats.planned, itemStyle: { color: "#b0bec5" } },
        { name: stats.names.completed, type: "bar", data: stats.completed, itemStyle: { color: "#1e6fd9" } }
      ]
    });
    chart.getDom().setAttribute("data-rendered", String(stats.labels.length));
  }

  // A park's land over time (mu): planned, developed, occupied.
  var land = data("land-data");
  chart = land && land.months.length && init("land-chart");
  if (chart) {
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 60, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: land.months },
      yAxis: { type: "value", name: "亩" },
      series: land.series.map(function (s) { return { name: s.name, type: "line", data: s.data }; })
    });
    chart.getDom().setAttribute("data-rendered", String(land.months.length));
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
