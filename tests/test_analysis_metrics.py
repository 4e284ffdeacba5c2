"""Per-call metrics on hand-computed calls, and their edge cases."""
from dataclasses import replace

import pytest

from analysis.metrics import compute_metrics, longest_run_span, union_length
from analysis.types import BUYER, SELLER, CallMetrics, LabelledUtterance, PriceMention
from transcription.types import Word


def utt(idx, speaker, start, end, *, role=None, label=None, kind=None, question=False, n_words=3, price=False,
        words=()):
    if role is None:
        role = SELLER if speaker == "S" else BUYER if speaker == "B" else None
    return LabelledUtterance(
        idx=idx, speaker=speaker, role=role, start=start, end=end, text=" ".join(["word"] * n_words),
        label=label if role == SELLER else None, label_confidence=0.9 if role == SELLER else None,
        cues=(), is_question=question, price_mention=price, words=tuple(words),
        push_kind=kind, push_kind_confidence=None if kind is None else 0.8,
    )


def mention(u: LabelledUtterance) -> PriceMention:
    return PriceMention(utterance_idx=u.idx, start=u.start, speaker=u.speaker, role=u.role, text=u.text, cue="price",
                        kind="ask" if u.is_question else "quote")


# Seller S and buyer B; u2 overlaps u1 (starts 0.5 s before the buyer stops), u5 is a 0.5 s
# backchannel that does not break the seller's monologue u4..u6.
CALL = [
    utt(0, "S", 0.0, 10.0, label="other", n_words=20),
    utt(1, "B", 12.0, 20.0, question=True),
    utt(2, "S", 19.5, 30.0, label="discovery", question=True, n_words=10),
    utt(3, "B", 29.0, 40.0),
    utt(4, "S", 41.0, 50.0, label="product_push", kind="usage", n_words=15),
    utt(5, "B", 50.2, 50.7),
    utt(6, "S", 51.0, 60.0, label="product_push", kind="feature", n_words=15, price=True),
    utt(7, "B", 62.0, 70.0, price=True),
]


def test_hand_computed_call():
    m = compute_metrics(CALL, [mention(CALL[6]), mention(CALL[7])], duration_s=100.0)
    # union: [0,10] + [12,40] + [41,50] + [50.2,50.7] + [51,60] + [62,70]
    assert m.speech_s == pytest.approx(10 + 28 + 9 + 0.5 + 9 + 8)
    assert m.n_speakers == 2
    assert m.seller_talk_s == pytest.approx(10 + 10.5 + 9 + 9)
    assert m.buyer_talk_s == pytest.approx(8 + 11 + 0.5 + 8)
    assert m.seller_talk_ratio == pytest.approx(38.5 / 66.0)
    assert (m.seller_turns, m.buyer_turns) == (4, 4)
    assert (m.discovery_turns, m.product_push_turns, m.other_turns) == (1, 2, 1)
    assert m.discovery_share == pytest.approx(1 / 3)
    assert (m.seller_questions, m.buyer_questions) == (1, 1)
    assert m.longest_seller_monologue_s == pytest.approx(60.0 - 41.0)
    assert m.longest_buyer_story_s == pytest.approx(11.0)
    assert m.interactivity == pytest.approx(7 / (64.5 / 60.0))
    assert m.patience_s == pytest.approx((0.0 + 1.0 + 0.3) / 3)
    assert m.first_discovery_s == 19.5
    assert m.first_product_push_s == 41.0
    assert m.pitch_before_discovery is False
    assert m.first_price_s == 51.0
    assert m.first_price_frac == pytest.approx(0.51)
    assert m.first_price_by == SELLER
    assert m.price_mentions == 2
    assert m.price_before_discovery is False
    assert m.seller_wpm == pytest.approx(60 / (38.5 / 60.0))
    assert (m.usage_turns, m.feature_turns) == (1, 1)
    assert m.usage_share == pytest.approx(0.5)
    assert m.feature_before_discovery is False


def test_usage_and_feature_counts_and_share():
    call = [
        utt(0, "S", 0.0, 4.0, label="discovery"),
        utt(1, "S", 5.0, 8.0, label="product_push", kind="feature"),
        utt(2, "B", 9.0, 12.0),
        utt(3, "S", 13.0, 16.0, label="product_push", kind="usage"),
        utt(4, "S", 17.0, 20.0, label="product_push", kind="usage"),
        utt(5, "S", 21.0, 24.0, label="product_push", kind="usage"),
        utt(6, "S", 25.0, 28.0, label="other"),
    ]
    m = compute_metrics(call, [], duration_s=30.0)
    assert (m.product_push_turns, m.usage_turns, m.feature_turns) == (4, 3, 1)
    assert m.usage_share == pytest.approx(3 / 4)
    assert m.feature_before_discovery is False


