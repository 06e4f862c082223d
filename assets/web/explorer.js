// A little help for the explorer's pages, which work without it: a facet ticked or a sort
// chosen runs the search at once, and the search box suggests names as one types.
(function () {
  "use strict";
  var form = document.getElementById("search");
  if (!form) {
    return;
  }
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target && (target.type === "checkbox" && !target.hasAttribute("form") || target.id === "sort")) {
      form.submit();
    }
  });
  var input = document.getElementById("q");
  var list = document.getElementById("suggestions");
  if (!input || !list) {
    return;
  }
  var timer = null;
  var asked = "";
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = input.value.trim();
      if (q === "" || q === asked || q.length > 500) {
        return;
      }
      asked = q;
      fetch("/suggest?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (body) {
          if (q !== asked) {
            return;
          }
          while (list.firstChild) {
            list.removeChild(list.firstChild);
          }
          (body.suggestions || []).forEach(function (name) {
            var option = document.createElement("option");
            option.value = name;
            list.appendChild(option);
          });
        })
        .catch(function () {});
    }, 150);
  });
})();
