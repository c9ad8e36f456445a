/* <form data-busy>: once the form is sent, its submit buttons are disabled and show their
   spinner (.hms-busy-spinner) until the next page arrives, so a slow submit (a prescription
   analysis, an order, a note with ICD-10 codes) shows it is working and is not sent twice.
   htmx requests use hx-disabled-elt and hx-indicator instead. */
(function () {
  "use strict";

  function submitButtons(form) {
    return form.querySelectorAll("button[type='submit'], input[type='submit']");
  }

  function setBusy(form, busy) {
    form.classList.toggle("is-busy", busy);
    if (busy) {
      form.setAttribute("aria-busy", "true");
    } else {
      form.removeAttribute("aria-busy");
    }
    submitButtons(form).forEach(function (button) {
      button.disabled = busy;
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-busy")) return;
    // Cancelled (a data-confirm answered No) or taken over by htmx: not sent by the browser.
    if (event.defaultPrevented) return;
    if (form.classList.contains("is-busy")) {
      event.preventDefault(); // already on its way
      return;
    }
    form.classList.add("is-busy");
    form.setAttribute("aria-busy", "true");
    // Disabled after the event: a button disabled during it would drop its name from the
    // data the browser sends.
    window.setTimeout(function () {
      setBusy(form, true);
    }, 0);
  });

  // Back/forward navigation may restore the page as it was left, busy: make it usable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-busy].is-busy").forEach(function (form) {
      setBusy(form, false);
    });
  });
})();
