// The waiting room's screen: asks for the queue's state every few seconds and changes only the
// numbers on the page (no reloads). Each screen waits a random part of a second before its first
// request, backs off up to a minute when the server does not answer, and pauses while hidden, so
// many screens never arrive together.
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-state-url");
  var go = (document.getElementById("qs-go") || {}).innerHTML || "";
  var interval = 4000, delay = interval, maxDelay = 60000, timer = null, last = "";

  function field(name) { return document.querySelector('[data-field="' + name + '"]'); }
  function text(name, value) { var el = field(name); if (el) { el.textContent = value; } }

  function render(state) {
    var called = state.called || [];
    var current = called[0];
    text("number", current ? current.number : "—");
    text("counter", current ? go + " " + current.counter : "");
    text("waiting", String(state.waiting));
    text("wait", state.average_wait_minutes === null ? "—" : String(state.average_wait_minutes));
    text("updated", state.updated || "");
    var list = field("history");
    if (list) {
      list.textContent = "";
      called.slice(1).forEach(function (row) {
        var li = document.createElement("li"), span = document.createElement("span");
        span.textContent = row.number;
        li.appendChild(span);
        li.appendChild(document.createTextNode(" " + row.counter));
        list.appendChild(li);
      });
    }
  }

  function schedule(ms) { clearTimeout(timer); timer = setTimeout(poll, ms); }

  function poll() {
    if (document.hidden) { return; }
    var request = new XMLHttpRequest();
    request.open("GET", url, true);
    request.timeout = 10000;
    request.onload = function () {
      if (request.status === 200) {
        delay = interval;
        body.classList.remove("is-stale");
        if (request.responseText !== last) { last = request.responseText; render(JSON.parse(last)); }
      } else {
        delay = Math.min(delay * 2, maxDelay);
        body.classList.add("is-stale");
      }
      schedule(delay);
    };
    request.onerror = request.ontimeout = function () {
      delay = Math.min(delay * 2, maxDelay);
      body.classList.add("is-stale");
      schedule(delay);
    };
    request.send();
  }

  document.addEventListener("visibilitychange", function () { if (!document.hidden) { schedule(Math.random() * 1000); } });
  schedule(Math.random() * 1000);
})();
