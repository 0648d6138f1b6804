// Suggested tags on the story form: as the editor types, ask the admin for the companies,
// platforms and topics the registry finds in the headline, summary and body, and offer each
// with Accept (adds it to its autocomplete box, saved with the story like any tag) and Dismiss
// (written into the form's hidden "dismissed_suggestions" field, kept when the story is saved).
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var panel = document.getElementById("story-suggestions");
  var form = document.querySelector("#content-main form[method=post]");
  var dismissedInput = document.getElementById("id_dismissed_suggestions");
  if (!panel || !form || !dismissedInput) return;

  var list = panel.querySelector(".sg-list");
  var status = panel.querySelector(".sg-status");
  var fields = ["headline", "summary", "body"]
    .map(function (name) { return document.getElementById("id_" + name); })
    .filter(Boolean);
  var boxes = { company: "id_companies", platform: "id_platforms", topic: "id_topics" };
  var labels = { company: "Company", platform: "Platform", topic: "Topic" };
  var timer = null;
  var latest = 0;

  function token(item) { return item.kind + ":" + item.pk; }

  function dismissed() {
    return dismissedInput.value.split(",").filter(Boolean);
  }

  function alreadyTagged(item) {
    var box = document.getElementById(boxes[item.kind]);
    if (!box) return true;  // no box to add it to (a read-only form)
    return Array.prototype.some.call(box.selectedOptions, function (option) {
      return option.value === String(item.pk);
    });
  }

  function where(item) {
    if (item.where === "implied") return item.matched;
    if (item.kind === "topic") return "words: " + item.matched;
    return "“" + item.matched + "” in the " + item.where;
  }

  function button(text, action, item) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "button";
    element.textContent = text;
    element.setAttribute("aria-label", text + " " + labels[item.kind].toLowerCase() + " " + item.name);
    element.dataset.action = action;
    return element;
  }

  function accept(item, row) {
    var box = document.getElementById(boxes[item.kind]);
    // The box is a select2 autocomplete (django.jQuery): a new selected option, then "change",
    // is how select2 learns of a choice made outside it.
    var option = new Option(item.name, String(item.pk), true, true);
    if (window.django && window.django.jQuery) {
      window.django.jQuery(box).append(option).trigger("change");
    } else {
      box.appendChild(option);
    }
    form.dispatchEvent(new Event("change", { bubbles: true }));  // counts as unsaved typing
    row.remove();
    say(labels[item.kind] + " " + item.name + " added; it is saved with the story.");
  }

  function dismiss(item, row) {
    var tokens = dismissed();
    tokens.push(token(item));
    dismissedInput.value = tokens.join(",");
    form.dispatchEvent(new Event("change", { bubbles: true }));
    row.remove();
    say(item.name + " will not be suggested again for this story once you save.");
  }

  function say(text) { status.textContent = text; }

  function render(items) {
    var hidden = dismissed();
    list.replaceChildren();
    items.forEach(function (item) {
      if (hidden.indexOf(token(item)) !== -1 || alreadyTagged(item)) return;
      var row = document.createElement("li");
      row.className = "sg-item";
      row.dataset.kind = item.kind;
      row.dataset.slug = item.slug;
      var text = document.createElement("span");
      text.className = "sg-text";
      var name = document.createElement("strong");
      name.textContent = item.name;
      text.append(labels[item.kind] + ": ", name, " (" + where(item) + ") ");
      var yes = button("Accept", "accept", item);
      var no = button("Dismiss", "dismiss", item);
      yes.addEventListener("click", function () { accept(item, row); });
      no.addEventListener("click", function () { dismiss(item, row); });
      row.append(text, yes, " ", no);
      list.appendChild(row);
    });
    panel.hidden = false;
    if (!list.children.length) say("Nothing to suggest beyond the tags already chosen.");
  }

  function ask() {
    var data = new FormData();
    fields.forEach(function (field) { data.append(field.name, field.value); });
    var request = ++latest;
    fetch(panel.dataset.url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value },
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (answer) {
        if (request === latest) {  // an older answer arriving late must not replace a newer one
          say("");
          render(answer.suggestions);
        }
      })
      .catch(function () {
        if (request === latest) say("Suggestions are unavailable just now; tag the story by hand.");
      });
  }

  // Wait for a pause in typing: one request per pause, not one per key.
  function soon() {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 500);
  }

  fields.forEach(function (field) { field.addEventListener("input", soon); });
  ask();
});
