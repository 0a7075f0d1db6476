"""AGPL-3.0 section 13: a deployment that sets SOURCE_URL offers its source on every page."""

from __future__ import annotations

from surveyapp.kept_pages import EXTENSION_KEY as KEPT_PAGES

SOURCE = "https://git.example.gov.vn/surveyapp"


def test_every_page_links_the_source_when_it_is_set(app, client, make_campaign, ward) -> None:
    campaign = make_campaign(["SIPAS-2017"], [ward])
    pages = ["/login", f"/r/{campaign.id}/SIPAS-2017/{ward.code}"]
    assert all(SOURCE not in client.get(page).get_data(as_text=True) for page in pages)
    app.config["SOURCE_URL"] = SOURCE
    # A deployment sets it before it starts; here the workers' kept pages are dropped as a restart would.
    app.extensions.pop(KEPT_PAGES, None)
    for page in pages:
        html = client.get(page).get_data(as_text=True)
        assert f'<a href="{SOURCE}">Mã nguồn (giấy phép AGPL-3.0)</a>' in html, page
