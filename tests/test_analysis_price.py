"""Price mentions: the trained detector on the cases that used to fail, kinds, context, the data
it learns from, and its scores on industries and sentences it never saw."""
import numpy as np
import pytest

from analysis.labelled_data import (
    PRICE_AFTER_TRAINING,
    detect_rows,
    load_price_rows,
    score_price,
    spoken_style,
)
from analysis import price
from analysis.price import PRICE_KINDS, load_price_detector

pytestmark = pytest.mark.slow  # loads the sentence encoder and the heads

# Measured with the committed detector (the head and the fine-tuned encoder; analysis/data/README.md),
# roles known as in a call after seller identification: held-out industries 0.988 as written and in
# ASR style (0.951 with the role unknown: the role-unknown copy of the training data keeps the buyer's
# own prices said per hour, head or night as negatives, which costs the seller's per-hour quotes of
# the held-out industries). The eight sets written after earlier heads are trained on since, so these
# floors only guard them as training data. The ninth and tenth (not trained on: 0.963 and 0.968 now)
# and the eleventh (blind until scored once by this detector: 0.979, 0.969 with the role unknown;
# the head alone 0.954 / 0.929; 0.984 since the encoder reads fewer utterances) are the honest estimates.
MIN_F1 = 0.98
MIN_F1_ROLE_UNKNOWN = 0.945  # scored 0.951; as in ``classify`` without --role
AFTER_TRAINING_MIN_F1 = {"price_after_training": 0.99, "price_after_training2": 0.97, "price_after_training3": 0.98,
                         "price_after_training4": 0.98, "price_after_training5": 0.99,
                         "price_after_training6": 0.99, "price_after_training7": 0.98,
                         "price_after_training8": 0.99, "price_after_training9": 0.95,
                         "price_after_training10": 0.96, "price_after_training11": 0.97}

# Said in calls and missed by the old regular expressions.
MISSES = [
    ("so what would something like this run us per year?", "ask", None),
    ("ballpark, what are we looking at cost wise?", "ask", None),
    ("do you have a number in mind for what you'd want to spend?", "ask", None),
    ("have you put any money aside for this yet?", "ask", None),
    ("the enterprise licence is a flat hundred thousand a year", "quote", 100_000),
    ("that's one point two million over the three-year term", "quote", 1_200_000),
    ("the first ninety days are free, then it's the standard rate", "discount", None),
    ("our renewal went up to sixty thousand this year", "current_spend", 60_000),
    # A yearly price said as a pair is in thousands; a per-order one in dollars and cents.
    ("for all four depots the platform is about one eighty a year", "quote", 180_000),
    ("fulfilment is one twenty per order", "quote", 1.2),
]
# Said in calls and taken for price by the old regular expressions.
FALSE_ALARMS = [
    "last winter it cost us a big retail account",
    "fuel prices went through the roof this quarter",
    "our customers are very price sensitive",
    "our agents quote policies all day",
    "the price field in your catalog syncs to every channel",
    "the premium tier includes single sign-on",
    "It will lower your inventory costs.",
    "What does a stockout cost you?",
    "it'll save you fifty thousand dollars a year",
    "we have over twelve thousand vetted carriers on the platform",
    "how many employees are you planning to add this year",
    # What the buyer sells its own customers for.
    "we sell our units at nine hundred each to the dealers",
]


@pytest.fixture(scope="module")
def detector():
    return load_price_detector()


@pytest.mark.parametrize("style", [str, spoken_style], ids=["as written", "asr style"])
@pytest.mark.parametrize("text,kind,amount", MISSES)
def test_price_talk_the_old_detector_missed(detector, text, kind, amount, style):
    [hit] = detector.detect([style(text)])
    assert hit is not None and hit.kind == kind, (style(text), hit)
    assert hit.amount == amount


@pytest.mark.parametrize("style", [str, spoken_style], ids=["as written", "asr style"])
@pytest.mark.parametrize("text", FALSE_ALARMS)
def test_look_alikes_are_not_price(detector, text, style):
    assert detector.detect([style(text)]) == [None]


def test_whisper_slips_still_read_as_price(detector):
    ask, quote = detector.detect(["whats the price on the enter price plan", "it's around for the thousand dollars a year"])
    assert ask is not None and ask.kind == "ask"
    assert quote is not None and quote.kind == "quote" and quote.amount == 40_000


def test_an_answer_reads_the_price_question_before_it(detector):
    question, answer = detector.detect_turns(
        ["what would the smaller package run us annually", "probably around forty for the year"], ["B", "S"]
    )
    assert question.kind == "ask"
    assert answer is not None and answer.kind == "quote" and (answer.amount, answer.period) == (40, "year")


