"""The results charts read on a phone and on a desktop: full labels, text of 12 px or more.

The bar charts were SVG drawings scaled to the page's width: at 360 px their text was about
6 px, and on a desktop long unit names were cut to 30 characters.
"""

from __future__ import annotations

from surveyapp.extensions import db
from surveyapp.models import Unit
from tests.browser.conftest import log_in, save_screenshot
from tests.helpers import filled_form, submit

LONG_NAME = "Bộ phận Tiếp nhận và Trả kết quả của Ủy ban nhân dân phường Trương Quang Trọng"

# Every piece of text drawn in a chart: its rendered font size (an SVG's own scaling
# included), its box, and whether its element hides an overflow.
CHART_TEXT = """() => {
  const found = [];
  for (const figure of document.querySelectorAll("figure.chart")) {
    const frame = figure.getBoundingClientRect();
    const walker = document.createTreeWalker(figure, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode, element = node.parentElement;
      if (!node.textContent.trim() || element.closest("title, desc")) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const box = range.getBoundingClientRect();
      let size = parseFloat(getComputedStyle(element).fontSize);
      if (element instanceof SVGElement) size *= element.getScreenCTM().a;
      found.push({text: node.textContent.trim(), size, left: box.left, right: box.right,
                  inside: box.left >= frame.left - 1 && box.right <= frame.right + 1,
                  hidden: element.scrollWidth > element.clientWidth + 1
                          && getComputedStyle(element).overflow !== "visible"});
    }
  }
  return found;
}"""


def test_chart_labels_are_whole_and_at_least_12_px_on_a_phone_and_a_desktop(
    live_server, screen, device, client, officer, make_campaign, ward
) -> None:
    office = Unit(code="21172-BP", name=LONG_NAME, kind="phường")
    db.session.add(office)
    db.session.commit()
    campaign = make_campaign(["SIPAS-2017"], [ward, office])
    definition = campaign.questionnaires[0].definition
    for unit_code in ("21172", "21172-BP"):
        for choice in (-1, 0):
            assert submit(client, f"/r/{campaign.id}/SIPAS-2017/{unit_code}", filled_form(definition, choice=choice))
    log_in(screen, live_server, "canbo")
    screen.goto(f"{live_server}/admin/campaigns/{campaign.id}/results")

    texts = screen.evaluate(CHART_TEXT)
    width = screen.viewport_size["width"]
    save_screenshot(screen, f"results-charts-{device}")

    assert LONG_NAME in [t["text"] for t in texts], "the unit's whole name labels its bar"
    assert not [t["text"] for t in texts if t["text"].endswith("…")]
    assert min(t["size"] for t in texts) >= 12, [(t["text"], round(t["size"], 1)) for t in texts if t["size"] < 12]
    clipped = [t["text"] for t in texts if t["hidden"] or not t["inside"] or t["left"] < 0 or t["right"] > width]
    assert not clipped
