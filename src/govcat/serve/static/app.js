/* govcat serve: the page. No markup is ever built from strings: every text from a report or an
   upload goes through textContent, so catalog content stays text (the CSP forbids inline script). */
"use strict";

const TEXT = {
  zh: {
    skip: "跳到主要内容", title: "政务数据目录在线校验", nav: "链接",
    subtitle: "上传部门的目录工作簿或 YAML 文件，查看定位到单元格的校验结果，并下载带批注的工作簿。",
    template: "下载空白填报模板", rulesLink: "规则列表", api: "API 说明", uploadTitle: "上传目录文件",
    dropHint: "把文件拖放到这里，或", chooseFiles: "选择文件（.xlsx、.yaml、.yml，可多选）",
    fileHelp: "可同时上传一个部门的目录和提供方名录 departments.yaml。文件只用于本次校验，答复前即删除，不会保存。上限 {mb} MB。",
    chosenTitle: "已选择的文件", asOf: "判定日期（更新及时性，默认今天）", submit: "校验",
    resultsTitle: "校验结果", downloadsTitle: "下载", rulesTitle: "规则列表", rulesShow: "显示全部校验规则",
    rulesDownload: "下载规则列表（JSON）",
    standard: "标准版本", remove: "移除", removeLabel: "移除 {name}", noFiles: "请先选择要校验的文件。",
    checking: "正在校验 {n} 个文件……", done: "校验完成：{e} 个错误，{w} 个警告，{i} 个提示。",
    failed: "校验失败：", network: "无法连接校验服务：", files: "文件", resources: "信息资源", items: "信息项",
    error: "错误", warning: "警告", info: "提示", errors: "错误", warnings: "警告", infos: "提示",
    clean: "没有发现问题。", fileLevel: "整个文件", sheet: "工作表", record: "信息资源",
    line: "第 {l} 行第 {c} 列", explain: "说明", hideExplain: "收起说明", explainOf: "{code} 的说明",
    rulePage: "规则页", loading: "正在加载……", sheetView: "工作表“{sheet}”中有问题的行",
    sheetCaption: "{file}：工作表“{sheet}”（第 1 行与有发现的行）", rowsOmitted: "……", moreRows: "（行过多，只显示前一部分）",
    cellFinding: "（发现：{text}）", annotated: "带批注的工作簿：{name}", report: "报告（{fmt}）",
    downloading: "正在生成 {name}……", downloaded: "已下载 {name}。", code: "代码", severity: "级别",
    ruleName: "名称", summaryCol: "检查内容", switchTo: "English", switchLabel: "Switch to English",
    jumpTo: "跳到单元格 {where}",
  },
  en: {
    skip: "Skip to main content", title: "Government data catalog validator", nav: "Links",
    subtitle: "Upload a department's catalog workbook or YAML file, see findings located to the cell, and download the annotated workbook.",
    template: "Download the blank template", rulesLink: "Rules", api: "API", uploadTitle: "Upload catalog files",
    dropHint: "Drop files here, or", chooseFiles: "Choose files (.xlsx, .yaml, .yml; several allowed)",
    fileHelp: "You may upload one department's catalog together with the registry departments.yaml. Files are used for this check only and deleted before the answer; nothing is kept. Limit {mb} MB.",
    chosenTitle: "Chosen files", asOf: "As-of date (timeliness; default today)", submit: "Validate",
    resultsTitle: "Results", downloadsTitle: "Downloads", rulesTitle: "Rules", rulesShow: "Show every rule",
    rulesDownload: "Download the rules (JSON)",
    standard: "standard", remove: "Remove", removeLabel: "Remove {name}", noFiles: "Choose the files to validate first.",
    checking: "Validating {n} file(s)…", done: "Done: {e} errors, {w} warnings, {i} infos.",
    failed: "Validation failed: ", network: "Cannot reach the validator: ", files: "Files", resources: "Resources",
    items: "Items", error: "error", warning: "warning", info: "info", errors: "Errors", warnings: "Warnings",
    infos: "Infos", clean: "No findings.", fileLevel: "Whole file", sheet: "Sheet", record: "Resource",
    line: "line {l}, column {c}", explain: "Explain", hideExplain: "Hide", explainOf: "About {code}",
    rulePage: "rule page", loading: "Loading…", sheetView: "Rows of sheet '{sheet}' with findings",
    sheetCaption: "{file}: sheet '{sheet}' (row 1 and the rows with findings)", rowsOmitted: "…",
    moreRows: "(too many rows; the first ones are shown)", cellFinding: "(finding: {text})",
    annotated: "Annotated workbook: {name}", report: "Report ({fmt})", downloading: "Preparing {name}…",
    downloaded: "Downloaded {name}.", code: "Code", severity: "Severity", ruleName: "Name",
    summaryCol: "Checks", switchTo: "中文", switchLabel: "切换到中文", jumpTo: "Go to cell {where}",
  },
};

