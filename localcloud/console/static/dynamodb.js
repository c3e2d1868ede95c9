// The console's DynamoDB pages: the tables with their item counts, and the
// first items of a table. Loaded before console.js, whose helpers (el,
// table, link, api, q, bytes) these views use when they run.

async function dynamodbView() {
  const { tables } = await api("tables");
  return [el("h1", {}, "DynamoDB tables"),
    table(["Table", "Items ", "Size ", "Key", "Indexes", "TTL attribute"], tables.map(t => el("tr", { "data-table": t.name },
      el("td", {}, link("#/table?" + q({ name: t.name }), t.name)),
      el("td", { class: "num" }, t.items), el("td", { class: "num" }, bytes(t.bytes)),
      el("td", {}, t.keys.join(", ")), el("td", {}, t.indexes.join(", ")), el("td", {}, t.ttl || ""))), "No tables.")];
}

async function tableItemsView(params) {
  const name = params.get("name");
  const d = await api("items?" + q({ table: name }));
  const cell = v => v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
  return [el("h1", {}, link("#/dynamodb", "DynamoDB"), " / ", name),
    el("div", { class: "empty" }, `${d.count} items`),
    table(d.columns.map(c => c + " "), d.items.map(it => el("tr", {}, d.columns.map(c => el("td", {}, cell(it[c]))))), "No items."),
    d.more ? el("div", { class: "empty" }, `The first ${d.items.length} items are shown.`) : null];
}
