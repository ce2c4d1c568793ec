"""`govcat migrate [PATH ...] [--to VERSION] [--check]`: catalogs rewritten from the version of the
standard they declare to the target (SPEC §6.2), YAML files and workbooks alike.

Every file is read and planned before any is written, so a usage error (an unknown target, a
catalog newer than the target) leaves every file as it was. A file is rewritten in place only where
the plan changes it (plan.py says what it changes, yamledit.py and xlsxedit.py how), then read back:
a YAML file must give exactly the data the plan meant, a workbook must hold every other cell as it
was; otherwise the file is left alone with a finding. What a person must decide is reported as
GC708 findings; a file that cannot be read is reported as the validator reports it (GC001 …).
"""

from __future__ import annotations

import difflib
import io
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from govcat.checking import stage
from govcat.checking.rules import BY_CODE
from govcat.checking.rules import files as file_rules
from govcat.checking.rules.base import Context, Hit
from govcat.checking.rules.provider import MIGRATION
from govcat.checking.scope import discover
from govcat.core.access import all_items, resources
from govcat.core.document import Document, Span
from govcat.core.errors import UsageError
from govcat.core.fields import WORKBOOK_SUFFIXES
from govcat.core.findings import Finding, Report
from govcat.core.i18n import L10n
from govcat.core.paths import display
from govcat.core.workspace import Workspace, locate
from govcat.lifecycle import xlsxedit, yamledit
from govcat.lifecycle.plan import Edition, Map, Plan, Text, plain, texts
from govcat.reading import files, loader
from govcat.reading.sourcemap import SheetSourceMap
from govcat.reading.text import decode
from govcat.reading.yamlread import load_yaml_text
from govcat.reporting.text import clean, location
from govcat.standard import load as load_standard
from govcat.standard.library import releases
from govcat.standard.versions import Version, parse

RULE = BY_CODE["GC708"]


@dataclass
class Settings:
    paths: list[Path]
    to: str | None = None  # the target version; None: the current standard
    check: bool = False  # only show what would change
    lang: str = "zh"
    cwd: Path = field(default_factory=Path.cwd)
    workspace: Workspace | None = None


@dataclass
class FileChange:
    """One catalog file: what migrate changes in it, and the text `--check` shows for it."""

    path: Path
    display: str
    source: str | None  # the edition it declares (None: unknown)
    target: str
    edits: list[dict[str, Any]] = field(default_factory=list)
    shown: str = ""  # a unified diff (YAML) or one line per changed cell (workbooks)
    content: bytes | None = None  # the new file; None: nothing changes
    original: bytes = b""
    notes: list[L10n] = field(default_factory=list)  # what a workbook loses when openpyxl saves it

    def as_dict(self, lang: str) -> dict[str, Any]:
        return {"file": self.display, "from": self.source, "to": self.target, "changed": self.content is not None,
                "edits": self.edits, "diff": self.shown,
                "notes": [n.en if lang == "en" else n.zh for n in self.notes]}


@dataclass
class Outcome:
    report: Report  # decisions (GC708) and unreadable files (GC001 …) as findings
    files: list[FileChange]
    target: str
    check: bool
    written: list[str] = field(default_factory=list)

    @property
    def changed(self) -> list[FileChange]:
        return [f for f in self.files if f.content is not None]


# --- editions --------------------------------------------------------------------------------------

