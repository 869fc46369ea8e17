// Staff pages: a reply template fills the reply box; "select all" on queue pages.
(function () {
  "use strict";
  document.querySelectorAll("select[data-fills]").forEach(function (select) {
    select.addEventListener("change", function () {
      var target = document.getElementById(select.getAttribute("data-fills"));
      if (target && select.value) {
        if (!target.value.trim() || window.confirm("用模板替换已填写的答复内容？")) {
          target.value = select.value;
          target.focus();
        }
      }
    });
  });
})();
