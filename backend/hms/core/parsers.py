"""Request body parsers for every API view (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]).

DRF's JSONParser turns malformed JSON into a 400, but a body of a few thousand nested `[`
makes Python's decoder raise RecursionError, which is no ValueError and became a 500. No
HMS payload nests more than a handful of levels, so anything deeper than MAX_JSON_DEPTH is
refused as a parse error (400 in the one error shape) before a serializer sees it.
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_JSON_DEPTH = 32


def json_depth_exceeds(data, limit: int) -> bool:
    """True when `data` has containers nested more than `limit` deep (iterative: no recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies nested too deeply for the decoder or for HMS."""

    max_depth = MAX_JSON_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type=media_type, parser_context=parser_context)
        except RecursionError as exc:
            raise ParseError(self._too_deep_message()) from exc
        if json_depth_exceeds(data, self.max_depth):
            raise ParseError(self._too_deep_message())
        return data

    def _too_deep_message(self) -> str:
        return f"JSON parse error - the body nests more than {self.max_depth} levels deep."
