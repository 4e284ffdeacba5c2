"""Money amounts said and written: price-parser and text2num plus the cases neither covers."""
import pytest

from analysis.amounts import best_amount, find_amounts, in_call_scale

WRITTEN = [
    ("The enterprise tier is $25,000 a year.", 25000, "USD", "year", None),
    ("it's €18,000 for the first year", 18000, "EUR", "year", None),
    ("the mailer is £7.50 each", 7.5, "GBP", None, None),
    ("€1.5m over three years", 1_500_000, "EUR", "term", None),
    ("$1.2 million over the life of the contract", 1_200_000, "USD", "term", None),
    ("it's $99 per month per seat", 99, "USD", "month", "seat"),
    ("we could do it for 12k", 12000, None, None, None),
    ("That's $45,000, per year.", 45000, "USD", "year", None),
    ("USD 500 per month", 500, "USD", "month", None),
    # Older tools joined Whisper's tokens with spaces.
    ("It's $30 ,000 a year", 30000, "USD", "year", None),
    # A price written as one hyphenated word.
    ("we're on a $45-a-month tracker", 45, "USD", "month", None),
]
SPOKEN = [
    ("thirty thousand dollars a year", 30000, "USD", "year", None),
    ("it's sixty dollars a seat per month", 60, "USD", "month", "seat"),
    ("you'd be looking at around ninety thousand pounds per annum", 90000, "GBP", "year", None),
    ("The licence would run you three hundred and fifty thousand euros a year.", 350000, "EUR", "year", None),
    ("With the multi-year discount you'd be at a hundred and twenty thousand.", 120000, None, None, None),
    ("the enterprise licence is a flat hundred thousand a year", 100000, None, "year", None),
    ("It's about eighty quid per store per month.", 80, "GBP", "month", "store"),
    ("it's a one-time setup fee of five thousand dollars", 5000, "USD", "one_time", None),
    ("For three sites, plan on about fifty thousand dollars in the first year.", 50000, "USD", "year", None),
    ("it's forty thousand australian dollars", 40000, "AUD", None, None),
    ("we'd charge three cents a minute", 0.03, "USD", "minute", None),
    ("We can offer a fixed rate of nine point two cents per kilowatt hour.", 0.092, "USD", None, "kilowatt hour"),
    ("Annual licence is sixty thousand for all three sites.", 60000, None, "year", None),
]
# What neither library reads, each with its own rule in analysis/amounts.py.
OWN_RULES = [
    ("twelve k", 12000, None, None, None),
    ("ten grand a month", 10000, None, "month", None),
    ("a quarter million", 250_000, None, None, None),
    ("half a million dollars", 500_000, "USD", None, None),
    ("two and a half million", 2_500_000, None, None, None),
    ("a couple thousand bucks", 2000, "USD", None, None),
    ("that's one point two million over the three-year term", 1_200_000, None, "term", None),
    ("one point five million", 1_500_000, None, None, None),
    ("one fifty a seat", 150, None, None, "seat"),
    ("Pricing is two fifty per truck per month.", 250, None, "month", "truck"),
    ("Each location would be one forty nine a month.", 149, None, "month", None),
    ("one oh five a month", 105, None, "month", None),
    ("thirty lawyers is twenty six seventy a month", 2670, None, "month", None),
    ("it's nineteen ninety nine a month", 19.99, None, "month", None),
    ("warehouse temps bill at twenty four fifty an hour", 24.5, None, "hour", None),
    ("thirty seven pounds and eighty cents", 37.8, "GBP", None, None),
    ("It's a flat fee of two pounds fifty per application.", 2.5, "GBP", None, "application"),
    ("our renewal went up to sixty thousand this year", 60000, None, "year", None),
    # A yearly figure said as a pair is in thousands; a per-order or per-mile one is in dollars and cents.
    ("we pay about one eighty a year for the current system", 180_000, None, "year", None),
    ("for the whole district it comes to roughly two forty annually", 240_000, None, "year", None),
    ("one twenty per user per year", 120, None, "year", "user"),
    ("pick and pack is one twenty per order", 1.2, None, None, "order"),
    ("we'd run that lane at two ten a mile", 2.1, None, None, "mile"),
    ("after hours work is billed at one fifty an hour", 150, None, "hour", None),
    # A pair that ends its clause after a price word; thousands followed by a pair.
    ("delivery and pickup is a flat three fifty", 350, None, None, None),
    ("each terminal is a one-time one ninety-nine", 199, None, "one_time", None),
    ("twenty vans comes to nine thousand seven eighty a month", 9780, None, "month", None),
    ("a dollar forty a door", 1.4, "USD", None, "door"),
    ("It's a dollar fifty per unit per month.", 1.5, "USD", "month", "unit"),
    # Words after an amount that do not make it a count of something.
    ("all in you'd be at a quarter million across the three years of the contract", 250_000, None, "term", None),
    ("we have about a hundred thousand set aside", 100_000, None, None, None),
    ("we paid sixty thousand last year", 60_000, None, "year", None),
    ("kitting out each van is about eighteen hundred fitted", 1800, None, None, None),
    ("the reader is forty nine once and then one point four percent per tap", 49, None, None, None),
    # A pair said as what something is or comes to, with nothing after it that says money.
    ("so the table licence and the install, that's five seventy in the first month", 570, None, None, None),
    ("for both sites it's two forty", 240, None, None, None),
    ("two sixty is fine, that's less than I was expecting", 260, None, None, None),
    ("can you do five hundred, we're a charity", 500, None, None, None),
    ("we have about eight grand budgeted for this", 8000, None, None, None),
    # Whisper's slip for "forty thousand", in both of the forms it writes.
    ("would be around for the thousand dollar a year including onboarding", 40000, "USD", "year", None),
    ("would be around for the $1,000 a year, including onboarding.", 40000, "USD", "year", None),
]


