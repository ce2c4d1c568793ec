"""Reading: bytes -> Document with positions (YAML fast and precise paths, workbooks, source maps)."""