def test_feature_before_discovery():
    feature_first = [
        utt(0, "S", 0.0, 5.0, label="product_push", kind="feature"),
        utt(1, "B", 6.0, 8.0),
        utt(2, "S", 9.0, 12.0, label="discovery"),
    ]
    m = compute_metrics(feature_first, [], duration_s=20.0)
    assert m.feature_before_discovery is True and m.pitch_before_discovery is True
    assert (m.usage_turns, m.feature_turns, m.usage_share) == (0, 1, 0.0)


def test_a_usage_pitch_before_discovery_is_not_a_feature_first_call():
    call = [
        utt(0, "S", 0.0, 5.0, label="product_push", kind="usage"),
        utt(1, "S", 6.0, 8.0, label="discovery"),
        utt(2, "S", 9.0, 12.0, label="product_push", kind="feature"),
    ]
    m = compute_metrics(call, [], duration_s=20.0)
    assert m.pitch_before_discovery is True
    assert m.feature_before_discovery is False


def test_feature_pitches_without_discovery_count_as_feature_first_but_usage_only_does_not():
    features = [utt(0, "S", 0.0, 5.0, label="product_push", kind="feature"), utt(1, "B", 6.0, 8.0)]
    assert compute_metrics(features, [], duration_s=10.0).feature_before_discovery is True
    usage = [utt(0, "S", 0.0, 5.0, label="product_push", kind="usage"), utt(1, "B", 6.0, 8.0)]
    m = compute_metrics(usage, [], duration_s=10.0)
    assert m.feature_before_discovery is False and m.pitch_before_discovery is True
    assert m.usage_share == 1.0


def test_a_feature_pitch_starting_with_the_first_discovery_is_not_before_it():
    call = [
        utt(0, "S", 3.0, 6.0, label="discovery"),
        utt(1, "S", 3.0, 5.0, label="product_push", kind="feature"),
    ]
    assert compute_metrics(call, [], duration_s=10.0).feature_before_discovery is False


def test_push_kinds_of_non_seller_or_unkinded_utterances_are_not_counted():
    call = [
        utt(0, "S", 0.0, 2.0, label="discovery"),
        utt(1, "B", 3.0, 5.0, kind="feature"),
        utt(2, "S", 6.0, 8.0, label="product_push"),
    ]
    m = compute_metrics(call, [], duration_s=10.0)
    assert (m.product_push_turns, m.usage_turns, m.feature_turns) == (1, 0, 0)
    assert m.usage_share is None and m.feature_before_discovery is False


def test_push_and_price_before_discovery():
    call = [
        utt(0, "S", 0.0, 5.0, label="product_push"),
        utt(1, "B", 5.5, 8.0, price=True),
        utt(2, "S", 9.0, 12.0, label="discovery"),
    ]
    m = compute_metrics(call, [mention(call[1])], duration_s=20.0)
    assert m.pitch_before_discovery is True
    assert m.price_before_discovery is True
    assert m.first_price_by == BUYER
    assert m.first_price_frac == pytest.approx(5.5 / 20.0)
    assert m.discovery_share == pytest.approx(0.5)


def test_push_without_discovery_counts_as_pitch_first_and_no_price_is_not_before():
    call = [utt(0, "S", 0.0, 5.0, label="product_push"), utt(1, "B", 6.0, 8.0)]
    m = compute_metrics(call, [], duration_s=10.0)
    assert m.pitch_before_discovery is True
    assert m.price_before_discovery is False
    assert m.first_price_s is None and m.first_price_frac is None and m.first_price_by is None
    assert m.price_mentions == 0
    assert m.discovery_share == 0.0


def test_only_other_turns_gives_no_share_and_no_pitch():
    call = [utt(0, "S", 0.0, 1.0, label="other"), utt(1, "B", 1.0, 2.0)]
    m = compute_metrics(call, [], duration_s=2.0)
    assert m.discovery_share is None
    assert m.pitch_before_discovery is False
    assert m.patience_s is None
    assert (m.usage_turns, m.feature_turns, m.usage_share, m.feature_before_discovery) == (0, 0, None, False)


def test_empty_call():
    m = compute_metrics([], [], duration_s=0.0)
    assert isinstance(m, CallMetrics)
    assert (m.speech_s, m.n_speakers, m.seller_talk_s, m.buyer_talk_s) == (0.0, 0, 0.0, 0.0)
    assert m.seller_talk_ratio is None and m.interactivity is None and m.seller_wpm is None
    assert m.longest_seller_monologue_s is None and m.longest_buyer_story_s is None
    assert m.pitch_before_discovery is None and m.price_before_discovery is None
    assert m.first_price_frac is None
    assert m.usage_share is None and m.feature_before_discovery is None


