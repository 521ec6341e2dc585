"""Fill translations into the zh_Hans catalog from JSON files of {"English msgid": "中文"}.

Usage: python scripts/po_fill.py MAPPING.json [...]   (after `makemessages -l zh_Hans --no-wrap` in sqdj/)
Only untranslated or fuzzy entries are filled; prints the msgids still untranslated afterwards.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "sqdj" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
STRING = re.compile(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?|msgctxt)?\s*"(.*)"$')


def unquote(s: str) -> str:
    return s.encode("latin-1", "backslashreplace").decode("unicode_escape") if "\\" in s else s


def quote(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def parse(block: list[str]) -> dict:
    fields, current = {}, None
    for line in block:
        m = STRING.match(line)
        if m:
            current = m.group(1) or current
            fields[current] = fields.get(current, "") + m.group(2)
    return fields


def main(paths: list[str]) -> int:
    mapping: dict[str, str] = {}
    for p in paths:
        mapping.update(json.loads(Path(p).read_text(encoding="utf-8")))
    blocks = PO.read_text(encoding="utf-8").split("\n\n")
    out, missing = [], []
    for text in blocks:
        lines = text.split("\n")
        fields = parse(lines)
        msgid = unquote(fields.get("msgid", ""))
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        translated = any(v for k, v in fields.items() if k.startswith("msgstr"))
        if msgid and (fuzzy or not translated):
            value = mapping.get(msgid)
            if value is None:
                missing.append(msgid)
            else:
                # msgstr (and its continuation lines) ends a block: cut there; drop fuzzy marks and old msgids
                first = next(i for i, ln in enumerate(lines) if ln.startswith("msgstr"))
                cleaned = [ln for ln in lines[:first] if not ln.startswith("#|")]
                cleaned = [ln.replace(", fuzzy", "") if ln.startswith("#,") else ln for ln in cleaned]
                cleaned = [ln for ln in cleaned if ln.strip() not in ("#,", "#, fuzzy")]
                if "msgid_plural" in fields:
                    cleaned.append(f'msgstr[0] "{quote(value)}"')
                else:
                    cleaned.append(f'msgstr "{quote(value)}"')
                text = "\n".join(cleaned)
        out.append(text)
    PO.write_text("\n\n".join(out), encoding="utf-8")
    for m in missing:
        print(f"untranslated: {m}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
