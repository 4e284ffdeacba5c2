"""Price mentions (docs/metrics.md): either party talking about what the buyer would pay.

A trained detector built like the turn classifier: the all-MiniLM-L6-v2 sentence embedding (the
process-wide encoder, so a call's utterances are encoded once for every head) plus explainable
cue features, read by a multinomial logistic-regression head over five classes: not a price
mention, or one of the ``PRICE_KINDS``

- ``ask``: a budget or price question ("what would something like this run us per year?");
- ``quote``: an amount or a statement about the price ("the licence is a flat hundred thousand");
- ``discount``: a discount, promotion or free period ("the first ninety days are free");
- ``current_spend``: what the buyer pays today ("our renewal went up to sixty thousand").

The cue families say why: money amounts (``analysis.amounts``), pricing and budget words, price
questions, and the traps that look like price but are not (the cost of the buyer's problem,
value claims, prices in the buyer's own market, "quote" and "price" as product features or
jargon, tier names, counts and durations, features given "free" or "included"). In a call
(``detect_turns``), an utterance also reads the turns before it: an answer right after the other
party's price question reads that question ("probably around forty for the year"); a reply right
after the other party's quote that names an amount or judges it ("yeah ninety five works for us")
reacts to the price, while one that changes the subject does not; an amount
after the same speaker described its own business (a known buyer: anywhere earlier in the call),
or after the other party asked about the buyer's own customers, is the buyer's own price.
Where the speaker's role is known (after seller identification), the head also reads it
(``ROLE_FEATURES``): a seller stating an amount quotes; a buyer stating one says what it pays
today or what its own customers pay; with the role unknown these features are zero. The decision
threshold is calibrated per role (seller, buyer, unknown).

The head is trained offline by ``python -m analysis.train_price`` and stored in
``analysis/data/price_head.npz``. Where the head does not rule price out (``SECOND_READ_BELOW``),
a second reader, MiniLM fine-tuned on the same data (``analysis.price_encoder``), reads the words
with the speaker's role and the turn the utterance answers, and its probabilities are averaged
with the head's (``ENCODER_SHARE``): on sets written blind in industries never trained on, the head
alone scored 0.954 and the two together 0.979. Deterministic and offline.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from analysis.amounts import WORD_HYPHEN, Amount, best_amount, find_amounts, in_call_scale, tokens
from analysis.embedding import SentenceEncoder, load_encoder
from analysis.errors import AnalysisError
from analysis.heads import load_head, names
from analysis.price_encoder import TUNED_PATH, PriceEncoder, render
from analysis.questions import is_question
from analysis.text import normalize

HEAD_PATH = Path(__file__).resolve().parent / "data" / "price_head.npz"
PRICE_KINDS = ("ask", "quote", "discount", "current_spend")
CLASSES = ("none",) + PRICE_KINDS
LEXICAL_WEIGHT = 0.5
CONTEXT_LOOKBACK = 2  # utterances back to find the other party's question
SECOND_READ_BELOW = 0.9
"""The fine-tuned encoder reads an utterance when the head gives "no price" less than this."""
ENCODER_SHARE = 0.5
"""The fine-tuned encoder's weight in the probabilities of the utterances it reads."""


@dataclass(frozen=True)
class PriceFamily:
    name: str
    pattern: re.Pattern[str]
    price: bool  # evidence for a price mention (True) or against it (False)


def _family(name: str, pattern: str, price: bool = True) -> PriceFamily:
    return PriceFamily(name, re.compile(r"\b(?:" + pattern + r")\b"), price)


_SAID_NUMBER = (r"(?:[$£€]?\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty|forty|"
                r"fifty|sixty|seventy|eighty|ninety|hundred|thousand)")
_PRICE_TERMS = (r"pric(?:e|es|ed|ing|ey)|cost(?:s|ing)?|fees?|charges?|rates?|retainer|commission|markup|quote|"
                r"budget|extra|included|come to|run (?:us|me|you)|set (?:us|me|you) back|monthly|annual|per \w+|"
                r"a (?:seat|user|head|month|year|case|pound|tonne|ton|unit|door|lawyer|trip|mile|van)")
_NOT_PAID_FOR = (r"(?! (?:people|staff|bonuses|attention|every|(?:our |the )?(?:drivers|temps|staff|people|workers|nurses|"
                 r"employees|team|team members)\b))")  # paying one's own people is no spend on the offering
