"""Sending alerts: e-mail through SES, SMS through SNS."""
