"""Precomputed daily facts for the reports, and the bookkeeping of how fresh they are.

A summary (hms.reporting.summaries) owns one fact table and rewrites one local day's rows at
a time. `SummaryState.complete_through` is the last day whose rows are known to be complete
(every earlier day is built too); `SummaryDirtyDay` lists days a later change touched, which
are served from live rows until the next refresh rebuilds them.
"""

from django.db import models


class SummaryState(models.Model):
    name = models.CharField(max_length=64, unique=True)
    complete_through = models.DateField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} complete through {self.complete_through}"


class SummaryDirtyDay(models.Model):
    name = models.CharField(max_length=64)
    day = models.DateField()
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "day"]
        constraints = [
            models.UniqueConstraint(fields=["name", "day"], name="summary_dirty_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.day} (dirty)"