PRICE_FAMILIES: tuple[PriceFamily, ...] = (
    _family("price_word",
            r"pric(?:e|es|ed|ing|ey)|cost(?:s|ing)?|fees?|charges?|rates?|invoiced?|billed|billing|surcharge|"
            r"subscription|licen[cs]e fee|list price|rate card|contract value|total cost of ownership|tco|"
            r"retainer|commission|markup|mark up|bill rate|day rate|per (?:seat|user|licen[cs]e|head|month|year)|"
            r"a (?:seat|user|head|month|year)|quote(?! unquote)|quoted|proposal|investment|premium|price sheet|"
            r"bills? (?:at|by)|standing charge|(?:one time|one off|upfront|all in|flat)|(?:a|no|any|your) cut\b(?! (?:your|their|the|costs|down))"),
    _family("price_question",
            r"how much|what(?:'s|s| is| does| would| will| do|'d| are)? (?:\w+ ){0,7}(?:cost|run|come to|set (?:us|me) back|charge)|"
            r"(?:cost|run|set) (?:us|me|you) back|run (?:us|me)|ballpark|rough (?:number|idea|price|figure)|"
            r"what are we (?:looking at|talking about)|what(?:'s| is) the damage|number in mind|"
            r"what kind of (?:number|spend|budget|investment)|price (?:range|point|tag)|cost wise|price wise|"
            r"how do you (?:price|charge|bill)|what do you charge|do you (?:take|charge|get|keep) (?:a |any )?(?:cut|commission|percentage|fee)|"
            r"(?:^|(?:and|so|but|also|or|ok|okay|right|great|then|now|cool|sure|yeah|yes|well) )(?:is|are) (?:\w+ ){0,4}"
            r"(?:priced(?: separately)?|a (?:setup|monthly|per)|extra|included|charged)|"
            r"what(?:'s|s| is| are) (?:the |your )?(?:\w+ )?(?:rate|fee|fees|monthly|annual|price|cost|retainer|markup|commission)|"
            r"(?:send|give) (?:me|us) (?:a |the )?(?:quote|price|pricing|number)|do prices change|"
            r"what(?:'s|s| is| are| would be| would| does| do) (?:the |your |that |this )?(?:\w+ ){0,3}(?:plan|tier|package|edition|"
            r"bundle|licen[cs]e|subscription|add[- ]?on|module|version) (?:be |come to |cost |run )?(?:a|per|each) "
            r"(?:month|year|week|quarter|seat|user|site|location|head|van|device)|"
            r"(?:roughly|approximately|ballpark) what|target (?:price|cost|budget)|what would (?:\w+ ){1,5}(?:be|come to) "
            r"(?:for|per|a|monthly|annually|all in)"),
    _family("budget",
            r"budget(?:s|ed|ing)?|set aside|put aside|money aside|earmarked|afford|spend (?:on|for)|to spend|"
            r"sign off|purchase order|funding for|money for|in the plan financially|from the grant"),
    _family("discount",
            r"discount(?:s|ed)?|percent off|% off|(?!(?:sold|written|signed|turned|logged|kicked|paid|showing|show|fell|falls|commission|"
            r"cut|percentage|margin|tax|fees?|deposits?)\b)\w+ off (?:the|each|your|if)|(?:knock|shave) (?:\S+ ){1,3}off\b|(?:take|drop) \S+ (?:percent )?off|"
            r"(?:we|i)(?: could| can|'d|d| would|'ll|ll| will) do (?:you |it for |them for |those for )?(?:\w+ ){0,2}" + _SAID_NUMBER +
            r"\b(?! (?:(?!(?:a|an|per|each)\b)\w+ )?(?:sessions?|days?|weeks?|months?|hours?|visits?|times?|people|slots?|calls?|trainings?)\b)|"
            r"" + _SAID_NUMBER + r"(?: \w+){0,3} instead\b|instead of " + _SAID_NUMBER + r"\b|"
            r"until the end of (?:the|this) (?:month|quarter|week|year|season)|"
            r"(?:drops?|go(?:es)? down|comes? down) (?:by |to )|promo(?:tion)?|waive[ds]?|refund|"
            r"free (?:of charge|for|trial|month|months|year|pilot|setup|installation|delivery|if)|"
            r"(?:\w+ )?(?:weeks?|months?|days?|year|term|run|runs|clean|audit|training|pilot|installation|setup|"
            r"delivery|changes|readers|integrations|session|migration) (?:is |are )?(?:free|on us)|on us|on the house|"
            r"at no (?:extra |additional )?(?:cost|charge)|no charge|costs nothing|complimentary|rebate|"
            r"lock (?:in|your prices)|hold (?:your|last year's|the) (?:price|rate|pricing)|match (?:your|their|the|what)|"
            r"throw in|half (?:price|our usual)|reduced rate|better (?:price|rate|deal)|any deal|early (?:bird|order)|"
            r"at cost|do (?:anything|better)(?: on (?:price|the rate|that))?|this count|cover your \w+ (?:termination )?fee|"
            r"knock(?:ed)? off|(?:is|are|would) (?:it|that|there) (?:be )?(?:any )?(?:cheaper|less)|cheaper (?:if|for|on)|"
            r"(?:won't|wont|will not|don't|dont|do not) (?:charge|bill) (?:for|you)|hold (?:\w+(?:'s)? ){0,2}(?:price|rate|pricing)|(?:any|some) (?:give|flexibility|wiggle room|movement)|sharpen (?:the|your) pencil|"
            r"(?:best|lowest) you can do|(?:something|anything) off|round (?:it|that) down|beat (?:that|their|the|\w+ a)|"
            r"(?:volume|partner|charity|nonprofit|seasonal|multi[- ]year|education|startup|loyalty) (?:rate|price|pricing|discount)|"
            r"(?:is there|are there|do you (?:have|do|offer|give)|have you got|any chance of|could we get|can we get) (?:a |an |any )?"
            r"(?:academic|student|educational|university|school|charity|public sector|government|council|nhs|military|veterans?|"
            r"small business|independent|family|group|off[- ]?season|off[- ]?peak|winter|quiet season|introductory|intro|launch|"
            r"founding|early bird|bulk|trade|members?) (?:rates?|prices?|pricing|deals?)|"
            r"(?:we'll|we will|we can|we'd|i'll|i can) (?:cover|pay for|absorb|waive|throw in|comp|include) (?:the|your)|"
            r"(?:first|next|opening) (?:\w+ ){0,6}(?:is|are) (?:free|on us)|(?:is|are) (?:free|on us) (?:for|with|if|until|during)|"
            r"room on (?:the )?(?:price|rate|number)|(?:anything|something) you can do (?:for|on)|"
            r"(?:a|any|your|special) (?:rate|price|pricing|deal|discount) for (?:nonprofits?|charit(?:y|ies)|schools?|students|"
            r"startups?|councils?|independents?|small|new|community|members)|"
            r"(?:drop|bring|take|knock|get) (?:it|that|this|the (?:price|rate|fee)) (?:down )?(?:to|by)\b|"
            r"for (?:nonprofits?|non profits?|charit(?:y|ies)|not for profits?|schools|startups|council[- ]run|independents?|"
            r"community) (?:\w+ )?(?:we|it|its|it's|you|the)\b"),
    _family("current_spend",
            r"(?:we|i)(?:'re| are|re)? (?:currently |now |already )?(?:pay|paying|spend|spending|paid)" + _NOT_PAID_FOR + "|"
            r"(?:currently|right now|today|at the moment) (?:we )?(?:pay|spend)|charges? us|bills? us|invoices? us|"
            r"(?:adds?|add on) a (?:\w+ )?surcharge|our (?:\w+ )?cost with them|"
            r"our (?:current |existing )?(?:contract|renewal|invoice|bill|licen[cs]e|subscription|vendor|provider|supplier|"
            r"agency|msp|system|carrier|processor)(?: with them)? (?:is|was|went|runs|costs|comes|jumped|charges|bills)|"
            r"renewal (?:went|jumped)|(?:what|how much) (?:are|do) you (?:pay|paying|spend)|"
            r"current (?:spend|contract|rate|vendor|provider|supplier)|effective rate|our (?:\w+ )?bill (?:is|was|comes)|"
            r"costs? (?:us|me) (?:\w+ ){1,5}(?:a|per|each|every) (?:month|year|quarter|week|seat|user|line|slip|child|pupil|"
            r"head|site|store|location|van|car|truck|clinician|lane|room|endpoint|ticket|booking|order)|"
            r"(?:we|we're|were|we are|i) (?:lease|rent|renting|leasing|hire|hiring)\b(?! (?:out|to))|"
            r"right now (?:\w+ ){0,4}(?:costs?|is|runs|comes to)|"
            r"(?:we're|we are|were) on (?:\S+ ){1,6}(?:a|per) (?:month|year|seat|user|line)|"
            r"(?:we(?:'re| are|re)? (?:on|using|with)|we (?:use|have|run|got)|we've got|weve got) (?:\S+ ){1,8}and (?:we )?"
            r"(?:pay|paying|spend|spending)\b" + _NOT_PAID_FOR + "|"
            r"(?:the|our) (?:\w+ )?contract (?:we signed |we have )?is|"
            r"runs (?:us|me)\b|has (?:us|me) (?:at|on)\b|our (?:\w+ ){1,3}comes? with (?:\w+ ){1,4}at\b|(?:we|i) give (?:the |our )?\w+(?: \w+)? (?:\w+ ){1,3}of (?:every|each)\b|(?:current|existing|present) (?:guys|people|one|company|firm|setup|"
            r"system|app|platform|software|tool|broker|lender|partner)|"
            r"\w+ (?:we have|we've got|weve got|we use|we're using|were using|we're on|were on|we are on|we rent|we lease|we have in)"
            r"(?: now| at the moment| today| right now)? (?:is|are|was|costs?|runs?|takes|charges|comes to)\b|"
            r"(?:the|our) (?:old|current|existing|present) (?:\w+ ){1,3}(?:is|are|was|runs|costs|takes|comes to)\b|"
            r"(?:takes|keeps|skims|eats|charges) (?:\w+ ){1,4}(?:off|of|from|out of) (?:every|each)\b"),
    _family("judgement",
            r"expensive|cheap(?:er)?|pricey|steep(?:er)?|affordable|reasonable|too much|out of (?:our|my) (?:range|budget)|"
            r"over budget|within (?:our |the )?budget|fits (?:our|the|my) budget|competitive|good value|doable|"
            r"(?:more|less) than (?:we|what we) (?:pay|expected|budgeted|wanted)|(?:is|sounds) (?:fine|fair|ok|okay|high)|"
            r"make (?:that|it) work"),
    # How a figure just heard lands ("hmm that's a lot for a shop our size", "ninety five works for us"): said
    # alone these need not be about price; the head reads them with the other party's quote before them.
    _family("reaction",
            r"(?:that's|thats|that is|it's|its|seems|sounds) (?:quite |still |a bit |pretty )?a lot\b(?! of)|a lot (?:for|to (?:pay|spend|ask))|"
            r"(?:works|work|fine|ok|okay|doable|manageable) for (?:us|me|a (?:\w+ ){0,3}(?:like|our|my))|"
            r"(?:more|less|higher|lower|over|under|above|below|cheaper|dearer) (?:than |what )(?:i|we|what (?:i|we))(?:'d|d| had| were)? ?"
            r"(?:thought|expected|figured|hoped|had in mind|pictured|guessed|planned|set aside|were hoping|was hoping)|"
            r"(?:a bit|a little|a touch|a tad|bit|slightly) (?:much|steep|high|rich|over|more than|less than|out of)|"
            r"on the (?:high|low|steep|pricey) side|can live with|(?:about|roughly|pretty much|right around) what (?:i|we) "
            r"(?:expected|thought|figured|pay|paid)|(?:top|edge|limit) of (?:our|my|what (?:i|we))|ouch|yikes"),
    _family("problem_cost",
            r"cost (?:us|them|me|him|her|the \w+|our|a|an) (?:a |an |the |our |two |three |\w+ )?(?:account|client|customer|deal|"
            r"contract|job|launch|renewal|shipment|shift|weekend|fortune|day|week|weeks|month|crop|lot|tenant|meeting|production)|"
            r"costing us|cost you (?:in|when)|(?:down|idle|grounded|on the ground|off the road|offline|out of action|"
            r"late|missed|failed|empty|delayed|no[- ]shows?|cancell?ed)(?: \w+){0,4} costs? (?:us|them|you|the|our)|what (?:does|did|would|will) (?:a |an |the |that |one )?(?:\w+ ){0,4}cost "
            r"(?:you|your|the|them|us)|"
            r"lost|lose|losing|loss(?:es)?|revenue|downtime|outage|penalt(?:y|ies)|fined|fines|(?:a|the|big|hefty) fine|write[- ]?offs?|chargebacks?|"
            r"overtime|churn|wasted|wasting|waste (?:of|is|on|time|money|hours|days|stock)|food waste|(?:we|they|you|i) waste|spoil\w*|(?:the|a) (?:recall|breach|fraud case|strike|flood|fire|spill)", price=False),
    _family("value_claim",
            r"sav(?:e|es|ed|ing|ings)|lower(?:s)? (?:your|their|the)|reduc(?:e|es|ed|ing)|cut(?:s)? (?:your|their|the|costs|spend|about)|"
            r"roi|return on investment|pays? for (?:itself|themselves)|payback|avoid|cost of doing nothing|gains? pay", price=False),
    _family("market_price",
            r"(?:fuel|gas|diesel|energy|electricity|power|commodity|steel|lumber|resin|pulp|material|grain|feed|fertili[sz]er|"
            r"spot|market|interest|mortgage|house|home|property|share|stock|ticket|menu|room|egg|milk|food|labou?r|wage|"
            r"reagent|drug|textbook|cattle|wholesale|rent|airfares?|hotel|data|roaming|oil|going) (?:prices?|rates?|costs?)|"
            r"price[- ]sensitiv\w*|(?<!our )(?<!your )(?:costs|prices|rates)(?: per \w+(?: \w+)?)? (?:are|have|has|keep|went|have gone) "
            r"(?:up|down|doubled|tripled|gone up|crept up|climbing|rising|falling|spiked|jumped)|"
            r"our (?:\w+ )?(?:membership|admission|entry fee|tuition|menu|day pass|season ticket|cover charge|call[- ]out fee)|their (?:prices|pricing|rates)|our (?:own |menu |room |hourly |billing |mortgage |savings |part |"
            r"subscription )(?:prices|pricing|rates)|wages?|tuition|signing bonus|"
            r"(?:raise|raised|raising|increase|increased|cut|lowered|mark down|discount|reprice) (?:our|their|the) "
            r"(?:prices|rates|rent|subscription|part prices|menu prices)|"
            r"our (?:customers|clients|guests|shoppers|buyers|shippers|patients|members|parents|tenants|policyholders|distributors|"
            r"retail customers)(?:'s|')? (?:pay|want|expect|push|compare|are|premiums|discount)|"
            r"price war|we (?:sell|charge (?:our|tenants|customers|clients|parents|guests|patients)|bill (?:our|the) (?:clients|customers|"
            r"shippers|sponsors)|discount (?:our|rooms|cruises)|mark down|give our|price match)|sells? (?:for|to)|"
            r"average (?:ticket|basket|cheque|room rate|premium|salary|sale price|contract value)|the price we get|"
            r"(?:we|i) make (?:\w+ ){0,3}(?:money|margin|profit)|we make (?:it|that) up|"
            r"pays? us|(?:our|the) (?:bid|tender|product|device|drug|tours?|best seller)|landlord charges|lunch special",
            price=False),
    _family("jargon",
            r"(?:quote|quoting|pricing|price|rate|billing|fee|fare|tariff|cost|invoice|promo) (?:engine|tool|module|field|fields|page|feed|list|"
            r"book|rules?|table|sheet(?! you)|api|screen|workflow|logic|calculator|builder|file|code|codes|index|formula|object|"
            r"plan(?! is)|labels?|tags?|confirmation|calculation|per test field|code field|overrides?)|"
            r"quote[- ]to[- ]cash|cpq|(?:quotes?|quoting|price|prices|pricing) (?:policies|policy|loads?|jobs?|projects?|rooms|"
            r"matters|risks?|each|every|bundles|customers|clients|sponsors|candidates|trips|hedges|grain)|dynamic pricing|"
            r"repric\w+|rating engine|standard cost|re[- ]?rate|"
            r"(?:agents|brokers|reps|team|traders|estimators|underwriters|recruiters|chefs|dispatchers|partners|lenders|"
            r"analysts|manager|co[- ]?op|buyer) (?:quote|quotes|price|prices|cost|costs)|"
            r"(?:flows?|syncs?|feeds?|pushes|pulls?|maps?) (?:to|into|from|back|straight|through|automatically)|"
            r"(?:prices?|costs?|rates?)(?: per \w+)? (?:has to|have to|must|needs? to|should) (?:print|show|appear|go on|be on|be printed|"
            r"be shown|display)|(?:has to|have to|must|needs? to|should) (?:show|print|display|list) (?:the |our |each )?(?:\w+ )?"
            r"(?:prices?|costs?|rates?)\b", price=False),
    _family("own_customers",
            r"(?:our|to|with|for) (?:own )?(?:clients|customers|guests|patients|tenants|members|students|shoppers|policyholders|"
            r"parents|families|sponsors|shippers|travellers|passengers|diners|subscribers|buyers|distributors)|"
            r"(?:we|i) (?:give|offer|charge|bill|sell to|rent to|quote) (?!(?:you|your|it|that|this|them|us|per|by)\b)\w+s\b|"
            r"with us\b|at our (?:place|practice|shop|salon|studio|clinic|site|park|nursery|bakery|garage|venue|restaurant|hotel|gym|"
            r"centre|center|school|counter|door|desk)|(?:in|at) the (?:shop|door|counter|till|box office|cellar door)|"
            r"(?:costs?|charges?) (?:our )?(?:clients|customers|guests|patients|tenants|members|students|families|parents|"
            r"homeowners|visitors|couples|renters|drivers)|"
            r"our (?:partners|associates|lawyers|attorneys|staff|drivers|temps|nurses|engineers|consultants|analysts|reps) "
            r"(?:bill|earn|charge|make|cost|get)", price=False),
    _family("tier_name",
            r"(?:basic|starter|standard|pro|professional|plus|premium|premier|enterprise|enter price|business|growth|advanced|"
            r"essentials?|team|ultimate|platinum|gold|silver|bronze|elite|core|scale|boutique|validated|regulated|portfolio|"
            r"district|litigation|fleet plus|multi store|dispatcher|industrial|green|chef's select|eco|managed service) "
            r"(?:tier|plan|edition|package|level|bundle|version|range|service level|option|grade|tariff|line|series|model|trim|"
            r"membership|collection)|"
            r"(?:the|which) (?:one|plan|tier|package|edition) (?:with|has)|what(?:'s| is| do we get)? (?:in|with) the \w+(?: \w+)? "
            r"(?:plan|tier|edition|package)",
            price=False),
    _family("included_feature",
            r"(?:(?:is|are|comes?|come|go|goes|get|gets|be) (?:\w+ ){0,2})?included(?! (?:in|with|on) (?:the |your |our )?(?:"
            r"price|cost|fee|rate|monthly|annual|subscription|licen[cs]e|quote|contract|bill))|built in|(?:free|included) (?:on|in|with) (?:every|all|each|any) (?:plan|tier|package|edition|"
            r"account|subscription|booking)|at no (?:extra |additional )?(?:cost|charge) to (?:you|your|the|them)|"
            r"no (?:extra|additional) (?:fee|charge|cost|software|hardware|app)|(?:don't|dont|do not) pay (?:anything )?extra|"
            r"(?:you|they) (?:don't|dont|do not|won't|wont|never) pay (?:anything |any )?more\b(?! than)|free to set up|"
            r"nothing extra|costs? you nothing extra|(?:is|are|sit|sits|comes?|stored|handled|done|shown|kept|goes|go out|available|"
            r"tracked|listed|signed|sent|runs?)(?: \w+){0,6} at no (?:extra |additional )?(?:cost|charge)|(?:there's|there is|theres) no charge for|at no (?:extra )?charge (?:inside|in|within|on)\b|"
            r"(?:comes?|come) with the (?:app|plan|account|system|software|platform)|free with (?:every|each|any) \w+|"
            r"free with (?:a|an|your) (?:\w+ )?(?:card|membership|pass|account|subscription|licen[cs]e|order|booking)|(?:comes?|come) (?:free )?with (?:every|each|all|any) (?:account|plan|subscription|"
            r"licen[cs]e|package)|(?:don't|dont|do not) pay to|free to (?:view|open|download|use|install)|"
            r"free (?:of charge )?(?:for|to) (?:your |the )?(?:members|parents|owners|patients|clients|students|guests|users|"
            r"staff|riders|players|customers|diners|visitors|families|drivers|bowlers|paddlers|climbers)|"
            r"(?:members|parents|owners|patients|clients|students|guests|users|customers|visitors|families) (?:can|get|see) "
            r"(?:\w+ ){0,8}(?:free|at no (?:extra )?(?:cost|charge))", price=False),
    _family("own_policy",
            r"(?:we|i) (?:charge|take|ask for|bill|don't charge|dont charge|do not charge|never charge)\b", price=False),
    _family("said_now", r"right now|at the moment|currently|these days|at present|so far this year|for now", price=False),
    _family("count_question",
            r"how (?:many|long|often|far|big|soon|fast)|what size|what volume|what(?:'s| is) the (?:headcount|volume|size|"
            r"timeline|lead time)|when (?:do|does|did|will|would|can)", price=False),
    _family("word_sense",
            r"in charge|free (?:of|to)|feel free|(?:i'm|im|i am|are you|you're|youre|we're|were|is (?:he|she)) free\b|"
            r"free (?:after|before|from|until) (?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|noon|"
            r"midnight|lunch|\d{1,2}(?::\d\d)?(?: ?[ap]m)?)\b|(?:error|hands|pet|carbon|cash|dust|plastic|gluten|animal|pesticide|asbestos|"
            r"paper|risk|tax|duty|toll|stress) free|free up|frees up|at this rate|(?:error|response|open|pass|scrap|win|churn|"
            r"click|answer|on time|heart|bounce|conversion|success|vacancy|occupancy|defect|return) rates?|quota|"
            r"pay (?:people|staff|attention|bonuses|for gym|(?:our |the )?(?:drivers|temps|staff|workers|nurses|employees))|paid (?:on|every|within)|spend (?:a few|some|time|the (?:day|morning))|"
            r"pays? off|get paid|pay rise|charge (?:his|her|their|the) (?:phone|battery|batteries)|charging (?:points?|stations?|cables?|docks?|times?|speeds?|ports?)|"
            r"(?:fast|wireless|ev|battery|van|vehicle) charging|charge overnight|"
            r"deal with|big deal|costs? (?:me|us) (?:sleep|time)", price=False),
)
FAMILY_NAMES = tuple(f.name for f in PRICE_FAMILIES)
AMOUNT_FEATURES = ("amount_currency", "amount_rate", "amount_scaled", "amount_bare", "number_not_money",
                   "amount_per_subscription", "amount_list")