const state = { lang: "zh", files: [], report: null, asOf: "" };
const $ = (id) => document.getElementById(id);

function t(key, args) {
  let text = TEXT[state.lang][key] ?? TEXT.zh[key] ?? key;
  for (const [k, v] of Object.entries(args || {})) text = text.split("{" + k + "}").join(String(v));
  return text;
}

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "text") node.textContent = v;
    else if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function applyLanguage() {
  document.documentElement.lang = state.lang === "en" ? "en" : "zh-CN";
  document.title = t("title") + " · govcat";
  const mb = document.body.dataset.maxUploadMb;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n, { mb });
  for (const node of document.querySelectorAll("[data-i18n-attr]")) {
    const [attr, key] = node.dataset.i18nAttr.split(":");
    node.setAttribute(attr, t(key));
  }
  $("file-help").textContent = t("fileHelp", { mb });
  const button = $("lang");
  button.textContent = t("switchTo");
  button.setAttribute("lang", state.lang === "zh" ? "en" : "zh-CN");
  button.setAttribute("aria-label", t("switchLabel"));
  $("template-link").href = "/api/v1/template?lang=" + state.lang;
  renderChosen();
  if ($("rules-table").dataset.loaded) loadRules(true);
}

/* ---- choosing files ---- */

function addFiles(list) {
  for (const file of list) {
    if (!state.files.some((f) => f.name === file.name && f.size === file.size)) state.files.push(file);
  }
  renderChosen();
}

function renderChosen() {
  const ul = $("chosen");
  ul.replaceChildren();
  state.files.forEach((file, index) => {
    const remove = el("button", { type: "button", class: "link-button", text: t("remove"),
      "aria-label": t("removeLabel", { name: file.name }),
      onclick: () => { state.files.splice(index, 1); renderChosen(); $("file").focus(); } });
    ul.append(el("li", {}, el("span", { text: `${file.name}（${Math.ceil(file.size / 1024)} KB）` }), remove));
  });
}

/* ---- validating ---- */

function query(format, extra) {
  const params = new URLSearchParams({ format, lang: state.lang, ...(extra || {}) });
  if (state.asOf) params.set("as_of", state.asOf);
  return "/api/v1/validate?" + params.toString();
}

function formData() {
  const data = new FormData();
  for (const file of state.files) data.append("file", file, file.name);
  return data;
}

async function errorText(response) {
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) return body.error.message;
  } catch (_) { /* not JSON */ }
  return `HTTP ${response.status}`;
}

async function validate(moveFocus) {
  $("alert").textContent = "";
  if (!state.files.length) { $("alert").textContent = t("noFiles"); $("file").focus(); return; }
  state.asOf = $("as-of").value;
  $("submit").disabled = true;
  $("status").textContent = t("checking", { n: state.files.length });
  try {
    const response = await fetch(query("json", { include: "rows" }), { method: "POST", body: formData() });
    if (!response.ok) { $("alert").textContent = t("failed") + await errorText(response); $("status").textContent = ""; return; }
    state.report = await response.json();
    renderReport();
    const s = state.report.summary;
    $("status").textContent = t("done", { e: s.error, w: s.warning, i: s.info });
    if (moveFocus) $("results-title").focus();
  } catch (err) {
    $("alert").textContent = t("network") + err;
    $("status").textContent = "";
  } finally {
    $("submit").disabled = false;
  }
}