# Said the same way, read by who says it (seller identification has run).
BY_ROLE = [
    ("a standard pitch at the farm campsite is thirty two pounds a night", "buyer", None),
    ("a full valet here is sixty five and most people add the wax", "buyer", None),
    ("for both depots you'd be at three hundred and ten a month", "seller", "quote"),
    ("the rostering tool costs us about eighty five a month", "buyer", "current_spend"),
    ("our current contract is nine thousand a year for the dispatch side", "buyer", "current_spend"),
    ("what could you take off if we signed for both clinics", "buyer", "discount"),
    # Round 7: what the buyer is on and pays, a plan's monthly price asked, a rate for a season,
    # a lower price offered with "I'll do it for", a feature you "don't pay more for".
    ("we're on an old till system and pay about forty a month for it", "buyer", "current_spend"),
    ("what's the two-site plan a month", "buyer", "ask"),
    ("is there an off-peak rate for the winter months", "buyer", "discount"),
    ("I'll do it for fifty a month if you sign for the year", "seller", "discount"),
    ("the reports come with it, you don't pay more for them", "seller", None),
]


@pytest.mark.parametrize("text,role,kind", BY_ROLE)
def test_the_speakers_role_is_read(detector, text, role, kind):
    [hit] = detector.detect_turns([text], None, [role])
    assert (hit.kind if hit else None) == kind, hit


def test_an_unknown_role_reads_the_words_alone(detector):
    texts = [t for t, _, _ in BY_ROLE]
    assert detector.detect_turns(texts, None, ["unknown"] * len(texts)) == detector.detect(texts)


def test_an_amount_after_the_buyer_describes_its_own_business_is_its_own_price(detector):
    """Whose price an amount is shows in the turns before it, even with the roles unknown."""
    _, own = detector.detect_turns(["we're a small garage, three bays and mostly regulars", "an mot is fifty four"], ["B", "B"])
    assert own is None
    _, answer = detector.detect_turns(["what do your customers usually go for", "most book the sixty minute massage at ninety"],
                                      ["S", "B"])
    assert answer is None
    _, quote = detector.detect_turns(["what would the booking module cost us", "it's ninety a month for one site"], ["B", "S"])
    assert quote is not None and quote.kind == "quote" and quote.amount == 90


def test_the_call_remembers_that_the_buyer_described_its_own_business(detector, monkeypatch):
    """Turns after the buyer described its business, its plain prices are still its own; what it
    pays today, and the seller's quote, are still price talk. Without the description, the same
    plain price reads as a quote. The head's memory, read alone: the fine-tuned encoder takes a
    buyer's plain yearly price for its own price either way."""
    monkeypatch.setattr(price, "ENCODER_SHARE", 0.0)

    def call(opening: str) -> list:
        texts = [opening, "and how are you taking bookings today", "just a paper diary and the phone",
                 "got it, that's really common for shops your size", "the yearly plan is two hundred and forty",
                 "the card reader we have now is twenty a month", "the booking app would be forty a month for the shop"]
        speakers = ["B", "S", "B", "S", "B", "B", "S"]
        return detector.detect_turns(texts, speakers, ["buyer" if s == "B" else "seller" for s in speakers])

    hits = call("we're a small bike repair shop, two mechanics and a lot of commuters")
    assert hits[4] is None
    assert hits[5] is not None and hits[5].kind == "current_spend" and hits[5].amount == 20
    assert hits[6] is not None and hits[6].kind == "quote" and hits[6].amount == 40
    assert call("hi, thanks for making the time today")[4] is not None


JUDGING_REPLIES = ["hmm that's a lot for a practice our size", "yeah one eighty works for us",
                   "That's more than I was expecting, to be honest."]
OTHER_TOPIC_REPLIES = ["ok and does it sync with our accounts package", "we're open six days a week",
                       "Got it. Can the receptionists use it on their phones?"]


@pytest.mark.parametrize("roles", [["seller", "buyer"], None], ids=["roles known", "roles unknown"])
def test_a_reply_judging_the_other_partys_quote_is_price_talk(detector, roles):
    """A reply right after the other party's quote that names or judges the figure reacts to the
    price (a quote); a reply that changes the subject is no price talk."""
    quote = "so for the three branches that comes to a hundred and eighty a month"
    for reply in JUDGING_REPLIES:
        _, hit = detector.detect_turns([quote, reply], ["S", "B"], roles)
        assert hit is not None and hit.kind == "quote", reply
    for reply in OTHER_TOPIC_REPLIES:
        assert detector.detect_turns([quote, reply], ["S", "B"], roles)[1] is None, reply


def test_the_same_reply_after_other_talk_is_no_price(detector):
    hits = detector.detect_turns(["the app has a dark mode for the night shift", JUDGING_REPLIES[0]], ["S", "B"],
                                 ["seller", "buyer"])
    assert hits == [None, None]


def test_we_charge_is_the_buyers_policy_and_the_sellers_quote(detector):
    policy, quote = detector.detect_turns(
        ["we charge a twenty pound deposit to hold a saturday booking", "we charge two percent per card payment and nothing monthly"],
        None, ["buyer", "seller"])
    assert policy is None
    assert quote is not None and quote.kind == "quote"