_SUBSCRIPTION_PERIODS = frozenset({"month", "year", "quarter"})
_SUBSCRIPTION_UNITS = frozenset({"seat", "user", "licence", "license", "site", "location", "store", "device", "vehicle",
                                 "terminal", "technician", "agent", "clinician", "endpoint"})
CONTEXT_FEATURES = ("after_price_question", "after_price_question_with_amount", "after_spend_question",
                    "number_answering_other_question", "after_own_market", "after_own_business_question",
                    "after_other_quote", "after_other_quote_with_amount", "after_other_quote_judged")
ROLES = ("seller", "buyer")
"""The speaker roles the head reads; any other role (None, "unknown") sets no role feature."""
ROLE_FEATURES = tuple(f"{role}_{what}" for role in ROLES for what in (
    "speaks", "amount", "amount_without_spend", "amount_not_per_subscription", "question", "price_question", "discount", "current_spend", "own_market",
    "judgement", "own_policy", "amount_now"))
FEATURE_NAMES = FAMILY_NAMES + AMOUNT_FEATURES + ("is_question", "short") + CONTEXT_FEATURES + ROLE_FEATURES
_SPEND_QUESTION = re.compile(
    r"\b(?:you(?:'re| are|re)?(?: \w+)? (?:pay|paying|paid|spend|spending)|(?:cost|costing|charge|charging|charges|run|"
    r"running|runs|bill|billing) (?:you|ya)|current(?:ly)?|existing|today|right now|at the moment|your (?:broker|vendor|"
    r"provider|supplier|agency|carrier|bank|processor|contract|bill|invoice|renewal))\b"
)
_OWN_BUSINESS_QUESTION = re.compile(
    r"\b(?:your (?:own )?(?:customers|clients|guests|patients|members|students|parents|families|visitors|riders|diners|"
    r"shoppers|tenants|pupils|players|regulars|busiest|prices|rates|menu)|(?:do|does|would) (?:\w+ ){0,2}(?:people|they|"
    r"customers|families|parents|patients|members|guests) (?:pay|spend)|what brings people|who comes|how do (?:they|people|"
    r"your \w+) pay|what do you (?:sell|offer)|what else do you offer)\b"
)
_OWN_MARKET_CUES = ("market_price", "own_customers")
_OWN_BUSINESS_TALK = re.compile(
    r"\b(?:(?:we(?:'re| are|re)|i(?:'m| am|m)) (?:a|an|just a|only a|mostly|basically a|a small|an independent)|"
    r"(?:we(?:'re| are|re)) (?:just |only )?(?:two|three|four|five|six|seven|eight|nine|ten|a couple of|a team of|a family)\b|"
    r"we (?:do|run|have|offer|sell|open|see|serve|host|teach|take|book|cater|stock|groom|train|cut|clean|fix|repair)\b|"
    r"(?:most|a lot|lots|half|all|some) of (?:our|my) (?:work|business|trade|customers|clients|jobs|bookings|sales)|"
    r"our (?:\w+ )?(?:business|trade|regulars|season|busiest|shop|salon|studio|clinic|centre|center|garage|practice|gym)\b|"
    r"mostly (?:walk ins|walk-ins|regulars|families|locals|tourists|homeowners|corporate|weddings|kids))"
)
_TIED_TO_THE_DEAL = re.compile(
    r"\b(?:if|when|once|while) (?:you|we|they)|sign\b|signing|(?:we'll|we will|we can|we could|i'll|i can) |this (?:month|week|quarter|year)|before (?:the|end|june|july|\w+day)|"
    r"by (?:the end|friday|monday|\w+day)|(?:first|opening) (?:\w+ ){0,2}(?:months?|years?|weeks?|days?|term|season)|"
    r"switch|move (?:over|across|your)|bring (?:your|both|all)|for new|trial|pilot|waive\b|waived|waiving"
)
_NOT_OWN_BUSINESS = ("current_spend", "budget", "price_question", "discount", "judgement")
_CUE_ORDER = ("discount", "current_spend", "price_question", "budget", "judgement", "price_word")
_DIGIT = re.compile(r"\d")
_NUMBER_WORD = re.compile(r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty|"
                          r"forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|dozen)\b")


