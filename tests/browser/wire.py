"""What a page costs a phone: bytes on the wire, requests, statuses and first paint, seen by Chromium.

Shared by the browser tests and ``bench/page_weight.py``. Chromium's DevTools protocol counts
every byte a response takes on the wire (headers and the body as sent, compressed or not)
and slows the network down on demand (``Network.emulateNetworkConditions``).
"""

from __future__ import annotations

from dataclasses import dataclass

# WebPageTest's "3G Slow" profile: 400 kbit/s each way, 400 ms of latency on every request.
# (DevTools' own "Slow 3G" preset adds 2,000 ms to every request, so that no page can paint in
# under 2 s there; bench/README.md gives the figures under both.)
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
DEVTOOLS_SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 50_000, "uploadThroughput": 50_000}


@dataclass(frozen=True)
class PageLoad:
    """One load of a page with an empty cache: what went over the wire, and when it first painted."""

    wire_bytes: int
    statuses: dict[str, int]
    first_paint_ms: float

    @property
    def requests(self) -> int:
        """How many requests the page made (the page, its stylesheet, its icon...)."""
        return len(self.statuses)


def load_page(page, url: str, conditions: dict[str, object] | None = None) -> PageLoad:
    """Open ``url`` in ``page`` with an empty cache, on a network slowed to ``conditions`` if given.

    Counts until the load event and the favicon's answer, which Chromium asks for after it.
    """
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if conditions:
        cdp.send("Network.emulateNetworkConditions", conditions)
    urls: dict[str, str] = {}
    statuses: dict[str, int] = {}
    sizes: dict[str, int] = {}
    cdp.on("Network.requestWillBeSent", lambda event: urls.__setitem__(event["requestId"], event["request"]["url"]))
    cdp.on(
        "Network.responseReceived",
        lambda event: statuses.__setitem__(event["response"]["url"], event["response"]["status"]),
    )
    cdp.on("Network.loadingFinished", lambda event: sizes.__setitem__(event["requestId"], event["encodedDataLength"]))
    page.goto(url, wait_until="load")
    # (Evaluated through the protocol: the page's CSP forbids eval, so no wait_for_function.)
    first_paint = page.evaluate(
        """() => new Promise(resolve => new PerformanceObserver(
            list => resolve(Math.min(...list.getEntries().map(entry => entry.startTime)))
        ).observe({type: "paint", buffered: true}))"""
    )
    # The icon is fetched after the load event, and only once per host: give it its moment.
    page.wait_for_timeout(400 + int(conditions["latency"]) if conditions else 300)
    cdp.detach()
    return PageLoad(wire_bytes=sum(sizes.values()), statuses=dict(statuses), first_paint_ms=first_paint)
