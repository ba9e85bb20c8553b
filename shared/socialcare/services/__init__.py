"""The three jobs: poll mentions, acknowledge, escalate. Each takes its collaborators explicitly."""
