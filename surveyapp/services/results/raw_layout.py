"""The raw responses layout, shared by the raw export and the response import.

The headers are fixed Vietnamese names, whatever the page's language, so that an export
imports again without change. Text that a spreadsheet would run as a formula is written
with a leading apostrophe and read back without it (``surveyapp.tables.formulas``). A
header renamed since is still read under its former name (``FORMER_HEADERS``), so files
written by earlier versions import too.
"""

from __future__ import annotations

from collections.abc import Collection

# "Mẫu phiếu": the questionnaire (its code), not the form's own number ("mã phiếu").
QUESTIONNAIRE, VERSION, UNIT, UNIT_NAME = "Mẫu phiếu", "Phiên bản", "Mã đơn vị", "Đơn vị"
GROUP, MODE, FIELD, DATE = "Đối tượng", "Hình thức", "Lĩnh vực", "Ngày"
# The columns before the answers, in order; then one column per question code.
HEAD_COLUMNS = (QUESTIONNAIRE, VERSION, UNIT, UNIT_NAME, GROUP, MODE, FIELD, DATE)
# Headers of files written by earlier versions, read as the current ones.
FORMER_HEADERS = {"Mã phiếu": QUESTIONNAIRE}
MULTI_SEPARATOR = ";"
DATE_FORMAT = "%d/%m/%Y"


def column_names(header: Collection[str]) -> dict[str, str]:
    """Each head column of the layout → its name in a file of ``header``: the current name,
    or the former one in a file written by an earlier version (when it lacks the current).

    >>> column_names(["Mã phiếu", "Mã đơn vị"])[QUESTIONNAIRE]
    'Mã phiếu'
    >>> column_names(["Mẫu phiếu", "Mã phiếu"])[QUESTIONNAIRE]
    'Mẫu phiếu'
    """
    names = {name: name for name in HEAD_COLUMNS}
    for former, current in FORMER_HEADERS.items():
        if former in header and current not in header:
            names[current] = former
    return names