@dataclass(frozen=True)
class PriceHit:
    """A price mention: its kind, how sure the head is, the evidence, and the amount when said."""

    kind: str
    confidence: float
    cue: str | None
    amount: float | None = None
    amount_high: float | None = None
    currency: str | None = None
    period: str | None = None
    unit: str | None = None

    @classmethod
    def of(cls, kind: str, confidence: float, cue: str | None, amount: Amount | None) -> "PriceHit":
        if amount is None:
            return cls(kind, confidence, cue)
        return cls(kind, confidence, cue, amount.value, amount.high, amount.currency, amount.period, amount.unit)


@dataclass(frozen=True)
class PriceEvidence:
    """What the head reads besides the embedding, kept for the explanation. ``opens_with_number``:
    a number among the first three words ("about forty, and each one...")."""

    lexical: np.ndarray
    cues: dict[str, str]
    amount: Amount | None
    opens_with_number: bool = False
    about_current_spend: bool = False  # asked as a question, it asks what the buyer pays today
    own_market: bool = False  # it speaks of the speaker's own business, customers or market
    asks_own_business: bool = False  # a question about the buyer's own customers, prices or business


def evidence(text: str) -> PriceEvidence:
    """Cue families, amounts and question form of one text (context features left at zero)."""
    norm = WORD_HYPHEN.sub(" ", normalize(text))
    cues = {f.name: m.group(0) for f in PRICE_FAMILIES if (m := f.pattern.search(norm)) is not None}
    if "included_feature" in cues and "discount" in cues and _TIED_TO_THE_DEAL.search(norm) is None:
        del cues["discount"]  # "built in at no charge to you" describes the product, not this deal
    amounts = find_amounts(text)
    evidences = {a.evidence for a in amounts}
    has_number = bool(_DIGIT.search(norm) or _NUMBER_WORD.search(norm))
    values = [1.0 if name in cues else 0.0 for name in FAMILY_NAMES]
    values += [1.0 if e in evidences else 0.0 for e in ("currency", "rate", "scaled", "bare")]
    values += [1.0 if has_number and not amounts else 0.0]
    values += [1.0 if any(a.period in _SUBSCRIPTION_PERIODS or a.unit in _SUBSCRIPTION_UNITS for a in amounts) else 0.0]
    values += [1.0 if len(amounts) >= 2 else 0.0]
    values += [1.0 if is_question(text) else 0.0, 1.0 if len(tokens(text)) <= 6 else 0.0]
    values += [0.0] * (len(CONTEXT_FEATURES) + len(ROLE_FEATURES))
    opening = " ".join(norm.split()[:3])
    opens = bool(_DIGIT.search(opening) or _NUMBER_WORD.search(opening))
    spend = "current_spend" in cues or _SPEND_QUESTION.search(norm) is not None
    own_market = any(name in cues for name in _OWN_MARKET_CUES) or (
        _OWN_BUSINESS_TALK.search(norm) is not None and not any(name in cues for name in _NOT_OWN_BUSINESS))
    asks_own = is_question(text) and _OWN_BUSINESS_QUESTION.search(norm) is not None
    return PriceEvidence(np.asarray(values, dtype=np.float32), cues, best_amount(amounts), opens, spend, own_market, asks_own)


