"""The local runtime: runs the real Lambda handlers from template.yaml against moto on one machine.

clock (virtual time), cfn (template loading and intrinsic resolution), deployment (tables,
queues, handlers, invocation), streams (DynamoDB stream triggers), scheduler (schedules),
lambda_context (the context object handlers receive), xsim (the simulated X API).
"""