class Editions:
    """Every version of the standard the workspace holds: its releases and its current standard
    (which wins over a release of the same version)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.folders: dict[Version, Path] = dict(releases(workspace.data))
        current = load_standard(workspace.generated)
        version = parse(current.version)
        if version is None:
            raise UsageError(f"当前标准的版本“{current.version}”不是 MAJOR.MINOR.PATCH 形式")
        self.current = version
        self.folders[version] = workspace.generated
        self._loaded: dict[Version, Edition] = {}
        self._plans: dict[tuple[Version, Version], Plan] = {}

    def listed(self) -> str:
        return "、".join(str(v) for v in sorted(self.folders))

    def edition(self, version: Version) -> Edition:
        if version not in self._loaded:
            folder = self.folders[version]
            try:
                with open(folder / "model.json", encoding="utf-8") as fh:
                    model = json.load(fh)
            except (OSError, ValueError) as exc:
                raise UsageError(f"标准 {version} 缺少可读的 model.json（{folder}）：{exc}") from exc
            self._loaded[version] = Edition(version, model, load_standard(folder))
        return self._loaded[version]

    def target(self, spec: str | None) -> Version:
        if spec is None:
            return self.current
        version = parse(spec)
        if version is None:
            raise UsageError(f"--to {spec}：不是版本号（应写 MAJOR.MINOR 或 MAJOR.MINOR.PATCH，如 2.0）")
        short = spec.strip().count(".") == 1
        if self.workspace.root is None and not (version == self.current or (short and version.line == self.current.line)):
            raise UsageError(f"--to {spec}：在标准仓库之外只能迁移到随 govcat 发布的当前标准 {self.current}；"
                             "迁移到其他版本需要在标准仓库中运行（或用 --workspace 指定标准仓库的文件夹）")
        matching = [v for v in self.folders if v == version or (short and v.line == version.line)]
        if not matching:
            raise UsageError(f"--to {spec}：不是已发布的版本，也不是当前标准；已知版本：{self.listed()}")
        return max(matching)

    def declared(self, text: str, target: Version) -> Version | None:
        """The edition a catalog's `standard_version` names: the version itself when the workspace
        has it, else (`1.0`, or a patch it has not) the newest edition of that minor line not newer
        than the target, else the newest of the line — as the validator picks a release."""
        version = parse(text)
        if version is None:
            return None
        if version in self.folders:
            return version
        line = [v for v in self.folders if v.line == version.line]
        below = [v for v in line if v <= target]
        return max(below or line) if line else None

    def plan(self, source: Version, target: Version) -> Plan:
        if (source, target) not in self._plans:
            chain = [source, *sorted(v for v in self.folders if source < v <= target)]
            self._plans[(source, target)] = Plan.through([self.edition(v) for v in chain])
        return self._plans[(source, target)]


# --- one file ------------------------------------------------------------------------------------

_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _line_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index, counting line breaks as libyaml does."""
    before = _BREAK.split(text[:index])
    return len(before), len(before[-1]) + 1


def _unified(display_name: str, old: str, new: str) -> str:
    lines = list(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                      f"a/{display_name}", f"b/{display_name}"))
    out = []
    for line in lines:
        out.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _declared(root: Map, text: str | None) -> tuple[Text | None, str | None]:
    """The `standard_version` scalar and the version it declares, as typed (`1.0` unquoted is 1.0)."""
    for key, value in root.entries:
        if key.value == "standard_version" and isinstance(value, Text):
            raw = value.value
            if isinstance(raw, int | float) and not isinstance(raw, bool):
                handle = value.handle
                raw = text[handle.start:handle.end] if text is not None and isinstance(
                    handle, yamledit.Slice) else str(raw)
            return value, raw if isinstance(raw, str) and raw.strip() else None
    return None, None


def _version_text(declared: str, target: Version) -> str:
    """The target written as the catalog wrote its version: `1.0` -> `2.0`, `1.0.0` -> `2.0.0`."""
    return str(target) if declared.strip().count(".") == 2 else f"{target.major}.{target.minor}"