def with_role(lexical: np.ndarray, role: str | None) -> np.ndarray:
    """The lexical row with the speaker's role set: who states an amount (also with "right now"),
    asks or asks for a discount ("seller" states prices; a "buyer" stating one states what it pays
    today or what its own customers pay), or says "we charge" (the seller's price, the buyer's own
    policy). Any other role leaves the row as it is (role unknown)."""
    if role not in ROLES:
        return lexical
    out = lexical.copy()
    on = {name: out[FEATURE_NAMES.index(name)] > 0 for name in FAMILY_NAMES + ("is_question",)}
    amount = max(out[FEATURE_NAMES.index(f)] for f in AMOUNT_FEATURES[:4]) > 0
    spend = on["current_spend"] or on["budget"] or on["judgement"]
    values = {
        "speaks": True,
        "amount": amount,
        "amount_without_spend": amount and not spend and not on["is_question"],
        "amount_not_per_subscription": amount and not spend and not on["is_question"]
        and not out[FEATURE_NAMES.index("amount_per_subscription")] > 0,
        "question": on["is_question"],
        "price_question": on["price_question"],
        "discount": on["discount"],
        "current_spend": on["current_spend"],
        "own_market": on["market_price"] or on["own_customers"],
        "judgement": on["judgement"],
        "own_policy": on["own_policy"],
        "amount_now": amount and on["said_now"],
    }
    for what, value in values.items():
        out[FEATURE_NAMES.index(f"{role}_{what}")] = float(value)
    return out


