// Progressive enhancement for the questionnaire: the form works without this file (skip rules are enforced on the
// server, page by page). With it: items hidden by a skip rule disappear (and their inputs are disabled, so they are
// not sent), percentage splits show a live sum, an exclusive option clears the others, and submit buttons resist
// double clicks. No inline script: the page's CSP allows only files from this site.
(function () {
  "use strict";

  function chosen(form, name) {
    var values = [];
    form.querySelectorAll('input[name="' + name + '"]').forEach(function (input) {
      if (input.checked && !input.disabled) values.push(input.value);
    });
    return values;
  }

  function applySkipRules(form) {
    // Document order: an item hidden earlier disables its inputs, so rules that depend on it see nothing chosen.
    // Razor always writes data-* attributes, so an item without a same-page rule has them empty.
    form.querySelectorAll('[data-showif-items]:not([data-showif-items=""])').forEach(function (block) {
      var names = block.getAttribute("data-showif-items").split(" ");
      var codes = block.getAttribute("data-showif-codes").split(" ");
      var show = block.getAttribute("data-showif-met") === "1" || names.some(function (name) {
        return chosen(form, name).some(function (v) { return codes.indexOf(v) >= 0; });
      });
      block.hidden = !show;
      block.querySelectorAll("input, textarea, select").forEach(function (input) { input.disabled = !show; });
    });
    // A question whose every item is hidden goes too: no heading with nothing under it.
    form.querySelectorAll("section.question").forEach(function (question) {
      var blocks = question.querySelectorAll(".item, .matrix-row");
      question.hidden = blocks.length > 0 && Array.prototype.every.call(blocks, function (b) { return b.hidden; });
    });
  }

  function updateSums(form) {
    form.querySelectorAll(".split[data-total]").forEach(function (split) {
      var total = parseFloat(split.getAttribute("data-total"));
      var sum = 0, any = false, bad = false;
      split.querySelectorAll("input").forEach(function (input) {
        var text = input.value.replace(/[０-９．]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); })
          .replace(/[%％\s]/g, "");
        if (text === "") return;
        any = true;
        var n = Number(text);
        if (isNaN(n)) bad = true; else sum += n;
      });
      var output = split.querySelector("output");
      var line = split.querySelector(".split-sum");
      output.textContent = !any ? "—" : bad ? "（数字でない入力があります）" : String(Math.round(sum * 100) / 100);
      line.classList.toggle("off", any && (bad || Math.abs(sum - total) > 1e-9));
    });
  }

  function exclusive(form, changed) {
    if (changed.type !== "checkbox" || !changed.checked) return;
    var boxes = form.querySelectorAll('input[type=checkbox][name="' + changed.name + '"]');
    boxes.forEach(function (box) {
      if (box === changed) return;
      if (changed.getAttribute("data-exclusive") === "1" || box.getAttribute("data-exclusive") === "1") box.checked = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.questionnaire");
    if (form) {
      applySkipRules(form);
      updateSums(form);
      form.addEventListener("change", function (e) { exclusive(form, e.target); applySkipRules(form); updateSums(form); });
      form.addEventListener("input", function () { updateSums(form); });
    }
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
    document.querySelectorAll("form").forEach(function (f) {
      f.addEventListener("submit", function (e) {
        if (f.dataset.sent) { e.preventDefault(); return; }
        f.dataset.sent = "1";
        // Keep the button's value in the post, then block a second click.
        setTimeout(function () {
          f.querySelectorAll("button[data-once]").forEach(function (b) { b.disabled = true; });
        }, 0);
      });
    });
    // Back/forward cache: a page shown again must be usable again.
    window.addEventListener("pageshow", function (e) {
      if (!e.persisted) return;
      document.querySelectorAll("form").forEach(function (f) {
        delete f.dataset.sent;
        f.querySelectorAll("button[data-once]").forEach(function (b) { b.disabled = false; });
      });
    });
    document.querySelectorAll("button[data-print]").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { window.print(); });
    });
  });
})();
