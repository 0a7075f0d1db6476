"""One count of collected forms: the surveyor's page, the officer's pages and the payment sheet agree.

Reproduces issue 15: for a unit whose quota covers only citizens, the surveyor's page said
"Chỉ tiêu 30 · đã thu 24 · còn thiếu 23" (24 counted every form, 23 only citizens') without
naming the group, while the officer's progress table and QR table gave other figures.
"""

from __future__ import annotations

import pytest

from surveyapp.extensions import db
from surveyapp.models import QuotaPolicy
from tests.helpers import filled_form, submit
from tests.web.test_quotas import set_quota

CITIZENS = "Người dân có giao dịch với UBND cấp xã"


@pytest.fixture
def mixed_forms(client, auth, surveyor, make_campaign, ward):
    """CX4 over the ward's groups, a quota of 30 citizens per group; 7 citizens' and 17
    businesses' forms typed in for Tổ dân phố 1 by its surveyor (logged in)."""
    campaign = make_campaign(["CX4"], [*ward.children])
    set_quota(campaign, "CX4", 30, QuotaPolicy.FLAG_EXCESS, group="citizen")
    definition = campaign.questionnaires[0].definition
    auth.login("dtv1")
    url = f"/field/enter/{campaign.id}/CX4/21172-T01"
    for group, count in (("citizen", 7), ("business", 17)):
        for _ in range(count):
            sent = submit(client, url, {**filled_form(definition), "respondent_group": group, "mode": "paper"})
            assert sent.status_code == 302
    return campaign


def _row(html: str, after: str) -> str:
    return html.split(after, 1)[1].split("</tr>", 1)[0]


def test_the_surveyor_sees_the_group_the_quota_covers_and_figures_that_add_up(client, mixed_forms) -> None:
    html = client.get("/field/").get_data(as_text=True)

    assert f"CX4: chỉ tiêu chỉ tính nhóm {CITIZENS} (+17 ngoài chỉ tiêu)" in html
    assert "7/30 · thiếu 23" in html
    assert 'value="7" max="30"' in html


def test_the_officer_sees_the_same_collected_count_in_every_table(client, auth, officer, mixed_forms) -> None:
    auth.login("canbo")
    html = client.get(f"/admin/campaigns/{mixed_forms.id}").get_data(as_text=True)

    progress = _row(html, '<td class="depth-1">Tổ dân phố 1</td>')
    assert [cell.split("</td>")[0] for cell in progress.split('<td class="num">')[1:]] == ["30", "7", "23", "0", "17"]
    assert f"Chỉ tiêu của mẫu phiếu CX4 chỉ tính nhóm {CITIZENS}." in html
    qr = _row(html, '<td class="point-unit">Tổ dân phố 1</td>')
    assert f'>7 <span class="hint">(nhóm {CITIZENS})</span>' in qr and "+17 ngoài chỉ tiêu" in qr
    counts = _row(html, "<tr><td>Tổ dân phố 1</td>")
    assert counts.count('<td class="num">7</td>') == 2 and '<td class="num">17</td>' in counts
    assert "24 phiếu" in html, "the campaign's total still counts every form stored"


def test_the_payment_sheet_pays_every_form_stored(client, auth, officer, mixed_forms) -> None:
    mixed_forms.rate_per_form = 10_000
    db.session.commit()
    auth.login("canbo")
    html = client.get(f"/admin/campaigns/{mixed_forms.id}/remuneration").get_data(as_text=True)
    assert "240.000" in html