@dataclass(frozen=True)
class TurnContext:
    """What the turns before an utterance say about it: the other party's question just before (a
    price question of probability ``asked``, ``spend`` when about what the buyer pays today, or
    ``other_question`` about something else), ``own_market`` when the same speaker's turn before
    spoke of its own customers or market, ``own_business_question`` when the other party's turn
    before asked about the buyer's own customers, prices or business, and ``quoted`` how surely the
    other party's turn just before stated a price or a discount."""

    asked: float = 0.0
    other_question: bool = False
    spend: bool = False
    own_market: bool = False
    own_business_question: bool = False
    quoted: float = 0.0

    def __bool__(self) -> bool:
        return bool(self.asked > 0 or self.other_question or self.own_market or self.own_business_question or self.quoted > 0)


def with_context(found: PriceEvidence, context: TurnContext) -> np.ndarray:
    """The lexical row of an utterance read after its ``context``: an answer opening with a number
    ("about forty, ...") to a question about something else answers with a count, not a price;
    an amount after the speaker's own customers or a question about them is the buyer's own price;
    a reply to the other party's quote that names an amount or judges one ("ninety five works for
    us", "that's a lot for a shop our size") is a reaction to the price, which is price talk."""
    out = found.lexical.copy()
    number = max(out[FEATURE_NAMES.index(f)] for f in AMOUNT_FEATURES[:4])
    judged = any(name in found.cues for name in ("judgement", "reaction", "budget"))
    out[FEATURE_NAMES.index("after_price_question")] = context.asked
    out[FEATURE_NAMES.index("after_price_question_with_amount")] = context.asked * number
    out[FEATURE_NAMES.index("after_spend_question")] = context.asked if context.spend else 0.0
    out[FEATURE_NAMES.index("number_answering_other_question")] = float(context.other_question and found.opens_with_number)
    out[FEATURE_NAMES.index("after_own_market")] = float(context.own_market)
    out[FEATURE_NAMES.index("after_own_business_question")] = float(context.own_business_question)
    out[FEATURE_NAMES.index("after_other_quote")] = context.quoted
    out[FEATURE_NAMES.index("after_other_quote_with_amount")] = context.quoted * number
    out[FEATURE_NAMES.index("after_other_quote_judged")] = context.quoted * float(judged)
    return out