def test_no_seller_found():
    call = [utt(0, "A", 0.0, 4.0, role=None), utt(1, "C", 5.0, 9.0, role=None)]
    m = compute_metrics(call, [], duration_s=10.0)
    assert m.n_speakers == 2 and m.speech_s == pytest.approx(8.0)
    assert m.seller_turns == 0 and m.seller_talk_ratio is None
    assert m.pitch_before_discovery is None and m.price_before_discovery is None
    assert (m.usage_turns, m.feature_turns, m.usage_share, m.feature_before_discovery) == (0, 0, None, None)
    assert m.longest_seller_monologue_s is None
    assert m.interactivity == pytest.approx(1 / (8.0 / 60.0))


def test_one_speaker_monologue():
    call = [utt(0, "S", 0.0, 30.0, label="product_push", n_words=60), utt(1, "S", 32.0, 60.0, label="product_push", n_words=60)]
    m = compute_metrics(call, [], duration_s=60.0)
    assert m.n_speakers == 1
    assert m.seller_talk_ratio == 1.0
    assert m.longest_seller_monologue_s == pytest.approx(60.0)
    assert m.longest_buyer_story_s is None
    assert m.interactivity == 0.0
    assert m.patience_s is None
    assert m.seller_wpm == pytest.approx(120 / (58.0 / 60.0))


def test_long_buyer_utterance_breaks_monologue_but_short_one_does_not():
    call = [
        utt(0, "S", 0.0, 10.0, label="other"),
        utt(1, "B", 10.0, 10.99),
        utt(2, "S", 11.0, 20.0, label="other"),
        utt(3, "B", 20.0, 21.0),
        utt(4, "S", 21.0, 25.0, label="other"),
    ]
    m = compute_metrics(call, [], duration_s=25.0)
    assert m.longest_seller_monologue_s == pytest.approx(20.0)
    assert m.longest_buyer_story_s == pytest.approx(1.0)


def test_overlapping_utterances_count_once_in_speech_and_zero_patience():
    call = [utt(0, "B", 0.0, 10.0), utt(1, "S", 8.0, 12.0, label="discovery")]
    m = compute_metrics(call, [], duration_s=12.0)
    assert m.speech_s == pytest.approx(12.0)
    assert m.patience_s == 0.0
    assert m.seller_talk_s + m.buyer_talk_s == pytest.approx(14.0)


def test_seller_wpm_prefers_word_timestamps():
    words = tuple(Word(i, i + 0.5, " w") for i in range(30))
    call = [utt(0, "S", 0.0, 30.0, label="other", n_words=3, words=words)]
    assert compute_metrics(call, [], duration_s=30.0).seller_wpm == pytest.approx(60.0)


def test_seller_wpm_counts_a_word_split_into_tokens_once():
    # " $30" + ",000" is one word said, two recogniser tokens.
    words = tuple(Word(i, i + 0.5, ",000" if i % 2 else " $30") for i in range(30))
    call = [utt(0, "S", 0.0, 30.0, label="other", n_words=3, words=words)]
    assert compute_metrics(call, [], duration_s=30.0).seller_wpm == pytest.approx(30.0)


def test_union_length():
    assert union_length([(0, 2), (1, 3), (5, 6), (6, 7), (4, 4)]) == pytest.approx(5.0)
    assert union_length([]) == 0.0


def test_first_price_kind_is_the_kind_of_the_earliest_mention_of_any_kind():
    call = [utt(0, "S", 0.0, 5.0, label="product_push", price=True), utt(1, "B", 6.0, 8.0, question=True, price=True)]
    later_ask = replace(mention(call[1]), kind="ask")
    earlier_discount = replace(mention(call[0]), kind="discount")
    m = compute_metrics(call, [later_ask, earlier_discount], duration_s=10.0)
    assert (m.first_price_s, m.first_price_kind, m.first_price_by) == (0.0, "discount", SELLER)
    assert compute_metrics(call, [], duration_s=10.0).first_price_kind is None


def test_longest_run_span_is_where_the_longest_monologue_starts_and_ends():
    assert longest_run_span(CALL, SELLER, 1.0) == (41.0, 60.0)
    assert longest_run_span(CALL, BUYER, 1.0) == (29.0, 40.0)
    # Of two equally long runs, the first.
    tie = [utt(0, "S", 0.0, 5.0), utt(1, "B", 5.0, 7.0), utt(2, "S", 7.0, 12.0)]
    assert longest_run_span(tie, SELLER, 1.0) == (0.0, 5.0)
    assert longest_run_span(tie[1:2], SELLER, 1.0) is None
