// Ask before leaving a change form with unsaved typing (a click elsewhere, a closed tab).
// Submitting the form itself (any of its save buttons) is never interrupted.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("#content-main form[method=post]");
  if (!form) return;
  var dirty = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = "";
  });
});