class _Run:
    def __init__(self, settings: Settings, editions: Editions, target: Version) -> None:
        self.settings, self.editions, self.target = settings, editions, target
        self.current_std = editions.edition(editions.current).std
        self.target_edition = editions.edition(target)
        self.ctx = Context(std=self.target_edition.std, as_of=date.today())
        self.findings: list[Finding] = []
        self.counts = [0, 0]  # resources, items

    def decide(self, doc: Document, pointer: str, zh: str, en: str, span: Span | None = None) -> None:
        doc.memo.setdefault(MIGRATION, []).append(
            Hit(pointer, {"target": self.target_edition.label, "decision": L10n(zh, en)}, span))

    def report(self, doc: Document) -> None:
        readable = doc.loaded and doc.data is not None
        found = stage.run_rules([RULE] if readable else list(file_rules.RULES), doc, self.ctx, self.settings.lang)
        if not readable and not found:  # a problem no file rule reports (an unreadable file): still said
            problem = doc.problems[0] if doc.problems else None
            reason = problem.args.get("reason") if problem is not None else None
            self.decide(doc, "", f"无法读取该文件（{reason or (problem.code if problem else '未知原因')}）：未迁移",
                        f"the file cannot be read ({getattr(reason, 'en', reason) or 'unknown reason'}): "
                        "not migrated")
            found = stage.run_rules([RULE], doc, self.ctx, self.settings.lang)
        self.findings += found
        if doc.data is not None:
            self.counts[0] += len(resources(doc))
            self.counts[1] += len(all_items(doc))

    def file(self, path: Path) -> FileChange | None:
        shown = display(path, self.settings.cwd)
        workbook = path.suffix.lower() in WORKBOOK_SUFFIXES
        doc = loader.load(path, shown, self.current_std)
        if not doc.loaded or doc.data is None:
            self.report(doc)
            return None
        if not workbook and doc.fast:  # the tree is read with libyaml: so are its problems
            doc.problems = []
            load_yaml_text(doc.text or "", doc, precise=True)
            if not doc.loaded:
                self.report(doc)
                return None
        result = self._xlsx(path, doc) if workbook else self._yaml(path, doc)
        self.report(result[1])
        return result[0]

    def _plan(self, doc: Document, root: Map | None, text: str | None) -> tuple[Plan, Text | None, str] | None:
        """The plan for a catalog, or None with the decision why there is none."""
        if root is None:
            self.decide(doc, "", "文件不是一个目录（顶层应是映射：standard_version、provider、resources）：无法迁移",
                        "the file is not a catalog (its top level should be a mapping): nothing to migrate")
            return None
        version_text, declared = _declared(root, text)
        if declared is None:
            self.decide(doc, "/standard_version" if version_text else "",
                        "目录没有声明 standard_version：请写明它按哪个版本的标准编写，再运行 govcat migrate",
                        "the catalog declares no standard_version: write the version it was made for, then run "
                        "govcat migrate again")
            return None
        source = self.editions.declared(declared, self.target)
        if source is None:
            self.decide(doc, "/standard_version",
                        f"标准版本“{declared}”不是本工作区已知的版本（{self.editions.listed()}）：请确认目录按哪个版本编写并改正 "
                        "standard_version，再运行 govcat migrate",
                        f"standard version '{declared}' is none this workspace knows ({self.editions.listed()}): "
                        "correct standard_version, then run govcat migrate again")
            return None
        if source > self.target:
            raise UsageError(f"{doc.display} 声明的标准版本 {declared} 比目标版本 {self.target} 新：migrate 不降级"
                             f"（用 --to 指定不低于 {source} 的版本）")
        return self.editions.plan(source, self.target), version_text, declared

    def _migrate(self, doc: Document, root: Map | None, text: str | None) -> Plan | None:
        planned = self._plan(doc, root, text)
        if planned is None or root is None:
            return None
        plan, version_text, declared = planned
        migration = plan.run(root)
        if version_text is not None and plan.source.version != plan.target.version:
            migration.rewrite(version_text, _version_text(declared, plan.target.version), plan.target.label)
        doc.memo.setdefault(MIGRATION, []).extend(migration.hits)
        return plan

    def _yaml(self, path: Path, doc: Document) -> tuple[FileChange | None, Document]:
        text = doc.text or ""
        raw = files.read(path, loader.MAX_BYTES, [])
        if raw is None or decode(raw)[0] != text:
            self.decide(doc, "", "文件在读取过程中被修改或移走：未迁移，请重新运行 govcat migrate",
                        "the file changed or went away while it was read: not migrated, run govcat migrate again")
            return None, doc
        try:
            root = yamledit.read(text)
        except Exception as exc:  # whatever the builder trips over stays this file's problem, not the run's
            self.decide(doc, "", f"migrate 无法读取该文件的结构（{type(exc).__name__}）：请手工迁移，并把该文件报告给标准维护方",
                        f"migrate could not read the file's structure ({type(exc).__name__}): migrate it by hand "
                        "and report the file to the standard's maintainers")
            return None, doc
        # An empty file is an empty catalog to the loader: here, one that declares no version.
        tree = root if isinstance(root, Map) else Map([], "") if root is None and doc.data == {} else None
        plan = self._migrate(doc, tree, text)
        if plan is None or tree is None:
            return None, doc
        change = FileChange(path, doc.display, plan.source.label, plan.target.label, original=raw)
        new = yamledit.rewrite(text, tree)
        if new == text:
            return change, doc
        if not self._reads_back(new, plain(tree)):
            self.decide(doc, "", "无法安全地改写该文件（改写后读出的内容与预期不一致）：请手工迁移，并把该文件报告给标准维护方",
                        "the file could not be rewritten safely (it would not read back as intended): migrate it "
                        "by hand and report the file to the standard's maintainers")
            return change, doc
        for t in sorted(_changed(tree), key=lambda t: t.handle.start):
            line, column = _line_column(text, t.handle.start)
            change.edits.append({"pointer": t.pointer, "line": line, "column": column, "old": t.original,
                                 "new": t.value})
        change.shown = _unified(doc.display, text, new)
        change.content = (b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b"") + new.encode("utf-8")
        return change, doc

    @staticmethod
    def _reads_back(text: str, expected: Any) -> bool:
        check = Document(path=Path("-"), display="-", role="catalog")
        load_yaml_text(text, check, precise=True)
        return check.loaded and json.dumps(check.data, ensure_ascii=False, default=str) == json.dumps(
            expected, ensure_ascii=False, default=str)

    def _xlsx(self, path: Path, doc: Document) -> tuple[FileChange | None, Document]:
        version = doc.data.get("standard_version") if isinstance(doc.data, dict) else None
        source = self.editions.declared(version, self.target) if isinstance(version, str) else None
        if source is not None and self.editions.edition(source).std is not self.current_std:
            # The workbook's headers are the titles of the version it declares: read it with that one.
            doc = loader.load(path, doc.display, self.editions.edition(source).std)
            if not doc.loaded or doc.data is None:
                return None, doc
        std = self.editions.edition(source).std if source is not None else self.current_std
        original = files.read(path, loader.MAX_BYTES, [])
        if original is None or not isinstance(doc.sourcemap, SheetSourceMap):
            self.decide(doc, "", "文件在读取过程中被修改或移走：未迁移，请重新运行 govcat migrate",
                        "the file changed or went away while it was read: not migrated, run govcat migrate again")
            return None, doc
        try:
            book, warned = xlsxedit.load(io.BytesIO(original))
        except Exception as exc:  # calamine read it, openpyxl cannot: say so, change nothing
            self.decide(doc, "", f"openpyxl 无法打开该工作簿（{type(exc).__name__}）：请手工迁移",
                        f"openpyxl cannot open the workbook ({type(exc).__name__}): migrate it by hand")
            return None, doc
        root = xlsxedit.read(doc.data, doc.sourcemap, book, std)
        plan = self._migrate(doc, root, None)
        if plan is None:
            return None, doc
        change = FileChange(path, doc.display, plan.source.label, plan.target.label, original=original)
        edits = xlsxedit.edits(root, book, plan.target.std)
        if not edits:
            return change, doc
        xlsxedit.apply(book, edits)
        content = xlsxedit.save(book)
        if not xlsxedit.unchanged_elsewhere(original, content, edits):
            self.decide(doc, "", "无法安全地改写该工作簿（保存后其他单元格发生了变化）：请手工迁移，并把该文件报告给标准维护方",
                        "the workbook could not be rewritten safely (other cells changed on saving): migrate it by "
                        "hand and report the file to the standard's maintainers")
            return change, doc
        change.notes = xlsxedit.losses(original, content, warned, book)
        change.edits = [{"sheet": e.sheet, "cell": e.cell, "old": e.old, "new": e.new} for e in edits]
        change.shown = "".join(f"{doc.display}[{e.sheet}!{e.cell}]: {_cell_text(e.old)} → {_cell_text(e.new)}\n"
                               for e in edits)
        change.content = content
        return change, doc


