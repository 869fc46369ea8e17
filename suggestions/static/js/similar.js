// Public form: while a resident types, show up to three similar earlier ideas; 「我也有同样的建议」 supports one.
// Without JavaScript nothing of this appears and the form submits a new idea, as it does by default here too.
(function () {
  "use strict";
  var panel = document.getElementById("similar-ideas");
  var chosen = document.getElementById("similar-chosen");
  if (!panel || !chosen) return;
  var form = panel.closest("form");
  var list = panel.querySelector(".similar-ideas__list");
  var title = form.querySelector("[name=title]");
  var body = form.querySelector("[name=body]");
  var supports = form.querySelector("[name=supports]");
  var token = form.querySelector("[name=csrf_token]");
  var timer = null;
  var lastText = "";

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function choose(idea) {
    supports.value = idea ? String(idea.id) : "";
    chosen.textContent = "";
    if (!idea) return;
    chosen.appendChild(document.createTextNode("您将附议：“" + idea.title + "”。提交后同样会得到追踪码，并能看到这条建议的答复。 "));
    var undo = element("button", "改为提交新建议", "button button--small");
    undo.type = "button";
    undo.addEventListener("click", function () {
      choose(null);
      chosen.textContent = "已改为提交新建议。";
    });
    chosen.appendChild(undo);
  }

  function render(ideas) {
    list.textContent = "";
    if (!ideas.length) {
      panel.hidden = true;
      return;
    }
    ideas.forEach(function (idea) {
      var item = element("li", null, "similar-ideas__item");
      item.appendChild(element("p", idea.title, "similar-ideas__title"));
      var facts = "状态：" + idea.status + (idea.issue ? " · 所属热点问题：" + idea.issue : "");
      if (idea.supporters) facts += " · 已有 " + idea.supporters + " 位市民附议";
      item.appendChild(element("p", facts, "small muted"));
      var button = element("button", "我也有同样的建议", "button");
      button.type = "button";
      button.addEventListener("click", function () { choose(idea); });
      item.appendChild(button);
      list.appendChild(item);
    });
    panel.hidden = false;
    if (!supports.value) chosen.textContent = "找到 " + ideas.length + " 条类似的建议，列在建议内容下方。";
  }

  function lookUp() {
    var text = (title.value + " " + body.value).trim();
    if (text.length < 8 || text === lastText) return;
    lastText = text;
    var data = new FormData();
    data.append("title", title.value);
    data.append("body", body.value);
    fetch(panel.getAttribute("data-url"), {
      method: "POST",
      body: data,
      headers: { "X-CSRFToken": token ? token.value : "" },
      credentials: "same-origin"
    })
      .then(function (response) { return response.ok ? response.json() : { ideas: [] }; })
      .then(function (data) { render(data.ideas || []); })
      .catch(function () { /* the form works without the panel */ });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(lookUp, 700);
  }

  title.addEventListener("input", later);
  body.addEventListener("input", later);
})();
