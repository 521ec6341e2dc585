// The statistics page's bar charts (Apache ECharts, served from /static/vendor/echarts). Every bar carries its
// number as a label, and the same figures stand in the table below each chart: nothing is told by colour alone.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("stats-charts");
    if (!source || !window.echarts) return;
    var fontSize = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    var charts = [];
    JSON.parse(source.textContent).forEach(function (c) {
      var el = document.getElementById(c.id);
      if (!el || !c.labels.length) return;
      el.style.height = c.labels.length * 2.2 * fontSize + 2 * fontSize + "px";
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption({
        aria: { enabled: true },
        animation: false,
        textStyle: { fontSize: fontSize * 0.875 },
        grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        xAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: fontSize * 0.8 } },
        yAxis: { type: "category", data: c.labels, inverse: true, axisLabel: { fontSize: fontSize * 0.875, color: "#1d2125" } },
        series: [{
          type: "bar", name: c.title, data: c.values, barMaxWidth: fontSize * 1.5,
          itemStyle: { color: "#b71c1c" },
          label: { show: true, position: "right", fontSize: fontSize * 0.875, color: "#1d2125" }
        }]
      });
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  });
})();