function filenameOf(response, fallback) {
  const header = response.headers.get("content-disposition") || "";
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) { try { return decodeURIComponent(star[1]); } catch (_) { /* keep the fallback */ } }
  return fallback;
}

async function download(format, extra, fallback) {
  $("alert").textContent = "";
  $("status").textContent = t("downloading", { name: fallback });
  try {
    const response = await fetch(query(format, extra), { method: "POST", body: formData() });
    if (!response.ok) { $("alert").textContent = t("failed") + await errorText(response); $("status").textContent = ""; return; }
    const name = filenameOf(response, fallback);
    const url = URL.createObjectURL(await response.blob());
    const a = el("a", { href: url, download: name, class: "visually-hidden" });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    $("status").textContent = t("downloaded", { name });
  } catch (err) {
    $("alert").textContent = t("network") + err;
  }
}

/* ---- the report ---- */

const ORDER = { error: 0, warning: 1, info: 2 };

function cellId(fileIndex, sheet, cell) {
  return `cell-${fileIndex}-${encodeURIComponent(sheet).replace(/%/g, "_")}-${cell}`;
}

function renderReport() {
  const report = state.report;
  $("results").hidden = false;
  const s = report.summary;
  const summary = $("summary");
  summary.replaceChildren();
  for (const [key, value, cls] of [["files", s.files], ["resources", s.resources], ["items", s.items],
    ["errors", s.error, "errors"], ["warnings", s.warning, "warnings"], ["infos", s.info, "infos"]]) {
    summary.append(el("div", { class: cls }, el("dt", { text: t(key) }), el("dd", { text: String(value) })));
  }
  renderDownloads();
  const root = $("findings");
  root.replaceChildren();
  const names = [...new Set([...state.files.map((f) => f.name), ...report.findings.map((f) => f.file)])];
  const byFile = new Map(names.map((n) => [n, []]));
  for (const f of report.findings) (byFile.get(f.file) || byFile.set(f.file, []).get(f.file)).push(f);
  let fileIndex = 0;
  for (const [file, findings] of byFile) {
    root.append(renderFile(file, findings, fileIndex++));
  }
}

function renderDownloads() {
  const box = $("download-buttons");
  box.replaceChildren();
  for (const [format, label] of [["json", "JSON"], ["sarif", "SARIF"], ["junit", "JUnit"], ["csv", "CSV"]]) {
    const ext = format === "junit" ? "xml" : format;
    box.append(el("button", { type: "button", text: t("report", { fmt: label }),
      onclick: () => download(format, {}, `govcat-report.${ext}`) }));
  }
  for (const file of state.files.filter((f) => f.name.toLowerCase().endsWith(".xlsx"))) {
    box.append(el("button", { type: "button", "data-workbook": file.name, text: t("annotated", { name: file.name }),
      onclick: () => download("xlsx", { workbook: file.name }, file.name) }));
  }
}

