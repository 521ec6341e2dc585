"""Members' name pinyin: moved to `sqdj.core.pinyin` (orgs and areas use it too); kept here for the code and the
migration (members 0004) that import it from this module."""

from sqdj.core.pinyin import SURNAMES, char_pinyin, name_pinyin

__all__ = ["SURNAMES", "char_pinyin", "name_pinyin"]
