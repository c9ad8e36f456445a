/* HMS type-ahead pickers for the ordering pages (no dependencies beyond the vendored htmx).

   <div data-typeahead="medicine">: a search box (data-typeahead-input) whose htmx request
   fills data-typeahead-results with role="option" items. ↑/↓ move through them, Enter
   chooses, Esc closes; the choice goes into the row's <select data-typeahead-value> (which the
   form submits, and which is all there is without JavaScript, with its "Find" button), and the
   medicine's strength and dose presets load into data-typeahead-presets. A preset button
   (data-fill-<field>="value") fills the row's fields; a strength button (data-pick-drug)
   switches the row to that product.

   <div data-typeahead="tests">: a search box whose results are Bootstrap checkboxes, grouped.
   ↓ from the box enters the list, ↑/↓ move between checkboxes, Space (or Enter) ticks one,
   Esc goes back to the box. A ticked test moves to data-typeahead-chosen, so a new search
   never loses it (the search leaves chosen tests out). */
(function () {
  "use strict";

  function fire(element, type) {
    element.dispatchEvent(new Event(type, { bubbles: true }));
  }

  // --- Medicine picker ----------------------------------------------------------------------

  function options(picker) {
    return Array.prototype.slice.call(
      picker.querySelectorAll("[data-typeahead-results] [role='option']:not([aria-disabled='true'])")
    );
  }

  function activeIndex(picker) {
    return options(picker).findIndex(function (o) {
      return o.getAttribute("aria-selected") === "true";
    });
  }

  function setActive(picker, index) {
    var input = picker.querySelector("[data-typeahead-input]");
    var all = options(picker);
    all.forEach(function (option, i) {
      var on = i === index;
      option.setAttribute("aria-selected", on ? "true" : "false");
      option.classList.toggle("active", on);
      if (on) {
        input.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      }
    });
    if (index < 0) input.removeAttribute("aria-activedescendant");
  }

  function isOpen(picker) {
    return !!picker.querySelector("[data-typeahead-results] [role='listbox']");
  }

  function close(picker) {
    var results = picker.querySelector("[data-typeahead-results]");
    var input = picker.querySelector("[data-typeahead-input]");
    results.innerHTML = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function loadPresets(picker, url) {
    var target = picker.querySelector("[data-typeahead-presets]");
    if (!target || !url || typeof window.htmx === "undefined") return;
    window.htmx.ajax("GET", url, { target: target, swap: "innerHTML" });
  }

  function choose(picker, value, label, presetsUrl) {
    var select = picker.querySelector("[data-typeahead-value]");
    var input = picker.querySelector("[data-typeahead-input]");
    select.innerHTML = "";
    select.appendChild(new Option("Choose a medicine…", ""));
    select.appendChild(new Option(label, value, true, true));
    select.classList.remove("is-invalid");
    input.value = label;
    input.dataset.chosenLabel = label;
    close(picker);
    loadPresets(picker, presetsUrl);
    fire(select, "change"); // the form's safety check listens for changes
    var row = picker.closest("fieldset") || picker.parentElement;
    var dose = row.querySelector("input[name$='-dose']");
    if (dose) dose.focus();
  }

  function chooseOption(picker, option) {
    choose(picker, option.dataset.value, option.dataset.label, option.dataset.presetsUrl);
  }

  function fillRow(picker, button) {
    var row = picker.closest("fieldset") || picker.parentElement;
    Object.keys(button.dataset).forEach(function (key) {
      if (key.indexOf("fill") !== 0) return;
      // data-fill-dose_unit -> dataset.fillDose_unit -> field "dose_unit"
      var name = key.slice(4);
      name = name.charAt(0).toLowerCase() + name.slice(1);
      var field = row.querySelector("[name$='-" + name + "']");
      if (!field) return;
      field.value = button.dataset[key];
      fire(field, "change");
    });
  }

  function bindMedicine(picker) {
    var input = picker.querySelector("[data-typeahead-input]");
    var results = picker.querySelector("[data-typeahead-results]");
    var fallback = picker.querySelector("[data-typeahead-fallback]");
    var choice = picker.querySelector("[data-typeahead-choice]");
    if (fallback) fallback.remove(); // the search runs as you type
    // The <select> keeps the value the form submits; the box shows the choice.
    var select = picker.querySelector("[data-typeahead-value]");
    if (choice) choice.hidden = true;
    if (select.value) input.dataset.chosenLabel = input.value;

    input.addEventListener("keydown", function (event) {
      var all = options(picker);
      var index = activeIndex(picker);
      if (event.key === "ArrowDown") {
        if (!all.length) return;
        event.preventDefault();
        setActive(picker, index < all.length - 1 ? index + 1 : 0);
      } else if (event.key === "ArrowUp") {
        if (!all.length) return;
        event.preventDefault();
        setActive(picker, index > 0 ? index - 1 : all.length - 1);
      } else if (event.key === "Enter") {
        // Never submit the prescription from the search box.
        event.preventDefault();
        if (index >= 0) chooseOption(picker, all[index]);
        else if (all.length === 1) chooseOption(picker, all[0]);
      } else if (event.key === "Escape") {
        if (isOpen(picker)) {
          event.preventDefault();
          close(picker);
        }
      }
    });
    input.addEventListener("input", function () {
      if (input.value.replace(/\s/g, "").length < 2) close(picker);
      // Editing the words after a choice drops it: the row never sends a medicine other
      // than the one its box names.
      if (select.value && input.value !== input.dataset.chosenLabel) {
        select.value = "";
        var presets = picker.querySelector("[data-typeahead-presets]");
        if (presets) presets.innerHTML = "";
        fire(select, "change");
      }
    });
    results.addEventListener("mousedown", function (event) {
      event.preventDefault(); // keep focus in the box
    });
    results.addEventListener("click", function (event) {
      var option = event.target.closest("[role='option']:not([aria-disabled='true'])");
      if (option) chooseOption(picker, option);
    });
    picker.addEventListener("click", function (event) {
      var strength = event.target.closest("[data-pick-drug]");
      if (strength) {
        choose(picker, strength.dataset.pickDrug, strength.dataset.label, strength.dataset.presetsUrl);
        return;
      }
      var preset = event.target.closest("[data-fill-dose]");
      if (preset) fillRow(picker, preset);
    });
    document.addEventListener("click", function (event) {
      if (!picker.contains(event.target)) close(picker);
    });
    results.addEventListener("htmx:afterSwap", function () {
      var open = isOpen(picker);
      input.setAttribute("aria-expanded", open ? "true" : "false");
      if (open && options(picker).length) setActive(picker, 0);
    });
  }

  // --- Lab test picker ----------------------------------------------------------------------

  function checkboxes(container) {
    return Array.prototype.slice.call(container.querySelectorAll("input[type='checkbox']"));
  }

  function bindTests(picker) {
    var input = picker.querySelector("[data-typeahead-input]");
    var results = picker.querySelector("[data-typeahead-results]");
    var chosen = picker.querySelector("[data-typeahead-chosen]");
    var fallback = picker.querySelector("[data-typeahead-fallback]");
    if (fallback) fallback.remove(); // the search runs as you type

    function focusables() {
      return checkboxes(chosen).concat(checkboxes(results));
    }

    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault(); // search, never submit from the box
        fire(input, "search");
      } else if (event.key === "ArrowDown") {
        var first = checkboxes(results)[0];
        if (first) {
          event.preventDefault();
          first.focus();
        }
      }
    });
    picker.addEventListener("keydown", function (event) {
      var box = event.target;
      if (!box.matches || !box.matches("input[type='checkbox']")) return;
      var all = focusables();
      var index = all.indexOf(box);
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var next = all[index + (event.key === "ArrowDown" ? 1 : -1)];
        if (next) next.focus();
        else if (event.key === "ArrowUp") input.focus();
      } else if (event.key === "Enter") {
        event.preventDefault();
        box.click();
      } else if (event.key === "Escape") {
        event.preventDefault();
        input.focus();
      }
    });
    results.addEventListener("change", function (event) {
      var box = event.target;
      if (!box.matches("input[type='checkbox']") || !box.checked) return;
      var item = box.closest(".form-check");
      var group = box.closest(".hms-test-group");
      chosen.appendChild(item);
      chosen.hidden = false;
      if (group && !group.querySelector(".form-check")) group.remove();
      box.focus();
    });
  }

  function init(root) {
    root.querySelectorAll("[data-typeahead]").forEach(function (picker) {
      if (picker.dataset.typeaheadBound) return;
      picker.dataset.typeaheadBound = "1";
      if (picker.dataset.typeahead === "medicine") bindMedicine(picker);
      else if (picker.dataset.typeahead === "tests") bindTests(picker);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    init(event.target);
  });
})();
