/* Draw every server-built Plotly figure on the page; data comes from json_script tags, never from a CDN. */
document.querySelectorAll("[data-figure]").forEach(function (el) {
  var source = document.getElementById(el.dataset.figure);
  if (!source || !window.Plotly) return;
  var figure = JSON.parse(JSON.parse(source.textContent));
  Plotly.newPlot(el, figure.data, figure.layout, {responsive: true, displaylogo: false, locale: "zh-CN"});
});
