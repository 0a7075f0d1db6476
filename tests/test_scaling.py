"""Stateless app servers: two instances on one database serve the same people and data.

Behind a reverse proxy, any request may reach any gunicorn worker on any machine. Sessions
live in signed cookies and all data in the shared database, so a staff member logged in on
one instance is logged in on the other, and what one stores the other shows.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy.pool import NullPool

from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.models import Response
from tests.helpers import filled_form, form_fields_of, submit


@pytest.fixture
def other(app: Flask) -> Iterator[Flask]:
    """A second instance of the service on the same database, as on another machine."""
    shared = {
        key: app.config[key]
        for key in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "PUBLIC_BASE_URL", "TESTING", "FORM_SECONDS_PER_ANSWER")
    }
    # No pool: every connection it opens is closed when its request ends.
    instance = create_app(shared | {"SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": NullPool}})
    yield instance
    with instance.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_session_and_a_submission_from_one_instance_are_seen_by_the_other(
    other, client, auth, officer, make_campaign, ward
):
    campaign = make_campaign(["SIPAS-2017"], [ward])
    definition = campaign.questionnaires[0].definition

    auth.login("canbo")  # on the first instance
    other_client = other.test_client()
    other_client.set_cookie("session", client.get_cookie("session").value)
    assert other_client.get("/admin/").status_code == 200  # logged in there too

    assert submit(client, f"/r/{campaign.id}/SIPAS-2017/{ward.code}", filled_form(definition)).status_code == 302
    with other.app_context():
        assert db.session.query(Response).count() == 1
        db.session.remove()
    page = other_client.get(f"/admin/campaigns/{campaign.id}/results").get_data(as_text=True)
    assert "1 phiếu được tính" in page


def test_a_form_opened_on_one_instance_can_be_sent_to_the_other(other, client, make_campaign, ward):
    campaign = make_campaign(["SIPAS-2017"], [ward])
    url = f"/r/{campaign.id}/SIPAS-2017/{ward.code}"
    html = client.get(url).get_data(as_text=True)
    # No session travels: the form's signed key is all the other instance needs.
    data = {**form_fields_of(html), **filled_form(campaign.questionnaires[0].definition)}
    assert other.test_client().post(url, data=data).status_code == 302
