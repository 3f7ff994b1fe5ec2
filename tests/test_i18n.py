"""zh-hans first, English selectable, and every string of ours translated."""

import gettext
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def parse_po(path: Path) -> dict[str, str]:
    """A minimal .po reader (msgid/msgstr, no plurals needed by us): enough to check the catalog."""
    entries: dict[str, str] = {}
    fuzzy = []
    key, current, msgid, msgstr = None, None, None, None

    def unquote(line):
        return bytes(line.strip()[1:-1], "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")

    blocks = path.read_text(encoding="utf-8").split("\n\n")
    for block in blocks:
        msgid, msgstr, current, is_fuzzy, context = "", "", None, False, ""
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                is_fuzzy = True
            if line.startswith("msgctxt "):
                context = unquote(line[8:])
            if line.startswith("msgid "):
                current, msgid = "id", unquote(line[6:])
            elif line.startswith("msgstr "):
                current, msgstr = "str", unquote(line[7:])
            elif line.startswith("msgstr[0] "):  # plural forms: zh-hans has one
                current, msgstr = "str", unquote(line[10:])
            elif line.startswith("msgid_plural ") or line.startswith("msgstr["):
                current = None
            elif line.startswith('"') and current == "id":
                msgid += unquote(line)
            elif line.startswith('"') and current == "str":
                msgstr += unquote(line)
        if msgid:
            if context:  # gettext's key for a message with a context
                msgid = f"{context}\x04{msgid}"
            entries[msgid] = msgstr
            if is_fuzzy:
                fuzzy.append(msgid)
    del key
    entries["__fuzzy__"] = "\n".join(fuzzy)
    return entries


def test_every_message_is_translated_and_not_fuzzy():
    entries = parse_po(PO)
    assert entries.pop("__fuzzy__") == ""
    untranslated = [msgid for msgid, msgstr in entries.items() if not msgstr]
    assert not untranslated, untranslated[:10]


def test_compiled_catalog_matches_the_po_file():
    entries = parse_po(PO)
    entries.pop("__fuzzy__")
    with MO.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    stale = [
        msgid
        for msgid, msgstr in entries.items()
        if catalog.gettext(msgid) != msgstr and catalog.ngettext(msgid, msgid, 1) != msgstr
    ]
    assert not stale, f"run `make messages`: {stale[:5]}"


def test_no_untranslated_strings_in_templates():
    """Every visible sentence in our templates goes through {% translate %}."""
    offenders = []
    for template in ROOT.glob("*/templates/**/*.html"):
        text = re.sub(
            r"<style.*?</style>|{% blocktranslate.*?{% endblocktranslate %}|{%.*?%}|{{.*?}}|<[^>]+>",
            " ",
            template.read_text(),
            flags=re.S,
        )
        for word in re.findall(r"[A-Za-z]{4,}(?:\s+[A-Za-z]{2,})+", text):
            offenders.append(f"{template.relative_to(ROOT)}: {word}")
    assert not offenders, offenders


@pytest.mark.django_db
def test_site_defaults_to_chinese_and_english_is_selectable(client_a):
    response = client_a.get("/")
    assert '<html lang="zh-hans">' in response.content.decode()
    assert "服务时间" in response.content.decode()
    switch = client_a.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert switch.status_code == 302
    english = client_a.get("/")
    assert '<html lang="en">' in english.content.decode()
    assert "Service hours" in english.content.decode()
