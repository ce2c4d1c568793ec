"""A standards repository with two versions: the released 1.0.0 of this repository, and a 2.0.0
made from it by edits that exercise every change code of `govcat diff` that two consecutive
versions can show (the rest — a removed supported version, an unbumped version — are built from
models in tests/test_diff.py).

`build(dest)` copies the repository's tracked files (so `releases/1.0.0/` comes along), applies
`EDITS` to `schema/` with ruamel.yaml, sets the version to 2.0.0 and regenerates the standard. It takes LinkML a
few seconds, so tests share one build per session (the `lifecycle` fixture in conftest.py).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.conftest import copy_repository

Edit = Callable[[dict[str, Any]], None]


def _attrs(doc: dict[str, Any], cls: str) -> dict[str, Any]:
    return doc["classes"][cls]["attributes"]  # type: ignore[no-any-return]


def _catalog(doc: dict[str, Any]) -> None:
    res = _attrs(doc, "InformationResource")
    item = _attrs(doc, "InformationItem")
    # classes: added, removed (Mount, with its field and enums), renamed, deprecated
    doc["classes"]["Contact"] = {"title": "联系人", "description": "资源的联系人。",
                                 "attributes": {"phone": {"title": "联系电话", "annotations": {"obligation": "O"}}}}
    res["contact"] = {"title": "联系人", "range": "Contact", "inlined": True, "annotations": {"obligation": "O"}}
    del doc["classes"]["Mount"]
    del res["mount"]
    for enum in ("MountKind", "MountStatus"):
        del doc["enums"][enum]
    doc["classes"]["Classification"]["deprecated"] = "2.0.0 起由资源代码承载分类，本类将在 3.0.0 删除"
    # fields
    res["department_unit"] = {"title": "内设机构", "annotations": {"obligation": "O"}}
    res["internal_department"]["deprecated"] = "改用 department_unit"
    res["internal_department"]["deprecated_element_has_exact_replacement"] = "department_unit"
    res["system"] = {**res.pop("source_system"), "annotations": {"obligation": "O", "renamed_from": "source_system"}}
    del res["keywords"]
    res["data_owner"] = {"title": "数据责任人", "required": True, "annotations": {"obligation": "M"}}
    res["security_level"].update({"required": True, "annotations": {"obligation": "M"}})
    res["security_level"].pop("recommended", None)
    res["summary"]["required"] = False
    res["summary"]["annotations"]["obligation"] = "O"
    res["summary"]["annotations"]["max_length"] = "2000"
    res["summary"]["annotations"]["min_length"] = "5"
    res["last_updated_on"].pop("recommended", None)
    res["last_updated_on"]["annotations"]["obligation"] = "O"
    res["related_codes"]["multivalued"] = False
    res["code"]["pattern"] = "^[1-3][0-9]{5}([0-9]{3})?/[0-9]{7}$"
    res["name"]["annotations"]["max_length"] = "80"
    res["name"]["annotations"]["min_length"] = "3"
    res["name"]["title"] = "资源名称"
    res["name"]["description"] = "信息资源的名称。"
    _attrs(doc, "Provider")["code"]["pattern"] = "^[0-9A-HJ-NPQRTUWXY]{18}$"
    item["element"].pop("pattern", None)
    item["is_key"]["range"] = "string"
    item["precision"]["maximum_value"] = 10
    item["length"]["minimum_value"] = 0
    _attrs(doc, "Catalog")["resources"]["minimum_cardinality"] = 2
    item["description"]["comments"] = ["2.0.0 补充说明"]
    # vocabularies
    doc["enums"]["ContactKind"] = {"title": "联系人类型", "permissible_values": {"业务": {}, "技术": {}}}
    doc["enums"]["SharingMethodType"]["permissible_values"]["消息队列"] = {}
    del doc["enums"]["OpeningType"]["permissible_values"]["有条件开放"]
    formats = doc["enums"]["FormatType"]["permissible_values"]
    formats["WPS"] = {**(formats.pop("wps") or {}), "annotations": {"renamed_from": "wps"}}
    doc["enums"]["SharingMethod"]["permissible_values"]["介质"] = {
        "deprecated": "不再以介质方式共享", "annotations": {"replaced_by": "共享平台"}}


def _item_type(doc: dict[str, Any]) -> None:
    """The FormatCategory's list of types follows the renamed `wps` (a table the validator reads)."""
    cats = doc["enums"]["FormatCategory"]["permissible_values"]
    for pv in cats.values():
        notes = (pv or {}).get("annotations") or {}
        if "types" in notes:
            notes["types"] = "|".join("WPS" if t == "wps" else t for t in str(notes["types"]).split("|"))


def _frequency(doc: dict[str, Any]) -> None:
    daily = doc["enums"]["UpdateFrequency"]["permissible_values"]["每日"]
    daily["aliases"] = [a for a in daily["aliases"] if a != "日更"] + ["逐日"]
    doc["enums"]["UpdateFrequency"]["annotations"]["grace_days"] = "5"  # loosened


def _policy(doc: dict[str, Any]) -> None:
    doc["enums"]["ResourceClass"]["permissible_values"]["基础信息资源"]["annotations"]["min_frequency"] = "每周"


