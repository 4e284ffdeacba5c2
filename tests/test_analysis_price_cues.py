"""Price cue families and the turn context as the head reads them (no model loaded): each rule of
round 7 with the look-alikes it must leave alone."""
import pytest

from analysis.price import FEATURE_NAMES, TurnContext, evidence, with_context


def cue(text: str, family: str) -> str | None:
    return evidence(text).cues.get(family)


@pytest.mark.parametrize("text,family", [
    # What the buyer pays today, said as the tool it is on and what it pays.
    ("we're on the free booking app and pay about twelve a month for texts", "current_spend"),
    ("We use a shared inbox and pay £40 a month for the phone line.", "current_spend"),
    # A price written as one hyphenated word reads like the words it stands for.
    ("we're on paper job cards and a $45-a-month tracker", "current_spend"),
    # A plan's price per month or user asked without a price word.
    ("What's the Growth package a month?", "price_question"),
    ("and what would the team plan be per user", "price_question"),
    # A rate for a kind of customer or season, asked for.
    ("is there a student price for our trainees", "discount"),
    ("Do you have an off-peak rate?", "discount"),
    # A lower price offered, "I'll do it for ...", also per month.
    ("ill do it for thirty a month if you sign today", "discount"),
    # How a figure just heard lands.
    ("hmm that's a lot for a salon our size", "reaction"),
    ("yeah eighty works for us", "reaction"),
    ("That's more than I thought, honestly.", "reaction"),
    ("a bit steep for a team of four", "reaction"),
])
def test_round_seven_cues(text, family):
    assert cue(text, family) is not None, evidence(text).cues


@pytest.mark.parametrize("text,family", [
    ("we're on the ring road and pay the drivers every friday", "current_spend"),
    ("we're on the high street and have two chairs", "current_spend"),
    ("what's the team plan got that the basic one hasn't", "price_question"),
    ("what's included in the pro plan", "price_question"),
    ("is there a day rate for the install engineer", "discount"),
    ("we do a family rate on sundays", "discount"),
    ("we could do three months on the pilot", "discount"),
    ("we'll do two visits a year", "discount"),
    ("that's a lot of features we'd never use", "reaction"),
    ("the tuesday slot works best", "reaction"),
])
def test_round_seven_look_alikes(text, family):
    assert cue(text, family) is None, evidence(text).cues


def test_a_feature_you_dont_pay_more_for_is_included_but_what_we_pay_is_spend():
    assert cue("the second login comes with it, you don't pay more for that", "included_feature") is not None
    spend = evidence("we don't pay more than sixty a month for the current tool")
    assert "included_feature" not in spend.cues and "current_spend" in spend.cues


def _features(text: str, context: TurnContext) -> dict[str, float]:
    row = with_context(evidence(text), context)
    return {name: float(row[FEATURE_NAMES.index(name)])
            for name in ("after_other_quote", "after_other_quote_with_amount", "after_other_quote_judged")}


def test_a_reply_reads_how_surely_the_other_party_quoted():
    quoted = TurnContext(quoted=0.8)
    assert _features("yeah ninety works for us", quoted) == pytest.approx(
        {"after_other_quote": 0.8, "after_other_quote_with_amount": 0.8, "after_other_quote_judged": 0.8})
    assert _features("hmm that's a lot for a salon our size", quoted) == pytest.approx(
        {"after_other_quote": 0.8, "after_other_quote_with_amount": 0.0, "after_other_quote_judged": 0.8})
    assert _features("ok and does it sync with our accounts", quoted) == pytest.approx(
        {"after_other_quote": 0.8, "after_other_quote_with_amount": 0.0, "after_other_quote_judged": 0.0})
    assert set(_features("yeah ninety works for us", TurnContext(asked=0.9)).values()) == {0.0}
    assert TurnContext(quoted=0.5) and not TurnContext()
