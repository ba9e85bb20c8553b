"""`socialcare replay`: a scenario of mentions and staff replies, played through the real handlers."""