@pytest.mark.parametrize("text,value,currency,period,unit", WRITTEN + SPOKEN + OWN_RULES)
def test_the_amount_of_a_price(text, value, currency, period, unit):
    amount = best_amount(find_amounts(text))
    assert amount is not None, text
    assert amount.value == pytest.approx(value)
    assert (amount.currency, amount.period, amount.unit) == (currency, period, unit)


@pytest.mark.parametrize("text,low,high", [
    ("between forty and sixty thousand", 40000, 60000),
    ("we'd be somewhere between forty and sixty thousand a year", 40000, 60000),
    ("forty to sixty k", 40000, 60000),
    ("about two to three hundred dollars per user per year", 200, 300),
    ("$40,000-$60,000", 40000, 60000),
])
def test_ranges_say_the_scale_once(text, low, high):
    amount = best_amount(find_amounts(text))
    assert (amount.value, amount.high) == (low, high)


def test_the_amount_with_the_strongest_evidence_wins_over_counts_and_earlier_numbers():
    amount = best_amount(find_amounts("Forty adjusters would be around forty thousand dollars a year, including onboarding."))
    assert (amount.value, amount.currency, amount.period) == (40000, "USD", "year")
    amount = best_amount(find_amounts("It's $25,000 a year for up to 50 trucks, and the premium tier is $30,000."))
    assert amount.value == 25000 and amount.text == "$25,000"


@pytest.mark.parametrize("text,value", [
    ("another $49, so $98 a month in total", 98),
    ("support is three hundred a year, so eighteen hundred in year one", 1800),
    ("endpoints are four dollars each, that's two thousand a month for all of them", 2000),
    ("it's twenty two a month, thirty with the reader all in", 30),
    ("pay for the year and it's nine hundred instead of a thousand and eighty", 900),
    ("we'd do fifteen hundred a month rather than eighteen hundred", 1500),
    ("delivery is free over £50, otherwise it's £4.95", 4.95),
    ("pay for the year and it's one ninety instead of two twenty eight", 190),
    ("four bays is one fifty six a month, so three twelve for both sites", 312),
    ("we'd do the install for nine hundred rather than the usual twelve hundred", 900),
    # What the total covers said between "so" and the figure.
    ("it's nine pounds a user, so for your fifteen staff a hundred and thirty five a month", 135),
    ("forty a site a month, so across the five sites two hundred", 200),
    # A total over units after a unit price in a named currency.
    ("its twenty nine pound a table a month so with six tables a hundred and seventy four", 174),
])
def test_the_amount_a_sentence_lands_on_wins_over_the_ones_before(text, value):
    assert best_amount(find_amounts(text)).value == pytest.approx(value)


