// Offline search of the regions: filters window.EOCIC_REGIONS (a static index written by
// eocic book) as the reader types. Matches names and codes without case or accents.
(function () {
  "use strict";
  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }
  function start() {
    var input = document.getElementById("eocic-search-input");
    var list = document.getElementById("eocic-search-results");
    var regions = window.EOCIC_REGIONS || [];
    if (!input || !list) { return; }
    var base = input.getAttribute("data-base") || "";
    input.addEventListener("input", function () {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      list.textContent = "";
      if (!words.length) { return; }
      var shown = 0;
      for (var i = 0; i < regions.length && shown < 12; i++) {
        var r = regions[i];
        if (words.every(function (w) { return r.text.indexOf(w) >= 0; })) {
          var item = document.createElement("li");
          var link = document.createElement("a");
          link.href = base + r.href;
          link.textContent = r.name + " (" + r.codes + "), " + r.country;
          item.appendChild(link);
          list.appendChild(item);
          shown++;
        }
      }
      if (!shown) {
        var none = document.createElement("li");
        none.textContent = "No region matches.";
        list.appendChild(none);
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