def _elements_person(doc: dict[str, Any]) -> None:
    slots = doc["slots"]
    slots["person_name"]["title"] = "人员姓名"
    slots["person_name"]["aliases"] = [*slots["person_name"].get("aliases", []), "姓名"]
    slots["passport_number"]["annotations"]["status"] = "废止"
    slots["passport_number"]["deprecated_element_has_exact_replacement"] = "citizen_id_number"
    slots["phone_number"]["annotations"]["sensitivity"] = "一般"
    slots["email_address"]["aliases"] = [*slots["email_address"].get("aliases", []), "电子信箱"]
    slots["household_address"]["aliases"] = []
    slots["household_address"]["annotations"]["source"] = "GB/T 2261 修订版"


def _elements_organization(doc: dict[str, Any]) -> None:
    slots = doc["slots"]
    slots["organization_name"]["annotations"]["sensitivity"] = "个人信息"
    slots["registration_authority"]["annotations"]["steward"] = "行政审批"


def _elements_location(doc: dict[str, Any]) -> None:
    slots = doc["slots"]
    slots["postal_code"]["annotations"]["format"] = "an6"
    slots["fixture_new_element"] = {"title": "新增测试数据元", "description": "2.0.0 新增。", "range": "string",
                                    "annotations": {"identifier": "DE00299", "data_type": "C", "format": "c..10",
                                                    "category": "位置", "sensitivity": "一般", "status": "试用"}}


def _elements_other(doc: dict[str, Any]) -> None:
    slots = doc["slots"]
    # An identifier reused for another meaning: DE00901 备注 (M, text) becomes a number of something else.
    remark = slots.pop("remark")
    notes = dict(remark["annotations"])
    notes.update({"data_type": "N", "format": "n..6"})
    slots["visit_count"] = {"title": "访问次数", "description": "被访问的次数。", "range": "integer", "annotations": notes}
    removed = next(name for name, slot in slots.items()
                   if (slot.get("annotations") or {}).get("identifier") not in (None, "DE00901"))
    del slots[removed]


def _code_sets_person(doc: dict[str, Any]) -> None:
    enums = doc["enums"]
    enums["BloodTypeCode"] = {"title": "血型代码", "permissible_values": {"1": {"title": "A型"}, "2": {"title": "B型"}}}
    marital = enums["MaritalStatusCode"]["permissible_values"]
    del marital["23"]
    marital["21"]["deprecated"] = "并入 20"
    marital["21"]["deprecated_element_has_exact_replacement"] = "20"
    enums["GenderCode"]["permissible_values"]["5"] = {"title": "测试新增"}


def _code_sets_service(doc: dict[str, Any]) -> None:
    del doc["enums"]["SatisfactionCode"]


def _lifecycle(doc: dict[str, Any]) -> None:
    versions = doc["enums"]["StandardVersion"]["permissible_values"]
    versions["1.0.0"]["annotations"]["sunset"] = "2027-12-31"
    versions["2.0.0"] = {"title": "2.0.0", "description": "第二版（测试夹具）。", "annotations": {"released_on": "2027-01-01"}}
    rules = doc["enums"]["ValidationRule"]["permissible_values"]
    rules["GC798"] = {"title": "fixture-error-rule", "description": "夹具：新增的错误级规则。", "annotations": {"severity": "error"}}
    rules["GC799"] = {"title": "fixture-warning-rule", "description": "夹具：新增的警告级规则。",
                      "annotations": {"severity": "warning"}}
    del rules["GC506"]
    rules["GC408"]["annotations"]["severity"] = "error"
    rules["GC602"]["annotations"]["severity"] = "warning"
    rules["GC303"]["annotations"]["severity"] = "info"
    rules["GC504"]["annotations"]["enforce_from"] = "2027-06-30"


EDITS: dict[str, list[Edit]] = {
    "catalog.yaml": [_catalog, _item_type, _policy],
    "update_frequency.yaml": [_frequency],
    "data_elements/person.yaml": [_elements_person],
    "data_elements/organization.yaml": [_elements_organization],
    "data_elements/location.yaml": [_elements_location],
    "data_elements/other.yaml": [_elements_other],
    "code_sets/person.yaml": [_code_sets_person],
    "code_sets/service.yaml": [_code_sets_service],
    "lifecycle.yaml": [_lifecycle],
}


def build(dest: Path) -> Path:
    root = copy_repository(dest)
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    for rel, edits in EDITS.items():
        path = root / "schema" / rel
        doc = yaml.load(path.read_text(encoding="utf-8"))
        for edit in edits:
            edit(doc)
        with open(path, "w", encoding="utf-8") as fh:
            yaml.dump(doc, fh)
    main = root / "schema" / "govcat.yaml"
    main.write_text(main.read_text(encoding="utf-8").replace('version: "1.0.0"', 'version: "2.0.0"', 1),
                    encoding="utf-8")
    # The registry database's table model names fields 2.0.0 removes (keywords, mount): the SQL DDL
    # stays that of 1.0.0 here. Validating, diffing and migrating need only these three.
    done = subprocess.run([sys.executable, "-m", "govcat", "generate", "json-schema", "standard", "model"],
                          cwd=root, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return root