def test_a_new_clause_after_so_is_no_total():
    assert best_amount(find_amounts("it's forty a month, so for the setup we charge two hundred once")).value == 40


def test_a_time_is_not_read_as_a_figure():
    assert 230 not in [a.value for a in find_amounts("the call is at two thirty")]


def test_a_smaller_bare_number_after_a_unit_price_is_not_its_total():
    assert best_amount(find_amounts("it's £40 a month, so for five users that's fifteen more than now")).value == 40


@pytest.mark.parametrize("text,value", [("could you do two fifty", 250), ("we could do one eighty if you sign today", 180)])
def test_a_pair_said_as_what_someone_would_do_is_a_figure(text, value):
    assert best_amount(find_amounts(text)).value == value


def test_a_count_after_do_is_no_figure():
    assert 212 not in [a.value for a in find_amounts("we do two twelve hour shifts a week")]


def test_a_bare_total_does_not_replace_a_named_currency():
    assert best_amount(find_amounts("it's $60 a seat so about forty")).value == 60
    assert best_amount(find_amounts("the first visit is $80, then forty")).value == 80


@pytest.mark.parametrize("text", [
    "we have over twelve thousand vetted carriers",
    "About 8 % on our recurring revenue",
    "the price went up twenty percent",
    "its like six and a half percent plus a bit per ticket",
    "they take two and a quarter % of each sale",
    "the first ninety days are free",
    "the renewal is 18 months out",
    "in 2024 we moved offices",
    "we want to be carbon free by twenty thirty",
    "we've used them since nineteen ninety eight",
    "it's 9:30 now",
    "we are three times faster",
    "one of our customers",
    "we run three twelve hour shifts",
    "",
])
def test_counts_durations_percentages_years_and_times_are_no_money(text):
    assert find_amounts(text) == []


def test_evidence_says_how_sure_a_number_is_money():
    kinds = {a.text: a.evidence for a in find_amounts("it's $60 a seat, two fifty a truck, 90k total, or about forty")}
    assert kinds == {"$60": "currency", "two fifty": "rate", "90k": "scaled", "forty": "bare"}


def _said(text: str):
    return best_amount(find_amounts(text))


# A bare yearly amount below 1,000 takes the thousands of the call's earlier yearly amounts.
IN_CALL = [
    # (earlier amounts said in the call, the amount now, value read)
    (["the platform is forty eight thousand dollars a year"], "forty five for the first year", 45_000),
    (["it's $52,000 a year"], "we could do thirty nine for the year", 39_000),
    (["$60,000 over the three year term"], "fifty five over the term", 55_000),
    # A range keeps both ends in the same scale.
    (["around fifty thousand a year"], "somewhere between forty and fifty a year", 40_000),
    # No such context: as said.
    ([], "probably around forty for the year", 40),
    # Earlier amounts of another period, in another scale, or far away stay apart.
    (["it's sixty thousand dollars a month"], "forty five for the first year", 45),
    (["the setup is $2,400 a year"], "forty five for the first year", 45),
    # A currency or a scale word said with it keeps it as said.
    (["forty eight thousand a year"], "forty five dollars for the first year", 45),
    (["forty eight thousand a year"], "four hundred for the year", 400),
    # Not yearly: as said.
    (["forty eight thousand a year"], "forty five a month", 45),
]


@pytest.mark.parametrize("earlier,text,value", IN_CALL)
def test_in_call_scale(earlier, text, value):
    said = []
    for e in earlier:
        said.append(in_call_scale(_said(e), said))
    amount = in_call_scale(_said(text), said)
    assert amount.value == value, (text, amount)


def test_in_call_scale_scales_a_range_and_keeps_the_rest():
    earlier = [_said("around fifty thousand a year")]
    amount = in_call_scale(_said("somewhere between forty and fifty a year"), earlier)
    assert (amount.value, amount.high, amount.period) == (40_000, 50_000, "year")
