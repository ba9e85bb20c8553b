"""What Facebook and Instagram share of Meta's Graph API: the transport, Meta's error codes and usage
headers, its time format, and the time-plus-ids cursor both networks keep (Meta's own paging
cursors expire, so they never outlive one read). Each network's knowledge stays in its package."""

# Here rather than in graph.py: the networks' registration and account models (read at every cold
# start) must not import requests.
DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_VERSION = "v25.0"
