/* HMS portal behaviour. Loaded as a static file: the Content-Security-Policy forbids inline
   script. htmx reads its config from <meta name="htmx-config"> and sends the CSRF token from
   hx-headers on <body>. */
(function () {
  "use strict";

  // Move focus to the first form error after a failed submit, so keyboard and screen-reader
  // users land on what needs fixing.
  function focusFirstError() {
    var invalid = document.querySelector("main [aria-invalid='true']");
    var summary = document.getElementById("form-errors");
    if (invalid) {
      invalid.focus();
    } else if (summary) {
      summary.focus();
    }
  }

  // <form data-confirm="Question?"> asks before submitting.
  function bindConfirm(root) {
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      if (form.dataset.confirmBound) return;
      form.dataset.confirmBound = "1";
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });
  }

  // <canvas data-chart="..." data-chart-source="id-of-json-script"> draws a line chart from
  // the JSON produced by Django's json_script filter: {"labels": [...], "series": [{label,
  // data, unit, dash}]} (vital signs, result trends).
  var PALETTE = ["#0f6e6a", "#e76f51", "#2a9d8f", "#e9c46a", "#264653", "#8e5ea2"];

  function drawCharts(root) {
    if (typeof window.Chart === "undefined") return;
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.chartDrawn) return;
      var source = document.getElementById(canvas.dataset.chartSource);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      canvas.dataset.chartDrawn = "1";
      new window.Chart(canvas, {
        type: "line",
        data: {
          labels: data.labels,
          datasets: data.series.map(function (s, i) {
            // {dash: true}: a reference line (e.g. a normal range limit), grey and dashed.
            var colour = s.dash ? "#98a6b3" : PALETTE[i % PALETTE.length];
            return {
              label: s.unit ? s.label + " (" + s.unit + ")" : s.label,
              data: s.data,
              borderColor: colour,
              backgroundColor: colour,
              borderDash: s.dash ? [5, 4] : [],
              borderWidth: s.dash ? 1 : 2,
              tension: 0.25,
              spanGaps: true,
              pointRadius: s.dash ? 0 : 3,
              yAxisID: s.axis || "y",
            };
          }),
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          interaction: { mode: "index", intersect: false },
          plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
          scales: { x: { ticks: { maxRotation: 0, autoSkip: true } } },
        },
      });
    });
  }

  // <form data-replay-early-changes hx-trigger="change target:.hms-refresh"> narrows its
  // choices with htmx. A choice made while the page was still loading, before htmx listened,
  // would be lost: the control shows it but the server never saw it. Once htmx is ready (its
  // DOMContentLoaded handler ran before this one: its script comes first), send one change
  // from the first control that no longer shows what the server rendered; that request
  // carries every control's value.
  function isEdited(control) {
    if (control.tagName === "SELECT") {
      var options = Array.prototype.slice.call(control.options);
      var rendered =
        options.filter(function (o) {
          return o.defaultSelected;
        })[0] || options[0];
      return rendered !== undefined && control.value !== rendered.value;
    }
    return control.value !== control.defaultValue;
  }

  function replayEarlyChanges(root) {
    if (typeof window.htmx === "undefined") return;
    root.querySelectorAll("form[data-replay-early-changes]").forEach(function (form) {
      var edited = Array.prototype.slice
        .call(form.querySelectorAll(".hms-refresh"))
        .filter(function (control) {
          return !control.disabled && isEdited(control);
        })[0];
      if (edited) edited.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function init(root) {
    bindConfirm(root);
    drawCharts(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    replayEarlyChanges(document);
    focusFirstError();
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    init(event.target);
  });
})();
