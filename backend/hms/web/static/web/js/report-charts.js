/* HMS report charts. Each report section's numbers are in a <script type="application/json">
   written by Django's json_script (the Content-Security-Policy forbids inline script, so this
   file reads data, never code). A <div data-report-section="<json id>"> holds the section's
   canvas and table; this script draws the canvas with Chart.js (vendored) and wires the
   "Chart / Table" toggle. Without JavaScript the table shows and the chart stays hidden; with
   it, the table stays in the page for screen readers (visually hidden) while the chart shows.

   Section JSON: {"id", "title", "columns": [{key, label, type, unit}], "rows": [{...}],
                  "chart": {kind, title, x, series: [{key, label}], y_label,
                            y_starts_at_zero}} */
(function () {
  "use strict";

  var PALETTE = ["#0f6e6a", "#e76f51", "#2a9d8f", "#e9c46a", "#264653", "#8e5ea2", "#5b8def"];
  var reducedMotion =
    window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  // Numbers come as JSON numbers (counts) or fixed-decimal strings (rates, money); null stays
  // null (a gap in a line, no bar).
  function number(value) {
    if (value === null || value === undefined || value === "") return null;
    var parsed = typeof value === "number" ? value : parseFloat(value);
    return isNaN(parsed) ? null : parsed;
  }

  function columnFor(section, key) {
    return section.columns.filter(function (c) {
      return c.key === key;
    })[0];
  }

  function config(section) {
    var chart = section.chart;
    var labels = section.rows.map(function (row) {
      var value = row[chart.x];
      return value === null || value === undefined ? "" : String(value);
    });
    var xColumn = columnFor(section, chart.x);
    // Counts get whole-number ticks (no "0.5 patients").
    var counts = chart.series.every(function (series) {
      var column = columnFor(section, series.key);
      return column && column.type === "int";
    });
    var pie = chart.kind === "pie";
    var stacked = chart.kind === "stacked_bar";
    var datasets = chart.series.map(function (series, i) {
      var colour = PALETTE[i % PALETTE.length];
      return {
        label: series.label,
        data: section.rows.map(function (row) {
          return number(row[series.key]);
        }),
        borderColor: pie ? "#ffffff" : colour,
        backgroundColor: pie
          ? labels.map(function (_label, j) {
              return PALETTE[j % PALETTE.length];
            })
          : colour,
        borderWidth: chart.kind === "line" ? 2 : 1,
        tension: 0,
        spanGaps: false,
        pointRadius: section.rows.length > 40 ? 0 : 3,
      };
    });
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: reducedMotion ? false : { duration: 400 },
      plugins: {
        title: { display: false, text: chart.title },
        legend: {
          display: pie || chart.series.length > 1,
          position: "bottom",
          labels: { boxWidth: 12 },
        },
      },
    };
    if (!pie) {
      options.interaction = { mode: "index", intersect: false };
      options.scales = {
        x: {
          stacked: stacked,
          title: { display: true, text: xColumn ? xColumn.label : chart.x },
          ticks: { maxRotation: 0, autoSkip: true },
        },
        y: {
          stacked: stacked,
          beginAtZero: chart.y_starts_at_zero,
          title: { display: true, text: chart.y_label },
          ticks: counts ? { precision: 0 } : {},
        },
      };
    }
    return {
      type: pie ? "pie" : chart.kind === "line" ? "line" : "bar",
      data: { labels: labels, datasets: pie ? datasets.slice(0, 1) : datasets },
      options: options,
    };
  }

  // Show the chart or the table; the table stays readable by screen readers either way.
  function show(holder, view) {
    var chart = holder.querySelector("[data-report-chart]");
    var table = holder.querySelector("[data-report-table]");
    if (chart) chart.hidden = view !== "chart";
    if (table) table.classList.toggle("visually-hidden", view === "chart");
    holder.dataset.view = view;
    holder.querySelectorAll("[data-report-view]").forEach(function (button) {
      var pressed = button.dataset.reportView === view;
      button.setAttribute("aria-pressed", pressed ? "true" : "false");
      button.classList.toggle("active", pressed);
    });
  }

  function drawSection(holder) {
    if (holder.dataset.reportDrawn) return;
    var source = document.getElementById(holder.dataset.reportSection);
    var canvas = holder.querySelector("canvas");
    if (!source || !canvas || typeof window.Chart === "undefined") return;
    var section = JSON.parse(source.textContent);
    if (!section.chart || !section.rows.length) return;
    holder.dataset.reportDrawn = "1";
    var toggle = holder.querySelector("[data-report-toggle]");
    if (toggle) toggle.hidden = false;
    show(holder, "chart");
    new window.Chart(canvas, config(section));
    holder.querySelectorAll("[data-report-view]").forEach(function (button) {
      button.addEventListener("click", function () {
        show(holder, button.dataset.reportView);
      });
    });
  }

  function init(root) {
    root.querySelectorAll("[data-report-section]").forEach(drawSection);
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    init(event.target);
  });
})();
