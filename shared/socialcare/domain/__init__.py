"""Pure domain rules: deadlines, escalation ladders, templates, skip rules. No AWS or HTTP here."""
