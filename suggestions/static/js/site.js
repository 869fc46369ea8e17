// Every page: character counters, focus on the error summary after a failed submit, and the 长辈版 switch.
// Fields have no maxlength on purpose: a browser cuts a long paste without a word. The counter says how long
// the text is and, past the limit, by how much, while every character the resident wrote stays in the box.
(function () {
  "use strict";
  document.querySelectorAll("[data-counter]").forEach(function (field) {
    var counter = document.getElementById(field.getAttribute("data-counter"));
    var max = parseInt(field.getAttribute("data-limit"), 10);
    var min = parseInt(field.getAttribute("data-min"), 10) || 0;
    if (!counter || !max) return;
    function update() {
      var length = field.value.trim().length;
      var over = length - max;
      if (over > 0) {
        counter.textContent = "已输入 " + length + " 字，超出上限 " + over + " 字。请删减到 " + max +
          " 字以内再提交；您写的内容都还在框里，没有被删掉。";
      } else {
        counter.textContent = "已输入 " + length + " / " + max + " 字" + (min && length < min ? "（至少" + min + "字）" : "");
      }
      counter.classList.toggle("field__counter--over", over > 0);
    }
    field.addEventListener("input", update);
    update();
  });
  // A checkbox that stands for "no value here" (不愿留号) empties and disables its field; unticked, it comes back.
  document.querySelectorAll("input[type=checkbox][data-disables]").forEach(function (box) {
    var target = document.getElementById(box.getAttribute("data-disables"));
    if (!target) return;
    function apply() {
      if (box.checked) target.value = "";
      target.disabled = box.checked;
    }
    box.addEventListener("change", function () {
      apply();
      if (!box.checked) target.focus();
    });
    apply();
  });
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();

// 长辈版: the header's switch is a form (it works without JavaScript); here it applies at once, in place, so a
// half-written suggestion stays, and the same cookie makes the server render the next page the same way.
(function () {
  "use strict";
  document.querySelectorAll("[data-display-switch]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var on = !document.documentElement.classList.contains("elder");
      document.documentElement.classList.toggle("elder", on);
      var secure = window.location.protocol === "https:" ? "; secure" : "";
      document.cookie = on
        ? "jdz_display=elder; max-age=31536000; path=/; samesite=lax" + secure
        : "jdz_display=; max-age=0; path=/; samesite=lax" + secure;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.value = on ? "standard" : "elder";
    });
  });
})();
