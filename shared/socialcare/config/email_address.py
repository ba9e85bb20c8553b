"""E-mail address fields of the configuration: domain/email_address.py's check as a pydantic type."""

from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from ..domain.email_address import InvalidEmailAddress, check_email_address

__all__ = ["EmailAddress", "InvalidEmailAddress", "check_email_address"]


def _validated(value: str) -> str:
    try:
        return check_email_address(value)
    except InvalidEmailAddress as error:
        # The message pydantic's EmailStr gave, so the error under the field reads as before.
        raise PydanticCustomError(
            "value_error", "value is not a valid email address: {reason}", {"reason": str(error)}
        ) from None


# A str field holding an e-mail address (in place of pydantic's EmailStr).
EmailAddress = Annotated[str, AfterValidator(_validated)]
