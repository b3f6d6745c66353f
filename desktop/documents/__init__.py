"""What the workstation's printed documents say, as plain data (no Qt).

Each document module holds the dataclass of what a document says, its `validate()` and the text
assembly into a `layout.Document`; `ui/printing` turns a `Document` into a PDF or a printout.
"""
