"""The file formats charts are saved in (no matplotlib needed to read them)."""

FORMATS = ("png", "svg", "pdf")
