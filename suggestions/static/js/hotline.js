// Hotline entry: live route preview while the operator types, and Ctrl+Enter to save.
(function () {
  "use strict";
  var form = document.getElementById("hotline-form");
  var panel = document.getElementById("route-preview");
  if (!form || !panel) return;
  var body = form.querySelector("[name=body]");
  var title = form.querySelector("[name=title]");
  var phone = form.querySelector("[name=phone]");
  var district = form.querySelector("[name=district]");
  var token = form.querySelector("[name=csrf_token]");
  var output = panel.querySelector(".route-preview__body");
  var timer = null;
  var lastText = "";

  function percent(value) {
    return value === null || value === undefined ? "—" : Math.round(value * 100) + "%";
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function render(data) {
    output.textContent = "";
    var main = element("p", null, "route-preview__main");
    main.appendChild(element("strong", data.category || "未知类别"));
    main.appendChild(document.createTextNode(" → "));
    main.appendChild(element("strong", data.department || "人工分拨"));
    main.appendChild(element("span", "置信度 " + percent(data.confidence), "confidence"));
    output.appendChild(main);
    output.appendChild(element("p", data.reason, "muted"));
    if (data.handler) {
      output.appendChild(element("p", "承办类型：" + data.handler.type + "（置信度 " + percent(data.handler.confidence) + "）", "muted"));
    }
    var list = element("ul", null, "candidates");
    if (data.department_candidates && data.department_candidates.length) {
      data.department_candidates.forEach(function (c) {
        list.appendChild(element("li", c.department + "（" + c.basis + "）" + percent(c.probability)));
      });
    } else {
      (data.candidates || []).forEach(function (c) {
        list.appendChild(element("li", c.category + (c.department ? "（" + c.department + "）" : "") + " " + percent(c.probability)));
      });
    }
    output.appendChild(list);
    renderBriefs("该来电号码此前的建议", data.earlier_calls);
    renderBriefs("可能重复的建议（按相似度排序）", data.similar);
  }

  function renderBriefs(heading, items) {
    if (!items || !items.length) return;
    output.appendChild(element("h3", heading + "（" + items.length + "）", "h3"));
    var list = element("ul", null, "briefs");
    items.forEach(function (item) {
      var li = document.createElement("li");
      var link = element("a", item.code, "mono");
      link.href = item.url;
      link.target = "_blank";
      link.rel = "noopener";
      li.appendChild(link);
      var similarity = item.similarity === undefined ? "" : "相似度 " + percent(item.similarity) + " · ";
      li.appendChild(document.createTextNode(" " + similarity + item.title + " · " + item.status + (item.department ? " · " + item.department : "") + " · " + item.received));
      list.appendChild(li);
    });
    output.appendChild(list);
  }

  function predict() {
    var text = body.value.trim();
    var where = district ? district.value : "";
    if (text.length < 10 || text + "|" + where === lastText) return;
    lastText = text + "|" + where;
    var data = new FormData();
    data.append("body", text);
    data.append("title", title ? title.value : "");
    data.append("phone", phone ? phone.value : "");
    data.append("district", where);
    data.append("csrf_token", token.value);
    fetch(panel.getAttribute("data-predict-url"), {
      method: "POST",
      body: data,
      headers: { Accept: "application/json", "X-CSRFToken": token.value },
      credentials: "same-origin",
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) render(data); })
      .catch(function () { /* the preview is a convenience; saving still routes on the server */ });
  }

  if (district) district.addEventListener("change", predict);
  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(predict, 500);
  });
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      document.getElementById("save-button").click();
    }
  });
  if (body.value.trim().length >= 10) predict();
})();
