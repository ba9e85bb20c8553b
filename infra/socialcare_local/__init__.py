"""The local runtime: runs the real Lambda handlers from template.yaml against moto on one machine.

clock (virtual time), cfn/cfn_events/intrinsics (reading the template), deployment (tables, queues,
handlers, invocation; moto_env and api_calls support it), streams/stream_events/event_filter
(DynamoDB stream triggers), scheduler (schedules), lambda_context (the handler's context object),
plus one simulator per network (networks/) and the replay (replay).
"""