def _changed(root: Map) -> list[Text]:
    return [t for t in texts(root) if t.changed and isinstance(t.handle, yamledit.Slice)]


_C1 = re.compile("[\x80-\x9f]")


def _cell_text(value: Any) -> str:
    """A cell's value on one line of `--check`: a workbook's text is untrusted, so no control
    character (an escape sequence, a line break) reaches the terminal."""
    if value is None or value == "":
        return "（空）"
    return _C1.sub(lambda m: f"\\x{ord(m.group()):02x}", clean(str(value)))


# --- the command -----------------------------------------------------------------------------------

def run(settings: Settings) -> Outcome:
    """Plan every file; write the changed ones unless ``settings.check``."""
    workspace = settings.workspace or locate(None, settings.cwd)
    editions = Editions(workspace)
    target = editions.target(settings.to)
    found = discover([p if p.is_absolute() else settings.cwd / p for p in settings.paths], None, isolated=True)
    if not found.catalogs:
        raise UsageError("给出的路径中只有提供方名录（departments.yaml），没有目录文件")
    job = _Run(settings, editions, target)
    changes = [change for path in found.catalogs if (change := job.file(path)) is not None]
    report = Report(standard_version=str(target), as_of=date.today().isoformat(), lang=settings.lang,
                    files=len(found.catalogs), resources=job.counts[0], items=job.counts[1],
                    findings=sorted(job.findings, key=Finding.sort_key))
    report.paths = [display(p, settings.cwd) for p in found.catalogs]
    outcome = Outcome(report, changes, str(target), settings.check)
    if not settings.check:
        for change in outcome.changed:
            if _write(change):
                outcome.written.append(change.display)
    return outcome


