"""Pinyin for search: members' names (`Member.name_pinyin`, `name_initials`) and the names of orgs and areas
(`text_pinyin`, the tree picker: core.widgets.SearchSelect).

A name is converted character by character with each character's usual reading (pypinyin's single-character
dictionary), except a surname, which has the surname's reading: 曾 zeng, 单 shan, 区 ou, 仇 qiu, 解 xie, 万俟 moqi…
(`SURNAMES`). pypinyin's phrase dictionary is not used: it reads words, not names (于思 "yusai", 朝阳 "zhaoyang",
查 "zha" in 查查), and it costs some 45 MB in every process that loads it — the web app's and a long import's. So
pypinyin is told, before it is first imported, to load neither the phrases nor a copy of its dictionaries
(`PYPINYIN_NO_PHRASES`, `PYPINYIN_NO_DICT_COPY`: nothing here changes its dictionaries); the results do not depend
on it, should something have imported pypinyin with its phrases before.
"""

from __future__ import annotations

import os
from functools import lru_cache

os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")

# Surnames whose reading is not the characters' usual one (the usual one is what pypinyin gives first); a syllable
# per character.
SURNAMES = {
    "万俟": "mo qi",
    "尉迟": "yu chi",
    "单于": "chan yu",
    "长孙": "zhang sun",
    "澹台": "tan tai",
    "单": "shan",
    "曾": "zeng",
    "区": "ou",
    "仇": "qiu",
    "解": "xie",
    "查": "zha",
    "朴": "piao",
    "盖": "ge",
    "覃": "qin",
    "缪": "miao",
    "翟": "zhai",
    "乐": "yue",
    "召": "shao",
    "秘": "bi",
    "员": "yun",
    "宓": "fu",
    "种": "chong",
    "繁": "po",
    "折": "she",
    "句": "gou",
    "都": "du",
    "能": "nai",
    "阚": "kan",
    "隗": "wei",
    "祭": "zhai",
    "长": "chang",
    "藏": "zang",
    "郇": "xun",
}
_COMPOUND = {s for s in SURNAMES if len(s) == 2}


def _no_pinyin(chars: str) -> str:
    return "\x00" + chars  # marks text without pinyin (letters, digits, "·"): kept whole, not cut to a letter


@lru_cache(maxsize=1 << 16)  # the characters of names: a few thousand
def char_pinyin(char: str) -> tuple[str, str]:
    """(pinyin, initial) of one character, lower case; a character without pinyin is kept as it is, for both."""
    from pypinyin import lazy_pinyin

    (item,) = lazy_pinyin([char], errors=_no_pinyin) or [char]
    if item.startswith("\x00"):
        return item[1:].lower(), item[1:].lower()
    # the marker must never reach the database (PostgreSQL text cannot hold NUL), whatever pypinyin did with it
    item = item.replace("\x00", "").lower()
    return item, item[:1]


@lru_cache(maxsize=4096)  # a small cache: a name is a few dict look-ups
def name_pinyin(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, lower case, for search: "曾国藩" → ("zengguofan", "zgf")."""
    surname = name[:2] if name[:2] in _COMPOUND else name[:1]
    reading = SURNAMES.get(surname)
    if reading is None:
        syllables = [char_pinyin(c) for c in name]
    else:
        syllables = [(s, s[0]) for s in reading.split()] + [char_pinyin(c) for c in name[len(surname) :]]
    return "".join(s[0] for s in syllables), "".join(s[1] for s in syllables)


@lru_cache(maxsize=4096)
def text_pinyin(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name that is no person's (an org, an area), lower case, character by character
    with each character's usual reading, no surname reading (单 is shan only in a person's surname): "和平社区" →
    ("hepingshequ", "hpsq")."""
    syllables = [char_pinyin(c) for c in text]
    return "".join(s[0] for s in syllables), "".join(s[1] for s in syllables)
