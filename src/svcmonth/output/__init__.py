"""Output: declared columns, the format registry, files written once, pages."""
