"""Small helpers shared by the tests that post admin forms."""


def management_form(prefix: str, total: int, initial: int = 0) -> dict:
    """The management form an admin inline formset posts along with its forms."""
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def body(response) -> bytes:
    """A download's bytes, whether it was sent whole or streamed (exports stream)."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content
