// The chain's maps (四图 and the attraction map), drawn with ECharts from the data the
// page embeds: a tab bar switches between them; each chart is drawn the first time it is
// shown. PNG and SVG downloads draw the shown map's option again.
(function () {
  if (!window.echarts) return;
  var builders = {};

  // 产业链图: nodes from upstream (left) to downstream (right), each segment a band of
  // columns by depth; size by local enterprises, colour by local strength; arrows are
  // supply links, thin lines the tree.
  builders.chain = function (data, holder) {
    var order = ["upstream", "midstream", "downstream"];
    var rows = { upstream: 0, midstream: 0, downstream: 0 };
    var maxDepth = 0;
    data.nodes.forEach(function (n) { maxDepth = Math.max(maxDepth, n.depth); });
    var band = maxDepth + 2;
    var colour = function (n) {
      if (n.enterprises === 0) return "#c0392b";
      if (n.above_scale === 0) return "#e67e22";
      return "#27ae60";
    };
    var nodes = data.nodes.map(function (n) {
      var y = rows[n.segment]++;
      return {
        id: String(n.id),
        name: n.name,
        x: order.indexOf(n.segment) * band * 160 + n.depth * 160,
        y: y * 34,
        symbol: n.bottleneck ? "diamond" : "circle",
        symbolSize: n.depth === 0 ? 26 : 8 + Math.min(26, Math.sqrt(n.enterprises) * 4),
        itemStyle: {
          color: n.depth === 0 ? "#1f5fa8" : colour(n),
          borderColor: "#1d2b3a",
          borderWidth: n.key_link ? 3 : 0
        },
        label: { show: true, position: "right", fontSize: n.depth === 0 ? 13 : 11, fontWeight: n.depth === 0 ? "bold" : "normal" },
        value: [n.enterprises, n.above_scale, n.revenue],
        segment: data.segments[n.segment]
      };
    });
    var edges = [];
    data.nodes.forEach(function (n) {
      if (n.parent !== null) {
        edges.push({ source: String(n.parent), target: String(n.id), lineStyle: { color: "#b8c2cc", width: 1, curveness: 0 }, symbol: ["none", "none"] });
      }
    });
    data.links.forEach(function (l) {
      edges.push({ source: String(l[0]), target: String(l[1]), lineStyle: { color: "#1f5fa8", width: 1.5, curveness: 0.25, opacity: 0.7 }, symbol: ["none", "arrow"], symbolSize: 8 });
    });
    var yi = function (v) { return (v / 1e8).toFixed(2); };
    return {
      animation: false,
      tooltip: {
        formatter: function (p) {
          if (p.dataType !== "node") return "";
          var v = p.data.value;
          return p.data.segment + " · " + p.name + "<br>" + holder.dataset.enterprises + " " + v[0] +
            "<br>" + holder.dataset.aboveScale + " " + v[1] + "<br>" + holder.dataset.revenue + " " + yi(v[2]);
        }
      },
      series: [{
        type: "graph",
        layout: "none",
        roam: true,
        data: nodes,
        edges: edges,
        edgeSymbol: ["none", "arrow"],
        emphasis: { focus: "adjacency" }
      }]
    };
  };

  var yi = function (v) { return (v / 1e8).toFixed(2); };
  var esc = function (text) {
    var d = document.createElement("div");
    d.textContent = text == null ? "" : String(text);
    return d.innerHTML;
  };

  // 技术路线图: a row per node, a column per year; squares are the technology tasks'
  // targets for the year (colour by status), triangles the platforms in the year they
  // were recognised.
  builders.roadmap = function (data, holder) {
    var rows = data.rows.map(function (r) { return r.node || holder.dataset.chainWide; }).reverse();
    var first = data.years.length ? data.years[0] : new Date().getFullYear();
    var last = data.years.length ? data.years[data.years.length - 1] : first;
    var years = [];
    for (var y = first; y <= last; y++) years.push(String(y));
    var colours = { planned: "#8a96a3", under_way: "#1f5fa8", achieved: "#27ae60" };
    var tasks = [], platforms = [], projects = [];
    data.rows.forEach(function (r, i) {
      var row = data.rows.length - 1 - i;
      var perYear = {};
      r.tasks.forEach(function (t) {
        t.targets.forEach(function (target) {
          var n = perYear[target[0]] = (perYear[target[0]] || 0) + 1;
          tasks.push({
            value: [String(target[0]), row],
            symbolOffset: [(n - 1) * 14, 0],
            itemStyle: { color: colours[t.status] || "#1f5fa8" },
            info: "<b>" + esc(t.name) + "</b> · " + esc(t.status_label) + "<br>" + target[0] + "：" + esc(target[1]) +
              "<br>" + esc(holder.dataset.owner) + " " + esc(t.owner) + " · " + esc(holder.dataset.deadline) + " " + esc(t.deadline)
          });
        });
      });
      (r.projects || []).forEach(function (p) {
        var n = perYear[p.year] = (perYear[p.year] || 0) + 1;
        projects.push({
          value: [String(p.year), row],
          symbolOffset: [(n - 1) * 14, 0],
          info: "<b>" + esc(p.name) + "</b><br>" + esc(p.type) + " · " + esc(p.stage) + " · " + yi(p.investment) + " " + esc(holder.dataset.yi)
        });
      });
      r.platforms.forEach(function (p) {
        if (!p.year) return;
        var n = perYear[p.year] = (perYear[p.year] || 0) + 1;
        platforms.push({
          value: [String(p.year), row],
          symbolOffset: [(n - 1) * 14, 0],
          info: "<b>" + esc(p.name) + "</b><br>" + esc(p.level) + esc(p.kind) + " · " + esc(p.host) + " · " + p.year
        });
      });
    });
    return {
      animation: false,
      tooltip: { formatter: function (p) { return p.data.info; } },
      legend: { top: 0, data: [holder.dataset.tasks, holder.dataset.platforms, holder.dataset.projects] },
      grid: { left: 8, right: 24, top: 36, bottom: 24, containLabel: true },
      xAxis: { type: "category", data: years, splitLine: { show: true } },
      yAxis: { type: "category", data: rows, splitLine: { show: true } },
      series: [
        { name: holder.dataset.tasks, type: "scatter", symbol: "rect", symbolSize: 12, data: tasks, itemStyle: { color: "#1f5fa8" } },
        { name: holder.dataset.platforms, type: "scatter", symbol: "triangle", symbolSize: 14, data: platforms, itemStyle: { color: "#d35400" } },
        { name: holder.dataset.projects, type: "scatter", symbol: "circle", symbolSize: 11, data: projects, itemStyle: { color: "#8e44ad" } }
      ]
    };
  };

  // 应用领域图: the chain's nodes (left) flow into the markets they serve (right); a
  // flow's width is the local enterprises on the node; grey flows have none yet.
  builders.application = function (data, holder) {
    var nodes = [], links = [], seen = {};
    data.fields.forEach(function (f) {
      var top = f.enterprises.slice(0, 8).map(function (e) { return esc(e.name); }).join("、");
      nodes.push({
        name: f.name, itemStyle: { color: "#1f5fa8" },
        info: "<b>" + esc(f.name) + "</b><br>" + esc(f.description) + "<br>" + esc(holder.dataset.enterprises) + " " + f.count +
          (top ? "<br>" + top + (f.count > f.enterprises.length ? "…" : "") : "")
      });
      f.nodes.forEach(function (n) {
        var key = "n" + n.id;
        if (!seen[key]) {
          seen[key] = true;
          nodes.push({ name: key, label: { formatter: n.name }, itemStyle: { color: n.enterprises ? "#27ae60" : "#b8c2cc" },
            info: esc(n.name) + "<br>" + esc(holder.dataset.enterprises) + " " + n.enterprises });
        }
        links.push({ source: key, target: f.name, value: n.enterprises || 0.3,
          lineStyle: { color: n.enterprises ? "source" : "#d5dbe1", opacity: 0.5 },
          info: esc(n.name) + " → " + esc(f.name) + "<br>" + esc(holder.dataset.enterprises) + " " + n.enterprises });
      });
    });
    return {
      animation: false,
      tooltip: { formatter: function (p) { return p.data.info || ""; } },
      series: [{
        type: "sankey", left: 8, right: 140, top: 8, bottom: 8, nodeGap: 10, draggable: false,
        data: nodes, links: links, label: { fontSize: 12 },
        emphasis: { focus: "adjacency" }
      }]
    };
  };

  // 区域分布图: by district, the chain's local enterprises, those above designated size
  // and its projects (bars), and their revenue (line, right axis).
  builders.regional = function (data, holder) {
    var d = data.districts;
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.map(function (r) { return r.name; }), axisLabel: { interval: 0, rotate: d.length > 8 ? 30 : 0 } },
      yAxis: [{ type: "value", name: holder.dataset.count }, { type: "value", name: holder.dataset.revenue }],
      series: [
        { name: holder.dataset.enterprises, type: "bar", data: d.map(function (r) { return r.enterprises; }) },
        { name: holder.dataset.aboveScale, type: "bar", data: d.map(function (r) { return r.above_scale; }) },
        { name: holder.dataset.projects, type: "bar", data: d.map(function (r) { return r.projects; }) },
        { name: holder.dataset.revenue, type: "line", yAxisIndex: 1, data: d.map(function (r) { return yi(r.revenue); }) }
      ]
    };
  };

  // 招商图: the chain's gaps, most urgent first, each with the prospects recommended for it
  // (colour by how far they are in the pipeline).
  builders.attraction = function (data, holder) {
    var kinds = { fill: "#c0392b", extend: "#e67e22", strengthen: "#f1c40f" };
    var stages = { lead: "#8a96a3", contact: "#5dade2", visit: "#1f5fa8", signed: "#27ae60" };
    var root = {
      name: holder.dataset.chain, itemStyle: { color: "#1f5fa8" },
      children: data.gaps.map(function (g) {
        return {
          name: g.rank + ". " + g.node + "（" + g.kind_label + "）",
          itemStyle: { color: kinds[g.kind] },
          info: esc(g.node) + " · " + esc(g.kind_label) + " · " + esc(holder.dataset.score) + " " + g.score,
          children: g.prospects.map(function (p) {
            return {
              name: p.name + " · " + p.city, itemStyle: { color: stages[p.stage] || "#8a96a3" },
              info: "<b>" + esc(p.name) + "</b> · " + esc(p.stage_label) + "<br>" + esc(p.reasons)
            };
          })
        };
      })
    };
    return {
      animation: false,
      tooltip: { formatter: function (p) { return p.data.info || esc(p.name); } },
      series: [{
        type: "tree", data: [root], orient: "LR", left: 90, right: 260, top: 10, bottom: 10,
        initialTreeDepth: -1, symbolSize: 9, expandAndCollapse: false,
        label: { position: "left", verticalAlign: "middle", align: "right", fontSize: 12 },
        leaves: { label: { position: "right", align: "left" } }
      }]
    };
  };

  var holders = document.querySelectorAll(".chain-map[data-map]");
  var charts = {}, options = {};
  function draw(holder) {
    var name = holder.dataset.map;
    if (charts[name]) { charts[name].resize(); return; }
    var source = document.getElementById("map-data-" + name);
    if (!source || !builders[name]) return;
    var data = JSON.parse(source.textContent);
    options[name] = builders[name](data, holder);
    charts[name] = echarts.init(holder);
    charts[name].setOption(options[name]);
    // What was drawn: the nodes, roadmap rows, markets, districts or gaps.
    var items = data.nodes || data.rows || data.fields || data.districts || data.gaps || [];
    holder.dataset.rendered = String(items.length);
  }
  var tabs = document.querySelectorAll("[data-show-map]");
  var current = null;
  function show(name) {
    holders.forEach(function (h) {
      var on = h.dataset.map === name;
      h.closest(".map-panel").hidden = !on;
      if (on) { current = h; draw(h); }
    });
    tabs.forEach(function (t) { t.setAttribute("aria-selected", String(t.dataset.showMap === name)); });
  }
  tabs.forEach(function (t) {
    t.addEventListener("click", function () {
      show(t.dataset.showMap);
      if (history.replaceState) history.replaceState(null, "", "#map-" + t.dataset.showMap);
    });
  });
  var wanted = (location.hash.match(/^#map-(\w+)$/) || [])[1];
  show(wanted && document.querySelector('[data-map="' + wanted + '"]') ? wanted : "chain");
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
  });

  function download(url, name) {
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }
  function fileName() {
    var tab = document.querySelector('[data-show-map][aria-selected="true"]');
    return document.title + (tab ? "-" + tab.textContent.trim() : "");
  }
  var png = document.getElementById("map-png"), svgButton = document.getElementById("map-svg");
  if (png) png.addEventListener("click", function () {
    var chart = charts[current.dataset.map];
    download(chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" }), fileName() + ".png");
  });
  if (svgButton) svgButton.addEventListener("click", function () {
    var box = document.createElement("div");
    box.style.cssText = "position:absolute;left:-10000px;width:" + current.clientWidth + "px;height:" + current.clientHeight + "px";
    document.body.appendChild(box);
    var svg = echarts.init(box, null, { renderer: "svg" });
    svg.setOption(options[current.dataset.map]);
    download(svg.getDataURL({ type: "svg" }), fileName() + ".svg");
    svg.dispose();
    box.remove();
  });
})();
