"""Facts about files and fields that several layers need, written once."""

from __future__ import annotations

YAML_SUFFIXES = (".yaml", ".yml")
WORKBOOK_SUFFIXES = (".xlsx",)
CATALOG_SUFFIXES = YAML_SUFFIXES + WORKBOOK_SUFFIXES
REGISTRY_NAME = "departments.yaml"
CATALOGS_DIR = "catalogs"

# Resource fields holding a date `YYYY-MM-DD`.
DATE_FIELDS = ("published_on", "last_updated_on")
# Obligation levels of the catalog standard (SPEC §2.3) and how the template and the docs name them.
OBLIGATION = {"M": "必选", "R": "推荐", "C": "条件必选", "O": "可选"}
# The document roles a run reads, and the class at the root of each.
ROOT_CLASS = {"catalog": "Catalog", "registry": "Registry"}