def feature_matrix(encoder: SentenceEncoder, texts: Sequence[str], lexical: np.ndarray) -> np.ndarray:
    """Embedding plus weighted lexical features, the head's input (training and inference)."""
    embedded = encoder.encode([normalize(t) for t in texts]) if texts else np.zeros((0, encoder.dim), np.float32)
    return np.hstack([embedded, LEXICAL_WEIGHT * lexical]).astype(np.float32)


class PriceDetector:
    """Load once per process (``load_price_detector``), then ``detect`` texts or ``detect_turns`` a call."""

    def __init__(self, head_path: Path = HEAD_PATH, encoder: SentenceEncoder | None = None,
                 tuned_path: Path | None = TUNED_PATH) -> None:
        """``tuned_path``: the fine-tuned encoder's weights; None reads with the head alone."""
        head = load_head(head_path, FEATURE_NAMES, "price detector", "analysis.train_price")
        if names(head["classes"]) != CLASSES:
            raise AnalysisError(f"{head_path}: price detector trained on other classes; retrain with python -m analysis.train_price")
        self.weights = head["weights"].astype(np.float32)
        self.bias = head["bias"].astype(np.float32)
        self.threshold = float(head["threshold"])
        self.role_thresholds = dict(zip(ROLES, (float(t) for t in head["role_thresholds"])))
        self.encoder = encoder or load_encoder()
        self.tuned = PriceEncoder(FEATURE_NAMES, CLASSES, tuned_path) if tuned_path is not None else None

    def detect(self, texts: Sequence[str]) -> list[PriceHit | None]:
        """Each text on its own (no conversation around it)."""
        return self.detect_turns(texts, speakers=None)

    def detect_turns(
        self, texts: Sequence[str], speakers: Sequence[str] | None, roles: Sequence[str | None] | None = None
    ) -> list[PriceHit | None]:
        """The utterances of one call in time order; with ``speakers``, an utterance right after
        the other party's price question or quote reads it as context, and a bare yearly amount
        takes the thousands of the call's earlier yearly amounts (``analysis.amounts.in_call_scale``).
        ``roles``: each speaker's role where known ("seller", "buyer"; None or "unknown" otherwise)."""
        texts = [str(t) for t in texts]
        if not texts:
            return []
        roles = list(roles) if roles is not None else [None] * len(texts)
        found = [evidence(t) for t in texts]
        lexical = np.stack([with_role(e.lexical, role) for e, role in zip(found, roles)])
        embedded = feature_matrix(self.encoder, texts, lexical)
        probs = self.probabilities(embedded)
        thresholds = [self.role_thresholds.get(role, self.threshold) for role in roles]
        read_after: dict[int, int] = {}
        if speakers is not None:
            said = probs[:, 0] < thresholds
            asked = probs[:, CLASSES.index("ask")] * said
            quoted = (probs[:, CLASSES.index("quote")] + probs[:, CLASSES.index("discount")]) * said
            other = [is_question(t) and p[0] >= th for t, p, th in zip(texts, probs, thresholds)]
            contextual = {}
            described = _own_business_earlier(speakers, found)
            for i in range(len(texts)):
                context, source = _context(i, speakers, found, asked, quoted, other)
                if source is not None:
                    read_after[i] = source
                if roles[i] == "buyer" and described[i]:
                    context = replace(context, own_market=True)  # the call remembers whose prices the buyer's are
                if context:
                    contextual[i] = with_role(with_context(found[i], context), roles[i])
            if contextual:
                rows = list(contextual)
                embedded[rows, -len(FEATURE_NAMES):] = LEXICAL_WEIGHT * np.stack([contextual[i] for i in rows])
                probs[rows] = self.probabilities(embedded[rows])
        self._read_again(probs, texts, roles, lexical, read_after)
        hits = [self._hit(p, e, th) for p, e, th in zip(probs, found, thresholds)]
        return _in_call_scale(hits, found) if speakers is not None else hits

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        z = features @ self.weights.T + self.bias
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def _read_again(self, probs: np.ndarray, texts: Sequence[str], roles: Sequence[str | None], lexical: np.ndarray,
                    read_after: dict[int, int]) -> None:
        """Average in the fine-tuned encoder's probabilities (``ENCODER_SHARE``) where the head
        does not rule price out; an utterance is read after the turn in ``read_after``."""
        idx = np.flatnonzero(probs[:, 0] < SECOND_READ_BELOW)
        if self.tuned is None or not idx.size:
            return
        inputs = [render(texts[i], roles[i], *((texts[j], roles[j]) if (j := read_after.get(i)) is not None else ()))
                  for i in idx]
        second = self.tuned.probabilities(inputs, lexical[idx])
        probs[idx] = (1.0 - ENCODER_SHARE) * probs[idx] + ENCODER_SHARE * second

    def _hit(self, p: np.ndarray, found: PriceEvidence, threshold: float) -> PriceHit | None:
        if p[0] >= threshold:
            return None
        kind = PRICE_KINDS[int(np.argmax(p[1:]))]
        cue = found.amount.text if found.amount is not None and found.amount.evidence != "bare" else None
        cue = cue or next((found.cues[name] for name in _CUE_ORDER if name in found.cues), None)
        return PriceHit.of(kind, round(float(1.0 - p[0]), 4), cue, found.amount)


