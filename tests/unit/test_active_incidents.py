"""Which active incident a new mention belongs to: an open one of its account, or brand-wide, whose
top terms its words share; never one that has ended."""

from socialcare.domain.incidents.active import BRAND_WIDE, OPEN, RESOLVED, ActiveIncident, incident_for

SITE_DOWN = ActiveIncident("inc-1", "x#9001", ("site", "down"), OPEN)


def test_a_mention_sharing_an_open_incidents_terms_on_its_account_belongs_to_it():
    assert incident_for("is the site down again?", "x#9001", [SITE_DOWN]) == "inc-1"


def test_other_words_another_account_or_an_ended_incident_do_not_match():
    assert incident_for("where is my parcel?", "x#9001", [SITE_DOWN]) is None
    assert incident_for("site down?", "facebook#77", [SITE_DOWN]) is None
    ended = ActiveIncident("inc-1", "x#9001", ("site", "down"), RESOLVED)
    assert incident_for("site down?", "x#9001", [ended]) is None


def test_a_brand_wide_incident_takes_every_accounts_mentions():
    brand = ActiveIncident("inc-2", BRAND_WIDE, ("payment", "failed"), OPEN)
    assert incident_for("payment failed twice", "facebook#77", [SITE_DOWN, brand]) == "inc-2"


def test_an_entry_reads_back_as_written():
    assert ActiveIncident.from_dict("inc-1", SITE_DOWN.to_dict()) == SITE_DOWN
