from tests.conftest import TestAccount
from tests.support.audio import active_spans
from tests.support.callflow import place, outbound_of

def test_pause_gaps(account: TestAccount) -> None:
    gaps = []
    for _ in range(15):
        out = outbound_of(account, place(account, "<Response><Play digits='1'/><Pause length='2'/><Play digits='2'/></Response>"))
        (a, b), (c, d) = active_spans(out, 8000)
        gaps.append(round(c - b, 3))
    print("GAPS", gaps)
