"""The raw responses layout, shared by the raw export and the response import.

The headers are fixed Vietnamese names, whatever the page's language, so that an export
imports again without change. Text that a spreadsheet would run as a formula is written
with a leading apostrophe and read back without it (``surveyapp.tables.formulas``).
"""

from __future__ import annotations

QUESTIONNAIRE, VERSION, UNIT, UNIT_NAME = "Mã phiếu", "Phiên bản", "Mã đơn vị", "Đơn vị"
GROUP, MODE, FIELD, DATE = "Đối tượng", "Hình thức", "Lĩnh vực", "Ngày"
# The columns before the answers, in order; then one column per question code.
HEAD_COLUMNS = (QUESTIONNAIRE, VERSION, UNIT, UNIT_NAME, GROUP, MODE, FIELD, DATE)
MULTI_SEPARATOR = ";"
DATE_FORMAT = "%d/%m/%Y"
