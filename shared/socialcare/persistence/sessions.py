"""Login sessions adapters keep between invocations (channels.base.SessionStore), one item per
account on the state table: pk session#<account key>. One GetItem when a container first needs it,
one PutItem when the network renews it."""

from pynamodb.exceptions import DoesNotExist

from .models import SessionModel


def session_pk(account_key: str) -> str:
    return f"session#{account_key}"


class DynamoSessionStore:
    def load(self, account_key: str) -> str | None:
        try:
            return SessionModel.get(session_pk(account_key), consistent_read=True).session
        except DoesNotExist:
            return None

    def save(self, account_key: str, value: str) -> None:
        SessionModel(session_pk(account_key), session=value).save()
