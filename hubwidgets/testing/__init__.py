"""Test helpers for code that talks to the Hugging Face Hub without reaching it.

:class:`HubServer` serves recorded Hub records over real HTTP on 127.0.0.1 so tests exercise the
real ``huggingface_hub`` client end to end (queries, pagination, retries, errors).
"""

from hubwidgets.testing.hub_server import (
    DEFAULT_LIST_FIELDS,
    EXPAND_PROPERTIES,
    MAX_PAGE_SIZE,
    HubServer,
    RecordedRequest,
    load_shared_records,
    shared_data_dir,
    to_api_record,
)

__all__ = [
    "DEFAULT_LIST_FIELDS",
    "EXPAND_PROPERTIES",
    "MAX_PAGE_SIZE",
    "HubServer",
    "RecordedRequest",
    "load_shared_records",
    "shared_data_dir",
    "to_api_record",
]