function renderFile(file, findings, fileIndex) {
  const block = el("section", { class: "file-block", "aria-label": file });
  block.append(el("h3", { text: file }));
  if (!findings.length) { block.append(el("p", { text: t("clean") })); return block; }
  const groups = new Map();
  for (const f of findings) {
    const sheet = f.sheet || "";
    const record = f.record && (f.record.code || f.record.name)
      ? `${t("record")} ${f.record.code || ""} ${f.record.name || ""}`.trim() : t("fileLevel");
    const key = sheet + "\u0000" + record;
    if (!groups.has(key)) groups.set(key, { sheet, record, items: [] });
    groups.get(key).items.push(f);
  }
  const containers = new Map();
  for (const group of groups.values()) {
    if (!containers.has(group.sheet)) {
      const container = el("div", { class: "group" });
      if (group.sheet) container.append(el("h4", { text: `${t("sheet")}：${group.sheet}` }));
      containers.set(group.sheet, container);
      block.append(container);
    }
    const container = containers.get(group.sheet);
    container.append(el("h5", { text: group.record }));
    const list = el("ul", { class: "findings" });
    group.items.sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
    for (const f of group.items) list.append(renderFinding(f, fileIndex));
    container.append(list);
  }
  // each sheet's rows follow its findings, with the offending cells marked
  const sheets = (state.report.sheets || {})[file] || {};
  for (const [sheet, view] of Object.entries(sheets)) {
    (containers.get(sheet) || block).append(renderSheet(file, sheet, view, findings, fileIndex));
  }
  return block;
}

function renderFinding(f, fileIndex) {
  const item = el("li", { class: `finding ${f.severity}` });
  item.append(el("span", { class: `badge ${f.severity}`, text: t(f.severity) }));
  item.append(el("strong", { text: f.code }), document.createTextNode(" " + f.name));
  if (f.sheet && f.cell) {
    const where = `${f.sheet}!${f.cell}`;
    item.append(el("a", { class: "where", href: "#" + cellId(fileIndex, f.sheet, f.cell), text: where,
      "aria-label": t("jumpTo", { where }), onclick: (event) => jump(event, cellId(fileIndex, f.sheet, f.cell)) }));
  } else if (f.line) {
    item.append(el("span", { class: "where", text: t("line", { l: f.line, c: f.column || 1 }) }));
  }
  item.append(el("span", { class: "message", text: f.message }));
  const docsUrl = document.body.dataset.docsUrl;
  if (docsUrl) {
    item.append(el("a", { href: `${docsUrl.replace(/\/$/, "")}/rules/${f.code}/`, target: "_blank", rel: "noopener",
      text: `${f.code} ${t("rulePage")}` }));
  } else {
    const panelId = `explain-${Math.random().toString(36).slice(2)}`;
    const panel = el("div", { id: panelId, class: "explain", role: "region", "aria-label": t("explainOf", { code: f.code }), hidden: true });
    const button = el("button", { type: "button", class: "link-button", "aria-expanded": "false", "aria-controls": panelId,
      text: t("explain"), onclick: () => toggleExplain(button, panel, f.code) });
    item.append(button, panel);
  }
  return item;
}

function jump(event, id) {
  const target = document.getElementById(id);
  if (!target) return;
  event.preventDefault();
  target.scrollIntoView({ block: "center" });
  target.focus();
  target.classList.add("flash");
  setTimeout(() => target.classList.remove("flash"), 2000);
}

async function toggleExplain(button, panel, code) {
  const open = button.getAttribute("aria-expanded") === "true";
  button.setAttribute("aria-expanded", String(!open));
  button.textContent = open ? t("explain") : t("hideExplain");
  panel.hidden = open;
  if (open || panel.dataset.loaded) return;
  panel.replaceChildren(el("p", { text: t("loading") }));
  const response = await fetch(`/api/v1/rules/${encodeURIComponent(code)}?lang=${state.lang}`);
  const rule = response.ok ? await response.json() : null;
  panel.replaceChildren();
  if (!rule) { panel.append(el("p", { text: await errorText(response) })); return; }
  panel.dataset.loaded = "1";
  for (const line of rule.doc.split("\n")) {
    if (!line.trim()) continue;
    panel.append(line.startsWith("## ") ? el("p", { class: "h", text: line.slice(3) }) : el("p", { text: line }));
  }
  panel.append(el("p", {}, el("a", { href: rule.url, target: "_blank", rel: "noopener", text: rule.url })));
}

