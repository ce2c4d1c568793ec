"""govcat — 政务数据目录标准库: the standard, its generators and the catalog validator."""

__version__ = "0.1.0"