def _write(change: FileChange) -> bool:
    """Replace the file with its new content, unless it changed since it was read."""
    assert change.content is not None
    target = change.path.resolve()  # through a symbolic link: the file it names is the catalog
    current = files.read(target, max(len(change.original), 1) + 1, [])
    if current != change.original:
        return False
    handle, temporary = tempfile.mkstemp(prefix=".govcat-migrate-", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as fh:
            fh.write(change.content)
        shutil.copymode(target, temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def render(outcome: Outcome, fmt: str) -> str:
    """What goes to stdout: under --check the diffs, then the decisions (text); or everything as JSON."""
    lang = outcome.report.lang
    if fmt == "json":
        body = outcome.report.as_dict()
        body["migration"] = {"to": outcome.target, "check": outcome.check,
                             "files": [c.as_dict(lang) for c in outcome.files if c.content is not None or c.notes],
                             "written": outcome.written}
        return json.dumps(body, ensure_ascii=False, indent=2, default=str) + "\n"
    out = [c.shown for c in outcome.changed] if outcome.check else []
    for f in outcome.report.findings:
        record = " ".join(p for p in (f.record or {}).values() if p) if f.record else ""
        out.append(f"{location(f)}: {f.code} {clean(f.message)}{f' [{clean(record)}]' if record else ''}\n")
    return "".join(out)


def summary(outcome: Outcome) -> str:
    """What goes to stderr: each file changed, what a workbook loses, and the totals."""
    en = outcome.report.lang == "en"
    lines = []
    for change in outcome.changed:
        verb = ("would change" if en else "将改写") if outcome.check else ("changed" if en else "已改写")
        if not outcome.check and change.display not in outcome.written:
            verb = "changed on disk since it was read, left alone" if en else "读取后已被修改，未改写"
        lines.append(f"{verb} {change.display}: {len(change.edits)} edits ({change.source} → {change.target})" if en
                     else f"{verb} {change.display}：{len(change.edits)} 处（{change.source} → {change.target}）")
        for note in change.notes:
            lines.append(f"  {change.display}: {note.en}" if en else f"  {change.display}：{note.zh}")
    changed, edits = len(outcome.changed), sum(len(c.edits) for c in outcome.changed)
    decisions = sum(1 for f in outcome.report.findings if f.code == RULE.code)
    unreadable = sum(1 for f in outcome.report.findings if f.code != RULE.code)
    files = outcome.report.files
    if en:
        line = (f"migrate to {outcome.target}: {changed} of {files} files {'to change' if outcome.check else 'changed'}, "
                f"{edits} edits; {decisions} decisions left to a person")
        line += f"; {unreadable} files could not be read" if unreadable else ""
    else:
        line = (f"迁移到标准 {outcome.target}：{files} 个文件中 {changed} 个{'需要改写' if outcome.check else '已改写'}，"
                f"共 {edits} 处改动；{decisions} 项需要人工决定")
        line += f"；{unreadable} 个文件无法读取" if unreadable else ""
    lines.append(line)
    if decisions and not outcome.check:
        lines.append("then run govcat validate to see the migrated catalogs under the new version" if en
                     else "改写后请运行 govcat validate，按新版本检查目录")
    return "\n".join(lines) + "\n"
