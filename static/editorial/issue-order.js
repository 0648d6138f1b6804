// Move up / move down buttons for an issue's stories. Without JavaScript the position column
// still works. Loaded only on an issue's change form, by someone who may change it.
document.addEventListener("DOMContentLoaded", function () {
  var group = document.getElementById("entries-group");
  if (!group) return;
  var tbody = group.querySelector("tbody");
  function rows() {
    return Array.prototype.filter.call(tbody.querySelectorAll("tr.form-row"), function (row) {
      return !row.classList.contains("empty-form") && row.querySelector("td.field-position input");
    });
  }
  function renumber() {
    var n = 0;
    rows().forEach(function (row) {
      var story = row.querySelector("td.field-story select");
      var deleted = row.querySelector("td.delete input[type=checkbox]");
      if (story && story.value && !(deleted && deleted.checked)) {
        row.querySelector("td.field-position input").value = ++n;
      }
    });
  }
  function move(row, step) {
    var all = rows();
    var target = all[all.indexOf(row) + step];
    if (!target) return;
    if (step < 0) tbody.insertBefore(row, target);
    else tbody.insertBefore(row, target.nextSibling);
    renumber();
  }
  function addButtons(row) {
    var cell = row.querySelector("td.field-position");
    if (!cell || cell.querySelector(".wf-move")) return;
    [["↑", -1, "Move up"], ["↓", 1, "Move down"]].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button wf-move";
      button.textContent = spec[0];
      button.title = spec[2];
      button.setAttribute("aria-label", spec[2]);
      button.addEventListener("click", function () { move(row, spec[1]); });
      cell.appendChild(button);
    });
  }
  rows().forEach(addButtons);
  // A story picked in a new row goes to the end unless a position was typed.
  function placeLast(event) {
    var row = event.target.closest("tr.form-row");
    var input = row && row.querySelector("td.field-position input");
    if (!input || input.value || !event.target.value) return;
    var highest = 0;
    rows().forEach(function (other) {
      highest = Math.max(highest, parseInt(other.querySelector("td.field-position input").value, 10) || 0);
    });
    input.value = highest + 1;
  }
  if (window.django && django.jQuery) django.jQuery(tbody).on("change", "td.field-story select", placeLast);
  document.addEventListener("formset:added", function (event) {
    if (event.detail && event.detail.formsetName === "entries") addButtons(event.target);
  });
});
