"""Checking catalogs: the engine and its two stages, the workspace index, conformance, configuration, rules."""
