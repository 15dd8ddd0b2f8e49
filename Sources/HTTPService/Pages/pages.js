// Keeps the queue on the page current: a colleague's claim or outcome shows within
// seconds, without reloading the page. Everything works without this script too.
(function () {
  var queue = document.getElementById("queue");
  if (!queue || !window.fetch) return;
  function refresh() {
    fetch("/queue/live", { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (answer) { return answer.ok ? answer.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var version = html.split("\n", 1)[0];
        if (version !== queue.getAttribute("data-version")) {
          queue.innerHTML = html.slice(version.length + 1);
          queue.setAttribute("data-version", version);
        }
      })
      .catch(function () {});
  }
  setInterval(refresh, 1500);
})();
