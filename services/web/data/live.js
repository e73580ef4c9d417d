// Live updates: when the archive changes, ask /api/incidents for the newest incidents of this page's
// filters and add those the page lacks on top. Elements are built with textContent only, never HTML.
(function () {
  "use strict";
  const live = document.getElementById("live");
  if (!live || !window.EventSource) return;
  let newest = Number(live.dataset.newest || 0);
  const source = new EventSource("/api/events");
  source.addEventListener("archive", function (event) {
    const data = JSON.parse(event.data);
    if (data.newest > newest) {
      newest = data.newest;
      refresh();
    }
  });

  function target() {
    const rows = document.getElementById("rows");
    if (rows && rows.dataset.live) return rows;
    return document.getElementById("newest");
  }

  function text(tag, value) {
    const node = document.createElement(tag);
    node.textContent = value == null ? "" : String(value);
    return node;
  }

  function link(item) {
    const a = text("a", item.organization || "(no organisation)");
    a.href = "/incidents/" + encodeURIComponent(item.incident_id);
    return a;
  }

  function row(item) {
    const tr = document.createElement("tr");
    const org = document.createElement("td");
    org.append(link(item), document.createElement("br"), text("small", item.title || ""));
    const affected = text("td", item.affected_count == null ? "–" : item.affected_count.toLocaleString("en"));
    affected.className = "num";
    tr.append(text("td", item.date), org, text("td", item.sector_label), text("td", item.incident_type_labels.join(", ")),
              affected, text("td", item.vendors.join(", ")));
    return tr;
  }

  function listItem(item) {
    const li = document.createElement("li");
    li.append(text("span", item.date + " "), link(item), text("small", " " + item.sector_label));
    return li;
  }

  async function refresh() {
    const into = target();
    if (!into) return;
    const query = live.dataset.filters ? "&" + live.dataset.filters : "";
    const response = await fetch("/api/incidents?limit=20" + query, { credentials: "same-origin" });
    if (!response.ok) return;
    const page = await response.json();
    const known = new Set(Array.from(into.querySelectorAll("[data-id]"), (node) => node.dataset.id));
    let added = 0;
    for (const item of page.items.slice().reverse()) {
      if (known.has(item.incident_id)) continue;
      const node = into.tagName === "TBODY" ? row(item) : listItem(item);
      node.dataset.id = item.incident_id;
      node.className = "fresh";
      into.prepend(node);
      added += 1;
    }
    const count = document.getElementById("match-count") || document.getElementById("total-incidents");
    if (count) count.textContent = page.total.toLocaleString("en");
    if (added) {
      live.hidden = false;
      live.textContent = "● " + added + " new at " + new Date().toLocaleTimeString();
    }
  }
})();
