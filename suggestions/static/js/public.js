// Character counter for the suggestion text, and focus on the error summary after a failed submit.
(function () {
  "use strict";
  document.querySelectorAll("[data-counter]").forEach(function (field) {
    var counter = document.getElementById(field.getAttribute("data-counter"));
    var max = parseInt(field.getAttribute("maxlength"), 10) || 2000;
    if (!counter) return;
    function update() {
      var length = field.value.trim().length;
      counter.textContent = "已输入 " + length + " / " + max + " 字" + (length < 10 ? "（至少10字）" : "");
    }
    field.addEventListener("input", update);
    update();
  });
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
