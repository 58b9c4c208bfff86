// The chain map (产业链图): nodes from upstream (left) to downstream (right), each segment a
// band of columns by depth; size by local enterprises, colour by local strength; arrows
// are supply links, thin lines the tree. PNG and SVG downloads draw the same option.
(function () {
  var holder = document.getElementById("chain-map");
  var source = document.getElementById("chain-map-data");
  if (!holder || !source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
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
  var option = {
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
  var chart = echarts.init(holder);
  chart.setOption(option);
  window.addEventListener("resize", function () { chart.resize(); });
  holder.dataset.rendered = String(nodes.length);

  function download(url, name) {
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }
  var title = document.title;
  document.getElementById("map-png").addEventListener("click", function () {
    download(chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" }), title + ".png");
  });
  document.getElementById("map-svg").addEventListener("click", function () {
    var box = document.createElement("div");
    box.style.cssText = "position:absolute;left:-10000px;width:" + holder.clientWidth + "px;height:" + holder.clientHeight + "px";
    document.body.appendChild(box);
    var svg = echarts.init(box, null, { renderer: "svg" });
    svg.setOption(option);
    download(svg.getDataURL({ type: "svg" }), title + ".svg");
    svg.dispose();
    box.remove();
  });
})();