def test_a_feature_that_is_free_is_no_discount_unless_it_is_this_deal(detector):
    feature, deal = detector.detect_turns(
        ["patients can rebook from the reminder text at no charge to them", "we'll waive the setup fee if you sign this month"],
        None, ["seller", "seller"])
    assert feature is None
    assert deal is not None and deal.kind == "discount"


def test_a_lower_price_offered_for_the_deal_is_a_discount(detector):
    texts = ["we could do twelve a lock if you put all three sites on it", "sign this week and the licence is fourteen hundred instead"]
    hits = detector.detect_turns(texts, None, ["seller", "seller"])
    assert [(h.kind, h.amount) if h else None for h in hits] == [("discount", 12), ("discount", 1400)]


def test_the_buyers_own_commission_and_label_rules_are_no_price(detector):
    texts = ["we take fifteen percent commission off the instructors", "the price per litre has to show on every pump"]
    assert detector.detect_turns(texts, None, ["buyer", "buyer"]) == [None, None]


def test_a_bare_yearly_amount_takes_the_thousands_said_before_it_in_the_call(detector):
    quote, _, later = detector.detect_turns(
        ["it's forty eight thousand dollars a year for all four sites", "that's more than we planned",
         "I can do forty five for the first year if you sign by June"], ["S", "B", "S"], ["seller", "buyer", "seller"])
    assert quote.amount == 48_000 and later is not None and later.amount == 45_000
    [alone] = detector.detect(["I can do forty five for the first year if you sign by June"])
    assert alone is not None and alone.amount == 45


def test_a_number_answering_another_question_is_no_price(detector):
    _, answer = detector.detect_turns(["how many loads do you move a week", "about four hundred a week"], ["S", "B"])
    assert answer is None


def test_a_hit_carries_kind_confidence_cue_and_amount(detector):
    hit = detector.detect(["For a team your size it is sixty dollars a seat per month, billed annually."])[0]
    assert hit.kind == "quote" and 0.5 < hit.confidence <= 1.0
    assert hit.cue == "sixty dollars"
    assert (hit.amount, hit.currency, hit.period, hit.unit) == (60, "USD", "month", "seat")
    discount = detector.detect(["if you sign this month we'll take ten percent off"])[0]
    assert discount.kind == "discount" and discount.amount is None and "percent off" in discount.cue


def test_deterministic_and_batch_independent(detector):
    texts = [r.text for r in load_price_rows(split="heldout")[:60]]
    one = detector.detect(texts)
    again = detector.detect(list(reversed(texts)))[::-1]
    assert one == again
    assert detector.detect([]) == []


def test_dataset_is_large_varied_and_hard():
    rows = load_price_rows()
    train = [r for r in rows if r.split == "train"]
    heldout = [r for r in rows if r.split == "heldout"]
    assert len(rows) >= 1500 and len({r.industry for r in rows}) >= 20
    assert not {r.industry for r in train} & {r.industry for r in heldout}, "held-out industries must be unseen"
    hard = [r for r in rows if not r.price and r.trap is not None]
    assert len(hard) >= 0.4 * len(rows)
    assert {r.trap for r in hard} >= {"problem_cost", "value_claim", "market_price", "jargon", "tier_name", "count_or_duration"}
    for role in ("seller", "buyer"):
        assert {r.kind for r in rows if r.role == role and r.price} == set(PRICE_KINDS)
    assert {r.style for r in rows} == {"clean", "asr"} and sum(r.context is not None for r in rows) >= 50


@pytest.mark.parametrize("style", [str, spoken_style], ids=["as written", "asr style"])
def test_heldout_industries(detector, style):
    rows = load_price_rows(split="heldout")
    assert score_price(rows, detect_rows(detector, rows, style)).f1 >= MIN_F1


@pytest.mark.parametrize("style", [str, spoken_style], ids=["as written", "asr style"])
def test_heldout_industries_with_the_role_unknown(detector, style):
    rows = load_price_rows(split="heldout")
    assert score_price(rows, detect_rows(detector, rows, style, with_roles=False)).f1 >= MIN_F1_ROLE_UNKNOWN


@pytest.mark.parametrize("name", sorted(AFTER_TRAINING_MIN_F1))
def test_sentences_written_after_training(detector, name):
    rows = load_price_rows(PRICE_AFTER_TRAINING[name])
    assert score_price(rows, detect_rows(detector, rows)).f1 >= AFTER_TRAINING_MIN_F1[name]


def test_head_matches_the_features(detector):
    assert detector.weights.shape[0] == len(PRICE_KINDS) + 1
    assert np.isfinite(detector.weights).all() and 0.0 < detector.threshold < 1.0
    assert set(detector.role_thresholds) == {"seller", "buyer"} and all(0.0 < t < 1.0 for t in detector.role_thresholds.values())
