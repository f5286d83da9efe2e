"""Writes docs/asyncapi.json: the streams' AsyncAPI 3.0 document of an installation
with the default settings (GET /v1/asyncapi.json serves each installation's own).

    .venv/bin/python docs/gen_asyncapi.py > docs/asyncapi.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.streams.asyncapi import asyncapi_document, default_settings

if __name__ == "__main__":
    document = asyncapi_document(default_settings())
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