function columnName(index) {
  let name = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

function renderSheet(file, sheet, view, findings, fileIndex) {
  const onCells = new Map();
  for (const f of findings) {
    if (f.sheet !== sheet || !f.cell) continue;
    if (!onCells.has(f.cell)) onCells.set(f.cell, []);
    onCells.get(f.cell).push(f);
  }
  const wrap = el("div", { class: "sheet-wrap", role: "region", tabindex: "0", "aria-label": t("sheetView", { sheet }) });
  const table = el("table", { class: "sheet" });
  table.append(el("caption", { text: t("sheetCaption", { file, sheet }) + (view.truncated ? " " + t("moreRows") : "") }));
  const width = Math.max(view.columns, ...[...onCells.keys()].map((c) => colIndex(c) + 1));
  const head = el("tr", {}, el("th", { scope: "col", text: "" }));
  for (let c = 0; c < width; c++) head.append(el("th", { scope: "col", text: columnName(c) }));
  table.append(el("thead", {}, head));
  const body = el("tbody");
  let previous = 0;
  for (const row of view.rows) {
    if (previous && row.row > previous + 1) {
      body.append(el("tr", { class: "gap" }, el("td", { colspan: String(width + 1), text: t("rowsOmitted") })));
    }
    previous = row.row;
    const tr = el("tr", {}, el("th", { scope: "row", text: String(row.row) }));
    for (let c = 0; c < width; c++) {
      const ref = columnName(c) + row.row;
      const value = row.cells[c] ?? "";
      const here = onCells.get(ref);
      if (here) {
        const worst = here.reduce((a, b) => (ORDER[a.severity] <= ORDER[b.severity] ? a : b)).severity;
        const note = here.map((f) => `${t(f.severity)} ${f.code}：${f.message}`).join("；");
        const td = el("td", { id: cellId(fileIndex, sheet, ref), class: `marked sev-${worst}`, tabindex: "-1",
          title: note, "data-cell": ref }, document.createTextNode(value));
        td.append(el("span", { class: "visually-hidden", text: " " + t("cellFinding", { text: note }) }));
        tr.append(td);
      } else {
        tr.append(el("td", { "data-cell": ref, text: value }));
      }
    }
    body.append(tr);
  }
  table.append(body);
  wrap.append(table);
  return wrap;
}

function colIndex(cell) {
  const letters = /^[A-Z]+/.exec(cell);
  if (!letters) return 0;
  let n = 0;
  for (const ch of letters[0]) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/* ---- rules ---- */

async function loadRules(force) {
  const table = $("rules-table");
  if (table.dataset.loaded && !force) return;
  const response = await fetch(`/api/v1/rules?lang=${state.lang}`);
  if (!response.ok) return;
  const data = await response.json();
  table.replaceChildren();
  table.append(el("thead", {}, el("tr", {}, ...["code", "severity", "ruleName", "summaryCol"].map((k) => el("th", { scope: "col", text: t(k) })))));
  const body = el("tbody");
  for (const rule of data.rules) {
    body.append(el("tr", {}, el("td", { text: rule.code }), el("td", { text: t(rule.severity) }),
      el("td", {}, el("a", { href: rule.url, target: "_blank", rel: "noopener", text: rule.name })),
      el("td", { text: state.lang === "en" ? rule.message.en : rule.summary })));
  }
  table.append(body);
  table.dataset.loaded = "1";
}

/* ---- wiring ---- */

document.addEventListener("DOMContentLoaded", () => {
  const drop = $("drop");
  $("file").addEventListener("change", (event) => { addFiles(event.target.files); event.target.value = ""; });
  for (const type of ["dragenter", "dragover"]) drop.addEventListener(type, (e) => { e.preventDefault(); drop.classList.add("over"); });
  for (const type of ["dragleave", "drop"]) drop.addEventListener(type, () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); if (e.dataTransfer) addFiles(e.dataTransfer.files); });
  $("form").addEventListener("submit", (e) => { e.preventDefault(); validate(true); });
  $("lang").addEventListener("click", () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    applyLanguage();
    if (state.report) validate(false);
  });
  $("rules-details").addEventListener("toggle", () => { if ($("rules-details").open) loadRules(false); });
  applyLanguage();
});
