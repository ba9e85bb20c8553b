"""The names of every business metric the functions emit (namespace socialcare, dimension service).

template.yaml's alarms and dashboard refer to these names; tests/infrastructure checks that every
alarmed metric is one of them, so a rename here cannot silently orphan an alarm.
"""

# poll_mentions
MENTIONS_STORED = "MentionsStored"
HUMAN_REPLIES_NOTICED = "HumanRepliesNoticed"
POSTS_QUARANTINED = "PostsQuarantined"  # a malformed post kept aside with its raw JSON and the reason
ACCOUNT_UNAVAILABLE = "AccountUnavailable"  # unknown or suspended account, or credentials refused: alarmed
POLL_STALLED = "PollStalled"  # a stream that has not succeeded for polling.stall_alarm_minutes: alarmed
POLL_FAILED = "PollFailed"  # one account's poll failed this run (the others went on)
RATE_LIMITED = "RateLimited"

# acknowledge
NEW_TICKETS_RECEIVED = "NewTicketsReceived"
ACKNOWLEDGEMENTS_POSTED = "AcknowledgementsPosted"
ACKNOWLEDGEMENTS_SKIPPED = "AcknowledgementsSkipped"
ACKNOWLEDGEMENTS_DUE_FOR_RETRY = "AcknowledgementsDueForRetry"
ACKNOWLEDGEMENTS_FAILED = "AcknowledgementsFailed"  # gave up after acknowledgements.max_attempts: alarmed
ACKNOWLEDGEMENTS_CAPPED = "AcknowledgementsCapped"  # held back by limits (author window, account ceiling)
POSTS_HIDE_FAILED = "PostsHideFailed"  # a comment with personal data could not be hidden: alarmed
CREDENTIALS_REFRESHED = "CredentialsRefreshed"  # a 401/403 made an adapter re-read its secret

# escalate
ALERTS_SENT = "AlertsSent"
ALERTS_FAILED = "AlertsFailed"  # a send failed and is retried next sweep: alarmed when it persists
ALERTS_REJECTED = "AlertsRejected"  # the provider refused for good (bad address, unverified): alarmed
ALERTS_CAPPED = "AlertsCapped"  # held back by limits.account_alerts_per_hour, summarised to staff
ESCALATION_ITEMS_READ = "EscalationItemsRead"
DIGESTS_SENT = "DigestsSent"  # one e-mail or SMS combining several tickets' alerts
ALERTS_FOLDED_BY_BUDGET = "AlertsFoldedByBudget"  # SMS sent by e-mail only: limits.sms_per_recipient_per_hour

# webhook
WEBHOOK_REJECTED = "WebhookRejected"  # bad signature, oversized or malformed: nothing stored; alarmed
WEBHOOK_CHANGES_IGNORED = "WebhookChangesIgnored"  # other accounts, fields and verbs we don't use
WEBHOOK_CHANGES_FAILED = "WebhookChangesFailed"  # not stored (polling reconciles): alarmed if it lasts
CLAIM_LINKS_REJECTED = (
    "ClaimLinksRejected"  # forged, expired or misused claim links: counted, on the dashboard
)
TICKETS_CLAIMED = "TicketsClaimed"  # claimed from an alert's link
CLAIM_LINKS_UNAVAILABLE = "ClaimLinksUnavailable"  # an alert went without its link (key unreadable): alarmed

# daily_report (once a day, of the team's local yesterday; dimension "network" where it applies)
DAILY_TICKETS = "Tickets"
DAILY_FIRST_RESPONSE_MEDIAN = "FirstResponseMedianSeconds"  # staff's first reply, not our acknowledgement
DAILY_FIRST_RESPONSE_P90 = "FirstResponseP90Seconds"
DAILY_TARGET_MET = "TargetMet"
DAILY_TARGET_BREACHED = "TargetBreached"
DAILY_INCIDENTS = "Incidents"
DAILY_CLAIMS = "Claims"
DAILY_REPORTS_SENT = "DailyReportsSent"

# Incidents (services/incidents.py)
INCIDENTS_OPENED = "IncidentsOpened"
STATUS_POSTS_FAILED = "StatusPostsFailed"  # a status post refused or lost: alarmed
FOLLOW_UPS_FAILED = "IncidentFollowUpsFailed"  # the follow-up could not be posted: its ticket resumed
INCIDENT_JOB_FAILURES = "IncidentJobFailures"  # one account's detection or follow-up failed: alarmed
