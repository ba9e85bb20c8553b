"""DynamoDB through PynamoDB: the tickets table (tickets, post claims, conversation markers) and
the state table (per-account cursors and rate-limit pauses)."""
