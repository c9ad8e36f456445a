"""Logging helpers: every log line carries the request id of the request that caused it."""

import logging

from hms.core.request_context import current_request_context


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_context().request_id or None
        return True
