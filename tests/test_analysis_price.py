"""Price mentions: amounts in digits and words, pricing words, and the traps."""
import pytest

from analysis.price import detect_price

AMOUNTS = [
    ("The enterprise tier is $25,000 a year.", 25000, "USD", "year"),
    ("we can do 25k", 25000, None, None),
    ("we could do it for 12k", 12000, None, None),
    ("that comes to twenty five thousand dollars", 25000, "USD", None),
    ("it's sixty dollars a seat per month", 60, "USD", "month"),
    ("forty thousand dollars a year", 40000, "USD", "year"),
    ("Pricing is two fifty per truck per month.", 250, None, "month"),
    ("Each location would be one forty nine a month.", 149, None, "month"),
    ("With the multi-year discount you'd be at a hundred and twenty thousand.", 120000, None, None),
    ("We can offer a fixed rate of nine point two cents per kilowatt hour.", 0.092, "USD", "hour"),
    ("you'd be looking at around ninety thousand pounds per annum", 90000, "GBP", "year"),
    ("It's about eighty quid per store per month.", 80, "GBP", "month"),
    ("The licence would run you three hundred and fifty thousand euros a year.", 350000, "EUR", "year"),
    ("It's a flat fee of two pounds fifty per application.", 2.5, "GBP", None),
    ("Annual licence is sixty thousand for all three sites.", 60000, None, "year"),
    ("€1.5m over three years", 1500000, "EUR", None),
]
CUES = [
    ("What budget have you set aside for this project?", "budget"),
    ("How much does it cost?", "how much does it cost"),
    ("I can offer you a ten percent discount if you sign this month.", "discount"),
    ("I'll have the quote ready by Thursday.", "quote"),
    ("What does your current contract cost you per month?", "contract cost"),
    ("is it expensive", "expensive"),
    ("what's the licence fee", "licence fee"),
    ("can you walk me through your pricing", "pricing"),
    ("That is more than we pay for our current system.", "than we pay for"),
    ("Fifty thousand is reasonable, given the engineer time.", "fifty thousand is reasonable"),
]
NOT_PRICE = [
    "It will lower your inventory costs.",
    "What does a stockout cost you?",
    "what does it cost you when a delivery shows up short",
    "each stockout costs us about twenty thousand dollars",
    "it'll save you fifty thousand dollars a year",
    "we lose about five grand a day when the line is down",
    "we have over twelve thousand vetted carriers on the platform",
    "Our uptime last year was ninety nine point nine nine percent.",
    "how many employees are you planning to add this year",
    "What's the fallout when a project goes over budget?",
    "What have you tried so far to reduce detention fees?",
    "What if your brokers could quote in ninety seconds flat?",
    "We stop ransomware before encryption starts, with a million dollar warranty.",
    "Our revenue is 50 million a year",
    "seven days a week",
    "five thousand is the number of trucks we run",
    "we ship 20k orders a month",
    "",
]


@pytest.mark.parametrize("text,amount,currency,period", AMOUNTS)
def test_amounts(text, amount, currency, period):
    hit = detect_price(text)
    assert hit is not None
    assert hit.amount == pytest.approx(amount)
    assert (hit.currency, hit.period) == (currency, period)


@pytest.mark.parametrize("text,cue", CUES)
def test_pricing_words(text, cue):
    hit = detect_price(text)
    assert hit is not None and cue in hit.cue


@pytest.mark.parametrize("text", NOT_PRICE)
def test_value_claims_and_problem_costs_are_not_price(text):
    assert detect_price(text) is None