def _in_call_scale(hits: list[PriceHit | None], found: Sequence[PriceEvidence]) -> list[PriceHit | None]:
    """Each hit's amount read with the amounts of the call's earlier price mentions."""
    out: list[PriceHit | None] = []
    said: list[Amount] = []
    for hit, e in zip(hits, found):
        if hit is not None and e.amount is not None:
            scaled = in_call_scale(e.amount, said)
            if scaled is not e.amount:
                hit = replace(hit, amount=scaled.value, amount_high=scaled.high)
            said.append(scaled)
        out.append(hit)
    return out


def _context(i: int, speakers: Sequence[str], found: Sequence[PriceEvidence], asked: np.ndarray, quoted: np.ndarray,
             other: Sequence[bool]) -> tuple[TurnContext, int | None]:
    """What the turns before ``i`` say about it (at most ``CONTEXT_LOOKBACK`` back): the other
    party's last utterance, and whether the speaker's own last one spoke of its own market; and
    the turn the fine-tuned encoder reads it after (the other party's price talk or question, else
    the speaker's own words about its market), if any."""
    before = range(i - 1, max(-1, i - 1 - CONTEXT_LOOKBACK), -1)
    j = next((j for j in before if speakers[j] != speakers[i]), None)
    own = next((k for k in before if speakers[k] == speakers[i]), None)
    own_market = own is not None and found[own].own_market
    if j is None:
        return TurnContext(own_market=own_market), own if own_market else None
    context = TurnContext(float(asked[j]), other[j], found[j].about_current_spend, own_market, found[j].asks_own_business,
                          float(quoted[j]) if j == i - 1 else 0.0)
    if context.asked > 0 or context.other_question or context.own_business_question or context.quoted > 0:
        return context, j
    return context, own if own_market else None


def _own_business_earlier(speakers: Sequence[str], found: Sequence[PriceEvidence]) -> list[bool]:
    """For each utterance, whether its speaker spoke of its own business, customers or market in
    any earlier utterance of the call (the call's memory of whose prices the buyer's are)."""
    described: set[str] = set()
    out = []
    for speaker, e in zip(speakers, found):
        out.append(speaker in described)
        if e.own_market:
            described.add(speaker)
    return out


@lru_cache(maxsize=1)
def load_price_detector() -> PriceDetector:
    """The process-wide price detector (encoder and head loaded once)."""
    return PriceDetector()
