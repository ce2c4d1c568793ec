// Sortable tables: a click on a header of a table inside .govcat-sortable sorts its rows by that
// column (numbers and percentages numerically, "—" last, text by Chinese collation).
(function () {
  "use strict";
  function key(cell) {
    var text = cell.textContent.trim();
    var number = parseFloat(text.replace(/[%,，]/g, ""));
    return /^-?\d/.test(text) && !isNaN(number) ? number : text;
  }
  function blank(value) { return value === "—" || value === ""; }
  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b), "zh-Hans-CN");
  }
  function sortBy(table, index, th) {
    var body = table.tBodies[0];
    var descending = th.getAttribute("aria-sort") === "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var a = key(r1.cells[index]), b = key(r2.cells[index]);
      if (blank(a) || blank(b)) return blank(a) - blank(b);  // no value: always last
      return descending ? compare(b, a) : compare(a, b);
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  function setUp() {
    document.querySelectorAll(".govcat-sortable table").forEach(function (table) {
      if (!table.tHead || !table.tBodies.length || table.dataset.sortable) return;
      table.dataset.sortable = "1";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
        th.setAttribute("title", "点击排序");
        th.addEventListener("click", function () { sortBy(table, index, th); });
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
