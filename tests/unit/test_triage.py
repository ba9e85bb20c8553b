"""Triage with the default rules: what a care team would expect of each kind of mention."""

import subprocess
import sys
import time

import pytest

from socialcare.config.triage import TriageConfig
from socialcare.domain.triage import is_closing, triage
from socialcare.domain.triage.phrases import Phrases
from socialcare.domain.triage.text import fold

RULES = TriageConfig().rules()


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("@LumaHome the heater is sparking and smoking, it's a fire hazard", "en"),
        ("@QuickEats nut allergy in the notes and there were cashews in it", "en"),
        ("@BancoSol got a text asking for my card details, is this a scam", "en"),
        ("@AcmeCare my account has been hacked, I can't log in", "en"),
        ("@AeroVia refund my cancelled flight or my lawyer will be in touch", "en"),
        ("@AcmeCare you charged me twice for October", "en"),
        ("@TrenSur una señora se ha desmayado en el andén 2", "es"),
        ("@BancoSol tengo cargos que no reconozco, es un fraude", "es"),
        ("@FibraNet me han suplantado la identidad", "es"),
        ("@FibraNet si no me devolvéis el dinero os denuncio", "es"),
        ("@ModaViva me habéis cobrado el pedido dos veces", "es"),
    ],
)
def test_safety_health_fraud_security_legal_and_double_charges_are_urgent_complaints(text, lang):
    result = triage(text, RULES, lang)
    assert (result.intent, result.priority) == ("complaint", "urgent")
    assert result.reasons[0].startswith("urgent: ")


def test_the_reason_names_the_phrase_that_fired():
    assert triage("@AcmeCare you charged me twice!!", RULES, "en").reasons == ("urgent: charged * twice",)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("great, another delay, love it", "en"),
        ("@AcmeCare wow 2 hours on hold, amazing service 🙄", "en"),
        ("@AcmeCare love the phone, hate that it took 4 attempts to activate", "en"),
        ("@FibraNet genial, otra vez sin conexión. Me encanta pagar por nada 🙃", "es"),
    ],
)
def test_sarcasm_and_mixed_messages_are_complaints_not_praise(text, lang):
    result = triage(text, RULES, lang)
    assert (result.intent, result.priority) == ("complaint", "normal")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("@AcmeCare how do I add a second line to my plan", "en"),
        ("@NorthRail is the 17:10 to Leeds running today", "en"),
        ("@FibraNet cómo puedo cambiar la contraseña del wifi", "es"),
        ("@BancoSol se puede pedir la tarjeta virtual desde la app", "es"),
        ("price?", None),
    ],
)
def test_questions_with_or_without_a_question_mark(text, lang):
    assert (triage(text, RULES, lang).intent, triage(text, RULES, lang).priority) == ("question", "normal")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("@AcmeCare the new app update is fantastic, well done", "en"),
        ("obsessed with the new colours 😍😍", "en"),
        ("@FibraNet el técnico de hoy un crack, todo funcionando. Gracias!", "es"),
        ("@AeroVia merci pour ce vol parfait", "fr"),
    ],
)
def test_praise_is_low_priority(text, lang):
    assert (triage(text, RULES, lang).intent, triage(text, RULES, lang).priority) == ("praise", "low")


def test_a_mention_with_nothing_to_act_on_is_other_and_low():
    result = triage("@AcmeCare RT if you remember the old logo", RULES, "en")
    assert (result.intent, result.priority) == ("other", "low")
    assert result.reasons[0].startswith("no rule fired")


def test_a_sentence_start_phrase_does_not_fire_mid_sentence():
    assert triage("@AcmeCare what time does the shop close", RULES, "en").intent == "question"
    assert triage("oh brilliant, just what I wanted, thanks", RULES, "en").intent == "praise"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("@AcmeCare call me on 07700 900 456, no signal again", "phone"),
        ("@FibraNet mi correo es lucia.martin@gmail.com", "email"),
        ("@BancoSol mi cuenta es ES91 2100 0418 4502 0005 1332", "iban"),
        ("@QuickEats deliver to 17 Oak Street, Leeds LS6 1AA", "address"),
    ],
)
def test_personal_data_is_flagged_by_the_redaction_detectors(text, category):
    result = triage(text, RULES)
    assert result.personal_data
    assert f"personal data: {category}" in result.reasons


def test_handles_are_not_personal_data():
    assert not triage("@laura_g @ana.pz este para la boda!!", RULES, "es").personal_data


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("@AcmeCare sorted, thanks!", "en"),
        ("@AcmeCare perfect that worked, thank you 🙏", "en"),
        ("@FibraNet gracias, resuelto", "es"),
        ("@FibraNet ya funciona, muchas gracias", "es"),
        ("@AeroVia c'est réglé, merci !", "fr"),
    ],
)
def test_a_thank_you_that_closes_is_a_closing_follow_up(text, lang):
    assert is_closing(text, RULES, lang)
    result = triage(text, RULES, lang, answered_conversation=True)
    assert result.closing_follow_up
    assert (result.intent, result.priority) == ("praise", "low")
    assert result.reasons[0].startswith("closing: ")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("@AcmeCare thanks for the reply but it's still not working", "en"),
        ("@AcmeCare thanks, and how long will the refund take", "en"),
        ("@FibraNet gracias por responder pero sigue sin funcionar", "es"),
        ("@AcmeCare thanks, you charged me twice though", "en"),
    ],
)
def test_a_thank_you_that_complains_or_asks_more_is_not_closing(text, lang):
    assert not is_closing(text, RULES, lang)
    assert not triage(text, RULES, lang, answered_conversation=True).closing_follow_up


def test_outside_an_answered_conversation_a_thank_you_is_praise_not_a_closing_follow_up():
    result = triage("@AcmeCare sorted, thanks!", RULES, "en")
    assert not result.closing_follow_up
    assert result.intent == "praise"


def test_without_a_language_every_languages_rules_apply():
    assert triage("@FibraNet me habéis cobrado dos veces", RULES, None).priority == "urgent"
    assert triage("@AcmeCare you charged me twice", RULES, None).priority == "urgent"


def test_phrases_match_whole_words_prefixes_gaps_and_any_accent():
    phrases = Phrases(("cancel*", "charged * twice", "como", "^why", "😡"))
    assert phrases.first(fold("my flight was Cancelled")) == "cancel*"
    assert phrases.first(fold("they charged my card twice")) == "charged * twice"
    assert phrases.first(fold("charged me for all of this twice")) is None  # a gap is 3 words at most
    assert phrases.first(fold("¿Cómo lo hago?")) == "como"
    assert phrases.first(fold("comodidad")) is None
    assert phrases.first(fold("no idea why")) is None
    assert phrases.first(fold("ok. Why is it down")) == "^why"
    assert phrases.first(fold("again 😡😡")) == "😡"


def test_triage_time_grows_linearly_with_the_text():
    text = "great, another delay 😡 love it, call me on 07700 900 456? " * 1700  # ~100,000 characters
    started = time.process_time()
    triage(text, RULES, None)
    assert time.process_time() - started < 10  # about 1.5 s; a quadratic matcher would take hours


def test_triage_loads_no_network_library():
    """VADER's package lists `requests` for a demo; triage must not load it (nor boto3)."""
    code = (
        "import sys; from socialcare.config.triage import TriageConfig; "
        "from socialcare.domain.triage import triage; "
        "triage('great, thanks', TriageConfig().rules(), 'en'); "
        "print(sorted(m for m in ('requests', 'boto3', 'botocore', 'urllib3', 'nltk') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
