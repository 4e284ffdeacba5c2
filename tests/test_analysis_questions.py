"""is_question with and without question marks (Whisper often drops them)."""
import pytest

from analysis.questions import is_question

QUESTIONS = [
    "Can you hear me okay?",
    "how are you tracking churn at the moment",
    "okay so what made you start looking",
    "when does your contract expire",
    "when the line goes down how long before someone notices",
    "if you could fix one thing what would it be",
    "do you have a budget approved for this yet",
    "wouldn't you love a dashboard that tells you",
    "so the export is manual, is that right",
    "right so you're renting half the fleet, right",
    "how great would it be to see every part",
    "who else gets pulled in",
    "and who do tenants call when something breaks",
    "right so at harvest how do you actually get the grain to the elevator",
    "Which day works better for you",
    "you know what would fix that? our app",
]
STATEMENTS = [
    "okay",
    "yeah",
    "so what I'm hearing is cash flow is the concern",
    "what you need is a better tool",
    "when the line goes down it takes hours",
    "Our platform has real-time dashboards.",
    "tell me about the last outage",
    "so you're renting about half the fleet right now",
    "I'll send the invite.",
    "how we do it is different",
    "which is why we built it",
    "it's about forty k a year for your size",
    "",
]


@pytest.mark.parametrize("text", QUESTIONS)
def test_questions(text):
    assert is_question(text)


@pytest.mark.parametrize("text", STATEMENTS)
def test_statements(text):
    assert not is_question(text)


def test_any_sentence_counts():
    assert is_question("Great, thanks. What does onboarding look like for a new hire.")


@pytest.mark.parametrize("text", [
    "hi priya can you hear me okay",
    "morning rick is now still a good time",
    "lets aim for thirty minutes does that work",
    "does tuesday at ten work for a follow up",
    "good to hear your voice how's the family",
])
def test_questions_after_a_greeting_without_punctuation(text):
    assert is_question(text)


@pytest.mark.parametrize("text", [
    "sorry i was muted",
    "we can have you live in under two weeks",
    "have a great weekend",
    "We just released an integration, which a lot of teams like yours love.",
    "So what we'd do is rebuild your nurture sequences.",
])
def test_statements_that_look_like_questions(text):
    assert not is_question(text)
