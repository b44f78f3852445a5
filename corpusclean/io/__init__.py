"""Reading inputs and writing outputs, streaming."""

from .readers import ReadError, as_documents, parse_header, read_inputs
from .writers import AtomicJsonlWriter, safe_filename, write_json_atomic

__all__ = [
    "AtomicJsonlWriter",
    "ReadError",
    "as_documents",
    "parse_header",
    "read_inputs",
    "safe_filename",
    "write_json_atomic",
]
